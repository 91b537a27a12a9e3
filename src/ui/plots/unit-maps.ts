/**
 * A picture per hidden unit, one labelled group per hidden layer: a_l[j] over the decision boundary's square of the
 * plane, from the general forward pass at the raster's centres (./plane.ts), in the network picture's order (the first
 * MAX_MAPS of each layer, then "+N more"). Grey: white where the gate is closed (a = 0), darker up to the unit's
 * largest a; where a takes both signs (leaky ReLU, tanh) purple below 0, orange above. Dead and saturated units are
 * marked. Hovering, focusing or clicking a map highlights the unit in the graph and the network picture.
 */
import { interpolateGreys, interpolatePuOr } from 'd3-scale-chromatic';
import type { HiddenActivation } from '../../engine/activation.js';
import type { Dataset } from '../../mlp/data/data.js';
import type { Model } from '../../mlp/model.js';
import { paintCells } from './heatmap.js';
import { type UnitRef, unitLabel, unitTitle } from './network.js';
import { rasterForward, rasterGrid } from './plane.js';
import { outputColour } from './plots.js';

export type { UnitRef } from './network.js';

/** Maps drawn at most per layer (its first units, as in the network picture); the rest are counted. */
export const MAX_MAPS = 16;
/** Cells per side of each map, fewer for a network too large to raster this finely every frame (rasterGrid). */
export const MAP_GRID = 40;
const SIZE = 80;

export interface UnitMapInput {
  /** The network: input size, hidden widths, activation and output. */
  model: Model;
  params: ArrayLike<number>;
  /** The square of the plane shown, as for the decision boundary. */
  extent: [number, number];
  train: Dataset;
  /** Dead units per hidden layer (entry l − 1: layer l's, from network.ts's deadUnits). */
  dead: readonly ReadonlySet<number>[];
  /** Units with f′(z) ≈ 0 on every training point (tanh, σ) per hidden layer; empty for ReLU, whose are `dead`. */
  saturated?: readonly ReadonlySet<number>[];
}

/**
 * Draws the maps into `root` (the figures are built once per network shape and then only repainted); `onHighlight`
 * hears the unit pointed at (layer from 1, unit from 0), or null.
 */
export function renderUnitMaps(
  root: HTMLElement,
  u: UnitMapInput,
  onHighlight: (unit: UnitRef | null) => void,
): string {
  const { d, hidden, activation: act } = u.model;
  if (d !== 2) {
    root.dataset.key = `d${d}`;
    root.replaceChildren(
      Object.assign(document.createElement('p'), {
        className: 'unit-maps-why',
        textContent: `No pictures of the hidden units: the data has ${d} inputs, and a picture over the plane needs exactly 2. Everything else on the page follows the data.`,
      }),
    );
    return `Hidden units: not drawn, the data has ${d} inputs.`;
  }
  const key = `${hidden.join(',')} ${act} ${u.model.output}`;
  if (root.dataset.key !== key) build(root, u.model, onHighlight);
  root.dataset.key = key;
  const grid = rasterGrid(u.model, MAP_GRID);
  const raster = rasterForward(u.model, u.params, u.extent, grid, MAX_MAPS, { yHat: false });
  const dots = pointColours(u);
  const figures = root.querySelectorAll<HTMLElement>('.unit-map');
  let f = 0;
  raster.units.forEach((maps, l) => {
    // a dead unit is drawn on its layer's scale (at least 1), not its own: what little of it is on, off the points,
    // would otherwise be painted as dark as a live unit's largest a
    let layerMax = 1;
    for (const values of maps) for (const v of values) layerMax = Math.max(layerMax, v);
    maps.forEach((values, j) => paint(figures[f++]!, { layer: l + 1, unit: j }, values, grid, u, dots, layerMax));
  });
  const L = hidden.length;
  const count = (sets: readonly ReadonlySet<number>[] | undefined, l: number) => sets?.[l]?.size ?? 0;
  const layer = (H: number, l: number) => {
    const sat = count(u.saturated, l);
    const of = `${Math.min(H, MAX_MAPS)} of ${H} drawn, ${count(u.dead, l)} dead${sat ? `, ${sat} saturated` : ''}`;
    return L === 1 ? of : `layer ${l + 1}: ${of}`;
  };
  return `Hidden units: ${hidden.map(layer).join('; ')}.`;
}

