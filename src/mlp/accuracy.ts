/**
 * How predictions fit labels, shared by every trainer (CPU, matrix form, GPU),
 * the page and the CLI: classification accuracy (a prediction counts as right
 * when it falls on the same side of 0.5 as its label), and for regression
 * RMSE and R².
 */
import type { Output } from './model.js';

/** Fraction of samples where (yHat ≥ 0.5) equals (y ≥ 0.5). */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) if (predictions[n]! >= 0.5 === labels[n]! >= 0.5) correct++;
  return correct / labels.length;
}

export interface Fit {
  /** σ output: the fraction of points on the same side of 0.5 as their label. */
  accuracy?: number;
  /** Identity output: √(mean (ŷ − y)²). */
  rmse?: number;
  /** Identity output: 1 − SS_res/SS_tot, SS_res = Σ (y − ŷ)², SS_tot = Σ (y − ȳ)²; absent where every label is equal. */
  r2?: number;
}

/**
 * How predictions fit their labels: the accuracy for the σ output; for the identity output
 * RMSE = √(SS_res/N) and R² = 1 − SS_res/SS_tot with SS_res = Σ (y − ŷ)² and SS_tot = Σ (y − ȳ)², R² left out
 * where SS_tot = 0 (every label equal: no variance to explain).
 */
export function fitOf(output: Output, predictions: ArrayLike<number>, labels: ArrayLike<number>): Fit {
  const N = labels.length;
  if (output === 'sigmoid') return { accuracy: accuracy(predictions, labels) };
  let mean = 0;
  for (let n = 0; n < N; n++) mean += labels[n]!;
  mean /= N;
  let res = 0;
  let tot = 0;
  for (let n = 0; n < N; n++) {
    res += (labels[n]! - predictions[n]!) ** 2;
    tot += (labels[n]! - mean) ** 2;
  }
  return { rmse: Math.sqrt(res / N), ...(tot > 0 ? { r2: 1 - res / tot } : {}) };
}
