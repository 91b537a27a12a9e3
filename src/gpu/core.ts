/**
 * The trainer core every GPU trainer shares: the kernel compiled, pipelines and bind group built from the binding
 * table, labelled buffers, dispatches in bounded submits, the status word read back (a TrainingDivergedError naming
 * the step and element), every method guarded after `destroy()` or a lost device. Each trainer adds its configuration
 * and its schedule. Overflow: `readStatus` (and status.ts); a lost device: `Lifecycle`, `checkDeviceAlive`; limits:
 * ./limits.ts.
 */
import type { Spec } from '../mlp/spec.js';
import { checkDeviceAlive, checkLearningRate, checkUploadable } from './gpu-checks.js';
import { compileShader, GpuError, lostError } from './device.js';
import { type BindingSlot, layoutEntries, packHyper } from './shaders.js';
import { meanLoss, statusError } from './status.js';
import { type Range, StagingPool } from './staging.js';

/** At most this many SGD steps go in one command buffer, so a long run never records millions of dispatches at once. */
export const STEPS_PER_SUBMIT = 2048;

/**
 * The steps of each dispatch of a many-models run: `steps` cut into pieces of at most
 * `perDispatch`; a run that has never dispatched gets one dispatch even for 0 steps
 * (it draws the initial parameters).
 */
export function dispatchChunks(steps: number, perDispatch: number, initialised: boolean): number[] {
  const chunks: number[] = [];
  for (let left = steps; left > 0 || (chunks.length === 0 && !initialised); left -= perDispatch)
    chunks.push(Math.max(0, Math.min(perDispatch, left)));
  return chunks;
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
    if (this.destroyed)
      throw new GpuError('destroyed', `${this.label}.${method}(): this trainer was destroyed; create a new one`);
    if (this.lost) throw lostError(this.lost);
  }

  destroy(): boolean {
    const first = !this.destroyed;
    this.destroyed = true;
    return first;
  }
}

/** One buffer of a trainer: its size in bytes (at least 16 are made) and usage. */
export interface BufferPlan {
  bytes: number;
  role: Role;
  /** Written once at creation. */
  init?: AllowSharedBufferSource | undefined;
}

/** Buffer usages by role: read by kernels only, read back, read back and rewritten by the host, scratch, uniform. */
export type Role = 'input' | 'output' | 'state' | 'scratch' | 'uniform';

/** The usage flags of a role (GPUBufferUsage exists only once WebGPU is set up, so this is read at call time). */
export function usage(role: Role): number {
  const { STORAGE, COPY_SRC, COPY_DST, UNIFORM } = GPUBufferUsage;
  const flags: Record<Role, number> = {
    input: STORAGE | COPY_DST,
    output: STORAGE | COPY_SRC,
    state: STORAGE | COPY_SRC | COPY_DST,
    scratch: STORAGE,
    uniform: UNIFORM | COPY_DST,
  };
  return flags[role];
}

export interface CoreConfig<B extends string, E extends string> {
  label: string;
  /** The WGSL (one of SHADERS, or a test's mutant). */
  shader: string;
  bindings: readonly (BindingSlot & { name: B })[];
  entryPoints: readonly E[];
  /** The override constants, by the names the WGSL declares. */
  constants: Record<string, number>;
  /** Every buffer the bind group takes. */
  buffers: Record<B, BufferPlan>;
}

export class TrainerCore<B extends string, E extends string> {
  readonly staging: StagingPool;
  private readonly life: Lifecycle;
  private readonly extra: GPUBuffer[] = [];

  private constructor(
    readonly device: GPUDevice,
    readonly label: string,
    readonly layout: GPUBindGroupLayout,
    readonly pipelines: Record<E, GPUComputePipeline>,
    readonly buffers: Record<B, GPUBuffer>,
    private readonly bindings: readonly (BindingSlot & { name: B })[],
  ) {
    this.staging = new StagingPool(device, label);
    this.life = new Lifecycle(device, label);
  }

  /** Compiles, builds every pipeline, makes and fills the buffers; rejects if the device is lost meanwhile. */
  static async create<B extends string, E extends string>(
    device: GPUDevice,
    config: CoreConfig<B, E>,
  ): Promise<TrainerCore<B, E>> {
    const { label, bindings, constants } = config;
    const module = await compileShader(device, config.shader, `${label}.wgsl`);
    const layout = device.createBindGroupLayout({
      label: `${label}.bindGroupLayout`,
      entries: layoutEntries(bindings),
    });
    const pipelineLayout = device.createPipelineLayout({
      label: `${label}.pipelineLayout`,
      bindGroupLayouts: [layout],
    });
    const made = await Promise.all(
      config.entryPoints.map(
        async (e) => [e, await makePipeline(device, label, pipelineLayout, module, e, constants)] as const,
      ),
    );
    const pipelines = Object.fromEntries(made) as Record<E, GPUComputePipeline>;
    const buffers = {} as Record<B, GPUBuffer>;
    for (const { name } of bindings) {
      const plan = config.buffers[name];
      buffers[name] = device.createBuffer({
        label: `${label}.${name}`,
        size: Math.max(16, plan.bytes),
        usage: usage(plan.role),
      });
      if (plan.init) device.queue.writeBuffer(buffers[name], 0, plan.init);
    }
    await checkDeviceAlive(device, label);
    return new TrainerCore(device, label, layout, pipelines, buffers, bindings);
  }

