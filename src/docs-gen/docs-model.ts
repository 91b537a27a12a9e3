/**
 * The general network's numbers in the docs (src/mlp/model.ts): the vanishing-gradient table and the L2 step of
 * docs/exercises.md, and the mini-batch check of docs/derivation.md, all from the matrix form (src/mlp/reference.ts)
 * with the seeded initialisation the CLI uses, so `npm run -s train -- --backend engine ... --json` (the scalar
 * engine) shows the same values up to rounding.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { batchesPerEpoch, batchIndices } from '../mlp/batches.js';
import { DEFAULTS } from '../mlp/config.js';
import { xor } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { makeModel, type Model, modelLayout, weightMask } from '../mlp/model.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import { MatrixTrainer } from '../mlp/train/train-matrix.js';
import { EX } from './docs-exercises.js';
import { count, factor, num, num3, row, sci } from './docs-tex.js';

/** The largest elementwise difference. */
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k]!)));

/** "exactly" or "to within $1.4 \\times 10^{-17}$": how far two computations of the same value are apart. */
const within = (diff: number) => (diff === 0 ? 'exactly' : `to within $${sci(diff)}$`);

const cli = (flags: string) => `\`npm run -s train -- --backend engine ${flags} --json\``;

/** Exercise 11's networks: XOR, `width` units in each of L hidden layers, σ output, BCE, the default seed. */
export const DEEP = {
  width: 8,
  depths: [1, 2, 3, 4, 5, 6],
  activation: 'sigmoid',
  seed: DEFAULTS.seed,
  loss: DEFAULTS.loss,
} as const;

/** The network of L hidden layers of DEEP.width units with hidden activation f. */
export function deepModel(L: number, activation: HiddenActivation = DEEP.activation): Model {
  return makeModel({ d: 2, hidden: Array.from({ length: L }, () => DEEP.width), activation, output: 'sigmoid' });
}

/** ‖∂L/∂W_l‖ (Frobenius) for l = 1..L+1, from gradients in the flat layout. */
export function weightGradNorms(model: Model, grads: ArrayLike<number>): number[] {
  return modelLayout(model).layers.map(({ W }) => {
    let s = 0;
    for (let k = W.offset; k < W.offset + W.length; k++) s += grads[k]! ** 2;
    return Math.sqrt(s);
  });
}

export interface DepthRow {
  /** The number of hidden layers. */
  L: number;
  /** ‖∂L/∂W_l‖ for l = 1..L+1; the last is the output layer's. */
  norms: number[];
  /** ‖∂L/∂W_1‖ / ‖∂L/∂W_L‖: the first hidden layer's against the last hidden layer's. */
  ratio: number;
  /** ‖W_l‖₂ (largest singular value) of the hidden-to-hidden weights W_2..W_L at the start. */
  spectral: number[];
}

const depthRows = new Map<HiddenActivation, DepthRow[]>();

/** Each depth's gradient norms at initialisation, on the full batch of XOR; computed once per activation. */
export function vanishingRows(activation: HiddenActivation = DEEP.activation): DepthRow[] {
  let rows = depthRows.get(activation);
  if (!rows) {
    rows = DEEP.depths.map((L) => {
      const model = deepModel(L, activation);
      const params = initModelParams(model, DEEP.seed);
      const norms = weightGradNorms(model, lossAndGradsModel(model, params, xor(), { loss: DEEP.loss }).grads);
      const spectral = modelLayout(model)
        .layers.slice(1, L)
        .map(({ W, nout, nin }) => spectralNorm(params.subarray(W.offset, W.offset + W.length), nout, nin));
      return { L, norms, ratio: norms[0]! / norms[L - 1]!, spectral };
    });
    depthRows.set(activation, rows);
  }
  return rows;
}

