/**
 * The input plane as the pictures see it (d = 2): the square they show, and the network's numbers over a raster of
 * it, from the parameters alone (src/mlp/spec.ts's layout: W1[j][i] at j·d + i). No DOM.
 */
import type { Dataset } from '../../mlp/data/data.js';
import { activationOf, type Net } from '../../mlp/reference.js';
import { paramLayout } from '../../mlp/spec.js';

/**
 * The square of the plane the pictures show: the data's bounding square, padded
 * by half a unit (so XOR's [0, 1]² shows as [−0.5, 1.5]²) or a tenth of its span.
 */
export function planeExtent(data: Dataset, test: Dataset | null = null): [number, number] {
  let [lo, hi] = [Infinity, -Infinity];
  for (const d of test ? [data, test] : [data]) {
    for (const v of d.x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  const pad = Math.max(0.5, 0.1 * (hi - lo));
  return [lo - pad, hi + pad];
}

/**
 * ŷ at the centres of a grid × grid raster over [lo, hi]², row 0 at the top:
 * ŷ = σ(b2 + Σ_j W2_j · f(W1_j · x + b1_j)), f the hidden activation (ReLU by default), the model's forward pass for
 * d = 2 without the per-sample cache (which at H = 4,096 would be 80 MB per
 * frame). Rows of W1 are hidden units: W1[j][i] at j·d + i (src/mlp/spec.ts).
 */
export function yHatOverGrid(spec: Net, p: ArrayLike<number>, lo: number, hi: number, grid: number): Float64Array {
  const L = paramLayout(spec);
  const f = activationOf(spec).output;
  const out = new Float64Array(grid * grid);
  const z2 = new Float64Array(grid * grid).fill(p[L.b2.offset]!);
  const xs = Float64Array.from({ length: grid }, (_, c) => lo + ((c + 0.5) / grid) * (hi - lo));
  for (let j = 0; j < spec.H; j++) {
    const [w1a, w1b, b1, w2] = [
      p[L.W1.offset + 2 * j]!,
      p[L.W1.offset + 2 * j + 1]!,
      p[L.b1.offset + j]!,
      p[L.W2.offset + j]!,
    ];
    if (w2 === 0) continue;
    for (let r = 0; r < grid; r++) {
      const base = w1b * (hi - ((r + 0.5) / grid) * (hi - lo)) + b1; // W1_j · x + b1_j without the x1 term
      for (let c = 0; c < grid; c++) {
        const z1 = w1a * xs[c]! + base;
        z2[r * grid + c]! += w2 * f(z1);
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-z2[i]!));
  return out;
}

/** a1_j at the centres of a GRID × GRID raster over the extent, row 0 at the top. */
export function unitOverGrid(
  spec: Net,
  p: ArrayLike<number>,
  j: number,
  [lo, hi]: [number, number],
  grid: number,
): Float64Array {
  const L = paramLayout(spec);
  const f = activationOf(spec).output;
  const [w1a, w1b, b1] = [p[L.W1.offset + 2 * j]!, p[L.W1.offset + 2 * j + 1]!, p[L.b1.offset + j]!];
  const out = new Float64Array(grid * grid);
  for (let r = 0; r < grid; r++) {
    const x2 = hi - ((r + 0.5) / grid) * (hi - lo);
    for (let c = 0; c < grid; c++) out[r * grid + c] = f(w1a * (lo + ((c + 0.5) / grid) * (hi - lo)) + w1b * x2 + b1);
  }
  return out;
}
