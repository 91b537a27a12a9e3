/**
 * What training minimises, stated once for every trainer:
 *
 *   L_total = L_data + R,   over a batch of B samples (B = N for the full batch)
 *   L_data  = (1/B) Σ_n ℓ_n
 *     BCE (sigmoid output only): ℓ = softplus(z) − y·z, from the logit z = z_{L+1}
 *     MSE (either output):       ℓ = (ŷ − y)², unhalved, with ŷ = σ(z) or ŷ = z
 *   R = λ1 Σ|w| + (λ2/2) Σ w²   over the weights of every W_l (never the biases)
 *
 * MSE keeps one form for both outputs: the sigmoid output's (ŷ − y)² is the one
 * the docs and tests already quote, and a halved form for regression alone would
 * make the same word mean two losses. Its output signal is then
 * δ_{L+1} = 2(ŷ − y)/B for the identity and 2(ŷ − y)·σ′(z)/B for σ; BCE's is (ŷ − y)/B.
 *
 * The penalty is not divided by B: it is a property of the parameters, added once
 * per step whatever the batch. Its gradient is λ1·sign(w) + λ2·w, with sign(0) = 0:
 * a weight at exactly 0 gets no push from L1 (the subgradient 0).
 */
import { LOSSES, type LossKind } from '../engine/losses.js';
import type { ModelShape, Output } from './model.js';
import { modelLayout } from './model.js';

export interface Objective {
  loss: LossKind;
  /** λ1 ≥ 0, the L1 penalty's weight (default 0). */
  l1?: number;
  /** λ2 ≥ 0, the L2 penalty's weight (default 0). */
  l2?: number;
}

/** λ1 and λ2: finite, at least 0 (0 turns the term off); the top of the range keeps a step's push bounded. */
export const PENALTY_LIMITS = { min: 0, max: 1000 } as const;

/** Checks the loss against the output and both penalty weights; the error names the field and why. */
export function checkObjective(output: Output, objective: Objective): Required<Objective> {
  const { loss } = objective;
  if (!(LOSSES as readonly string[]).includes(loss)) {
    throw new RangeError(`loss must be one of ${LOSSES.join(', ')}, got ${String(loss)}`);
  }
  checkLossOutput(loss, output);
  return { loss, l1: checkPenalty('l1', objective.l1 ?? 0), l2: checkPenalty('l2', objective.l2 ?? 0) };
}

/** BCE needs σ: it compares probabilities, and with the identity output ŷ = z is not one. */
export function checkLossOutput(loss: LossKind, output: Output): void {
  if (loss === 'bce' && output !== 'sigmoid') {
    throw new RangeError(
      `loss bce needs output sigmoid, got output ${output}: cross-entropy compares probabilities, and the identity ` +
        'output ŷ = z is not one (it can be negative or above 1); use loss mse for regression',
    );
  }
}

export function checkPenalty(field: 'l1' | 'l2', v: unknown): number {
  const { min, max } = PENALTY_LIMITS;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new RangeError(`${field} must be a finite number in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** R = λ1 Σ|w| + (λ2/2) Σ w² over the weights (0 when both λ are 0). */
export function penaltyValue(shape: ModelShape, params: ArrayLike<number>, l1: number, l2: number): number {
  if (l1 === 0 && l2 === 0) return 0;
  let abs = 0;
  let sq = 0;
  for (const { W } of modelLayout(shape).layers) {
    for (let k = W.offset; k < W.offset + W.length; k++) {
      const w = params[k]!;
      abs += Math.abs(w);
      sq += w * w;
    }
  }
  return l1 * abs + (l2 / 2) * sq;
}

/** grads += ∂R/∂w = λ1·sign(w) + λ2·w on every weight, in place; sign(0) = 0. Biases untouched. */
export function addPenaltyGradient(
  shape: ModelShape,
  params: ArrayLike<number>,
  l1: number,
  l2: number,
  grads: Float64Array,
): void {
  if (l1 === 0 && l2 === 0) return;
  for (const { W } of modelLayout(shape).layers) {
    for (let k = W.offset; k < W.offset + W.length; k++) {
      const w = params[k]!;
      grads[k]! += l1 * Math.sign(w) + l2 * w;
    }
  }
}
