/**
 * The general network on the GPU (shaders/layers.wgsl): 1 to 6 hidden layers, the σ or identity output, mini-batches
 * and the L1/L2 penalty, one dispatch per phase per layer. The chooser picks it where no faster kernel supports the
 * configuration. Each epoch's order is drawn on the host (src/mlp/batches.ts) and uploaded for the steps a submit
 * records; readLoss and inspect look at the whole training set at the parameters held now.
 */
import { checkActivation } from '../engine/activation.js';
import { batchesPerEpoch, checkBatchSize, epochOrder } from '../mlp/batches.js';
import * as shared from '../mlp/checks.js';
import { TrainingDivergedError } from '../mlp/divergence.js';
import {
  checkHidden,
  checkLabels,
  checkOutput,
  formatHidden,
  makeModel,
  type Model,
  MODEL_LIMITS,
  modelLayout,
  type ModelShape,
  OUTPUTS,
} from '../mlp/model.js';
import { checkObjective, type Objective, penaltyValue } from '../mlp/objective.js';
import { checkSeed } from '../mlp/rng.js';
import { makeSpec, SPEC_LIMITS, type Spec } from '../mlp/spec.js';
import type { KernelSupport, LayerValues, NetworkShape, Readout, Trainer, TrainerConfig } from './contract.js';
import { STEPS_PER_SUBMIT, TrainerCore, usage } from './core.js';
import { GpuError } from './device.js';
import {
  checkCount,
  checkDeviceAlive,
  checkLearningRate,
  checkSteps,
  checkUploadable,
  checkWorkgroupSize,
} from './gpu-checks.js';
import type { CacheName } from './layout.js';
import { pipelineConstants } from './layout.js';
import { checkBufferFits, checkWorkgroupCount } from './limits.js';
import { phaseBuffers } from './phase-trainer.js';
import {
  LAYERS_BINDINGS,
  LAYERS_ENTRY_POINTS,
  type LayerRecord,
  type LayersBindingName,
  type LayersEntryPoint,
  packAt,
  packNet,
  packRun,
  SHADERS,
  STATUS_WORDS,
} from './shaders.js';
import { checkFromStep, decodeFault, freshStatus, meanLoss, NO_FAULT } from './status.js';

/** What this kernel trains: every configuration of the general model. */
export const LAYERS_SUPPORT: KernelSupport = Object.freeze({
  layers: MODEL_LIMITS.layers.max,
  outputs: OUTPUTS,
  miniBatch: true,
  penalty: true,
});

/** The epoch orders held on the GPU take at most this many indices (4 MiB), and always two epochs' worth. */
const ROWS_HELD = 1 << 20;

export interface LayersOptions extends TrainerConfig {
  /** Invocations per workgroup; default 64. */
  workgroupSize?: number;
  /** Test-only: WGSL to compile instead of SHADERS.layers (the mutation checks). */
  shaderSource?: string;
  /** Test-only: epoch orders held at once (≥ 2), so a short run crosses many refills of the order buffer. */
  epochsHeld?: number;
}

/** Each layer's record for the kernel (θ offsets, and cache offsets for N rows each), then the per-row losses. */
export function layersCacheLayout(shape: ModelShape, N: number): { layers: LayerRecord[]; loss: number; size: number } {
  const slots = modelLayout(shape).layers;
  let size = 0;
  const take = (n: number) => (size += n) - n;
  const layers = slots.map(({ nin, nout, W, b }, i) => {
    const z = take(N * nout);
    const a = take(N * nout);
    const delta = take(N * nout);
    const da = i < slots.length - 1 ? take(N * nout) : 0; // the output layer has no da
    return { nin, nout, w: W.offset, b: b.offset, z, a, delta, da };
  });
  const loss = take(N);
  return { layers, loss, size };
}

/** Epoch orders held at once: enough for a whole submit where they fit ROWS_HELD, else two; 1 for the full batch. */
function epochsHeld(N: number, B: number): number {
  if (B === N) return 1;
  return Math.min(Math.max(2, Math.floor(ROWS_HELD / N)), Math.ceil(STEPS_PER_SUBMIT / batchesPerEpoch(N, B)) + 1);
}