function build(root: HTMLElement, model: Model, onHighlight: (unit: UnitRef | null) => void): void {
  const { hidden, activation: act } = model;
  const L = hidden.length;
  let pinned: UnitRef | null = null;
  const same = (a: UnitRef | null, b: UnitRef) => a !== null && a.layer === b.layer && a.unit === b.unit;
  const figures: HTMLButtonElement[] = [];
  const groups = hidden.map((H, i) => {
    const l = i + 1;
    const shown = Math.min(H, MAX_MAPS);
    const list = Object.assign(document.createElement('div'), { className: 'unit-map-list' });
    for (let j = 0; j < shown; j++) {
      const ref = { layer: l, unit: j };
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'unit-map';
      b.dataset.layer = String(l);
      b.dataset.unit = String(j);
      b.dataset.testid = `unit-map-${l}-${j}`;
      b.setAttribute('aria-pressed', 'false');
      const canvas = Object.assign(document.createElement('canvas'), { width: SIZE, height: SIZE });
      canvas.setAttribute('role', 'img');
      const name = Object.assign(document.createElement('span'), {
        className: 'unit-name',
        textContent: unitLabel(L, ref),
      });
      const note = Object.assign(document.createElement('span'), { className: 'unit-note' });
      b.append(canvas, name, note);
      b.addEventListener('mouseenter', () => pinned === null && onHighlight(ref));
      b.addEventListener('mouseleave', () => pinned === null && onHighlight(null));
      b.addEventListener('focus', () => pinned === null && onHighlight(ref));
      b.addEventListener('blur', () => pinned === null && onHighlight(null));
      b.addEventListener('click', () => {
        pinned = same(pinned, ref) ? null : ref;
        for (const f of figures) f.setAttribute('aria-pressed', String(pinned !== null && f === b));
        onHighlight(pinned ?? ref);
      });
      figures.push(b);
      list.append(b);
    }
    if (H > shown)
      list.append(
        Object.assign(document.createElement('span'), {
          className: 'unit-more',
          textContent: `+${(H - shown).toLocaleString('en-US')} more units`,
        }),
      );
    const group = Object.assign(document.createElement('div'), { className: 'unit-map-layer' });
    group.setAttribute('role', 'group');
    group.dataset.layer = String(l);
    const title = `Layer ${l}: a${l} = ${ACT_NAME[act]}(z${l}) over the plane, ${H.toLocaleString('en-US')} unit${H === 1 ? '' : 's'}`;
    group.setAttribute('aria-label', title);
    if (L > 1)
      group.append(Object.assign(document.createElement('p'), { className: 'unit-layer-name', textContent: title }));
    group.append(list);
    return group;
  });
  root.replaceChildren(...groups, legend(act, L, model.output === 'identity'));
  onHighlight(null);
}

const ACT_NAME: Record<HiddenActivation, string> = { relu: 'ReLU', leaky: 'leaky ReLU', tanh: 'tanh', sigmoid: 'σ' };

