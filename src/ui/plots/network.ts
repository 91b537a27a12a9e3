/**
 * The network as a picture: a column of inputs, one column per hidden layer and the output, every edge coloured by its
 * weight's sign (green +, purple −: a scheme used for nothing else) and as thick as its size, with a legend; wide
 * layers show their first units and "+N more". A dead unit (a = 0 on every data point) is drawn dashed, with a tooltip
 * saying what that means.
 */
import { ACTIVATIONS } from '../../engine/activation.js';
import { modelLayout } from '../../mlp/model.js';
import type { Snapshot } from '../session.js';

const NS = 'http://www.w3.org/2000/svg';
/** Units drawn at most per column (inputs and each hidden layer); the rest are counted. */
export const MAX_UNITS = 10;
export const WEIGHT_COLOUR = { positive: '#1b7837', negative: '#762a83' } as const;
const INK = '#1f2937';
const ROW = 30;
/** Space above the columns for their names. */
const HEAD = 18;

/** A hidden unit: layer l counted from 1 (as in W_l, a_l), unit j from 0 (as in the flat arrays). */
export interface UnitRef {
  layer: number;
  unit: number;
}

/** What the unit lists below read of a snapshot. */
export type LayerInput = Pick<Snapshot, 'model' | 'layers'>;

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

/** Units j of each hidden layer (entry l − 1) for which `pinned(z)` holds on every sample. */
function unitsWhere(s: LayerInput, pinned: (z: number) => boolean): number[][] {
  return s.model.hidden.map((H, l) => {
    const z = s.layers.z[l]!;
    const N = z.length / H;
    return Array.from({ length: H }, (_, j) => j).filter((j) => {
      for (let n = 0; n < N; n++) if (!pinned(z[n * H + j]!)) return false;
      return true;
    });
  });
}

/**
 * Dead hidden units per layer (entry l − 1 lists layer l's): f′(z_l) = 0 on every sample, so no gradient reaches
 * their incoming weights. Only ReLU has such units (z_l ≤ 0 everywhere, a_l = 0); leaky ReLU's f′ is never below
 * 0.01, and tanh's and σ's never 0 (see saturatedUnits).
 */
export function deadUnits(s: LayerInput): number[][] {
  if (s.model.activation !== 'relu') return s.model.hidden.map(() => []);
  return unitsWhere(s, (z) => z <= 0);
}

/** f′ below this share of its largest value (1 for tanh, 1/4 for σ) on every sample: a saturated unit. */
export const SATURATED_SHARE = 0.01;

/**
 * Saturated hidden units per layer (tanh, σ): f′(z_l) < SATURATED_SHARE · max f′ on every sample; none for ReLU and
 * leaky ReLU.
 */
export function saturatedUnits(s: LayerInput): number[][] {
  const act = s.model.activation;
  if (act !== 'tanh' && act !== 'sigmoid') return s.model.hidden.map(() => []);
  const f = ACTIVATIONS[act];
  const limit = SATURATED_SHARE * f.der(0);
  return unitsWhere(s, (z) => f.der(z) < limit);
}

/**
 * A unit's short label in its column (network picture, unit maps): h{j} in the one hidden layer; in a deeper network
 * the column says the layer, so the unit's number alone (both counted from 1).
 */
export function unitLabel(layers: number, { unit }: UnitRef): string {
  return layers === 1 ? `h${unit + 1}` : String(unit + 1);
}

/** A unit's name in a sentence: "unit h3" in the one hidden layer, "layer 2, unit 3" in a deeper network. */
export function unitTitle(layers: number, ref: UnitRef): string {
  return layers === 1 ? `unit ${unitLabel(1, ref)}` : `layer ${ref.layer}, unit ${ref.unit + 1}`;
}

/** The `data-ends` token of a hidden unit on an edge: "l.j" (layer from 1, unit from 0). */
const endToken = ({ layer, unit }: UnitRef) => `${layer}.${unit}`;

