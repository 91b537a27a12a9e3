/**
 * SGD on the CPU with the scalar engine: each step builds the loss graph over its
 * batch (the whole training set by default), runs `backward()` and updates every
 * parameter. Any depth, either output, the L1/L2 penalty and mini-batches, as
 * src/mlp/objective.ts and src/mlp/batches.ts define them (the same batches as
 * every other trainer for the same seed). Every step checks, in f64, the per-sample
 * losses, the gradients and the updated parameters before applying the update: the
 * first non-finite one stops training with a TrainingDivergedError naming the step
 * and the element (src/mlp/divergence.ts), and the parameters stay those of the
 * previous step. Its input is checked as every trainer's is (./checks.ts), in f64.
 */
import { lossFromLogits, penalty } from '../../engine/losses.js';
import type { MLP } from '../../engine/nn.js';
import type { Value } from '../../engine/value.js';
import { accuracy } from '../accuracy.js';
import type { BatchSchedule } from '../batches.js';
import { checkLearningRate, checkSteps } from '../checks.js';
import { type Dataset, sampleX } from '../data/data.js';
import { firstFault, TrainingDivergedError } from '../divergence.js';
import { engineGradsOf, engineModelOf, engineParamsOf } from '../init.js';
import { fromEngineOrderModel, type Model } from '../model.js';
import type { Objective } from '../objective.js';
import { sampleLossesFromLogits } from '../reference.js';
import type { Spec } from '../spec.js';
import { checkTrainingRun, type TrainingOptions } from './training-run.js';

export interface Evaluation {
  /** L_data + penalty over every training point. */
  loss: number;
  /** L_data, the mean of the per-sample losses. */
  dataLoss: number;
  /** λ1 Σ|w| + (λ2/2) Σ w² (0 without a penalty). */
  penalty: number;
  /** Fraction of samples where (yHat ≥ 0.5) equals (y ≥ 0.5). */
  accuracy: number;
  /** yHat for every sample. */
  predictions: number[];
}

/** The options every CPU trainer takes (./training-run.ts). */
export type CpuTrainerOptions = TrainingOptions;

