/**
 * The spot-check (src/mlp/spotcheck.ts) as the docs show it: the table of docs/derivation.md, the worked example and
 * the sweep paragraph of docs/explainer.md, in LaTeX through ./docs-tex.ts, and the one function that refills a
 * document's generated blocks.
 */
import { DEFAULTS } from '../mlp/config.js';
import { xor } from '../mlp/data/data.js';
import { paramLayout } from '../mlp/spec.js';
import { computeSpotCheck, SPOT, type SpotCheck } from '../mlp/spotcheck.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { type SweepCell, sweepCpu, type SweepSpec } from '../mlp/map.js';
import { col, mat, num, row, sci } from './docs-tex.js';

/** The table of docs/derivation.md's spot-check. */
export function derivationBlock(s: SpotCheck = computeSpotCheck()): string {
  const L = paramLayout(SPOT.spec);
  const p = SPOT.params;
  const g = s.grads;
  const slice = (a: readonly number[], name: 'W1' | 'b1' | 'W2' | 'b2') =>
    a.slice(L[name].offset, L[name].offset + L[name].length);
  const lines = [
    '| quantity | shape | value |',
    '| --- | --- | --- |',
    `| $x$ | $2$ | $${col(SPOT.x)}$ |`,
    `| $y$ | $1$ | $${num(SPOT.y)}$ |`,
    `| $W_1$ | $2\\times 2$ | $${mat(slice(p, 'W1'), 2)}$ |`,
    `| $b_1$ | $2$ | $${col(slice(p, 'b1'))}$ |`,
    `| $W_2$ | $1\\times 2$ | $${row(slice(p, 'W2'))}$ |`,
    `| $b_2$ | $1$ | $${num(p[L.b2.offset]!)}$ |`,
    `| $z_1 = W_1 x + b_1$ | $2$ | $${col(s.z1)}$ |`,
    `| $a_1 = \\mathrm{ReLU}(z_1)$ | $2$ | $${col(s.a1)}$ |`,
    `| $z_2 = W_2 a_1 + b_2$ | $1$ | $${num(s.z2)}$ |`,
    `| $\\hat y = \\sigma(z_2)$ | $1$ | $${num(s.yHat)}$ |`,
    `| $L_{\\text{BCE}}$ | $1$ | $${num(s.loss.bce)}$ |`,
    `| $\\delta_2 = \\hat y - y$ (BCE) | $1$ | $${num(s.dz2.bce)}$ |`,
    `| $\\delta_2 = 2(\\hat y - y)\\,\\hat y(1-\\hat y)$ (MSE, for comparison) | $1$ | $${num(s.dz2.mse)}$ |`,
    `| $\\partial L/\\partial W_2 = \\delta_2 a_1^\\top$ | $1\\times 2$ | $${row(slice(g, 'W2'))}$ |`,
    `| $\\partial L/\\partial b_2 = \\delta_2$ | $1$ | $${num(g[L.b2.offset]!)}$ |`,
    `| $W_2^\\top \\delta_2$ | $2$ | $${col(s.da1)}$ |`,
    `| $\\mathrm{ReLU}'(z_1)$ | $2$ | $${col(s.z1.map((z) => (z > 0 ? 1 : 0)))}$ |`,
    `| $\\delta_1 = (W_2^\\top \\delta_2) \\odot \\mathrm{ReLU}'(z_1)$ | $2$ | $${col(s.dz1)}$ |`,
    `| $\\partial L/\\partial W_1 = \\delta_1 x^\\top$ | $2\\times 2$ | $${mat(slice(g, 'W1'), 2)}$ |`,
    `| $\\partial L/\\partial b_1 = \\delta_1$ | $2$ | $${col(slice(g, 'b1'))}$ |`,
    '',
    `Central differences ($h = 10^{-5}$) for all nine parameters, in the flat order $[W_1 \\mid b_1 \\mid W_2 \\mid b_2]$: $${row(s.numeric)}$.`,
    `The largest difference from backprop is $${sci(s.maxFdError)}$; ` +
      `a second, operation-by-operation computation (the loss built as a graph of single additions, multiplications and ` +
      `activations, with backprop run through it one operation at a time, as the explainer draws it) gives gradients that ` +
      `differ from the matrix form's by at most $${sci(s.maxEngineError)}$.`,
  ];
  return lines.join('\n');
}

