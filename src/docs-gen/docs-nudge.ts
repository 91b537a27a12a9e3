/**
 * The explainer's first example, before any jargon: nudge one weight of the demo's starting network a little and
 * compare the loss's change with the gradient's prediction ΔL ≈ (∂L/∂w)·Δw. The network is the page's default one
 * (XOR, DEFAULTS), the gradients the matrix form's (src/mlp/reference.ts), as the page's gradient panel shows them.
 */
import { DEFAULTS } from '../mlp/config.js';
import { xor } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { makeModel, modelLayout } from '../mlp/model.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import { num, num3 } from './docs-tex.js';

/** How far the weight is moved: small enough for the prediction to hold, large enough for the change to show. */
export const NUDGE_STEP = 0.1;

export interface Nudge {
  /** The weight's name as the page's gradient panel writes it (W2[j], j from 1). */
  name: string;
  w: number;
  grad: number;
  /** The move: NUDGE_STEP against the gradient's sign, so the loss should fall. */
  dw: number;
  before: number;
  after: number;
  predicted: number;
}

/** The output weight with the largest gradient on the demo's starting network, moved by NUDGE_STEP downhill. */
export function nudge(): Nudge {
  const model = makeModel({ d: 2, hidden: [DEFAULTS.hidden], activation: DEFAULTS.activation, output: 'sigmoid' });
  const params = initModelParams(model, DEFAULTS.seed);
  const objective = { loss: DEFAULTS.loss };
  const { loss: before, grads } = lossAndGradsModel(model, params, xor(), objective);
  const { W } = modelLayout(model).layers[1]!;
  let k = W.offset;
  for (let i = W.offset; i < W.offset + W.length; i++) if (Math.abs(grads[i]!) > Math.abs(grads[k]!)) k = i;
  const dw = -Math.sign(grads[k]!) * NUDGE_STEP;
  const moved = Float64Array.from(params);
  moved[k]! += dw;
  const after = lossAndGradsModel(model, moved, xor(), objective).loss;
  return {
    name: `W2[${k - W.offset + 1}]`,
    w: params[k]!,
    grad: grads[k]!,
    dw,
    before,
    after,
    predicted: grads[k]! * dw,
  };
}

/** The explainer's paragraph on the nudge, with its numbers. */
export function nudgeBlock(): string {
  const n = nudge();
  const minus = (t: string) => t.replace(/^-/, '−');
  const sign = (v: number) => (v < 0 ? `−${num3(-v)}` : `+${num3(v)}`);
  const [w, moved] = nudgedPair(n.w, n.dw);
  return (
    `**One nudge, with the page's own numbers.** The demo starts (XOR, ${DEFAULTS.hidden} hidden units, seed ${DEFAULTS.seed}) with the loss at ${num(n.before)} (the page rounds it to ${num3(n.before)}). ` +
    `Take one weight, ${n.name}, which carries hidden unit ${n.name.slice(3, -1)}'s output to the answer; it is ${minus(w)} now, and its gradient is ${minus(num3(n.grad))}: ` +
    `the loss should change by about ${minus(num3(n.grad))} times any small change of the weight. ` +
    `Move the weight by ${sign(n.dw)} (against the gradient's sign, downhill), to ${minus(moved)}, and the loss becomes ${num(n.after)}: it changed by ${sign(n.after - n.before)}. ` +
    `The gradient predicted $\\Delta L \\approx (\\partial L/\\partial w)\\,\\Delta w = ${num3(n.grad)} \\times (${num3(n.dw)}) = ${num3(n.predicted)}$. ` +
    `For a small move the gradient tells what the change will do; training is this move made for every weight at once, over and over, and backpropagation is how the page gets all those gradients in one sweep.`
  );
}

/**
 * The weight before and after the move, both to the decimal places that give each at least 3 significant digits, the
 * second computed from the first as printed: "0.10684" and "0.00684", so the subtraction a reader checks reads right.
 */
export function nudgedPair(w: number, dw: number): [string, string] {
  const places = (v: number) => (v === 0 ? 0 : Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v)))));
  const p = Math.min(15, Math.max(places(w), places(w + dw), places(dw)));
  const shown = Number(w.toFixed(p));
  return [shown.toFixed(p), (shown + dw).toFixed(p)];
}
