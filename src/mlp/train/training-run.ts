/**
 * What both CPU trainers (the scalar engine's and the matrix form's) take, checked once and in the same words: the
 * network, the objective, the initial parameters and the mini-batch order.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import type { LossKind } from '../../engine/losses.js';
import { BatchSchedule, checkBatchSize } from '../batches.js';
import { checkFinite, checkLearningRate, checkNetworkInput } from '../checks.js';
import type { Dataset } from '../data/data.js';
import { checkHidden, checkLabels, formatHidden, makeModel, type Model, modelLayout, type Output } from '../model.js';
import { checkObjective, type Objective } from '../objective.js';
import { checkSeed } from '../rng.js';
import { makeSpec, type Spec } from '../spec.js';

export interface TrainingOptions {
  /** The hidden width H, or the widths H_1..H_L of 1 to 6 hidden layers. */
  hidden: number | readonly number[];
  lr: number;
  loss: LossKind;
  /** Hidden activation f (default ReLU). */
  activation?: HiddenActivation;
  /** σ for classification (default) or the identity for regression. */
  output?: Output;
  /** λ1 and λ2 of the penalty λ1 Σ|w| + (λ2/2) Σ w² (default 0). */
  l1?: number;
  l2?: number;
  /** Mini-batch size B in [1, N] (default N, the full batch). */
  batch?: number;
  /** The run's seed (the one its initial parameters came from): each epoch's order is drawn from it. Needed when B < N. */
  seed?: number;
}

export interface CheckedRun {
  /** d, N and H = H_1. */
  spec: Spec;
  model: Model;
  objective: Required<Objective>;
  /** The mini-batch size B. */
  batch: number;
  /** Each step's rows where B < N; null for the full batch in order. */
  schedule: BatchSchedule | null;
}

/** Checks a run before anything is built; each error names the field and its range. */
export function checkTrainingRun(data: Dataset, initial: ArrayLike<number>, options: TrainingOptions): CheckedRun {
  const hidden = typeof options.hidden === 'number' ? [options.hidden] : checkHidden(options.hidden);
  const output = options.output ?? 'sigmoid';
  let spec: Spec;
  if (hidden.length === 1 && output === 'sigmoid') {
    // the one-hidden-layer classifier: the same checks, in the same words, as every other trainer (../checks.ts)
    spec = checkNetworkInput({ ...options, hidden: hidden[0]!, data, params: initial });
  } else {
    spec = makeSpec({ d: data.d, H: hidden[0]!, N: data.N });
    checkLearningRate('lr', options.lr);
    checkFinite('data.x', data.x);
    checkFinite('data.y', data.y);
    checkFinite('params', initial);
  }
  const model = makeModel({ d: data.d, hidden, activation: options.activation ?? 'relu', output });
  const objective = checkObjective(output, { loss: options.loss, l1: options.l1 ?? 0, l2: options.l2 ?? 0 });
  checkLabels(output, data.y, 'labels y');
  const size = modelLayout(model).size;
  if (initial.length !== size) {
    const shape = hidden.length === 1 ? `H=${spec.H}` : `hidden=${formatHidden(hidden)}`;
    throw new RangeError(`params: expected ${size} values for d=${spec.d}, ${shape}, got ${initial.length}`);
  }
  const batch = checkBatchSize(options.batch ?? data.N, data.N);
  if (batch >= data.N) return { spec, model, objective, batch, schedule: null };
  if (options.seed === undefined) {
    throw new RangeError(`seed: a batch of ${batch} < N = ${data.N} needs the run's seed to draw its order`);
  }
  checkSeed(options.seed);
  return { spec, model, objective, batch, schedule: new BatchSchedule(data.N, batch, options.seed) };
}
