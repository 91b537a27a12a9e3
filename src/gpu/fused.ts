/**
 * One network, many SGD steps per dispatch (shaders/fused.wgsl): a single
 * workgroup keeps the parameters, activations, δs and gradients in workgroup
 * memory and runs forward, backward and update with barriers between phases.
 * A run is split into dispatches of `stepsPerDispatch` steps (short enough for
 * browser watchdogs), at most FUSED_DISPATCHES_PER_SUBMIT of them per command
 * buffer; the loss is read back only when asked, between chunks, and throws a
 * TrainingDivergedError naming the first non-finite loss, gradient or parameter.
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';
import { makeSpec, paramConstants, paramLayout, type Spec } from '../mlp/spec.js';
import { checkDeviceAlive, checkSteps, checkTrainerInput, inChunks, Lifecycle, NO_FAULT, runInChunks, statusError } from './core.js';
import { compileShader, GpuError } from './device.js';
import { FUSED_BINDINGS, FUSED_STATUS_WORDS, type FusedBindingName, layoutEntries, packFusedRun, SHADERS } from './shaders.js';
import { checkLearningRate, checkUploadable, makePipeline, pipelineConstants } from './setup.js';
import { StagingPool } from './staging.js';

/** Dispatches per command buffer: a long run is recorded and submitted in pieces of this many. */
export const FUSED_DISPATCHES_PER_SUBMIT = 256;

export interface FusedOptions {
  data: Dataset;
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  label?: string;
}

/** Floats of workgroup memory the fused kernel needs: p and g (P each), a1 and dz1 (N·H each), dz2 and loss (N each). */
export function fusedWorkgroupFloats(spec: Spec): number {
  return 2 * paramLayout(spec).size + 2 * spec.N * spec.H + 2 * spec.N;
}

/** The override constants of shaders/fused.wgsl. */
export function fusedConstants(spec: Spec, loss: LossKind, workgroupSize: number): Record<string, number> {
  return { ...paramConstants(spec), ...pipelineConstants(loss, workgroupSize) };
}

