/**
 * Per-element f32 error bounds for the general network (src/mlp/model.ts) over a batch: the magnitude
 * shadow and the standard model of ./bounds.ts (docs/checking.md, "Error bounds for the f32 kernels"),
 * layer by layer, with either output and the L1/L2 penalty. The f32 operations the bounds assume, which
 * the kernels must follow (a sum may be taken in any order, chunked or not; elsewhere the order is as written):
 *   z_l[j]  = b_l[j] + Σ_i W_l[j][i]·a_{l−1}[i]   n_{l−1} + 1 terms (a_0 = x)              γ_{n_{l−1}+1}
 *   a_l     = f(z_l)                             as activation-bounds.ts states f
 *   ŷ       = σ(z_{L+1}) as output-bounds.ts states it, or z_{L+1} itself (identity: no operation)
 *   δ_{L+1} = (ŷ − y)/B  (BCE),  (((2·(ŷ − y))·ŷ)·(1 − ŷ))/B  (MSE, σ),  (2·(ŷ − y))/B  (MSE, identity)
 *   da_l[j] = Σ_k W_{l+1}[k][j]·δ_{l+1}[k]        n_{l+1} terms                            γ_{n_{l+1}}
 *   δ_l     = da_l·f′(z_l)                       gateError: a select where f′ is 1 or 0, f′ from the f32 a_l
 *   g       = Σ_r δ_l[r][j]·a_{l−1}[r][i]  (Σ_r δ_l[r][j] for b_l)   B terms               γ_{B+1}
 *   g       = (g + λ1·sign(w)) + λ2·w            weights only: λ1·sign(w) is exact (sign(w) ∈ {−1, 0, 1}),
 *                                                λ2·w one product; the two additions in any order, γ_2
 * B is the number of rows given (the batch), exact in f32. A penalty term whose λ is 0 adds nothing.
 * Where λ1 > 0 and |w| is within its own bound of 0, f32's sign(w) may differ from f64's: the element is
 * flagged, like an uncertain gate, and its bound admits any sign.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import type { Dataset } from '../data/data.js';
import { checkModelParams, type Model } from '../model.js';
import { addPenaltyGradient, checkObjective, type Objective } from '../objective.js';
import { allRows, backwardModel, forwardModel } from '../reference.js';
import { activationError, gateError } from './activation-bounds.js';
import { f32Error, mulError, rounding, SLACK } from './f32-error.js';
import { outputDeltaError, sigmoidError } from './output-bounds.js';

/** A value, the magnitude of its terms and the bound on its f32 error, per element. */
export interface Shadowed {
  value: Float64Array;
  mag: Float64Array;
  bound: Float64Array;
}

export interface BoundOptions {
  /** Bound on |θ_gpu − θ| per parameter; default |θ − fround(θ)|, the upload's rounding. */
  paramError?: ArrayLike<number>;
  perSample?: boolean;
}

export interface ModelBoundOptions extends BoundOptions {
  /** The batch: indices into the dataset (default every row, in order), as src/mlp/batches.ts gives them. */
  rows?: ArrayLike<number>;
}

/** Hidden layer l over the batch, B×H_l row-major (row r is the batch's r-th row). */
export interface HiddenSamples {
  z: Shadowed;
  a: Shadowed;
  /** ∂L/∂a_l = W_{l+1}ᵀ δ_{l+1}. */
  da: Shadowed;
  delta: Shadowed;
  /** 1 where f32's f′(z_l) may differ from f64's (ReLU and leaky within their bound of 0). */
  gateUncertain: Uint8Array;
  /** 1 where da_l's bound admits either side of an uncertain gate above it. */
  daUncertain: Uint8Array;
  /** 1 where δ_l's does: its own gate or da_l's. */
  deltaUncertain: Uint8Array;
}

/** The output unit over the batch, B each. */
export interface OutputSamples {
  z: Shadowed;
  yHat: Shadowed;
  delta: Shadowed;
}

export interface ModelBounds {
  /** Gradients in the flat layout, the penalty's included. */
  grads: Shadowed;
  /** Per hidden layer (entry l − 1): units whose gate may differ between f32 and f64 for some row. */
  uncertainUnits: number[][];
  /** Flat indices of weights whose sign f32 may not agree on (only with λ1 > 0). */
  signUncertain: number[];
  /** Flat-layout mask: 1 where a gradient's bound admits either side of an uncertain gate or sign. */
  gateUncertain: Uint8Array;
  /** With `{ perSample: true }`: hidden[l − 1] for l = 1..L, and the output. */
  samples?: { hidden: HiddenSamples[]; output: OutputSamples };
}