/** The override constants of shaders/layers.wgsl; λ1 and λ2 become f32 there. */
export function layersConstants(
  model: Model,
  N: number,
  B: number,
  epochs: number,
  objective: Required<Objective>,
  workgroupSize: number,
): Record<string, number> {
  return {
    D: model.d,
    N,
    P_SIZE: modelLayout(model).size,
    ...pipelineConstants(objective.loss, workgroupSize, model.activation),
    OUTPUT: model.output === 'sigmoid' ? 0 : 1,
    LAYERS: model.hidden.length + 1,
    BATCH: B,
    PER_EPOCH: batchesPerEpoch(N, B),
    EPOCHS: epochs,
    LOSS_OFF: layersCacheLayout(model, N).loss,
    L1: objective.l1,
    L2: objective.l2,
  };
}

interface Checked {
  spec: Spec;
  model: Model;
  objective: Required<Objective>;
  batch: number;
  seed: number;
}

/**
 * Every field, before anything is made; each error names the field and its range. One hidden layer with the σ output
 * is checked first by the checks every trainer makes (src/mlp/checks.ts), in the same words.
 */
function checkLayersInput(device: GPUDevice, options: LayersOptions): Checked {
  const { data, params, lr, loss } = options;
  const hidden = typeof options.hidden === 'number' ? [options.hidden] : checkHidden(options.hidden);
  const output = checkOutput(options.output ?? 'sigmoid');
  if (hidden.length === 1 && output === 'sigmoid') {
    shared.checkNetworkInput({ ...options, hidden: hidden[0]! }, { f32: true }, '; nothing was uploaded');
  }
  for (const [name, v, key] of [
    ['data.d', data?.d, 'd'],
    ['data.N', data?.N, 'N'],
  ] as const) {
    const { min, max } = SPEC_LIMITS[key];
    if (!Number.isInteger(v) || v! < min || v! > max)
      throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  const { d, N } = data;
  if (data.x?.length !== N * d)
    throw new RangeError(`data.x must have N·d = ${N}·${d} = ${N * d} values, got ${data.x?.length}`);
  if (data.y?.length !== N) throw new RangeError(`data.y must have N = ${N} labels, got ${data.y?.length}`);
  shared.checkLoss(loss);
  const activation = checkActivation('activation', options.activation ?? 'relu');
  const model = makeModel({ d, hidden, activation, output });
  const objective = checkObjective(output, { loss, l1: options.l1 ?? 0, l2: options.l2 ?? 0 });
  checkLabels(output, data.y, 'data.y');
  const size = modelLayout(model).size;
  if (params?.length !== size) {
    const shape = hidden.length === 1 ? `H=${hidden[0]}` : `hidden=${formatHidden(hidden)}`;
    throw new RangeError(`params: expected ${size} values for d=${d}, ${shape}, got ${params?.length}`);
  }
  checkUploadable('params', params);
  checkLearningRate('lr', lr);
  checkUploadable('data.x', data.x);
  checkUploadable('data.y', data.y);
  const batch = checkBatchSize(options.batch ?? N, N);
  let seed = 0;
  if (batch < N) {
    if (options.seed === undefined)
      throw new RangeError(`seed: a batch of ${batch} < N = ${N} needs the run's seed to draw its order`);
    checkSeed(options.seed);
    seed = options.seed;
  }
  if (options.epochsHeld !== undefined && (!Number.isInteger(options.epochsHeld) || options.epochsHeld < 2))
    throw new RangeError(`epochsHeld must be an integer ≥ 2, got ${options.epochsHeld}`);
  checkWorkgroupSize(device, options.workgroupSize);
  return { spec: makeSpec({ d, H: hidden[0]!, N }), model, objective, batch, seed };
}

export class LayersTrainer implements Trainer {
  readonly kernel = 'layers';
  /** d, N and H = H_1; `model` is the whole network. */
  readonly spec: Spec;
  readonly model: Model;
  /** The loss and λ1, λ2 as given (the kernel rounds λ to f32). */
  readonly objective: Required<Objective>;
  /** The mini-batch size B. */
  readonly batch: number;
  /** Steps recorded so far (the steps done, unless the run stopped). */
  private recorded = 0;
  /** The first epoch whose order the GPU holds, or −1. */
  private heldFrom = -1;
  /** One bind group per layer for the steps, and one per layer for a look (its `at` uniform differs). */
  private readonly train: GPUBindGroup[];
  private readonly looks: GPUBindGroup[];
  /** Workgroups of a layer's phase over B rows (train) or N rows (look), and of a phase over the parameters. */
  private readonly groups: { train: number[]; look: number[]; params: number };
  private readonly stepsPerSubmit: number;
  private readonly seed: number;

  private constructor(
    readonly device: GPUDevice,
    checked: Checked,
    private readonly core: TrainerCore<LayersBindingName, LayersEntryPoint>,
    private readonly epochs: number,
    wg: number,
  ) {
    ({ spec: this.spec, model: this.model, objective: this.objective, batch: this.batch, seed: this.seed } = checked);
    const at = (l: number, look: number) => {
      const buffer = core.own(
        device.createBuffer({
          label: `${core.label}.at${l + 1}${look ? '.look' : ''}`,
          size: 16,
          usage: usage('uniform'),
        }),
      );
      device.queue.writeBuffer(buffer, 0, packAt({ layer: l, look }));
      return core.bindGroup({ at: buffer }, `.${look ? 'look' : 'layer'}${l + 1}`);
    };
    const layers = this.model.hidden.length + 1;
    this.train = Array.from({ length: layers }, (_, l) => at(l, 0));
    this.looks = Array.from({ length: layers }, (_, l) => at(l, 1));
    const { layers: slots, size } = modelLayout(this.model);
    const over = (rows: number) => slots.map(({ nout }) => Math.ceil((rows * nout) / wg));
    this.groups = { train: over(this.batch), look: over(this.spec.N), params: Math.ceil(size / wg) };
    // k steps span at most ⌈(k − 1)/S⌉ + 1 epochs, so (epochs − 1)·S + 1 steps always find theirs held
    const S = batchesPerEpoch(this.spec.N, this.batch);
    this.stepsPerSubmit =
      this.batch === this.spec.N ? STEPS_PER_SUBMIT : Math.min(STEPS_PER_SUBMIT, (epochs - 1) * S + 1);
  }

  static async create(device: GPUDevice, options: LayersOptions): Promise<LayersTrainer> {
    const label = options.label ?? 'layers';
    await checkDeviceAlive(device, label);
    const checked = checkLayersInput(device, options);
    const { spec, model, objective, batch } = checked;
    const { data, params, lr } = options;
    const wg = options.workgroupSize ?? 64;
    const { epochs } = LayersTrainer.checkFits(
      device,
      { ...spec, hidden: model.hidden, batch },
      wg,
      options.epochsHeld,
    );
    const P = modelLayout(model).size;
    const C = layersCacheLayout(model, spec.N);
    const core = await TrainerCore.create(device, {
      label,
      shader: options.shaderSource ?? SHADERS.layers,
      bindings: LAYERS_BINDINGS,
      entryPoints: LAYERS_ENTRY_POINTS,
      constants: layersConstants(model, spec.N, batch, epochs, objective, wg),
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
        rows: { bytes: batch === spec.N ? 0 : 4 * epochs * spec.N, role: 'input' },
        net: { bytes: 4 * packNet(C.layers).length, role: 'uniform', init: packNet(C.layers) },
        at: { bytes: 16, role: 'uniform', init: packAt({ layer: 0, look: 0 }) },
        run: { bytes: 16, role: 'uniform', init: packRun({ epoch0: 0 }) },
      },
    });
    const trainer = new LayersTrainer(device, checked, core, epochs, wg);
    trainer.recorded = checkFromStep(options.fromStep); // the batches go on from this step's
    return trainer;
  }

  /**
   * Throws a GpuError('limit') naming the limit where this network does not fit the device: the cache (N rows of
   * every layer), x, the epoch orders, and one invocation per row and unit or per parameter. Returns the epochs held.
   */
  static checkFits(device: GPUDevice, shape: NetworkShape, wg = 64, epochs?: number): { epochs: number } {
    const { d, N } = shape;
    const hidden = shape.hidden ?? [shape.H];
    const held = epochs ?? epochsHeld(N, shape.batch ?? N);
    const { limits } = device;
    const P = modelLayout({ d, hidden }).size;
    const widest = Math.max(...hidden);
    checkBufferFits(
      limits,
      'the cache (z, a, δ and da of every layer for N rows)',
      4 * layersCacheLayout({ d, hidden }, N).size,
      'lower N or the widths',
    );
    checkBufferFits(limits, 'the inputs x (N·d floats)', 4 * N * d, 'lower N or d');
    checkBufferFits(limits, 'the epoch orders (N indices each)', 4 * held * N, 'lower N');
    checkWorkgroupCount(limits, 'a layer over N rows', Math.ceil((N * widest) / wg), 'lower N or the widest layer');
    checkWorkgroupCount(
      limits,
      'the gradients (one invocation per parameter)',
      Math.ceil(P / wg),
      'lower d or the widths',
    );
    const storage = LAYERS_BINDINGS.filter((b) => b.type !== 'uniform').length;
    if (limits.maxStorageBuffersPerShaderStage < storage)
      throw new GpuError(
        'limit',
        `the layers kernel binds ${storage} storage buffers, more than this device's ` +
          `maxStorageBuffersPerShaderStage (${limits.maxStorageBuffersPerShaderStage})`,
      );
    return { epochs: held };
  }

  /** Records k SGD steps, each on its batch, in bounded submits; returns at once. */
  step(k = 1): void {
    this.core.check('step');
    checkSteps('steps', k);
    this.core.record(k, this.stepsPerSubmit, (c) => this.recordSteps(c));
  }

  /** The same k steps, waiting for the GPU after each submit of at most `stepsPerSubmit`. */
  async run(
    k: number,
    { stepsPerSubmit, onChunk }: { stepsPerSubmit?: number; onChunk?: (done: number) => void | Promise<void> } = {},
  ): Promise<void> {
    this.core.check('run');
    checkSteps('steps', k);
    if (stepsPerSubmit !== undefined) checkCount('stepsPerSubmit', stepsPerSubmit);
    const per = Math.min(stepsPerSubmit ?? this.stepsPerSubmit, this.stepsPerSubmit);
    await this.core.run(k, per, (c) => this.recordSteps(c), onChunk);
  }

  setLearningRate(lr: number): void {
    this.core.setLearningRate(lr);
  }

  /**
   * L_data + R over every training point at the parameters held now (MatrixTrainer.loss()), and the steps done;
   * throws a TrainingDivergedError for the first step that went non-finite. A non-finite loss found here stops the
   * run at the next step, as that step would with the full batch (with mini-batches, maybe before its batch does).
   */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    this.look(false);
    const { step, loss } = await this.read(false, false);
    return { step, loss };
  }

  /** Replaces θ from the next recorded step on (the Trainer contract's setParams). */
  setParams(params: ArrayLike<number>): void {
    this.core.writeParams(this.core.buffers.params, params, modelLayout(this.model).size);
  }

  /** θ held now (flat layout); after a divergence, that of the last good step. Never throws for one. */
  async readParams(): Promise<Float64Array> {
    this.core.check('readParams');
    return this.core.readBuffer('params', modelLayout(this.model).size);
  }

  /**
   * Forward and backward over every training point at the parameters held now, without an update: the gradients of
   * L_data + R (lossAndGradsModel over all rows), the loss, ŷ and, if asked, every layer's per-row values.
   */
  async inspect({ cache = false }: { cache?: boolean } = {}): Promise<Readout> {
    this.core.check('inspect');
    this.look(true);
    return this.read(true, cache);
  }

  destroy(): void {
    this.core.destroy();
  }

  /**
   * One step's dispatches (2L + 3): forward layer by layer, backward from layer L down to 1, the gradients and the
   * update; a look stops after the forward pass (readLoss) or the gradients (inspect).
   */
  private phases(pass: GPUComputePassEncoder, look: boolean, backward: boolean): void {
    const { pipelines } = this.core;
    const bind = look ? this.looks : this.train;
    const groups = look ? this.groups.look : this.groups.train;
    pass.setPipeline(pipelines.layerForward);
    for (let l = 0; l < groups.length; l++) {
      pass.setBindGroup(0, bind[l]!);
      pass.dispatchWorkgroups(groups[l]!);
    }
    if (!backward) return;
    pass.setPipeline(pipelines.layerBackward);
    for (let l = groups.length - 2; l >= 0; l--) {
      pass.setBindGroup(0, bind[l]!);
      pass.dispatchWorkgroups(groups[l]!);
    }
    pass.setPipeline(pipelines.layerGradients);
    pass.dispatchWorkgroups(this.groups.params);
    if (look) return;
    pass.setPipeline(pipelines.layerUpdate);
    pass.dispatchWorkgroups(this.groups.params);
  }

  /** k steps in one command buffer, after uploading the epoch orders they read. */
  private recordSteps(k: number): void {
    this.holdOrders(this.recorded, k);
    this.core.submit((pass) => {
      for (let t = 0; t < k; t++) this.phases(pass, false, true);
    });
    this.recorded += k;
  }

  /**
   * The phases over every training point in order, without the update, then settle: a non-finite loss or gradient
   * found there stops the run at the next step (in one submit).
   */
  private look(backward: boolean): void {
    this.core.submit((pass) => {
      this.phases(pass, true, backward);
      pass.setPipeline(this.core.pipelines.layerSettle);
      pass.dispatchWorkgroups(1);
    }, 'look');
  }

  /**
   * Steps first..first+k−1 read the orders of their epochs: unless held already, the orders from the first of those
   * epochs on, as many as the buffer holds, are uploaded (the queue runs this after the submits made before it).
   */
  private holdOrders(first: number, k: number): void {
    const { N } = this.spec;
    if (this.batch === N) return;
    const S = batchesPerEpoch(N, this.batch);
    const [e0, e1] = [Math.floor(first / S), Math.floor((first + k - 1) / S)];
    if (this.heldFrom >= 0 && e0 >= this.heldFrom && e1 < this.heldFrom + this.epochs) return;
    const orders = new Uint32Array(this.epochs * N);
    for (let e = 0; e < this.epochs; e++) orders.set(epochOrder(N, this.batch, this.seed, e0 + e), e * N);
    this.device.queue.writeBuffer(this.core.buffers.rows, 0, orders);
    this.device.queue.writeBuffer(this.core.buffers.run, 0, packRun({ epoch0: e0 }));
    this.heldFrom = e0;
  }

  /** The status word (the verdict) first, then the per-row losses, θ, and with `grads` g, ŷ or the whole cache. */
  private async read(grads: boolean, cache: boolean): Promise<Readout> {
    const { N } = this.spec;
    const P = modelLayout(this.model).size;
    const C = layersCacheLayout(this.model, N);
    const out = C.layers.at(-1)!;
    const b = this.core.buffers;
    const ranges = [
      { buffer: b.status, offset: 0, size: 4 * STATUS_WORDS },
      { buffer: b.cache, offset: 4 * C.loss, size: 4 * N },
      { buffer: b.params, offset: 0, size: 4 * P },
    ];
    if (grads) {
      ranges.push({ buffer: b.grads, offset: 0, size: 4 * P });
      ranges.push(
        cache ? { buffer: b.cache, offset: 0, size: 4 * C.size } : { buffer: b.cache, offset: 4 * out.a, size: 4 * N },
      );
    }
    const [status, ...floats] = await this.core.staging.read(ranges);
    const [step, badStep, badWhere] = new Uint32Array(status!);
    if (badStep !== NO_FAULT) throw new TrainingDivergedError(decodeFault(badStep!, badWhere!), this.spec, this.model);
    const [losses, params, g, values] = floats.map((f) => Float64Array.from(new Float32Array(f)));
    const { l1, l2 } = this.objective;
    const loss = meanLoss(losses!) + penaltyValue(this.model, params!, Math.fround(l1), Math.fround(l2));
    if (!grads) return { step: step!, loss, params: params!, grads: new Float64Array(0) };
    if (!cache) return { step: step!, loss, params: params!, grads: g!, yHat: values! };
    const layers = this.values(values!, C.layers, losses!);
    const r: Readout = { step: step!, loss, params: params!, grads: g!, yHat: layers.yHat, layers };
    if (this.model.hidden.length === 1) r.cache = oneLayerCache(layers);
    return r;
  }

  /** Every layer's per-row values out of the cache read back. */
  private values(all: Float64Array, records: readonly LayerRecord[], losses: Float64Array): LayerValues {
    const { N } = this.spec;
    const at = (offset: number, nout: number) => all.slice(offset, offset + N * nout);
    const hidden = records.slice(0, -1);
    const out = records.at(-1)!;
    return {
      z: records.map((r) => at(r.z, r.nout)),
      a: hidden.map((r) => at(r.a, r.nout)),
      da: hidden.map((r) => at(r.da, r.nout)),
      delta: records.map((r) => at(r.delta, r.nout)),
      yHat: at(out.a, 1),
      losses,
    };
  }
}

/** One hidden layer's values under the step kernels' names (src/gpu/layout.ts), as the page draws them. */
function oneLayerCache(v: LayerValues): Record<CacheName, Float64Array> {
  return {
    z1: v.z[0]!,
    a1: v.a[0]!,
    z2: v.z[1]!,
    yHat: v.yHat,
    loss: v.losses,
    dz2: v.delta[1]!,
    da1: v.da[0]!,
    dz1: v.delta[0]!,
  };
}
