/**
 * What the computation graph shows, as plain numbers: one sample's forward values and gradients through every layer,
 * the batch totals of the parameter gradients, each scalar edge's local Jacobian and, with an L1/L2 penalty, R and its
 * share of every weight's gradient. Pure, so the page, the docs generator and the tests share it.
 *   L = L_data + R,  L_data = (1/N) Σ_n ℓ_n, so ∂L/∂ℓ_n = 1/N and δ_{L+1} = ∂L/∂z_{L+1} = (1/N) ∂ℓ_n/∂z_{L+1}.
 *   BCE (fused with σ, computed from the logit): ∂ℓ/∂z = ŷ − y.   MSE: ∂ℓ/∂ŷ = 2(ŷ − y), ∂ŷ/∂z = ŷ(1 − ŷ) for σ, 1 for
 *   the identity output.   δ_l = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l).   ∂R/∂w = λ1 sign(w) + λ2 w on the weights alone.
 * Keys are the math's names with the layer's number: W1, b1, z1, a1, dz1 (δ1), da1, dW1, db1, cW1, cb1 (this sample's
 * shares) for each layer, z_{L+1}, dz_{L+1} at the output; for one hidden layer exactly the 2-layer network's.
 */
import { ACTIVATIONS, type HiddenActivation } from '../../engine/activation.js';
import type { LossKind } from '../../engine/losses.js';
import { modelLayout, type Output } from '../../mlp/model.js';
import { penaltyValue } from '../../mlp/objective.js';

export interface GraphInput {
  d: number;
  /** The hidden widths H_1..H_L. */
  hidden: readonly number[];
  /** Training points: the parameter gradients are sums over N samples. */
  N: number;
  /** The sample shown, 0..N−1. */
  n: number;
  loss: LossKind;
  /** The hidden activation f (default relu): a gate edge's local Jacobian is diag(f′(z_l)). */
  activation?: HiddenActivation;
  /** The output unit (default sigmoid): ŷ = σ(z_{L+1}), or ŷ = z_{L+1} for the identity. */
  output?: Output;
  /** Training step, or null for a fixed example (the explainer's). */
  step: number | null;
  x: readonly number[];
  y: number;
  /** Flat parameters [W1 | b1 | … | W_{L+1} | b_{L+1}] and ∂L/∂θ (the penalty's part included) in the same layout. */
  params: ArrayLike<number>;
  grads: ArrayLike<number>;
  /** This sample's z_l for l = 1..L+1 (the last: the logit), a_l and da_l = ∂L/∂a_l for l = 1..L. */
  z: readonly (readonly number[])[];
  a: readonly (readonly number[])[];
  da: readonly (readonly number[])[];
  /** δ_l = ∂L_data/∂z_l for l = 1..L+1, the 1/N of the mean included. */
  delta: readonly (readonly number[])[];
  yHat: number;
  /** ℓ_n of this sample and L = L_data + R over the batch. */
  sampleLoss: number;
  batchLoss: number;
  /** λ1 and λ2 of the penalty R = λ1 Σ|w| + (λ2/2) Σ w² (absent or 0: no penalty). */
  l1?: number;
  l2?: number;
}

/** Every number the drawing can show, by key (see numberKeys); vectors are full length (the drawing shows a prefix). */
export interface GraphState {
  input: GraphInput;
  /** L, the number of hidden layers. */
  layers: number;
  /** Whether a penalty is set (λ1 or λ2 > 0): the R node and the weights' penalty parts are drawn. */
  penalty: boolean;
  values: Record<NumberKey, number[]>;
  /**
   * Local Jacobians of the scalar edges at this sample, for the product check: ∂L/∂ℓ, then ∂ℓ/∂z_{L+1} (fused BCE,
   * or 2(ŷ − y)·1 for the identity output), or ∂ℓ/∂ŷ · ∂ŷ/∂z_{L+1} (σ′, or 1 for the identity).
   */
  jacobians: { dLdl: number; dldz: number; dldyHat: number; dyHatdz: number };
}

