/**
 * The network as a picture: inputs, hidden units and output, every edge coloured by its weight's sign (green +,
 * purple −: a scheme used for nothing else) and as thick as its size, with a legend; wide layers show their first units
 * and "+N more". A dead unit (a1 = 0 on every data point) is drawn dashed, with a tooltip saying what that means.
 */
import { ACTIVATIONS } from '../../engine/activation.js';
import { paramLayout } from '../../mlp/spec.js';
import { firstLayerValues, type Snapshot } from '../session.js';

const NS = 'http://www.w3.org/2000/svg';
/** Hidden units drawn at most; the rest are counted. */
export const MAX_UNITS = 10;
export const WEIGHT_COLOUR = { positive: '#1b7837', negative: '#762a83' } as const;
const INK = '#1f2937';
const ROW = 30;

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Dead hidden units: f′(z1) = 0 on every sample, so no gradient ever reaches their weights. Only
 * ReLU has such units (z1 ≤ 0 everywhere, a1 = 0); leaky ReLU's f′ is never below 0.01, and tanh's
 * and σ's never 0 (see saturatedUnits).
 */
export function deadUnits(s: Snapshot): number[] {
  if (s.model.activation !== 'relu') return [];
  const N = s.data.N;
  const H = firstLayerValues(s).a1.length / N;
  return Array.from({ length: H }, (_, j) => j).filter((j) => {
    for (let n = 0; n < N; n++) if (firstLayerValues(s).z1[n * H + j]! > 0) return false;
    return true;
  });
}

/** f′ below this share of its largest value (1 for tanh, 1/4 for σ) on every sample: a saturated unit. */
export const SATURATED_SHARE = 0.01;

/** Saturated hidden units (tanh, σ): f′(z1) < SATURATED_SHARE · max f′ on every sample; none for ReLU and leaky. */
export function saturatedUnits(s: Snapshot): number[] {
  if (s.model.activation !== 'tanh' && s.model.activation !== 'sigmoid') return [];
  const f = ACTIVATIONS[s.model.activation];
  const limit = SATURATED_SHARE * f.der(0);
  const N = s.data.N;
  const H = firstLayerValues(s).z1.length / N;
  return Array.from({ length: H }, (_, j) => j).filter((j) => {
    for (let n = 0; n < N; n++) if (f.der(firstLayerValues(s).z1[n * H + j]!) >= limit) return false;
    return true;
  });
}

