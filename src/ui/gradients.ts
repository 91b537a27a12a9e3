/**
 * The gradient panel: one plain sentence first (do GPU and CPU agree, each gradient within its own f32 error bound, and
 * the largest share of its bound any gradient used), then, folded into a <details>, the method and a table per tensor:
 * every gradient beside the CPU oracle's, its bound and optionally central differences. On the CPU backend it says
 * there is no GPU side. Redrawn every frame: the open/closed state and the scroll position survive it.
 */
import {
  BOUND_METHOD,
  type BoundedComparison,
  compareWithBoundsModel,
  fractionOfBound,
  RESOLVED,
} from '../mlp/bounds/compare.js';
import { modelLayout, type ModelShape } from '../mlp/model.js';
import type { Snapshot } from './session.js';

/** Above this many parameters the finite-difference column is not offered (two forward passes each). */
export const FD_MAX_PARAMS = 2000;

/** Rows listed in the detail table; the summary covers them all. */
const MAX_ROWS = 200;

/** Written as the graph writes numbers: a true minus sign, "e5" and "e−5" rather than "e+5" and "e-5". */
const minus = (t: string) => t.replace('e+', 'e').replaceAll('-', '−');
const e = (v: number) => (v === 0 ? '0' : minus(v.toExponential(2)));
/** Gradients: six decimals where that shows their digits (1e-3 ≤ |v| < 1e4), five significant digits otherwise. */
const g = (v: number) =>
  minus(v === 0 || (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4) ? v.toFixed(6) : v.toExponential(4));
const pct = (f: number) =>
  !Number.isFinite(f)
    ? 'all (a zero bound or a non-finite value)'
    : f === 0
      ? '0%'
      : f < 0.01
        ? `${(100 * f).toPrecision(1)}%`
        : `${Math.round(100 * f)}%`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function tableRow(tag: 'td' | 'th', cells: readonly string[]): HTMLTableRowElement {
  const tr = el('tr');
  for (const c of cells) tr.append(el(tag, c));
  return tr;
}

/**
 * Parameter names in flat order, counted from 1 like the graph's and the network picture's units: W_l[j][k] (layer l's
 * unit j, its input k) and b_l[j] for each hidden layer, then the output's W_{L+1}[j] and b_{L+1} (one unit: no row
 * index). For one hidden layer, W1[j][k], b1[j], W2[j], b2.
 */
export function parameterNames(shape: ModelShape): string[] {
  const names: string[] = [];
  const { layers } = modelLayout(shape);
  for (const { W, b, nin, nout, l } of layers) {
    const output = l === layers.length;
    for (let j = 1; j <= nout; j++)
      for (let k = 1; k <= nin; k++) names.push(output ? `${W.name}[${k}]` : `${W.name}[${j}][${k}]`);
    for (let j = 1; j <= nout; j++) names.push(output ? b.name : `${b.name}[${j}]`);
  }
  return names;
}

/** Said once, above the table: how the names count. */
export const NAMING =
  'W1[j][k] is the weight from input k into hidden unit j, b1[j] that unit’s bias, W2[j] its weight into the output; units and inputs are counted from 1, as in the graph and the network picture.';

/** The lead sentence, from the comparison alone. */
export function verdictSentence(c: BoundedComparison): string {
  const failed = c.tensors.reduce((s, t) => s + (t.pass ? 0 : 1), 0);
  const gates =
    c.gateUncertain > 0
      ? ` ${c.gateUncertain} of them depend on a ReLU gate too close to 0 for f32 to be sure of; ` +
        `those are held to a bound that allows either side.`
      : '';
  if (!c.pass) {
    return `The GPU and the CPU disagree: ${failed} of 4 tensors have a gradient outside its f32 error bound (the worst ${Number.isFinite(c.maxFraction) ? `is ${e(c.maxFraction)} times its bound` : 'is not finite, or has a bound of 0'}).${gates}`;
  }
  return (
    `The GPU and the CPU agree on all ${c.count} gradients, each within its f32 error bound; ` +
    `the largest share of its bound any gradient used was ${pct(c.maxFraction)}.${gates}`
  );
}