/**
 * A key of GraphState.values. Per layer l (from 1): W{l}, b{l}, z{l}, dz{l} (δ_l), dW{l}, db{l} (batch totals Σ_n),
 * cW{l}, cb{l} (this sample's shares); for hidden layers also a{l}, da{l} and the gate f′(z_l) ('gate' for layer 1,
 * 'gate{l}' after it). Once: x, y, yHat, loss (ℓ_n), batchLoss (L), dl (∂L/∂ℓ_n), dyHat (∂L/∂ŷ). With a penalty:
 * dataLoss (L_data), R, dDataLoss and dR (∂L/∂L_data = ∂L/∂R = 1), and per weight matrix penW{l} (∂R/∂W_l) and
 * dataW{l} (dW{l} − penW{l}, the Σ_n of the shares).
 */
export type NumberKey = string;

/** The key of layer l's gate f′(z_l): 'gate' for the first, as the 2-layer network names it. */
export const gateKey = (l: number): NumberKey => (l === 1 ? 'gate' : `gate${l}`);

/** Every key of a state, in a stable order. */
export function numberKeys(s: GraphState): NumberKey[] {
  return Object.keys(s.values);
}

const slice = (a: ArrayLike<number>, offset: number, length: number) =>
  Array.from({ length }, (_, k) => a[offset + k]!);

export function graphState(g: GraphInput): GraphState {
  const { d, N, hidden } = g;
  const Lh = hidden.length;
  const layout = modelLayout({ d, hidden });
  const out = Lh + 1;
  const fPrime = ACTIVATIONS[g.activation ?? 'relu'].der;
  const identity = g.output === 'identity';
  const invN = 1 / N; // ∂L/∂ℓ_n for the mean loss
  const dldyHat = 2 * (g.yHat - g.y); // MSE: ∂ℓ/∂ŷ
  const dyHatdz = identity ? 1 : g.yHat * (1 - g.yHat); // σ′(z), or 1: ŷ = z
  const dldz = g.loss === 'bce' ? g.yHat - g.y : dldyHat * dyHatdz; // BCE: ∂ℓ/∂z = σ(z) − y
  const input = (l: number) => (l === 1 ? g.x : g.a[l - 2]!); // a_{l−1}, a_0 = x
  const values: Record<NumberKey, number[]> = { x: [...g.x], y: [g.y] };
  for (const { l, W, b } of layout.layers) {
    values[`W${l}`] = slice(g.params, W.offset, W.length);
    values[`b${l}`] = slice(g.params, b.offset, b.length);
  }
  for (let l = 1; l <= Lh; l++) {
    values[`z${l}`] = [...g.z[l - 1]!];
    values[`a${l}`] = [...g.a[l - 1]!];
  }
  Object.assign(values, {
    [`z${out}`]: [g.z[out - 1]![0]!],
    yHat: [g.yHat],
    loss: [g.sampleLoss],
    batchLoss: [g.batchLoss],
    [`dz${out}`]: [g.delta[out - 1]![0]!],
    dyHat: [invN * dldyHat], // ∂L/∂ŷ_n (MSE)
    dl: [invN],
  });
  for (let l = Lh; l >= 1; l--) {
    values[`da${l}`] = [...g.da[l - 1]!];
    values[`dz${l}`] = [...g.delta[l - 1]!];
  }
  for (const { l, W, b } of layout.layers) {
    values[`dW${l}`] = slice(g.grads, W.offset, W.length);
    values[`db${l}`] = slice(g.grads, b.offset, b.length);
  }
  for (const { l, W, nin } of layout.layers) {
    const delta = g.delta[l - 1]!;
    const a = input(l);
    values[`cW${l}`] = Array.from({ length: W.length }, (_, k) => delta[Math.floor(k / nin)]! * a[k % nin]!); // δ_j a_i
    values[`cb${l}`] = [...delta]; // δ_j
  }
  for (let l = 1; l <= Lh; l++) values[gateKey(l)] = g.z[l - 1]!.map(fPrime); // ReLU′(0) = 0, leaky′(0) = 0.01
  const l1 = g.l1 ?? 0;
  const l2 = g.l2 ?? 0;
  const penalty = l1 > 0 || l2 > 0;
  if (penalty) {
    const R = penaltyValue({ d, hidden }, g.params, l1, l2);
    Object.assign(values, { dataLoss: [g.batchLoss - R], R: [R], dDataLoss: [1], dR: [1] });
    for (const { l } of layout.layers) {
      const pen = values[`W${l}`]!.map((w) => l1 * Math.sign(w) + l2 * w); // sign(0) = 0
      values[`penW${l}`] = pen;
      values[`dataW${l}`] = values[`dW${l}`]!.map((v, k) => v - pen[k]!);
    }
  }
  return { input: g, layers: Lh, penalty, values, jacobians: { dLdl: invN, dldz, dldyHat, dyHatdz } };
}