/** The worked example of docs/explainer.md, in prose with the same numbers. */
export function explainerBlock(s: SpotCheck = computeSpotCheck()): string {
  const L = paramLayout(SPOT.spec);
  const g = s.grads;
  return [
    `- Forward: $z_1 = ${col(s.z1)}$, so unit 1 is on and unit 2 is off: $a_1 = ${col(s.a1)}$. ` +
      `Then $z_2 = ${num(s.z2)}$ and $\\hat y = \\sigma(z_2) = ${num(s.yHat)}$ for the label $y = ${num(SPOT.y)}$; ` +
      `the BCE loss is $${num(s.loss.bce)}$.`,
    `- The gradient arriving at $z_2$: $\\delta_2 = \\partial L/\\partial z_2 = \\hat y - y = ${num(s.dz2.bce)}$ (BCE's $\\sigma'$ has cancelled).`,
    `- The last layer's gradients: $\\partial L/\\partial W_2 = \\delta_2 a_1^\\top = ${row(g.slice(L.W2.offset, L.W2.offset + 2))}$ (zero for the unit that is off, whose $a_1$ is $0$) and $\\partial L/\\partial b_2 = ${num(g[L.b2.offset]!)}$.`,
    `- Back through $W_2$: $W_2^\\top \\delta_2 = ${col(s.da1)}$. Both units receive a signal here.`,
    `- Through the ReLU: $\\delta_1 = (W_2^\\top \\delta_2) \\odot \\mathrm{ReLU}'(z_1) = ${col(s.da1)} \\odot ${col(s.z1.map((z) => (z > 0 ? 1 : 0)))} = ${col(s.dz1)}$. The gate closes for unit 2: its signal $${num(s.da1[1]!)}$ stops here.`,
    `- The first layer's gradients: $\\partial L/\\partial W_1 = \\delta_1 x^\\top = ${mat(g.slice(0, 4), 2)}$, $\\partial L/\\partial b_1 = ${col(g.slice(L.b1.offset, L.b1.offset + 2))}$: the row of the unit that is off is zero.`,
    `- Check: central differences agree with every one of these nine gradients to within $${sci(s.maxFdError)}$.`,
  ].join('\n');
}

/** The sweep quoted in docs/explainer.md: the demo's defaults, widths 1 to 8, seeds 0 to 63, on the CPU. */
export const SWEEP_QUOTED: SweepSpec = {
  widths: [1, 2, 3, 4, 8],
  rates: [DEFAULTS.lr],
  seeds: 64,
  seedBase: 0,
  steps: DEFAULTS.steps,
  loss: DEFAULTS.loss,
};

/** The map's findings in docs/explainer.md: a small table (width, seeds that learn, share), then what it means. */
export function sweepBlock(): string {
  const cells = quotedCells('relu');
  const { seeds, steps, loss } = SWEEP_QUOTED;
  const rows = cells.map(
    (c) => `| 2-${c.hidden}-1 | ${c.hidden} | ${c.learned} of ${seeds} | ${Math.round(100 * c.fraction)}% |`,
  );
  return [
    `With the demo's settings (learning rate ${SWEEP_QUOTED.rates[0]}, ${loss.toUpperCase()}, ${steps.toLocaleString('en-US')} steps) and the ${seeds} seeds 0 to ${seeds - 1}, a network learns XOR (100% accuracy and loss below 0.01) this often:`,
    '',
    '| network | hidden units H | seeds that learn | share |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    `A single hidden unit can never separate XOR; two units can, but only from a lucky start, often because a unit whose weighted sum $z_1$ (its input to ReLU) is negative on all four points is dead and stays dead; ` +
      `extra width buys spare units, so the fraction climbs with H.`,
  ].join('\n');
}

/** The widths the activations are compared at, from SWEEP_QUOTED's. */
export const ACTIVATION_WIDTHS = [2, 4, 8] as const;

const quoted = new Map<HiddenActivation, SweepCell[]>();
/** SWEEP_QUOTED's cells with hidden activation f, computed once per process (the relu ones serve both blocks). */
export function quotedCells(activation: HiddenActivation): SweepCell[] {
  if (!quoted.has(activation)) {
    const widths = activation === 'relu' ? SWEEP_QUOTED.widths : ACTIVATION_WIDTHS;
    quoted.set(activation, sweepCpu(xor(), { ...SWEEP_QUOTED, widths, activation }));
  }
  return quoted.get(activation)!;
}

