/**
 * The computation graph as SVG markup, laid out by hand (its shape is fixed): per hidden layer l, left to right, a row
 * per unit through W_l, b_l → z_l → gate → a_l; a layer before the last gathers a_l and hands it over the top to the
 * next layer's bus; the last feeds z_{L+1} (with W_{L+1}), b_{L+1} below, then z_{L+1} → (σ, ℓ) → L down the right,
 * with the penalty's node R added to L where one is set. Each wire has its forward value above and ∂L/∂(wire) below;
 * where a parameter meets the batch, a fork Σₙ shows this sample's share (right) and the batch total (left), and with a
 * penalty each weight's total splits into its data part and the penalty's R′ under it. With several hidden layers, the
 * δ recursion is drawn under the blocks, one backward arrow per layer. Pure strings: the page inserts it once, then
 * updates only its numbers.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import { ACTIVATION_TEXT, fmt, fmtList, gateKey, gateShade, type GraphState, type NumberKey } from './graph-model.js';
import { outputChain } from './graph-chain.js';
import { edgeLabels, type EdgeLabel, type LabelGeometry } from './graph-labels.js';
import { CELL, esc, GATHER_W, type Item, type Layout, layoutOf, line, tag, X, X_DEEP, Y0 } from './graph-parts.js';

export interface MarkupOptions {
  /** data-testid of the <svg>. */
  testid: string;
  /** Prefix of the per-quantity groups' testids ("diagram" gives diagram-z1…), and of marker ids. */
  keyPrefix: string;
  /** Renders a Jacobian's TeX as HTML for a foreignObject (KaTeX on the page); without it, plain SVG text. */
  tex?: (source: string) => string;
  /** Hidden units drawn per layer; the rest are counted as "+N more". */
  maxRows?: number;
  /** A self-contained file (xmlns, embedded style, white background) for docs/graph.svg. */
  standalone?: string;
}

/**
 * How many entries the data attributes carry (full precision, for tests and tools): an item's data-value at most
 * ITEM_VALUES of its vector, a quantity's data-values at most GROUP_VALUES (data-length then says how many it has), so
 * layers thousands wide keep the drawing small.
 */
export const ITEM_VALUES = 16;
export const GROUP_VALUES = 256;

/** The text and full-precision data-value of one number item; a vector shows its first `max` entries. */
export function itemText(
  s: GraphState,
  key: NumberKey,
  i: number,
  len: number,
  max = 3,
): { text: string; value: string } {
  const xs = s.values[key]!.slice(i, i + len);
  return len === 1
    ? { text: fmt(xs[0]!), value: String(xs[0]) }
    : { text: fmtList(xs, max), value: JSON.stringify(xs.slice(0, ITEM_VALUES)) };
}

/** An edge label's data-jacobian: its value, a vector cut to GROUP_VALUES entries. */
export const jacobianText = (value: number | number[]) =>
  JSON.stringify(typeof value === 'number' ? value : value.slice(0, GROUP_VALUES));

/** A quantity's data-values, and its full length where they are cut. */
export function groupValues(s: GraphState, key: NumberKey): { values: string; length?: number } {
  const xs = s.values[key]!;
  return xs.length > GROUP_VALUES
    ? { values: JSON.stringify(xs.slice(0, GROUP_VALUES)), length: xs.length }
    : { values: JSON.stringify(xs) };
}

/** The gate f′(z_l) whose closing marks δ_l's number: for dz1..dzL, none for the output's or any other key. */
export function gateOf(s: GraphState, key: NumberKey): number[] | null {
  const m = /^dz(\d+)$/.exec(key);
  const l = m ? Number(m[1]) : 0;
  return l >= 1 && l <= s.layers ? s.values[gateKey(l)]! : null;
}

interface ParamWire {
  value: NumberKey;
  total: NumberKey;
  share: NumberKey;
  i: number;
  len: number;
  reveal: string;
  /** Entries a vector shows (deep networks). */
  max?: number | undefined;
  /** A weight under a penalty: its data part and the penalty's R′ under the total. */
  pen?: { data: NumberKey; pen: NumberKey } | undefined;
}

