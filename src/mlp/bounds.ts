/**
 * Per-element error bounds for the f32 kernels, derived by running a magnitude
 * shadow beside the f64 oracle (docs/derivation.md, "Error bounds for the f32
 * kernels"). For every value v the oracle computes, we also compute
 *   mag(v)   the sum of the absolute values of the terms v is made of (|b1| + Σ|W1||x| for z1, …),
 *   bound(v) a bound on |v_f32 − v| for any of the kernels (step, fused, many, large),
 * by the standard model of floating-point arithmetic, fl(a ∘ b) = (a ∘ b)(1 + ε):
 *   - a sum of n terms (products included) in ANY order, chunked or not:  γ_n · Σ|terms|,
 *     γ_n = n·u/(1 − n·u), u = 2^-24, since each term meets at most n roundings;
 *   - a product a·b of inexact operands:  |a|·e_b + e_a·|b| + e_a·e_b, plus u·|result|;
 *   - the f32 rounding of the inputs and parameters (e_x = |x − fround(x)|, …) as the first e's.
 * Assumptions, stated once: + − × round to nearest (u = 2^-24; WGSL calls them "correctly
 * rounded"); `/` is within 2.5 ulp and exp(x) within 3 + 2|x| ulp (WGSL's accuracy table), an ulp
 * being at most 2u of the value; subnormal results may flush to zero (η = 2^-126 per operation).
 */
import type { LossKind } from '../engine/losses.js';
import { sigmoid } from '../engine/value.js';
import type { Dataset } from './data.js';
import { backward, forward } from './reference.js';
import { paramLayout, type Spec } from './spec.js';

/** f32's unit roundoff (round to nearest). */
export const U = 2 ** -24;
/** The most a flushed subnormal result can be off, per operation. */
export const ETA = 2 ** -126;
/** γ_k = k·u/(1 − k·u): the relative error of k roundings. */
export const gamma = (k: number): number => (k * U) / (1 - k * U);
/** Relative error of WGSL's `/` (2.5 ulp, an ulp ≤ 2u of the value). */
const DIV = 5 * U;
/** Relative error of WGSL's exp(t): (3 + 2|t|) ulp. */
const expError = (t: number): number => (6 + 4 * Math.abs(t)) * U;
/** Cover for the second-order terms the first-order formulas below leave out. */
const SLACK = 1 + 1e-3;

/** A value, the magnitude of its terms and the bound on its f32 error, per element. */
export interface Shadowed {
  value: Float64Array;
  mag: Float64Array;
  bound: Float64Array;
}

export interface Bounds {
  /** Per sample (N×H or N), kept only with `{ perSample: true }`. */
  samples?: Record<'z1' | 'a1' | 'z2' | 'yHat' | 'dz2' | 'da1' | 'dz1', Shadowed> & { gateUncertain: Uint8Array };
  /** Gradients in the flat layout. */
  grads: Shadowed;
  /** Hidden units j whose gate ReLU′(z1) may differ between f32 and f64 for some sample. */
  uncertainUnits: number[];
  /** Flat-layout mask: 1 where a gradient depends on an uncertain gate (W1 row j, b1[j]). */
  gateUncertain: Uint8Array;
}

export interface BoundOptions {
  /** Bound on |θ_gpu − θ| per parameter; default |θ − fround(θ)|, the upload's rounding. */
  paramError?: ArrayLike<number>;
  perSample?: boolean;
}

const f32Error = (v: number): number => Math.abs(v - Math.fround(v));
/** The rounding of k operations on terms of total size `mag`; none at all where every term is 0 (exact). */
const rounding = (k: number, mag: number): number => (mag > 0 ? gamma(k) * mag + k * ETA : 0);
/** |a·b| with inexact operands: propagated error plus the product's own rounding. */
const mulError = (a: number, ea: number, b: number, eb: number): number =>
  Math.abs(a) * eb + ea * Math.abs(b) + ea * eb + rounding(1, (Math.abs(a) + ea) * (Math.abs(b) + eb));

