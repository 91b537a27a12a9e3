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
 * Assumptions, stated once: + − × round to nearest (u = 2^-24; the kernels' arithmetic specification calls them "correctly
 * rounded"); `/` is within 2.5 ulp and exp(x) within 3 + 2|x| ulp (the kernels' accuracy table), an ulp
 * being at most 2u of the value; subnormal results may flush to zero (η = 2^-126 per operation).
 * The hidden activation f is evaluated as the kernels must (src/mlp/bounds/activation-bounds.ts has f, f′
 * and their bounds): the shading language's built-in tanh is only "inherited from sinh(x)/cosh(x)", unbounded
 * once exp(|x|) overflows f32, so the kernels compute tanh from exp(−2|z|) instead.
 */
import type { LossKind } from '../../engine/losses.js';
import { activationError, gateError } from './activation-bounds.js';
import { delta2Error, sigmoidError } from './output-bounds.js';
import type { Dataset } from '../data/data.js';
import { backward, forward, type Net } from '../reference.js';
import { paramLayout } from '../spec.js';
import { DIV, ETA, expError, f32Error, gamma, mulError, rounding, SLACK, U } from './f32-error.js';

export { DIV, ETA, expError, f32Error, gamma, mulError, rounding, SLACK, U };

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
  /** Hidden units j whose gate f′(z1) may differ between f32 and f64 for some sample (ReLU and leaky only: f′ jumps at 0). */
  uncertainUnits: number[];
  /** Flat-layout mask: 1 where a gradient depends on an uncertain gate (W1 row j, b1[j]). */
  gateUncertain: Uint8Array;
}

export interface BoundOptions {
  /** Bound on |θ_gpu − θ| per parameter; default |θ − fround(θ)|, the upload's rounding. */
  paramError?: ArrayLike<number>;
  perSample?: boolean;
}

/** What one sample's forward pass leaves for its backward pass: per hidden unit and for the output. */
interface SampleForward {
  eZ1: Float64Array; // bound on z1
  eA1: Float64Array; // bound on a1 = f(z1) (for ReLU: e_z1, ReLU being 1-Lipschitz, or 0 where the gate is surely closed)
  mZ1: Float64Array; // shadow |b1| + Σ|W1||x|
  mA1: Float64Array; // shadow of a1 (for ReLU: mZ1 where the gate may be open, else 0)
  eZ2: number;
  mZ2: number; // shadow |b2| + Σ|W2|·shadow(a1)
}

/**
 * The oracle's forward and backward pass with the magnitude shadow and the bounds beside it.
 * Each bound has two parts: the error its operands bring (propagated to first order, exactly for
 * products) and the rounding of its own operations, γ_k times the sizes of the f32 operands.
 */
export function shadowBounds(spec: Net, params: ArrayLike<number>, data: Dataset, loss: LossKind, opts: BoundOptions = {}): Bounds {
  const { d, H } = spec;
  const { N, x, y } = data;
  const L = paramLayout(spec);
  const cache = forward(spec, params, data);
  const back = backward(spec, params, data, cache, loss);
  const eP = Float64Array.from(opts.paramError ?? Array.from(params, f32Error));
  const shadow = (n: number): Shadowed => ({ value: new Float64Array(n), mag: new Float64Array(n), bound: new Float64Array(n) });
  const s = opts.perSample === true
    ? { z1: shadow(N * H), a1: shadow(N * H), z2: shadow(N), yHat: shadow(N), dz2: shadow(N), da1: shadow(N * H), dz1: shadow(N * H), gateUncertain: new Uint8Array(N * H) }
    : undefined;
  const acc = { ops: new Float64Array(L.size), prop: new Float64Array(L.size), mag: new Float64Array(L.size) };
  const uncertain = new Set<number>();
  const f: SampleForward = { eZ1: new Float64Array(H), eA1: new Float64Array(H), mZ1: new Float64Array(H), mA1: new Float64Array(H), eZ2: 0, mZ2: 0 };
  const act = spec.activation ?? 'relu';
  const xs = new Float64Array(d);
  const ex = new Float64Array(d);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < d; i++) [xs[i], ex[i]] = [Math.abs(x[n * d + i]!), f32Error(x[n * d + i]!)];
    forwardSample(spec, params, eP, cache.z1.subarray(n * H, (n + 1) * H), xs, ex, f);
    const z2 = cache.z2[n]!;
    const { e: eY, yHat, mag: mY } = sigmoidError(z2, f.eZ2, f.mZ2);
    const { e: eD2, mag: mD2 } = delta2Error(loss, yHat, eY, mY, y[n]!, f32Error(y[n]!), N);
    const d2 = back.dz2[n]!;
    if (s) {
      for (let j = 0; j < H; j++) {
        put(s.z1, n * H + j, cache.z1[n * H + j]!, f.mZ1[j]!, f.eZ1[j]!);
        put(s.a1, n * H + j, cache.a1[n * H + j]!, f.mA1[j]!, f.eA1[j]!);
      }
      put(s.z2, n, z2, f.mZ2, f.eZ2), put(s.yHat, n, yHat, mY, eY), put(s.dz2, n, d2, mD2, eD2);
    }
    // db2 = Σ_n δ2: N terms.
    accumulate(acc, L.b2.offset, d2, eD2, mD2, 1, 0, 1);
    for (let j = 0; j < H; j++) {
      const k = n * H + j;
      const [w2, ew2] = [params[L.W2.offset + j]!, eP[L.W2.offset + j]!];
      const a1 = cache.a1[k]!;
      accumulate(acc, L.W2.offset + j, d2, eD2, mD2, a1, f.eA1[j]!, f.mA1[j]!); // dW2_j = Σ_n δ2 a1_j
      const eDa1 = mulError(w2, ew2, d2, eD2); // da1_j = W2_j δ2
      const mDa1 = Math.abs(w2) * mD2;
      // δ1 = da1 ⊙ f′(z1). NOTE: for ReLU and leaky, where |z1| ≤ e_z1 the f32 gate may differ
      // (f′ is 1 on one side, 0 or 0.01 on the other): the unit is flagged, its bound admits either side.
      const z1 = cache.z1[k]!;
      const g = gateError(act, z1, f.eZ1[j]!, a1, f.eA1[j]!, back.da1[k]!, eDa1);
      if (!g.sure) uncertain.add(j);
      const eDz1 = g.eDz1;
      const mDz1 = mDa1 * g.mFPrime;
      const dz1 = back.dz1[k]!;
      if (s) put(s.da1, k, back.da1[k]!, mDa1, eDa1), put(s.dz1, k, dz1, mDz1, eDz1), (s.gateUncertain[k] = g.sure ? 0 : 1);
      accumulate(acc, L.b1.offset + j, dz1, eDz1, mDz1, 1, 0, 1); // db1_j = Σ_n δ1_j
      for (let i = 0; i < d; i++) accumulate(acc, L.W1.offset + j * d + i, dz1, eDz1, mDz1, xs[i]!, ex[i]!, xs[i]!); // dW1_ji = Σ_n δ1_j x_i
    }
  }
  // Each gradient is a sum of N terms (a product each, for dW1 and dW2) in any order: at most N + 1 roundings.
  const grads: Shadowed = { value: back.grads, mag: acc.mag, bound: acc.ops.map((m, k) => SLACK * (acc.prop[k]! + rounding(N + 1, m))) };
  const gateUncertain = new Uint8Array(L.size);
  for (const j of uncertain) {
    gateUncertain.fill(1, L.W1.offset + j * d, L.W1.offset + (j + 1) * d);
    gateUncertain[L.b1.offset + j] = 1;
  }
  const out: Bounds = { grads, uncertainUnits: [...uncertain].sort((a, b) => a - b), gateUncertain };
  if (s) out.samples = s;
  return out;
}