  /** A bind group over the trainer's buffers, with some replaced (a per-dispatch uniform). */
  bindGroup(replace: Partial<Record<B, GPUBuffer>> = {}, suffix = ''): GPUBindGroup {
    const buffers = { ...this.buffers, ...replace };
    return this.device.createBindGroup({
      label: `${this.label}.bindGroup${suffix}`,
      layout: this.layout,
      entries: this.bindings.map(({ binding, name }) => ({ binding, resource: { buffer: buffers[name] } })),
    });
  }

  /** A buffer made after creation (a per-dispatch uniform), freed with the trainer. */
  own(buffer: GPUBuffer): GPUBuffer {
    this.extra.push(buffer);
    return buffer;
  }

  /** Throws if the trainer cannot run `method`: destroyed, or its device lost. */
  check(method: string): void {
    this.life.check(method);
  }

  /**
   * The phase kernels' learning rate (their `Hyper` uniform, buffer `hyper`), from the next recorded step on.
   * Kernels with another uniform layout (fused, many-models) write their own.
   */
  setLearningRate(this: TrainerCore<B | 'hyper', E>, lr: number): void {
    this.check('setLearningRate');
    checkLearningRate('lr', lr);
    this.device.queue.writeBuffer((this.buffers as Record<'hyper', GPUBuffer>).hyper, 0, packHyper({ lr }));
  }

  /**
   * Writes θ into `buffer` (a trainer's parameters) as f32, from the next recorded step on, after checking the length
   * (`size` values) and that each is a finite f32; nothing is written if any is not.
   */
  writeParams(buffer: GPUBuffer, params: ArrayLike<number>, size: number, offset = 0): void {
    this.check('setParams');
    if (params?.length !== size) throw new RangeError(`params: expected ${size} values, got ${params?.length}`);
    checkUploadable('params', params);
    this.device.queue.writeBuffer(buffer, 4 * offset, Float32Array.from(params));
  }

  /** One command buffer, one submit: `fill` records into an open compute pass. */
  submit(fill: (pass: GPUComputePassEncoder, encoder: GPUCommandEncoder) => void, what = 'steps'): void {
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.${what}` });
    const pass = encoder.beginComputePass({ label: `${this.label}.pass` });
    fill(pass, encoder);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** Records `steps` steps as chunks of at most `perSubmit`, each its own command buffer; returns at once. */
  record(steps: number, perSubmit: number, recordChunk: (k: number) => void): void {
    for (let left = steps; left > 0; left -= perSubmit) recordChunk(Math.min(perSubmit, left));
  }

  /**
   * The same chunks, waiting for the GPU after each (at most one chunk queued:
   * flat memory however long the run), calling `onChunk` with the steps so far.
   */
  async run(
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
      await this.device.queue.onSubmittedWorkDone();
      await onChunk?.(done);
    }
  }

  /**
   * The status word [steps done, badStep, badWhere, …] and the per-sample
   * losses, read back together; throws the TrainingDivergedError if a step
   * went non-finite, else returns the steps and the mean loss.
   */
  async readStatus(spec: Spec, status: Range, losses: Range): Promise<{ loss: number; step: number }> {
    const [s, l] = await this.staging.read([status, losses]);
    const [step, badStep, badWhere] = new Uint32Array(s!);
    const error = statusError(spec, badStep!, badWhere!);
    if (error) throw error;
    return { step: step!, loss: meanLoss(new Float32Array(l!)) };
  }

  /** f32 ranges read back in one submit, as f64. */
  async readFloats(ranges: readonly Range[]): Promise<Float64Array[]> {
    const raw = await this.staging.read(ranges);
    return raw.map((b) => Float64Array.from(new Float32Array(b)));
  }

  /** A whole f32 buffer's first `floats` values, as f64. */
  async readBuffer(name: B, floats: number, offset = 0): Promise<Float64Array> {
    const [out] = await this.readFloats([{ buffer: this.buffers[name], offset: 4 * offset, size: 4 * floats }]);
    return out!;
  }

  /** Frees every buffer; afterwards every method throws a GpuError('destroyed'). Calling it again does nothing. */
  destroy(): void {
    if (!this.life.destroy()) return;
    for (const b of [...Object.values<GPUBuffer>(this.buffers), ...this.extra]) b.destroy();
    this.staging.destroy();
  }
}

/** A compute pipeline, labelled `${label}.${entryPoint}.pipeline`, whose creation error names it. */
async function makePipeline(
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
