/**
 * The GPU trainer: full-batch SGD on the 2-layer MLP with the step kernels of
 * shaders/mlp.wgsl, one dispatch per phase, every buffer readable after each.
 * Its own part is the schedule (forward, backwardDeltas, backwardGrads,
 * sgdStep) and the cache readback; creation, bounded submits, the status word
 * and the guards are the trainer core's (./core.ts). `step(k)` only records;
 * `run(k)` also waits per chunk; reading back is a separate, explicit call and
 * throws a TrainingDivergedError naming the first step and element that went
 * non-finite.
 *
 * @example
 * const trainer = await GpuTrainer.create(device, { data: xor(), params: initParams({ d: 2, H: 8 }, 1), hidden: 8, lr: 0.5, loss: 'bce' });
 * trainer.step(500);
 * const { loss } = await trainer.readLoss();
 */
import { paramLayout, type Spec } from '../mlp/spec.js';
import { checkNetworkOptions } from './checks.js';
import { TrainerCore } from './core.js';
import { cacheLayout, CACHE_TENSORS, type CacheName, pipelineConstants, wgslConstants } from './layout.js';
import { checkLimits } from './limits.js';
import { MLP_BINDINGS, MLP_ENTRY_POINTS, type MlpBindingName, type MlpEntryPoint, SHADERS, STATUS_WORDS } from './shaders.js';
import type { NetworkOptions } from './options.js';
import { phaseBuffers, PhaseTrainer } from './phase-trainer.js';
import { freshStatus } from './status.js';

export interface GpuTrainerOptions extends NetworkOptions {
  /** Invocations per workgroup; default 64. */
  workgroupSize?: number;
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

/** The phases of one step without the update: forward and backward at the current parameters. */
const NO_UPDATE: readonly MlpEntryPoint[] = ['forward', 'backwardDeltas', 'backwardGrads'];

export class GpuTrainer extends PhaseTrainer<MlpBindingName, MlpEntryPoint> {
  private readonly bindGroup: GPUBindGroup;

  private constructor(
    device: GPUDevice,
    spec: Spec,
    readonly options: Readonly<GpuTrainerOptions>,
    core: TrainerCore<MlpBindingName, MlpEntryPoint>,
    private readonly workgroups: Record<MlpEntryPoint, number>,
  ) {
    super(device, spec, core);
    this.bindGroup = core.bindGroup();
  }

  static async create(device: GPUDevice, options: GpuTrainerOptions): Promise<GpuTrainer> {
    const { data, params, loss, lr } = options;
    const label = options.label ?? 'mlp';
    const spec = await checkNetworkOptions(device, options, label);
    const wg = options.workgroupSize ?? 64;
    const P = paramLayout(spec).size;
    const C = cacheLayout(spec);
    const count: Record<MlpEntryPoint, number> = { forward: spec.N, backwardDeltas: spec.N, backwardGrads: P, sgdStep: P };
    checkLimits(device.limits, spec, { cacheFloats: C.size, workgroupSize: wg, invocations: Math.max(...Object.values(count)) });
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
        status: { bytes: 4 * STATUS_WORDS, role: 'state', init: freshStatus(STATUS_WORDS) },
        next: { bytes: 4 * P, role: 'scratch' },
      },
    });
    const workgroups = Object.fromEntries(MLP_ENTRY_POINTS.map((e) => [e, Math.ceil(count[e] / wg)])) as Record<MlpEntryPoint, number>;
    return new GpuTrainer(device, spec, options, core, workgroups);
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

  /**
   * Runs the forward and backward passes at the current parameters (no update)
   * and reads back everything: parameters, gradients, the cache and the loss.
   */
  async gradients(): Promise<GpuReadout> {
    this.core.check('gradients');
    this.record(1, NO_UPDATE);
    return this.readAll();
  }

  /** Parameters, gradients and cache as they are now (after the last recorded dispatch). */
  async readAll(): Promise<GpuReadout> {
    this.core.check('readAll');
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const C = cacheLayout(this.spec);
    const { buffers } = this.core;
    const [params, grads, cache] = await this.core.readFloats([
      { buffer: buffers.params, offset: 0, size: 4 * P },
      { buffer: buffers.grads, offset: 0, size: 4 * P },
      { buffer: buffers.cache, offset: 0, size: 4 * C.size },
    ]);
    const { N, H } = this.spec;
    const perSample = { z1: H, a1: H, z2: 1, yHat: 1, loss: 1, dz2: 1, da1: H, dz1: H } as const;
    const parts = Object.fromEntries(CACHE_TENSORS.map((name) => [name, cache!.slice(C[name], C[name] + N * perSample[name])])) as Record<CacheName, Float64Array>;
    return { step, loss, params: params!, grads: grads!, cache: parts };
  }

  /**
   * Like `gradients()` (forward and backward at the current parameters, no
   * update), but reads back only what a report needs: parameters, gradients,
   * the loss and ŷ (N floats), never the 4·N·H cache.
   */
  async predictions(): Promise<Omit<GpuReadout, 'cache'> & { yHat: Float64Array }> {
    this.core.check('predictions');
    this.record(1, NO_UPDATE);
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const { buffers } = this.core;
    const [params, grads, yHat] = await this.core.readFloats([
      { buffer: buffers.params, offset: 0, size: 4 * P },
      { buffer: buffers.grads, offset: 0, size: 4 * P },
      { buffer: buffers.cache, offset: 4 * cacheLayout(this.spec).yHat, size: 4 * this.spec.N },
    ]);
    return { step, loss, params: params!, grads: grads!, yHat: yHat! };
  }

  /** The buffers holding θ and the status word (step count first), for pairing trainers (./frames.ts). */
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
