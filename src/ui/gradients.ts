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
import { formatNumber } from './format.js';
import type { Snapshot } from './session.js';

/** Above this many parameters the finite-difference column is not offered (two forward passes each). */
export const FD_MAX_PARAMS = 2000;

/** Rows listed in the detail table; the summary covers them all. */
const MAX_ROWS = 200;

/** Written as the stats write numbers (formatNumber), with a true minus sign as the graph writes it. */
const minus = (t: string) => t.replaceAll('-', '−');
/** Errors, bounds and norms: three significant digits. */
const e = (v: number) => minus(formatNumber(v));
/** Gradients: six significant digits, enough to show where f32 and f64 part. */
const g = (v: number) => minus(formatNumber(v, 6));
const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** Far past its bound, a share in percent is unreadable: "1.4 × 10⁷ times its bound" (at 100× and above). */
export const timesBound = (f: number) => {
  const p = Math.floor(Math.log10(f));
  const m = f / 10 ** p;
  // 9.96 rounds to 10.0: carried into the power
  const [mant, pow] = Number(m.toFixed(1)) >= 10 ? [1, p + 1] : [Number(m.toFixed(1)), p];
  const sup = [...String(pow)].map((d) => SUPERSCRIPT[Number(d)]).join('');
  return pow <= 2 ? `${Math.round(f)} times its bound` : `${mant} × 10${sup} times its bound`;
};
export const pct = (f: number) =>
  !Number.isFinite(f)
    ? 'all (a zero bound or a non-finite value)'
    : f === 0
      ? '0%'
      : f < 0.01
        ? `${(100 * f).toPrecision(1)}%`
        : f >= 100
          ? timesBound(f)
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

/** Said once, above the table: how the names count (one hidden layer). */
export const NAMING =
  'W1[j][k] is the weight from input k into hidden unit j, b1[j] that unit’s bias, W2[j] its weight into the output; units and inputs are counted from 1, as in the graph and the network picture.';

/** How the names count, for any depth: NAMING for one hidden layer. */
export function naming(shape: ModelShape): string {
  const L = shape.hidden.length;
  if (L === 1) return NAMING;
  return (
    `W1[j][k] is the weight from input k into unit j of hidden layer 1, and W_l[j][k] (l = 2..${L}) the weight from ` +
    `unit k of layer l − 1 into unit j of layer l; b_l[j] is that unit’s bias; W${L + 1}[j] is the weight from unit ` +
    `j of the last hidden layer (layer ${L}) into the output, b${L + 1} the output’s bias. Units and inputs are ` +
    'counted from 1, as in the graph and the network picture.'
  );
}

/** With a penalty, what its term adds to every weight's gradient (null without one). */
export function penaltyNote(objective: { l1?: number; l2?: number }): string | null {
  const { l1 = 0, l2 = 0 } = objective;
  if (l1 === 0 && l2 === 0) return null;
  const terms = [l1 > 0 ? `λ1·sign(w) (L1, λ1 = ${l1})` : '', l2 > 0 ? `λ2·w (L2, λ2 = ${l2})` : '']
    .filter(Boolean)
    .join(' + ');
  return (
    `These are gradients of L_total = L_data + R: each weight’s includes the penalty’s term ${terms}; ` +
    'the biases’ do not (the penalty counts weights only).'
  );
}

/** The two sides a panel compares: the GPU (f32) with the oracle, or a CPU trainer with a planted bug (f64). */
export interface Sides {
  trainer: string;
  oracle: string;
  fp: 'f32' | 'f64';
}
const GPU_SIDES: Sides = { trainer: 'GPU', oracle: 'CPU', fp: 'f32' };
const CPU_SIDES: Sides = { trainer: 'CPU trainer', oracle: 'exact gradient', fp: 'f64' };
/** The sides of a snapshot's comparison. */
export const sidesOf = (s: Pick<Snapshot, 'backend'>): Sides => (s.backend === 'gpu' ? GPU_SIDES : CPU_SIDES);

