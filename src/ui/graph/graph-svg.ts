/**
 * The computation graph as SVG markup, laid out by hand (its shape is fixed): a row per hidden unit through
 * W1, b1 → z1 → gate → a1 → z2 (with W2), b2 below, then z2 → (σ, ℓ) → L down the right. Each wire has its forward
 * value above and ∂L/∂(wire) below; where a parameter meets the batch, a fork Σₙ shows this sample's share (right) and
 * the batch total (left). Pure strings: the page inserts it once, then updates only its numbers.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import { ACTIVATION_TEXT, fmt, fmtList, gateShade, type GraphState, type NumberKey } from './graph-model.js';
import { outputChain } from './graph-chain.js';
import { edgeLabels, type EdgeLabel } from './graph-labels.js';
import { CELL, esc, type Item, line, R, tag, WIDTH, X, Y0 } from './graph-parts.js';

export interface MarkupOptions {
  /** data-testid of the <svg>. */
  testid: string;
  /** Prefix of the per-quantity groups' testids ("diagram" gives diagram-z1…), and of marker ids. */
  keyPrefix: string;
  /** Renders a Jacobian's TeX as HTML for a foreignObject (KaTeX on the page); without it, plain SVG text. */
  tex?: (source: string) => string;
  /** Hidden units drawn; the rest are counted as "+N more". */
  maxRows?: number;
  /** A self-contained file (xmlns, embedded style, white background) for docs/graph.svg. */
  standalone?: string;
}

/** The text and full-precision data-value of one number item. */
export function itemText(s: GraphState, key: NumberKey, i: number, len: number): { text: string; value: string } {
  const xs = s.values[key].slice(i, i + len);
  return len === 1 ? { text: fmt(xs[0]!), value: String(xs[0]) } : { text: fmtList(xs, 3), value: JSON.stringify(xs) };
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
  p: { value: NumberKey; total: NumberKey; share: NumberKey; i: number; len: number; reveal: string },
  marker: string,
  extraCls = '',
): void {
  out.push(tag('text', { x: x0 - 9, y: y + 4, class: 'label', 'text-anchor': 'end' }, p.value));
  out.push(tag('circle', { cx: x0, cy: y, r: 5, class: 'leaf', 'data-walk': `leaves ${p.reveal}` }));
  out.push(line(x0 + 5, y, x1 - 2, y, `wire ${extraCls}`, { 'marker-end': `url(#${marker})` }));
  out.push(tag('circle', { cx: xf, cy: y, r: 3.5, class: 'fork', 'data-walk': p.reveal }));
  out.push(line(xf, y, xf - 12, y - 9, 'stub'), line(xf, y, xf - 4, y - 11, 'stub'));
  const mid = (a: number, b: number) => (a + b) / 2;
  items.push({ key: p.value, i: p.i, len: p.len, x: mid(x0, xf), y: y - 5, cls: 'fwd', reveal: 'leaves' });
  items.push({ key: p.total, i: p.i, len: p.len, x: mid(x0, xf), y: y + 14, cls: 'grad', reveal: p.reveal });
  items.push({ key: p.share, i: p.i, len: p.len, x: mid(xf, x1 - 12), y: y + 14, cls: 'grad share', reveal: p.reveal });
}

/** f's shape drawn in the gate box: a hinge for ReLU (and leaky, with its slight slope), an S for tanh and σ. */
function glyph(act: HiddenActivation, x: number, A: number): string {
  if (act === 'relu') return `${x + 5},${A + 5} ${x + 16},${A + 5} ${x + 27},${A - 6}`;
  if (act === 'leaky') return `${x + 5},${A + 6} ${x + 16},${A + 5} ${x + 27},${A - 6}`;
  return Array.from({ length: 12 }, (_, k) => `${x + 5 + 2 * k},${(A - 6 * Math.tanh((k - 5.5) / 2)).toFixed(1)}`).join(
    ' ',
  );
}