const NAMES: Record<HiddenActivation, string> = { relu: 'ReLU', leaky: 'leaky ReLU', tanh: 'tanh', sigmoid: 'sigmoid' };

/** Per quoted width: the seeds ReLU fails that leaky ReLU learns (rescued), and the reverse (lost). */
export function leakyAgainstRelu(): { hidden: number; relu: number; leaky: number; rescued: number; lost: number }[] {
  return ACTIVATION_WIDTHS.map((h) => {
    const r = quotedCells('relu').find((c) => c.hidden === h)!;
    const l = quotedCells('leaky').find((c) => c.hidden === h)!;
    let rescued = 0;
    let lost = 0;
    r.verdicts.forEach((v, s) => {
      if (!v && l.verdicts[s]) rescued++;
      if (v && !l.verdicts[s]) lost++;
    });
    return { hidden: h, relu: r.learned, leaky: l.learned, rescued, lost };
  });
}

/** What the table says of leaky ReLU against ReLU, in words that follow its numbers. */
export function leakyProse(): string {
  const rows = leakyAgainstRelu();
  const seeds = SWEEP_QUOTED.seeds;
  const rescued = rows.reduce((n, r) => n + r.rescued, 0);
  const failed = rows.reduce((n, r) => n + seeds - r.relu, 0);
  const lost = rows.filter((r) => r.lost > 0).map((r) => `, and loses ${r.lost} at H = ${r.hidden}`);
  const how = rescued === 0 ? 'none' : rescued <= failed / 10 ? 'almost none' : `${rescued} of the ${failed}`;
  const each = rows.map((r) => `${r.rescued} of ${seeds - r.relu} at H = ${r.hidden}`).join(', ');
  return (
    `Leaky ReLU's 0.01 slope lets a unit that is off on every point still receive a gradient, but a hundredth of an ` +
    `open unit's, so at this step budget it rescues ${how} of ReLU's failures (${each})${lost.join('')}: ` +
    `such a unit moves about a hundred times more slowly, and exercise 7 shows seed 1's still off after ` +
    `${SWEEP_QUOTED.steps.toLocaleString('en-US')} steps. `
  );
}

/** The explainer's table comparing the four activations on the map, at H = 2, 4, 8 and the demo's rate. */
export function sweepActivationsBlock(): string {
  const at = (a: HiddenActivation) =>
    ACTIVATION_WIDTHS.map((h) => quotedCells(a).find((c) => c.hidden === h)!).map(
      (c) => `${Math.round(100 * c.fraction)}%`,
    );
  const rows = HIDDEN_ACTIVATIONS.map((a) => `| ${NAMES[a]} | ${at(a).join(' | ')} |`);
  return [
    `The map's activation selector asks the same of the other hidden activations. With the same ${SWEEP_QUOTED.seeds} seeds and settings, the share that learns XOR:`,
    '',
    `| hidden activation | ${ACTIVATION_WIDTHS.map((h) => `H = ${h}`).join(' | ')} |`,
    `| --- | ${ACTIVATION_WIDTHS.map(() => '---').join(' | ')} |`,
    ...rows,
    '',
    leakyProse() +
      `Tanh is zero-centred and never closes its gate, so even two units usually find XOR; ` +
      `sigmoid's f′ is at most 0.25 and its a1 all positive, so with this learning rate and 2,000 steps the gradient reaching the first layer is too small, and almost nothing learns in time.`,
  ].join('\n');
}

/** Every generated block, by the name its markers use in docs/*.md. */
export const GENERATED_BLOCKS: Record<string, () => string> = {
  'spotcheck-table': () => derivationBlock(),
  'spotcheck-example': () => explainerBlock(),
  'sweep-summary': () => sweepBlock(),
  'sweep-activations': () => sweepActivationsBlock(),
};

/**
 * Replaces each `<!-- generated:NAME -->`…`<!-- /generated:NAME -->` block's body
 * with its fresh text from `blocks` (src/docs-gen/docs-blocks.ts passes every block the docs use).
 */
export function fillGenerated(markdown: string, blocks: Record<string, () => string> = GENERATED_BLOCKS): string {
  return markdown.replace(
    /(<!-- generated:([\w-]+) -->)[\s\S]*?(<!-- \/generated:\2 -->)/g,
    (_, open: string, name: string, close: string) => {
      const make = blocks[name];
      if (!make) throw new RangeError(`docs: unknown generated block '${name}'`);
      return `${open}\n${make()}\n${close}`;
    },
  );
}
