/**
 * The large-batch path (shaders/large.wgsl): one network on up to a million
 * points and up to 1,024 hidden units, without the step kernels' N×H cache.
 * Gradients are summed per chunk of samples, then across chunks: four
 * dispatches per SGD step whatever N is. Same interface as GpuTrainer for
 * training: `step(k)` records (in bounded submits), `run(k)` also waits per
 * chunk, `readLoss()` and `gradients()` read back and throw a
 * TrainingDivergedError at the first non-finite loss, gradient or parameter.
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { makeSpec, paramConstants, paramLayout, type Spec } from '../mlp/spec.js';
import { checkDeviceAlive, checkSteps, checkTrainerInput, inChunks, Lifecycle, NO_FAULT, runInChunks, statusError, STEPS_PER_SUBMIT } from './core.js';
import { compileShader, GpuError } from './device.js';
import {
  LARGE_BINDINGS,
  LARGE_ENTRY_POINTS,
  LARGE_MAX_D,
  type LargeBindingName,
  layoutEntries,
  packHyper,
  SHADERS,
  STATUS_WORDS,
} from './shaders.js';
import { checkLearningRate, checkUploadable, makePipeline, pipelineConstants } from './setup.js';
import { StagingPool } from './staging.js';

type Entry = (typeof LARGE_ENTRY_POINTS)[number];

export interface LargeOptions {
  data: Dataset;
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  /** Samples per chunk in the partial sums; default 1024. */
  chunk?: number;
  label?: string;
}

/** The override constants of shaders/large.wgsl. */
export function largeConstants(spec: Spec, loss: LossKind, workgroupSize: number, chunk: number): Record<string, number> {
  return { ...paramConstants(spec), ...pipelineConstants(loss, workgroupSize), CHUNK: chunk, CHUNKS: Math.ceil(spec.N / chunk) };
}

