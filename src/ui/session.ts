/**
 * One training run as the page sees it, on either backend: the GPU trainer (asked of src/gpu, never built here) or the
 * scalar engine. `step(k)` records k steps without waiting; `snapshot()` reads everything the page shows, once per
 * frame, with the CPU oracle's view of the same parameters.
 */
import type { KernelName, LayerValues, Readout, Trainer } from '../gpu/contract.js';
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { batchesPerEpoch, batchIndices } from '../mlp/batches.js';
import { type Dataset, roundToF32 } from '../mlp/data/data.js';
import { makeModel, type Model, type Output } from '../mlp/model.js';
import type { Objective } from '../mlp/objective.js';
import { lossAndGradsModel, lossModel } from '../mlp/reference.js';
import { type ModelBounds, shadowBoundsModel } from '../mlp/bounds/bounds-model.js';
import { f64BoundsModel } from '../mlp/bounds/bounds-f64.js';
import type { Settings } from './state.js';

export interface Snapshot {
  backend: 'gpu' | 'cpu';
  /** The GPU kernel that trains (the chooser's pick), or the CPU's fast trainer (src/mlp/train/train-fast.ts). */
  kernel: KernelName | 'cpu-fast';
  /** What that kernel does and why the chooser picked it (GPU only). */
  kernelWhy?: string;
  /** The network this run trains: widths, hidden activation, output (the settings may have moved on). */
  model: Model;
  /** The loss and the penalty's λ1, λ2 this run trains with. */
  objective: Required<Objective>;
  /** The mini-batch size B (N: the full batch) and the steps of one epoch, ⌈N/B⌉. */
  batch: number;
  perEpoch: number;
  step: number;
  /** L_total = L_data + R over every training point at `params`, as the trainer reports it. */
  loss: number;
  /** Parameters as the trainer holds them (f32 values on the GPU), flat layout W1, b1, …, W_{L+1}, b_{L+1}. */
  params: Float64Array;
  /** Per-sample values of every layer over every training point at `params`: the GPU's where it keeps them, else the oracle's. */
  layers: LayerValues;
  /**
   * The trainer's gradients at `params`, checked against the oracle: the GPU's, or on the CPU backend those of a
   * trainer with a planted bug (the bug hunt); null for an honest CPU run (nothing to compare).
   */
  gpuGrads: Float64Array | null;
  /** The CPU oracle (matrix form, f64) at exactly `params` and the data the trainer holds: L_total, its terms, ∂L_total/∂θ. */
  oracle: { loss: number; dataLoss: number; penalty: number; grads: Float64Array };
  /** With mini-batches: L_total on the batch the next step descends, at `params` (the noisy estimate SGD follows). */
  batchLoss: number | null;
  /** The data the trainer holds (rounded to f32 on the GPU). */
  data: Dataset;
  /** Per-element error bounds on gpuGrads: f32's on the GPU (src/mlp/bounds/bounds-model.ts), f64's on the CPU. */
  bounds?: ModelBounds;
  /** Why a GPU snapshot comes without bounds (a run too large to bound every frame), in the panel's words. */
  boundsNote?: string;
  /** An earlier step looked back at: recomputed here on the oracle from the parameters kept then (./timeline.ts). */
  past?: true;
}

export interface Session {
  readonly backend: 'gpu' | 'cpu';
  /** Steps run elsewhere (a Web Worker) within a time budget: how many a frame did, its snapshot's step tells. */
  readonly offThread?: boolean;
  step(k: number): void;
  snapshot(): Promise<Snapshot>;
  setLearningRate(lr: number): void;
  /**
   * Replaces the run's parameters (flat layout) from the next step on, keeping its step: the next snapshot reads them
   * back (as f32 on the GPU). Refuses a wrong length or a non-finite value, changing nothing.
   */
  setParams(params: ArrayLike<number>): void;
  destroy(): void;
}

/** What one run trains: the network and the objective, the learning rate, the mini-batch size and the seed of its order. */
export interface RunConfig {
  hidden: readonly number[];
  lr: number;
  loss: LossKind;
  activation: HiddenActivation;
  output: Output;
  /** Mini-batch size B in [1, N]. */
  batch: number;
  l1: number;
  l2: number;
  /** The run's seed: its initial parameters and each epoch's order. */
  seed: number;
}

/** A run's configuration from the page's settings, for N training points (a batch larger than N is the full batch). */
export function runConfig(s: Settings, N: number): RunConfig {
  return {
    hidden: s.hidden,
    lr: s.lr,
    loss: s.loss,
    activation: s.activation,
    output: s.problem === 'regression' ? 'identity' : 'sigmoid',
    batch: s.batch === 'all' ? N : Math.min(s.batch, N),
    l1: s.reg === 'l1' ? s.lambda : 0,
    l2: s.reg === 'l2' ? s.lambda : 0,
    seed: s.seed,
  };
}

/**
 * Each frame the page checks a GPU run against the f64 oracle (matrix form, about N·P multiply-adds) on its own
 * thread; up to this many training points × parameters that is a few tens of ms (Node 20: about 35 ms at
 * 2.6 million). Larger runs are refused on the page (./cpu-limit.ts says so beside the field).
 */
export const ORACLE_FRAME_MAX = 4_000_000;
/** The per-element bounds cost about ten oracles; above this many N·P the panel shows the gradients without them. */
export const BOUNDS_FRAME_MAX = 400_000;
/** The per-sample cache (four N·H tensors per layer) is read back only up to this many N·ΣH values; else the oracle's is drawn. */
export const CACHE_FRAME_MAX = 65_536;