/** Draws the network into `svg`; returns a one-line summary for its text alternative. */
export function renderNetwork(svg: SVGSVGElement, s: Snapshot): string {
  const d = s.data.d;
  const H = firstLayerValues(s).a1.length / s.data.N;
  const L = paramLayout({ d, H });
  const shown = Math.min(H, MAX_UNITS);
  const rows = shown + (H > shown ? 1 : 0);
  const width = 320;
  const body = Math.max(3, rows) * ROW;
  const height = body + 58;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('height', String(height));
  const ys = (count: number, i: number) => 6 + ((i + 0.5) * body) / count;
  const input = (i: number) => ({ x: 36, y: ys(d, i) });
  const hidden = (j: number) => ({ x: 160, y: 6 + (j + 0.5) * ROW });
  const out = { x: 284, y: ys(1, 0) };
  const p = s.params;
  let maxW = 1e-9;
  for (let k = 0; k < L.b1.offset; k++) maxW = Math.max(maxW, Math.abs(p[k]!));
  for (let j = 0; j < H; j++) maxW = Math.max(maxW, Math.abs(p[L.W2.offset + j]!));
  const wire = (a: { x: number; y: number }, b: { x: number; y: number }, w: number, unit: number) =>
    el('line', {
      x1: a.x,
      y1: a.y,
      x2: b.x,
      y2: b.y,
      'data-unit': unit,
      class: unit === highlight ? 'unit-edge highlight' : 'unit-edge',
      stroke: w >= 0 ? WEIGHT_COLOUR.positive : WEIGHT_COLOUR.negative,
      'stroke-width': (0.5 + (4 * Math.abs(w)) / maxW).toFixed(2),
      'stroke-opacity': 0.85,
    });
  const dead = new Set(deadUnits(s));
  const highlight = svg.dataset.highlight === undefined ? -1 : Number(svg.dataset.highlight);
  svg.classList.toggle('highlighting', highlight >= 0);
  const parts: SVGElement[] = [];
  for (let j = 0; j < shown; j++) {
    for (let i = 0; i < d; i++) parts.push(wire(input(i), hidden(j), p[L.W1.offset + j * d + i]!, j));
    parts.push(wire(hidden(j), out, p[L.W2.offset + j]!, j));
  }
  const node = (c: { x: number; y: number }, label: string, tip: string, isDead = false) => {
    const g = el('g', { 'data-dead': isDead ? 'true' : 'false' });
    g.append(el('title', {}, tip));
    g.append(
      el('circle', {
        cx: c.x,
        cy: c.y,
        r: 14,
        fill: '#fff',
        stroke: isDead ? '#6b7280' : INK,
        'stroke-width': 1.5,
        'stroke-dasharray': isDead ? '3 3' : 'none',
      }),
    );
    g.append(
      el(
        'text',
        { x: c.x, y: c.y + 4, 'text-anchor': 'middle', 'font-size': 12, fill: isDead ? '#4b5563' : INK },
        label,
      ),
    );
    return g;
  };
  for (let i = 0; i < d; i++) parts.push(node(input(i), `x${i + 1}`, `input x${i + 1}`));
  for (let k = 0; k < shown; k++) {
    const tip = dead.has(k)
      ? `unit h${k + 1} is dead: z1 ≤ 0 on every point, so a1 = 0 and ReLU passes back no gradient; ` +
        `its weights never change again`
      : `unit h${k + 1}: b1 = ${p[L.b1.offset + k]!.toPrecision(3)}, weight to ŷ ${p[L.W2.offset + k]!.toPrecision(3)}`;
    parts.push(node(hidden(k), `h${k + 1}`, tip, dead.has(k)));
  }
  parts.push(node(out, 'ŷ', 'the output ŷ = σ(z2)'));
  if (H > shown)
    parts.push(
      el(
        'text',
        { x: 160, y: 6 + (shown + 0.6) * ROW, 'text-anchor': 'middle', 'font-size': 12, fill: INK },
        `+${(H - shown).toLocaleString('en-US')} more units`,
      ),
    );
  parts.push(...legend(height - 44));
  svg.dataset.dead = String(dead.size);
  svg.replaceChildren(...parts);
  return `Network ${d}-${H}-1: edges show weights (green positive, purple negative, thicker is larger); ${dead.size} of ${H} hidden units dead.`;
}

/** Highlights hidden unit j's edges (or none), now and in every redraw. */
export function highlightNetworkUnit(svg: SVGSVGElement, j: number | null): void {
  if (j === null) delete svg.dataset.highlight;
  else svg.dataset.highlight = String(j);
  svg.classList.toggle('highlighting', j !== null);
  for (const e of svg.querySelectorAll('.unit-edge'))
    e.classList.toggle('highlight', e.getAttribute('data-unit') === String(j));
}

function legend(top: number): SVGElement[] {
  const item = (x: number, colour: string, label: string) => [
    el('line', { x1: x, y1: top + 8, x2: x + 22, y2: top + 8, stroke: colour, 'stroke-width': 3 }),
    el('text', { x: x + 28, y: top + 12, 'font-size': 12, fill: INK }, label),
  ];
  return [
    ...item(8, WEIGHT_COLOUR.positive, 'weight > 0'),
    ...item(116, WEIGHT_COLOUR.negative, 'weight < 0'),
    el('text', { x: 8, y: top + 32, 'font-size': 12, fill: INK }, 'thicker = larger |w|; dashed = dead unit'),
  ];
}