/** The oracle's forward and backward pass with the magnitude shadow and the bounds beside it. */
export function shadowBounds(spec: Pick<Spec, 'd' | 'H'>, params: ArrayLike<number>, data: Dataset, loss: LossKind, opts: BoundOptions = {}): Bounds {
  const { d, H } = spec;
  const { N, x, y } = data;
  const L = paramLayout(spec);
  const cache = forward(spec, params, data);
  const back = backward(spec, params, data, cache, loss);
  const eP = Float64Array.from(opts.paramError ?? Array.from(params, f32Error));
  const P = (k: number) => Math.abs(params[k]!);
  const keep = opts.perSample === true;
  const shadow = (n: number): Shadowed => ({ value: new Float64Array(n), mag: new Float64Array(n), bound: new Float64Array(n) });
  const s = keep ? { z1: shadow(N * H), a1: shadow(N * H), z2: shadow(N), yHat: shadow(N), dz2: shadow(N), da1: shadow(N * H), dz1: shadow(N * H), gateUncertain: new Uint8Array(N * H) } : undefined;
  const gMag = new Float64Array(L.size); // Σ_n |terms| of each gradient, the f32 operands' sizes
  const gProp = new Float64Array(L.size); // Σ_n the error the terms bring with them
  const uncertain = new Set<number>();
  const eZ1 = new Float64Array(H);
  const eA1 = new Float64Array(H);
  const xs = new Float64Array(d);
  const ex = new Float64Array(d);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < d; i++) [xs[i], ex[i]] = [Math.abs(x[n * d + i]!), f32Error(x[n * d + i]!)];
    // z1_j = b1_j + Σ_i W1_ji x_i: d + 1 terms, γ_{d+1} on their magnitudes.   a1 = ReLU(z1) is 1-Lipschitz: e_a1 = e_z1.
    let z2Mag = P(L.b2.offset) + eP[L.b2.offset]!;
    let z2Prop = eP[L.b2.offset]!;
    for (let j = 0; j < H; j++) {
      const bj = L.b1.offset + j;
      let mag = P(bj) + eP[bj]!;
      let prop = eP[bj]!;
      for (let i = 0; i < d; i++) {
        const w = L.W1.offset + j * d + i;
        mag += (P(w) + eP[w]!) * (xs[i]! + ex[i]!);
        prop += P(w) * ex[i]! + eP[w]! * xs[i]! + eP[w]! * ex[i]!;
      }
      eZ1[j] = prop + rounding(d + 1, mag);
      eA1[j] = eZ1[j]!;
      const a1 = cache.a1[n * H + j]!;
      const w2 = L.W2.offset + j;
      z2Mag += (P(w2) + eP[w2]!) * (a1 + eA1[j]!);
      z2Prop += P(w2) * eA1[j]! + eP[w2]! * a1 + eP[w2]! * eA1[j]!;
      if (s) put(s.z1, n * H + j, cache.z1[n * H + j]!, mag, eZ1[j]!), put(s.a1, n * H + j, a1, mag, eA1[j]!);
    }
    // z2 = b2 + Σ_j W2_j a1_j: H + 1 terms.
    const z2 = cache.z2[n]!;
    const eZ2 = z2Prop + rounding(H + 1, z2Mag);
    const { e: eY, yHat } = sigmoidError(z2, eZ2);
    const { e: eD2, mag: d2Mag } = delta2Error(loss, yHat, eY, y[n]!, f32Error(y[n]!), N);
    const d2 = back.dz2[n]!;
    if (s) put(s.z2, n, z2, z2Mag, eZ2), put(s.yHat, n, yHat, yHat + Math.abs(y[n]!), eY), put(s.dz2, n, d2, d2Mag, eD2);
    // db2 += δ2,  dW2_j += δ2 a1_j,  da1_j = W2_j δ2,  δ1 = da1 ⊙ ReLU′(z1),  db1_j += δ1,  dW1_ji += δ1 x_i.
    gMag[L.b2.offset] += Math.abs(d2) + eD2;
    gProp[L.b2.offset] += eD2;
    for (let j = 0; j < H; j++) {
      const a1 = cache.a1[n * H + j]!;
      const w2 = L.W2.offset + j;
      gMag[w2] += (Math.abs(d2) + eD2) * (a1 + eA1[j]!);
      gProp[w2] += Math.abs(d2) * eA1[j]! + eD2 * a1 + eD2 * eA1[j]!;
      const da1 = back.da1[n * H + j]!;
      const eDa1 = mulError(params[w2]!, eP[w2]!, d2, eD2);
      // NOTE: where |z1| ≤ e_z1 the f32 gate may differ: δ1 is da1 on one side and 0 on the other.
      const z1 = cache.z1[n * H + j]!;
      const sure = z1 - eZ1[j]! > 0 || z1 + eZ1[j]! <= 0;
      if (!sure) uncertain.add(j);
      const dz1 = back.dz1[n * H + j]!;
      const eDz1 = sure ? (z1 > 0 ? eDa1 : 0) : Math.abs(da1) + eDa1;
      if (s) {
        put(s.da1, n * H + j, da1, Math.abs(params[w2]!) * Math.abs(d2), eDa1);
        put(s.dz1, n * H + j, dz1, Math.abs(dz1), eDz1);
        s.gateUncertain[n * H + j] = sure ? 0 : 1;
      }
      const bj = L.b1.offset + j;
      gMag[bj] += Math.abs(dz1) + eDz1;
      gProp[bj] += eDz1;
      for (let i = 0; i < d; i++) {
        const w = L.W1.offset + j * d + i;
        gMag[w] += (Math.abs(dz1) + eDz1) * (xs[i]! + ex[i]!);
        gProp[w] += Math.abs(dz1) * ex[i]! + eDz1 * xs[i]! + eDz1 * ex[i]!;
      }
    }
  }
  // Each gradient is a sum of N terms (a product each, for dW1 and dW2), in any order: γ_N.
  const grads: Shadowed = { value: back.grads, mag: gMag, bound: gMag.map((m, k) => SLACK * (gProp[k]! + rounding(N + 1, m))) };
  const gateUncertain = new Uint8Array(L.size);
  for (const j of uncertain) {
    gateUncertain.fill(1, L.W1.offset + j * d, L.W1.offset + (j + 1) * d);
    gateUncertain[L.b1.offset + j] = 1;
  }
  const out: Bounds = { grads, uncertainUnits: [...uncertain].sort((a, b) => a - b), gateUncertain };
  if (s) out.samples = s;
  return out;
}

