/**
 * The second spot-check of docs/derivation.md: the spot-check network on a batch of N = 2, whose second sample opens
 * the gate (unit 2) the first closes. It checks the 1/N of the mean, the sums over the batch, δ2ᵀA1 and Δ1ᵀX with
 * numbers, against central differences and the scalar engine.
 */
import { lossFromLogits } from '../engine/losses.js';
import { engineGrads, engineModel } from '../mlp/init.js';
import { makeDataset } from '../mlp/data/data.js';
import { backward, forward, lossValue, numericGradient } from '../mlp/reference.js';
import { SPOT } from '../mlp/spotcheck.js';
import { paramLayout } from '../mlp/spec.js';
import { col, mat, num, row, sci } from './docs-tex.js';

/** Sample 1 is the first spot-check's; sample 2 = (0, −1) with label 0 turns unit 2 on and keeps unit 1 on. */
export const SPOT2 = {
  spec: SPOT.spec,
  params: SPOT.params,
  x: [
    [1, 2],
    [0, -1],
  ],
  y: [1, 0],
} as const;

export interface BatchCheck {
  N: number;
  /** Per sample n (outer index), per unit j. */
  z1: number[][];
  a1: number[][];
  z2: number[];
  yHat: number[];
  loss: number;
  /** δ2^(n) = (ŷ^(n) − y^(n))/N. */
  dz2: number[];
  da1: number[][];
  gate: number[][];
  dz1: number[][];
  grads: number[];
  numeric: number[];
  maxFdError: number;
  maxEngineError: number;
}

const rows = (a: ArrayLike<number>, n: number, w: number) =>
  Array.from({ length: n }, (_, i) => Array.from(a).slice(i * w, (i + 1) * w));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

export function computeBatchCheck(): BatchCheck {
  const { spec, params, x, y } = SPOT2;
  const data = makeDataset(
    x.map((r) => [...r]),
    [...y],
  );
  const { N } = data;
  const H = spec.H;
  const cache = forward(spec, params, data);
  const b = backward(spec, params, data, cache, 'bce');
  const numeric = numericGradient(spec, params, data, 'bce');
  const model = engineModel(spec, params);
  lossFromLogits(
    'bce',
    x.map((xn) => model.logits([...xn])[0]!),
    [...y],
  ).backward();
  const engine = engineGrads(spec, model);
  const z1 = rows(cache.z1, N, H);
  return {
    N,
    z1,
    a1: rows(cache.a1, N, H),
    z2: Array.from(cache.z2),
    yHat: Array.from(cache.yHat),
    loss: lossValue('bce', cache, data.y),
    dz2: Array.from(b.dz2),
    da1: rows(b.da1, N, H),
    gate: z1.map((zs) => zs.map((z) => (z > 0 ? 1 : 0))),
    dz1: rows(b.dz1, N, H),
    grads: Array.from(b.grads),
    numeric: Array.from(numeric),
    maxFdError: maxDiff(b.grads, numeric),
    maxEngineError: maxDiff(b.grads, engine),
  };
}

/** The block `spotcheck-batch`: a per-sample table, then each sum over the batch written out with its numbers. */
export function batchBlock(s: BatchCheck = computeBatchCheck()): string {
  const L = paramLayout(SPOT2.spec);
  const g = s.grads;
  const part = (name: 'W1' | 'b1' | 'W2' | 'b2') => g.slice(L[name].offset, L[name].offset + L[name].length);
  const perSample = (label: string, f: (n: number) => string) => `| ${label} | $${f(0)}$ | $${f(1)}$ |`;
  const X = SPOT2.x.flat();
  return [
    '| quantity | sample $n = 1$ | sample $n = 2$ |',
    '| --- | --- | --- |',
    perSample('$x^{(n)}$', (n) => col([...SPOT2.x[n]!])),
    perSample('$y^{(n)}$', (n) => num(SPOT2.y[n]!)),
    perSample('$z_1^{(n)} = W_1 x^{(n)} + b_1$', (n) => col(s.z1[n]!)),
    perSample("$\\mathrm{ReLU}'(z_1^{(n)})$", (n) => col(s.gate[n]!)),
    perSample('$a_1^{(n)}$', (n) => col(s.a1[n]!)),
    perSample('$z_2^{(n)}$', (n) => num(s.z2[n]!)),
    perSample('$\\hat y^{(n)}$', (n) => num(s.yHat[n]!)),
    perSample('$\\delta_2^{(n)} = (\\hat y^{(n)} - y^{(n)})/N$', (n) => num(s.dz2[n]!)),
    perSample('$W_2^\\top \\delta_2^{(n)}$', (n) => col(s.da1[n]!)),
    perSample("$\\delta_1^{(n)} = (W_2^\\top \\delta_2^{(n)}) \\odot \\mathrm{ReLU}'(z_1^{(n)})$", (n) =>
      col(s.dz1[n]!),
    ),
    '',
    `The loss is the mean of the two samples' losses, $L = ${num(s.loss)}$. Unit 2's gate is closed for sample 1 and open for sample 2, so its row of $\\Delta_1$ has one zero and one non-zero entry. The sums over the batch, with the same numbers:`,
    '',
    '$$',
    `\\frac{\\partial L}{\\partial W_2} = \\delta_2^\\top A_1 = ${row(s.dz2)} ${mat(s.a1.flat(), 2)} = ${row(part('W2'))}, \\qquad \\frac{\\partial L}{\\partial b_2} = \\delta_2^{(1)} + \\delta_2^{(2)} = ${num(part('b2')[0]!)}`,
    '$$',
    '',
    '$$',
    `\\frac{\\partial L}{\\partial W_1} = \\Delta_1^\\top X = ${mat(transpose(s.dz1), 2)} ${mat(X, 2)} = ${mat(part('W1'), 2)}, \\qquad \\frac{\\partial L}{\\partial b_1} = \\Delta_1^\\top \\mathbf{1} = ${col(part('b1'))}`,
    '$$',
    '',
    `Central differences for all nine parameters: $${row(s.numeric)}$; the largest difference from backprop is $${sci(s.maxFdError)}$, and the operation-by-operation computation (which builds the mean as a sum times $1/N$ in its graph) differs by at most $${sci(s.maxEngineError)}$.`,
  ].join('\n');
}

function transpose(m: readonly (readonly number[])[]): number[] {
  return m[0]!.flatMap((_, j) => m.map((r) => r[j]!));
}