/**
 * A parameter's wire from its leaf through the batch fork into its node: value and total left of Σₙ, this sample's
 * share right of it.
 */
function paramWire(
  items: Item[],
  out: string[],
  y: number,
  x0: number,
  xf: number,
  x1: number,
  p: ParamWire,
  marker: string,
  extraCls = '',
): void {
  out.push(tag('text', { x: x0 - 9, y: y + 4, class: 'label', 'text-anchor': 'end' }, p.value));
  out.push(tag('circle', { cx: x0, cy: y, r: 5, class: 'leaf', 'data-walk': `leaves ${p.reveal}` }));
  out.push(line(x0 + 5, y, x1 - 2, y, `wire ${extraCls}`, { 'marker-end': `url(#${marker})` }));
  out.push(tag('circle', { cx: xf, cy: y, r: 3.5, class: 'fork', 'data-walk': p.reveal }));
  out.push(line(xf, y, xf - 12, y - 9, 'stub'), line(xf, y, xf - 4, y - 11, 'stub'));
  const mid = (a: number, b: number) => (a + b) / 2;
  const max = p.len > 1 ? p.max : undefined;
  items.push({ key: p.value, i: p.i, len: p.len, x: mid(x0, xf), y: y - 5, cls: 'fwd', reveal: 'leaves', max });
  items.push({ key: p.total, i: p.i, len: p.len, x: mid(x0, xf), y: y + 14, cls: 'grad', reveal: p.reveal, max });
  items.push({
    key: p.share,
    i: p.i,
    len: p.len,
    x: mid(xf, x1 - 12),
    y: y + 14,
    cls: 'grad share',
    reveal: p.reveal,
    max,
  });
  if (!p.pen) return;
  // the total = the data part (Σₙ of the shares) + the penalty's R′ = λ1 sign(w) + λ2 w, both under it
  out.push(
    tag('text', { x: x0 - 9, y: y + 27, class: 'label pen-label', 'text-anchor': 'end' }, 'data'),
    tag('text', { x: x0 - 9, y: y + 40, class: 'label pen-label', 'text-anchor': 'end' }, 'R′'),
  );
  items.push({ key: p.pen.data, i: p.i, len: p.len, x: mid(x0, xf), y: y + 27, cls: 'grad', reveal: p.reveal, max });
  items.push({ key: p.pen.pen, i: p.i, len: p.len, x: mid(x0, xf), y: y + 40, cls: 'grad pen', reveal: 'penW', max });
}

/** f's shape drawn in the gate box: a hinge for ReLU (and leaky, with its slight slope), an S for tanh and σ. */
function glyph(act: HiddenActivation, x: number, A: number): string {
  if (act === 'relu') return `${x + 5},${A + 5} ${x + 16},${A + 5} ${x + 27},${A - 6}`;
  if (act === 'leaky') return `${x + 5},${A + 6} ${x + 16},${A + 5} ${x + 27},${A - 6}`;
  return Array.from({ length: 12 }, (_, k) => `${x + 5 + 2 * k},${(A - 6 * Math.tanh((k - 5.5) / 2)).toFixed(1)}`).join(
    ' ',
  );
}

interface Ctx {
  s: GraphState;
  lay: Layout;
  items: Item[];
  marker: string;
}

/** The weight wire's penalty lines, where a penalty is set. */
const penOf = (s: GraphState, l: number) => (s.penalty ? { data: `dataW${l}`, pen: `penW${l}` } : undefined);

/**
 * Unit j of hidden layer l: W_l's row j, b_l's entry → z_l,j → gate → a_l,j, and on to z_{L+1} (with W_{L+1,j}) from
 * the last hidden layer, or into the column gathering a_l before it.
 */
