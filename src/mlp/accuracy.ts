/**
 * Classification accuracy, shared by every trainer (CPU, matrix form, GPU),
 * the page and the CLI: a prediction counts as right when it falls on the
 * same side of 0.5 as its label.
 */

/** Fraction of samples where (yHat ≥ 0.5) equals (y ≥ 0.5). */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) if (predictions[n]! >= 0.5 === labels[n]! >= 0.5) correct++;
  return correct / labels.length;
}
