/**
 * What every GPU trainer checks before it makes anything, each error naming the field, its value and the allowed
 * range, so nothing is half-made. The checks without a device are the CPU trainers' (src/mlp/checks.ts, in f32, so
 * both refuse the same input with the same words); here are the device's.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import * as shared from '../mlp/checks.js';
import type { Dataset } from '../mlp/data/data.js';
import { formatHidden } from '../mlp/model.js';
import type { Spec } from '../mlp/spec.js';
import { GpuError, lostError } from './device.js';
import type { KernelSupport, NetworkShape, OneLayerConfig, TrainerConfig } from './contract.js';

export { checkCount, checkSteps } from '../mlp/checks.js';

const F32 = { f32: true } as const;
const NOT_UPLOADED = '; nothing was uploaded';

/** Refuses NaN, ±Infinity and values beyond f32's range (±3.4e38) before anything is uploaded. */
export function checkUploadable(name: string, xs: ArrayLike<number>): void {
  shared.checkFinite(name, xs, F32, NOT_UPLOADED);
}

/** A learning rate must be a finite number above 0, within f32's range. */
export function checkLearningRate(name: string, lr: number): void {
  shared.checkLearningRate(name, lr, F32);
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
 * Checks the fields every trainer takes (src/mlp/checks.ts: the data's shape,
 * labels in [0, 1], the width, the loss, the activation), then the workgroup size against this device.
 */
export function checkTrainerInput(device: GPUDevice, input: TrainerInput): void {
  shared.checkNetworkFields(input);
  checkWorkgroupSize(device, input.workgroupSize);
}

/** Refuses a workgroup size this device cannot run, naming its limits. */
export function checkWorkgroupSize(device: GPUDevice, workgroupSize: number | undefined): void {
  if (workgroupSize === undefined) return;
  const max = Math.min(device.limits.maxComputeWorkgroupSizeX, device.limits.maxComputeInvocationsPerWorkgroup);
  if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > max) {
    const limits = "this device's maxComputeWorkgroupSizeX and maxComputeInvocationsPerWorkgroup";
    throw new RangeError(`workgroupSize must be an integer in [1, ${max}] (${limits}), got ${workgroupSize}`);
  }
}

/** Checks initial parameters: P values for this d and H, each a finite f32. */
export function checkParams(spec: Spec, params: ArrayLike<number>): void {
  shared.checkParams(spec, params, F32, NOT_UPLOADED);
}

/**
 * Everything a one-network trainer checks before it makes anything: the device
 * is alive, the checks every trainer makes (src/mlp/checks.ts, in f32), and the
 * workgroup size against this device. Returns the network's shape.
 */
export async function checkNetworkOptions(
  device: GPUDevice,
  options: OneLayerConfig & { workgroupSize?: number },
  label: string,
): Promise<Spec> {
  await checkDeviceAlive(device, label);
  const spec = shared.checkNetworkInput(options, F32, NOT_UPLOADED);
  checkWorkgroupSize(device, options.workgroupSize);
  return spec;
}

/** What the one-hidden-layer kernels train: one hidden layer, the σ output, the full batch, no penalty. */
export const ONE_LAYER: KernelSupport = Object.freeze({
  layers: 1,
  outputs: Object.freeze(['sigmoid'] as const),
  miniBatch: false,
  penalty: false,
});

/** Why a kernel that supports `support` cannot train `shape` (one phrase per setting), or null where it can. */
export function unsupported(support: KernelSupport, shape: NetworkShape): string | null {
  const { hidden = [shape.H], output = 'sigmoid', batch = shape.N, l1 = 0, l2 = 0 } = shape;
  const why: string[] = [];
  if (hidden.length > support.layers)
    why.push(support.layers === 1 ? 'one hidden layer only' : `at most ${support.layers} hidden layers`);
  if (!support.outputs.includes(output)) why.push(`the ${support.outputs.join(' or ')} output only`);
  if (!support.miniBatch && batch < shape.N) why.push('the full batch only');
  if (!support.penalty && (l1 !== 0 || l2 !== 0)) why.push('no L1/L2 penalty');
  return why.length ? why.join(', ') : null;
}

/**
 * Refuses, in a one-hidden-layer kernel's create(), any setting it would otherwise ignore: a list of widths,
 * the identity output, a mini-batch, a penalty. The error names each and the kernel that trains them.
 */
export function checkOneLayer(config: TrainerConfig, kernel: string): void {
  const { hidden, output, batch, l1, l2, data } = config;
  const got: string[] = [];
  if (typeof hidden !== 'number') {
    const list = Array.isArray(hidden) ? formatHidden(hidden) : String(hidden);
    got.push(`hidden=${list} (it takes one width, a number)`);
  }
  if (output !== undefined && output !== 'sigmoid') got.push(`output ${String(output)} (the sigmoid output only)`);
  if (batch !== undefined && batch !== data?.N)
    got.push(`batch ${String(batch)} (the full batch only, N = ${data?.N})`);
  for (const [name, v] of [
    ['l1', l1],
    ['l2', l2],
  ] as const)
    if (v !== undefined && v !== 0) got.push(`${name} ${String(v)} (no L1/L2 penalty)`);
  if (got.length)
    throw new RangeError(
      `kernel ${kernel} trains one hidden layer with the sigmoid output on the full batch without a penalty; ` +
        `got ${got.join(', ')}: kernel layers trains it (createTrainer picks it)`,
    );
}
