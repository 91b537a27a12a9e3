/**
 * The output end of the graph: z2 → (σ, ℓ) → L down the right side. BCE is one
 * fused node whose edge says ∂ℓ/∂z2 = ŷ − y (as the code computes it, from the
 * logit); MSE is σ then the squared error, two edges. The mean's edge carries 1/N.
 */
import type { GraphState, NumberKey } from './graph-model.js';
import { CELL, type Item, line, tag, X, Y0 } from './graph-parts.js';

/** z2 → (σ, ℓ) → L, drawn down the right side; BCE fuses σ and the loss into one node. */
export function outputChain(s: GraphState, items: Item[], marker: string): { markup: string; bottom: number } {
  const bce = s.input.loss === 'bce';
  const out: string[] = [];
  const A0 = Y0 + 20;
  const ox = X.out;
  const r = 20;
  const node = (y: number, glyph: string, walk: string, name: string) =>
    tag('circle', { cx: ox, cy: y, r, class: 'node', 'data-walk': walk }) +
    tag('text', { x: ox, y: y + 5, class: 'glyph small' }, glyph) +
    tag('text', { x: ox + r + 8, y: y + 4, class: 'label' }, name);
  // z2 → first node, horizontal
  out.push(line(X.z2 + CELL, A0, ox - r - 2, A0, 'wire', { 'marker-end': `url(#${marker})` }));
  items.push({ key: 'z2', i: 0, len: 1, x: (X.z2 + CELL + ox - r) / 2, y: A0 - 5, cls: 'fwd', reveal: 'z2' });
  items.push({ key: 'dz2', i: 0, len: 1, x: (X.z2 + CELL + ox - r) / 2, y: A0 + 14, cls: 'grad', reveal: 'dz2' });
  const vwire = (
    y1: number,
    y2: number,
    fwd: NumberKey,
    fwdReveal: string,
    grad: NumberKey,
    gradReveal: string,
    names: [string, string],
  ) => {
    out.push(line(ox, y1 + r, ox, y2 - r - 2, 'wire', { 'marker-end': `url(#${marker})` }));
    const m = (y1 + y2) / 2;
    out.push(
      tag('text', { x: ox + 10, y: m - 14, class: 'label' }, names[0]),
      tag('text', { x: ox + 10, y: m + 3, class: 'label' }, names[1]),
    );
    items.push({ key: fwd, i: 0, len: 1, x: ox + 62, y: m - 14, cls: 'fwd', reveal: fwdReveal, anchor: 'start' });
    items.push({ key: grad, i: 0, len: 1, x: ox + 62, y: m + 3, cls: 'grad', reveal: gradReveal, anchor: 'start' });
  };
  let y = A0;
  const lossY = bce ? A0 : A0 + 120;
  if (bce) {
    // y: the label, a leaf entering the loss node from above
    out.push(tag('circle', { cx: ox, cy: Y0 - 40, r: 5, class: 'leaf', 'data-walk': 'leaves' }));
    out.push(line(ox, Y0 - 35, ox, A0 - r - 2, 'wire', { 'marker-end': `url(#${marker})` }));
    out.push(tag('text', { x: ox + 10, y: Y0 - 36, class: 'label' }, 'y'));
    items.push({ key: 'y', i: 0, len: 1, x: ox + 24, y: Y0 - 36, cls: 'fwd', reveal: 'leaves', anchor: 'start' });
    out.push(node(y, 'σ,ℓ', 'out dl dz2', 'σ + BCE, fused'));
    out.push(tag('text', { x: ox + r + 8, y: y + 20, class: 'label' }, 'ŷ = σ(z2) ='));
    items.push({ key: 'yHat', i: 0, len: 1, x: ox + r + 84, y: y + 20, cls: 'fwd', reveal: 'out', anchor: 'start' });
  } else {
    out.push(node(y, 'σ', 'out dyHat dz2', 'ŷ = σ(z2)'));
    vwire(y, lossY, 'yHat', 'out', 'dyHat', 'dyHat', ['ŷ', '∂L/∂ŷ']);
    // y: the label, a leaf entering the loss node from the left
    out.push(tag('circle', { cx: ox - 66, cy: lossY, r: 5, class: 'leaf', 'data-walk': 'leaves' }));
    out.push(line(ox - 61, lossY, ox - r - 2, lossY, 'wire', { 'marker-end': `url(#${marker})` }));
    out.push(tag('text', { x: ox - 66, y: lossY - 10, class: 'label', 'text-anchor': 'middle' }, 'y'));
    items.push({ key: 'y', i: 0, len: 1, x: ox - 40, y: lossY - 5, cls: 'fwd', reveal: 'leaves' });
    out.push(node(lossY, '(·)²', 'sq dl dyHat', 'ℓ = (ŷ − y)²'));
  }
  y = lossY + 130;
  vwire(lossY, y, 'loss', bce ? 'out' : 'sq', 'dl', 'dl', ['ℓₙ', '∂L/∂ℓₙ']);
  out.push(node(y, 'mean', 'L seed dl', `L = (1/${s.input.N}) Σₙ ℓₙ`));
  out.push(line(ox, y + r, ox, y + r + 26, 'wire'));
  out.push(
    tag('text', { x: ox + 10, y: y + r + 18, class: 'label' }, 'L'),
    tag('text', { x: ox + 10, y: y + r + 35, class: 'label' }, '∂L/∂L'),
  );
  items.push({ key: 'batchLoss', i: 0, len: 1, x: ox + 62, y: y + r + 18, cls: 'fwd', reveal: 'L', anchor: 'start' });
  out.push(
    tag(
      'text',
      { x: ox + 62, y: y + r + 35, class: 'num grad', 'text-anchor': 'start', 'data-reveal': 'seed', 'data-value': 1 },
      '1',
    ),
  ); // the seed ∂L/∂L
  return { markup: out.join(''), bottom: y + r + 44 };
}