/** The largest singular value of a rows×cols row-major matrix, by power iteration on MᵀM (ample for 8×8). */
export function spectralNorm(m: ArrayLike<number>, rows: number, cols: number): number {
  let v = Array.from({ length: cols }, (_, i) => 1 + i / cols);
  let s = 0;
  for (let it = 0; it < 500; it++) {
    const u = Array.from({ length: rows }, (_, r) => v.reduce((acc, vi, c) => acc + m[r * cols + c]! * vi, 0));
    const w = Array.from({ length: cols }, (_, c) => u.reduce((acc, ur, r) => acc + m[r * cols + c]! * ur, 0));
    const n = Math.hypot(...w);
    s = Math.sqrt(n / Math.hypot(...v));
    v = w.map((x) => x / n);
  }
  return s;
}

/** Exercise 11: per-layer gradient norms of a σ network of depth 1 to 6 at initialisation. */
export function vanishingAnswer(): string {
  const rows = vanishingRows();
  const maxL = Math.max(...DEEP.depths);
  const head = Array.from({ length: maxL + 1 }, (_, i) => `$\\lVert \\partial L/\\partial W_${i + 1} \\rVert$`);
  const table = [
    `| $K$ | ${head.join(' | ')} | $\\lVert \\partial L/\\partial W_1 \\rVert / \\lVert \\partial L/\\partial W_K \\rVert$ |`,
    `| ${Array.from({ length: maxL + 3 }, () => '---').join(' | ')} |`,
    ...rows.map(({ L, norms, ratio }) => {
      const cells = Array.from({ length: maxL + 1 }, (_, i) => (i < norms.length ? `$${sci(norms[i]!, 3)}$` : ''));
      return `| ${L} | ${cells.join(' | ')} | $${ratio >= 0.01 ? num3(ratio) : sci(ratio, 3)}$ |`;
    }),
  ];
  const deepest = rows[rows.length - 1]!;
  const perLayer = deepest.ratio ** (1 / (deepest.L - 1));
  const spectral = rows.flatMap((r) => r.spectral);
  const other = (a: HiddenActivation) => vanishingRows(a)[rows.length - 1]!.ratio;
  const hidden = Array.from({ length: maxL }, () => DEEP.width).join(',');
  const grows = rows.every(({ norms }) => norms.every((v, i) => i === 0 || v > norms[i - 1]!));
  const shrinks = rows.every((r, i) => i === 0 || r.ratio < rows[i - 1]!.ratio);
  return [
    ...table,
    '',
    `(XOR, ${DEEP.width} units in each hidden layer, $\\sigma$ hidden and output units, ${DEEP.loss.toUpperCase()} on the full batch, seed ${DEEP.seed}, step 0; Frobenius norms; the last entry of each row is the output layer's, $W_{K+1}$.)`,
    '',
    `${grows ? 'Along every row the norm grows from the input side to the output' : 'The norms mostly grow from the input side to the output'}, and the first-to-last ratio ${shrinks ? 'shrinks with every added layer' : 'shrinks with depth'}: at depth ${deepest.L} the first hidden layer's gradient is $${sci(deepest.ratio, 3)}$ of the last hidden layer's, a factor of about ${num3(perLayer)} per layer. The recursion says why. Between two hidden layers the signal is multiplied once by $W_{l+1}^\\top$ and once by $\\operatorname{diag}(\\sigma'(z_l))$, and $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z)) \\le 1/4$, so for one sample $\\lVert \\delta_l \\rVert \\le \\tfrac14 \\lVert W_{l+1} \\rVert_2\\, \\lVert \\delta_{l+1} \\rVert$. At this start the hidden-to-hidden weights (uniform in $\\pm 1/\\sqrt{${DEEP.width}}$) have spectral norms $\\lVert W_l \\rVert_2$ between ${num3(Math.min(...spectral))} and ${num3(Math.max(...spectral))}, so each hidden layer shrinks every sample's signal at least ${num3(4 / Math.max(...spectral))}-fold. The table's factor is smaller still: $\\sigma'$ is below its maximum away from $z = 0$, and $\\partial L/\\partial W_l = \\sum_n \\delta_l a_{l-1}^\\top$ also carries the inputs $a_{l-1}$ and a sum over XOR's four points whose signals partly cancel. With one learning rate for every layer, the first layers of a deep $\\sigma$ network barely move while the last ones learn.`,
    `The same ratio at depth ${deepest.L} is $${sci(other('tanh'), 3)}$ with tanh ($f' \\le 1$, and $1$ at $z = 0$) and $${sci(other('relu'), 3)}$ with ReLU ($f' \\in \\{0, 1\\}$): with these weights both shrink too, but far less. Check a row on the page: open \`?hidden=${hidden}&activation=sigmoid\` (seed 1 is the default) and do not press Play; the gradient panel's table of tensors gives $\\lVert \\partial L/\\partial W_l \\rVert$ for every layer at step 0, and \`activation=tanh\` or \`relu\` the other two ratios. Or with the command line, ${cli(`--hidden ${hidden} --activation sigmoid --steps 0`)}: \`initial.grads.cpu.W1\` to \`W${maxL + 1}\` hold the gradients whose norms these are.`,
  ].join('\n');
}