function unitRow(c: Ctx, l: number, j: number): string {
  const { s, lay, items, marker } = c;
  const { cols: X, row } = lay;
  const x0 = lay.ox[l - 1]!;
  const last = l === lay.layers;
  const nin = l === 1 ? s.input.d : s.input.hidden[l - 2]!;
  const max = lay.layers > 1 ? lay.listMax : undefined;
  const o = lay.layers + 1;
  const top = Y0 + j * row.R;
  const A = top + 20;
  const B = top + row.B;
  const bandWidth = last ? X.z2 + CELL + 4 : X_DEEP.gather + GATHER_W + 4;
  const out: string[] = [tag('rect', { x: x0, y: top, width: bandWidth, height: row.R - 3, class: 'band' })];
  out.push(tag('text', { x: x0 + X.unit, y: A + 4, class: 'label unit' }, String(j + 1)));
  const reveal = `dW${l}`;
  paramWire(
    items,
    out,
    A,
    x0 + X.leaf,
    x0 + X.fork,
    x0 + X.z1,
    { value: `W${l}`, total: `dW${l}`, share: `cW${l}`, i: j * nin, len: nin, reveal, max, pen: penOf(s, l) },
    marker,
  );
  paramWire(
    items,
    out,
    B,
    x0 + X.leaf,
    x0 + X.fork,
    x0 + X.z1,
    { value: `b${l}`, total: `db${l}`, share: `cb${l}`, i: j, len: 1, reveal },
    marker,
  );
  out.push(
    tag('circle', { cx: x0 + X.bus, cy: top + row.mid, r: 3, class: 'fork' }),
    line(x0 + X.bus, top + row.mid, x0 + X.z1 - 1, top + row.mid, 'wire'),
  );
  const zx = x0 + X.z1;
  const ax = x0 + X.a1;
  out.push(
    tag('rect', {
      x: zx,
      y: top + 8,
      width: CELL,
      height: row.B + 4,
      rx: 6,
      class: 'node',
      'data-walk': `z${l} dz${l}`,
    }),
  );
  out.push(tag('text', { x: zx + CELL / 2, y: top + (row.B + 20) / 2 + 5, class: 'glyph' }, '+'));
  // z_l → gate: z_l,j above, δ_l,j below (blocked when the gate is closed)
  out.push(line(zx + CELL, A, ax - 2, A, 'wire', { 'marker-end': `url(#${marker})` }));
  items.push({ key: `z${l}`, i: j, len: 1, x: (zx + CELL + ax) / 2, y: A - 5, cls: 'fwd', reveal: `z${l}` });
  items.push({ key: `dz${l}`, i: j, len: 1, x: (zx + CELL + ax) / 2, y: A + 14, cls: `grad dz${l}`, reveal: `dz${l}` });
  out.push(
    tag('rect', { x: ax, y: A - 11, width: CELL, height: 22, rx: 5, class: 'node gate', 'data-walk': `a${l} dz${l}` }),
  );
  // shaded by how far f′(z_l,j) is below its largest (tanh, σ: a gate half-closed); closed only where f′ = 0
  out.push(
    tag('rect', {
      x: ax,
      y: A - 11,
      width: CELL,
      height: 22,
      rx: 5,
      class: 'gate-shade',
      'fill-opacity': gateShade(s, j, l).toFixed(3),
    }),
  );
  out.push(tag('polyline', { points: glyph(s.input.activation ?? 'relu', ax, A), class: 'relu' }));
  out.push(line(ax + CELL / 2, A - 15, ax + CELL / 2, A + 15, 'gate-bar'));
  // f′(z_l,j), this unit's entry of the gate edge's diag(f′(z_l)), below right of the box (clear of W's fork and da)
  items.push({
    key: gateKey(l),
    i: j,
    len: 1,
    x: ax + CELL + 3,
    y: A + 25,
    cls: 'fprime',
    reveal: `dz${l}`,
    anchor: 'start',
  });
  // a_l → z_{l+1}: a_l,j above, da_l,j below; into z_{L+1} itself from the last hidden layer, else into the gather
  const end = last ? lay.z2 : x0 + X_DEEP.gather;
  out.push(line(ax + CELL, A, end - 2, A, 'wire after-gate', { 'marker-end': `url(#${marker})` }));
  items.push({ key: `a${l}`, i: j, len: 1, x: (ax + CELL + end) / 2, y: A - 5, cls: 'fwd', reveal: `a${l}` });
  items.push({ key: `da${l}`, i: j, len: 1, x: (ax + CELL + end) / 2, y: A + 14, cls: 'grad', reveal: `da${l}` });
  if (last)
    paramWire(
      items,
      out,
      B,
      lay.w2,
      lay.fork2,
      lay.z2,
      { value: `W${o}`, total: `dW${o}`, share: `cW${o}`, i: j, len: 1, reveal: `dW${o}`, pen: penOf(s, o) },
      marker,
    );
  const closed = s.values[gateKey(l)]![j] === 0;
  return tag(
    'g',
    { class: closed ? 'row closed' : 'row', 'data-row': j, 'data-layer': lay.layers > 1 ? l : undefined },
    out.join(''),
  );
}

