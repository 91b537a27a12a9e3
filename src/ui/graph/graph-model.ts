/**
 * What the computation graph shows, as plain numbers: one sample's forward values and gradients, the batch totals of
 * the parameter gradients, and each scalar edge's local Jacobian. Pure, so the page, the docs generator and the tests
 * share it.
 *   L = (1/N) Σ_n ℓ_n, so ∂L/∂ℓ_n = 1/N and δ2 = ∂L/∂z2_n = (1/N) ∂ℓ_n/∂z2_n.
 *   BCE (fused with σ, computed from the logit): ∂ℓ/∂z2 = ŷ − y.   MSE: ∂ℓ/∂ŷ = 2(ŷ − y), ∂ŷ/∂z2 = ŷ(1 − ŷ).
 */
import { ACTIVATIONS, type HiddenActivation } from '../../engine/activation.js';
import type { LossKind } from '../../engine/losses.js';
import { paramLayout } from '../../mlp/spec.js';

export interface GraphInput {
  d: number;
  H: number;
  /** Batch size: the parameter gradients are sums over N samples. */
  N: number;
  /** The sample shown, 0..N−1. */
  n: number;
  loss: LossKind;
  /** The hidden activation f (default relu): the gate edge's local Jacobian is diag(f′(z1)). */
  activation?: HiddenActivation;
  /** Training step, or null for a fixed example (the explainer's). */
  step: number | null;
  x: readonly number[];
  y: number;
  /** Flat parameters [W1 | b1 | W2 | b2] and the batch gradients in the same layout. */
  params: ArrayLike<number>;
  grads: ArrayLike<number>;
  z1: readonly number[];
  a1: readonly number[];
  da1: readonly number[];
  dz1: readonly number[];
  z2: number;
  yHat: number;
  dz2: number;
  /** ℓ_n of this sample and the batch loss L. */
  sampleLoss: number;
  batchLoss: number;
}

/** Every number the drawing can show, by key; vectors are full length (the drawing shows a prefix). */
export interface GraphState {
  input: GraphInput;
  values: Record<NumberKey, number[]>;
  /** Local Jacobians of the scalar edges at this sample, for the product check: ∂L/∂ℓ, ∂ℓ/∂z2 or ∂ℓ/∂ŷ·∂ŷ/∂z2. */
  jacobians: { dLdl: number; dldz2: number; dldyHat: number; dyHatdz2: number };
}

export const NUMBER_KEYS = [
  'x',
  'y',
  'W1',
  'b1',
  'W2',
  'b2',
  'z1',
  'a1',
  'z2',
  'yHat',
  'loss',
  'batchLoss',
  'dz2',
  'dyHat',
  'dl',
  'da1',
  'dz1',
  'dW1',
  'db1',
  'dW2',
  'db2', // batch totals Σ_n
  'cW1',
  'cb1',
  'cW2',
  'cb2', // this sample's contributions
  'gate',
] as const;
export type NumberKey = (typeof NUMBER_KEYS)[number];

const slice = (a: ArrayLike<number>, offset: number, length: number) =>
  Array.from({ length }, (_, k) => a[offset + k]!);

export function graphState(g: GraphInput): GraphState {
  const L = paramLayout({ d: g.d, H: g.H });
  const { d, H, N } = g;
  const invN = 1 / N; // ∂L/∂ℓ_n for the mean loss
  const dldz2 = g.yHat - g.y; // BCE: ∂ℓ/∂z2 = σ(z2) − y
  const dldyHat = 2 * (g.yHat - g.y); // MSE: ∂ℓ/∂ŷ
  const dyHatdz2 = g.yHat * (1 - g.yHat); // σ′(z2)
  const W1 = slice(g.params, L.W1.offset, H * d);
  const values: Record<NumberKey, number[]> = {
    x: [...g.x],
    y: [g.y],
    W1,
    b1: slice(g.params, L.b1.offset, H),
    W2: slice(g.params, L.W2.offset, H),
    b2: [g.params[L.b2.offset]!],
    z1: [...g.z1],
    a1: [...g.a1],
    z2: [g.z2],
    yHat: [g.yHat],
    loss: [g.sampleLoss],
    batchLoss: [g.batchLoss],
    dz2: [g.dz2],
    dyHat: [invN * dldyHat], // ∂L/∂ŷ_n (MSE path)
    dl: [invN],
    da1: [...g.da1],
    dz1: [...g.dz1],
    dW1: slice(g.grads, L.W1.offset, H * d),
    db1: slice(g.grads, L.b1.offset, H),
    dW2: slice(g.grads, L.W2.offset, H),
    db2: [g.grads[L.b2.offset]!],
    cW1: W1.map((_, k) => g.dz1[Math.floor(k / d)]! * g.x[k % d]!), // δ1_j x_i
    cb1: [...g.dz1], // δ1_j
    cW2: g.a1.map((a) => g.dz2 * a), // δ2 a1_j
    cb2: [g.dz2], // δ2
    gate: g.z1.map(ACTIVATIONS[g.activation ?? 'relu'].der), // f′(z1): ReLU′(0) = 0, leaky′(0) = 0.01
  };
  return { input: g, values, jacobians: { dLdl: invN, dldz2, dldyHat, dyHatdz2 } };
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
export function gateShade(s: GraphState, j: number): number {
  const fp = s.values.gate[j]!;
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
