/**
 * The GPU trainer: full-batch SGD on the 2-layer MLP with the step kernels of
 * shaders/mlp.wgsl. Buffers, pipelines and the bind group are made once, in
 * `create`. `step(k)` only records 4·k dispatches into one command encoder and
 * submits once: no readback, no await. Reading anything back (loss,
 * parameters, gradients, the cache) is a separate, explicit call.
 *
 * @example
 * const trainer = await GpuTrainer.create(device, { data: xor(), params: initParams({ d: 2, H: 8 }, 1), hidden: 8, lr: 0.5, loss: 'bce' });
 * trainer.step(500);
 * const { loss } = await trainer.readLoss();
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { cacheLayout, CACHE_TENSORS, type CacheName, makeSpec, paramLayout, type Spec, wgslConstants } from '../mlp/spec.js';
import { TrainingDivergedError } from '../mlp/train-cpu.js';
import { compileShader, GpuError, lostError } from './device.js';
import { checkLimits } from './limits.js';
import {
  layoutEntries,
  MLP_BINDINGS,
  MLP_ENTRY_POINTS,
  type MlpBindingName,
  type MlpEntryPoint,
  NO_BAD_STEP,
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
  private lostInfo: GPUDeviceLostInfo | null = null;
  private destroyed = false;

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
    void device.lost.then((info) => (this.lostInfo = info));
  }

  static async create(device: GPUDevice, options: GpuTrainerOptions): Promise<GpuTrainer> {
    const { data, params, hidden, loss, lr } = options;
    const label = options.label ?? 'mlp';
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

    const module = await compileShader(device, SHADERS.mlp, `${label}.wgsl`);
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
    };
    device.queue.writeBuffer(buffers.hyper, 0, packHyper({ lr }));
    device.queue.writeBuffer(buffers.params, 0, f32(params));
    device.queue.writeBuffer(buffers.x, 0, f32(data.x));
    device.queue.writeBuffer(buffers.y, 0, f32(data.y));
    device.queue.writeBuffer(buffers.status, 0, new Uint32Array([0, NO_BAD_STEP]));
    const bindGroup = device.createBindGroup({
      label: `${label}.bindGroup`,
      layout: bindGroupLayout,
      entries: MLP_BINDINGS.map(({ binding, name }) => ({ binding, resource: { buffer: buffers[name] } })),
    });
    const workgroups = Object.fromEntries(MLP_ENTRY_POINTS.map((e) => [e, Math.ceil(count[e] / wg)])) as Record<MlpEntryPoint, number>;
    return new GpuTrainer(device, spec, options, buffers, bindGroup, pipelines, workgroups, new StagingPool(device, label));
  }

  /** Records k SGD steps (forward, backward, update) into one encoder and submits once. */
  step(k = 1): void {
    this.record(k, MLP_ENTRY_POINTS);
  }

  /** The loss and SGD step count, read back; throws if a step produced a non-finite loss or gradient. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    const C = cacheLayout(this.spec);
    const [status, losses] = await this.staging.read([
      { buffer: this.buffers.status, offset: 0, size: 4 * STATUS_WORDS },
      { buffer: this.buffers.cache, offset: 4 * C.loss, size: 4 * this.spec.N },
    ]);
    const [step, badStep] = new Uint32Array(status!);
    if (badStep !== NO_BAD_STEP) {
      throw new TrainingDivergedError(badStep!, 'a loss or gradient on the GPU was NaN or infinite; parameters are those after the previous step');
    }
    return { step: step!, loss: mean(new Float32Array(losses!)) };
  }

  /**
   * Runs the forward and backward passes at the current parameters (no update)
   * and reads back everything: parameters, gradients, the cache and the loss.
   */
  async gradients(): Promise<GpuReadout> {
    this.record(1, ['forward', 'backwardDeltas', 'backwardGrads']);
    return this.readAll();
  }

  /** Parameters, gradients and cache as they are now (after the last recorded dispatch). */
  async readAll(): Promise<GpuReadout> {
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

  /**
   * Like `gradients()` (forward and backward at the current parameters, no
   * update), but reads back only what a report needs: parameters, gradients,
   * the loss and ŷ (N floats), never the 4·N·H cache.
   */
  async predictions(): Promise<Omit<GpuReadout, 'cache'> & { yHat: Float64Array }> {
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
    checkLearningRate('lr', lr);
    this.device.queue.writeBuffer(this.buffers.hyper, 0, packHyper({ lr }));
  }

  destroy(): void {
    this.destroyed = true;
    for (const b of Object.values(this.buffers)) b.destroy();
    this.staging.destroy();
  }

  private record(steps: number, entries: readonly MlpEntryPoint[]): void {
    if (this.lostInfo) throw lostError(this.lostInfo);
    if (this.destroyed) throw new GpuError('validation', 'this GPU trainer was destroyed');
    if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be an integer ≥ 0, got ${steps}`);
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
