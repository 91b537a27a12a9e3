/**
 * SGD with the matrix form (src/mlp/reference.ts), in f64: the fast CPU trainer
 * the sweep and the page's CPU map use. Any depth, either output, L1/L2 and
 * mini-batches (src/mlp/batches.ts); the defaults are full-batch SGD on the
 * 2-layer σ network without a penalty. Like every trainer it checks each step's
 * per-sample losses, gradients and updated parameters, and stops at the first
 * non-finite one with a TrainingDivergedError, keeping the parameters of the step before.
 */
import type { BatchSchedule } from '../batches.js';
import { checkSteps } from '../checks.js';
import type { Dataset } from '../data/data.js';
import { firstFault, TrainingDivergedError } from '../divergence.js';
import type { Model } from '../model.js';
import type { Objective } from '../objective.js';
import { allRows, lossAndGradsModel, lossModel, type LossTerms, type Net } from '../reference.js';
import type { Spec } from '../spec.js';
import { checkTrainingRun, type TrainingOptions } from './training-run.js';

/** The options every CPU trainer takes (./training-run.ts). */
export type MatrixTrainerOptions = TrainingOptions;

export class MatrixTrainer {
  /** d, N and H = H_1 (the whole network for one hidden layer; `model` describes any depth). */
  readonly spec: Spec;
  /** The shapes and the hidden activation of a one-hidden-layer network, as the 2-layer functions take them. */
  readonly net: Net;
  /** The whole network. */
  readonly model: Model;
  readonly objective: Required<Objective>;
  /** The mini-batch size B. */
  readonly batch: number;
  readonly params: Float64Array;
  /** Steps taken so far. */
  stepCount = 0;
  /** The loss terms of the last step's batch, before its update (null before the first step). */
  lastLoss: LossTerms | null = null;
  private readonly schedule: BatchSchedule | null;
  private readonly everyRow: Uint32Array;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    readonly options: MatrixTrainerOptions,
  ) {
    ({
      spec: this.spec,
      model: this.model,
      objective: this.objective,
      batch: this.batch,
      schedule: this.schedule,
    } = checkTrainingRun(data, initial, options));
    this.net = { d: this.spec.d, H: this.spec.H, activation: this.model.activation };
    this.params = Float64Array.from(initial);
    this.everyRow = allRows(data.N);
  }

  /** The dataset rows step t (from 0) uses: all of them in order for the full batch. */
  rowsAt(t: number): Uint32Array {
    return this.schedule ? this.schedule.at(t) : this.everyRow;
  }

  /** Runs k SGD steps, each on its batch; returns the loss (L_data + penalty) of the last step's batch before its update. */
  step(k = 1): number {
    checkSteps('steps', k);
    let loss = NaN;
    for (let t = 0; t < k; t++) {
      const rows = this.rowsAt(this.stepCount);
      const r = lossAndGradsModel(this.model, this.params, this.data, this.objective, rows);
      loss = r.loss;
      const next = new Float64Array(this.params.length);
      // θ ← θ − lr·dL/dθ
      for (let j = 0; j < next.length; j++) next[j] = this.params[j]! - this.options.lr * r.grads[j]!;
      const step = this.stepCount + 1;
      // every per-sample loss finite but the total not (the mean or the penalty overflowed): the total is the loss
      const fault = firstFault(step, 'f64', r.losses, r.grads, next) ?? firstFault(step, 'f64', [r.loss], [], null);
      if (fault) {
        // a sample is named by its index in the dataset, not its place in the batch
        const ofSample = fault.kind === 'loss' && !Number.isFinite(r.losses[fault.index] ?? 0);
        const named = ofSample ? { ...fault, index: rows[fault.index]! } : fault;
        throw new TrainingDivergedError(named, this.spec, this.model);
      }
      this.params.set(next);
      this.lastLoss = { loss: r.loss, dataLoss: r.dataLoss, penalty: r.penalty };
      this.stepCount = step;
    }
    return loss;
  }

  /** The loss (L_data + penalty) over the whole dataset at the current parameters. */
  loss(): number {
    return this.losses().loss;
  }

  /** Both terms of the loss over the whole dataset at the current parameters, and their sum. */
  losses(): LossTerms {
    return lossModel(this.model, this.params, this.data, this.objective);
  }
}
