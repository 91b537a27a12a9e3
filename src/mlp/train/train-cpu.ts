/**
 * Full-batch SGD on the CPU with the scalar engine: each step builds the loss
 * graph over the whole batch, runs `backward()` and updates every parameter.
 * Every step checks, in f64, the per-sample losses, the gradients and the
 * updated parameters before applying the update: the first non-finite one
 * stops training with a TrainingDivergedError naming the step and the element
 * (src/mlp/divergence.ts), and the parameters stay those of the previous step.
 * Its input is checked as every trainer's is (./checks.ts), in f64.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import { lossFromLogits, type LossKind } from '../../engine/losses.js';
import type { MLP } from '../../engine/nn.js';
import type { Value } from '../../engine/value.js';
import { accuracy } from '../accuracy.js';
import { checkLearningRate, checkNetworkInput, checkSteps } from '../checks.js';
import { type Dataset, sampleX } from '../data/data.js';
import { firstFault, TrainingDivergedError } from '../divergence.js';
import { engineGrads, engineModel, engineParams } from '../init.js';
import { sampleLossesFromLogits } from '../reference.js';
import { fromEngineOrder, type Spec } from '../spec.js';

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
  /** The proposed update θ′, in the engine's parameter order. */
  private readonly next: Float64Array;
  /** Steps taken so far. */
  stepCount = 0;
  private rate: number;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    readonly options: { hidden: number; lr: number; loss: LossKind; activation?: HiddenActivation },
  ) {
    this.spec = checkNetworkInput({ ...options, data, params: initial });
    this.rate = options.lr;
    this.model = engineModel(this.spec, initial, 'sigmoid', options.activation ?? 'relu');
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
    checkSteps('steps', k);
    let loss = NaN;
    for (let i = 0; i < k; i++) {
      const { loss: graph, z2 } = this.graph();
      loss = graph.data;
      const step = this.stepCount + 1;
      const losses = Number.isFinite(loss)
        ? []
        : sampleLossesFromLogits(
            this.options.loss,
            z2.map((z) => z.data),
            this.labels,
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
      if (!finite) this.fail(step, losses.length ? losses : [loss]);
      for (let j = 0; j < this.params.length; j++) this.params[j]!.data = this.next[j]!;
      this.stepCount = step;
    }
    return loss;
  }

  /** Names the first non-finite loss, gradient or parameter of `step` (flat layout) and throws; nothing is written. */
  private fail(step: number, losses: ArrayLike<number>): never {
    const grads = engineGrads(this.spec, this.model);
    const theta = fromEngineOrder(this.spec, this.next);
    // every per-sample loss finite but their mean not: the mean is reported as the loss
    const fault =
      firstFault(step, 'f64', losses, grads, theta) ?? firstFault(step, 'f64', [this.lossGraph().data], grads, theta);
    throw new TrainingDivergedError(fault!, this.spec);
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
