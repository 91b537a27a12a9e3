/**
 * Many independent MLPs, one invocation per model, parameters and gradients in registers (shaders/many-reg.wgsl):
 * ManyTrainer's step (shaders/lib/models.wgsl), so its results bit for bit, with no branch per value for the
 * non-finite check (a flag per model, an exact replay where it is set). Width groups let a whole map of widths × rates
 * × seeds train in one dispatch, read back once. Creation, guards, buffers and readback are the trainer core's.
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data/data.js';
import type { TrainingDivergedError } from '../mlp/divergence.js';
import type { HiddenActivation } from '../engine/activation.js';
import { checkSeed } from '../mlp/rng.js';
import { makeSpec, paramLayout, type Spec } from '../mlp/spec.js';
import { checkDeviceAlive, checkLearningRate, checkTrainerInput, checkUploadable } from './gpu-checks.js';
import { TrainerCore } from './core.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkBufferFits, checkWorkgroupStorage } from './limits.js';
import type { ManyResults } from './many.js';
import { readModelWords, submitUniformDispatches, trainModels } from './models.js';
import {
  MANY_MAX,
  MANY_REG_BINDINGS,
  MANY_RESULT_WORDS,
  MANY_STATUS_WORDS,
  type ManyRegBindingName,
  packManyRegRun,
  SHADERS,
} from './shaders.js';
import { NO_FAULT, statusError } from './status.js';

/** A run of consecutive models of one width. */
export interface WidthGroup {
  hidden: number;
  models: number;
}

export interface ManyRegOptions {
  data: Dataset;
  /** One width for every model, or width groups (in model order; their `models` add up to M). */
  hidden: number | readonly WidthGroup[];
  loss: LossKind;
  /** One learning rate per model; M is its length. */
  lrs: ArrayLike<number>;
  /** Model k of a group starts from seed seedBase + (k mod seedCount). */
  seedBase: number;
  /** Distinct seeds per group; default: the group's model count. */
  seedCount?: number;
  /** The hidden activation f of every model (default 'relu'): one per dispatch; shaders/lib/common.wgsl's ACT. */
  activation?: HiddenActivation;
  workgroupSize?: number;
  /** Start from these parameters (one width only): M·P values, model m's at m·P. */
  initialParams?: ArrayLike<number>;
  label?: string;
}

/** The workgroup size from the device's limits: 128, or the most it allows. */
export function manyRegWorkgroupSize(device: GPUDevice): number {
  return Math.min(128, device.limits.maxComputeInvocationsPerWorkgroup, device.limits.maxComputeWorkgroupSizeX);
}

/** Bytes of workgroup memory the kernel keeps the data in: N·d + N floats. */
export function manyRegDataBytes({ d, N }: Pick<Dataset, 'd' | 'N'>): number {
  return 4 * (N * d + N);
}

/** The override constants of shaders/many-reg.wgsl: the widest model's layout, and whether every model is that wide. */
export function manyRegConstants(
  spec: Spec,
  loss: LossKind,
  workgroupSize: number,
  oneWidth: boolean,
  activation: HiddenActivation,
): Record<string, number> {
  return {
    ...paramConstants(spec),
    ...pipelineConstants(loss, workgroupSize, activation),
    BOUND1: Math.fround(1 / Math.sqrt(spec.d)),
    ONE_WIDTH: oneWidth ? 1 : 0,
  };
}

export class ManyRegTrainer {
  readonly variant = 'many-reg';
  private readonly bindGroup: GPUBindGroup;
  private initialised: boolean;

  private constructor(
    readonly device: GPUDevice,
    /** The widest model's spec: every model is kept in its layout. */
    readonly spec: Spec,
    readonly groups: readonly WidthGroup[],
    readonly models: number,
    readonly options: Readonly<ManyRegOptions>,
    private readonly core: TrainerCore<ManyRegBindingName, 'trainManyReg'>,
    private readonly wg: number,
  ) {
    this.bindGroup = core.bindGroup();
    this.initialised = options.initialParams !== undefined;
  }

  get label(): string {
    return this.options.label ?? 'manyReg';
  }

