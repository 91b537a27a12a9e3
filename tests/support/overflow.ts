/**
 * Problems that overflow f32 at a step known in advance, and an f32 emulation
 * of full-batch SGD (every operation rounded with Math.fround, in the kernels'
 * order) that finds the step independently of the code under test.
 *
 * The designed problems use powers of two, so every product and sum that
 * matters is exact in f32 and f64 alike, σ saturates to exactly 0 or 1 in both,
 * and the parameters kept at a divergence are known exactly.
 */
import type { LossKind } from '../../src/engine/losses.js';
import { type Dataset, makeDataset } from '../../src/mlp/data/data.js';
import { type Fault, firstFault } from '../../src/mlp/divergence.js';
import { paramLayout } from '../../src/mlp/spec.js';

/** README's big.json, {"x":[[1e36]],"y":[1]}, with --hidden 1 --lr 1000 --seed 1. */
export const BIG = { data: makeDataset([[1e36]], [1]), hidden: 1, lr: 1000, seed: 1 } as const;

/**
 * One sample x = 2^70, y = 1; d = H = 1; θ = [W1, b1, W2, b2] = [1, 0, −2^-60, 0]; BCE.
 * Step 1: z1 = 2^70, z2 = −2^10, so σ(z2) is 0 in f32 and f64 and δ2 = −1 exactly;
 * dW1 = 2^10, db1 = 2^-60, dW2 = −2^70, db2 = −1. With learning rate η:
 *   η = 2^-11: θ1 = [0.5, −2^-71, 2^59, 2^-11] (W2 = 2^59 − 2^-60 rounds to 2^59), then at step 2
 *              z2 = 2^59 · 2^69 = 2^128 overflows f32: z2 = +∞ and the BCE loss (1 − y)·z2 = 0·∞ is NaN.
 *              In f64 2^128 is finite: σ = 1, δ2 = 0, and training simply stops moving.
 *   η = 2^60:  θ1 would have W2 = 2^60 · 2^70 = 2^130: W2[0][0] overflows at step 1 (W1 = 1 − 2^70 is finite).
 *   η = 2^-20: θ1 = [1 − 2^-10, −2^-80, 2^50, 2^-20]; then z2 = 2^120 − 2^110 (finite), σ = 1, δ2 = 0:
 *              every later step leaves θ1 unchanged, in f32 and f64.
 */
export function ramp(): { data: Dataset; params: Float64Array; hidden: number; loss: LossKind } {
  return {
    data: makeDataset([[2 ** 70]], [1]),
    params: Float64Array.from([1, 0, -(2 ** -60), 0]),
    hidden: 1,
    loss: 'bce',
  };
}
export const RAMP_LOSS_AT_2 = 2 ** -11;
export const RAMP_PARAM_AT_1 = 2 ** 60;
export const RAMP_STABLE = 2 ** -20;

const f = Math.fround;

function sigmoid32(z: number): number {
  if (z >= 0) return f(1 / f(1 + f(Math.exp(-z))));
  const e = f(Math.exp(z));
  return f(e / f(1 + e));
}

function log1p32(t: number): number {
  return t < 1e-3 ? f(t * f(1 - f(t * f(0.5 - f(t / 3))))) : f(Math.log(f(1 + t)));
}

/**
 * Full-batch SGD in f32, operation by operation as shaders/steps.wgsl does it,
 * for at most `steps` steps: the parameters after each step taken and the
 * first fault (loss, then gradient, then updated parameter, lowest index first).
 */