/** One layer's state for the row at hand: bound (e) and shadow (m) of z, a, da and δ per unit. */
interface LayerState {
  eZ: Float64Array;
  mZ: Float64Array;
  absA: Float64Array;
  eA: Float64Array;
  mA: Float64Array;
  eDa: Float64Array;
  mDa: Float64Array;
  eD: Float64Array;
  mD: Float64Array;
  /** δ's bound admits either side of some gate. */
  tD: Uint8Array;
}

/** Sums Σ (operand sizes), Σ (propagated errors) and Σ (shadows) of the terms of each gradient. */
interface Accumulator {
  ops: Float64Array;
  prop: Float64Array;
  mag: Float64Array;
}

/**
 * The oracle's forward and backward pass over the batch `rows` with the magnitude shadow and the bounds
 * beside it. Each bound has two parts: the error its operands bring (propagated to first order, exactly
 * for products) and the rounding of its own operations, γ_k times the sizes of the f32 operands.
 */
export function shadowBoundsModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  opts: ModelBoundOptions = {},
): ModelBounds {
  const layout = checkModelParams(model, params);
  const { loss, l1, l2 } = checkObjective(model.output, objective);
  const rows = opts.rows ?? allRows(data.N);
  const cache = forwardModel(model, params, data, rows);
  // The data term alone: the penalty is added below as the kernels add it.
  const back = backwardModel(model, params, data, cache, { loss });
  const B = rows.length;
  const { d } = model;
  const { x, y } = data;
  const layers = layout.layers;
  const L = model.hidden.length;
  const act: HiddenActivation = model.activation;
  const eP = paramErrorOf(params, opts.paramError, layout.size);
  const P = (k: number) => Math.abs(params[k]!);
  const shadow = (n: number): Shadowed => {
    return { value: new Float64Array(n), mag: new Float64Array(n), bound: new Float64Array(n) };
  };
  const s =
    opts.perSample === true
      ? {
          hidden: model.hidden.map((h): HiddenSamples => ({
            z: shadow(B * h),
            a: shadow(B * h),
            da: shadow(B * h),
            delta: shadow(B * h),
            gateUncertain: new Uint8Array(B * h),
            daUncertain: new Uint8Array(B * h),
            deltaUncertain: new Uint8Array(B * h),
          })),
          output: { z: shadow(B), yHat: shadow(B), delta: shadow(B) },
        }
      : undefined;
  const size = layout.size;
  const acc: Accumulator = { ops: new Float64Array(size), prop: new Float64Array(size), mag: new Float64Array(size) };
  const st: LayerState[] = layers.map(({ nout }) => {
    const v = () => new Float64Array(nout);
    const tD = new Uint8Array(nout);
    return { eZ: v(), mZ: v(), absA: v(), eA: v(), mA: v(), eDa: v(), mDa: v(), eD: v(), mD: v(), tD };
  });
  const uncertain = model.hidden.map(() => new Set<number>());
  const tainted = layers.map(({ nout }) => new Uint8Array(nout)); // δ_l[j] admits either side for some row
  const xAbs = new Float64Array(d);
  const xErr = new Float64Array(d);
  /** The input of layer l for the row at hand: |value|, bound, shadow (x itself for l = 1). */
  const input = (l: number): readonly [Float64Array, Float64Array, Float64Array] =>
    l === 1 ? [xAbs, xErr, xAbs] : [st[l - 2]!.absA, st[l - 2]!.eA, st[l - 2]!.mA];

  for (let r = 0; r < B; r++) {
    const n = rows[r]!;
    for (let i = 0; i < d; i++) [xAbs[i], xErr[i]] = [Math.abs(x[n * d + i]!), f32Error(x[n * d + i]!)];
    // Forward: z_l = b_l + W_l a_{l−1}, n_{l−1} + 1 terms; a_l = f(z_l) with its own bound.
    for (const { l, W, b, nin, nout } of layers) {
      const [inAbs, inErr, inMag] = input(l);
      const t = st[l - 1]!;
      const z = cache.z[l - 1]!;
      for (let j = 0; j < nout; j++) {
        const bj = b.offset + j;
        let ops = P(bj) + eP[bj]!;
        let prop = eP[bj]!;
        let m = P(bj);
        for (let i = 0; i < nin; i++) {
          const w = W.offset + j * nin + i;
          ops += (P(w) + eP[w]!) * (inAbs[i]! + inErr[i]!);
          prop += P(w) * inErr[i]! + eP[w]! * inAbs[i]! + eP[w]! * inErr[i]!;
          m += P(w) * inMag[i]!;
        }
        t.eZ[j] = prop + rounding(nin + 1, ops);
        t.mZ[j] = m;
        if (l > L) continue;
        const f = activationError(act, z[r * nout + j]!, t.eZ[j]!, m);
        [t.absA[j], t.eA[j], t.mA[j]] = [Math.abs(f.a1), f.e, f.mag];
      }
    }
    // The output unit and δ_{L+1}.
    const out = st[L]!;
    const zOut = cache.z[L]![r]!;
    const o =
      model.output === 'sigmoid'
        ? sigmoidError(zOut, out.eZ[0]!, out.mZ[0]!)
        : { yHat: zOut, e: out.eZ[0]!, mag: out.mZ[0]! };
    const dOut = outputDeltaError(model.output, loss, o.yHat, o.e, o.mag, y[n]!, f32Error(y[n]!), B);
    [out.eD[0], out.mD[0], out.tD[0]] = [dOut.e, dOut.mag, 0];
    if (s) {
      put(s.output.z, r, zOut, out.mZ[0]!, out.eZ[0]!);
      put(s.output.yHat, r, o.yHat, o.mag, o.e);
      put(s.output.delta, r, back.delta[L]![r]!, dOut.mag, dOut.e);
    }
    // Backward: each layer's gradient terms, then da_{l−1} = W_lᵀ δ_l (n_l terms) and δ_{l−1} through the gate.
    for (let l = L + 1; l >= 1; l--) {
      const { W, b, nin, nout } = layers[l - 1]!;
      const t = st[l - 1]!;
      const dl = back.delta[l - 1]!;
      const [inAbs, inErr, inMag] = input(l);
      for (let j = 0; j < nout; j++) {
        const [g, eg, mg] = [dl[r * nout + j]!, t.eD[j]!, t.mD[j]!];
        if (t.tD[j]) tainted[l - 1]![j] = 1;
        accumulate(acc, b.offset + j, g, eg, mg, 1, 0, 1); // db_l[j] = Σ_r δ_l[j]
        for (let i = 0; i < nin; i++) {
          accumulate(acc, W.offset + j * nin + i, g, eg, mg, inAbs[i]!, inErr[i]!, inMag[i]!); // Σ_r δ_l[j]·a_{l−1}[i]
        }
      }
      if (l === 1) break;
      const lower = st[l - 2]!;
      const [z, a, da, delta] = [cache.z[l - 2]!, cache.a[l - 2]!, back.da[l - 2]!, back.delta[l - 2]!];
      const h = s?.hidden[l - 2];
      for (let j = 0; j < nin; j++) {
        let ops = 0;
        let prop = 0;
        let m = 0;
        let taint = 0;
        for (let k = 0; k < nout; k++) {
          const w = W.offset + k * nin + j;
          const g = Math.abs(dl[r * nout + k]!);
          prop += P(w) * t.eD[k]! + eP[w]! * g + eP[w]! * t.eD[k]!;
          ops += (P(w) + eP[w]!) * (g + t.eD[k]!);
          m += P(w) * t.mD[k]!;
          taint |= t.tD[k]!;
        }
        const k = r * nin + j;
        lower.eDa[j] = prop + rounding(nout, ops);
        lower.mDa[j] = m;
        // NOTE: for ReLU and leaky, where |z| ≤ e_z the f32 gate may take the other side of 0: flagged,
        // and δ's bound admits either side; the layers below inherit that bound, and with it the flag.
        const gate = gateError(act, z[k]!, lower.eZ[j]!, a[k]!, lower.eA[j]!, da[k]!, lower.eDa[j]!);
        if (!gate.sure) uncertain[l - 2]!.add(j);
        lower.eD[j] = gate.eDz1;
        lower.mD[j] = m * gate.mFPrime;
        lower.tD[j] = !gate.sure || (taint === 1 && gate.eDz1 > 0) ? 1 : 0;
        if (h) {
          put(h.z, k, z[k]!, lower.mZ[j]!, lower.eZ[j]!);
          put(h.a, k, a[k]!, lower.mA[j]!, lower.eA[j]!);
          put(h.da, k, da[k]!, m, lower.eDa[j]!);
          put(h.delta, k, delta[k]!, lower.mD[j]!, lower.eD[j]!);
          [h.gateUncertain[k], h.daUncertain[k], h.deltaUncertain[k]] = [gate.sure ? 0 : 1, taint, lower.tD[j]!];
        }
      }
    }
  }

  // Each gradient is a sum of B terms (a product each, for the weights) in any order: at most B + 1 roundings.
  const value = Float64Array.from(back.grads);
  addPenaltyGradient(model, params, l1, l2, value);
  const bound = new Float64Array(layout.size);
  for (let k = 0; k < layout.size; k++) bound[k] = acc.prop[k]! + rounding(B + 1, acc.ops[k]!);
  const gateUncertain = new Uint8Array(layout.size);
  const signUncertain = penaltyBounds(model, params, eP, l1, l2, back.grads, bound, acc.mag, gateUncertain);
  for (let k = 0; k < layout.size; k++) bound[k] *= SLACK;
  const grads: Shadowed = { value, mag: acc.mag, bound };
  layers.forEach(({ W, b, nin, nout }, i) => {
    for (let j = 0; j < nout; j++) {
      if (!tainted[i]![j]) continue;
      gateUncertain.fill(1, W.offset + j * nin, W.offset + (j + 1) * nin);
      gateUncertain[b.offset + j] = 1;
    }
  });
  const result: ModelBounds = {
    grads,
    uncertainUnits: uncertain.map((u) => [...u].sort((p, q) => p - q)),
    signUncertain,
    gateUncertain,
  };
  if (s) result.samples = s;
  return result;
}