  static async create(device: GPUDevice, options: ManyRegOptions): Promise<ManyRegTrainer> {
    const { data, loss, lrs } = options;
    const label = options.label ?? 'manyReg';
    const M = lrs.length;
    const groups: WidthGroup[] =
      typeof options.hidden === 'number' ? [{ hidden: options.hidden, models: M }] : [...options.hidden];
    const hMax = Math.max(...groups.map((g) => g.hidden));
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, {
      data,
      loss,
      hidden: hMax,
      activation: options.activation ?? 'relu',
      ...(options.workgroupSize !== undefined ? { workgroupSize: options.workgroupSize } : {}),
    });
    const spec = makeSpec({ d: data.d, H: hMax, N: data.N });
    const P = paramLayout(spec).size;
    checkManyRegInput(spec, groups, options);
    checkWorkgroupStorage(
      device.limits,
      'the data (N·d + N floats) is kept in workgroup memory',
      manyRegDataBytes(data),
      'use ManyTrainer',
    );
    const wg = options.workgroupSize ?? manyRegWorkgroupSize(device);
    checkBufferFits(device.limits, `${M} models of ${P} parameters`, 4 * M * P, 'train fewer models at once');
    const restart = options.initialParams !== undefined;
    const core = await TrainerCore.create(device, {
      label,
      shader: SHADERS.manyReg,
      bindings: MANY_REG_BINDINGS,
      entryPoints: ['trainManyReg'],
      constants: manyRegConstants(
        spec,
        loss,
        wg,
        groups.every((g) => g.hidden === hMax),
        options.activation ?? 'relu',
      ),
      buffers: {
        run: {
          bytes: 4 * packManyRegRun({ models: 0, steps: 0, seedBase: 0, init: 0, groups: 0 }).length,
          role: 'uniform',
        },
        xIn: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
        yIn: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
        lrs: { bytes: 4 * M, role: 'input', init: Float32Array.from(lrs) },
        params: {
          bytes: 4 * M * P,
          role: 'state',
          init: restart ? Float32Array.from(options.initialParams!) : undefined,
        },
        results: {
          bytes: 4 * MANY_RESULT_WORDS * M,
          role: 'state',
          init: restart ? new Float32Array(MANY_RESULT_WORDS * M) : undefined,
        },
        status: {
          bytes: 4 * MANY_STATUS_WORDS * M,
          role: 'state',
          init: restart
            ? Uint32Array.from({ length: MANY_STATUS_WORDS * M }, (_, i) => (i % MANY_STATUS_WORDS ? NO_FAULT : 0))
            : undefined,
        },
        groups: { bytes: 16 * groups.length, role: 'input', init: packGroups(groups, options.seedCount) },
      },
    });
    return new ManyRegTrainer(device, spec, groups, M, options, core, wg);
  }

  /** `steps` SGD steps of every model: dispatches of ≤ `stepsPerDispatch`, MANY_DISPATCHES_PER_SUBMIT a submit. */
  train(steps: number, { stepsPerDispatch = 1000 }: { stepsPerDispatch?: number } = {}): void {
    this.core.check('train');
    trainModels(steps, stepsPerDispatch, this.initialised, (chunks) => this.record(chunks));
  }

  /**
   * One command buffer: per chunk, its uniform copied in from a small upload buffer, then one dispatch (2-D past the
   * per-dimension limit).
   */
  private record(chunks: readonly number[]): void {
    const needed = Math.ceil(this.models / this.wg);
    const gx = Math.min(needed, this.device.limits.maxComputeWorkgroupsPerDimension);
    const dispatches = chunks.map((steps, i) => {
      const init = i === 0 && !this.initialised ? 1 : 0;
      return {
        values: packManyRegRun({
          models: this.models,
          steps,
          seedBase: this.options.seedBase,
          init,
          groups: this.groups.length,
        }),
        groups: [gx, Math.ceil(needed / gx)] as const,
      };
    });
    submitUniformDispatches(this.core, this.core.pipelines.trainManyReg, this.bindGroup, dispatches);
    this.initialised = true;
  }

  /** Model m's width. */
  widthOf(m: number): number {
    let first = 0;
    for (const g of this.groups) {
      if (Number.isInteger(m) && m >= first && m < first + g.models) return g.hidden;
      first += g.models;
    }
    throw new RangeError(`model must be an integer in [0, ${this.models - 1}], got ${m}`);
  }

  /** Every model's results, as ManyTrainer.readResults gives them; fault indices in each model's own flat layout. */
  async readResults(): Promise<ManyResults> {
    this.core.check('readResults');
    const { column, status } = await readModelWords(this.core, this.models);
    const errors: (TrainingDivergedError | null)[] = [];
    for (const g of this.groups) {
      const own = makeSpec({ d: this.spec.d, H: g.hidden, N: this.spec.N });
      for (let i = 0; i < g.models; i++) {
        const [, badStep, code] = status(errors.length);
        errors.push(statusError(own, badStep, narrowCode(this.spec, own, code)));
      }
    }
    return { loss: column(0), accuracy: column(1), diverged: Uint8Array.from(column(2)), steps: column(3), errors };
  }

  /** Model m's parameters, in the flat layout of its own width. */
  async readParams(m: number): Promise<Float64Array> {
    this.core.check('readParams');
    const own = paramLayout({ d: this.spec.d, H: this.widthOf(m) });
    const P = paramLayout(this.spec);
    const wide = await this.core.readBuffer('params', P.size, m * P.size);
    const out = new Float64Array(own.size);
    for (const t of ['W1', 'b1', 'W2', 'b2'] as const)
      out.set(wide.subarray(P[t].offset, P[t].offset + own[t].length), own[t].offset);
    return out;
  }

  destroy(): void {
    this.core.destroy();
  }
}