/** The lead sentence, from the comparison alone; `l1` says whether a weight's sign can be uncertain too. */
export function verdictSentence(c: BoundedComparison, l1 = 0, sides: Sides = GPU_SIDES): string {
  const failed = c.tensors.reduce((s, t) => s + (t.pass ? 0 : 1), 0);
  const what = l1 > 0 ? 'a ReLU gate or a weight’s sign (L1)' : 'a ReLU gate';
  const gates =
    c.gateUncertain > 0
      ? ` ${c.gateUncertain} of them depend on ${what} too close to 0 for ${sides.fp} to be sure of; ` +
        `those are held to a bound that allows either side.`
      : '';
  if (!c.pass) {
    const names = c.tensors.filter((t) => !t.pass).map((t) => t.tensor);
    return `The ${sides.trainer} and the ${sides.oracle} disagree: ${failed} of ${c.tensors.length} tensors (${names.join(', ')}) have a gradient outside its ${sides.fp} error bound (the worst ${Number.isFinite(c.maxFraction) ? `is ${e(c.maxFraction)} times its bound` : 'is not finite, or has a bound of 0'}).${gates}`;
  }
  return (
    `The ${sides.trainer} and the ${sides.oracle} agree on all ${c.count} gradients, each within its ${sides.fp} error bound; ` +
    `the largest share of its bound any gradient used was ${pct(c.maxFraction)}.${gates}`
  );
}

/** `hunt`: a run with a planted bug, whose table adds the signed difference (trainer − exact) that tells bugs apart. */
export function renderGradients(root: HTMLElement, s: Snapshot, fd: Float64Array | null, hunt = false): void {
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

  if (s.past) {
    summary.append(
      `The past, recomputed on the CPU from the parameters stored at step ${s.step}: the oracle’s gradients there ` +
        '(f64). What the GPU computed at that step is not kept, so there is no GPU column. Verdict: ',
      verdict,
      '.',
    );
  } else if (!s.gpuGrads) {
    summary.append(
      'No GPU side to compare: training runs on the CPU in double precision, and these are the exact gradients ' +
        'at its parameters. Verdict: ',
      verdict,
      '.',
    );
    more.append(
      el(
        'p',
        'The CPU trainer (f64, src/mlp/train/train-fast.ts) equals the oracle (src/mlp/reference.ts) to about 1e-12 ' +
          'in its tests; the gradients listed are the oracle’s, in f64.',
      ),
    );
  } else if (!cmp) {
    summary.append(
      `The ${sidesOf(s).trainer}’s gradients are listed beside the ${sidesOf(s).oracle}’s below; ${s.boundsNote ?? 'no error bounds came with this snapshot'}. Verdict: `,
      verdict,
      '.',
    );
  } else {
    verdict.textContent = cmp.pass ? 'pass' : 'FAIL';
    verdict.className = cmp.pass ? 'pass' : 'fail';
    const rel = cmp.tensors.map((t) => t.maxRelError).filter((v): v is number => v !== null);
    if (rel.length) maxRel.textContent = e(Math.max(...rel));
    const sides = sidesOf(s);
    summary.append(verdictSentence(cmp, s.objective.l1, sides), ' Verdict: ', verdict, '.');
    more.append(
      el(
        'p',
        (s.backend === 'gpu'
          ? `GPU (f32) against the CPU oracle (f64) at step ${s.step}, same parameters and data. ` +
            `Each gradient has its own bound, ${BOUND_METHOD}. `
          : `The CPU trainer (f64, with this run’s planted bug) against the exact gradient: the oracle ` +
            `(src/mlp/reference.ts, f64) at step ${s.step}, same ` +
            `parameters and data. Each gradient has its own bound: the f32 bounds (${BOUND_METHOD}) with f64’s ` +
            'unit roundoff, 2⁻²⁹ times smaller (src/mlp/bounds/bounds-f64.ts). ') +
          `Relative error is given only for gradients at least ${RESOLVED} times their bound; ` +
          `for smaller ones f32 cannot resolve it.`,
      ),
    );
    const relLine = el('p');
    relLine.append('Largest relative error among those: ', maxRel, '.');
    more.append(relLine);
  }
  more.append(
    tensorTable(s, cmp),
    el('p', naming(spec), 'grad-naming'),
    detailTable(s, bounds?.grads.bound ?? null, fd, hunt),
  );
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
  const penalty = penaltyNote(s.objective);
  root.replaceChildren(summary, ...(penalty ? [el('p', penalty, 'grad-penalty')] : []), more);
  const scroll = root.querySelector<HTMLElement>('.grad-scroll');
  if (scroll) scroll.scrollTop = scrollTop;
}

