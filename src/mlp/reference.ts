/**
 * The derivation as code: the 2-layer MLP in matrix form over a batch, in f64,
 * with the backward pass written as the δ recursion, not as a graph walk.
 *
 * Shapes (per sample; a batch stacks N of them as rows):
 *   x ∈ R^d, z1 = W1 x + b1 ∈ R^H, a1 = f(z1) ∈ R^H, z2 = W2 a1 + b2 ∈ R, yHat = σ(z2)
 *   L = (1/N) Σ_n ℓ(z2_n, y_n)
 * f is the hidden activation (src/engine/activation.ts), named by the network's
 * `activation` (ReLU where none is given, so every older caller keeps its meaning).
 * Arrays are flat and row-major: z1, a1, da1, dz1 are N×H; z2, yHat, dz2 are N.
 */
import { ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { sigmoid, softplus } from '../engine/value.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from './data/data.js';
import { paramLayout, type Spec } from './spec.js';

/** The network: its shapes and its hidden activation f (default ReLU). */
export type Net = Pick<Spec, 'd' | 'H'> & { readonly activation?: HiddenActivation };

/** f and f′ of a network. */
export const activationOf = (net: Net) => ACTIVATIONS[net.activation ?? 'relu'];

export interface ForwardCache {
  /** N×H pre-activations of the hidden layer. */
  z1: Float64Array;
  /** N×H hidden activations. */
  a1: Float64Array;
  /** N logits. */
  z2: Float64Array;
  /** N outputs σ(z2). */
  yHat: Float64Array;
}

export interface Backward {
  /** N values of ∂L/∂z2 = δ2 (the 1/N of the mean included). */
  dz2: Float64Array;
  /** N×H values of ∂L/∂a1 = W2ᵀ δ2. */
  da1: Float64Array;
  /** N×H values of ∂L/∂z1 = δ1 = (W2ᵀ δ2) ⊙ f′(z1). */
  dz1: Float64Array;
  /** ∂L/∂θ in the flat layout [dW1 | db1 | dW2 | db2]. */
  grads: Float64Array;
}

/** The forward pass over the batch, keeping what the backward pass needs. */
export function forward(spec: Net, params: ArrayLike<number>, data: Dataset): ForwardCache {
  const { d, H } = checkShapes(spec, params, data);
  const f = activationOf(spec).output;
  const { N, x } = data;
  const L = paramLayout(spec);
  const z1 = new Float64Array(N * H);
  const a1 = new Float64Array(N * H);
  const z2 = new Float64Array(N);
  const yHat = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let acc2 = params[L.b2.offset]; // z2 = W2 a1 + b2   [1×H]·[H] + [1]
    for (let j = 0; j < H; j++) {
      let acc1 = params[L.b1.offset + j]; // z1_j = W1_j · x + b1_j   [d]·[d] + [1]
      for (let i = 0; i < d; i++) acc1 += params[L.W1.offset + j * d + i] * x[n * d + i];
      z1[n * H + j] = acc1;
      const a = f(acc1); // a1 = f(z1)   [H]
      a1[n * H + j] = a;
      acc2 += params[L.W2.offset + j] * a;
    }
    z2[n] = acc2;
    yHat[n] = sigmoid(acc2); // yHat = σ(z2)   [1]
  }
  return { z1, a1, z2, yHat };
}

/** Per-sample losses ℓ_n: BCE as softplus(z2) − y·z2 (stable), MSE as (yHat − y)². */
export function sampleLosses(kind: LossKind, cache: ForwardCache, y: ArrayLike<number>): Float64Array {
  return cache.z2.map((z, n) => (kind === 'bce' ? softplus(z) - y[n] * z : (cache.yHat[n] - y[n]) ** 2));
}

/** The same per-sample losses from the logits alone. */
export function sampleLossesFromLogits(kind: LossKind, z2: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const logits = Float64Array.from(z2);
  return sampleLosses(kind, { z1: new Float64Array(0), a1: new Float64Array(0), z2: logits, yHat: logits.map(sigmoid) }, y);
}

/** L = (1/N) Σ_n ℓ_n. */
export function lossValue(kind: LossKind, cache: ForwardCache, y: ArrayLike<number>): number {
  const l = sampleLosses(kind, cache, y);
  let s = 0;
  for (const v of l) s += v;
  return s / l.length;
}

