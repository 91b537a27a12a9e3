/**
 * Bounds for SGD steps on the GPU (src/mlp/bounds/bounds.ts has the forward and backward pass):
 * θ' = θ − lr·g, one product and one difference in f32.
 */
import type { LossKind } from '../../engine/losses.js';
import { f32Error, mulError, rounding, shadowBounds, SLACK } from './bounds.js';
import type { Dataset } from '../data/data.js';
import type { Net } from '../reference.js';

/**
 * One SGD step θ' = θ − lr·g with its bound: the GPU's θ'_f32 is within `error` of θ' when its θ
 * was within `paramError` of θ. e' = e_θ + |lr|·e_g + e_lr·|g| + (rounding of the product and the
 * difference). Chained over T steps this bounds a whole trajectory; it grows with T wherever the
 * loss surface amplifies differences, so it is only tight for a few steps.
 */
export function sgdStepBounds(
  spec: Net,
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
  spec: Net,
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
