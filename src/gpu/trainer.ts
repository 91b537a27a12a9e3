/**
 * The GPU trainer: full-batch SGD on the 2-layer MLP with the step kernels of
 * shaders/mlp.wgsl. Buffers, pipelines and the bind group are made once, in
 * `create`. `step(k)` only records 4·k dispatches, in command buffers of at
 * most STEPS_PER_SUBMIT steps: no readback, no await; `run(k)` does the same
 * but waits for the GPU after each such chunk, so memory stays flat however
 * long the run. Reading anything back (loss, parameters, gradients, the
 * cache) is a separate, explicit call, and throws a TrainingDivergedError
 * naming the first step and element that went non-finite.
 *
 * @example
 * const trainer = await GpuTrainer.create(device, { data: xor(), params: initParams({ d: 2, H: 8 }, 1), hidden: 8, lr: 0.5, loss: 'bce' });
 * trainer.step(500);
 * const { loss } = await trainer.readLoss();
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { cacheLayout, CACHE_TENSORS, type CacheName, makeSpec, paramLayout, type Spec, wgslConstants } from '../mlp/spec.js';
import { compileShader } from './device.js';
import { checkDeviceAlive, checkSteps, checkTrainerInput, inChunks, Lifecycle, NO_FAULT, runInChunks, statusError, STEPS_PER_SUBMIT } from './core.js';
import { checkLimits } from './limits.js';
import {
  layoutEntries,
  MLP_BINDINGS,
  MLP_ENTRY_POINTS,
  type MlpBindingName,
  type MlpEntryPoint,
  packHyper,
  SHADERS,
  STATUS_WORDS,
} from './shaders.js';
import { checkLearningRate, checkUploadable, makePipeline, pipelineConstants } from './setup.js';
import { StagingPool } from './staging.js';

export interface GpuTrainerOptions {
  data: Dataset;
  /** Initial parameters in the flat layout (uploaded as f32). */
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  /** Invocations per workgroup; default 64. */
  workgroupSize?: number;
  label?: string;
  /** Test-only: WGSL to compile instead of SHADERS.mlp (the mutation checks, tests/mutants.test.ts). */
  shaderSource?: string;
}

export interface GpuReadout {
  /** SGD steps the GPU has completed. */
  step: number;
  /** Mean loss of the last forward pass. */
  loss: number;
  params: Float64Array;
  grads: Float64Array;
  cache: Record<CacheName, Float64Array>;
}

