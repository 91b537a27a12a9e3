/**
 * What the two many-models trainers share (./many.ts, and ./many-reg.ts with the data in workgroup memory): their
 * dispatches, each with its own uniform values, and the readback of every model's results and status words.
 */
import { checkCount, checkSteps } from './gpu-checks.js';
import { dispatchChunks } from './core.js';
import { MANY_RESULT_WORDS, MANY_STATUS_WORDS } from './shaders.js';
import type { StagingPool } from './staging.js';

/** Dispatches per command buffer in `train`: a long run is submitted in pieces of this many. */
export const MANY_DISPATCHES_PER_SUBMIT = 64;

/**
 * Records `steps` SGD steps of every model as dispatches of at most
 * `stepsPerDispatch` steps (keep a dispatch short for browser watchdogs),
 * MANY_DISPATCHES_PER_SUBMIT to a command buffer, each buffer recorded by
 * `record`; a run not yet initialised gets a dispatch even for 0 steps (it
 * draws the initial parameters).
 */
export function trainModels(
  steps: number,
  stepsPerDispatch: number,
  initialised: boolean,
  record: (chunks: readonly number[]) => void,
): void {
  checkSteps('steps', steps);
  checkCount('stepsPerDispatch', stepsPerDispatch);
  const chunks = dispatchChunks(steps, stepsPerDispatch, initialised);
  for (let i = 0; i < chunks.length; i += MANY_DISPATCHES_PER_SUBMIT)
    record(chunks.slice(i, i + MANY_DISPATCHES_PER_SUBMIT));
}

export interface UniformDispatch {
  /** The uniform's values for this dispatch. */
  values: Uint32Array;
  /** Workgroups in x and y. */
  groups: readonly [number, number];
}

/**
 * One command buffer with one dispatch per entry of `dispatches`. Each needs
 * its own uniform values, and writeBuffer lands before the submit, so every
 * dispatch gets a small upload buffer copied into `uniform` in order inside
 * the encoder; the uploads are freed once the submitted work is done.
 */
export function submitUniformDispatches(
  core: { device: GPUDevice; label: string; buffers: { run: GPUBuffer } },
  pipeline: GPUComputePipeline,
  bindGroup: GPUBindGroup,
  dispatches: readonly UniformDispatch[],
): void {
  const { device, label } = core;
  const run = core.buffers.run;
  const encoder = device.createCommandEncoder({ label: `${label}.train` });
  const uploads: GPUBuffer[] = [];
  for (const { values, groups } of dispatches) {
    const upload = device.createBuffer({
      label: `${label}.run.upload`,
      size: run.size,
      usage: GPUBufferUsage.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint32Array(upload.getMappedRange()).set(values);
    upload.unmap();
    uploads.push(upload);
    encoder.copyBufferToBuffer(upload, 0, run, 0, run.size);
    const pass = encoder.beginComputePass({ label: `${label}.pass` });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...groups);
    pass.end();
  }
  device.queue.submit([encoder.finish()]);
  for (const u of uploads) u.destroy();
}

/** Each model's result words (loss, accuracy, diverged, steps) as columns; status words [steps, badStep, badWhere]. */
export async function readModelWords(
  core: { staging: StagingPool; buffers: { results: GPUBuffer; status: GPUBuffer } },
  models: number,
): Promise<{ column: (k: number) => Float32Array; status: (m: number) => [number, number, number] }> {
  const { results, status } = core.buffers;
  const [raw, rawStatus] = await core.staging.read([
    { buffer: results, offset: 0, size: 4 * MANY_RESULT_WORDS * models },
    { buffer: status, offset: 0, size: 4 * MANY_STATUS_WORDS * models },
  ]);
  const r = new Float32Array(raw!);
  const words = new Uint32Array(rawStatus!);
  return {
    column: (k) => Float32Array.from({ length: models }, (_, m) => r[m * MANY_RESULT_WORDS + k]!),
    status: (m) => [
      words[m * MANY_STATUS_WORDS]!,
      words[m * MANY_STATUS_WORDS + 1]!,
      words[m * MANY_STATUS_WORDS + 2]!,
    ],
  };
}