export class CpuTrainer {
  /** d, N and H = H_1 (the whole network for one hidden layer; `network` describes any depth). */
  readonly spec: Spec;
  /** The whole network: widths, activation, output. */
  readonly network: Model;
  readonly objective: Required<Objective>;
  /** The mini-batch size B. */
  readonly batch: number;
  readonly model: MLP;
  readonly params: Value[];
  private readonly inputs: number[][];
  private readonly labels: number[];
  /** The proposed update θ′, in the engine's parameter order. */
  private readonly next: Float64Array;
  private readonly schedule: BatchSchedule | null;
  /** Steps taken so far. */
  stepCount = 0;
  private rate: number;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    readonly options: CpuTrainerOptions,
  ) {
    ({
      spec: this.spec,
      model: this.network,
      objective: this.objective,
      batch: this.batch,
      schedule: this.schedule,
    } = checkTrainingRun(data, initial, options));
    this.rate = options.lr;
    this.model = engineModelOf(this.network, initial);
    this.params = this.model.parameters();
    this.next = new Float64Array(this.params.length);
    this.inputs = Array.from({ length: data.N }, (_, n) => sampleX(data, n));
    this.labels = Array.from(data.y);
  }

  /** The SGD learning rate; may be changed between steps (a finite number > 0). */
  get lr(): number {
    return this.rate;
  }

  set lr(lr: number) {
    checkLearningRate('lr', lr);
    this.rate = lr;
  }

  /** The loss graph (L_data + penalty) over every training point at the current parameters. */
  lossGraph(): Value {
    return this.graph(null).loss;
  }

  /** The dataset rows step t (from 0) uses: null for the full batch (every row, in order). */
  rowsAt(t: number): Uint32Array | null {
    return this.schedule ? this.schedule.at(t) : null;
  }

  /**
   * Runs k SGD steps, each on its batch; returns the loss (L_data + penalty) of the last step's batch before its
   * update. A step whose loss, gradient or updated parameter is not finite (in f64) throws a TrainingDivergedError
   * and leaves the parameters of the step before.
   */
  step(k = 1): number {
    checkSteps('steps', k);
    let loss = NaN;
    for (let i = 0; i < k; i++) {
      const rows = this.rowsAt(this.stepCount);
      const { loss: graph, logits } = this.graph(rows);
      loss = graph.data;
      const step = this.stepCount + 1;
      const losses = Number.isFinite(loss)
        ? []
        : this.sampleLosses(
            logits.map((z) => z.data),
            rows,
          );
      graph.backward();
      // θ′ = θ − lr·dL/dθ, proposed in the engine's own order; written only if the whole step is finite
      let finite = Number.isFinite(loss);
      for (let j = 0; j < this.params.length; j++) {
        const p = this.params[j]!;
        const next = p.data - this.rate * p.grad;
        this.next[j] = next;
        finite &&= Number.isFinite(p.grad) && Number.isFinite(next);
      }
      if (!finite) this.fail(step, losses, loss, rows);
      for (let j = 0; j < this.params.length; j++) this.params[j]!.data = this.next[j]!;
      this.stepCount = step;
    }
    return loss;
  }

  /** Per-sample losses ℓ of a batch from its logits (for naming the sample that went non-finite). */
  private sampleLosses(z: number[], rows: Uint32Array | null): Float64Array {
    const y = rows ? Array.from(rows, (n) => this.labels[n]!) : this.labels;
    if (this.network.output === 'identity') return Float64Array.from(z, (v, r) => (v - y[r]!) ** 2);
    return sampleLossesFromLogits(this.objective.loss, z, y);
  }

  /** Names the first non-finite loss, gradient or parameter of `step` (flat layout) and throws; nothing is written. */
  private fail(step: number, losses: ArrayLike<number>, total: number, rows: Uint32Array | null): never {
    const grads = engineGradsOf(this.network, this.model);
    const theta = fromEngineOrderModel(this.network, this.next);
    // every per-sample loss finite but the total not (the mean or the penalty overflowed): the total is the loss
    const fault = (firstFault(step, 'f64', losses, grads, theta) ?? firstFault(step, 'f64', [total], grads, theta))!;
    // a sample is named by its index in the dataset, not its place in the batch
    const ofSample = rows !== null && fault.kind === 'loss' && !Number.isFinite(losses[fault.index] ?? 0);
    throw new TrainingDivergedError(
      ofSample ? { ...fault, index: rows[fault.index]! } : fault,
      this.spec,
      this.network,
    );
  }

  /** The objective's graph over the rows (null: every row, in order); the penalty only where one is set. */
  private graph(rows: Uint32Array | null): { loss: Value; dataLoss: Value; penalty: Value | null; logits: Value[] } {
    const picked = rows ? Array.from(rows) : null;
    const x = picked ? picked.map((n) => this.inputs[n]!) : this.inputs;
    const y = picked ? picked.map((n) => this.labels[n]!) : this.labels;
    const logits = x.map((xn) => this.model.logits(xn)[0]!);
    const dataLoss = lossFromLogits(this.objective.loss, logits, y, this.network.output);
    const { l1, l2 } = this.objective;
    if (l1 === 0 && l2 === 0) return { loss: dataLoss, dataLoss, penalty: null, logits };
    const R = penalty(this.model.weights(), l1, l2);
    return { loss: dataLoss.add(R), dataLoss, penalty: R, logits };
  }

  /** Gradients of the loss (L_data + penalty) over every training point at the current parameters, flat layout, without updating. */
  gradients(): Float64Array {
    this.lossGraph().backward();
    return engineGradsOf(this.network, this.model);
  }

  /** Current parameters, flat layout. */
  parameters(): Float64Array {
    return engineParamsOf(this.network, this.model);
  }

  /** The loss, its two terms, the accuracy and ŷ over every training point at the current parameters. */
  evaluate(): Evaluation {
    const { loss, dataLoss, penalty: R } = this.graph(null);
    const predictions = this.inputs.map((x) => this.model.forward(x)[0]!.data);
    return {
      loss: loss.data,
      dataLoss: dataLoss.data,
      penalty: R?.data ?? 0,
      accuracy: accuracy(predictions, this.labels),
      predictions,
    };
  }
}