function paint(
  fig: HTMLElement,
  ref: UnitRef,
  values: Float64Array,
  grid: number,
  u: UnitMapInput,
  dotColour: (n: number) => string,
  layerMax: number,
): void {
  const canvas = fig.querySelector('canvas')!;
  const ctx = canvas.getContext('2d');
  const signed = SIGNED.has(u.model.activation);
  let max = 0;
  let maxAbs = 0;
  let on = 0;
  for (const v of values) {
    max = Math.max(max, v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (v > 0) on++;
  }
  const l = ref.layer;
  const dead = u.dead[l - 1]?.has(ref.unit) ?? false;
  const darkest = dead ? layerMax : max;
  if (ctx) {
    // signed: PuOr runs orange (0) through white (0.5) to purple (1): a < 0 purple, a > 0 orange
    if (signed)
      paintCells(ctx, values, grid, [0, 0, SIZE], interpolatePuOr, (v) =>
        maxAbs > 0 ? 0.5 - (0.45 * v) / maxAbs : 0.5,
      );
    else paintCells(ctx, values, grid, [0, 0, SIZE], interpolateGreys, (v) => (darkest > 0 ? (0.85 * v) / darkest : 0));
    dots(ctx, u, dotColour);
  }
  const L = u.model.hidden.length;
  const saturated = u.saturated?.[l - 1]?.has(ref.unit) ?? false;
  const a = `a${l}`;
  fig.classList.toggle('dead', dead || saturated);
  fig.querySelector('.unit-note')!.textContent = dead
    ? 'dead'
    : saturated
      ? 'saturated'
      : signed
        ? `max |${a}| ${maxAbs.toPrecision(2)}`
        : `max ${max.toPrecision(2)}`;
  const share = Math.round((100 * on) / values.length);
  const who = unitTitle(L, ref);
  // a first-layer unit's a1 > 0 where W1_j · x + b1_j > 0: a half-plane; deeper units bend
  const region = l === 1 ? ' (a half-plane)' : '';
  const text = dead
    ? `${who} is dead: ${a} = 0 on every training point${on > 0 ? ` (it is on in ${share}% of the plane shown, where no point lies)` : ''}, so it passes back no gradient`
    : saturated
      ? `${who} is saturated: f′(z${l}) ≈ 0 on every training point, so it passes back almost no gradient and learns slowly`
      : `${who}: ${a} over the plane, ${a} > 0 on ${share}% of the plane shown${region}, largest ${signed ? `|${a}|` : a} there ${(signed ? maxAbs : max).toPrecision(3)}`;
  canvas.setAttribute('aria-label', text);
  fig.title = `${text}. Hover or click to find it in the graph and the network.`;
}

/** Each training point's colour: its label's, as on the boundary picture (red 0, blue 1; regression's own scale). */
function pointColours(u: UnitMapInput): (n: number) => string {
  const colour = outputColour(u.model.output, u.train);
  return u.model.output === 'identity' ? (n) => colour(u.train.y[n]!) : (n) => colour(u.train.y[n]! >= 0.5 ? 1 : 0);
}

/** The dots of a training set, drawn once per extent and output onto a transparent canvas that every map copies. */
const dotLayers = new WeakMap<Dataset, { key: string; canvas: HTMLCanvasElement }>();

/** The training points as small dots in their label's colour, at most 400. */
function dots(ctx: CanvasRenderingContext2D, u: UnitMapInput, colour: (n: number) => string): void {
  const key = `${u.extent.join(' ')} ${u.model.output}`;
  let layer = dotLayers.get(u.train);
  if (layer?.key !== key) {
    const canvas = Object.assign(document.createElement('canvas'), { width: SIZE, height: SIZE });
    const dctx = canvas.getContext('2d');
    if (!dctx) return;
    const [lo, hi] = u.extent;
    const at = (v: number) => ((v - lo) / (hi - lo)) * SIZE;
    const step = Math.max(1, Math.ceil(u.train.N / 400));
    for (let n = 0; n < u.train.N; n += step) {
      dctx.fillStyle = colour(n);
      dctx.fillRect(at(u.train.x[2 * n]!) - 1, SIZE - at(u.train.x[2 * n + 1]!) - 1, 2.5, 2.5);
    }
    layer = { key, canvas };
    dotLayers.set(u.train, layer);
  }
  ctx.drawImage(layer.canvas, 0, 0);
}

/** Activations whose a takes both signs, drawn on a diverging scale. */
const SIGNED: ReadonlySet<HiddenActivation> = new Set(['leaky', 'tanh']);

/**
 * The colour bar with a short label at each end, kept on one line (legend-scale), then what else the maps show as a
 * sentence of its own (legend-note), so a label at the bar's end never wraps into a line that reads as a sentence.
 */
function legend(act: HiddenActivation, L: number, regression: boolean): HTMLElement {
  const p = document.createElement('p');
  p.className = 'legend';
  const bar = document.createElement('span');
  bar.className = 'legend-bar';
  bar.setAttribute('aria-hidden', 'true');
  const a = L === 1 ? 'a1' : 'a';
  const z = L === 1 ? 'z1' : 'z';
  const points = regression
    ? 'the training points as dots in their label’s colour on the regression picture’s scale'
    : 'the training points as dots (red label 0, blue label 1)';
  const scale = (low: string, high: string, note: string) => {
    const ends = document.createElement('span');
    ends.className = 'legend-scale';
    ends.append(low, bar, high);
    p.append(ends, Object.assign(document.createElement('span'), { className: 'legend-note', textContent: note }));
    return p;
  };
  if (SIGNED.has(act)) {
    bar.style.background = `linear-gradient(to right, ${[0.95, 0.75, 0.5, 0.25, 0.05].map((f) => interpolatePuOr(f)).join(', ')})`;
    const why =
      act === 'tanh'
        ? `tanh never closes a gate: its ${a} runs from −1 to 1`
        : `leaky ReLU passes 0.01·${z} below 0, so its unit never dies`;
    return scale(
      `−largest |${a}|`,
      `+largest |${a}|`,
      `Each map runs from minus to plus the unit’s largest |${a}| on the plane, white at ${a} = 0; ${why}. Same axes ` +
        `as the decision boundary, ${points}; a dashed frame marks a saturated unit (f′ ≈ 0 on every point).`,
    );
  }
  bar.style.background = `linear-gradient(to right, ${[0, 0.2, 0.4, 0.6, 0.85].map((f) => interpolateGreys(f)).join(', ')})`;
  const closed = act === 'relu' ? ' (the gate closed)' : '';
  const marks =
    act === 'relu'
      ? 'a dashed frame marks a dead unit, drawn on its layer’s scale, so what little of it is on, off the points, stays faint'
      : 'a dashed frame marks a saturated unit (f′ ≈ 0 on every point)';
  return scale(
    `${a} = 0`,
    `largest ${a}`,
    `White is ${a} = 0${closed}, darkest the unit’s largest ${a} on the plane. Same axes as the decision boundary, ` +
      `${points}; ${marks}.`,
  );
}
