/**
 * Training hyperparameters: their allowed ranges, stated once, and the one check
 * every entry point (CLI, page, tests) uses. Errors name the field and its range.
 */
import { checkActivation, type HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { checkLoss } from './checks.js';
import { SEED_MAX } from './rng.js';
import { SPEC_LIMITS } from './spec.js';

export interface TrainConfig {
  /** Hidden width H. */
  hidden: number;
  /** SGD learning rate. */
  lr: number;
  /** Number of full-batch SGD steps; 0 gives the initial state alone. */
  steps: number;
  /** Seed of the initial parameters. */
  seed: number;
  loss: LossKind;
  /** Hidden activation f (src/engine/activation.ts). */
  activation: HiddenActivation;
}

/** The defaults: a 2-8-1 network that learns XOR from seed 1 (tests/train.test.ts checks it). */
export const DEFAULTS: TrainConfig = { hidden: 8, lr: 0.5, steps: 2000, seed: 1, loss: 'bce', activation: 'relu' };

export const LIMITS = {
  hidden: { min: SPEC_LIMITS.H.min, max: SPEC_LIMITS.H.max, integer: true },
  lr: { min: 0, max: 1000, integer: false, exclusiveMin: true },
  steps: { min: 0, max: 100_000_000, integer: true },
  seed: { min: 0, max: SEED_MAX, integer: true },
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

/** Checks every field; throws a RangeError naming the first bad one. */
export function checkConfig(config: TrainConfig): TrainConfig {
  for (const field of Object.keys(LIMITS) as NumericField[]) {
    const v = config[field];
    if (typeof v !== 'number' || !inRange(field, v)) {
      throw new RangeError(`${field} must be ${describeRange(field)}, got ${String(v)}`);
    }
  }
  checkLoss(config.loss);
  checkActivation('activation', config.activation);
  return config;
}
