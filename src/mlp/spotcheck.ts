/**
 * The numerical spot-check of docs/derivation.md (and the worked example of
 * docs/explainer.md): one sample, d = 2, H = 2, every number computed here by
 * the project's own code. The math only: src/docs-gen/docs-spotcheck.ts renders it
 * as the docs' generated blocks, and tests/docs.test.ts regenerates them and fails
 * when a document has drifted.
 */
import { lossFromLogits } from '../engine/losses.js';
import { makeDataset } from './data/data.js';
import { engineGrads, engineModel } from './init.js';
import { backward, forward, lossValue, numericGradient } from './reference.js';

/** The example: unit 1 is on (z1₁ > 0), unit 2 is off (z1₂ < 0), so ReLU gates its gradient. */
export const SPOT = {
  spec: { d: 2, H: 2 },
  x: [1, 2],
  y: 1,
  // flat layout [W1 (2×2) | b1 (2) | W2 (1×2) | b2 (1)]
  params: [0.5, -0.25, -0.5, -0.75, 0.1, -0.2, 1.5, -1.0, 0.2],
} as const;

export interface SpotCheck {
  z1: number[];
  a1: number[];
  z2: number;
  yHat: number;
  loss: { bce: number; mse: number };
  dz2: { bce: number; mse: number };
  da1: number[];
  dz1: number[];
  grads: number[];
  numeric: number[];
  /** Largest |backprop − central difference| over all 9 parameters. */
  maxFdError: number;
  /** Largest |matrix form − scalar engine| over all 9 gradients. */
  maxEngineError: number;
}

export function computeSpotCheck(): SpotCheck {
  const { spec, x, y, params } = SPOT;
  const data = makeDataset([[...x]], [y]);
  const cache = forward(spec, params, data);
  const bce = backward(spec, params, data, cache, 'bce');
  const mse = backward(spec, params, data, cache, 'mse');
  const numeric = numericGradient(spec, params, data, 'bce');
  const model = engineModel(spec, params);
  lossFromLogits('bce', model.logits([...x]), [y]).backward();
  const engine = engineGrads(spec, model);
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
  return {
    z1: Array.from(cache.z1),
    a1: Array.from(cache.a1),
    z2: cache.z2[0]!,
    yHat: cache.yHat[0]!,
    loss: { bce: lossValue('bce', cache, data.y), mse: lossValue('mse', cache, data.y) },
    dz2: { bce: bce.dz2[0]!, mse: mse.dz2[0]! },
    da1: Array.from(bce.da1),
    dz1: Array.from(bce.dz1),
    grads: Array.from(bce.grads),
    numeric: Array.from(numeric),
    maxFdError: maxDiff(bce.grads, numeric),
    maxEngineError: maxDiff(bce.grads, engine),
  };
}