function put(t: Shadowed, k: number, value: number, mag: number, bound: number): void {
  t.value[k] = value;
  t.mag[k] = mag;
  t.bound[k] = SLACK * bound;
}

/**
 * yHat = σ(z2) as common.wgsl computes it: 1/(1 + exp(−z)) for z ≥ 0, e/(1 + e) with e = exp(z) below.
 * Propagated: σ′ ≤ its largest value on [z2 − e, z2 + e]. Evaluated: exp's relative error ε scaled by
 * (1 − σ) on the z ≥ 0 branch and by at most 2 below, plus one addition and one division (6u).
 */
function sigmoidError(z: number, ez: number): { yHat: number; e: number } {
  const yHat = sigmoid(z);
  const near = Math.max(0, Math.abs(z) - ez); // the point of [z − e, z + e] nearest 0, where σ′ is largest
  const slope = sigmoid(near) * (1 - sigmoid(near));
  const eps = expError(Math.abs(z) + ez);
  const branch = z - ez >= 0 ? 1 - sigmoid(z - ez) : 2;
  const high = yHat + slope * ez; // |σ(ẑ)| at most
  return { yHat, e: slope * ez + high * (eps * branch + 6 * U) + 3 * ETA }; // σ > 0 always: never exact
}

/**
 * δ2 as common.wgsl computes it: BCE (yHat − t)/N; MSE ((2(yHat − t))·yHat)·(1 − yHat)/N.
 * N is exact in f32 (N ≤ 2^24). Returns the bound and the magnitude (|yHat| + |t|)/N and so on.
 */
function delta2Error(loss: LossKind, p: number, ep: number, t: number, et: number, N: number): { e: number; mag: number } {
  const diff = p - t;
  const eDiff = ep + et + rounding(1, Math.abs(diff) + ep + et);
  if (loss === 'bce') {
    return { e: eDiff / N + rounding(1, (DIV / U) * (Math.abs(diff) + eDiff) / N), mag: (Math.abs(p) + Math.abs(t)) / N };
  }
  const a = 2 * diff;
  const ea = 2 * eDiff;
  const b = a * p;
  const eb = mulError(a, ea, p, ep);
  const c = 1 - p;
  const ec = ep + rounding(1, Math.abs(c) + ep);
  const num = b * c;
  const eNum = mulError(b, eb, c, ec);
  const mag = (2 * (Math.abs(p) + Math.abs(t)) * Math.abs(p) * (1 + Math.abs(p))) / N;
  return { e: eNum / N + rounding(1, (DIV / U) * (Math.abs(num) + eNum) / N), mag };
}

/**
 * One SGD step θ' = θ − lr·g with its bound: the GPU's θ'_f32 is within `error` of θ' when its θ
 * was within `paramError` of θ. e' = e_θ + |lr|·e_g + e_lr·|g| + (rounding of the product and the
 * difference). Chained over T steps this bounds a whole trajectory; it grows with T wherever the
 * loss surface amplifies differences, so it is only tight for a few steps.
 */
export function sgdStepBounds(
  spec: Pick<Spec, 'd' | 'H'>,
  params: ArrayLike<number>,
  paramError: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  lr: number,
): { params: Float64Array; error: Float64Array } {
  const b = shadowBounds(spec, params, data, loss, { paramError });
  const elr = f32Error(lr);
  const next = new Float64Array(params.length);
  const error = new Float64Array(params.length);
  for (let k = 0; k < params.length; k++) {
    const g = b.grads.value[k]!;
    const step = lr * g;
    const eStep = mulError(lr, elr, g, b.grads.bound[k]!);
    next[k] = params[k]! - step;
    const eSum = paramError[k]! + eStep;
    error[k] = SLACK * (eSum + rounding(1, Math.abs(next[k]!) + eSum));
  }
  return { params: next, error };
}

/** T SGD steps from θ0 (uploaded as f32) with the bound on each parameter after them. */
export function trajectoryBounds(
  spec: Pick<Spec, 'd' | 'H'>,
  start: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  lr: number,
  steps: number,
): { params: Float64Array; error: Float64Array } {
  let state: { params: Float64Array; error: Float64Array } = { params: Float64Array.from(start), error: Float64Array.from(start, f32Error) };
  for (let t = 0; t < steps; t++) state = sgdStepBounds(spec, state.params, state.error, data, loss, lr);
  return state;
}