/** Exercise 12's step: exercise 1's network (H = 2, seed 3, XOR, BCE), rate 0.5 and λ2 = 0.1. */
export const L2STEP = { hidden: EX.predict.hidden, seed: EX.predict.seed, lr: EX.dead.lr, l2: 0.1 } as const;

export interface L2Step {
  model: Model;
  params: Float64Array;
  /** ∂L_data/∂θ (λ2 = 0) and ∂L_total/∂θ (λ2 = L2STEP.l2), flat. */
  dataGrads: Float64Array;
  totalGrads: Float64Array;
  dataLoss: number;
  penalty: number;
  /** θ after one SGD step, by the formula and by MatrixTrainer. */
  byHand: Float64Array;
  trained: Float64Array;
  /** Flat indices of W_{2,2} and b_2. */
  w: number;
  b: number;
}

/** One SGD step with the L2 penalty, both by the formula w − η(∂L_data/∂w + λ2 w) and by the trainer. */
export function l2Step(): L2Step {
  const { hidden: H, seed, lr, l2 } = L2STEP;
  const data = xor();
  const model = makeModel({ d: data.d, hidden: [H], activation: 'relu', output: 'sigmoid' });
  const params = initModelParams(model, seed);
  const plain = lossAndGradsModel(model, params, data, { loss: 'bce' });
  const with2 = lossAndGradsModel(model, params, data, { loss: 'bce', l2 });
  const weight = weightMask(model);
  // w − η(∂L_data/∂w + λ2 w) for a weight, b − η ∂L_data/∂b for a bias
  const byHand = params.map((v, k) => v - lr * (plain.grads[k]! + (weight[k] ? l2 * v : 0)));
  const trainer = new MatrixTrainer(data, params, { hidden: H, lr, loss: 'bce', l2 });
  trainer.step(1);
  const out = modelLayout(model).layers[1]!;
  return {
    model,
    params,
    dataGrads: plain.grads,
    totalGrads: with2.grads,
    dataLoss: with2.dataLoss,
    penalty: with2.penalty,
    byHand,
    trained: Float64Array.from(trainer.params),
    w: out.W.offset + 1,
    b: out.b.offset,
  };
}