/**
 * Between hidden layers l and l + 1: the column gathering a_l, and the vector carried over the top into layer l + 1's
 * bus, a_l above it and ∂L/∂a_l = W_{l+1}ᵀ δ_{l+1} below.
 */
function bridge(c: Ctx, l: number): string {
  const { s, lay, items } = c;
  const x0 = lay.ox[l - 1]!;
  const next = lay.ox[l]! + lay.cols.bus;
  const gx = x0 + X_DEEP.gather;
  const K = lay.rows[l - 1]!;
  const Kn = lay.rows[l]!;
  const y = Y0 - 22;
  const out = [
    tag('rect', {
      x: gx,
      y: Y0 + 4,
      width: GATHER_W,
      height: (K - 1) * lay.row.R + 30,
      rx: 4,
      class: 'node gather',
      'data-walk': `a${l} da${l}`,
    }),
    tag('polyline', {
      points: `${gx + GATHER_W / 2},${Y0 + 4} ${gx + GATHER_W / 2},${y} ${next},${y} ${next},${Y0 + (Kn - 1) * lay.row.R + lay.row.mid - 3}`,
      class: 'wire bus',
    }),
    tag('text', { x: gx + GATHER_W + 6, y: y - 5, class: 'label' }, `a${l}`),
    tag('text', { x: gx + GATHER_W + 6, y: y + 14, class: 'label' }, `∂L/∂a${l}`),
  ];
  const H = s.input.hidden[l - 1]!;
  const xm = (gx + GATHER_W + 60 + next) / 2;
  items.push({ key: `a${l}`, i: 0, len: H, x: xm, y: y - 5, cls: 'fwd', reveal: `a${l}`, max: lay.listMax });
  items.push({ key: `da${l}`, i: 0, len: H, x: xm, y: y + 14, cls: 'grad', reveal: `da${l}`, max: lay.listMax });
  return out.join('');
}

/** Under the blocks, δ_{l+1} → δ_l for every hidden layer: the recursion, one backward arrow per layer. */
function recursionArrows(c: Ctx, y: number): string {
  const { lay, marker } = c;
  const out: string[] = [];
  const o = lay.layers + 1;
  out.push(tag('text', { x: lay.z2 + CELL / 2, y: y - 8, class: 'label', 'text-anchor': 'middle' }, `δ${o}`));
  for (let l = lay.layers; l >= 1; l--) {
    const from = l === lay.layers ? lay.z2 + CELL / 2 : lay.ox[l]! + lay.cols.z1 + CELL / 2;
    const to = lay.ox[l - 1]! + lay.cols.z1 + CELL / 2;
    out.push(
      line(from, y, to + 6, y, 'back', { 'marker-end': `url(#${marker})`, 'data-walk': `dz${l}` }),
      tag('circle', { cx: from, cy: y, r: 3, class: 'fork' }),
      tag('text', { x: to, y: y - 8, class: 'label', 'text-anchor': 'middle' }, `δ${l}`),
    );
  }
  return tag('g', { class: 'recursion' }, out.join(''));
}

