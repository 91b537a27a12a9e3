/**
 * The step kernels (shaders/steps.wgsl): one dispatch per phase (forward, backwardDeltas, backwardGrads, sgdStep),
 * every buffer readable after each. Slower than the fused kernels, but fits any shape the device's buffers hold, and
 * its per-sample cache feeds the graph and the gradient panel; the other kernels borrow it for that (./inspector.ts).
 */
import { paramLayout, type Spec } from '../mlp/spec.js';
import { checkNetworkOptions, checkOneLayer } from './gpu-checks.js';
import { TrainerCore } from './core.js';
import { cacheLayout, CACHE_TENSORS, type CacheName, pipelineConstants, wgslConstants } from './layout.js';
import { checkLimits } from './limits.js';
import {
  MLP_BINDINGS,
  MLP_ENTRY_POINTS,
  type MlpBindingName,
  type MlpEntryPoint,
  SHADERS,
  STATUS_WORDS,
} from './shaders.js';
import type { OneLayerConfig, Readout, Trainer } from './contract.js';
import { phaseBuffers, PhaseTrainer } from './phase-trainer.js';
import { checkFromStep, freshStatus } from './status.js';

export interface StepTrainerOptions extends OneLayerConfig {
  /** Invocations per workgroup; default 64. */
  workgroupSize?: number;
  /** Test-only: WGSL to compile instead of SHADERS.mlp (the mutation checks, tests/mutants.test.ts). */
  shaderSource?: string;
}

/** The phases of one step without the update: forward and backward at the current parameters. */
const NO_UPDATE: readonly MlpEntryPoint[] = ['forward', 'backwardDeltas', 'backwardGrads'];

export class StepTrainer extends PhaseTrainer<MlpBindingName, MlpEntryPoint> implements Trainer {
  readonly kernel = 'steps';
  private readonly bindGroup: GPUBindGroup;

  private constructor(
    device: GPUDevice,
    spec: Spec,
    readonly options: Readonly<StepTrainerOptions>,
    core: TrainerCore<MlpBindingName, MlpEntryPoint>,
    private readonly workgroups: Record<MlpEntryPoint, number>,
  ) {
    super(device, spec, core);
    this.bindGroup = core.bindGroup();
  }

  static async create(device: GPUDevice, options: StepTrainerOptions): Promise<StepTrainer> {
    checkOneLayer(options, 'steps');
    const { data, params, loss, lr } = options;
    const label = options.label ?? 'mlp';
    const spec = await checkNetworkOptions(device, options, label);
    const wg = options.workgroupSize ?? 64;
    const P = paramLayout(spec).size;
    const C = cacheLayout(spec);
    const count = StepTrainer.checkFits(device, spec, wg);
    const core = await TrainerCore.create(device, {
      label,
      shader: options.shaderSource ?? SHADERS.mlp,
      bindings: MLP_BINDINGS,
      entryPoints: MLP_ENTRY_POINTS,
      constants: { ...wgslConstants(spec), ...pipelineConstants(loss, wg, options.activation ?? 'relu') },
      buffers: {
        ...phaseBuffers(data, params, lr),
        cache: { bytes: 4 * C.size, role: 'output' },
        grads: { bytes: 4 * P, role: 'output' },
        status: {
          bytes: 4 * STATUS_WORDS,
          role: 'state',
          init: freshStatus(STATUS_WORDS, checkFromStep(options.fromStep)),
        },
        next: { bytes: 4 * P, role: 'scratch' },
      },
    });
    const workgroups = Object.fromEntries(MLP_ENTRY_POINTS.map((e) => [e, Math.ceil(count[e] / wg)])) as Record<
      MlpEntryPoint,
      number
    >;
    return new StepTrainer(device, spec, options, core, workgroups);
  }