/** How the page names f, and the largest f′ (to shade a gate by f′ / max f′). */
export const ACTIVATION_TEXT: Readonly<Record<HiddenActivation, { f: string; fMax: number }>> = {
  relu: { f: 'ReLU', fMax: 1 },
  leaky: { f: 'leaky ReLU', fMax: 1 },
  tanh: { f: 'tanh', fMax: 1 },
  sigmoid: { f: 'σ', fMax: 0.25 },
};

/**
 * The opacity of a gate's shading: 0.6·(1 − f′/max f′) where the gate is open, so a tanh or σ unit
 * darkens as it saturates; 0 where f′ = 0, a closed gate, which the drawing marks with its bar instead.
 */
export function gateShade(s: GraphState, j: number, l = 1): number {
  const fp = s.values[gateKey(l)]![j]!;
  if (fp === 0) return 0;
  const max = ACTIVATION_TEXT[s.input.activation ?? 'relu'].fMax;
  return 0.6 * Math.min(1, Math.max(0, 1 - fp / max));
}

/**
 * Numbers on the page: 4 significant digits, a true minus sign, no −0. A value
 * that would round to a whole number it is not (ŷ = 0.999999997 → "1") gets
 * more digits, up to 7, and past that is written as the whole number and its
 * distance ("1 − 3e-9"), so an exact-looking 1 is always exactly 1.
 */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'not finite';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2).replace('e+', 'e').replaceAll('-', '−');
  let p = 4;
  while (p < 7 && Number.isInteger(Number(v.toPrecision(p))) && Number(v.toPrecision(p)) !== v) p++;
  const r = Number(v.toPrecision(p));
  if (Number.isInteger(r) && r !== v) {
    const d = v - r;
    return `${r} ${d < 0 ? '−' : '+'} ${Math.abs(d).toExponential(0).replace('e+', 'e')}`.replaceAll('-', '−');
  }
  return String(r).replaceAll('-', '−');
}

/** Numbers in a list, shorter: 3 significant digits, exponents below 0.01. */
export function fmtShort(v: number): string {
  const a = Math.abs(v);
  // never an exact-looking whole number
  if (Number.isFinite(v) && Number.isInteger(Number(v.toPrecision(3))) && Number(v.toPrecision(3)) !== v) return fmt(v);
  if (!Number.isFinite(v) || v === 0 || (a >= 0.01 && a < 1e4))
    return Number.isFinite(v) && v !== 0 ? String(Number(v.toPrecision(3))).replaceAll('-', '−') : fmt(v);
  return v.toExponential(1).replace('e+', 'e').replaceAll('-', '−');
}

/** A short vector as "a, b"; longer ones cut to `max` entries with "…". */
export function fmtList(xs: readonly number[], max = 3): string {
  const shown = xs
    .slice(0, max)
    .map(xs.length > 1 ? fmtShort : fmt)
    .join(', ');
  return xs.length > max ? `${shown}, …` : shown;
}