export function sgdF32(
  spec: { d: number; H: number },
  start: ArrayLike<number>,
  data: Dataset,
  lr: number,
  loss: LossKind,
  steps: number,
): { history: Float64Array[]; fault: Fault | null } {
  const { d, H } = spec;
  const L = paramLayout(spec);
  const N = data.N;
  const x = Float64Array.from(data.x, f);
  const y = Float64Array.from(data.y, f);
  const eta = f(lr);
  let p = Float64Array.from(start, f);
  const history = [p];
  for (let s = 1; s <= steps; s++) {
    const losses = new Float64Array(N);
    const a1 = new Float64Array(N * H);
    const z1s = new Float64Array(N * H);
    const dz2 = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let z2 = p[L.b2.offset]!;
      for (let j = 0; j < H; j++) {
        let z1 = p[L.b1.offset + j]!;
        for (let i = 0; i < d; i++) z1 = f(z1 + f(p[L.W1.offset + j * d + i]! * x[n * d + i]!));
        z1s[n * H + j] = z1;
        a1[n * H + j] = Math.max(z1, 0);
        z2 = f(z2 + f(p[L.W2.offset + j]! * a1[n * H + j]!));
      }
      const yHat = sigmoid32(z2);
      const t = y[n]!;
      losses[n] =
        loss === 'bce'
          ? f((z2 > 0 ? f(f(1 - t) * z2) : f(-t * z2)) + log1p32(f(Math.exp(-Math.abs(z2)))))
          : f(f(yHat - t) * f(yHat - t));
      dz2[n] = loss === 'bce' ? f(f(yHat - t) / N) : f(f(f(f(2 * f(yHat - t)) * yHat) * f(1 - yHat)) / N);
    }
    const g = new Float64Array(L.size);
    for (let j = 0; j < H; j++) {
      for (let n = 0; n < N; n++) {
        const dz1 = z1s[n * H + j]! > 0 ? f(p[L.W2.offset + j]! * dz2[n]!) : 0;
        for (let i = 0; i < d; i++)
          g[L.W1.offset + j * d + i] = f(g[L.W1.offset + j * d + i]! + f(dz1 * x[n * d + i]!));
        g[L.b1.offset + j] = f(g[L.b1.offset + j]! + dz1);
        g[L.W2.offset + j] = f(g[L.W2.offset + j]! + f(dz2[n]! * a1[n * H + j]!));
      }
    }
    for (let n = 0; n < N; n++) g[L.b2.offset] = f(g[L.b2.offset]! + dz2[n]!);
    const next = p.map((v, k) => f(v - f(eta * g[k]!)));
    const fault = firstFault(s, 'f32', losses, g, next);
    if (fault) return { history, fault };
    p = next;
    history.push(p);
  }
  return { history, fault: null };
}

/**
 * The ramp two hidden layers deep: one sample x = 2^40, y = 1; d = 1, hidden [1, 1], ReLU, σ, BCE;
 * θ = [W1, b1, W2, b2, W3, b3] = [1, 0, 2^30, 0, −2^-60, 0]. Step 1: z1 = a1 = 2^40, z2 = a2 = 2^70, z3 = −2^10,
 * σ(z3) = 0 in f32 and f64, δ3 = −1, δ2 = 2^-60, δ1 = 2^-30; dW1 = 2^10, db1 = 2^-30, dW2 = 2^-20, db2 = 2^-60,
 * dW3 = −2^70, db3 = −1, every product exact. With learning rate η:
 *   η = 2^-11: θ1 = [0.5, −2^-41, 2^30, −2^-71, 2^59, 2^-11] (2^30 − 2^-31 and 2^59 − 2^-60 round to 2^30 and
 *              2^59 in both), then at step 2 z3 = 2^-11 + 2^59 · 2^69 = 2^128 overflows f32: the BCE loss
 *              (1 − y)·z3 = 0·∞ is NaN. In f64 z3 is finite and σ = 1: training stops moving.
 *   η = 2^60:  W3 would become −2^-60 + 2^60 · 2^70 = 2^130: W3[0][0] overflows at step 1, the first non-finite
 *              θ′ in flat order (W1 = 1 − 2^70, b1 = −2^30, W2 = 2^30 − 2^40, b2 = −1 are finite).
 * A second sample x = 0 (y = 1) only moves b3 while b1, b2 ≤ 0 keep its ReLUs shut, so with mini-batches of one the
 * overflow comes at the second step that draws sample 1 (`deepRamp(true)`).
 */
export function deepRamp(withQuietSample = false): {
  data: Dataset;
  params: Float64Array;
  hidden: number[];
  loss: LossKind;
} {
  const data = withQuietSample ? makeDataset([[0], [2 ** 40]], [1, 1]) : makeDataset([[2 ** 40]], [1]);
  return { data, params: Float64Array.from([1, 0, 2 ** 30, 0, -(2 ** -60), 0]), hidden: [1, 1], loss: 'bce' };
}
export const DEEP_RAMP_LOSS_AT_2 = 2 ** -11;
export const DEEP_RAMP_PARAM_AT_1 = 2 ** 60;
