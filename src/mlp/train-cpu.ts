/**
 * Full-batch SGD on the CPU with the scalar engine: each step builds the loss
 * graph over the whole batch, runs `backward()` and updates every parameter.
 * Every step checks, in f64, the per-sample losses, the gradients and the
 * updated parameters before applying the update: the first non-finite one
 * stops training with a TrainingDivergedError naming the step and the element
 * (src/mlp/divergence.ts), and the parameters stay those of the previous step.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { lossFromLogits, type LossKind } from '../engine/losses.js';
import type { MLP } from '../engine/nn.js';
import type { Value } from '../engine/value.js';
import { accuracy } from './accuracy.js';
import { type Dataset, sampleX } from './data.js';
import { firstFault, TrainingDivergedError } from './divergence.js';
import { engineGrads, engineModel, engineParams } from './init.js';
import { sampleLossesFromLogits } from './reference.js';
import { makeSpec, type Spec, toEngineOrder } from './spec.js';

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
    readonly options: { hidden: number; lr: number; loss: LossKind; activation?: HiddenActivation },
  ) {
    this.spec = makeSpec({ d: data.d, H: options.hidden, N: data.N });
    this.lr = options.lr;
    this.model = engineModel(this.spec, initial, 'sigmoid', options.activation ?? 'relu');
    this.params = this.model.parameters();
    this.inputs = Array.from({ length: data.N }, (_, n) => sampleX(data, n));
    this.labels = Array.from(data.y);
  }

  /** The loss graph at the current parameters. */
  lossGraph(): Value {
    return this.graph().loss;
  }

  /**
   * Runs k SGD steps; returns the loss before the last update. A step whose
   * loss, gradient or updated parameter is not finite (in f64) throws a
   * TrainingDivergedError and leaves the parameters of the step before.
   */
  step(k = 1): number {
    let loss = NaN;
    for (let i = 0; i < k; i++) {
      const { loss: graph, z2 } = this.graph();
      loss = graph.data;
      const step = this.stepCount + 1;
      const losses = Number.isFinite(loss) ? [] : sampleLossesFromLogits(this.options.loss, z2.map((z) => z.data), this.labels);
      graph.backward();
      const grads = engineGrads(this.spec, this.model);
      const theta = engineParams(this.spec, this.model);
      for (let j = 0; j < theta.length; j++) theta[j] = theta[j]! - this.lr * grads[j]!; // θ ← θ − lr·dL/dθ, as the engine's sgdStep
      const fault = firstFault(step, 'f64', losses.length ? losses : [loss], grads, theta);
      if (fault) throw new TrainingDivergedError(fault, this.spec);
      const engineOrder = toEngineOrder(this.spec, theta);
      this.params.forEach((p, j) => (p.data = engineOrder[j]!));
      this.stepCount = step;
    }
    return loss;
  }

  private graph(): { loss: Value; z2: Value[] } {
    const z2 = this.inputs.map((x) => this.model.logits(x)[0]!);
    return { loss: lossFromLogits(this.options.loss, z2, this.labels), z2 };
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
