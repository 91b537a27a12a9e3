/**
 * The input plane as the pictures see it (d = 2): the square they show, and the network's numbers over a raster of
 * it, from the parameters alone, through the general forward pass (src/mlp/reference.ts, forwardModel). No DOM.
 */
import type { Dataset } from '../../mlp/data/data.js';
import { type Model, modelLayout, oneLayerModel } from '../../mlp/model.js';
import { forwardModel, type Net } from '../../mlp/reference.js';

/** A network the pictures draw: any Model, or the one-hidden-layer Net (σ output). */
export type PlaneNet = Model | Net;

/** The Model of a PlaneNet. */
export function planeModel(net: PlaneNet): Model {
  return 'hidden' in net ? net : oneLayerModel(net);
}

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
 * Multiply-adds one raster may cost: a forward pass costs about P per point, so a picture of grid² points costs
 * grid²·P. This many is a few tens of ms in V8 (the one-layer network at H = 4,096 on a 50 × 50 raster, 41 million).
 */
export const RASTER_BUDGET = 45_000_000;
/** The coarsest raster drawn, however large the network. */
export const MIN_GRID = 8;

/** Cells per side for a picture of `model`: `want`, or fewer where grid²·P would exceed RASTER_BUDGET. */
export function rasterGrid(model: PlaneNet, want: number): number {
  const P = modelLayout(planeModel(model)).size;
  return Math.max(Math.min(MIN_GRID, want), Math.min(want, Math.floor(Math.sqrt(RASTER_BUDGET / P))));
}

/** The network's values at the centres of a grid × grid raster over [lo, hi]², row 0 at the top. */
export interface Raster {
  grid: number;
  /** ŷ per cell. */
  yHat: Float64Array;
  /** units[l − 1][j]: a_l[j] per cell, for the first `keep` units of each hidden layer l. */
  units: Float64Array[][];
}

/** Raster rows pushed through the network at once: the per-layer values of one chunk stay a few MB at any width. */
const CHUNK_ROWS = 4;

/**
 * The forward pass at every raster centre, chunk by chunk (the whole raster's per-layer values at width 4,096 would
 * be hundreds of MB), keeping ŷ and the first `keep` units of every hidden layer.
 */
export function rasterForward(
  net: PlaneNet,
  p: ArrayLike<number>,
  [lo, hi]: [number, number],
  grid: number,
  keep = 0,
): Raster {
  const model = planeModel(net);
  if (model.d !== 2) throw new RangeError(`raster: a picture over the plane needs d = 2, got d = ${model.d}`);
  const cells = grid * grid;
  const yHat = new Float64Array(cells);
  const units = model.hidden.map((H) => Array.from({ length: Math.min(H, keep) }, () => new Float64Array(cells)));
  const at = (k: number) => lo + ((k + 0.5) / grid) * (hi - lo);
  for (let r0 = 0; r0 < grid; r0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, grid - r0);
    const N = rows * grid;
    const x = new Float64Array(2 * N);
    for (let r = 0; r < rows; r++) {
      const x2 = hi - ((r0 + r + 0.5) / grid) * (hi - lo);
      for (let c = 0; c < grid; c++) [x[2 * (r * grid + c)], x[2 * (r * grid + c) + 1]] = [at(c), x2];
    }
    const cache = forwardModel(model, p, { d: 2, N, x, y: new Float64Array(N) });
    const base = r0 * grid;
    yHat.set(cache.yHat, base);
    units.forEach((maps, l) => {
      const a = cache.a[l]!;
      const H = model.hidden[l]!;
      maps.forEach((map, j) => {
        for (let n = 0; n < N; n++) map[base + n] = a[n * H + j]!;
      });
    });
  }
  return { grid, yHat, units };
}

/** ŷ at the centres of a grid × grid raster over [lo, hi]², row 0 at the top. */
export function yHatOverGrid(net: PlaneNet, p: ArrayLike<number>, lo: number, hi: number, grid: number): Float64Array {
  return rasterForward(net, p, [lo, hi], grid).yHat;
}

/** a_l[j] (layer l from 1, unit j from 0) at the centres of a grid × grid raster over the extent, row 0 at the top. */
export function unitOverGrid(
  net: PlaneNet,
  p: ArrayLike<number>,
  j: number,
  extent: [number, number],
  grid: number,
  layer = 1,
): Float64Array {
  const model = planeModel(net);
  const H = model.hidden[layer - 1];
  if (H === undefined || !Number.isInteger(j) || j < 0 || j >= H) {
    throw new RangeError(`unit: layer ${layer}, unit ${j} is not in the network (hidden ${model.hidden.join(',')})`);
  }
  // keep units 0..j of every layer: only layer `layer`'s unit j is read
  return rasterForward(model, p, extent, grid, j + 1).units[layer - 1]![j]!;
}
