/** Checks and creation steps every GPU trainer shares. */
import type { LossKind } from '../engine/losses.js';
import { GpuError } from './device.js';

/** The loss as the kernels' `override LOSS: u32` (0 BCE from the logit, 1 MSE) and the workgroup size: the one place they are encoded. */
export function pipelineConstants(loss: LossKind, workgroupSize: number): { LOSS: number; WG: number } {
  return { LOSS: loss === 'bce' ? 0 : 1, WG: workgroupSize };
}

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

/** A compute pipeline, labelled `${label}.${entryPoint}.pipeline`, whose creation error names it. */
export async function makePipeline(
  device: GPUDevice,
  label: string,
  layout: GPUPipelineLayout,
  module: GPUShaderModule,
  entryPoint: string,
  constants: Record<string, number>,
): Promise<GPUComputePipeline> {
  const name = `${label}.${entryPoint}.pipeline`;
  try {
    return await device.createComputePipelineAsync({ label: name, layout, compute: { module, entryPoint, constants } });
  } catch (e) {
    throw new GpuError('validation', `${name}: ${(e as Error).message}`);
  }
}
