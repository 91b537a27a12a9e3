/**
 * What every GPU trainer shares, written once: checking what it is given, the
 * destroyed and lost-device guards, turning the kernels' status words into a
 * TrainingDivergedError with the math's names, and recording long runs in
 * bounded submits. (The seed of the trainer core of ../shared/DESIGN.md.)
 */
import { LOSSES, type LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { FAULT_KINDS, type Fault, TrainingDivergedError } from '../mlp/divergence.js';
import { SPEC_LIMITS, type Spec } from '../mlp/spec.js';
import { GpuError, lostError } from './device.js';

/** badStep's and a fault code's "nothing went wrong" (NO_FAULT in shaders/common.wgsl). */
export const NO_FAULT = 0xffff_ffff;

/** At most this many SGD steps go in one command buffer, so a long run never records millions of dispatches at once. */
export const STEPS_PER_SUBMIT = 2048;

/**
 * A fault code of shaders/common.wgsl (kind in bits 30–31, index in 2–29, value
 * in 0–1: NaN, +∞, −∞) at a step, as a Fault.
 */
export function decodeFault(step: number, code: number): Fault {
  const kind = FAULT_KINDS[code >>> 30];
  if (!kind) throw new GpuError('internal', `status word: fault code 0x${code.toString(16)} has no kind`);
  const value = [Number.NaN, Infinity, -Infinity][code & 3] ?? Number.NaN;
  return { step, kind, index: (code >>> 2) & 0x0fff_ffff, value, precision: 'f32' };
}

/** The error for a status [steps done, badStep, badWhere], or null when no step failed. */
export function statusError(spec: Pick<Spec, 'd' | 'H'>, badStep: number, badWhere: number): TrainingDivergedError | null {
  if (badStep === NO_FAULT) return null;
  return new TrainingDivergedError(decodeFault(badStep, badWhere), spec);
}

/**
 * A trainer's lifecycle: after `destroy()` every method says so, and after the
 * device is lost every method says why, instead of recording into the void.
 */
export class Lifecycle {
  private lost: GPUDeviceLostInfo | null = null;
  private destroyed = false;

  constructor(
    device: GPUDevice,
    private readonly label: string,
  ) {
    void device.lost.then((info) => (this.lost = info));
  }

  /** Throws if the trainer cannot run `method`. */
  check(method: string): void {
    if (this.destroyed) throw new GpuError('destroyed', `${this.label}.${method}(): this trainer was destroyed; create a new one`);
    if (this.lost) throw lostError(this.lost);
  }

  destroy(): boolean {
    const first = !this.destroyed;
    this.destroyed = true;
    return first;
  }
}

/** Rejects with the reason when the device is already lost (checked before and after creating a trainer). */
export async function checkDeviceAlive(device: GPUDevice, label: string): Promise<void> {
  const info = await Promise.race([device.lost, new Promise<null>((r) => setTimeout(() => r(null), 0))]);
  if (info) throw new GpuError('lost', `${label}: cannot create a trainer: ${lostError(info).message}`);
}

export interface TrainerInput {
  data: Dataset;
  hidden: number;
  loss: LossKind;
  params?: ArrayLike<number>;
  workgroupSize?: number;
}

/**
 * Checks the fields every trainer takes, each error naming the field and the
 * allowed range: the data's shape (x has N·d values, y has N) and labels in
 * [0, 1], the width, the loss, and the workgroup size against this device.
 */
export function checkTrainerInput(device: GPUDevice, { data, hidden, loss, workgroupSize }: TrainerInput): void {
  const { d, N } = data;
  for (const [name, v] of [['data.d', d], ['data.N', N], ['hidden', hidden]] as const) {
    const { min, max } = SPEC_LIMITS[name === 'hidden' ? 'H' : name === 'data.d' ? 'd' : 'N'];
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  }
  if (data.x?.length !== N * d) throw new RangeError(`data.x must have N·d = ${N}·${d} = ${N * d} values, got ${data.x?.length}`);
  if (data.y?.length !== N) throw new RangeError(`data.y must have N = ${N} labels, got ${data.y?.length}`);
  for (let n = 0; n < N; n++) {
    const t = data.y[n]!;
    if (!(t >= 0 && t <= 1)) throw new RangeError(`data.y[${n}] must be a label in [0, 1], got ${t}`);
  }
  if (!(LOSSES as readonly string[]).includes(loss)) throw new RangeError(`loss must be one of ${LOSSES.join(', ')}, got ${String(loss)}`);
  if (workgroupSize !== undefined) {
    const max = Math.min(device.limits.maxComputeWorkgroupSizeX, device.limits.maxComputeInvocationsPerWorkgroup);
    if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > max) {
      throw new RangeError(`workgroupSize must be an integer in [1, ${max}] (this device's maxComputeWorkgroupSizeX and maxComputeInvocationsPerWorkgroup), got ${workgroupSize}`);
    }
  }
}

/** Checks a step count: an integer ≥ 0. */
export function checkSteps(name: string, steps: number): void {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`${name} must be an integer ≥ 0, got ${steps}`);
}

/**
 * Calls `recordChunk(k)` for chunks of at most `perSubmit` steps, each its own
 * command buffer and submit: bounded recording whatever `steps` is.
 */
export function inChunks(steps: number, perSubmit: number, recordChunk: (k: number) => void): void {
  for (let left = steps; left > 0; left -= perSubmit) recordChunk(Math.min(perSubmit, left));
}

/**
 * Runs `steps` steps as bounded submits, waiting for the GPU after each chunk
 * (so at most one chunk is queued and memory stays flat however long the run)
 * and calling `onChunk` with the steps recorded so far.
 */
export async function runInChunks(
  device: GPUDevice,
  steps: number,
  perSubmit: number,
  recordChunk: (k: number) => void,
  onChunk?: (done: number) => void | Promise<void>,
): Promise<void> {
  let done = 0;
  for (let left = steps; left > 0; left -= perSubmit) {
    const k = Math.min(perSubmit, left);
    recordChunk(k);
    done += k;
    await device.queue.onSubmittedWorkDone();
    await onChunk?.(done);
  }
}
