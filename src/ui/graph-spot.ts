/**
 * The explainer's one diagram: the same drawing as the live graph, static, with
 * the derivation's spot-check numbers (src/mlp/spotcheck.ts: d = 2, H = 2, one
 * sample, BCE). `graphFileSvg()` is docs/graph.svg (plain text, no KaTeX, so
 * GitHub renders it), which `npm run docs` writes and tests/docs.test.ts checks.
 */
import { computeSpotCheck, SPOT } from '../mlp/spotcheck.js';
import { graphState, type GraphState } from './graph-model.js';
import { graphMarkup } from './graph-svg.js';
import css from './graph.css?raw';

export function spotGraphState(): GraphState {
  const s = computeSpotCheck();
  return graphState({
    d: SPOT.spec.d, H: SPOT.spec.H, N: 1, n: 0, loss: 'bce', step: null,
    x: [...SPOT.x], y: SPOT.y,
    params: SPOT.params, grads: s.grads,
    z1: s.z1, a1: s.a1, da1: s.da1, dz1: s.dz1,
    z2: s.z2, yHat: s.yHat, dz2: s.dz2.bce,
    sampleLoss: s.loss.bce, batchLoss: s.loss.bce,
  });
}

/** docs/graph.svg, byte for byte. */
export function graphFileSvg(): string {
  const panel = css.slice(0, css.indexOf('/* the walk')); // the drawing's own rules, not the page panel's
  return `${graphMarkup(spotGraphState(), { testid: 'graph', keyPrefix: 'graph', standalone: panel.replace(/\s+/g, ' ').trim() })}\n`;
}
