/**
 * M independent 2-layer MLPs trained at once (shaders/many.wgsl), one invocation per model, each from its own seed
 * (seedBase + m, drawn on the GPU exactly as `initParams` draws on the CPU) and learning rate. Runs go in dispatches of
 * at most `stepsPerDispatch` steps, at most MANY_DISPATCHES_PER_SUBMIT per command buffer, read back only by
 * `readResults`. A model that goes non-finite stops there, alone, and its result names the step and element.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data/data.js';
import type { TrainingDivergedError } from '../mlp/divergence.js';
import { checkSeed } from '../mlp/rng.js';
import { makeSpec, paramLayout, type Spec } from '../mlp/spec.js';
import { checkDeviceAlive, checkLearningRate, checkTrainerInput, checkUploadable } from './gpu-checks.js';
import { TrainerCore } from './core.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkBufferFits, checkWorkgroupCount } from './limits.js';
import { readModelWords, submitUniformDispatches, trainModels } from './models.js';
import {
  MANY_BINDINGS,
  MANY_MAX,
  MANY_RESULT_WORDS,
  MANY_STATUS_WORDS,
  type ManyBindingName,
  packManyRun,
  SHADERS,
} from './shaders.js';
import { NO_FAULT, statusError } from './status.js';

export interface ManyOptions {
  data: Dataset;
  hidden: number;
  loss: LossKind;
  /** The hidden activation f of every model (default 'relu'): one per dispatch; shaders/lib/common.wgsl's ACT. */
  activation?: HiddenActivation;
  /** One learning rate per model; M is its length. */
  lrs: ArrayLike<number>;
  /** Model m starts from seed seedBase + (m mod seedCount). */
  seedBase: number;
  /**
   * Distinct seeds; default M (one per model). With M = R·S models and seedCount S, every block of S models shares the
   * seeds seedBase .. seedBase + S − 1.
   */
  seedCount?: number;
  workgroupSize?: number;
  /**
   * Start from these parameters instead of drawing them from the seeds: M·P
   * values, model m's in the flat layout at m·P (exact f32 values are kept exactly).
   */
  initialParams?: ArrayLike<number>;
  label?: string;
}

export interface ManyResults {
  /** Mean loss of each model at its current parameters. */
  loss: Float32Array;
  /** Fraction of samples each model classifies right. */
  accuracy: Float32Array;
  /** Whether a model met a NaN or infinity (it stops there). */
  diverged: Uint8Array;
  /** SGD steps each model has taken. */
  steps: Float32Array;
  /** For each model that stopped, why: the step and the element that went non-finite (null for the others). */
  errors: (TrainingDivergedError | null)[];
}

export { MANY_DISPATCHES_PER_SUBMIT } from './models.js';

/** The override constants of shaders/many.wgsl. */
export function manyConstants(
  spec: Spec,
  loss: LossKind,
  workgroupSize: number,
  activation: HiddenActivation,
): Record<string, number> {
  return {
    ...paramConstants(spec),
    ...pipelineConstants(loss, workgroupSize, activation),
    BOUND1: Math.fround(1 / Math.sqrt(spec.d)), // the engine's initialisation bounds, src/engine/nn.ts
    BOUND2: Math.fround(1 / Math.sqrt(spec.H)),
  };
}

