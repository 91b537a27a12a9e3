/**
 * The input plane as the pictures see it (d = 2): the square they show, and the network's numbers over a raster of
 * it, from the parameters alone (the general network's forward pass, src/mlp/reference.ts). No DOM.
 */
import { ACTIVATIONS } from '../../engine/activation.js';
import { sigmoid } from '../../engine/value.js';
import type { Dataset } from '../../mlp/data/data.js';
import { checkModelParams, type Model, modelLayout, oneLayerModel } from '../../mlp/model.js';
import type { Net } from '../../mlp/reference.js';

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
 * grid²·P. This many took 30 to 40 ms in Node 20 on a shared 2-core machine (tests/plots-model.test.ts keeps 50 × 50
 * for networks up to 10,000 parameters); larger networks get a coarser raster, so a frame never waits long on it.
 */
export const RASTER_BUDGET = 25_000_000;
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

/** Raster points pushed through the network at once: one chunk's per-layer values stay a few MB at any width. */
const CHUNK = 128;

/**
 * The forward pass at every raster centre, the math of forwardModel (src/mlp/reference.ts): z_l = W_l a_{l−1} + b_l,
 * a_l = f(z_l), ŷ = σ(z_{L+1}) or z_{L+1}. Its own loop, chunk by chunk into buffers reused for the whole raster, the
 * last hidden layer summed straight into z_{L+1}: forwardModel allocates and stores every layer's values, which at
 * width 4,096 made a 50 × 50 raster about 6 times slower (Node 20). Keeps the first `keep` units of every hidden
 * layer, and ŷ unless `yHat` is false (then only the layers up to the last kept unit are computed: the unit maps).
 */
export function rasterForward(
  net: PlaneNet,
  params: ArrayLike<number>,
  [lo, hi]: [number, number],
  grid: number,
  keep = 0,
  { yHat: wantYHat = true }: { yHat?: boolean } = {},
): Raster {
  const model = planeModel(net);
  if (model.d !== 2) throw new RangeError(`raster: a picture over the plane needs d = 2, got d = ${model.d}`);
  const { layers } = checkModelParams(model, params);
  const p = params instanceof Float64Array ? params : Float64Array.from(params);
  const f = ACTIVATIONS[model.activation].output;
  const L = model.hidden.length;
  const cells = grid * grid;
  const yHat = new Float64Array(wantYHat ? cells : 0);
  const units = model.hidden.map((H) => Array.from({ length: Math.min(H, keep) }, () => new Float64Array(cells)));
  const depth = wantYHat || keep > 0 ? L : 0; // hidden layers to compute
  const B = Math.min(CHUNK, cells);
  const x = new Float64Array(2 * B);
  const values = layers.map(({ nout }) => new Float64Array(B * nout));
  const zOut = new Float64Array(B);
  const out = layers[L]!; // W_{L+1}, b_{L+1}
  const at = (k: number) => lo + ((k + 0.5) / grid) * (hi - lo);
  for (let start = 0; start < cells; start += B) {
    const n = Math.min(B, cells - start);
    for (let r = 0; r < n; r++) {
      x[2 * r] = at((start + r) % grid);
      x[2 * r + 1] = hi + lo - at(Math.floor((start + r) / grid)); // row 0 at the top
    }
    zOut.fill(p[out.b.offset]!, 0, n);
    let prev = x;
    for (let l = 1; l <= depth; l++) {
      const { W, b, nin, nout } = layers[l - 1]!;
      const a = values[l - 1]!;
      const maps = units[l - 1]!;
      // the last hidden layer feeds z_{L+1} directly; without ŷ only its kept units are needed
      const fuse = wantYHat && l === L;
      const count = !wantYHat && l === L ? maps.length : nout;
      for (let j = 0; j < count; j++) {
        const bj = p[b.offset + j]!;
        const w = W.offset + j * nin;
        const wOut = fuse ? p[out.W.offset + j]! : 0;
        const map = maps[j];
        for (let r = 0; r < n; r++) {
          let z = bj; // z_l[j] = W_l[j] · a_{l−1} + b_l[j]
          if (nin === 2) z += p[w]! * prev[2 * r]! + p[w + 1]! * prev[2 * r + 1]!;
          else for (let i = 0; i < nin; i++) z += p[w + i]! * prev[r * nin + i]!;
          const v = f(z);
          if (fuse) zOut[r]! += wOut * v;
          else a[r * nout + j] = v;
          if (map) map[start + r] = v;
        }
      }
      prev = a;
    }
    if (wantYHat)
      for (let r = 0; r < n; r++) yHat[start + r] = model.output === 'sigmoid' ? sigmoid(zOut[r]!) : zOut[r]!;
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