export function renderGradients(root: HTMLElement, s: Snapshot, fd: Float64Array | null): void {
  const spec = s.model;
  // What the last frame's reader had open and where they had scrolled to.
  const wasOpen = root.querySelector<HTMLDetailsElement>('details.grad-more')?.open ?? false;
  const scrollTop = root.querySelector<HTMLElement>('.grad-scroll')?.scrollTop ?? 0;

  const summary = el('p', '', 'grad-summary');
  const maxRel = Object.assign(el('strong', 'n/a'), {
    title: `over the gradients at least ${RESOLVED} times their bound`,
  });
  maxRel.dataset.testid = 'grad-max-rel-error';
  const verdict = el('strong', 'n/a');
  verdict.dataset.testid = 'grad-verdict';
  const more = el('details', '', 'grad-more');
  more.open = wasOpen;
  more.append(el('summary', 'How this is checked, and every number'));
  const bounds = s.gpuGrads && s.bounds ? s.bounds : null;
  const cmp = s.gpuGrads && bounds ? compareWithBoundsModel(spec, s.gpuGrads, bounds) : null;

  if (!s.gpuGrads) {
    summary.append(
      'No GPU side to compare: training runs on the CPU engine (f64), which is the oracle itself. Verdict: ',
      verdict,
      '.',
    );
  } else if (!cmp) {
    summary.append(
      `The GPU’s gradients are listed beside the CPU’s below; ${s.boundsNote ?? 'no error bounds came with this snapshot'}. Verdict: `,
      verdict,
      '.',
    );
  } else {
    verdict.textContent = cmp.pass ? 'pass' : 'FAIL';
    verdict.className = cmp.pass ? 'pass' : 'fail';
    const rel = cmp.tensors.map((t) => t.maxRelError).filter((v): v is number => v !== null);
    if (rel.length) maxRel.textContent = e(Math.max(...rel));
    summary.append(verdictSentence(cmp), ' Verdict: ', verdict, '.');
    more.append(
      el(
        'p',
        `GPU (f32) against the CPU oracle (f64) at step ${s.step}, same parameters and data. ` +
          `Each gradient has its own bound, ${BOUND_METHOD}. ` +
          `Relative error is given only for gradients at least ${RESOLVED} times their bound; ` +
          `for smaller ones f32 cannot resolve it.`,
      ),
    );
    const relLine = el('p');
    relLine.append('Largest relative error among those: ', maxRel, '.');
    more.append(relLine, tensorTable(spec, cmp));
  }
  more.append(el('p', NAMING, 'grad-naming'), detailTable(s, bounds?.grads.bound ?? null, fd));
  const names = parameterNames(spec).length;
  if (names > MAX_ROWS)
    more.append(
      el('p', `${names - MAX_ROWS} more parameters not listed (the sentence and the tensor table cover all ${names}).`),
    );
  if (!fd && names > FD_MAX_PARAMS) {
    more.append(
      el(
        'p',
        `Central differences are off: this network has ${names.toLocaleString('en-US')} parameters, above ${FD_MAX_PARAMS.toLocaleString('en-US')}, and each needs two forward passes over the batch, too slow to redo every frame.`,
      ),
    );
  }
  root.replaceChildren(summary, more);
  const scroll = root.querySelector<HTMLElement>('.grad-scroll');
  if (scroll) scroll.scrollTop = scrollTop;
}

function tensorTable(spec: ModelShape, cmp: BoundedComparison): HTMLTableElement {
  const shapes = new Map(modelLayout(spec).slots.map((slot) => [slot.name, slot.shape]));
  const table = el('table', '', 'grad-tensors');
  table.append(
    tableRow('th', [
      'tensor',
      'shape',
      'largest |GPU − CPU|',
      'most of its bound used',
      'largest relative error',
      'gate uncertain',
      'verdict',
    ]),
  );
  for (const t of cmp.tensors) {
    const tr = tableRow('td', [
      t.tensor,
      shapes.get(t.tensor)!.join('×'),
      e(t.maxAbsError),
      pct(t.maxFraction),
      t.maxRelError === null ? '—' : e(t.maxRelError),
      String(t.gateUncertain),
      t.pass ? 'pass' : 'FAIL',
    ]);
    tr.dataset.testid = `grad-tensor-${t.tensor}`;
    table.append(tr);
  }
  return table;
}

function detailTable(s: Snapshot, bound: Float64Array | null, fd: Float64Array | null): HTMLElement {
  const names = parameterNames(s.model);
  const table = el('table', '', 'grad-detail');
  const head = s.gpuGrads ? ['parameter', 'GPU', 'CPU oracle', '|GPU − CPU|'] : ['parameter', 'CPU oracle'];
  if (s.gpuGrads && bound) head.push('bound', 'used');
  if (fd) head.push('finite differences', '|FD − CPU|');
  table.append(tableRow('th', head));
  for (let k = 0; k < Math.min(names.length, MAX_ROWS); k++) {
    const cpu = s.oracle.grads[k]!;
    const cells = [names[k]!];
    if (s.gpuGrads) cells.push(g(s.gpuGrads[k]!), g(cpu), e(Math.abs(s.gpuGrads[k]! - cpu)));
    else cells.push(g(cpu));
    if (s.gpuGrads && bound) cells.push(e(bound[k]!), pct(fractionOfBound(s.gpuGrads[k]!, cpu, bound[k]!)));
    if (fd) cells.push(g(fd[k]!), e(Math.abs(fd[k]! - cpu)));
    table.append(tableRow('td', cells));
  }
  const scroll = el('div', '', 'grad-scroll');
  scroll.append(table);
  return scroll;
}
