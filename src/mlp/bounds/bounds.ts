/**
 * Per-element error bounds for the f32 kernels, derived by running a magnitude
 * shadow beside the f64 oracle (docs/checking.md, "Error bounds for the f32
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
import type { Dataset } from '../data/data.js';
import { oneLayerModel } from '../model.js';
import type { Net } from '../reference.js';
import { type BoundOptions, type Shadowed, shadowBoundsModel } from './bounds-model.js';
import { DIV, ETA, expError, f32Error, gamma, mulError, rounding, SLACK, U } from './f32-error.js';

export { DIV, ETA, expError, f32Error, gamma, mulError, rounding, SLACK, U };
export type { BoundOptions, Shadowed };

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

/**
 * The 2-layer network's bounds (σ output, no penalty, the full batch): the general network's
 * (./bounds-model.ts) at L = 1, under the names z1, a1, z2, yHat, dz2, da1, dz1.
 */
export function shadowBounds(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  opts: BoundOptions = {},
): Bounds {
  const b = shadowBoundsModel(oneLayerModel(spec), params, data, { loss }, opts);
  const out: Bounds = { grads: b.grads, uncertainUnits: b.uncertainUnits[0]!, gateUncertain: b.gateUncertain };
  if (b.samples) {
    const h = b.samples.hidden[0]!;
    const o = b.samples.output;
    const { gateUncertain } = h;
    out.samples = { z1: h.z, a1: h.a, z2: o.z, yHat: o.yHat, dz2: o.delta, da1: h.da, dz1: h.delta, gateUncertain };
  }
  return out;
}
