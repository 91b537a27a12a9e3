/**
 * Each sample's pull on one parameter θ_k: the batch gradient is a sum over samples,
 *
 *   ∂L_total/∂θ_k = Σ_n (1/N)·∂ℓ_n/∂θ_k + ∂R/∂θ_k,
 *
 * and ∂ℓ_n/∂θ_k is read off the δ recursion of the oracle (backwardModel, src/mlp/reference.ts) row by row:
 * δ_l per row (∂L/∂z_l, the batch's 1/B included) times the layer's input, a_{l−1}[i] for W_l[j][i], 1 for b_l[j].
 * Over the plane, each raster centre is a would-be training point whose label is the label of its nearest training
 * point (PLANE_LABEL). No DOM.
 */
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from './data/data.js';
import { checkLabels, type Model, modelLayout } from './model.js';
import type { Objective } from './objective.js';
import { backwardModel, forwardModel, type ModelCache } from './reference.js';

/** The label a point of the plane gets when it is treated as a training point, in words (the page says it). */
export const PLANE_LABEL =
  'each point x of the plane is given the label of the training point nearest to it (straight-line distance; ' +
  'the first one listed on a tie)';

/** Where θ_k sits: layer l (from 1), unit j and input i (from 0) of W_l, or unit j of b_l (i = −1). */
export interface ParamRef {
  l: number;
  j: number;
  i: number;
  /** Whether θ_k is a weight (an entry of W_l, counted by the penalty). */
  weight: boolean;
}

/** The layer, unit and input of flat element k; a clear error outside the layout. */
export function paramRef(model: Model, k: number): ParamRef {
  const layout = modelLayout(model);
  if (!Number.isInteger(k)) throw new RangeError(`parameter index must be an integer, got ${k}`);
  for (const { W, b, nin, l } of layout.layers) {
    if (k >= W.offset && k < W.offset + W.length) {
      const e = k - W.offset;
      return { l, j: Math.floor(e / nin), i: e % nin, weight: true };
    }
    if (k >= b.offset && k < b.offset + b.length) return { l, j: k - b.offset, i: -1, weight: false };
  }
  throw new RangeError(`parameter index ${k} is outside 0..${layout.size - 1}`);
}

/** What one backward pass over some rows leaves for every parameter at once: the rows' layer inputs and δ_l. */
export interface SampleSignals {
  model: Model;
  data: Dataset;
  /** The forward pass's values per row (a_l for the layers' inputs). */
  cache: ModelCache;
  /** delta[l − 1] = δ_l = ∂L_data/∂z_l per row, B×H_l, the 1/B of the batch mean included. */
  delta: Float64Array[];
}

/**
 * One forward and one backward pass over every row of `data` (with its own label), the oracle's own (forwardModel,
 * backwardModel), without the penalty: then each parameter's per-row pull costs one pass over the rows (pullsOf).
 */
export function sampleSignals(model: Model, params: ArrayLike<number>, data: Dataset, loss: LossKind): SampleSignals {
  const cache = forwardModel(model, params, data);
  checkLabels(model.output, cache.y);
  const { delta } = backwardModel(model, params, data, cache, { loss });
  return { model, data, cache, delta };
}

/** The pull of every row on θ_k. */
export interface SamplePulls {
  /** (1/B)·∂ℓ_n/∂θ_k per row: the row's share of the batch gradient (B = data.N; no penalty). */
  share: Float64Array;
  /** ∂ℓ_n/∂θ_k per row: what the row would pull with alone (B·share). */
  grad: Float64Array;
}

/** Each row's pull on θ_k from its signals: ∂/∂W_l[j][i] = δ_l[j]·a_{l−1}[i] (a_0 = x), ∂/∂b_l[j] = δ_l[j]. */
export function pullsOf({ model, data, cache, delta }: SampleSignals, k: number): SamplePulls {
  const ref = paramRef(model, k);
  const { nout, nin } = modelLayout(model).layers[ref.l - 1]!;
  const dl = delta[ref.l - 1]!;
  const input = ref.l === 1 ? data.x : cache.a[ref.l - 2]!;
  const B = data.N;
  const share = new Float64Array(B);
  const grad = new Float64Array(B);
  for (let n = 0; n < B; n++) {
    const g = dl[n * nout + ref.j]!;
    const a = ref.i < 0 ? 1 : input[n * nin + ref.i]!;
    share[n] = g * a;
    grad[n] = B * g * a;
  }
  return { share, grad };
}

/** The pull of each row of `data` on θ_k at `params` (sampleSignals, then pullsOf). */
export function samplePulls(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  k: number,
): SamplePulls {
  paramRef(model, k);
  return pullsOf(sampleSignals(model, params, data, loss), k);
}

