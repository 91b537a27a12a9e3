/**
 * The loss curve (log scale) and the decision boundary (ŷ over the input plane, with axes, colour bar and data points),
 * drawn on canvases from plain numbers with d3-scale and d3-scale-chromatic. Every frame repaints the whole canvas
 * opaquely, so the same parameters always give the same pixels.
 */
import { scaleLinear, scaleLog, scaleSequential } from 'd3-scale';
import { interpolateRdBu } from 'd3-scale-chromatic';
import type { Dataset } from '../../mlp/data/data.js';
import { forward, type Net } from '../../mlp/reference.js';
import type { LossPoint } from '../history.js';
import { planeExtent, yHatOverGrid } from './plane.js';

export { planeExtent, yHatOverGrid } from './plane.js';

/** ŷ's colour, the one meaning of red and blue on the page: 0 red, 0.5 white, 1 blue. */
export const yHatColour = scaleSequential(interpolateRdBu).domain([0, 1]);

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
 * Labels for the loss axis in one format: plain decimals when every tick lies
 * in [0.01, 1000] ("0.01", "0.1", "1"), otherwise all in exponent form
 * ("1e-3", "1e-2", "1e-1", "1e0"), never a mix of the two.
 */
export function logTickLabels(ticks: readonly number[]): string[] {
  const plain = ticks.every((t) => t >= 0.01 && t <= 1000);
  return ticks.map((t) => (plain ? String(Number(t.toPrecision(6))) : t.toExponential().replace('e+', 'e')));
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

/** Loss against step, log10 scale on y with its ticks; x runs from step 0 to the current step (at least 10). */
export function drawLossCurve(canvas: HTMLCanvasElement, history: readonly LossPoint[]): string {
  const ctx = context(canvas);
  const pts = history.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
  if (!ctx || pts.length === 0) return 'Loss curve: no steps yet.';
  const { width: w, height: h } = canvas;
  const pad = { l: 46, r: 22, t: 10, b: 34 };
  const last = pts[pts.length - 1]!;
  const lo = Math.min(...pts.map((p) => p.loss));
  const hi = Math.max(...pts.map((p) => p.loss));
  const y = scaleLog()
    .domain([Math.min(lo, hi / 10), hi])
    .nice()
    .range([h - pad.b, pad.t]);
  const x = scaleLinear()
    .domain([0, Math.max(10, last.step)])
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
  ctx.strokeStyle = '#111827';
  ctx.lineWidth = 2;
  ctx.beginPath();
  pts.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(p.loss)) : ctx.lineTo(x(p.step), y(p.loss))));
  if (pts.length === 1) ctx.arc(x(last.step), y(last.loss), 2, 0, 2 * Math.PI);
  ctx.stroke();
  ctx.lineWidth = 1;
  const first = pts[0]!;
  return `Loss curve: ${fmt(first.loss)} at step ${first.step}, ${fmt(last.loss)} at step ${last.step}.`;
}

function line(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

const fmt = (v: number) => (v >= 0.01 && v < 1000 ? v.toPrecision(3) : v.toExponential(2));

/** Points drawn large with their label written in them up to this many; beyond, small, label 0 as a square. */
const LABELLED_POINTS = 16;

/**
 * ŷ over the plane (planeExtent) as a heat map with axes x1, x2 and a colour bar,
 * the training points on top, filled with their label's colour, and held-out
 * test points as rings. Returns a one-line summary for the text alternative.
 */
export function drawDecisionBoundary(
  canvas: HTMLCanvasElement,
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  test: Dataset | null = null,
  grid = 50,
): string {
  const ctx = context(canvas);
  if (!ctx || spec.d !== 2) {
    if (ctx) notDrawn(ctx, canvas, `The data has ${spec.d} inputs: a picture over the plane needs exactly 2.`);
    return `Decision boundary: not drawn, the data has ${spec.d} inputs and the plane shows 2.`;
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
  const yHat = yHatOverGrid(spec, params, lo, hi, grid);
  const cell = size / grid;
  for (let i = 0; i < yHat.length; i++) {
    ctx.fillStyle = yHatColour(yHat[i]!);
    ctx.fillRect(pad.l + (i % grid) * cell, pad.t + Math.floor(i / grid) * cell, cell + 0.5, cell + 0.5);
  }
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
  const right = drawPoints(ctx, spec, params, data, sx, sy, false);
  const rightTest = test ? drawPoints(ctx, spec, params, test, sx, sy, true) : 0;
  ctx.lineWidth = 1;
  colourBar(ctx, pad.l + size + 18, pad.t, size);
  const held = test ? ` (training) and ${rightTest} of ${test.N} held-out test points (rings)` : '';
  return (
    `Decision boundary: ${right} of ${data.N} points classified correctly${held}; ` +
    `ŷ over the plane ranges from ${Math.min(...yHat).toFixed(2)} to ${Math.max(...yHat).toFixed(2)}.`
  );
}

/** Draws the points of `data` (rings if `hollow`); returns how many the network classifies correctly. */
function drawPoints(
  ctx: CanvasRenderingContext2D,
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  sx: (v: number) => number,
  sy: (v: number) => number,
  hollow: boolean,
): number {
  const fit = forward(spec, params, data).yHat;
  const big = data.N <= LABELLED_POINTS;
  let right = 0;
  for (let n = 0; n < data.N; n++) {
    const label = data.y[n]! >= 0.5 ? 1 : 0;
    if ((fit[n]! >= 0.5 ? 1 : 0) === label) right++;
    const [px, py] = [sx(data.x[2 * n]!), sy(data.x[2 * n + 1]!)];
    const r = big ? 10 : 3.5;
    ctx.beginPath();
    if (big || label === 1) ctx.arc(px, py, r, 0, 2 * Math.PI);
    else ctx.rect(px - r, py - r, 2 * r, 2 * r);
    ctx.fillStyle = yHatColour(label);
    if (hollow) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = yHatColour(label);
      ctx.stroke();
      continue;
    }
    ctx.fill();
    ctx.lineWidth = big ? 4 : 1;
    ctx.strokeStyle = '#fff';
    if (big) ctx.stroke();
    ctx.lineWidth = big ? 1.5 : 1;
    ctx.strokeStyle = '#111827';
    ctx.stroke();
    if (!big) continue;
    ctx.fillStyle = '#fff';
    ctx.textAlign = 'center';
    ctx.font = 'bold 12px system-ui, sans-serif';
    ctx.fillText(String(label), px, py + 4); // the label, for readers who cannot tell the colours apart
    ctx.font = FONT;
  }
  return right;
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

/** A vertical bar of ŷ's colours from 0 (bottom) to 1 (top), labelled. */
function colourBar(ctx: CanvasRenderingContext2D, left: number, top: number, height: number): void {
  const s = scaleLinear()
    .domain([0, 1])
    .range([top + height, top]);
  for (let i = 0; i < height; i++) {
    ctx.fillStyle = yHatColour(s.invert(top + i + 0.5));
    ctx.fillRect(left, top + i, 14, 1);
  }
  ctx.strokeStyle = INK;
  ctx.strokeRect(left, top, 14, height);
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  for (const t of [0, 0.5, 1]) {
    line(ctx, left + 14, s(t), left + 18, s(t));
    ctx.fillText(String(t), left + 20, s(t) + 4);
  }
  ctx.fillText('ŷ', left + 2, top + height + 18);
}
