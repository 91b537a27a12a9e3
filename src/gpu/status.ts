/**
 * The status word every kernel keeps (shaders/lib/status.wgsl, shaders/lib/common.wgsl): steps done, the first step
 * that went non-finite and a fault code naming the element, decoded here into the TrainingDivergedError every trainer
 * throws.
 */
import { FAULT_KINDS, type Fault, TrainingDivergedError } from '../mlp/divergence.js';
import type { Spec } from '../mlp/spec.js';
import { GpuError } from './device.js';

/** badStep's and a fault code's "nothing went wrong" (NO_FAULT in shaders/lib/common.wgsl). */
export const NO_FAULT = 0xffff_ffff;

/**
 * A fault code of shaders/lib/common.wgsl (kind in bits 30–31, index in 2–29, value
 * in 0–1: NaN, +∞, −∞) at a step, as a Fault.
 */
export function decodeFault(step: number, code: number): Fault {
  const kind = FAULT_KINDS[code >>> 30];
  if (!kind) throw new GpuError('internal', `status word: fault code 0x${code.toString(16)} has no kind`);
  const value = [Number.NaN, Infinity, -Infinity][code & 3] ?? Number.NaN;
  return { step, kind, index: (code >>> 2) & 0x0fff_ffff, value, precision: 'f32' };
}

/** The error for a status [steps done, badStep, badWhere], or null when no step failed. */
export function statusError(
  spec: Pick<Spec, 'd' | 'H'>,
  badStep: number,
  badWhere: number,
): TrainingDivergedError | null {
  if (badStep === NO_FAULT) return null;
  return new TrainingDivergedError(decodeFault(badStep, badWhere), spec);
}

/** The most steps a run may start from (a run continued from a file): the status word counts in u32. */
export const FROM_STEP_MAX = 2 ** 31 - 1;

/** A run's first step count, checked: an integer in [0, FROM_STEP_MAX] (0 where absent). */
export function checkFromStep(fromStep: number | undefined): number {
  const s = fromStep ?? 0;
  if (!Number.isInteger(s) || s < 0 || s > FROM_STEP_MAX)
    throw new RangeError(`fromStep must be an integer in [0, ${FROM_STEP_MAX}], got ${String(fromStep)}`);
  return s;
}

/** A fresh status: `steps` done (0 for a new run), then NO_FAULT in every other word. */
export function freshStatus(words: number, steps = 0): Uint32Array {
  return Uint32Array.from({ length: words }, (_, i) => (i === 0 ? steps : NO_FAULT));
}

/** The mean loss L = (1/N) Σ_n ℓ_n of per-sample losses read back (f32), summed in f64. */
export function meanLoss(losses: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < losses.length; i++) s += losses[i]!;
  return s / losses.length;
}