/** One hidden unit's row: W1_j, b1_j → z1_j → gate → a1_j → z2, and W2_j → z2. */
function unitRow(s: GraphState, j: number, items: Item[], marker: string): string {
  const { d } = s.input;
  const top = Y0 + j * R;
  const A = top + 20;
  const B = top + 54;
  const out: string[] = [tag('rect', { x: 0, y: top, width: X.z2 + CELL + 4, height: R - 3, class: 'band' })];
  out.push(tag('text', { x: X.unit, y: A + 4, class: 'label unit' }, String(j + 1)));
  paramWire(
    items,
    out,
    A,
    X.leaf,
    X.fork,
    X.z1,
    { value: 'W1', total: 'dW1', share: 'cW1', i: j * d, len: d, reveal: 'dW1' },
    marker,
  );
  paramWire(
    items,
    out,
    B,
    X.leaf,
    X.fork,
    X.z1,
    { value: 'b1', total: 'db1', share: 'cb1', i: j, len: 1, reveal: 'dW1' },
    marker,
  );
  out.push(
    tag('circle', { cx: X.bus, cy: top + 37, r: 3, class: 'fork' }),
    line(X.bus, top + 37, X.z1 - 1, top + 37, 'wire'),
  );
  out.push(tag('rect', { x: X.z1, y: top + 8, width: CELL, height: 58, rx: 6, class: 'node', 'data-walk': 'z1 dz1' }));
  out.push(tag('text', { x: X.z1 + CELL / 2, y: top + 42, class: 'glyph' }, '+'));
  // z1 → gate: z1_j above, δ1_j below (blocked when the gate is closed)
  out.push(line(X.z1 + CELL, A, X.a1 - 2, A, 'wire', { 'marker-end': `url(#${marker})` }));
  items.push({ key: 'z1', i: j, len: 1, x: (X.z1 + CELL + X.a1) / 2, y: A - 5, cls: 'fwd', reveal: 'z1' });
  items.push({ key: 'dz1', i: j, len: 1, x: (X.z1 + CELL + X.a1) / 2, y: A + 14, cls: 'grad dz1', reveal: 'dz1' });
  out.push(
    tag('rect', { x: X.a1, y: A - 11, width: CELL, height: 22, rx: 5, class: 'node gate', 'data-walk': 'a1 dz1' }),
  );
  // shaded by how far f′(z1_j) is below its largest (tanh, σ: a gate half-closed); closed only where f′ = 0
  out.push(
    tag('rect', {
      x: X.a1,
      y: A - 11,
      width: CELL,
      height: 22,
      rx: 5,
      class: 'gate-shade',
      'fill-opacity': gateShade(s, j).toFixed(3),
    }),
  );
  out.push(tag('polyline', { points: glyph(s.input.activation ?? 'relu', X.a1, A), class: 'relu' }));
  out.push(line(X.a1 + CELL / 2, A - 15, X.a1 + CELL / 2, A + 15, 'gate-bar'));
  // f′(z1_j), this unit's entry of the gate edge's diag(f′(z1)), below right of the box (clear of W2's fork and da1)
  items.push({
    key: 'gate',
    i: j,
    len: 1,
    x: X.a1 + CELL + 3,
    y: A + 25,
    cls: 'fprime',
    reveal: 'dz1',
    anchor: 'start',
  });
  // a1 → z2: a1_j above, da1_j below
  out.push(line(X.a1 + CELL, A, X.z2 - 2, A, 'wire after-gate', { 'marker-end': `url(#${marker})` }));
  items.push({ key: 'a1', i: j, len: 1, x: (X.a1 + CELL + X.z2) / 2, y: A - 5, cls: 'fwd', reveal: 'a1' });
  items.push({ key: 'da1', i: j, len: 1, x: (X.a1 + CELL + X.z2) / 2, y: A + 14, cls: 'grad', reveal: 'da1' });
  paramWire(
    items,
    out,
    B,
    X.w2,
    X.fork2,
    X.z2,
    { value: 'W2', total: 'dW2', share: 'cW2', i: j, len: 1, reveal: 'dW2' },
    marker,
  );
  const closed = s.values.gate[j] === 0;
  return tag('g', { class: closed ? 'row closed' : 'row', 'data-row': j }, out.join(''));
}