  /** Throws a GpuError('limit') naming the limit where this shape does not fit; returns the invocations per phase. */
  static checkFits(device: GPUDevice, spec: Spec, wg = 64): Record<MlpEntryPoint, number> {
    const P = paramLayout(spec).size;
    const count: Record<MlpEntryPoint, number> = {
      forward: spec.N,
      backwardDeltas: spec.N,
      backwardGrads: P,
      sgdStep: P,
    };
    checkLimits(device.limits, spec, {
      cacheFloats: cacheLayout(spec).size,
      workgroupSize: wg,
      invocations: Math.max(...Object.values(count)),
    });
    return count;
  }

  /**
   * The loss and SGD step count, read back; throws a TrainingDivergedError
   * naming the step and element if a loss, gradient or updated parameter went non-finite.
   */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    const { status, cache } = this.core.buffers;
    const losses = { buffer: cache, offset: 4 * cacheLayout(this.spec).loss, size: 4 * this.spec.N };
    return this.core.readStatus(this.spec, { buffer: status, offset: 0, size: 4 * STATUS_WORDS }, losses);
  }

  /** Forward and backward at the current parameters (no update), then θ, g, the loss, ŷ and, if asked, the cache. */
  async inspect(options: { cache: true }): Promise<Readout & { cache: Record<CacheName, Float64Array> }>;
  async inspect(options?: { cache?: boolean }): Promise<Readout>;
  async inspect({ cache = false }: { cache?: boolean } = {}): Promise<Readout> {
    this.core.check('inspect');
    this.record(1, NO_UPDATE);
    return this.read(cache);
  }

  /** θ, g, the loss and the cache as the last recorded dispatch left them (g at the θ before its update). */
  async readAll(): Promise<Readout & { cache: Record<CacheName, Float64Array> }> {
    this.core.check('readAll');
    return this.read(true) as Promise<Readout & { cache: Record<CacheName, Float64Array> }>;
  }

  private async read(cache: boolean): Promise<Readout> {
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const C = cacheLayout(this.spec);
    const { buffers } = this.core;
    const [params, grads, values] = await this.core.readFloats([
      { buffer: buffers.params, offset: 0, size: 4 * P },
      { buffer: buffers.grads, offset: 0, size: 4 * P },
      cache
        ? { buffer: buffers.cache, offset: 0, size: 4 * C.size }
        : { buffer: buffers.cache, offset: 4 * C.yHat, size: 4 * this.spec.N },
    ]);
    if (!cache) return { step, loss, params: params!, grads: grads!, yHat: values! };
    const { N, H } = this.spec;
    const perSample = { z1: H, a1: H, z2: 1, yHat: 1, loss: 1, dz2: 1, da1: H, dz1: H } as const;
    const at = (name: CacheName) => values!.slice(C[name], C[name] + N * perSample[name]);
    const parts = Object.fromEntries(CACHE_TENSORS.map((name) => [name, at(name)])) as Record<CacheName, Float64Array>;
    return { step, loss, params: params!, grads: grads!, yHat: parts.yHat, cache: parts };
  }

  /** The buffers holding θ and the status word (step count first), for the inspector twin (./inspector.ts). */
  stateBuffers(): { params: GPUBuffer; status: GPUBuffer } {
    this.core.check('stateBuffers');
    return { params: this.core.buffers.params, status: this.core.buffers.status };
  }

  /** Forward, backward and the update, `steps` times, in one command buffer. */
  protected recordSteps(steps: number): void {
    this.record(steps, MLP_ENTRY_POINTS);
  }

  /** `steps` repetitions of the phases `entries`, in one command buffer and one compute pass. */
  private record(steps: number, entries: readonly MlpEntryPoint[]): void {
    this.core.submit((pass) => {
      pass.setBindGroup(0, this.bindGroup);
      for (let t = 0; t < steps; t++) {
        for (const e of entries) {
          pass.setPipeline(this.core.pipelines[e]);
          pass.dispatchWorkgroups(this.workgroups[e]);
        }
      }
    });
  }
}