/** The whole drawing for state `s`. */
export function graphMarkup(s: GraphState, o: MarkupOptions): string {
  const { loss } = s.input;
  const lay = layoutOf(s, o.maxRows ?? 8);
  const { cols: X, row, b2Y } = lay;
  const L = lay.layers;
  const out = L + 1;
  const deep = L > 1;
  const marker = `${o.keyPrefix}-arrow`;
  const items: Item[] = [];
  const c: Ctx = { s, lay, items, marker };
  const body: string[] = [];
  for (let l = 1; l <= L; l++) for (let j = 0; j < lay.rows[l - 1]!; j++) body.push(unitRow(c, l, j));
  // under the unit numbers, clear of the wires, the bus and the Σ node
  for (let l = 1; l <= L; l++) {
    const more = lay.more[l - 1]!;
    if (more > 0)
      body.push(
        tag(
          'text',
          {
            x: lay.ox[l - 1]! + X.unit,
            y: Y0 + lay.rows[l - 1]! * row.R + 16,
            class: 'label more',
            'data-testid': `${o.keyPrefix}-more${l === 1 ? '' : l}`,
          },
          `+${more.toLocaleString('en-US')} more units not drawn`,
        ),
      );
  }
  // x: one leaf feeding every unit (a fork; x is data, so its gradient is not needed)
  body.push(
    tag('circle', { cx: X.bus, cy: Y0 - 22, r: 5, class: 'leaf', 'data-walk': 'leaves' }),
    line(X.bus, Y0 - 17, X.bus, Y0 + (lay.rows[0]! - 1) * row.R + row.mid - 3, 'wire bus'),
  );
  items.push({
    key: 'x',
    i: 0,
    len: s.input.d,
    x: X.bus - 10,
    y: Y0 - 18,
    cls: 'fwd',
    reveal: 'leaves',
    anchor: 'end',
  });
  body.push(tag('text', { x: X.bus + 10, y: Y0 - 18, class: 'label' }, 'x'));
  for (let l = 1; l < L; l++) body.push(bridge(c, l));
  // z_{L+1}: one node collecting every unit of the last hidden layer and b_{L+1}
  body.push(
    tag('rect', {
      x: lay.z2,
      y: Y0 + 4,
      width: CELL,
      height: b2Y - Y0 + 6,
      rx: 6,
      class: 'node',
      'data-walk': `z${out} dz${out}`,
    }),
  );
  body.push(tag('text', { x: lay.z2 + CELL / 2, y: (Y0 + b2Y) / 2 + 8, class: 'glyph' }, 'Σ'));
  paramWire(
    items,
    body,
    b2Y,
    lay.w2,
    lay.fork2,
    lay.z2,
    { value: `b${out}`, total: `db${out}`, share: `cb${out}`, i: 0, len: 1, reveal: `dW${out}` },
    marker,
  );
  const chain = outputChain(s, items, marker, lay);
  body.push(chain.markup);
  if (deep) body.push(recursionArrows(c, b2Y + 96));
  const geometry: LabelGeometry = { lay, A0: Y0 + 20, xLeafY: Y0 - 22, chain: chain.mids, recursionY: b2Y + 96 };
  const labels = edgeLabels(s, geometry).map((l) => labelMarkup({ ...l, testid: `${o.keyPrefix}-${l.testid}` }, o.tex));
  const height = Math.max(b2Y + (deep ? 130 : 76), chain.bottom + 16);
  const groups = groupItems(s, items, o.keyPrefix);
  const svgAttrs = {
    xmlns: o.standalone ? 'http://www.w3.org/2000/svg' : undefined,
    viewBox: `0 0 ${lay.width} ${height}`,
    width: lay.width,
    height,
    class: 'graph-svg',
    role: 'img',
    'aria-labelledby': `${o.keyPrefix}-title ${o.keyPrefix}-desc`,
    'data-testid': o.testid,
    'data-loss': loss,
    'data-rows': lay.rows.join(','),
    'data-layers': deep ? L : undefined,
    'data-output': s.input.output === 'identity' ? 'identity' : undefined,
    'data-penalty': s.penalty ? 'on' : undefined,
  };
  const defs = `<defs><marker id="${marker}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>`;
  const head = `<title id="${o.keyPrefix}-title">${esc(title(s))}</title><desc id="${o.keyPrefix}-desc">${esc(describe(s))}</desc>${defs}`;
  const extra = o.standalone ? `<style>${o.standalone}</style><rect width="100%" height="100%" class="paper"/>` : '';
  return tag('svg', svgAttrs, head + extra + legend() + headers(s, lay) + body.join('') + labels.join('') + groups);
}