export class GpuTrainer {
  private readonly life: Lifecycle;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly options: Readonly<GpuTrainerOptions>,
    private readonly buffers: Record<MlpBindingName, GPUBuffer>,
    private readonly bindGroup: GPUBindGroup,
    private readonly pipelines: Record<MlpEntryPoint, GPUComputePipeline>,
    private readonly workgroups: Record<MlpEntryPoint, number>,
    private readonly staging: StagingPool,
  ) {
    this.life = new Lifecycle(device, options.label ?? 'mlp');
  }

  static async create(device: GPUDevice, options: GpuTrainerOptions): Promise<GpuTrainer> {
    const { data, params, hidden, loss, lr } = options;
    const label = options.label ?? 'mlp';
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const wg = options.workgroupSize ?? 64;
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    const P = paramLayout(spec);
    if (params.length !== P.size) {
      throw new RangeError(`params: expected ${P.size} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
    }
    checkUploadable('params', params);
    checkUploadable('data.x', data.x);
    checkUploadable('data.y', data.y);
    checkLearningRate('lr', lr);
    const C = cacheLayout(spec);
    const count: Record<MlpEntryPoint, number> = { forward: spec.N, backwardDeltas: spec.N, backwardGrads: P.size, sgdStep: P.size };
    checkLimits(device.limits, spec, { cacheFloats: C.size, workgroupSize: wg, invocations: Math.max(...Object.values(count)) });

    const module = await compileShader(device, options.shaderSource ?? SHADERS.mlp, `${label}.wgsl`);
    const bindGroupLayout = device.createBindGroupLayout({ label: `${label}.bindGroupLayout`, entries: layoutEntries(MLP_BINDINGS) });
    const layout = device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [bindGroupLayout] });
    const constants = { ...wgslConstants(spec), ...pipelineConstants(loss, wg) };
    const pipelines = Object.fromEntries(
      await Promise.all(MLP_ENTRY_POINTS.map(async (e) => [e, await makePipeline(device, label, layout, module, e, constants)] as const)),
    ) as Record<MlpEntryPoint, GPUComputePipeline>;

    const f32 = (a: ArrayLike<number>) => Float32Array.from(a);
    const S = GPUBufferUsage.STORAGE;
    const make = (name: MlpBindingName, bytes: number, usage: number): GPUBuffer =>
      device.createBuffer({ label: `${label}.${name}`, size: Math.max(16, bytes), usage });
    const buffers: Record<MlpBindingName, GPUBuffer> = {
      hyper: make('hyper', packHyper({ lr }).byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST),
      params: make('params', 4 * P.size, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      x: make('x', 4 * data.x.length, S | GPUBufferUsage.COPY_DST),
      y: make('y', 4 * data.N, S | GPUBufferUsage.COPY_DST),
      cache: make('cache', 4 * C.size, S | GPUBufferUsage.COPY_SRC),
      grads: make('grads', 4 * P.size, S | GPUBufferUsage.COPY_SRC),
      status: make('status', 4 * STATUS_WORDS, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      next: make('next', 4 * P.size, S),
    };
    device.queue.writeBuffer(buffers.hyper, 0, packHyper({ lr }));
    device.queue.writeBuffer(buffers.params, 0, f32(params));
    device.queue.writeBuffer(buffers.x, 0, f32(data.x));
    device.queue.writeBuffer(buffers.y, 0, f32(data.y));
    device.queue.writeBuffer(buffers.status, 0, new Uint32Array([0, NO_FAULT, NO_FAULT, NO_FAULT]));
    const bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: bindGroupLayout,
      entries: MLP_BINDINGS.map(({ binding, name }) => ({ binding, resource: { buffer: buffers[name] } })),
    });
    const workgroups = Object.fromEntries(MLP_ENTRY_POINTS.map((e) => [e, Math.ceil(count[e] / wg)])) as Record<MlpEntryPoint, number>;
    await checkDeviceAlive(device, label);
    return new GpuTrainer(device, spec, options, buffers, bindGroup, pipelines, workgroups, new StagingPool(device, label));
  }

  /** Records k SGD steps (forward, backward, update), at most STEPS_PER_SUBMIT per command buffer; returns at once. */
  step(k = 1): void {
    this.life.check('step');
    checkSteps('steps', k);
    inChunks(k, STEPS_PER_SUBMIT, (c) => this.record(c, MLP_ENTRY_POINTS));
  }

  /**
   * Runs k SGD steps in chunks of `stepsPerSubmit`, waiting for the GPU after
   * each (at most one chunk queued: flat memory for any k), and reports the
   * steps recorded so far after each chunk.
   */
  async run(k: number, { stepsPerSubmit = STEPS_PER_SUBMIT, onChunk }: { stepsPerSubmit?: number; onChunk?: (steps: number) => void | Promise<void> } = {}): Promise<void> {
    this.life.check('run');
    checkSteps('steps', k);
    if (!Number.isInteger(stepsPerSubmit) || stepsPerSubmit < 1) throw new RangeError(`stepsPerSubmit must be an integer ≥ 1, got ${stepsPerSubmit}`);
    await runInChunks(this.device, k, stepsPerSubmit, (c) => this.record(c, MLP_ENTRY_POINTS), onChunk);
  }

  /**
   * The loss and SGD step count, read back; throws a TrainingDivergedError
   * naming the step and element if a loss, gradient or updated parameter went non-finite.
   */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.life.check('readLoss');
    const C = cacheLayout(this.spec);
    const [status, losses] = await this.staging.read([
      { buffer: this.buffers.status, offset: 0, size: 4 * STATUS_WORDS },
      { buffer: this.buffers.cache, offset: 4 * C.loss, size: 4 * this.spec.N },
    ]);
    const [step, badStep, badWhere] = new Uint32Array(status!);
    const error = statusError(this.spec, badStep!, badWhere!);
    if (error) throw error;
    return { step: step!, loss: mean(new Float32Array(losses!)) };
  }

  /**
   * Runs the forward and backward passes at the current parameters (no update)
   * and reads back everything: parameters, gradients, the cache and the loss.
   */
  async gradients(): Promise<GpuReadout> {
    this.life.check('gradients');
    this.record(1, ['forward', 'backwardDeltas', 'backwardGrads']);
    return this.readAll();
  }

  /** Parameters, gradients and cache as they are now (after the last recorded dispatch). */
  async readAll(): Promise<GpuReadout> {
    this.life.check('readAll');
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec);
    const C = cacheLayout(this.spec);
    const [params, grads, cache] = await this.staging.read([
      { buffer: this.buffers.params, offset: 0, size: 4 * P.size },
      { buffer: this.buffers.grads, offset: 0, size: 4 * P.size },
      { buffer: this.buffers.cache, offset: 0, size: 4 * C.size },
    ]);
    const c = new Float32Array(cache!);
    const lengths = { z1: 'NH', a1: 'NH', z2: 'N', yHat: 'N', loss: 'N', dz2: 'N', da1: 'NH', dz1: 'NH' } as const;
    const { N, H } = this.spec;
    const parts = Object.fromEntries(
      CACHE_TENSORS.map((name) => [name, Float64Array.from(c.subarray(C[name], C[name] + (lengths[name] === 'N' ? N : N * H)))]),
    ) as Record<CacheName, Float64Array>;
    return {
      step,
      loss,
      params: Float64Array.from(new Float32Array(params!)),
      grads: Float64Array.from(new Float32Array(grads!)),
      cache: parts,
    };
  }

  /** The parameters held now (flat layout); after a divergence, exactly those of the last good step. Never throws for a divergence. */
  async readParams(): Promise<Float64Array> {
    this.life.check('readParams');
    const [raw] = await this.staging.read([{ buffer: this.buffers.params, offset: 0, size: 4 * paramLayout(this.spec).size }]);
    return Float64Array.from(new Float32Array(raw!));
  }

  /**
   * Like `gradients()` (forward and backward at the current parameters, no
   * update), but reads back only what a report needs: parameters, gradients,
   * the loss and ŷ (N floats), never the 4·N·H cache.
   */
  async predictions(): Promise<Omit<GpuReadout, 'cache'> & { yHat: Float64Array }> {
    this.life.check('predictions');
    this.record(1, ['forward', 'backwardDeltas', 'backwardGrads']);
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec);
    const [params, grads, yHat] = await this.staging.read([
      { buffer: this.buffers.params, offset: 0, size: 4 * P.size },
      { buffer: this.buffers.grads, offset: 0, size: 4 * P.size },
      { buffer: this.buffers.cache, offset: 4 * cacheLayout(this.spec).yHat, size: 4 * this.spec.N },
    ]);
    const f64 = (b: ArrayBuffer) => Float64Array.from(new Float32Array(b));
    return { step, loss, params: f64(params!), grads: f64(grads!), yHat: f64(yHat!) };
  }

  /** Changes the learning rate from the next recorded step on. */
  setLearningRate(lr: number): void {
    this.life.check('setLearningRate');
    checkLearningRate('lr', lr);
    this.device.queue.writeBuffer(this.buffers.hyper, 0, packHyper({ lr }));
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). Calling it again does nothing. */
  destroy(): void {
    if (!this.life.destroy()) return;
    for (const b of Object.values(this.buffers)) b.destroy();
    this.staging.destroy();
  }

  private record(steps: number, entries: readonly MlpEntryPoint[]): void {
    const encoder = this.device.createCommandEncoder({ label: `${this.options.label ?? 'mlp'}.steps` });
    const pass = encoder.beginComputePass({ label: `${this.options.label ?? 'mlp'}.pass` });
    pass.setBindGroup(0, this.bindGroup);
    for (let t = 0; t < steps; t++) {
      for (const e of entries) {
        pass.setPipeline(this.pipelines[e]);
        pass.dispatchWorkgroups(this.workgroups[e]);
      }
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}
