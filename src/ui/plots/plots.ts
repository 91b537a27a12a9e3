/**
 * The loss curve (log scale) and the picture over the input plane (ŷ with axes, colour bar and data points: the
 * decision boundary for classification, the regression surface for the identity output), drawn on canvases from plain
 * numbers with d3-scale and d3-scale-chromatic. Every frame repaints the whole canvas opaquely, so the same
 * parameters always give the same pixels.
 */
import { scaleDiverging, scaleLinear, scaleLog, scaleSequential } from 'd3-scale';
import { interpolateRdBu } from 'd3-scale-chromatic';
import type { Dataset } from '../../mlp/data/data.js';
import type { Model, Output } from '../../mlp/model.js';
import { forwardModel } from '../../mlp/reference.js';
import type { Change, LossPoint } from '../history.js';
import { paintCells } from './heatmap.js';
import { type PlaneNet, planeExtent, planeModel, rasterForward, rasterGrid } from './plane.js';
import { formatNumber } from '../format.js';

export { planeExtent, yHatOverGrid } from './plane.js';

/** ŷ's colour, the one meaning of red and blue on the page: 0 red, 0.5 white, 1 blue. */
export const yHatColour = scaleSequential(interpolateRdBu).domain([0, 1]);

/**
 * The half-width m of the regression picture's colour scale: the largest |label| of the training (and test) points,
 * so the labels span the scale and 0 sits in its white middle; 1 where every label is 0.
 */
export function regressionRange(data: Dataset, test: Dataset | null = null): number {
  let m = 0;
  for (const d of test ? [data, test] : [data])
    for (const v of d.y) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m > 0 ? m : 1;
}

/**
 * A regression value's colour (ŷ or a real label): a diverging scale symmetric around 0, red at −m, white at 0,
 * blue at +m, values beyond ±m clamped to the ends (red and blue keep the page's meaning: low red, high blue).
 */
export function regressionColour(m: number): (v: number) => string {
  return scaleDiverging(interpolateRdBu).domain([-m, 0, m]).clamp(true);
}

/** The colour of an output value or a label in the picture of `output`, for the data shown. */
export function outputColour(output: Output, data: Dataset, test: Dataset | null = null): (v: number) => string {
  return output === 'identity' ? regressionColour(regressionRange(data, test)) : yHatColour;
}

const INK = '#1f2937';
const GRID = '#d1d5db';
const FONT = '12px system-ui, sans-serif';

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.font = FONT;
  return ctx;
}

/**
 * Labels for the loss axis, each tick written as the stats write its value (formatNumber): plain decimals from 0.001
 * to 10,000 ("0.01", "0.1", "1"), exponent form beyond ("1e-4"), so a tick reads the same after the axis rescales.
 */
export function logTickLabels(ticks: readonly number[]): string[] {
  return ticks.map((t) => formatNumber(t));
}

/**
 * Labels for a linear axis in one format: plain decimals while every tick is
 * 0 or within [0.001, 10,000) in size ("-1", "0", "0.5"), else all in exponent
 * form ("−2e18", "0", "2e18"), so a label never outgrows its margin. A true minus sign.
 */
export function linearTickLabels(ticks: readonly number[]): string[] {
  const plain = ticks.every((t) => t === 0 || (Math.abs(t) >= 1e-3 && Math.abs(t) < 1e4));
  const text = (t: number) =>
    plain || t === 0 ? String(Number(t.toPrecision(6))) : Number(t.toPrecision(3)).toExponential().replace('e+', 'e');
  return ticks.map((t) => text(t).replaceAll('-', '−'));
}

/** The held-out points' loss curve: dashed and orange (no meaning of red or blue: those are ŷ's). */
export const TEST_CURVE = { colour: '#c2410c', dash: [6, 4] } as const;
/** A setting changed mid-run: a dotted vertical line at its step. */
const CHANGE_COLOUR = '#4b5563';
/** The step looked back at (./timeline.ts): apart from the curves' black, orange and grey. */
const CURSOR_COLOUR = '#7c3aed';

/**
 * Loss against step, log10 scale on y with its ticks; x runs from step 0 to the current step (at least 10).
 * `batch`, where given, is a second series (the mini-batch losses) drawn thin and faint behind the main one,
 * on the same axes; the points' `test` losses (held-out points) a dashed curve, with a legend; each change of a
 * setting mid-run a dotted vertical line at its step, named in the text alternative.
 */
