/**
 * The 2-layer shadow as src/mlp/bounds/bounds.ts computed it before the general network's bounds
 * (src/mlp/bounds/bounds-model.ts) took over: kept, frozen, as the reference that every number of
 * shadowBounds is still the same, bit for bit.
 */
import type { LossKind } from '../../src/engine/losses.js';
import { activationError, gateError } from '../../src/mlp/bounds/activation-bounds.js';
import type { Bounds, BoundOptions, Shadowed } from '../../src/mlp/bounds/bounds.js';
import { f32Error, mulError, rounding, SLACK } from '../../src/mlp/bounds/f32-error.js';
import { delta2Error, sigmoidError } from '../../src/mlp/bounds/output-bounds.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import { backward, forward, type Net } from '../../src/mlp/reference.js';
import { paramLayout } from '../../src/mlp/spec.js';

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
export function shadowBoundsOneLayer(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  opts: BoundOptions = {},
): Bounds {
  const { d, H } = spec;
  const { N, x, y } = data;
  const L = paramLayout(spec);
  const cache = forward(spec, params, data);
  const back = backward(spec, params, data, cache, loss);
  const eP = Float64Array.from(opts.paramError ?? Array.from(params, f32Error));
  const shadow = (n: number): Shadowed => ({
    value: new Float64Array(n),
    mag: new Float64Array(n),
    bound: new Float64Array(n),
  });
  const s =
    opts.perSample === true
      ? {
          z1: shadow(N * H),
          a1: shadow(N * H),
          z2: shadow(N),
          yHat: shadow(N),
          dz2: shadow(N),
          da1: shadow(N * H),
          dz1: shadow(N * H),
          gateUncertain: new Uint8Array(N * H),
        }
      : undefined;
  const acc = { ops: new Float64Array(L.size), prop: new Float64Array(L.size), mag: new Float64Array(L.size) };
  const uncertain = new Set<number>();
  const f: SampleForward = {
    eZ1: new Float64Array(H),
    eA1: new Float64Array(H),
    mZ1: new Float64Array(H),
    mA1: new Float64Array(H),
    eZ2: 0,
    mZ2: 0,
  };
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
      (put(s.z2, n, z2, f.mZ2, f.eZ2), put(s.yHat, n, yHat, mY, eY), put(s.dz2, n, d2, mD2, eD2));
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
      if (s)
        (put(s.da1, k, back.da1[k]!, mDa1, eDa1),
          put(s.dz1, k, dz1, mDz1, eDz1),
          (s.gateUncertain[k] = g.sure ? 0 : 1));
      accumulate(acc, L.b1.offset + j, dz1, eDz1, mDz1, 1, 0, 1); // db1_j = Σ_n δ1_j
      for (let i = 0; i < d; i++) accumulate(acc, L.W1.offset + j * d + i, dz1, eDz1, mDz1, xs[i]!, ex[i]!, xs[i]!); // dW1_ji = Σ_n δ1_j x_i
    }
  }
  // Each gradient is a sum of N terms (a product each, for dW1 and dW2) in any order: at most N + 1 roundings.
  const grads: Shadowed = {
    value: back.grads,
    mag: acc.mag,
    bound: acc.ops.map((m, k) => SLACK * (acc.prop[k]! + rounding(N + 1, m))),
  };
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

/** sgdStepBounds as it was, on the frozen shadow above. */
export function sgdStepBoundsOneLayer(
  spec: Net,
  params: ArrayLike<number>,
  paramError: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  lr: number,
): { params: Float64Array; error: Float64Array } {
  const b = shadowBoundsOneLayer(spec, params, data, loss, { paramError });
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
