/**
 * The derivation as code: the MLP in matrix form over a batch, in f64, with the
 * backward pass written as the δ recursion, not as a graph walk. It is the oracle
 * the GPU is checked against.
 *
 * The general network (src/mlp/model.ts; what is minimised: src/mlp/objective.ts),
 * per sample, a batch stacking B of them as rows:
 *   z_l = W_l a_{l−1} + b_l, a_l = f(z_l) (a_0 = x, l = 1..L), z_{L+1} = W_{L+1} a_L + b_{L+1},
 *   ŷ = σ(z_{L+1}) or z_{L+1};  δ_l = ∂L/∂z_l:
 *   δ_{L+1} = (ŷ − y)/B (BCE), 2(ŷ − y)σ′(z_{L+1})/B (MSE, σ), 2(ŷ − y)/B (MSE, identity)
 *   δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l),  dW_l = Σ_n δ_l a_{l−1}ᵀ + λ1 sign(W_l) + λ2 W_l,  db_l = Σ_n δ_l
 *
 * The 2-layer functions (forward, backward, lossAndGrads, ...) are its L = 1 case with
 * the σ output and no penalty, under the names z1, a1, z2, yHat, dz2, da1, dz1:
 *   x ∈ R^d, z1 = W1 x + b1 ∈ R^H, a1 = f(z1) ∈ R^H, z2 = W2 a1 + b2 ∈ R, yHat = σ(z2)
 *   L = (1/N) Σ_n ℓ(z2_n, y_n)
 * f is the hidden activation (src/engine/activation.ts), named by the network's
 * `activation` (ReLU where none is given, so every older caller keeps its meaning).
 * Arrays are flat and row-major: z1, a1, da1, dz1 are N×H; z2, yHat, dz2 are N.
 */
import { ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { sigmoid, softplus } from '../engine/value.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from './data/data.js';
import { checkLabels, checkModelParams, type Model, oneLayerModel, type Output } from './model.js';
import { addPenaltyGradient, checkLossOutput, checkObjective, type Objective, penaltyValue } from './objective.js';
import { paramLayout, type Spec } from './spec.js';

/** The network: its shapes and its hidden activation f (default ReLU). */
export type Net = Pick<Spec, 'd' | 'H'> & { readonly activation?: HiddenActivation };

/** f and f′ of a network. */
export const activationOf = (net: Net) => ACTIVATIONS[net.activation ?? 'relu'];

export interface ForwardCache {
  /** N×H pre-activations of the hidden layer. */
  z1: Float64Array;
  /** N×H hidden activations. */
  a1: Float64Array;
  /** N logits. */
  z2: Float64Array;
  /** N outputs σ(z2). */
  yHat: Float64Array;
}

export interface Backward {
  /** N values of ∂L/∂z2 = δ2 (the 1/N of the mean included). */
  dz2: Float64Array;
  /** N×H values of ∂L/∂a1 = W2ᵀ δ2. */
  da1: Float64Array;
  /** N×H values of ∂L/∂z1 = δ1 = (W2ᵀ δ2) ⊙ f′(z1). */
  dz1: Float64Array;
  /** ∂L/∂θ in the flat layout [dW1 | db1 | dW2 | db2]. */
  grads: Float64Array;
}

/** The forward pass over the batch, keeping what the backward pass needs. */
export function forward(spec: Net, params: ArrayLike<number>, data: Dataset): ForwardCache {
  checkShapes(spec, params, data);
  const c = forwardModel(oneLayerModel(spec), params, data);
  return { z1: c.z[0]!, a1: c.a[0]!, z2: c.z[1]!, yHat: c.yHat };
}

/** Per-sample losses ℓ_n: BCE as softplus(z2) − y·z2 (stable), MSE as (yHat − y)². */
export function sampleLosses(kind: LossKind, cache: ForwardCache, y: ArrayLike<number>): Float64Array {
  return cache.z2.map((z, n) => (kind === 'bce' ? softplus(z) - y[n] * z : (cache.yHat[n] - y[n]) ** 2));
}

/** The same per-sample losses from the logits alone. */
export function sampleLossesFromLogits(kind: LossKind, z2: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const logits = Float64Array.from(z2);
  return sampleLosses(
    kind,
    { z1: new Float64Array(0), a1: new Float64Array(0), z2: logits, yHat: logits.map(sigmoid) },
    y,
  );
}

/** L = (1/N) Σ_n ℓ_n. */
export function lossValue(kind: LossKind, cache: ForwardCache, y: ArrayLike<number>): number {
  const l = sampleLosses(kind, cache, y);
  let s = 0;
  for (const v of l) s += v;
  return s / l.length;
}

/** The backward pass: δ2 → dW2, db2 → δ1 = (W2ᵀ δ2) ⊙ f′(z1) → dW1, db1, summed over the batch. */
export function backward(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  cache: ForwardCache,
  kind: LossKind,
): Backward {
  checkShapes(spec, params, data);
  const model = oneLayerModel(spec);
  const full: ModelCache = {
    rows: allRows(data.N),
    z: [cache.z1, cache.z2],
    a: [cache.a1],
    yHat: cache.yHat,
    y: data.y,
  };
  const b = backwardModel(model, params, data, full, { loss: kind });
  return { dz2: b.delta[1]!, da1: b.da[0]!, dz1: b.delta[0]!, grads: b.grads };
}

/** Loss and gradients at the given parameters, in one call. */
export function lossAndGrads(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  kind: LossKind,
): { loss: number; cache: ForwardCache } & Backward {
  const cache = forward(spec, params, data);
  return { loss: lossValue(kind, cache, data.y), cache, ...backward(spec, params, data, cache, kind) };
}

/** θ ← θ − lr · g, in place. */
export function sgdUpdate(params: Float64Array, grads: ArrayLike<number>, lr: number): void {
  for (let k = 0; k < params.length; k++) params[k] -= lr * grads[k];
}

function checkShapes(spec: Net, params: ArrayLike<number>, data: Dataset): { d: number; H: number } {
  const size = paramLayout(spec).size;
  if (params.length !== size) {
    throw new RangeError(`parameters: expected ${size} values for d=${spec.d}, H=${spec.H}, got ${params.length}`);
  }
  if (data.d !== spec.d)
    throw new RangeError(`data: samples have d=${data.d} features, the network expects d=${spec.d}`);
  return { d: spec.d, H: spec.H };
}

/**
 * Central differences of the loss for chosen flat-layout parameters, h = 1e-5 by
 * default: the fourth, rule-free way to get the same gradients.
 */
export function numericGradient(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  kind: LossKind,
  { h = 1e-5, indices }: { h?: number; indices?: readonly number[] } = {},
): Float64Array {
  const theta = Float64Array.from(params);
  const at = indices ?? Array.from(theta, (_, k) => k);
  const out = new Float64Array(theta.length).fill(NaN);
  const lossAt = () => lossValue(kind, forward(spec, theta, data), data.y);
  for (const k of at) {
    const saved = theta[k];
    theta[k] = saved + h;
    const plus = lossAt();
    theta[k] = saved - h;
    const minus = lossAt();
    theta[k] = saved;
    out[k] = (plus - minus) / (2 * h);
  }
  return out;
}

/** What the general forward pass keeps for the backward pass, for a batch of B rows. */
export interface ModelCache {
  /** The batch: B indices into the dataset, in the order of its rows here. */
  readonly rows: ArrayLike<number>;
  /** z[l − 1] = z_l, B×H_l row-major, for l = 1..L+1 (the last holds the B logits z_{L+1}). */
  readonly z: readonly Float64Array[];
  /** a[l − 1] = a_l = f(z_l), B×H_l, for l = 1..L. */
  readonly a: readonly Float64Array[];
  /** The B outputs ŷ: σ(z_{L+1}), or z_{L+1} itself for the identity output. */
  readonly yHat: Float64Array;
  /** The B labels, y[rows[r]]. */
  readonly y: Float64Array;
}

export interface ModelBackward {
  /** delta[l − 1] = δ_l = ∂L_data/∂z_l, B×H_l, l = 1..L+1 (the batch mean's 1/B included). */
  delta: Float64Array[];
  /** da[l − 1] = ∂L/∂a_l = W_{l+1}ᵀ δ_{l+1}, B×H_l, l = 1..L. */
  da: Float64Array[];
  /** ∂L_total/∂θ in the flat layout [dW1 | db1 | … | dW_{L+1} | db_{L+1}], the penalty's gradient included. */
  grads: Float64Array;
}

/** The two terms of the loss and their sum: L_total = L_data + R. */
export interface LossTerms {
  /** L_total. */
  loss: number;
  /** L_data, the batch mean of the per-sample losses. */
  dataLoss: number;
  /** R = λ1 Σ|w| + (λ2/2) Σ w². */
  penalty: number;
}

/** 0, 1, …, N − 1: the full batch in its own order. */
export function allRows(N: number): Uint32Array {
  const rows = new Uint32Array(N);
  for (let i = 0; i < N; i++) rows[i] = i;
  return rows;
}

/**
 * The forward pass of the general network over a batch: the rows `rows` of the
 * dataset (default every row in order). Nothing about labels is checked here.
 */
export function forwardModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  rows: ArrayLike<number> = allRows(data.N),
): ModelCache {
  const layout = checkModelParams(model, params);
  if (data.d !== model.d)
    throw new RangeError(`data: samples have d=${data.d} features, the network expects d=${model.d}`);
  checkRows(rows, data.N);
  const f = ACTIVATIONS[model.activation].output;
  const B = rows.length;
  const { x } = data;
  const z: Float64Array[] = [];
  const a: Float64Array[] = [];
  for (const { W, b, nin, nout, l } of layout.layers) {
    const zl = new Float64Array(B * nout);
    const prev = l === 1 ? null : a[l - 2]!;
    for (let r = 0; r < B; r++) {
      // the input row: x_n for the first layer, a_{l−1} of the same row after it
      const src = prev ?? x;
      const base = prev ? r * nin : rows[r]! * nin;
      for (let j = 0; j < nout; j++) {
        let acc = params[b.offset + j]!; // z_l[j] = W_l[j] · a_{l−1} + b_l[j]   [nin]·[nin] + [1]
        const w = W.offset + j * nin;
        for (let i = 0; i < nin; i++) acc += params[w + i]! * src[base + i]!;
        zl[r * nout + j] = acc;
      }
    }
    z.push(zl);
    if (l <= model.hidden.length) a.push(mapArray(zl, f)); // a_l = f(z_l); the output layer's f is the output unit's
  }
  const logits = z[z.length - 1]!;
  const yHat = model.output === 'sigmoid' ? mapArray(logits, sigmoid) : logits.slice();
  const y = new Float64Array(B);
  for (let r = 0; r < B; r++) y[r] = data.y[rows[r]!]!;
  return { rows, z, a, yHat, y };
}