/** Exercise 12: one L2 step by hand. */
export function l2Answer(): string {
  const { hidden: H, seed, lr, l2 } = L2STEP;
  const s = l2Step();
  const W2 = modelLayout(s.model).layers[1]!.W;
  const slice = (a: ArrayLike<number>) => Array.from(a).slice(W2.offset, W2.offset + W2.length);
  const decay = slice(s.totalGrads).map((g, i) => g - slice(s.dataGrads)[i]!);
  const w = s.params[s.w]!;
  const g = s.dataGrads[s.w]!;
  const diff = Math.max(...Array.from(s.byHand, (v, k) => Math.abs(v - s.trained[k]!)));
  const bSame = s.totalGrads[s.b] === s.dataGrads[s.b];
  return [
    `From answers 1 and 2: $W_{2,2} = ${num(w)}$ and $\\partial L_\\text{data}/\\partial W_{2,2} = ${num(g)}$. The penalty adds $\\lambda_2 W_{2,2} = ${l2} \\cdot ${factor(w)} = ${num(l2 * w)}$, so`,
    '',
    '$$',
    `W_{2,2} \\leftarrow W_{2,2} - \\eta \\Big(\\frac{\\partial L_\\text{data}}{\\partial W_{2,2}} + \\lambda_2 W_{2,2}\\Big) = (1 - \\eta\\lambda_2)\\, W_{2,2} - \\eta\\, \\frac{\\partial L_\\text{data}}{\\partial W_{2,2}} = ${num(1 - lr * l2)} \\cdot ${factor(w)} - ${lr} \\cdot ${factor(g)} = ${num(s.byHand[s.w]!)}.`,
    '$$',
    '',
    `Without the penalty the step would end at $${num(w - lr * g)}$: the decay term, $\\eta\\lambda_2 W_{2,2} = ${num(lr * l2 * w)}$, moves this weight ${Math.abs(l2 * w) > Math.abs(g) ? 'more than' : 'less than'} the data does. The code agrees: the gradient with $\\lambda_2 = ${l2}$ minus the one without is $${row(decay)}$ for $W_2$, which is $\\lambda_2 W_2 = ${row(slice(s.params).map((v) => l2 * v))}$, and the project's trainer (rate ${lr}, $\\lambda_2 = ${l2}$) after one step holds $W_{2,2} = ${num(s.trained[s.w]!)}$, ${diff === 0 ? 'every parameter exactly what the formula gives' : `every parameter within $${sci(diff)}$ of the formula`}.`,
    `The bias is not penalised: $\\partial L/\\partial b_2$ is $${num(s.totalGrads[s.b]!)}$ with and without the penalty (${bSame ? 'bit for bit' : 'up to rounding'}), and $b_2$ becomes $${num(s.trained[s.b]!)}$, exercise 3's value. The loss the step descends is $L_\\text{data} + R = ${num(s.dataLoss)} + ${num(s.penalty)}$, with $R = (\\lambda_2/2) \\sum w^2$ over the ${count(modelLayout(s.model).layers.reduce((n, { W }) => n + W.length, 0))} weights of $W_1$ and $W_2$. Check on the page: open \`?hidden=${H}&seed=${seed}&reg=l2&lambda=${l2}\`, press Step once and read W2[2] under "Touch a weight" (or in the graph); or with the command line, ${cli(`--hidden ${H} --seed ${seed} --steps 1 --l2 ${l2}`)}: \`final.params.W2\` holds the new row.`,
  ].join('\n');
}

/** The derivation's mini-batch check: the demo's network on XOR with B = 3, so an epoch is a batch of 3 and one of 1. */
export const MINI = { batch: 3, hidden: DEFAULTS.hidden, seed: DEFAULTS.seed, loss: DEFAULTS.loss } as const;

export interface MiniBatchCheck {
  N: number;
  full: Float64Array;
  /** The first epoch's batches (rows and gradients), from the run's seed as the trainers draw them. */
  epoch: { rows: number[]; grads: Float64Array }[];
  /** Σ_s (|S_s|/N) g_s over the epoch's batches, and the plain mean of the g_s. */
  weighted: Float64Array;
  plain: Float64Array;
  /** For each batch size m in the epoch: the mean of g_S over every m-subset S, and how many subsets there are. */
  subsets: { m: number; count: number; mean: Float64Array }[];
  /** Flat index of b_2, the parameter the prose quotes. */
  b: number;
}

/** Every m-subset of 0..N−1, in lexicographic order. */
export function subsetsOf(N: number, m: number): number[][] {
  if (m === 0) return [[]];
  const out: number[][] = [];
  for (let first = 0; first <= N - m; first++) {
    for (const rest of subsetsOf(N - first - 1, m - 1)) out.push([first, ...rest.map((r) => r + first + 1)]);
  }
  return out;
}

