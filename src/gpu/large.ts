/**
 * The large-batch path (shaders/large.wgsl): one network on up to a million
 * points and up to 1,024 hidden units, without the step kernels' N×H cache.
 * Its own part: gradients summed per chunk of samples, then across chunks,
 * four dispatches per SGD step whatever N is, and the sizes that follow
 * (LARGE_MAX_D, the partial sums). Same interface as GpuTrainer for training;
 * creation, bounded submits, the status word and the guards are the trainer
 * core's (./core.ts).
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { makeSpec, paramLayout, type Spec } from '../mlp/spec.js';
import { checkCount, checkDeviceAlive, checkLearningRate, checkParams, checkSteps, checkTrainerInput, checkUploadable } from './checks.js';
import { STEPS_PER_SUBMIT, TrainerCore } from './core.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkBufferFits, checkWorkgroupCount } from './limits.js';
import { LARGE_BINDINGS, LARGE_ENTRY_POINTS, LARGE_MAX_D, type LargeBindingName, packHyper, SHADERS, STATUS_WORDS } from './shaders.js';
import { freshStatus } from './status.js';

type Entry = (typeof LARGE_ENTRY_POINTS)[number];

export interface LargeOptions {
  data: Dataset;
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  /** The hidden activation f (default 'relu'); shaders/common.wgsl's ACT. */
  activation?: HiddenActivation;
  /** Samples per chunk in the partial sums; default 1024. */
  chunk?: number;
  label?: string;
}

/** The override constants of shaders/large.wgsl. */
export function largeConstants(spec: Spec, loss: LossKind, workgroupSize: number, chunk: number, activation: HiddenActivation): Record<string, number> {
  return { ...paramConstants(spec), ...pipelineConstants(loss, workgroupSize, activation), CHUNK: chunk, CHUNKS: Math.ceil(spec.N / chunk), STRIDE: largeChunkFloats(spec) };
}

/** Floats in one chunk's partial sums (STRIDE in shaders/large.wgsl): dW1[j] (d), db1[j], dW2[j] per unit, then db2. */
export function largeChunkFloats({ d, H }: Pick<Spec, 'd' | 'H'>): number {
  return H * (d + 2) + 1;
}

/** Workgroups (x, y) of each phase: one invocation per sample, per (unit, chunk), per parameter. */
function largeWorkgroups(spec: Spec, wg: number, chunks: number): Record<Entry, [number, number]> {
  const P = paramLayout(spec).size;
  return {
    largeForward: [Math.ceil(spec.N / wg), 1],
    largePartials: [Math.ceil(spec.H / wg), chunks],
    largeReduce: [Math.ceil(P / wg), 1],
    largeSgd: [Math.ceil(P / wg), 1],
  };
}

