/**
 * Bounds for SGD steps on the GPU (src/mlp/bounds/bounds-model.ts has the forward and backward pass):
 * θ' = θ − lr·g, one product and one difference in f32.
 */
import type { LossKind } from '../../engine/losses.js';
import type { Dataset } from '../data/data.js';
import { type Model, oneLayerModel } from '../model.js';
import type { Objective } from '../objective.js';
import type { Net } from '../reference.js';
import { shadowBoundsModel } from './bounds-model.js';
import { f32Error, mulError, rounding, SLACK } from './f32-error.js';

/**
 * One SGD step θ' = θ − lr·g of the general network over the batch `rows` (default all), with its bound:
 * the GPU's θ'_f32 is within `error` of θ' when its θ was within `paramError` of θ, and its g was computed
 * as bounds-model.ts states (the penalty's gradient included). e' = e_θ + |lr|·e_g + e_lr·|g| + (rounding
 * of the product and the difference). `gateUncertain` marks the parameters whose g admits either side of an
 * uncertain gate or sign. Chained over T steps this bounds a whole trajectory; it grows with T wherever the
 * loss surface amplifies differences, so it is only tight for a few steps.
 */
export function sgdStepBoundsModel(
  model: Model,
  params: ArrayLike<number>,
  paramError: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  lr: number,
  rows?: ArrayLike<number>,
): { params: Float64Array; error: Float64Array; gateUncertain: Uint8Array } {
  const opts = rows === undefined ? { paramError } : { paramError, rows };
  const b = shadowBoundsModel(model, params, data, objective, opts);
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
  return { params: next, error, gateUncertain: b.gateUncertain };
}

/** One SGD step of the 2-layer network (σ output, no penalty, the full batch): sgdStepBoundsModel at L = 1. */
export function sgdStepBounds(
  spec: Net,
  params: ArrayLike<number>,
  paramError: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  lr: number,
): { params: Float64Array; error: Float64Array } {
  const { params: next, error } = sgdStepBoundsModel(oneLayerModel(spec), params, paramError, data, { loss }, lr);
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
  let state: { params: Float64Array; error: Float64Array } = {
    params: Float64Array.from(start),
    error: Float64Array.from(start, f32Error),
  };
  for (let t = 0; t < steps; t++) state = sgdStepBounds(spec, state.params, state.error, data, loss, lr);
  return state;
}