export class ManyTrainer {
  private readonly bindGroup: GPUBindGroup;
  private initialised: boolean;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly models: number,
    readonly options: Readonly<ManyOptions>,
    private readonly core: TrainerCore<ManyBindingName, 'trainMany'>,
  ) {
    this.bindGroup = core.bindGroup();
    this.initialised = options.initialParams !== undefined;
  }

  get label(): string {
    return this.options.label ?? 'many';
  }

  static async create(device: GPUDevice, options: ManyOptions): Promise<ManyTrainer> {
    const { data, hidden, loss, lrs, initialParams } = options;
    const label = options.label ?? 'many';
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const wg = options.workgroupSize ?? 64;
    const M = lrs.length;
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    checkManyInput(spec, options);
    const P = paramLayout(spec).size;
    checkWorkgroupCount(
      device.limits,
      `${M} models in workgroups of ${wg}`,
      Math.ceil(M / wg),
      'train fewer models at once',
    );
    checkBufferFits(device.limits, `${M} models of ${P} parameters`, 4 * M * P, 'train fewer models at once');
    const restart = initialParams !== undefined;
    const core = await TrainerCore.create(device, {
      label,
      shader: SHADERS.many,
      bindings: MANY_BINDINGS,
      entryPoints: ['trainMany'],
      constants: manyConstants(spec, loss, wg, options.activation ?? 'relu'),
      buffers: {
        run: {
          bytes: 4 * packManyRun({ models: 0, steps: 0, seedBase: 0, init: 0, seedCount: 0 }).length,
          role: 'uniform',
        },
        x: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
        y: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
        lrs: { bytes: 4 * M, role: 'input', init: Float32Array.from(lrs) },
        params: { bytes: 4 * M * P, role: 'state', init: restart ? Float32Array.from(initialParams) : undefined },
        results: {
          bytes: 4 * MANY_RESULT_WORDS * M,
          role: 'state',
          init: restart ? new Float32Array(MANY_RESULT_WORDS * M) : undefined,
        },
        status: { bytes: 4 * MANY_STATUS_WORDS * M, role: 'state', init: restart ? manyFreshStatus(M) : undefined },
      },
    });
    return new ManyTrainer(device, spec, M, options, core);
  }

  /**
   * Records `steps` SGD steps for every model, as dispatches of at most
   * `stepsPerDispatch` steps each (keep a dispatch short for browser watchdogs),
   * in one submit. The first call also draws the initial parameters.
   */
  train(steps: number, { stepsPerDispatch = 1000 }: { stepsPerDispatch?: number } = {}): void {
    this.core.check('train');
    trainModels(steps, stepsPerDispatch, this.initialised, (chunks) => this.record(chunks));
  }

  /** One command buffer, a dispatch per entry of `chunks` (steps each); the first draws the initial θ if needed. */
  private record(chunks: readonly number[]): void {
    const groups = [Math.ceil(this.models / (this.options.workgroupSize ?? 64)), 1] as const;
    const seedCount = this.options.seedCount ?? this.models;
    const dispatches = chunks.map((steps, i) => {
      const init = i === 0 && !this.initialised ? 1 : 0;
      return {
        values: packManyRun({ models: this.models, steps, seedBase: this.options.seedBase, init, seedCount }),
        groups,
      };
    });
    submitUniformDispatches(this.core, this.core.pipelines.trainMany, this.bindGroup, dispatches);
    this.initialised = true;
  }

  /** Every model's results; a model that stopped has its error (step and element) in `errors`. Never throws for one. */
  async readResults(): Promise<ManyResults> {
    this.core.check('readResults');
    const { column, status } = await readModelWords(this.core, this.models);
    const errors = Array.from({ length: this.models }, (_, m) => statusError(this.spec, status(m)[1], status(m)[2]));
    return { loss: column(0), accuracy: column(1), diverged: Uint8Array.from(column(2)), steps: column(3), errors };
  }

  /** One model's parameters, flat layout. */
  async readParams(m: number): Promise<Float64Array> {
    this.core.check('readParams');
    if (!Number.isInteger(m) || m < 0 || m >= this.models)
      throw new RangeError(`model must be an integer in [0, ${this.models - 1}], got ${m}`);
    const P = paramLayout(this.spec).size;
    return this.core.readBuffer('params', P, m * P);
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). */
  destroy(): void {
    this.core.destroy();
  }
}

/** What only the many-models kernel takes: its private-array bounds, a rate per model, the seeds, restart θ. */
function checkManyInput(spec: Spec, { lrs, seedBase, seedCount = lrs.length, initialParams, data }: ManyOptions): void {
  const M = lrs.length;
  if (spec.d > MANY_MAX.d || spec.H > MANY_MAX.H) {
    throw new RangeError(
      `many-models kernel: d must be ≤ ${MANY_MAX.d} and H ≤ ${MANY_MAX.H} (its per-model arrays are private), got d=${spec.d}, H=${spec.H}`,
    );
  }
  if (!Number.isInteger(M) || M < 1)
    throw new RangeError(`lrs: need at least one learning rate (one per model), got ${M}`);
  if (!Number.isInteger(seedCount) || seedCount < 1 || seedCount > M)
    throw new RangeError(`seedCount must be an integer in [1, ${M}], got ${seedCount}`);
  checkSeed(seedBase);
  checkSeed(seedBase + seedCount - 1);
  for (let m = 0; m < M; m++) checkLearningRate(`lrs[${m}]`, lrs[m]!);
  for (const [name, xs] of [
    ['data.x', data.x],
    ['data.y', data.y],
  ] as const)
    checkUploadable(name, xs);
  const P = paramLayout(spec).size;
  if (initialParams) {
    if (initialParams.length !== M * P)
      throw new RangeError(`initialParams must have M·P = ${M}·${P} = ${M * P} values, got ${initialParams.length}`);
    checkUploadable('initialParams', initialParams);
  }
}

/** M fresh per-model status words: 0 steps, then NO_FAULT for badStep and badWhere. */
function manyFreshStatus(M: number): Uint32Array {
  return Uint32Array.from({ length: MANY_STATUS_WORDS * M }, (_, i) => (i % MANY_STATUS_WORDS === 0 ? 0 : NO_FAULT));
}
