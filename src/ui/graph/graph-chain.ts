/**
 * The output end of the graph: z_{L+1} → (σ, ℓ) → L down the right. BCE is one fused node whose edge says
 * ∂ℓ/∂z = ŷ − y (as the code computes it, from the logit); MSE with σ is σ then the squared error, two edges; MSE with
 * the identity output has no σ (ŷ = z, ∂ŷ/∂z = 1), one node. The mean's edge carries 1/N. With a penalty, the mean is
 * L_data and a sum node adds R, whose own node stands beside it.
 */
import type { GraphState, NumberKey } from './graph-model.js';
import { CELL, type Item, type Layout, line, tag, Y0 } from './graph-parts.js';

/** Where the chain's edge labels go: the middles of its vertical wires, and the sum node's y with a penalty. */
export interface ChainMids {
  yHatMid?: number;
  lossMid: number;
  plusY?: number;
}

/** z_{L+1} → (σ, ℓ) → L, drawn down the right side; BCE fuses σ and the loss into one node. */
export function outputChain(
  s: GraphState,
  items: Item[],
  marker: string,
  lay: Layout,
): { markup: string; bottom: number; mids: ChainMids } {
  const bce = s.input.loss === 'bce';
  const identity = s.input.output === 'identity';
  const o = s.layers + 1;
  const out: string[] = [];
  const A0 = Y0 + 20;
  const ox = lay.out;
  const r = 20;
  const node = (y: number, glyph: string, walk: string, name: string) =>
    tag('circle', { cx: ox, cy: y, r, class: 'node', 'data-walk': walk }) +
    tag('text', { x: ox, y: y + 5, class: 'glyph small' }, glyph) +
    tag('text', { x: ox + r + 8, y: y + 4, class: 'label' }, name);
  // z_{L+1} → first node, horizontal
  out.push(line(lay.z2 + CELL, A0, ox - r - 2, A0, 'wire', { 'marker-end': `url(#${marker})` }));
  const zMid = (lay.z2 + CELL + ox - r) / 2;
  items.push({ key: `z${o}`, i: 0, len: 1, x: zMid, y: A0 - 5, cls: 'fwd', reveal: `z${o}` });
  items.push({ key: `dz${o}`, i: 0, len: 1, x: zMid, y: A0 + 14, cls: 'grad', reveal: `dz${o}` });
  const vwire = (
    y1: number,
    y2: number,
    fwd: NumberKey,
    fwdReveal: string,
    grad: NumberKey,
    gradReveal: string,
    names: [string, string],
    at = 62,
  ) => {
    out.push(line(ox, y1 + r, ox, y2 - r - 2, 'wire', { 'marker-end': `url(#${marker})` }));
    const m = (y1 + y2) / 2;
    out.push(
      tag('text', { x: ox + 10, y: m - 14, class: 'label' }, names[0]),
      tag('text', { x: ox + 10, y: m + 3, class: 'label' }, names[1]),
    );
    items.push({ key: fwd, i: 0, len: 1, x: ox + at, y: m - 14, cls: 'fwd', reveal: fwdReveal, anchor: 'start' });
    items.push({ key: grad, i: 0, len: 1, x: ox + at, y: m + 3, cls: 'grad', reveal: gradReveal, anchor: 'start' });
  };
  // y: the label, a leaf entering the loss node from above
  const yFromAbove = () => {
    out.push(tag('circle', { cx: ox, cy: Y0 - 40, r: 5, class: 'leaf', 'data-walk': 'leaves' }));
    out.push(line(ox, Y0 - 35, ox, A0 - r - 2, 'wire', { 'marker-end': `url(#${marker})` }));
    out.push(tag('text', { x: ox + 10, y: Y0 - 36, class: 'label' }, 'y'));
    items.push({ key: 'y', i: 0, len: 1, x: ox + 24, y: Y0 - 36, cls: 'fwd', reveal: 'leaves', anchor: 'start' });
  };
  const y = A0;
  const lossY = bce || identity ? A0 : A0 + 120;
  const mids: ChainMids = { lossMid: 0 };
  if (bce) {
    yFromAbove();
    out.push(node(y, 'σ,ℓ', `out dl dz${o}`, 'σ + BCE, fused'));
    out.push(tag('text', { x: ox + r + 8, y: y + 20, class: 'label' }, `ŷ = σ(z${o}) =`));
    items.push({ key: 'yHat', i: 0, len: 1, x: ox + r + 84, y: y + 20, cls: 'fwd', reveal: 'out', anchor: 'start' });
  } else if (identity) {
    // no σ: ŷ is z_{L+1} itself, so the edge into the squared error has the local Jacobian 1
    yFromAbove();
    out.push(node(y, '(·)²', `out dl dz${o}`, 'ℓ = (ŷ − y)²'));
    out.push(tag('text', { x: ox + r + 8, y: y + 20, class: 'label' }, `ŷ = z${o} =`));
    items.push({ key: 'yHat', i: 0, len: 1, x: ox + r + 84, y: y + 20, cls: 'fwd', reveal: 'out', anchor: 'start' });
  } else {
    out.push(node(y, 'σ', `out dyHat dz${o}`, `ŷ = σ(z${o})`));
    vwire(y, lossY, 'yHat', 'out', 'dyHat', 'dyHat', ['ŷ', '∂L/∂ŷ']);
    mids.yHatMid = (y + lossY) / 2;
    // y: the label, a leaf entering the loss node from the left
    out.push(tag('circle', { cx: ox - 66, cy: lossY, r: 5, class: 'leaf', 'data-walk': 'leaves' }));
    out.push(line(ox - 61, lossY, ox - r - 2, lossY, 'wire', { 'marker-end': `url(#${marker})` }));
    out.push(tag('text', { x: ox - 66, y: lossY - 10, class: 'label', 'text-anchor': 'middle' }, 'y'));
    items.push({ key: 'y', i: 0, len: 1, x: ox - 40, y: lossY - 5, cls: 'fwd', reveal: 'leaves' });
    out.push(node(lossY, '(·)²', 'sq dl dyHat', 'ℓ = (ŷ − y)²'));
  }
  // the identity's extra room: its Jacobian ∂ℓ/∂ŷ sits under the node's name
  const meanY = lossY + (identity ? 160 : 130);
  vwire(lossY, meanY, 'loss', bce || identity ? 'out' : 'sq', 'dl', 'dl', ['ℓₙ', '∂L/∂ℓₙ']);
  mids.lossMid = (lossY + meanY) / 2;
  const N = s.input.N;
  let lastY = meanY;
  if (!s.penalty) out.push(node(meanY, 'mean', 'L seed dl', `L = (1/${N}) Σₙ ℓₙ`));
  else {
    out.push(node(meanY, 'mean', 'L dR dl', `L_data = (1/${N}) Σₙ ℓₙ`));
    const plusY = meanY + 130;
    vwire(meanY, plusY, 'dataLoss', 'L', 'dDataLoss', 'dR', ['L_data', '∂L/∂L_data'], 90);
    out.push(
      tag('circle', { cx: ox, cy: plusY, r, class: 'node', 'data-walk': 'total seed dR' }),
      tag('text', { x: ox, y: plusY + 5, class: 'glyph small' }, '+'),
      tag('text', { x: ox + r + 8, y: plusY - 26, class: 'label' }, 'L = L_data + R'),
    );
    // R: its own node, fed by every weight (dashed: they are drawn in the rows), adding into L
    const rx = ox + 150;
    out.push(
      tag('circle', { cx: rx, cy: plusY, r, class: 'node pen-node', 'data-walk': 'R dR penW' }),
      tag('text', { x: rx, y: plusY + 5, class: 'glyph small' }, 'R'),
      tag('text', { x: rx + r + 8, y: plusY - 12, class: 'label' }, 'R = λ1 Σ|w| + (λ2/2) Σ w²'),
      line(rx - r - 2, plusY, ox + r + 2, plusY, 'wire', { 'marker-end': `url(#${marker})` }),
      line(rx, plusY + r, rx, plusY + 56, 'stub pen-stub'),
      tag('text', { x: rx, y: plusY + 72, class: 'label', 'text-anchor': 'middle' }, 'from every weight W'),
    );
    const wm = (ox + r + rx - r) / 2;
    items.push({ key: 'R', i: 0, len: 1, x: wm, y: plusY - 5, cls: 'fwd', reveal: 'R' });
    items.push({ key: 'dR', i: 0, len: 1, x: wm, y: plusY + 14, cls: 'grad', reveal: 'dR' });
    lastY = plusY;
    mids.plusY = plusY;
  }
  out.push(line(ox, lastY + r, ox, lastY + r + 26, 'wire'));
  out.push(
    tag('text', { x: ox + 10, y: lastY + r + 18, class: 'label' }, 'L'),
    tag('text', { x: ox + 10, y: lastY + r + 35, class: 'label' }, '∂L/∂L'),
  );
  const totalReveal = s.penalty ? 'total' : 'L';
  items.push({
    key: 'batchLoss',
    i: 0,
    len: 1,
    x: ox + 62,
    y: lastY + r + 18,
    cls: 'fwd',
    reveal: totalReveal,
    anchor: 'start',
  });
  out.push(
    tag(
      'text',
      {
        x: ox + 62,
        y: lastY + r + 35,
        class: 'num grad',
        'text-anchor': 'start',
        'data-reveal': 'seed',
        'data-value': 1,
      },
      '1',
    ),
  ); // the seed ∂L/∂L
  return { markup: out.join(''), bottom: lastY + r + (s.penalty ? 80 : 44), mids };
}
