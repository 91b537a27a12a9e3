/**
 * The explainer's one diagram: the live graph's drawing, static, with the derivation's spot-check numbers
 * (src/mlp/spotcheck.ts: d = 2, H = 2, one sample, BCE). The page draws it with KaTeX labels (graph-explainer.ts);
 * `npm run docs` exports it to docs/graph.svg with plain-text labels.
 */
import { computeSpotCheck, SPOT } from '../../mlp/spotcheck.js';
import { graphState, type GraphState } from './graph-model.js';

export function spotGraphState(): GraphState {
  const s = computeSpotCheck();
  return graphState({
    d: SPOT.spec.d,
    hidden: [SPOT.spec.H],
    N: 1,
    n: 0,
    loss: 'bce',
    step: null,
    x: [...SPOT.x],
    y: SPOT.y,
    params: SPOT.params,
    grads: s.grads,
    z: [s.z1, [s.z2]],
    a: [s.a1],
    da: [s.da1],
    delta: [s.dz1, [s.dz2.bce]],
    yHat: s.yHat,
    sampleLoss: s.loss.bce,
    batchLoss: s.loss.bce,
  });
}
