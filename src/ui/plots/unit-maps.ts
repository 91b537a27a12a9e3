/**
 * A picture per hidden unit: a1_j = f(W1_j · x + b1_j) over the decision boundary's square of the plane, in the network
 * picture's order (the first MAX_MAPS, then "+N more"). Grey: white where the gate is closed (a1 = 0), darker up to the
 * unit's largest a1; where a1 takes both signs (leaky ReLU, tanh) purple below 0, orange above. Dead and saturated
 * units are marked. Hovering, focusing or clicking a map highlights the unit in the graph and the network picture.
 */
import { interpolateGreys, interpolatePuOr } from 'd3-scale-chromatic';
import type { HiddenActivation } from '../../engine/activation.js';
import type { Dataset } from '../../mlp/data/data.js';
import { unitOverGrid } from './plane.js';
import { yHatColour } from './plots.js';

/** Maps drawn at most (the first units, as in the network picture); the rest are counted. */
export const MAX_MAPS = 16;
const GRID = 40; // cells per side of each map
const SIZE = 80;

export interface UnitMapInput {
  d: number;
  H: number;
  params: ArrayLike<number>;
  /** The square of the plane shown, as for the decision boundary. */
  extent: [number, number];
  train: Dataset;
  /** The hidden activation f (default relu). */
  activation?: HiddenActivation;
  dead: ReadonlySet<number>;
  /** Units with f′(z1) ≈ 0 on every training point (tanh, σ); empty for ReLU, whose are `dead`. */
  saturated?: ReadonlySet<number>;
}

/**
 * Draws the maps into `root` (the figures are built once per width and then
 * only repainted); `onHighlight` hears the unit pointed at, or null.
 */
export function renderUnitMaps(root: HTMLElement, u: UnitMapInput, onHighlight: (j: number | null) => void): string {
  if (u.d !== 2) {
    root.dataset.key = `d${u.d}`;
    root.replaceChildren(
      Object.assign(document.createElement('p'), {
        className: 'unit-maps-why',
        textContent: `No pictures of the hidden units: the data has ${u.d} inputs, and a picture over the plane needs exactly 2. Everything else on the page follows the data.`,
      }),
    );
    return `Hidden units: not drawn, the data has ${u.d} inputs.`;
  }
  const shown = Math.min(u.H, MAX_MAPS);
  const act = u.activation ?? 'relu';
  const key = `H${u.H} ${act}`;
  if (root.dataset.key !== key) build(root, shown, u.H, act, onHighlight);
  root.dataset.key = key;
  const figures = root.querySelectorAll<HTMLElement>('.unit-map');
  for (let j = 0; j < shown; j++) paint(figures[j]!, j, u);
  return `Hidden units: ${shown} of ${u.H} drawn, ${u.dead.size} dead${u.saturated?.size ? `, ${u.saturated.size} saturated` : ''}.`;
}

function build(
  root: HTMLElement,
  shown: number,
  H: number,
  act: HiddenActivation,
  onHighlight: (j: number | null) => void,
): void {
  let pinned: number | null = null;
  const figures = Array.from({ length: shown }, (_, j) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'unit-map';
    b.dataset.unit = String(j);
    b.dataset.testid = `unit-map-${j}`;
    b.setAttribute('aria-pressed', 'false');
    const canvas = Object.assign(document.createElement('canvas'), { width: SIZE, height: SIZE });
    canvas.setAttribute('role', 'img');
    const name = Object.assign(document.createElement('span'), { className: 'unit-name', textContent: `h${j + 1}` });
    const note = Object.assign(document.createElement('span'), { className: 'unit-note' });
    b.append(canvas, name, note);
    b.addEventListener('mouseenter', () => pinned === null && onHighlight(j));
    b.addEventListener('mouseleave', () => pinned === null && onHighlight(null));
    b.addEventListener('focus', () => pinned === null && onHighlight(j));
    b.addEventListener('blur', () => pinned === null && onHighlight(null));
    b.addEventListener('click', () => {
      pinned = pinned === j ? null : j;
      for (const f of figures) f.setAttribute('aria-pressed', String(pinned !== null && f === b));
      onHighlight(pinned ?? j);
    });
    return b;
  });
  const list = Object.assign(document.createElement('div'), { className: 'unit-map-list' });
  list.append(...figures);
  if (H > shown)
    list.append(
      Object.assign(document.createElement('span'), {
        className: 'unit-more',
        textContent: `+${(H - shown).toLocaleString('en-US')} more units`,
      }),
    );
  root.replaceChildren(list, legend(act));
  onHighlight(null);
}