export function drawLossCurve(
  canvas: HTMLCanvasElement,
  history: readonly LossPoint[],
  batch: readonly LossPoint[] = [],
  changes: readonly Change[] = [],
  cursor?: LossPoint,
): string {
  const ctx = context(canvas);
  const drawable = (p: LossPoint) => p.loss > 0 && Number.isFinite(p.loss);
  const pts = history.filter(drawable);
  const faint = batch.filter(drawable);
  const held = history
    .filter((p) => p.test !== undefined && p.test > 0 && Number.isFinite(p.test))
    .map((p) => ({ step: p.step, loss: p.test! }));
  if (!ctx || pts.length === 0) return 'Loss curve: no steps yet.';
  const { width: w, height: h } = canvas;
  const pad = { l: 46, r: 22, t: 10, b: 34 };
  const last = pts[pts.length - 1]!;
  const all = [...pts, ...faint, ...held];
  const lo = all.reduce((m, p) => Math.min(m, p.loss), Infinity);
  const hi = all.reduce((m, p) => Math.max(m, p.loss), 0);
  const y = scaleLog()
    .domain([Math.min(lo, hi / 10), hi])
    .nice()
    .range([h - pad.b, pad.t]);
  const x = scaleLinear()
    .domain([0, Math.max(10, last.step, ...faint.map((p) => p.step))])
    .nice()
    .range([pad.l, w - pad.r]);
  ctx.strokeStyle = GRID;
  ctx.fillStyle = INK;
  ctx.textAlign = 'right';
  const powers = y.ticks().filter((t) => Number.isInteger(Math.log10(t)));
  const ticks = powers.length >= 2 ? powers : y.ticks(4);
  const labels = logTickLabels(ticks);
  ticks.forEach((t, i) => {
    line(ctx, pad.l, y(t), w - pad.r, y(t));
    ctx.fillText(labels[i]!, pad.l - 4, y(t) + 4);
  });
  ctx.textAlign = 'center';
  for (const t of x.ticks(5).filter(Number.isInteger)) {
    line(ctx, x(t), h - pad.b, x(t), h - pad.b + 4);
    ctx.fillText(t.toLocaleString('en-US'), x(t), h - pad.b + 16);
  }
  ctx.fillText('step', (pad.l + w - pad.r) / 2, h - 2);
  ctx.save();
  ctx.translate(11, (h - pad.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText('loss', 0, 0);
  ctx.restore();
  if (faint.length > 0) {
    ctx.strokeStyle = '#9ca3af';
    ctx.lineWidth = 1;
    ctx.beginPath();
    faint.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p.loss)) : ctx.lineTo(x(p.step), y(p.loss))));
    ctx.stroke();
  }
  const shown = changes.filter((c) => c.step <= x.domain()[1]!);
  ctx.save();
  ctx.strokeStyle = CHANGE_COLOUR;
  ctx.fillStyle = CHANGE_COLOUR;
  ctx.setLineDash([2, 3]);
  ctx.textAlign = 'left';
  for (const c of shown) {
    line(ctx, x(c.step), pad.t, x(c.step), h - pad.b);
    const label = `${c.what === 'learning rate' ? 'lr' : c.what} ${c.to}`;
    // right of its line where it fits, else left of it: a mark near the present never runs off the plot
    const fits = x(c.step) + 3 + ctx.measureText(label).width <= w - pad.r;
    ctx.textAlign = fits ? 'left' : 'right';
    ctx.fillText(label, x(c.step) + (fits ? 3 : -3), h - pad.b - 4);
  }
  ctx.restore();
  if (held.length > 0) {
    ctx.save();
    ctx.strokeStyle = TEST_CURVE.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash([...TEST_CURVE.dash]);
    ctx.beginPath();
    held.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p.loss)) : ctx.lineTo(x(p.step), y(p.loss))));
    ctx.stroke();
    ctx.restore();
  }
  ctx.strokeStyle = '#111827';
  ctx.lineWidth = 2;
  ctx.beginPath();
  pts.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p.loss)) : ctx.lineTo(x(p.step), y(p.loss))));
  if (pts.length === 1) ctx.arc(x(last.step), y(last.loss), 2, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.lineWidth = 1;
  const looked = cursor && drawable(cursor) && cursor.step <= x.domain()[1]! ? cursor : null;
  if (looked) {
    // the step looked back at: a line across the plot and a ring on the curve
    ctx.save();
    ctx.strokeStyle = CURSOR_COLOUR;
    ctx.lineWidth = 2;
    line(ctx, x(looked.step), pad.t, x(looked.step), h - pad.b);
    ctx.beginPath();
    ctx.arc(x(looked.step), y(looked.loss), 4, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.restore();
  }
  if (held.length > 0 || faint.length > 0) lossLegend(ctx, w - pad.r, pad.t + 2, held.length > 0, faint.length > 0);
  const first = pts[0]!;
  const noisy = faint.length > 0 ? ` The mini-batch losses, faint behind it, end at ${fmt(faint.at(-1)!.loss)}.` : '';
  const test =
    held.length > 0
      ? ` The test loss on the held-out points (dashed orange) goes from ${fmt(held[0]!.loss)} at step ` +
        `${held[0]!.step} to ${fmt(held.at(-1)!.loss)} at step ${held.at(-1)!.step}.`
      : '';
  const marks = shown.map(
    (c) =>
      ` At step ${c.step} the ${c.what} changed from ${c.from} to ${c.to} (dotted line), and the run went on from there.`,
  );
  return (
    `Loss curve: ${fmt(first.loss)} at step ${first.step}, ${fmt(last.loss)} at step ${last.step}.` +
    `${noisy}${test}${marks.join('')}` +
    (looked ? ` Looking back: the cursor (solid purple line) marks step ${looked.step}, loss ${fmt(looked.loss)}.` : '')
  );
}

/** The curves' names in the top right corner: training (solid), test (dashed), mini-batch (faint), as drawn. */
function lossLegend(ctx: CanvasRenderingContext2D, right: number, top: number, test: boolean, batch: boolean): void {
  const items: [string, string, number, readonly number[]][] = [['training', '#111827', 2, []]];
  if (test) items.push(['test', TEST_CURVE.colour, 2, TEST_CURVE.dash]);
  if (batch) items.push(['batch', '#9ca3af', 1, []]);
  const width = 86;
  const left = right - width;
  ctx.save();
  ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
  ctx.fillRect(left, top, width, items.length * 15 + 4);
  ctx.textAlign = 'left';
  items.forEach(([label, colour, lw, dash], i) => {
    const yy = top + 11 + i * 15;
    ctx.strokeStyle = colour;
    ctx.lineWidth = lw;
    ctx.setLineDash([...dash]);
    line(ctx, left + 4, yy - 4, left + 28, yy - 4);
    ctx.fillStyle = INK;
    ctx.fillText(label, left + 33, yy);
  });
  ctx.restore();
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

const fmt = (v: number) => formatNumber(v);

/** Points drawn large with their label written in them up to this many; beyond, small, label 0 as a square. */
const LABELLED_POINTS = 16;

/**
 * Points drawn at most per set: beyond, one in every `drawnEvery(N)` (all of them still counted in the fit). Tens of
 * thousands of uploaded points drawn every frame cost the page's thread more than the picture can show on 216 px.
 */
export const MAX_DRAWN_POINTS = 2000;
export const drawnEvery = (N: number) => Math.max(1, Math.ceil(N / MAX_DRAWN_POINTS));

/** How the boundary is shown (Playground's two toggles): the held-out rings, and ŷ as its class. */
export interface BoundaryView {
  /** Draw the held-out test points as rings (default true); hidden, they still set the plane's extent. */
  showTest?: boolean;
  /** Classification only: paint each cell by its class (ŷ ≥ 0.5 blue, below red), not on ŷ's continuous scale. */
  discretize?: boolean;
}

/**
 * Where a discretized cell sits on RdBu: its class's side, a quarter in from the end, so the dark-edged training
 * points filled with the scale's ends stay visible on it.
 */
export const CLASS_POSITION = { 0: 0.25, 1: 0.75 } as const;

/**
 * ŷ over the plane (planeExtent) as a heat map with axes x1, x2 and a colour bar, the training points on top, filled
 * with their label's colour, and held-out test points as rings. For the σ output (classification) ŷ runs from 0 red
 * to 1 blue; for the identity output (regression) on a diverging scale symmetric around 0, from the labels' range
 * (regressionColour), with its own colour bar. Returns a one-line summary for the text alternative, which says which.
 */
export function drawDecisionBoundary(
  canvas: HTMLCanvasElement,
  net: PlaneNet,
  params: ArrayLike<number>,
  data: Dataset,
  test: Dataset | null = null,
  grid = 50,
  view: BoundaryView = {},
): string {
  const model = planeModel(net);
  const regression = model.output === 'identity';
  const what = regression ? 'Regression surface' : 'Decision boundary';
  const ctx = context(canvas);
  if (!ctx || model.d !== 2) {
    if (ctx) notDrawn(ctx, canvas, `The data has ${model.d} inputs: a picture over the plane needs exactly 2.`);
    return `${what}: not drawn, the data has ${model.d} inputs and the plane shows 2.`;
  }
  const { height: h } = canvas;
  const pad = { l: 46, t: 8, b: 36 };
  const size = h - pad.t - pad.b;
  const [lo, hi] = planeExtent(data, test);
  const sx = scaleLinear()
    .domain([lo, hi])
    .range([pad.l, pad.l + size]);
  const sy = scaleLinear()
    .domain([lo, hi])
    .range([pad.t + size, pad.t]);
  const cells = rasterGrid(model, grid);
  const yHat = rasterForward(model, params, [lo, hi], cells).yHat;
  const m = regressionRange(data, test);
  const colour = regression ? regressionColour(m) : yHatColour;
  const classes = view.discretize === true && !regression;
  const classOf = (v: number) => (v >= 0.5 ? CLASS_POSITION[1] : CLASS_POSITION[0]);
  // the same scales as `colour`: yHatColour is RdBu over [0, 1]; regressionColour(m) RdBu over [−m, m], clamped
  const position = regression ? (v: number) => 0.5 + v / (2 * m) : classes ? classOf : (v: number) => v;
  paintCells(ctx, yHat, cells, [pad.l, pad.t, size], interpolateRdBu, position);
  ctx.strokeStyle = INK;
  ctx.strokeRect(pad.l, pad.t, size, size);
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  const xTicks = sx.ticks(4);
  linearTickLabels(xTicks).forEach((label, i) => {
    const t = xTicks[i]!;
    line(ctx, sx(t), pad.t + size, sx(t), pad.t + size + 4);
    ctx.fillText(label, sx(t), pad.t + size + 16);
    line(ctx, pad.l - 4, sy(t), pad.l, sy(t));
  });
  ctx.fillText('x1', pad.l + size / 2, h - 3);
  ctx.textAlign = 'right';
  const yTicks = sy.ticks(4);
  linearTickLabels(yTicks).forEach((label, i) => ctx.fillText(label, pad.l - 6, sy(yTicks[i]!) + 4));
  // the axis name in the gap between the two middle tick labels, so a long label ("−2e18") never runs into it
  const k = Math.floor((yTicks.length - 2) / 2);
  ctx.fillText('x2', 16, yTicks.length >= 2 ? (sy(yTicks[k]!) + sy(yTicks[k + 1]!)) / 2 + 4 : pad.t + size / 2 - 12);
  const fit = drawPoints(ctx, colour, params, model, data, sx, sy, false);
  const rings = test !== null && view.showTest !== false;
  const fitTest = test && rings ? drawPoints(ctx, colour, params, model, test, sx, sy, true) : null;
  const hidden = test && !rings ? ` The ${test.N} held-out test points are hidden.` : '';
  // too many points to draw each frame: a sample of them, said (the fit above counts them all)
  const sets: [Dataset, string][] = [
    [data, 'training'],
    ...(rings && test ? [[test, 'test'] as [Dataset, string]] : []),
  ];
  const sampled = sets
    .filter(([d]) => drawnEvery(d.N) > 1)
    .map(
      ([d, name]) =>
        ` One ${name} point in ${drawnEvery(d.N)} is drawn; all ${d.N.toLocaleString('en-US')} are counted.`,
    )
    .join('');
  ctx.lineWidth = 1;
  const range = `ranges from ${fixed(Math.min(...yHat))} to ${fixed(Math.max(...yHat))}`;
  if (regression) {
    // round ticks inside ±m (0 among them: the domain is symmetric); the ends are ±m, as the summary says
    colourBar(ctx, pad.l + size + 18, pad.t, size, colour, [-m, m], scaleLinear().domain([-m, m]).ticks(4));
    const held = test && fitTest ? ` and ${fixed(fitTest.rmse)} on ${test.N} held-out test points (rings)` : '';
    return (
      `${what}: ŷ over the plane ${range}, on a diverging colour scale from red (−${fixed(m)}) through white (0) ` +
      `to blue (+${fixed(m)}), the labels' range; the ${data.N} training points are coloured by their label on the ` +
      `same scale; root-mean-square error ${fixed(fit.rmse)} on them${held}.${hidden}${sampled}`
    );
  }
  const barColour = classes ? (v: number) => interpolateRdBu(classOf(v)) : colour;
  colourBar(ctx, pad.l + size + 18, pad.t, size, barColour, [0, 1], [0, 0.5, 1]);
  const held = test && fitTest ? ` (training) and ${fitTest.right} of ${test.N} held-out test points (rings)` : '';
  const painted = classes ? ' Painted by class: blue where ŷ ≥ 0.5, red where ŷ < 0.5.' : '';
  const right = `${fit.right} of ${data.N} points classified correctly${held}`;
  return `${what}: ${right}; ŷ over the plane ${range}.${painted}${hidden}${sampled}`;
}

/** Two decimals (an exponent from 10,000 on), a true minus sign, never "−0.00", never "NaN" or "Infinity". */
const fixed = (v: number) => {
  if (!Number.isFinite(v)) return 'not a finite number';
  const t = Math.abs(v) >= 1e4 ? v.toExponential(2).replace('e+', 'e') : v.toFixed(2);
  return Number(t) === 0 ? '0.00' : t.replaceAll('-', '−');
};

/**
 * Draws the points of `data` (rings if `hollow`) in their label's colour; returns how many the network classifies
 * correctly (σ output) and its root-mean-square error on them (any output).
 */
function drawPoints(
  ctx: CanvasRenderingContext2D,
  colour: (v: number) => string,
  params: ArrayLike<number>,
  model: Model,
  data: Dataset,
  sx: (v: number) => number,
  sy: (v: number) => number,
  hollow: boolean,
): { right: number; rmse: number } {
  const fit = forwardModel(model, params, data).yHat;
  const regression = model.output === 'identity';
  const big = data.N <= LABELLED_POINTS;
  const every = drawnEvery(data.N);
  let right = 0;
  let sq = 0;
  for (let n = 0; n < data.N; n++) {
    const y = data.y[n]!;
    const label = y >= 0.5 ? 1 : 0;
    if ((fit[n]! >= 0.5 ? 1 : 0) === label) right++;
    sq += (fit[n]! - y) ** 2;
    if (n % every !== 0) continue; // counted, not drawn
    const [px, py] = [sx(data.x[2 * n]!), sy(data.x[2 * n + 1]!)];
    const r = big ? 10 : 3.5;
    ctx.beginPath();
    // classification: label 0 a square on larger sets, for readers who cannot tell the colours apart
    if (big || label === 1 || regression) ctx.arc(px, py, r, 0, 2 * Math.PI);
    else ctx.rect(px - r, py - r, 2 * r, 2 * r);
    const fill = regression ? colour(y) : yHatColour(label);
    ctx.fillStyle = fill;
    if (hollow) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = fill;
      ctx.stroke();
      continue;
    }
    ctx.fill();
    // a white halo under the dark rim: a point stays visible on the deepest red or blue of a confident plane
    ctx.lineWidth = big ? 4 : 3;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
    ctx.lineWidth = big ? 1.5 : 1;
    ctx.strokeStyle = '#111827';
    ctx.stroke();
    if (!big || regression) continue;
    ctx.fillStyle = '#fff';
    ctx.textAlign = 'center';
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.fillText(String(label), px, py + 4); // the label, for readers who cannot tell the colours apart
    ctx.font = FONT;
  }
  return { right, rmse: Math.sqrt(sq / data.N) };
}

/** A canvas that shows no picture says why, in words on it. */
export function notDrawn(ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement, why: string): void {
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  const words = why.split(' ');
  let lineText = '';
  let y = 24;
  for (const w of words) {
    if (ctx.measureText(`${lineText} ${w}`).width > canvas.width - 24 && lineText) {
      ctx.fillText(lineText, 12, y);
      [lineText, y] = [w, y + 18];
    } else lineText = lineText ? `${lineText} ${w}` : w;
  }
  ctx.fillText(lineText, 12, y);
}

/** A vertical bar of ŷ's colours from domain[0] (bottom) to domain[1] (top), labelled at `ticks`. */
function colourBar(
  ctx: CanvasRenderingContext2D,
  left: number,
  top: number,
  height: number,
  colour: (v: number) => string,
  domain: [number, number],
  ticks: readonly number[],
): void {
  const s = scaleLinear()
    .domain(domain)
    .range([top + height, top]);
  for (let i = 0; i < height; i++) {
    ctx.fillStyle = colour(s.invert(top + i + 0.5));
    ctx.fillRect(left, top + i, 14, 1);
  }
  ctx.strokeStyle = INK;
  ctx.strokeRect(left, top, 14, height);
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  const labels = linearTickLabels(ticks);
  ticks.forEach((t, i) => {
    line(ctx, left + 14, s(t), left + 18, s(t));
    ctx.fillText(labels[i]!, left + 20, s(t) + 4);
  });
  ctx.fillText('ŷ', left + 2, top + height + 18);
}