/**
 * z1_j = b1_j + Σ_i W1_ji x_i (d + 1 terms, so γ_{d+1}) and z2 = b2 + Σ_j W2_j a1_j (H + 1 terms),
 * for one sample; a1 = f(z1) with its own bound (activationError: for ReLU, 1-Lipschitz, e_a1 = e_z1,
 * and exactly 0 where z1 + e_z1 ≤ 0).
 */
function forwardSample(
  spec: Net,
  params: ArrayLike<number>,
  eP: Float64Array,
  z1: Float64Array,
  xs: Float64Array,
  ex: Float64Array,
  f: SampleForward,
): void {
  const { d, H } = spec;
  const L = paramLayout(spec);
  const act = spec.activation ?? 'relu';
  const P = (k: number) => Math.abs(params[k]!);
  let ops2 = P(L.b2.offset) + eP[L.b2.offset]!;
  let prop2 = eP[L.b2.offset]!;
  let m2 = P(L.b2.offset);
  for (let j = 0; j < H; j++) {
    const bj = L.b1.offset + j;
    let ops = P(bj) + eP[bj]!;
    let prop = eP[bj]!;
    let m = P(bj);
    for (let i = 0; i < d; i++) {
      const w = L.W1.offset + j * d + i;
      ops += (P(w) + eP[w]!) * (xs[i]! + ex[i]!);
      prop += P(w) * ex[i]! + eP[w]! * xs[i]! + eP[w]! * ex[i]!;
      m += P(w) * xs[i]!;
    }
    const e1 = prop + rounding(d + 1, ops);
    f.eZ1[j] = e1;
    f.mZ1[j] = m;
    const w2 = L.W2.offset + j;
    const { a1: a, e: eA1, mag: mA1 } = activationError(act, z1[j]!, e1, m);
    const a1 = Math.abs(a);
    f.eA1[j] = eA1;
    f.mA1[j] = mA1;
    ops2 += (P(w2) + eP[w2]!) * (a1 + eA1);
    prop2 += P(w2) * eA1 + eP[w2]! * a1 + eP[w2]! * eA1;
    m2 += P(w2) * mA1; // for ReLU, the shadow passes z1's terms wherever the gate may be open
  }
  f.eZ2 = prop2 + rounding(H + 1, ops2);
  f.mZ2 = m2;
}

/** One term a·b of a gradient's sum: its propagated error, its f32 operands' size, and its shadow. */
function accumulate(
  acc: { ops: Float64Array; prop: Float64Array; mag: Float64Array },
  k: number,
  a: number,
  ea: number,
  ma: number,
  b: number,
  eb: number,
  mb: number,
): void {
  acc.ops[k] += (Math.abs(a) + ea) * (Math.abs(b) + eb);
  acc.prop[k] += Math.abs(a) * eb + ea * Math.abs(b) + ea * eb;
  acc.mag[k] += ma * mb;
}

function put(t: Shadowed, k: number, value: number, mag: number, bound: number): void {
  t.value[k] = value;
  t.mag[k] = mag;
  t.bound[k] = SLACK * bound;
}
