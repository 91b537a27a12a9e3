/**
 * Full-batch SGD on the CPU with the scalar engine: each step builds the loss
 * graph over the whole batch, runs `backward()` and updates every parameter.
 * A non-finite loss or parameter stops training with an error naming the step.
 */
import { lossFromLogits, type LossKind } from '../engine/losses.js';
import { sgdStep, type MLP } from '../engine/nn.js';
import type { Value } from '../engine/value.js';
import { type Dataset, sampleX } from './data.js';
import { engineGrads, engineModel, engineParams } from './init.js';
import { makeSpec, type Spec } from './spec.js';

export class TrainingDivergedError extends Error {
  constructor(readonly step: number, what: string) {
    super(`training diverged at step ${step}: ${what}; try a smaller learning rate`);
    this.name = 'TrainingDivergedError';
  }
}

export interface Evaluation {
  loss: number;
  /** Fraction of samples where (yHat ≥ 0.5) equals (y ≥ 0.5). */
  accuracy: number;
  /** yHat for every sample. */
  predictions: number[];
}

export class CpuTrainer {
  readonly spec: Spec;
  readonly model: MLP;
  readonly params: Value[];
  private readonly inputs: number[][];
  private readonly labels: number[];
  /** Steps taken so far. */
  stepCount = 0;
  /** The SGD learning rate; may be changed between steps. */
  lr: number;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    readonly options: { hidden: number; lr: number; loss: LossKind },
  ) {
    this.spec = makeSpec({ d: data.d, H: options.hidden, N: data.N });
    this.lr = options.lr;
    this.model = engineModel(this.spec, initial);
    this.params = this.model.parameters();
    this.inputs = Array.from({ length: data.N }, (_, n) => sampleX(data, n));
    this.labels = Array.from(data.y);
  }

  /** The loss graph at the current parameters. */
  lossGraph(): Value {
    const z2 = this.inputs.map((x) => this.model.logits(x)[0]!);
    return lossFromLogits(this.options.loss, z2, this.labels);
  }

  /** Runs k SGD steps; returns the loss before the last update. */
  step(k = 1): number {
    let loss = NaN;
    for (let i = 0; i < k; i++) {
      const graph = this.lossGraph();
      loss = graph.data;
      const step = this.stepCount + 1;
      if (!Number.isFinite(loss)) throw new TrainingDivergedError(step, `the loss is ${loss}`);
      graph.backward();
      sgdStep(this.params, this.lr);
      const bad = this.params.findIndex((p) => !Number.isFinite(p.data));
      if (bad >= 0) throw new TrainingDivergedError(step, `parameter ${bad} became ${this.params[bad]!.data}`);
      this.stepCount = step;
    }
    return loss;
  }

  /** Gradients of the loss at the current parameters, flat layout, without updating. */
  gradients(): Float64Array {
    this.lossGraph().backward();
    return engineGrads(this.spec, this.model);
  }

  /** Current parameters, flat layout. */
  parameters(): Float64Array {
    return engineParams(this.spec, this.model);
  }

  evaluate(): Evaluation {
    const loss = this.lossGraph().data;
    const predictions = this.inputs.map((x) => this.model.forward(x)[0]!.data);
    return { loss, accuracy: accuracy(predictions, this.labels), predictions };
  }
}

/** Fraction of samples where (yHat ≥ 0.5) equals (y ≥ 0.5). */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) if (predictions[n]! >= 0.5 === labels[n]! >= 0.5) correct++;
  return correct / labels.length;
}
