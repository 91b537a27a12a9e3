/** The CPU side of a trajectory test: full-batch SGD by the f64 oracle (MatrixTrainer), as the GPU runs it. */
import type { HiddenActivation } from '../../src/engine/activation.js';
import type { LossKind } from '../../src/engine/losses.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import { forward } from '../../src/mlp/reference.js';
import { MatrixTrainer } from '../../src/mlp/train/train-matrix.js';

/**
 * T steps from `start` at the learning rate the GPU holds (rounded to f32): the parameters reached, the loss
 * before the last update, and with `trackZ1` the smallest |z1| met on the way (how near a ReLU gate came to 0).
 */
export function cpuRun(
  net: { d: number; H: number; activation?: HiddenActivation },
  start: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  lr: number,
  T: number,
  { trackZ1 = false } = {},
): { theta: Float64Array; lastLoss: number; minAbsZ1: number } {
  const t = new MatrixTrainer(data, start, {
    hidden: net.H,
    lr: Math.fround(lr),
    loss,
    activation: net.activation ?? 'relu',
  });
  let lastLoss = NaN;
  let minAbsZ1 = Infinity;
  for (let s = 0; s < T; s++) {
    if (trackZ1) for (const z of forward(t.net, t.params, data).z1) minAbsZ1 = Math.min(minAbsZ1, Math.abs(z));
    lastLoss = t.step(1);
  }
  return { theta: t.params, lastLoss, minAbsZ1 };
}