export class LargeBatchTrainer {
  private readonly staging: StagingPool;
  private readonly life: Lifecycle;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly label: string,
    private readonly pipelines: Record<Entry, GPUComputePipeline>,
    private readonly groups: Record<Entry, [number, number]>,
    private readonly bindGroup: GPUBindGroup,
    private readonly buffers: Record<LargeBindingName, GPUBuffer>,
  ) {
    this.staging = new StagingPool(device, label);
    this.life = new Lifecycle(device, label);
  }

  static async create(device: GPUDevice, options: LargeOptions): Promise<LargeBatchTrainer> {
    const { data, params, hidden, lr, loss } = options;
    const label = options.label ?? 'large';
    const chunk = options.chunk ?? 1024;
    const wg = 64;
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    const L = paramLayout(spec);
    if (spec.d > LARGE_MAX_D) throw new RangeError(`the large-batch path takes d ≤ ${LARGE_MAX_D} (a private array per invocation), got d=${spec.d}`);
    if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`chunk must be an integer ≥ 1, got ${chunk}`);
    if (params.length !== L.size) throw new RangeError(`params: expected ${L.size} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
    checkLearningRate('lr', lr);
    for (const [name, xs] of [['params', params], ['data.x', data.x], ['data.y', data.y]] as const) checkUploadable(name, xs);
    const constants = largeConstants(spec, loss, wg, chunk);
    const chunks = constants.CHUNKS!;
    const partialFloats = chunks * (spec.H * (spec.d + 2) + 1);
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    for (const [what, bytes] of [['x (N·d floats)', 4 * data.x.length], ['the chunk partial sums', 4 * partialFloats]] as const) {
      if (bytes > limit) throw new GpuError('limit', `${what} need ${(bytes / 2 ** 20).toFixed(1)} MiB, more than this device's largest storage buffer (${(limit / 2 ** 20).toFixed(1)} MiB)`);
    }
    const groups: Record<Entry, [number, number]> = {
      largeForward: [Math.ceil(spec.N / wg), 1],
      largePartials: [Math.ceil(spec.H / wg), chunks],
      largeReduce: [Math.ceil(L.size / wg), 1],
      largeSgd: [Math.ceil(L.size / wg), 1],
    };
    const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    for (const [entry, [gx, gy]] of Object.entries(groups)) {
      if (gx > maxGroups || gy > maxGroups) {
        throw new GpuError('limit', `${entry} needs ${Math.max(gx, gy)} workgroups in one dimension, more than maxComputeWorkgroupsPerDimension (${maxGroups}); use a larger chunk or a smaller N`);
      }
    }
    const module = await compileShader(device, SHADERS.large, `${label}.wgsl`);
    const bindGroupLayout = device.createBindGroupLayout({ label: `${label}.bindGroupLayout`, entries: layoutEntries(LARGE_BINDINGS) });
    const layout = device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [bindGroupLayout] });
    const pipelines = Object.fromEntries(
      await Promise.all(LARGE_ENTRY_POINTS.map(async (e) => [e, await makePipeline(device, label, layout, module, e, constants)] as const)),
    ) as Record<Entry, GPUComputePipeline>;
    const S = GPUBufferUsage.STORAGE;
    const make = (name: LargeBindingName, bytes: number, usage: number) => device.createBuffer({ label: `${label}.${name}`, size: Math.max(16, bytes), usage });
    const buffers: Record<LargeBindingName, GPUBuffer> = {
      hyper: make('hyper', packHyper({ lr }).byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
      params: make('params', 4 * L.size, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      x: make('x', 4 * data.x.length, S | GPUBufferUsage.COPY_DST),
      y: make('y', 4 * data.N, S | GPUBufferUsage.COPY_DST),
      perSample: make('perSample', 8 * data.N, S | GPUBufferUsage.COPY_SRC),
      partials: make('partials', 4 * partialFloats, S),
      grads: make('grads', 4 * L.size, S | GPUBufferUsage.COPY_SRC),
      status: make('status', 4 * STATUS_WORDS, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      next: make('next', 4 * L.size, S),
    };
    device.queue.writeBuffer(buffers.hyper, 0, packHyper({ lr }));
    device.queue.writeBuffer(buffers.params, 0, Float32Array.from(params));
    device.queue.writeBuffer(buffers.x, 0, Float32Array.from(data.x));
    device.queue.writeBuffer(buffers.y, 0, Float32Array.from(data.y));
    device.queue.writeBuffer(buffers.status, 0, new Uint32Array([0, NO_FAULT, NO_FAULT, NO_FAULT]));
    const bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: bindGroupLayout,
      entries: LARGE_BINDINGS.map(({ binding, name }) => ({ binding, resource: { buffer: buffers[name] } })),
    });
    await checkDeviceAlive(device, label);
    return new LargeBatchTrainer(device, spec, label, pipelines, groups, bindGroup, buffers);
  }

  /** Records k SGD steps, four dispatches each, at most STEPS_PER_SUBMIT steps per command buffer. */
  step(k = 1): void {
    this.life.check('step');
    checkSteps('steps', k);
    inChunks(k, STEPS_PER_SUBMIT, (c) => this.record(c, LARGE_ENTRY_POINTS));
  }

  /** k SGD steps in chunks, waiting for the GPU after each: flat memory for any k. */
  async run(k: number, { stepsPerSubmit = STEPS_PER_SUBMIT, onChunk }: { stepsPerSubmit?: number; onChunk?: (steps: number) => void | Promise<void> } = {}): Promise<void> {
    this.life.check('run');
    checkSteps('steps', k);
    if (!Number.isInteger(stepsPerSubmit) || stepsPerSubmit < 1) throw new RangeError(`stepsPerSubmit must be an integer ≥ 1, got ${stepsPerSubmit}`);
    await runInChunks(this.device, k, stepsPerSubmit, (c) => this.record(c, LARGE_ENTRY_POINTS), onChunk);
  }

  /** The mean loss of the last forward pass and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.life.check('readLoss');
    const [status, losses] = await this.staging.read([
      { buffer: this.buffers.status, offset: 0, size: 4 * STATUS_WORDS },
      { buffer: this.buffers.perSample, offset: 4 * this.spec.N, size: 4 * this.spec.N },
    ]);
    const [step, badStep, badWhere] = new Uint32Array(status!);
    const error = statusError(this.spec, badStep!, badWhere!);
    if (error) throw error;
    let sum = 0;
    for (const v of new Float32Array(losses!)) sum += v;
    return { step: step!, loss: sum / this.spec.N };
  }

  /** Forward and backward at the current parameters (no update), then parameters, gradients and loss. */
  async gradients(): Promise<{ step: number; loss: number; params: Float64Array; grads: Float64Array }> {
    this.life.check('gradients');
    this.record(1, ['largeForward', 'largePartials', 'largeReduce']);
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const [params, grads] = await this.staging.read([
      { buffer: this.buffers.params, offset: 0, size: 4 * P },
      { buffer: this.buffers.grads, offset: 0, size: 4 * P },
    ]);
    return { step, loss, params: Float64Array.from(new Float32Array(params!)), grads: Float64Array.from(new Float32Array(grads!)) };
  }

  /** Changes the learning rate from the next recorded step on. */
  setLearningRate(lr: number): void {
    this.life.check('setLearningRate');
    checkLearningRate('lr', lr);
    this.device.queue.writeBuffer(this.buffers.hyper, 0, packHyper({ lr }));
  }

  /** The parameters held now; after a divergence, exactly those of the last good step. */
  async readParams(): Promise<Float64Array> {
    this.life.check('readParams');
    const [raw] = await this.staging.read([{ buffer: this.buffers.params, offset: 0, size: 4 * paramLayout(this.spec).size }]);
    return Float64Array.from(new Float32Array(raw!));
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). */
  destroy(): void {
    if (!this.life.destroy()) return;
    for (const b of Object.values(this.buffers)) b.destroy();
    this.staging.destroy();
  }

  private record(steps: number, entries: readonly Entry[]): void {
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.steps` });
    const pass = encoder.beginComputePass({ label: `${this.label}.pass` });
    pass.setBindGroup(0, this.bindGroup);
    for (let t = 0; t < steps; t++) {
      for (const e of entries) {
        pass.setPipeline(this.pipelines[e]);
        pass.dispatchWorkgroups(...this.groups[e]);
      }
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }
}
