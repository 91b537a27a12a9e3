/**
 * Losses over a batch, as the mean over its N samples, built from `Value` ops so
 * that `backward()` differentiates them like everything else.
 */
import { Value } from './value.js';
import { mean, sum } from './vec.js';

export const LOSSES = ['bce', 'mse'] as const;
export type LossKind = (typeof LOSSES)[number];

/**
 * Binary cross-entropy from the logit z = z2, in its stable form:
 *   −y log σ(z) − (1 − y) log(1 − σ(z)) = softplus(z) − y z,
 * finite for every z (log σ(z) would be log 0 at z = −1000). Its gradient is
 * dL/dz = (σ(z) − y)/N: the σ′ of the output cancels.
 */
export function bceWithLogits(z2: readonly Value[], y: readonly number[]): Value {
  checkBatch(z2, y);
  return mean(z2.map((z, i) => z.softplus().sub(z.mul(y[i]!))));
}

/** Mean squared error (1/N) Σ (yHat − y)², for yHat = σ(z2): here σ′ stays in the gradient. */
export function mse(yHat: readonly Value[], y: readonly number[]): Value {
  checkBatch(yHat, y);
  return mean(yHat.map((p, i) => p.sub(y[i]!).pow(2)));
}

/**
 * The loss of a batch from its logits z2, for either kind: the one place the kinds are told apart.
 * With the identity output ŷ = z2 (regression) MSE is (1/N) Σ (z2 − y)², the same unhalved form;
 * BCE needs the σ output and is refused with the identity.
 */
export function lossFromLogits(
  kind: LossKind,
  z2: readonly Value[],
  y: readonly number[],
  output: 'sigmoid' | 'identity' = 'sigmoid',
): Value {
  if (output === 'identity') {
    if (kind === 'bce') {
      throw new RangeError(
        'loss bce needs the sigmoid output: cross-entropy compares probabilities, and ŷ = z is not one; use mse',
      );
    }
    return mse(z2, y);
  }
  return kind === 'bce'
    ? bceWithLogits(z2, y)
    : mse(
        z2.map((z) => z.sigmoid()),
        y,
      );
}

/**
 * The penalty λ1 Σ|w| + (λ2/2) Σ w² over the given weights (pass the weights only,
 * never the biases: MLP.weights()). Its gradient is λ1·sign(w) + λ2·w, with sign(0) = 0.
 */
export function penalty(weights: readonly Value[], l1: number, l2: number): Value {
  for (const [name, v] of [
    ['l1', l1],
    ['l2', l2],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`penalty: ${name} must be a finite number ≥ 0, got ${v}`);
  }
  if (weights.length === 0) return new Value(0);
  return sum(weights.map((w) => w.abs()))
    .mul(l1)
    .add(sum(weights.map((w) => w.pow(2))).mul(l2 / 2));
}

function checkBatch(pred: readonly Value[], y: readonly number[]): void {
  if (pred.length !== y.length) {
    throw new RangeError(`loss: ${pred.length} predictions but ${y.length} labels`);
  }
  if (pred.length === 0) throw new RangeError('loss: the batch is empty');
}