export class FusedTrainer {
  private readonly staging: StagingPool;
  /** A uniform buffer and bind group per distinct steps-per-dispatch, made on first use. */
  private readonly perSteps = new Map<number, GPUBindGroup>();
  private readonly uniforms: GPUBuffer[] = [];
  private readonly life: Lifecycle;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly options: Readonly<FusedOptions>,
    private readonly pipeline: GPUComputePipeline,
    private readonly layout: GPUBindGroupLayout,
    private readonly buffers: Record<Exclude<FusedBindingName, 'run'>, GPUBuffer>,
  ) {
    this.staging = new StagingPool(device, this.label);
    this.life = new Lifecycle(device, this.label);
  }

  get label(): string {
    return this.options.label ?? 'fused';
  }

  static async create(device: GPUDevice, options: FusedOptions): Promise<FusedTrainer> {
    const { data, params, hidden, lr, loss } = options;
    const label = options.label ?? 'fused';
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    const L = paramLayout(spec);
    if (params.length !== L.size) throw new RangeError(`params: expected ${L.size} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
    checkLearningRate('lr', lr);
    for (const [name, xs] of [['params', params], ['data.x', data.x], ['data.y', data.y]] as const) checkUploadable(name, xs);
    const bytes = 4 * fusedWorkgroupFloats(spec) + 8;
    if (bytes > device.limits.maxComputeWorkgroupStorageSize) {
      throw new GpuError(
        'limit',
        `the fused kernel keeps 2·P + 2·N·H + 2·N floats in workgroup memory: ${bytes} bytes for d=${spec.d}, H=${spec.H}, N=${spec.N}, ` +
          `more than this device's maxComputeWorkgroupStorageSize (${device.limits.maxComputeWorkgroupStorageSize}); use the step kernels (GpuTrainer) for this size`,
      );
    }
    const wg = Math.min(256, device.limits.maxComputeInvocationsPerWorkgroup, 32 * Math.ceil(Math.max(spec.N, L.size) / 32));
    const module = await compileShader(device, SHADERS.fused, `${label}.wgsl`);
    const layout = device.createBindGroupLayout({ label: `${label}.bindGroupLayout`, entries: layoutEntries(FUSED_BINDINGS) });
    const pipelineLayout = device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [layout] });
    const pipeline = await makePipeline(device, label, pipelineLayout, module, 'trainFused', fusedConstants(spec, loss, wg));
    const S = GPUBufferUsage.STORAGE;
    const make = (name: FusedBindingName, size: number, usage: number) => device.createBuffer({ label: `${label}.${name}`, size: Math.max(16, size), usage });
    const buffers = {
      params: make('params', 4 * L.size, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      x: make('x', 4 * data.x.length, S | GPUBufferUsage.COPY_DST),
      y: make('y', 4 * data.N, S | GPUBufferUsage.COPY_DST),
      status: make('status', 4 * FUSED_STATUS_WORDS, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      sampleLoss: make('sampleLoss', 4 * data.N, S | GPUBufferUsage.COPY_SRC),
    };
    device.queue.writeBuffer(buffers.params, 0, Float32Array.from(params));
    device.queue.writeBuffer(buffers.x, 0, Float32Array.from(data.x));
    device.queue.writeBuffer(buffers.y, 0, Float32Array.from(data.y));
    device.queue.writeBuffer(buffers.status, 0, new Uint32Array([0, NO_FAULT, NO_FAULT]));
    await checkDeviceAlive(device, label);
    return new FusedTrainer(device, spec, options, pipeline, layout, buffers);
  }

  /** Records `steps` SGD steps as dispatches of at most `stepsPerDispatch`, FUSED_DISPATCHES_PER_SUBMIT per command buffer. */
  step(steps: number, { stepsPerDispatch = 256 }: { stepsPerDispatch?: number } = {}): void {
    this.life.check('step');
    checkSteps('steps', steps);
    checkStepsPerDispatch(stepsPerDispatch);
    inChunks(steps, stepsPerDispatch * FUSED_DISPATCHES_PER_SUBMIT, (k) => this.record(k, stepsPerDispatch));
  }

  /** The same steps, waiting for the GPU after each command buffer: flat memory for any number of steps. */
  async run(
    steps: number,
    { stepsPerDispatch = 256, onChunk }: { stepsPerDispatch?: number; onChunk?: (steps: number) => void | Promise<void> } = {},
  ): Promise<void> {
    this.life.check('run');
    checkSteps('steps', steps);
    checkStepsPerDispatch(stepsPerDispatch);
    await runInChunks(this.device, steps, stepsPerDispatch * FUSED_DISPATCHES_PER_SUBMIT, (k) => this.record(k, stepsPerDispatch), onChunk);
  }

  /** The loss of the last forward pass and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.life.check('readLoss');
    const [status, losses] = await this.staging.read([
      { buffer: this.buffers.status, offset: 0, size: 4 * FUSED_STATUS_WORDS },
      { buffer: this.buffers.sampleLoss, offset: 0, size: 4 * this.spec.N },
    ]);
    const [step, badStep, badWhere] = new Uint32Array(status!);
    const error = statusError(this.spec, badStep!, badWhere!);
    if (error) throw error;
    const l = new Float32Array(losses!);
    return { step: step!, loss: l.reduce((a, b) => a + b, 0) / l.length };
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
    for (const b of [...Object.values(this.buffers), ...this.uniforms]) b.destroy();
    this.staging.destroy();
  }

  private record(steps: number, stepsPerDispatch: number): void {
    const encoder = this.device.createCommandEncoder({ label: `${this.label}.steps` });
    const pass = encoder.beginComputePass({ label: `${this.label}.pass` });
    pass.setPipeline(this.pipeline);
    for (let left = steps; left > 0; left -= stepsPerDispatch) {
      pass.setBindGroup(0, this.bindGroupFor(Math.min(left, stepsPerDispatch)));
      pass.dispatchWorkgroups(1);
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  private bindGroupFor(steps: number): GPUBindGroup {
    let group = this.perSteps.get(steps);
    if (!group) {
      const run = this.device.createBuffer({ label: `${this.label}.run.${steps}`, size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      this.device.queue.writeBuffer(run, 0, packFusedRun({ lr: this.options.lr, steps }));
      this.uniforms.push(run);
      const buffers: Record<FusedBindingName, GPUBuffer> = { run, ...this.buffers };
      group = this.device.createBindGroup({
        label: `${this.label}.bindGroup.${steps}`,
        layout: this.layout,
        entries: FUSED_BINDINGS.map(({ binding, name }) => ({ binding, resource: { buffer: buffers[name] } })),
      });
      this.perSteps.set(steps, group);
    }
    return group;
  }
}

function checkStepsPerDispatch(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`stepsPerDispatch must be an integer ≥ 1, got ${n}`);
}