/** Per-row losses ℓ: BCE as softplus(z) − y·z (stable, from the logit), MSE as (ŷ − y)². */
export function sampleLossesModel(output: Output, kind: LossKind, cache: ModelCache): Float64Array {
  const logits = cache.z[cache.z.length - 1]!;
  checkLossOutput(kind, output);
  const { y, yHat } = cache;
  const out = new Float64Array(logits.length);
  for (let r = 0; r < out.length; r++) {
    const z = logits[r]!;
    out[r] = kind === 'bce' ? softplus(z) - y[r]! * z : (yHat[r]! - y[r]!) ** 2;
  }
  return out;
}

/**
 * The backward pass: δ_{L+1}, then δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l) down to l = 1, each
 * layer's gradient summed over the batch, and the penalty's gradient added to the weights'.
 */
export function backwardModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  cache: ModelCache,
  objective: Objective,
): ModelBackward {
  const layout = checkModelParams(model, params);
  const { loss: kind, l1, l2 } = checkObjective(model.output, objective);
  const fPrime = ACTIVATIONS[model.activation].der;
  const { rows, yHat, y } = cache;
  const B = rows.length;
  const Lp1 = layout.layers.length; // L + 1
  const delta: Float64Array[] = layout.layers.map(({ nout }) => new Float64Array(B * nout));
  const da: Float64Array[] = layout.layers.slice(0, -1).map(({ nout }) => new Float64Array(B * nout));
  const grads = new Float64Array(layout.size);
  const out = delta[Lp1 - 1]!;
  for (let r = 0; r < B; r++) {
    const p = yHat[r]!;
    // δ_{L+1} = ∂L/∂z_{L+1}: BCE gives (ŷ − y)/B; MSE 2(ŷ − y)/B, times σ′ = ŷ(1 − ŷ) for σ, times 1 for the identity
    out[r] =
      kind === 'bce'
        ? (p - y[r]!) / B
        : model.output === 'sigmoid'
          ? (2 * (p - y[r]!) * p * (1 - p)) / B
          : (2 * (p - y[r]!)) / B;
  }
  for (let l = Lp1; l >= 1; l--) {
    const { W, b, nin, nout } = layout.layers[l - 1]!;
    const dl = delta[l - 1]!;
    const input = l === 1 ? null : cache.a[l - 2]!;
    // dW_l = Σ_n δ_l a_{l−1}ᵀ   [nout×nin],  db_l = Σ_n δ_l   [nout]
    for (let r = 0; r < B; r++) {
      const src = input ?? data.x;
      const base = input ? r * nin : rows[r]! * nin;
      for (let k = 0; k < nout; k++) {
        const g = dl[r * nout + k]!;
        grads[b.offset + k] += g;
        const w = W.offset + k * nin;
        for (let i = 0; i < nin; i++) grads[w + i] += g * src[base + i]!;
      }
    }
    if (l === 1) break;
    // δ_{l−1} = (W_lᵀ δ_l) ⊙ f′(z_{l−1})   [nin]
    const dprev = delta[l - 2]!;
    const daPrev = da[l - 2]!;
    const zPrev = cache.z[l - 2]!;
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < nin; j++) {
        let g = params[W.offset + j]! * dl[r * nout]!; // first term alone: one output unit gives W_lᵀ δ_l exactly
        for (let k = 1; k < nout; k++) g += params[W.offset + k * nin + j]! * dl[r * nout + k]!;
        daPrev[r * nin + j] = g;
        // NOTE: ReLU′(0) = 0 (leaky′(0) = 0.01), so a ReLU unit sitting exactly at z = 0 passes no gradient.
        const fp = fPrime(zPrev[r * nin + j]!);
        dprev[r * nin + j] = fp === 0 ? 0 : g * fp; // a closed gate gives exactly 0
      }
    }
  }
  addPenaltyGradient(model, params, l1, l2, grads); // + λ1 sign(w) + λ2 w on the weights
  return { delta, da, grads };
}