/**
 * A parameter's fault code in the widest layout, as the same parameter's code in a model's own layout (loss codes, by
 * sample, unchanged).
 */
export function narrowCode(wide: Spec, own: Spec, code: number): number {
  if (code === NO_FAULT || code >>> 30 === 0 || wide.H === own.H) return code;
  const k = (code >>> 2) & 0x0fff_ffff;
  const W = paramLayout(wide);
  const O = paramLayout(own);
  const t = (['W1', 'b1', 'W2', 'b2'] as const).find((n) => k >= W[n].offset && k < W[n].offset + W[n].length)!;
  return ((code & 0xc000_0003) | ((O[t].offset + k - W[t].offset) << 2)) >>> 0;
}

/** What only this kernel takes: widths within its private arrays, groups adding up to M, rates, seeds, restart θ. */
function checkManyRegInput(
  spec: Spec,
  groups: readonly WidthGroup[],
  { lrs, seedBase, seedCount, initialParams, data }: ManyRegOptions,
): void {
  const M = lrs.length;
  for (const [k, g] of groups.entries()) {
    if (!Number.isInteger(g.hidden) || g.hidden < 1 || g.hidden > MANY_MAX.H)
      throw new RangeError(`hidden[${k}].hidden must be an integer in [1, ${MANY_MAX.H}], got ${g.hidden}`);
    if (!Number.isInteger(g.models) || g.models < 1)
      throw new RangeError(`hidden[${k}].models must be an integer ≥ 1, got ${g.models}`);
    const S = seedCount ?? g.models;
    if (!Number.isInteger(S) || S < 1 || S > g.models)
      throw new RangeError(`seedCount must be an integer in [1, ${g.models}], got ${S}`);
    checkSeed(seedBase);
    checkSeed(seedBase + S - 1);
  }
  if (spec.d > MANY_MAX.d)
    throw new RangeError(
      `many-models kernel: d must be ≤ ${MANY_MAX.d} (its per-model arrays are private), got d=${spec.d}`,
    );
  if (!Number.isInteger(M) || M < 1)
    throw new RangeError(`lrs: need at least one learning rate (one per model), got ${M}`);
  if (groups.reduce((s, g) => s + g.models, 0) !== M)
    throw new RangeError(`hidden: the groups' models must add up to lrs.length = ${M}`);
  for (let m = 0; m < M; m++) checkLearningRate(`lrs[${m}]`, lrs[m]!);
  for (const [name, xs] of [
    ['data.x', data.x],
    ['data.y', data.y],
  ] as const)
    checkUploadable(name, xs);
  if (initialParams) {
    const P = paramLayout(spec).size;
    if (groups.length !== 1) throw new RangeError('initialParams: only for a single width');
    if (initialParams.length !== M * P)
      throw new RangeError(`initialParams must have M·P = ${M}·${P} = ${M * P} values, got ${initialParams.length}`);
    checkUploadable('initialParams', initialParams);
  }
}

/** `struct Group { first, h, bound2, seeds }` per width group; bound2 = f32(1/√h), as src/engine/nn.ts draws. */
function packGroups(groups: readonly WidthGroup[], seedCount: number | undefined): ArrayBuffer {
  const buf = new ArrayBuffer(16 * groups.length);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  let first = 0;
  for (const [k, g] of groups.entries()) {
    u.set([first, g.hidden], 4 * k);
    f[4 * k + 2] = Math.fround(1 / Math.sqrt(g.hidden));
    u[4 * k + 3] = seedCount ?? g.models;
    first += g.models;
  }
  return buf;
}