/** The backward pass: δ2 → dW2, db2 → δ1 = (W2ᵀ δ2) ⊙ f′(z1) → dW1, db1, summed over the batch. */
export function backward(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  cache: ForwardCache,
  kind: LossKind,
): Backward {
  const { d, H } = checkShapes(spec, params, data);
  const { N, x, y } = data;
  const L = paramLayout(spec);
  const fPrime = activationOf(spec).der;
  const dz2 = new Float64Array(N);
  const da1 = new Float64Array(N * H);
  const dz1 = new Float64Array(N * H);
  const grads = new Float64Array(L.size);
  for (let n = 0; n < N; n++) {
    const p = cache.yHat[n];
    // δ2 = ∂L/∂z2   [1]: BCE gives (yHat − y)/N; MSE keeps σ′(z2) = yHat(1 − yHat).
    const delta2 = kind === 'bce' ? (p - y[n]) / N : (2 * (p - y[n]) * p * (1 - p)) / N;
    dz2[n] = delta2;
    grads[L.b2.offset] += delta2; // db2 = Σ_n δ2_n   [1]
    for (let j = 0; j < H; j++) {
      grads[L.W2.offset + j] += delta2 * cache.a1[n * H + j]; // dW2 = Σ_n δ2_n a1_nᵀ   [1×H]
      const g = params[L.W2.offset + j] * delta2; // da1 = W2ᵀ δ2   [H×1]·[1]
      da1[n * H + j] = g;
      // NOTE: ReLU′(0) = 0 (leaky′(0) = 0.01), so a ReLU unit sitting exactly at z1 = 0 passes no gradient.
      const fp = fPrime(cache.z1[n * H + j]);
      const delta1 = fp === 0 ? 0 : g * fp; // δ1 = da1 ⊙ f′(z1)   [H]; a closed gate gives exactly 0
      dz1[n * H + j] = delta1;
      grads[L.b1.offset + j] += delta1; // db1 = Σ_n δ1_n   [H]
      for (let i = 0; i < d; i++) grads[L.W1.offset + j * d + i] += delta1 * x[n * d + i]; // dW1 = Σ_n δ1_n x_nᵀ   [H×d]
    }
  }
  return { dz2, da1, dz1, grads };
}

/** Loss and gradients at the given parameters, in one call. */
export function lossAndGrads(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  kind: LossKind,
): { loss: number; cache: ForwardCache } & Backward {
  const cache = forward(spec, params, data);
  return { loss: lossValue(kind, cache, data.y), cache, ...backward(spec, params, data, cache, kind) };
}

/** θ ← θ − lr · g, in place. */
export function sgdUpdate(params: Float64Array, grads: ArrayLike<number>, lr: number): void {
  for (let k = 0; k < params.length; k++) params[k] -= lr * grads[k];
}

function checkShapes(spec: Net, params: ArrayLike<number>, data: Dataset): { d: number; H: number } {
  const size = paramLayout(spec).size;
  if (params.length !== size) {
    throw new RangeError(`parameters: expected ${size} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
  }
  if (data.d !== spec.d) throw new RangeError(`data: samples have d=${data.d} features, the network expects d=${spec.d}`);
  return { d: spec.d, H: spec.H };
}

/**
 * Central differences of the loss for chosen flat-layout parameters, h = 1e-5 by
 * default: the fourth, rule-free way to get the same gradients.
 */
export function numericGradient(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  kind: LossKind,
  { h = 1e-5, indices }: { h?: number; indices?: readonly number[] } = {},
): Float64Array {
  const theta = Float64Array.from(params);
  const at = indices ?? Array.from(theta, (_, k) => k);
  const out = new Float64Array(theta.length).fill(NaN);
  const lossAt = () => lossValue(kind, forward(spec, theta, data), data.y);
  for (const k of at) {
    const saved = theta[k];
    theta[k] = saved + h;
    const plus = lossAt();
    theta[k] = saved - h;
    const minus = lossAt();
    theta[k] = saved;
    out[k] = (plus - minus) / (2 * h);
  }
  return out;
}