/** The loss terms over a batch (default the full batch). */
export function lossModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  rows?: ArrayLike<number>,
): LossTerms {
  const { loss: kind, l1, l2 } = checkObjective(model.output, objective);
  const cache = forwardModel(model, params, data, rows);
  checkLabels(model.output, cache.y);
  return terms(sampleLossesModel(model.output, kind, cache), penaltyValue(model, params, l1, l2));
}

/** Loss terms, per-row losses and gradients at the given parameters over a batch (default the full batch), in one call. */
export function lossAndGradsModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  rows?: ArrayLike<number>,
): LossTerms & ModelBackward & { cache: ModelCache; losses: Float64Array } {
  const { loss: kind, l1, l2 } = checkObjective(model.output, objective);
  const cache = forwardModel(model, params, data, rows);
  checkLabels(model.output, cache.y);
  const losses = sampleLossesModel(model.output, kind, cache);
  const { delta, da, grads } = backwardModel(model, params, data, cache, objective);
  const { loss, dataLoss, penalty } = terms(losses, penaltyValue(model, params, l1, l2));
  return { loss, dataLoss, penalty, delta, da, grads, cache, losses };
}

/** Central differences of L_total for chosen flat-layout parameters (default all), h = 1e-5 by default. */
export function numericGradientModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  { h = 1e-5, indices, rows }: { h?: number; indices?: readonly number[]; rows?: ArrayLike<number> } = {},
): Float64Array {
  const theta = Float64Array.from(params);
  const at = indices ?? Array.from(theta, (_, k) => k);
  const out = new Float64Array(theta.length).fill(NaN);
  const lossAt = () => lossModel(model, theta, data, objective, rows).loss;
  for (const k of at) {
    const saved = theta[k]!;
    theta[k] = saved + h;
    const plus = lossAt();
    theta[k] = saved - h;
    const minus = lossAt();
    theta[k] = saved;
    out[k] = (plus - minus) / (2 * h);
  }
  return out;
}

/** f applied to every entry (a loop: a typed array's own map is slow in V8). */
function mapArray(v: Float64Array, f: (z: number) => number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = f(v[i]!);
  return out;
}

function terms(losses: Float64Array, penalty: number): LossTerms {
  let s = 0;
  for (const v of losses) s += v;
  const dataLoss = s / losses.length;
  return { loss: dataLoss + penalty, dataLoss, penalty };
}

function checkRows(rows: ArrayLike<number>, N: number): void {
  if (rows.length === 0) throw new RangeError('batch: no rows (need at least 1)');
  for (let r = 0; r < rows.length; r++) {
    const n = rows[r]!;
    if (!Number.isInteger(n) || n < 0 || n >= N) {
      throw new RangeError(`batch: row ${r} is sample ${n}, must be an integer in [0, ${N - 1}]`);
    }
  }
}