export function miniBatchCheck(): MiniBatchCheck {
  const data = xor();
  const { N } = data;
  const model = makeModel({ d: data.d, hidden: [MINI.hidden], activation: DEFAULTS.activation, output: 'sigmoid' });
  const params = initModelParams(model, MINI.seed);
  const grad = (rows?: ArrayLike<number>) => lossAndGradsModel(model, params, data, { loss: MINI.loss }, rows).grads;
  const full = grad();
  const S = batchesPerEpoch(N, MINI.batch);
  const epoch = Array.from({ length: S }, (_, t) => {
    const rows = Array.from(batchIndices(N, MINI.batch, MINI.seed, t));
    return { rows, grads: grad(rows) };
  });
  const combine = (weight: (rows: number[]) => number) =>
    full.map((_, k) => epoch.reduce((acc, e) => acc + weight(e.rows) * e.grads[k]!, 0));
  const sizes = [...new Set(epoch.map((e) => e.rows.length))];
  const subsets = sizes.map((m) => {
    const all = subsetsOf(N, m).map((rows) => grad(rows));
    return { m, count: all.length, mean: full.map((_, k) => all.reduce((acc, g) => acc + g[k]!, 0) / all.length) };
  });
  return {
    N,
    full,
    epoch,
    weighted: combine((rows) => rows.length / N),
    plain: combine(() => 1 / S),
    subsets,
    b: modelLayout(model).layers[1]!.b.offset,
  };
}

/** The derivation's paragraph with the numbers of miniBatchCheck. */
export function miniBatchBlock(): string {
  const c = miniBatchCheck();
  const { b } = c;
  const sizes = c.epoch.map((e) => e.rows.length);
  // counted from 1, as the page and the exercises count XOR's points
  const point = (rows: number[]) => `\\{${rows.map((n) => n + 1).join(', ')}\\}`;
  const at = (e: { rows: number[] }) => `$${point(e.rows)}$`;
  const subsets = c.subsets
    .map(({ m, count: n, mean }) => `over all ${n} subsets of size ${m}, ${within(maxDiff(mean, c.full))}`)
    .join(', and ');
  return [
    `On XOR with the demo's network (H = ${MINI.hidden}, seed ${MINI.seed}, ${MINI.loss.toUpperCase()}) and $B = ${MINI.batch}$, an epoch is $\\lceil ${c.N}/${MINI.batch} \\rceil = ${c.epoch.length}$ steps, batches of ${sizes.join(' and ')}. Seed ${MINI.seed}'s first epoch visits the points (numbered 1 to ${c.N}) ${c.epoch.map(at).join(' then ')}, whose $\\partial L/\\partial b_2$ are ${c.epoch.map((e) => `$${num(e.grads[b]!)}$`).join(' and ')}, against the full batch's $${num(c.full[b]!)}$.`,
    `Weighted by size, $${c.epoch.map((e) => `\\tfrac{${e.rows.length}}{${c.N}} \\cdot ${factor(e.grads[b]!)}`).join(' + ')} = ${num(c.weighted[b]!)}$, and over all ${c.full.length} gradients this weighted mean is the full gradient ${within(maxDiff(c.weighted, c.full))}; the plain mean of the ${c.epoch.length} batch gradients, $${num(c.plain[b]!)}$, is not (off by up to $${num3(maxDiff(c.plain, c.full))}$). And averaged over every batch a uniformly random permutation could put in one place, each subset of that place's size equally likely, the batch gradient is the full one: ${subsets}.`,
  ].join('\n');
}

/** The blocks of this file, by the names their markers use. */
export const MODEL_BLOCKS: Record<string, () => string> = {
  'minibatch-mean': miniBatchBlock,
  'exercise-vanishing': vanishingAnswer,
  'exercise-l2': l2Answer,
};