export class LargeBatchTrainer {
  private readonly bindGroup: GPUBindGroup;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly label: string,
    private readonly core: TrainerCore<LargeBindingName, Entry>,
    private readonly groups: Record<Entry, [number, number]>,
  ) {
    this.bindGroup = core.bindGroup();
  }

  static async create(device: GPUDevice, options: LargeOptions): Promise<LargeBatchTrainer> {
    const { data, params, hidden, lr, loss } = options;
    const label = options.label ?? 'large';
    const chunk = options.chunk ?? 1024;
    const wg = 64;
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    if (spec.d > LARGE_MAX_D) throw new RangeError(`the large-batch path takes d ≤ ${LARGE_MAX_D} (a private array per invocation), got d=${spec.d}`);
    checkCount('chunk', chunk);
    checkParams(spec, params);
    checkLearningRate('lr', lr);
    for (const [name, xs] of [['data.x', data.x], ['data.y', data.y]] as const) checkUploadable(name, xs);
    const constants = largeConstants(spec, loss, wg, chunk, options.activation ?? 'relu');
    const chunks = constants.CHUNKS!;
    const partialFloats = chunks * largeChunkFloats(spec);
    checkBufferFits(device.limits, 'x (N·d floats)', 4 * data.x.length, 'lower N or d');
    checkBufferFits(device.limits, 'the chunk partial sums', 4 * partialFloats, 'use a larger chunk or a smaller N or H');
    const P = paramLayout(spec).size;
    const groups = largeWorkgroups(spec, wg, chunks);
    for (const [entry, [gx, gy]] of Object.entries(groups)) checkWorkgroupCount(device.limits, entry, Math.max(gx, gy), 'use a larger chunk or a smaller N');
    const core = await TrainerCore.create(device, {
      label,
      shader: SHADERS.large,
      bindings: LARGE_BINDINGS,
      entryPoints: LARGE_ENTRY_POINTS,
      constants,
      buffers: {
        hyper: { bytes: packHyper({ lr }).byteLength, role: 'uniform', init: packHyper({ lr }) },
        params: { bytes: 4 * P, role: 'state', init: Float32Array.from(params) },
        x: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
        y: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
        perSample: { bytes: 8 * data.N, role: 'output' },
        partials: { bytes: 4 * partialFloats, role: 'scratch' },
        grads: { bytes: 4 * P, role: 'output' },
        status: { bytes: 4 * STATUS_WORDS, role: 'state', init: freshStatus(STATUS_WORDS) },
        next: { bytes: 4 * P, role: 'scratch' },
      },
    });
    return new LargeBatchTrainer(device, spec, label, core, groups);
  }

  /** Records k SGD steps, four dispatches each, at most STEPS_PER_SUBMIT steps per command buffer. */
  step(k = 1): void {
    this.core.check('step');
    checkSteps('steps', k);
    this.core.record(k, STEPS_PER_SUBMIT, (c) => this.record(c, LARGE_ENTRY_POINTS));
  }

  /** k SGD steps in chunks, waiting for the GPU after each: flat memory for any k. */
  async run(k: number, { stepsPerSubmit = STEPS_PER_SUBMIT, onChunk }: { stepsPerSubmit?: number; onChunk?: (steps: number) => void | Promise<void> } = {}): Promise<void> {
    this.core.check('run');
    checkSteps('steps', k);
    checkCount('stepsPerSubmit', stepsPerSubmit);
    await this.core.run(k, stepsPerSubmit, (c) => this.record(c, LARGE_ENTRY_POINTS), onChunk);
  }

  /** The mean loss of the last forward pass and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    const { status, perSample } = this.core.buffers;
    const N = this.spec.N;
    return this.core.readStatus(this.spec, { buffer: status, offset: 0, size: 4 * STATUS_WORDS }, { buffer: perSample, offset: 4 * N, size: 4 * N });
  }

  /** Forward and backward at the current parameters (no update), then parameters, gradients and loss. */
  async gradients(): Promise<{ step: number; loss: number; params: Float64Array; grads: Float64Array }> {
    this.core.check('gradients');
    this.record(1, ['largeForward', 'largePartials', 'largeReduce']);
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const [params, grads] = await this.core.readFloats([
      { buffer: this.core.buffers.params, offset: 0, size: 4 * P },
      { buffer: this.core.buffers.grads, offset: 0, size: 4 * P },
    ]);
    return { step, loss, params: params!, grads: grads! };
  }

  /** Changes the learning rate from the next recorded step on. */
  setLearningRate(lr: number): void {
    this.core.setLearningRate(lr);
  }

  /** The parameters held now; after a divergence, exactly those of the last good step. */
  async readParams(): Promise<Float64Array> {
    this.core.check('readParams');
    return this.core.readBuffer('params', paramLayout(this.spec).size);
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). */
  destroy(): void {
    this.core.destroy();
  }

  private record(steps: number, entries: readonly Entry[]): void {
    this.core.submit((pass) => {
      pass.setBindGroup(0, this.bindGroup);
      for (let t = 0; t < steps; t++) {
        for (const e of entries) {
          pass.setPipeline(this.core.pipelines[e]);
          pass.dispatchWorkgroups(...this.groups[e]);
        }
      }
    });
  }
}