/** ∂R/∂θ_k = λ1·sign(w) + λ2·w for a weight (sign(0) = 0), 0 for a bias: the penalty's term of the batch gradient. */
export function penaltyGradientAt(model: Model, params: ArrayLike<number>, objective: Objective, k: number): number {
  const { weight } = paramRef(model, k);
  const { l1 = 0, l2 = 0 } = objective;
  if (!weight || (l1 === 0 && l2 === 0)) return 0;
  const w = params[k]!;
  return l1 * Math.sign(w) + l2 * w;
}

/**
 * The centres of a grid × grid raster over [lo, hi]², as the pictures place them (src/ui/plots/plane.ts): cell c at
 * column c mod grid and row ⌊c / grid⌋, row 0 at the top. 2·grid² numbers, x1 then x2 per cell.
 */
export function rasterCentres([lo, hi]: [number, number], grid: number): Float64Array {
  const x = new Float64Array(2 * grid * grid);
  const at = (k: number) => lo + ((k + 0.5) / grid) * (hi - lo);
  for (let c = 0; c < grid * grid; c++) {
    x[2 * c] = at(c % grid);
    x[2 * c + 1] = hi + lo - at(Math.floor(c / grid));
  }
  return x;
}

/**
 * For each of the points `x` (d numbers each), the label of the nearest training point (PLANE_LABEL). The training
 * points are sorted by their first coordinate once, and each search walks out from its own place in that order until
 * the first coordinate alone is farther than the best found: about √N points each on spread data, not N.
 */
export function nearestLabels(x: Float64Array, data: Dataset): Float64Array {
  const { d, N } = data;
  const M = x.length / d;
  const order = Uint32Array.from({ length: N }, (_, n) => n).sort((a, b) => data.x[a * d]! - data.x[b * d]! || a - b);
  const first = Float64Array.from(order, (n) => data.x[n * d]!);
  const y = new Float64Array(M);
  for (let m = 0; m < M; m++) {
    const x0 = x[m * d]!;
    // the first place whose first coordinate is ≥ x0
    let [lo, hi] = [0, N];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (first[mid]! < x0) lo = mid + 1;
      else hi = mid;
    }
    let best = Infinity;
    let bestN = N;
    const consider = (p: number) => {
      const n = order[p]!;
      let s = 0;
      for (let i = 0; i < d; i++) s += (x[m * d + i]! - data.x[n * d + i]!) ** 2;
      // a tie goes to the training point listed first
      if (s < best || (s === best && n < bestN)) [best, bestN] = [s, n];
    };
    for (let p = lo; p < N && (first[p]! - x0) ** 2 <= best; p++) consider(p);
    for (let p = lo - 1; p >= 0 && (x0 - first[p]!) ** 2 <= best; p--) consider(p);
    y[m] = data.y[bestN]!;
  }
  return y;
}

/** The plane's would-be training points: the raster's centres, each labelled as PLANE_LABEL says. */
export function planePoints(data: Dataset, extent: [number, number], grid: number): Dataset {
  if (data.d !== 2) throw new RangeError(`pull: a picture over the plane needs d = 2, got d = ${data.d}`);
  const x = rasterCentres(extent, grid);
  return { d: 2, N: grid * grid, x, y: nearestLabels(x, data) };
}

/** Everything the page shows of the pull on θ_k. */
export interface Pull {
  k: number;
  /** ∂ℓ/∂θ_k at each of `plane`'s points with its label: what a training point there would pull with (no 1/N). */
  plane: Float64Array;
  /** (1/N)·∂ℓ_n/∂θ_k per training point. */
  shares: Float64Array;
  /** δ_l = ∂L_data/∂z_l per training point and layer (1/N included). */
  delta: Float64Array[];
  /** Σ_n shares[n]: the data term of the batch gradient. */
  dataGrad: number;
  /** ∂R/∂θ_k. */
  penalty: number;
  /** dataGrad + penalty: ∂L_total/∂θ_k over the full batch. */
  total: number;
}

/** The pull on θ_k over the plane's points (none without `plane`) and of the training points, from their signals. */
export function pullFrom(
  train: SampleSignals,
  plane: SampleSignals | null,
  params: ArrayLike<number>,
  objective: Objective,
  k: number,
): Pull {
  const own = pullsOf(train, k);
  let dataGrad = 0;
  for (const v of own.share) dataGrad += v;
  const penalty = penaltyGradientAt(train.model, params, objective, k);
  return {
    k,
    plane: plane ? pullsOf(plane, k).grad : new Float64Array(0),
    shares: own.share,
    delta: train.delta,
    dataGrad,
    penalty,
    total: dataGrad + penalty,
  };
}

/** The pull on θ_k over the plane's points and of the training points, at `params`. */
export function pullOf(
  model: Model,
  params: ArrayLike<number>,
  train: Dataset,
  plane: Dataset,
  objective: Objective,
  k: number,
): Pull {
  paramRef(model, k);
  const signals = (data: Dataset) => sampleSignals(model, params, data, objective.loss);
  return pullFrom(signals(train), signals(plane), params, objective, k);
}
