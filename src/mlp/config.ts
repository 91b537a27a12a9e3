/**
 * Training hyperparameters: their allowed ranges, stated once, and the one check
 * every entry point (CLI, page, tests) uses. Errors name the field and its range.
 */
import { checkActivation, type HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { checkLoss } from './checks.js';
import { checkHidden, checkOutput, MODEL_LIMITS, type Output } from './model.js';
import { checkLossOutput, PENALTY_LIMITS } from './objective.js';
import { SEED_MAX } from './rng.js';
import { SPEC_LIMITS } from './spec.js';

export interface TrainConfig {
  /** Hidden width H of one hidden layer, or the widths H_1..H_L of 1 to 6 hidden layers, input side first. */
  hidden: number | readonly number[];
  /** SGD learning rate. */
  lr: number;
  /** Number of SGD steps; 0 gives the initial state alone. */
  steps: number;
  /** Seed of the initial parameters, and of each epoch's order when batch < N (src/mlp/batches.ts). */
  seed: number;
  loss: LossKind;
  /** Hidden activation f (src/engine/activation.ts). */
  activation: HiddenActivation;
  /** σ for classification (the default) or the identity for regression (loss mse only). */
  output?: Output;
  /** Mini-batch size B in [1, N]; absent, the full batch N. */
  batch?: number;
  /** λ1 and λ2 of the penalty λ1 Σ|w| + (λ2/2) Σ w² over the weights (default 0; src/mlp/objective.ts). */
  l1?: number;
  l2?: number;
}

/** The defaults: a 2-8-1 σ network that learns XOR from seed 1 with BCE on the full batch, no penalty (tests/train.test.ts checks it). */
export const DEFAULTS: TrainConfig & { hidden: number; output: Output; l1: number; l2: number } = {
  hidden: 8,
  lr: 0.5,
  steps: 2000,
  seed: 1,
  loss: 'bce',
  activation: 'relu',
  output: 'sigmoid',
  l1: 0,
  l2: 0,
};

export const LIMITS = {
  /** Each hidden layer's width. */
  hidden: { min: MODEL_LIMITS.width.min, max: MODEL_LIMITS.width.max, integer: true },
  lr: { min: 0, max: 1000, integer: false, exclusiveMin: true },
  steps: { min: 0, max: 100_000_000, integer: true },
  seed: { min: 0, max: SEED_MAX, integer: true },
  /** At most N, the number of training points, which the data fixes (src/mlp/batches.ts, checkBatchSize). */
  batch: { min: 1, max: SPEC_LIMITS.N.max, integer: true },
  l1: { min: PENALTY_LIMITS.min, max: PENALTY_LIMITS.max, integer: false },
  l2: { min: PENALTY_LIMITS.min, max: PENALTY_LIMITS.max, integer: false },
} as const;

export type NumericField = keyof typeof LIMITS;

/** "an integer in [1, 4096]" or "a finite number in (0, 1000]". */
export function describeRange(field: NumericField): string {
  const r: { min: number; max: number; integer: boolean; exclusiveMin?: boolean } = LIMITS[field];
  return `${r.integer ? 'an integer' : 'a finite number'} in ${r.exclusiveMin ? '(' : '['}${r.min}, ${r.max}]`;
}

/** Whether a value is allowed for a field. */
export function inRange(field: NumericField, v: number): boolean {
  const r: { min: number; max: number; integer: boolean; exclusiveMin?: boolean } = LIMITS[field];
  if (!Number.isFinite(v) || (r.integer && !Number.isInteger(v))) return false;
  return (r.exclusiveMin ? v > r.min : v >= r.min) && v <= r.max;
}

/** The hidden widths as a list: [H] for one width. */
export function hiddenList(hidden: number | readonly number[]): readonly number[] {
  return typeof hidden === 'number' ? [hidden] : hidden;
}

/**
 * Checks every field; throws a RangeError naming the first bad one. A list of widths is checked layer by layer
 * (src/mlp/model.ts, checkHidden); the batch's upper end, N, is checked where the data is known.
 */
export function checkConfig<C extends TrainConfig>(config: C): C {
  for (const field of Object.keys(LIMITS) as NumericField[]) {
    const v: unknown = config[field];
    if (v === undefined && (field === 'batch' || field === 'l1' || field === 'l2')) continue; // the defaults
    if (field === 'hidden' && Array.isArray(v)) {
      checkHidden(v, 'hidden');
      continue;
    }
    if (typeof v !== 'number' || !inRange(field, v)) {
      throw new RangeError(`${field} must be ${describeRange(field)}, got ${String(v)}`);
    }
  }
  checkLoss(config.loss);
  checkActivation('activation', config.activation);
  checkLossOutput(config.loss, checkOutput(config.output ?? 'sigmoid'));
  return config;
}
