/**
 * The loss curve (log scale) and the decision boundary (a heat map of yHat over
 * the input plane with the data points), drawn on canvases from plain numbers.
 */
import type { Dataset } from '../mlp/data.js';
import { forward } from '../mlp/reference.js';

export interface LossPoint {
  step: number;
  loss: number;
}

const BLUE = [37, 99, 235];
const ORANGE = [234, 88, 12];

/** Loss against step, log10 scale on y, with gridlines at powers of ten. */
export function drawLossCurve(canvas: HTMLCanvasElement, history: readonly LossPoint[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const pts = history.filter((p) => p.loss > 0 && Number.isFinite(p.loss));
  if (pts.length === 0) return;
  const logs = pts.map((p) => Math.log10(p.loss));
  const top = Math.ceil(Math.max(...logs, -1));
  const bottom = Math.floor(Math.min(...logs, top - 1));
  const maxStep = Math.max(1, pts[pts.length - 1]!.step);
  const pad = { l: 38, r: 8, t: 8, b: 18 };
  const x = (s: number) => pad.l + (s / maxStep) * (w - pad.l - pad.r);
  const y = (l: number) => pad.t + ((top - l) / (top - bottom)) * (h - pad.t - pad.b);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#888';
  ctx.strokeStyle = '#8884';
  for (let e = bottom; e <= top; e++) {
    ctx.beginPath();
    ctx.moveTo(pad.l, y(e));
    ctx.lineTo(w - pad.r, y(e));
    ctx.stroke();
    ctx.fillText(`1e${e}`, 2, y(e) + 4);
  }
  ctx.fillText(`step ${maxStep}`, w - pad.r - 60, h - 4);
  ctx.strokeStyle = `rgb(${BLUE.join(',')})`;
  ctx.lineWidth = 2;
  ctx.beginPath();
  pts.forEach((p, i) => (i === 0 ? ctx.moveTo(x(p.step), y(logs[i]!)) : ctx.lineTo(x(p.step), y(logs[i]!))));
  ctx.stroke();
}

/** yHat over [−0.5, 1.5]², blue for 1 and orange for 0, with the data points on top. */
export function drawDecisionBoundary(
  canvas: HTMLCanvasElement,
  spec: { d: number; H: number },
  params: ArrayLike<number>,
  data: Dataset,
  grid = 40,
): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || spec.d !== 2) return;
  const { width: w, height: h } = canvas;
  const lo = -0.5;
  const hi = 1.5;
  const x = new Float64Array(grid * grid * 2);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      x[2 * (r * grid + c)] = lo + ((c + 0.5) / grid) * (hi - lo);
      x[2 * (r * grid + c) + 1] = hi - ((r + 0.5) / grid) * (hi - lo);
    }
  }
  const { yHat } = forward(spec, params, { d: 2, N: grid * grid, x, y: new Float64Array(grid * grid) });
  const cw = w / grid;
  const ch = h / grid;
  for (let i = 0; i < yHat.length; i++) {
    const p = yHat[i]!;
    const rgb = BLUE.map((b, k) => Math.round(ORANGE[k]! + (b - ORANGE[k]!) * p));
    ctx.fillStyle = `rgba(${rgb.join(',')},0.55)`;
    ctx.fillRect((i % grid) * cw, Math.floor(i / grid) * ch, cw + 0.5, ch + 0.5);
  }
  for (let n = 0; n < data.N; n++) {
    const px = ((data.x[2 * n]! - lo) / (hi - lo)) * w;
    const py = ((hi - data.x[2 * n + 1]!) / (hi - lo)) * h;
    ctx.beginPath();
    ctx.arc(px, py, 7, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${(data.y[n]! >= 0.5 ? BLUE : ORANGE).join(',')})`;
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#111';
    ctx.stroke();
  }
}
