/**
 * The network the page shows, as plain JSON a learner's script can read: `backpropLab.export()` in the browser console
 * (docs/exercises.md, "Build it"). Matrices are arrays of rows (W_l is H_l rows of H_{l−1} numbers), vectors plain
 * arrays, the data one row per point; `grads` holds the page's own gradients (the f64 oracle's, over every training
 * point) under the same names, to check a hand-written backward pass against. Pure: no DOM.
 */
import { modelLayout } from '../mlp/model.js';
import type { Snapshot } from './session.js';

export interface NetworkExport {
  /** The step these parameters are at. */
  step: number;
  /** d, the number of inputs. */
  d: number;
  /** H_1..H_L. */
  hidden: number[];
  /** The hidden activation f: 'relu', 'leaky' (slope 0.01 below 0), 'tanh' or 'sigmoid'. */
  activation: string;
  /** 'sigmoid' (ŷ = σ(z_{L+1})) or 'identity' (ŷ = z_{L+1}). */
  output: string;
  /** 'bce' or 'mse' ((ŷ − y)², not halved), averaged over the N points. */
  loss: string;
  /** The penalty λ1 Σ|w| + (λ2/2) Σ w² over the weights (0 and 0: none). */
  l1: number;
  l2: number;
  /** The N training points, one row of d numbers each, and their labels. */
  x: number[][];
  y: number[];
  /** The loss L_total at these parameters, as the page computes it. */
  lossValue: number;
  /** W1, b1, W2, b2, …, W_{L+1}, b_{L+1}, by name. */
  params: Record<string, number[][] | number[]>;
  /** ∂L/∂W1, ∂L/∂b1, …, under the parameters' names. */
  grads: Record<string, number[][] | number[]>;
}

/** Splits a flat array in the model's layout into named matrices (rows) and vectors. */
function named(s: Snapshot, flat: ArrayLike<number>): Record<string, number[][] | number[]> {
  const out: Record<string, number[][] | number[]> = {};
  for (const { W, b, nin, nout } of modelLayout(s.model).layers) {
    out[W.name] = Array.from({ length: nout }, (_, j) =>
      Array.from({ length: nin }, (_, k) => flat[W.offset + j * nin + k]!),
    );
    out[b.name] = Array.from({ length: nout }, (_, j) => flat[b.offset + j]!);
  }
  return out;
}

/** The snapshot shown, as plain JSON. */
export function exportNetwork(s: Snapshot): NetworkExport {
  const { d, N } = s.data;
  return {
    step: s.step,
    d,
    hidden: [...s.model.hidden],
    activation: s.model.activation,
    output: s.model.output,
    loss: s.objective.loss,
    l1: s.objective.l1,
    l2: s.objective.l2,
    x: Array.from({ length: N }, (_, n) => Array.from(s.data.x.subarray(n * d, n * d + d))),
    y: Array.from(s.data.y),
    lossValue: s.oracle.loss,
    params: named(s, s.params),
    grads: named(s, s.oracle.grads),
  };
}
