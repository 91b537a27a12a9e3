/**
 * Full-batch SGD with the matrix form (src/mlp/reference.ts), in f64: the
 * fast CPU trainer the sweep and the page's CPU map use. Like every trainer it
 * checks each step's per-sample losses, gradients and updated parameters, and
 * stops at the first non-finite one with a TrainingDivergedError, keeping the
 * parameters of the step before. Its input is checked as every trainer's is (./checks.ts), in f64.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import type { LossKind } from '../../engine/losses.js';
import { checkNetworkInput, checkSteps } from '../checks.js';
import type { Dataset } from '../data/data.js';
import { firstFault, TrainingDivergedError } from '../divergence.js';
import { forward, lossAndGrads, lossValue, type Net, sampleLosses } from '../reference.js';
import type { Spec } from '../spec.js';

export class MatrixTrainer {
  readonly spec: Spec;
  /** The shapes and the hidden activation, as the matrix form takes them. */
  readonly net: Net;
  readonly params: Float64Array;
  /** Steps taken so far. */
  stepCount = 0;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    readonly options: { hidden: number; lr: number; loss: LossKind; activation?: HiddenActivation },
  ) {
    this.spec = checkNetworkInput({ ...options, data, params: initial });
    this.net = { d: this.spec.d, H: this.spec.H, activation: options.activation ?? 'relu' };
    this.params = Float64Array.from(initial);
  }

  /** Runs k SGD steps; returns the loss before the last update. */
  step(k = 1): number {
    checkSteps('steps', k);
    let loss = NaN;
    for (let t = 0; t < k; t++) {
      const r = lossAndGrads(this.net, this.params, this.data, this.options.loss);
      loss = r.loss;
      const next = this.params.map((p, j) => p - this.options.lr * r.grads[j]!); // θ ← θ − lr·dL/dθ
      const step = this.stepCount + 1;
      const fault = firstFault(step, 'f64', sampleLosses(this.options.loss, r.cache, this.data.y), r.grads, next);
      if (fault) throw new TrainingDivergedError(fault, this.spec);
      this.params.set(next);
      this.stepCount = step;
    }
    return loss;
  }

  /** The loss at the current parameters. */
  loss(): number {
    return lossValue(this.options.loss, forward(this.net, this.params, this.data), this.data.y);
  }
}