function paint(fig: HTMLElement, j: number, u: UnitMapInput): void {
  const canvas = fig.querySelector('canvas')!;
  const ctx = canvas.getContext('2d');
  const a1 = unitOverGrid(u, u.params, j, u.extent, GRID);
  const signed = SIGNED.has(u.activation ?? 'relu');
  let max = 0;
  let maxAbs = 0;
  let on = 0;
  for (const v of a1) {
    max = Math.max(max, v);
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (v > 0) on++;
  }
  if (ctx) {
    const cell = SIZE / GRID;
    for (let i = 0; i < a1.length; i++) {
      // signed: PuOr runs orange (0) through white (0.5) to purple (1): a1 &lt; 0 purple, a1 &gt; 0 orange
      ctx.fillStyle = signed
        ? interpolatePuOr(maxAbs > 0 ? 0.5 - (0.45 * a1[i]!) / maxAbs : 0.5)
        : interpolateGreys(max > 0 ? (0.85 * a1[i]!) / max : 0);
      ctx.fillRect((i % GRID) * cell, Math.floor(i / GRID) * cell, cell + 0.5, cell + 0.5);
    }
    dots(ctx, u);
  }
  const dead = u.dead.has(j);
  const saturated = u.saturated?.has(j) ?? false;
  fig.classList.toggle('dead', dead || saturated);
  fig.querySelector('.unit-note')!.textContent = dead
    ? 'dead'
    : saturated
      ? 'saturated'
      : signed
        ? `max |a1| ${maxAbs.toPrecision(2)}`
        : `max ${max.toPrecision(2)}`;
  const share = Math.round((100 * on) / a1.length);
  const text = dead
    ? `unit h${j + 1} is dead: a1 = 0 on every training point${on > 0 ? ` (it is on in ${share}% of the plane shown, where no point lies)` : ''}, so it passes back no gradient`
    : saturated
      ? `unit h${j + 1} is saturated: f′(z1) ≈ 0 on every training point, so it passes back almost no gradient and learns slowly`
      : `unit h${j + 1}: a1 > 0 on ${share}% of the plane shown (a half-plane), largest ${signed ? '|a1|' : 'a1'} there ${(signed ? maxAbs : max).toPrecision(3)}`;
  canvas.setAttribute('aria-label', text);
  fig.title = `${text}. Hover or click to find it in the graph and the network.`;
}

/** The training points as small dots in their label's colour (red 0, blue 1, as all over the page), at most 400. */
function dots(ctx: CanvasRenderingContext2D, u: UnitMapInput): void {
  const [lo, hi] = u.extent;
  const at = (v: number) => ((v - lo) / (hi - lo)) * SIZE;
  const step = Math.max(1, Math.ceil(u.train.N / 400));
  for (let n = 0; n < u.train.N; n += step) {
    ctx.fillStyle = yHatColour(u.train.y[n]! >= 0.5 ? 1 : 0);
    ctx.fillRect(at(u.train.x[2 * n]!) - 1, SIZE - at(u.train.x[2 * n + 1]!) - 1, 2.5, 2.5);
  }
}

/** Activations whose a1 takes both signs, drawn on a diverging scale. */
const SIGNED: ReadonlySet<HiddenActivation> = new Set(['leaky', 'tanh']);

function legend(act: HiddenActivation): HTMLElement {
  const p = document.createElement('p');
  p.className = 'legend';
  const bar = document.createElement('span');
  bar.className = 'legend-bar';
  if (SIGNED.has(act)) {
    bar.style.background = `linear-gradient(to right, ${[0.95, 0.75, 0.5, 0.25, 0.05].map((f) => interpolatePuOr(f)).join(', ')})`;
    p.append(
      'a1 = −(largest |a1|) ',
      bar,
      ` +(largest |a1|), white at a1 = 0; ${act === 'tanh' ? 'tanh never closes a gate: its a1 runs from −1 to 1' : 'leaky ReLU passes 0.01·z1 below 0, so its unit never dies'}; same axes as the decision boundary, the training points as dots (red label 0, blue label 1); a dashed frame marks a saturated unit (f′ ≈ 0 on every point)`,
    );
    return p;
  }
  bar.style.background = `linear-gradient(to right, ${[0, 0.2, 0.4, 0.6, 0.85].map((f) => interpolateGreys(f)).join(', ')})`;
  const low = act === 'relu' ? 'a1 = 0 (gate closed) ' : 'a1 = 0 ';
  const marks =
    act === 'relu'
      ? 'a dashed frame marks a dead unit'
      : 'a dashed frame marks a saturated unit (f′ ≈ 0 on every point)';
  p.append(
    low,
    bar,
    ` the unit's largest a1 on the plane; ` +
      `same axes as the decision boundary, the training points as dots (red label 0, blue label 1); ${marks}`,
  );
  return p;
}