/** Where the edge labels go for state `s` (their values do not depend on it). */
export function labelGeometry(s: GraphState, maxRows = 8): LabelGeometry {
  const lay = layoutOf(s, maxRows);
  const chain = outputChain(s, [], '', lay);
  return { lay, A0: Y0 + 20, xLeafY: Y0 - 22, chain: chain.mids, recursionY: lay.b2Y + 96 };
}

/** The drawing's title: the network, the loss, the batch (and the output and penalty where not the defaults). */
function title(s: GraphState): string {
  const { N, loss, hidden } = s.input;
  const L = s.layers;
  const net =
    L === 1
      ? `the 2-layer MLP, ${hidden[0]} hidden units`
      : `the ${L + 1}-layer MLP, hidden widths ${hidden.join(', ')}`;
  const output = s.input.output === 'identity' ? ', identity output (regression)' : '';
  const { l1 = 0, l2 = 0 } = s.input;
  const pen = s.penalty ? `, penalty${l1 > 0 ? ` λ1 = ${l1}` : ''}${l2 > 0 ? ` λ2 = ${l2}` : ''}` : '';
  return `Computation graph of ${net}, ${loss.toUpperCase()} loss${output}${pen}, batch of ${N}`;
}

/** The state in one sentence, for <desc> (and screen readers). */
export function describe(s: GraphState): string {
  const g = s.input;
  const o = s.layers + 1;
  const v = s.values;
  const at = g.step === null ? 'Worked example' : `Step ${g.step}`;
  const loss = s.penalty
    ? `batch loss L = L_data + R = ${fmt(v.dataLoss![0]!)} + ${fmt(v.R![0]!)} = ${fmt(g.batchLoss)}`
    : `batch loss L = ${fmt(g.batchLoss)}`;
  return `${at}, sample ${g.n + 1} of ${g.N}: x = (${fmtList(g.x, 8)}), y = ${fmt(g.y)}; forward z${o} = ${fmt(v[`z${o}`]![0]!)}, ŷ = ${fmt(g.yHat)}, loss ℓ = ${fmt(g.sampleLoss)}, ${loss}; backward δ${o} = ${fmt(v[`dz${o}`]![0]!)}; ${gateSummary(s)}.`;
}

/** The gates in words: how many closed (f′ = 0), and for tanh and σ the smallest f′; layer by layer when several. */
function gateSummary(s: GraphState): string {
  const act = s.input.activation ?? 'relu';
  const { f } = ACTIVATION_TEXT[act];
  const one = (l: number) => {
    const gate = s.values[gateKey(l)]!;
    const closed = gate.filter((k) => k === 0).length;
    if (act === 'relu' || act === 'leaky') return `${closed} of ${s.input.hidden[l - 1]} ${f} gates closed`;
    const z = s.layers === 1 ? 'z1' : `z${l}`;
    return `${f} gates never close: f′(${z}) from ${fmt(Math.min(...gate))} to ${fmt(Math.max(...gate))}`;
  };
  if (s.layers === 1) return one(1);
  return Array.from({ length: s.layers }, (_, k) => `layer ${k + 1}: ${one(k + 1)}`).join('; ');
}

/**
 * Two lines of key, laid out left to right with each entry's width estimated
 * from its characters (12 px text: at most about 7.1 px a character, 7.3 for numbers),
 * so no entry runs into the next.
 */
function legend(): string {
  const out: string[] = [];
  const row = (y: number, entries: ([cls: string, text: string] | ['fork'])[]) => {
    let x = X.unit;
    for (const e of entries) {
      if (e[0] === 'fork') {
        out.push(
          tag('circle', { cx: x + 12, cy: y - 4, r: 3.5, class: 'fork' }),
          line(x + 12, y - 4, x + 2, y - 11, 'stub'),
        );
        x += 22;
        continue;
      }
      const [cls, text] = e as [string, string];
      const num = cls.startsWith('num');
      out.push(tag('text', { x, y, class: cls, 'text-anchor': 'start' }, text));
      x += text.length * (num ? 7.3 : 7) + (num ? 6 : 24);
    }
  };
  row(14, [
    ['num fwd', '0.5'],
    ['label', 'forward value, above each wire'],
    ['num grad', '−0.62'],
    ['label', 'gradient ∂L/∂(that value), below it'],
  ]);
  row(31, [
    ['num grad share', '−0.62'],
    ['label', 'violet italics: this sample’s share'],
    ['num grad', '−0.62'],
    ['label', 'plain: summed over the batch'],
    ['fork'],
    ['label', 'Σₙ: the shares add up (dashed: others)'],
  ]);
  return tag('g', { class: 'legend' }, out.join(''));
}