/** A tensor's shape in numbers and in the math's symbols: "8×2 (H1×d)", "8 (H1)", "1×8 (1×H2)", "1 (1)". */
export function mathShape(shape: ModelShape, tensor: string): string {
  const layout = modelLayout(shape);
  const slot = layout.slots.find((t) => t.name === tensor);
  if (!slot) throw new RangeError(`tensor ${tensor} is not one of ${layout.slots.map((t) => t.name).join(', ')}`);
  const l = Number(tensor.slice(1));
  const L = shape.hidden.length;
  const H = (k: number) => (k === 0 ? 'd' : k === L + 1 ? '1' : `H${k}`);
  const symbols = tensor.startsWith('W') ? `${H(l)}×${H(l - 1)}` : H(l);
  return `${slot.shape.join('×')} (${symbols})`;
}

/**
 * One row per tensor, every layer's W_l and b_l: its shape, the size of the oracle's gradient ‖∂L/∂·‖ (so the
 * gradients' sizes can be compared layer by layer) and, with bounds, how the GPU's compare.
 */
function tensorTable(s: Snapshot, cmp: BoundedComparison | null): HTMLTableElement {
  const table = el('table', '', 'grad-tensors');
  const head = ['tensor', 'shape', '‖∂L/∂·‖ (CPU)'];
  const { trainer, oracle } = sidesOf(s);
  if (cmp)
    head.push(
      `largest |${trainer} − ${oracle}|`,
      'most of its bound used',
      'largest relative error',
      'gate uncertain',
      'verdict',
    );
  table.append(tableRow('th', head));
  const byName = new Map(cmp?.tensors.map((t) => [t.tensor, t]));
  for (const slot of modelLayout(s.model).slots) {
    let sq = 0;
    for (let k = slot.offset; k < slot.offset + slot.length; k++) sq += s.oracle.grads[k]! ** 2;
    const cells = [slot.name, mathShape(s.model, slot.name), e(Math.sqrt(sq))];
    const t = byName.get(slot.name);
    if (t)
      cells.push(
        e(t.maxAbsError),
        pct(t.maxFraction),
        t.maxRelError === null ? '—' : e(t.maxRelError),
        String(t.gateUncertain),
        t.pass ? 'pass' : 'FAIL',
      );
    const tr = tableRow('td', cells);
    tr.dataset.testid = `grad-tensor-${slot.name}`;
    table.append(tr);
  }
  return table;
}

function detailTable(s: Snapshot, bound: Float64Array | null, fd: Float64Array | null, hunt: boolean): HTMLElement {
  const names = parameterNames(s.model);
  const table = el('table', '', 'grad-detail');
  const { trainer, oracle } = sidesOf(s);
  const head = s.gpuGrads
    ? ['parameter', trainer, oracle === 'CPU' ? 'CPU oracle' : 'exact (f64)', `|${trainer} − ${oracle}|`]
    : ['parameter', 'exact (f64)'];
  const signed = hunt && s.gpuGrads !== null;
  if (signed) head.push(`${trainer} − ${oracle} (signed)`);
  if (s.gpuGrads && bound) head.push('bound', 'used');
  if (fd) head.push('finite differences', '|FD − CPU|');
  table.append(tableRow('th', head));
  for (let k = 0; k < Math.min(names.length, MAX_ROWS); k++) {
    const cpu = s.oracle.grads[k]!;
    const cells = [names[k]!];
    if (s.gpuGrads) cells.push(g(s.gpuGrads[k]!), g(cpu), e(Math.abs(s.gpuGrads[k]! - cpu)));
    else cells.push(g(cpu));
    if (signed) cells.push(g(s.gpuGrads![k]! - cpu));
    if (s.gpuGrads && bound) cells.push(e(bound[k]!), pct(fractionOfBound(s.gpuGrads[k]!, cpu, bound[k]!)));
    if (fd) cells.push(g(fd[k]!), e(Math.abs(fd[k]! - cpu)));
    table.append(tableRow('td', cells));
  }
  const scroll = el('div', '', 'grad-scroll');
  scroll.append(table);
  return scroll;
}
