/**
 * What every GPU trainer checks before it makes anything, each error naming
 * the field, its value and the allowed range, so nothing is half-made.
 */
import { checkActivation, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data/data.js';
import { makeSpec, paramLayout, SPEC_LIMITS, type Spec } from '../mlp/spec.js';
import { GpuError, lostError } from './device.js';
import type { TrainerConfig } from './contract.js';

/** Refuses NaN, ±Infinity and values beyond f32's range (±3.4e38) before anything is uploaded. */
export function checkUploadable(name: string, xs: ArrayLike<number>): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(Math.fround(xs[i]!))) {
      throw new RangeError(`${name}[${i}] is ${xs[i]}, must be a finite f32 (|v| < 3.4e38); nothing was uploaded`);
    }
  }
}

/** A learning rate must be a finite f32 above 0. */
export function checkLearningRate(name: string, lr: number): void {
  if (!(lr > 0) || !Number.isFinite(Math.fround(lr))) throw new RangeError(`${name} must be a finite number > 0, got ${lr}`);
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
  /** The hidden activation f (default 'relu'). */
  activation?: HiddenActivation;
  params?: ArrayLike<number>;
  workgroupSize?: number;
}

/**
 * Checks the fields every trainer takes, each error naming the field and the
 * allowed range: the data's shape (x has N·d values, y has N) and labels in
 * [0, 1], the width, the loss, the activation, and the workgroup size against this device.
 */
export function checkTrainerInput(device: GPUDevice, { data, hidden, loss, activation, workgroupSize }: TrainerInput): void {
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
  if (activation !== undefined) checkActivation('activation', activation);
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


/** Checks initial parameters: P values for this d and H, each a finite f32. */
export function checkParams(spec: Spec, params: ArrayLike<number>): void {
  const P = paramLayout(spec).size;
  if (params.length !== P) throw new RangeError(`params: expected ${P} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
  checkUploadable('params', params);
}

/** Checks that an optional count (steps per dispatch, per submit, chunk) is an integer ≥ 1. */
export function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${n}`);
}

/**
 * Everything a one-network trainer checks before it makes anything: the device
 * is alive, the fields every trainer takes, P finite f32 parameters for this
 * d and H, the learning rate, and finite f32 data. Returns the network's shape.
 */
export async function checkNetworkOptions(device: GPUDevice, options: TrainerConfig & { workgroupSize?: number }, label: string): Promise<Spec> {
  const { data, params, hidden, lr } = options;
  await checkDeviceAlive(device, label);
  checkTrainerInput(device, options);
  const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
  checkParams(spec, params);
  checkLearningRate('lr', lr);
  checkUploadable('data.x', data.x);
  checkUploadable('data.y', data.y);
  return spec;
}
