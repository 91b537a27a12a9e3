/**
 * Per-element error bounds on gradients computed in f64 by a CPU trainer (src/mlp/train/train-fast.ts), for checking
 * one against the oracle as the page checks the GPU: the f32 bounds of ./bounds-model.ts with f64's unit roundoff.
 *
 * Why scaling is sound: every term of those bounds is first order in the unit roundoff u (γ_n = n·u/(1 − n·u) on each
 * sum, a few u on each product, quotient and f; docs/derivation.md), with u = 2⁻²⁴ for f32. The same operations in
 * f64 have u = 2⁻⁵³, so each term shrinks by 2⁻²⁹ (γ_n's denominator only gets closer to 1); the parameters are the
 * trainer's own f64 values, so there is no upload rounding (paramError 0). Math.exp, log1p and tanh are within a
 * few ulps in every engine, as the f32 model allows the GPU's. FastTrainer's arithmetic is the oracle's, in the same
 * order, so an honest trainer's gradients differ from the oracle's by 0, far inside this bound; a broken rule moves a
 * gradient by a share of its own size, far outside it (tests/bugs.test.ts).
 */
import type { Dataset } from '../data/data.js';
import type { Model } from '../model.js';
import type { Objective } from '../objective.js';
import { type ModelBounds, shadowBoundsModel } from './bounds-model.js';

/** u(f64) / u(f32) = 2⁻⁵³ / 2⁻²⁴. */
export const F64_OVER_F32 = 2 ** -29;

/** The f64 bounds at `params` over every row of `data`: shadowBoundsModel's, scaled to f64's unit roundoff. */
export function f64BoundsModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
): ModelBounds {
  const b = shadowBoundsModel(model, params, data, objective, { paramError: new Float64Array(params.length) });
  const bound = b.grads.bound.map((e) => e * F64_OVER_F32);
  return { ...b, grads: { ...b.grads, bound } };
}