/** Draws the network into `svg`; returns a one-line summary for its text alternative. */
export function renderNetwork(svg: SVGSVGElement, s: Snapshot): string {
  const { model, params: p } = s;
  const { d, hidden } = model;
  const L = hidden.length;
  const layout = modelLayout(model);
  const sizes = [d, ...hidden, 1];
  const shown = sizes.map((n) => Math.min(n, MAX_UNITS));
  const rows = (c: number) => shown[c]! + (sizes[c]! > shown[c]! ? 1 : 0);
  const columns = sizes.length;
  // one hidden layer keeps the 320-wide picture; each further layer adds a column
  const gap = L === 1 ? 124 : 100;
  const width = 72 + gap * (columns - 1);
  const body = Math.max(3, ...sizes.map((_, c) => rows(c))) * ROW;
  const height = HEAD + body + 58;
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  const x = (c: number) => 36 + gap * c;
  // each column spread over the body, as many rows as it shows
  const at = (c: number, i: number) => ({ x: x(c), y: HEAD + 6 + ((i + 0.5) * body) / rows(c) });
  let maxW = 1e-9; // the thickest edge drawn sets the scale
  for (let c = 1; c < columns; c++) {
    const { W, nin } = layout.layers[c - 1]!;
    for (let j = 0; j < shown[c]!; j++)
      for (let i = 0; i < shown[c - 1]!; i++) maxW = Math.max(maxW, Math.abs(p[W.offset + j * nin + i]!));
  }
  const highlight = svg.dataset.highlight ?? '';
  svg.classList.toggle('highlighting', highlight !== '');
  const parts: SVGElement[] = [];
  for (let c = 1; c < columns; c++) {
    const { W, nin } = layout.layers[c - 1]!;
    for (let j = 0; j < shown[c]!; j++) {
      for (let i = 0; i < shown[c - 1]!; i++) {
        // the hidden units at this edge's two ends (inputs and the output are not units one can point at)
        const ends = [...(c - 1 >= 1 ? [{ layer: c - 1, unit: i }] : []), ...(c <= L ? [{ layer: c, unit: j }] : [])];
        const w = p[W.offset + j * nin + i]!;
        const tokens = ends.map(endToken);
        parts.push(
          el('line', {
            x1: x(c - 1),
            y1: at(c - 1, i).y,
            x2: x(c),
            y2: at(c, j).y,
            'data-ends': tokens.join(' '),
            // the weight's index in the flat layout, for the page's weight reader (src/ui/touch)
            'data-param': W.offset + j * nin + i,
            // one hidden layer: every edge has one hidden end, its unit
            ...(L === 1 ? { 'data-unit': ends[0]!.unit } : {}),
            class: tokens.includes(highlight) ? 'unit-edge highlight' : 'unit-edge',
            stroke: w >= 0 ? WEIGHT_COLOUR.positive : WEIGHT_COLOUR.negative,
            'stroke-width': (0.5 + (4 * Math.abs(w)) / maxW).toFixed(2),
            'stroke-opacity': 0.85,
          }),
        );
      }
    }
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
  const text = (cx: number, cy: number, t: string) =>
    el('text', { x: cx, y: cy, 'text-anchor': 'middle', 'font-size': 12, fill: INK }, t);
  const more = (c: number, what: string) => {
    if (sizes[c]! > shown[c]!)
      parts.push(
        text(x(c), at(c, shown[c]!).y + 4, `+${(sizes[c]! - shown[c]!).toLocaleString('en-US')} more ${what}`),
      );
  };
  for (let i = 0; i < shown[0]!; i++) parts.push(node(at(0, i), `x${i + 1}`, `input x${i + 1}`));
  more(0, 'inputs');
  const dead = deadUnits(s);
  const saturated = saturatedUnits(s);
  for (let l = 1; l <= L; l++) {
    const deadHere = new Set(dead[l - 1]);
    const { b } = layout.layers[l - 1]!;
    for (let j = 0; j < shown[l]!; j++) {
      const where = unitTitle(L, { layer: l, unit: j });
      // one hidden layer: W2[j] is the unit's one weight to ŷ
      const toOut = L === 1 ? `, weight to ŷ ${p[layout.layers[1]!.W.offset + j]!.toPrecision(3)}` : '';
      const tip = deadHere.has(j)
        ? `${where} is dead: z${l} ≤ 0 on every point, so a${l} = 0 and ReLU passes back no gradient; ` +
          (l === 1
            ? 'its weights never change again'
            : 'its own weights get none, and only a change in the layers below can bring it back')
        : `${where}: b${l} = ${p[b.offset + j]!.toPrecision(3)}${toOut}`;
      parts.push(node(at(l, j), unitLabel(L, { layer: l, unit: j }), tip, deadHere.has(j)));
    }
    more(l, 'units');
  }
  const out = model.output === 'sigmoid' ? `the output ŷ = σ(z${L + 1})` : `the output ŷ = z${L + 1} (regression)`;
  parts.push(node(at(L + 1, 0), 'ŷ', out));
  // column names: x, then a_l = f(z_l) per hidden layer, then ŷ
  parts.push(text(x(0), 13, 'x'), text(x(L + 1), 13, 'ŷ'));
  for (let l = 1; l <= L; l++) parts.push(text(x(l), 13, `a${l}`));
  parts.push(...legend(height - 44));
  const count = (lists: number[][]) => lists.reduce((n, u) => n + u.length, 0);
  svg.dataset.dead = String(count(dead));
  svg.dataset.deadLayers = dead.map((u) => u.length).join(',');
  svg.replaceChildren(...parts);
  const shape = sizes.join('-');
  const edges = 'edges show weights (green positive, purple negative, thicker is larger)';
  if (L === 1) {
    const sat = saturated[0]!.length > 0 ? ` ${saturated[0]!.length} of ${hidden[0]} saturated.` : '';
    return `Network ${shape}: ${edges}; ${dead[0]!.length} of ${hidden[0]} hidden units dead.${sat}`;
  }
  const perLayer = (lists: number[][]) =>
    lists.map((u, l) => `${u.length} of ${hidden[l]} in layer ${l + 1}`).join(', ');
  const sat = count(saturated) > 0 ? ` Saturated: ${perLayer(saturated)}.` : '';
  return `Network ${shape}, ${L} hidden layers: ${edges}; hidden units dead: ${perLayer(dead)}.${sat}`;
}

/**
 * Highlights a hidden unit's edges (or none), now and in every redraw: a UnitRef, or a number for unit j of the
 * first hidden layer.
 */
export function highlightNetworkUnit(svg: SVGSVGElement, u: UnitRef | number | null): void {
  const ref = typeof u === 'number' ? { layer: 1, unit: u } : u;
  const token = ref ? endToken(ref) : '';
  if (ref) svg.dataset.highlight = token;
  else delete svg.dataset.highlight;
  svg.classList.toggle('highlighting', ref !== null);
  for (const e of svg.querySelectorAll('.unit-edge'))
    e.classList.toggle('highlight', ref !== null && (e.getAttribute('data-ends') ?? '').split(' ').includes(token));
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