/**
 * g = (g_data + λ1·sign(w)) + λ2·w on every weight, in place on `bound` (before SLACK) and `mag`: the data
 * term's bound, λ1's upload rounding (λ1·sign(w) is otherwise exact, or any of −λ1, 0, λ1 where the sign is
 * uncertain), λ2·w's product (mulError) and γ_2 of the three operands for the two additions, in any order.
 * Returns the weights whose sign is uncertain, marked in `mask`.
 */
function penaltyBounds(
  model: Model,
  params: ArrayLike<number>,
  eP: Float64Array,
  l1: number,
  l2: number,
  data: Float64Array,
  bound: Float64Array,
  mag: Float64Array,
  mask: Uint8Array,
): number[] {
  const signUncertain: number[] = [];
  if (l1 === 0 && l2 === 0) return signUncertain;
  const [eL1, eL2] = [f32Error(l1), f32Error(l2)];
  const adds = (l1 > 0 ? 1 : 0) + (l2 > 0 ? 1 : 0);
  for (const { W } of checkModelParams(model, params).layers) {
    for (let k = W.offset; k < W.offset + W.length; k++) {
      const [w, ew] = [params[k]!, eP[k]!];
      let e = bound[k]!;
      let size = Math.abs(data[k]!) + e;
      if (l1 > 0) {
        const sure = Math.abs(w) > ew || (w === 0 && ew === 0);
        if (!sure) (signUncertain.push(k), (mask[k] = 1));
        const p1 = l1 * Math.abs(Math.sign(w));
        const e1 = sure ? (w === 0 ? 0 : eL1) : 2 * l1 + eL1;
        e += e1;
        size += p1 + e1;
        mag[k] += p1;
      }
      if (l2 > 0) {
        const e2 = mulError(l2, eL2, w, ew);
        e += e2;
        size += l2 * Math.abs(w) + e2;
        mag[k] += l2 * Math.abs(w);
      }
      bound[k] = e + rounding(adds, size);
    }
  }
  return signUncertain;
}

function paramErrorOf(params: ArrayLike<number>, given: ArrayLike<number> | undefined, size: number): Float64Array {
  if (given === undefined) return Float64Array.from(Array.from(params, f32Error));
  if (given.length !== size) {
    throw new RangeError(`paramError: expected ${size} values (one per parameter), got ${given.length}`);
  }
  const e = Float64Array.from(given);
  const bad = e.findIndex((v) => !(v >= 0)); // +Infinity is allowed: a chained bound that has become vacuous
  if (bad >= 0) throw new RangeError(`paramError[${bad}] is ${e[bad]}, must be a number ≥ 0`);
  return e;
}

/** One term a·b of a gradient's sum: its propagated error, its f32 operands' size, and its shadow. */
function accumulate(
  acc: Accumulator,
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