function headers(s: GraphState, lay: Layout): string {
  const y = 52;
  const X = lay.cols;
  const h = (x: number, text: string, anchor = 'middle') =>
    tag('text', { x, y, class: 'head', 'text-anchor': anchor }, text);
  const f = ACTIVATION_TEXT[s.input.activation ?? 'relu'].f;
  const cells = lay.ox.flatMap((x0, k) => [
    h(x0 + X.unit, 'unit', 'start'),
    h(x0 + X.fork, `Σ over ${s.input.N} sample${s.input.N === 1 ? '' : 's'}`),
    h(x0 + X.z1 + CELL / 2, `z${k + 1}`),
    h(x0 + X.a1 + CELL / 2, `a${k + 1} = ${f}(z${k + 1})`),
  ]);
  return tag('g', { class: 'headers' }, [...cells, h(lay.z2 + CELL / 2, `z${lay.layers + 1}`)].join(''));
}

/**
 * A bracket tying a label to its edge: under a label above the rows, ticks pointing down to the edge; over one below
 * them, ticks up.
 */
function bracket(l: EdgeLabel): string {
  if (!l.span) return '';
  const [x0, x1] = l.span;
  const y = l.side === 'below' ? l.y - 20 : l.y + 7;
  const tick = l.side === 'below' ? -5 : 5;
  return tag('path', { d: `M${x0},${y + tick} V${y} H${x1} V${y + tick}`, class: 'jac-span' });
}

function labelMarkup(l: EdgeLabel, tex?: (source: string) => string): string {
  return bracket(l) + labelBody(l, tex);
}

function labelBody(l: EdgeLabel, tex?: (source: string) => string): string {
  const attrs = {
    'data-testid': l.testid,
    'data-jacobian': l.value === undefined ? undefined : jacobianText(l.value),
    class: 'jac',
    'data-walk': l.walk,
  };
  if (tex) {
    const html = `<div xmlns="http://www.w3.org/1999/xhtml" class="jac-html" style="text-align:${l.anchor === 'start' ? 'left' : 'center'}">${tex(l.tex)}</div>`;
    const x = l.anchor === 'start' ? l.x : l.x - l.w / 2;
    return tag('foreignObject', { ...attrs, x, y: l.y - 16, width: l.w, height: 24 }, html);
  }
  return tag('text', { ...attrs, x: l.x, y: l.y, 'text-anchor': l.anchor ?? 'middle' }, esc(l.plain));
}

function groupItems(s: GraphState, items: Item[], prefix: string): string {
  const byKey = new Map<NumberKey, Item[]>();
  for (const it of items) byKey.set(it.key, [...(byKey.get(it.key) ?? []), it]);
  return [...byKey]
    .map(([key, list]) => {
      const gate = gateOf(s, key);
      const texts = list.map((it) => {
        const t = itemText(s, key, it.i, it.len, it.max);
        const gated = gate && it.len === 1 && gate[it.i] === 0 ? ' gated' : '';
        return tag(
          'text',
          {
            x: it.x,
            y: it.y,
            class: `num ${it.cls}${gated}`,
            'text-anchor': it.anchor ?? 'middle',
            'data-key': key,
            'data-i': it.i,
            'data-len': it.len,
            'data-max': it.max,
            'data-reveal': it.reveal,
            'data-value': t.value,
          },
          esc(t.text),
        );
      });
      const group = groupValues(s, key);
      return tag(
        'g',
        { 'data-testid': `${prefix}-${key}`, 'data-values': group.values, 'data-length': group.length },
        texts.join(''),
      );
    })
    .join('');
}
