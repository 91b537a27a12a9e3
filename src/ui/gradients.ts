/**
 * The gradient panel: the GPU's gradients beside the CPU oracle's at the same
 * parameters, the largest absolute and relative error per tensor, and pass or
 * fail against the project's stated tolerance; optionally central differences
 * as a third column. On the CPU backend it says there is no GPU side.
 */
import { compareFlat, TOLERANCES } from '../mlp/compare.js';
import { paramLayout } from '../mlp/spec.js';
import type { Snapshot } from './session.js';

/** Above this many parameters the finite-difference column is not offered (two forward passes each). */
export const FD_MAX_PARAMS = 2000;

const e = (v: number) => (v === 0 ? '0' : v.toExponential(2));
const g = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(6) : v.toExponential(4));

function cell(tag: 'td' | 'th', text: string, className = ''): HTMLTableCellElement {
  const c = document.createElement(tag);
  c.textContent = text;
  if (className) c.className = className;
  return c;
}

function tableRow(tag: 'td' | 'th', cells: readonly string[], className = ''): HTMLTableRowElement {
  const tr = document.createElement('tr');
  if (className) tr.className = className;
  for (const c of cells) tr.append(cell(tag, c));
  return tr;
}

/** Parameter names in flat order: W1[j][i], b1[j], W2[0][j], b2[0]. */
export function parameterNames(d: number, H: number): string[] {
  const names: string[] = [];
  for (let j = 0; j < H; j++) for (let i = 0; i < d; i++) names.push(`W1[${j}][${i}]`);
  for (let j = 0; j < H; j++) names.push(`b1[${j}]`);
  for (let j = 0; j < H; j++) names.push(`W2[0][${j}]`);
  names.push('b2[0]');
  return names;
}

export function renderGradients(root: HTMLElement, s: Snapshot, fd: Float64Array | null): void {
  const d = s.data.d;
  const H = s.values.z1.length / s.data.N;
  const spec = { d, H };
  const summary = document.createElement('p');
  summary.className = 'grad-summary';
  const maxRel = Object.assign(document.createElement('strong'), { textContent: 'n/a' });
  maxRel.dataset.testid = 'grad-max-rel-error';
  const verdict = Object.assign(document.createElement('strong'), { textContent: 'n/a' });
  verdict.dataset.testid = 'grad-verdict';
  const parts: HTMLElement[] = [summary];

  if (!s.gpuGrads) {
    summary.append('No GPU side to compare: training runs on the CPU engine. Largest relative error: ', maxRel, '; verdict: ', verdict, '.');
  } else {
    const tol = TOLERANCES.gpuVsCpu;
    const cmp = compareFlat(spec, s.gpuGrads, s.oracle.grads, tol);
    maxRel.textContent = e(cmp.maxRelError);
    verdict.textContent = cmp.pass ? 'pass' : 'FAIL';
    verdict.className = cmp.pass ? 'pass' : 'fail';
    summary.append(
      `GPU (f32) against the CPU oracle (f64) at step ${s.step}, same parameters and data. Largest relative error: `,
      maxRel,
      '; verdict: ',
      verdict,
      ` (each entry must satisfy |gpu − cpu| ≤ ${tol.atol.toExponential()} + ${tol.rtol.toExponential()}·max(|gpu|, |cpu|): ${tol.why}).`,
    );
    const per = document.createElement('table');
    per.className = 'grad-tensors';
    per.append(tableRow('th', ['tensor', 'shape', 'max abs error', 'max rel error', 'verdict']));
    const L = paramLayout(spec);
    for (const t of cmp.tensors) {
      const tr = tableRow('td', [t.tensor, L[t.tensor].shape.join('×'), e(t.maxAbsError), e(t.maxRelError), t.pass ? 'pass' : 'FAIL']);
      tr.dataset.testid = `grad-tensor-${t.tensor}`;
      per.append(tr);
    }
    parts.push(per);
  }

  const names = parameterNames(d, H);
  const detail = document.createElement('table');
  detail.className = 'grad-detail';
  const head = s.gpuGrads ? ['parameter', 'GPU', 'CPU oracle', '|GPU − CPU|'] : ['parameter', 'CPU oracle'];
  if (fd) head.push('finite differences', '|FD − CPU|');
  detail.append(tableRow('th', head));
  const limit = Math.min(names.length, 200);
  for (let k = 0; k < limit; k++) {
    const cpu = s.oracle.grads[k]!;
    const cells = [names[k]!];
    if (s.gpuGrads) cells.push(g(s.gpuGrads[k]!), g(cpu), e(Math.abs(s.gpuGrads[k]! - cpu)));
    else cells.push(g(cpu));
    if (fd) cells.push(g(fd[k]!), e(Math.abs(fd[k]! - cpu)));
    detail.append(tableRow('td', cells));
  }
  const scroll = document.createElement('div');
  scroll.className = 'grad-scroll';
  scroll.append(detail);
  parts.push(scroll);
  if (names.length > limit) parts.push(Object.assign(document.createElement('p'), { textContent: `${names.length - limit} more parameters not listed (all are in the summary above).` }));
  root.replaceChildren(...parts);
}