/** What a GPU session drives: any kernel behind the Trainer contract. */
export type SessionTrainer = Pick<
  Trainer,
  'kernel' | 'step' | 'inspect' | 'setLearningRate' | 'setParams' | 'destroy'
> & {
  /** The chooser's reasons, where createTrainer made it. */
  readonly choice?: { why: string };
};

/** The network and objective of a run, checked. */
export function runModel(
  data: Pick<Dataset, 'd'>,
  config: RunConfig,
): { model: Model; objective: Required<Objective> } {
  const model = makeModel({ d: data.d, hidden: config.hidden, activation: config.activation, output: config.output });
  return { model, objective: { loss: config.loss, l1: config.l1, l2: config.l2 } };
}

/** The oracle's view of a run at `params`: L_total and its terms, the gradients, every layer's per-sample values. */
function oracleAt(model: Model, objective: Required<Objective>, params: ArrayLike<number>, data: Dataset) {
  const r = lossAndGradsModel(model, params, data, objective);
  const layers: LayerValues = {
    z: [...r.cache.z],
    a: [...r.cache.a],
    da: r.da,
    delta: r.delta,
    yHat: r.cache.yHat,
    losses: r.losses,
  };
  return { oracle: { loss: r.loss, dataLoss: r.dataLoss, penalty: r.penalty, grads: r.grads }, layers };
}

/** The loss on the batch step `step` + 1 descends, at `params`; null for the full batch. */
function nextBatchLoss(
  model: Model,
  objective: Required<Objective>,
  params: ArrayLike<number>,
  data: Dataset,
  config: RunConfig,
  step: number,
): number | null {
  if (config.batch >= data.N) return null;
  return lossModel(model, params, data, objective, batchIndices(data.N, config.batch, config.seed, step)).loss;
}

/** A one-hidden-layer kernel's cache in the general names: z = [z1, z2], a = [a1], da = [da1], δ = [dz1, dz2]. */
function layerValues(r: Readout): LayerValues | null {
  if (r.layers) return r.layers;
  const c = r.cache;
  if (!c) return null;
  return { z: [c.z1, c.z2], a: [c.a1], da: [c.da1], delta: [c.dz1, c.dz2], yHat: c.yHat, losses: c.loss };
}

export function gpuSession(trainer: SessionTrainer, data: Dataset, config: RunConfig): Session {
  const held = roundToF32(data);
  const { model, objective } = runModel(data, config);
  const units = config.hidden.reduce((s, h) => s + h, 1);
  const perEpoch = batchesPerEpoch(data.N, config.batch);
  return {
    backend: 'gpu',
    step: (k) => trainer.step(k),
    async snapshot() {
      // forward + backward, one readback
      const r = await trainer.inspect({ cache: data.N * units <= CACHE_FRAME_MAX });
      const { oracle, layers } = oracleAt(model, objective, r.params, held);
      const checked = data.N * r.params.length <= BOUNDS_FRAME_MAX;
      return {
        backend: 'gpu',
        kernel: trainer.kernel,
        ...(trainer.choice ? { kernelWhy: trainer.choice.why } : {}),
        model,
        objective,
        batch: config.batch,
        perEpoch,
        step: r.step,
        loss: r.loss,
        params: r.params,
        layers: layerValues(r) ?? layers,
        gpuGrads: r.grads,
        oracle,
        batchLoss: nextBatchLoss(model, objective, r.params, held, config, r.step),
        data: held,
        ...(checked
          ? { bounds: shadowBoundsModel(model, r.params, held, objective) }
          : {
              boundsNote:
                `this run is too large to bound every gradient each frame (${(data.N * r.params.length).toLocaleString('en-US')} ` +
                `training points × parameters, above the page's ${BOUNDS_FRAME_MAX.toLocaleString('en-US')}), so they are compared ` +
                'without them (npm run train bounds every gradient of any size)',
            }),
      };
    },
    setLearningRate: (lr) => trainer.setLearningRate(lr),
    setParams: (params) => trainer.setParams(params),
    destroy: () => trainer.destroy(),
  };
}

/**
 * A CPU run's snapshot at `params` after `step` steps: the oracle's values, loss terms and gradients (f64), and with
 * `trainerGrads` (a trainer with a planted bug) those gradients beside the oracle's, with f64 bounds.
 */
export function cpuSnapshot(
  data: Dataset,
  params: Float64Array,
  config: RunConfig,
  step: number,
  kernel: Snapshot['kernel'],
  trainerGrads?: Float64Array,
): Snapshot {
  const { model, objective } = runModel(data, config);
  const { oracle, layers } = oracleAt(model, objective, params, data);
  const checked = trainerGrads && data.N * params.length <= BOUNDS_FRAME_MAX;
  return {
    backend: 'cpu',
    kernel,
    model,
    objective,
    batch: config.batch,
    perEpoch: batchesPerEpoch(data.N, config.batch),
    step,
    loss: oracle.loss,
    params,
    layers,
    gpuGrads: trainerGrads ?? null,
    oracle,
    batchLoss: nextBatchLoss(model, objective, params, data, config, step),
    data,
    ...(checked ? { bounds: f64BoundsModel(model, params, data, objective) } : {}),
    ...(trainerGrads && !checked ? { boundsNote: 'this run is too large to bound every gradient each frame' } : {}),
  };
}