/** The whole drawing for state `s`. */
export function graphMarkup(s: GraphState, o: MarkupOptions): string {
  const { H, N, loss } = s.input;
  const K = Math.min(H, o.maxRows ?? 8);
  const more = H - K;
  const marker = `${o.keyPrefix}-arrow`;
  const items: Item[] = [];
  const rows = Array.from({ length: K }, (_, j) => unitRow(s, j, items, marker));
  const rowsEnd = Y0 + K * R;
  const b2Y = rowsEnd + (more > 0 ? 40 : 18);
  const body: string[] = [...rows];
  // under the unit numbers, clear of the wires, the bus and the Σ node
  if (more > 0)
    body.push(
      tag(
        'text',
        { x: X.unit, y: rowsEnd + 16, class: 'label more', 'data-testid': `${o.keyPrefix}-more` },
        `+${more.toLocaleString('en-US')} more units not drawn`,
      ),
    );
  // x: one leaf feeding every unit (a fork; x is data, so its gradient is not needed)
  body.push(
    tag('circle', { cx: X.bus, cy: Y0 - 22, r: 5, class: 'leaf', 'data-walk': 'leaves' }),
    line(X.bus, Y0 - 17, X.bus, Y0 + (K - 1) * R + 34, 'wire bus'),
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
  // z2: one node collecting every unit and b2
  body.push(
    tag('rect', { x: X.z2, y: Y0 + 4, width: CELL, height: b2Y - Y0 + 6, rx: 6, class: 'node', 'data-walk': 'z2 dz2' }),
  );
  body.push(tag('text', { x: X.z2 + CELL / 2, y: (Y0 + b2Y) / 2 + 8, class: 'glyph' }, 'Σ'));
  paramWire(
    items,
    body,
    b2Y,
    X.w2,
    X.fork2,
    X.z2,
    { value: 'b2', total: 'db2', share: 'cb2', i: 0, len: 1, reveal: 'dW2' },
    marker,
  );
  const chain = outputChain(s, items, marker);
  body.push(chain.markup);
  const A0 = Y0 + 20;
  const chainMids = loss === 'bce' ? { lossMid: A0 + 65 } : { yHatMid: A0 + 60, lossMid: A0 + 185 };
  const geometry = { b2Y, A0, xLeafY: Y0 - 22, chain: chainMids, x: { ...X, cell: CELL } };
  const labels = edgeLabels(s, geometry).map((l) => labelMarkup({ ...l, testid: `${o.keyPrefix}-${l.testid}` }, o.tex));
  const height = Math.max(b2Y + 76, chain.bottom + 16);
  const groups = groupItems(s, items, o.keyPrefix);
  const title = `Computation graph of the 2-layer MLP, ${H} hidden units, ${loss.toUpperCase()} loss, batch of ${N}`;
  const svgAttrs = {
    xmlns: o.standalone ? 'http://www.w3.org/2000/svg' : undefined,
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    class: 'graph-svg',
    role: 'img',
    'aria-labelledby': `${o.keyPrefix}-title ${o.keyPrefix}-desc`,
    'data-testid': o.testid,
    'data-loss': loss,
    'data-rows': K,
  };
  const defs = `<defs><marker id="${marker}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>`;
  const head = `<title id="${o.keyPrefix}-title">${esc(title)}</title><desc id="${o.keyPrefix}-desc">${esc(describe(s))}</desc>${defs}`;
  const extra = o.standalone ? `<style>${o.standalone}</style><rect width="100%" height="100%" class="paper"/>` : '';
  return tag('svg', svgAttrs, head + extra + legend() + headers(s) + body.join('') + labels.join('') + groups);
}

/** The state in one sentence, for <desc> (and screen readers). */
export function describe(s: GraphState): string {
  const g = s.input;
  const closed = s.values.gate.filter((k) => k === 0).length;
  const at = g.step === null ? 'Worked example' : `Step ${g.step}`;
  return `${at}, sample ${g.n + 1} of ${g.N}: x = (${fmtList(g.x, 8)}), y = ${fmt(g.y)}; forward z2 = ${fmt(g.z2)}, ŷ = ${fmt(g.yHat)}, loss ℓ = ${fmt(g.sampleLoss)}, batch loss L = ${fmt(g.batchLoss)}; backward δ2 = ${fmt(g.dz2)}; ${gateSummary(s, closed)}.`;
}

/** The gates in words: how many closed (f′ = 0), and for tanh and σ the smallest f′. */
function gateSummary(s: GraphState, closed: number): string {
  const act = s.input.activation ?? 'relu';
  const { f } = ACTIVATION_TEXT[act];
  if (act === 'relu' || act === 'leaky') return `${closed} of ${s.input.H} ${f} gates closed`;
  return `${f} gates never close: f′(z1) from ${fmt(Math.min(...s.values.gate))} to ${fmt(Math.max(...s.values.gate))}`;
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
    ['label', 'italic: this sample’s share'],
    ['num grad', '−0.62'],
    ['label', 'upright: summed over the batch'],
    ['fork'],
    ['label', 'Σₙ: samples’ shares add up (dashes: the others)'],
  ]);
  return tag('g', { class: 'legend' }, out.join(''));
}

function headers(s: GraphState): string {
  const y = 52;
  const h = (x: number, text: string, anchor = 'middle') =>
    tag('text', { x, y, class: 'head', 'text-anchor': anchor }, text);
  return tag(
    'g',
    { class: 'headers' },
    [
      h(X.unit, 'unit', 'start'),
      h(X.fork, `Σ over ${s.input.N} sample${s.input.N === 1 ? '' : 's'}`),
      h(X.z1 + CELL / 2, 'z1'),
      h(X.a1 + CELL / 2, `a1 = ${ACTIVATION_TEXT[s.input.activation ?? 'relu'].f}(z1)`),
      h(X.z2 + CELL / 2, 'z2'),
    ].join(''),
  );
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
    'data-jacobian': l.value === undefined ? undefined : JSON.stringify(l.value),
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
      const texts = list.map((it) => {
        const t = itemText(s, key, it.i, it.len);
        const gated = key === 'dz1' && s.values.gate[it.i] === 0 ? ' gated' : '';
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
            'data-reveal': it.reveal,
            'data-value': t.value,
          },
          esc(t.text),
        );
      });
      return tag(
        'g',
        { 'data-testid': `${prefix}-${key}`, 'data-values': JSON.stringify(s.values[key]) },
        texts.join(''),
      );
    })
    .join('');
}
