/**
 * The error model of one f32 operation, shared by every bound: the standard model
 * fl(a ∘ b) = (a ∘ b)(1 + ε), |ε| ≤ u, and the kernels' accuracy for `/` and exp
 * (docs/checking.md, "Error bounds for the f32 kernels").
 */

/** f32's unit roundoff (round to nearest). */
export const U = 2 ** -24;
/** The most a flushed subnormal result can be off, per operation. */
export const ETA = 2 ** -126;
/** γ_k = k·u/(1 − k·u): the relative error of k roundings. */
export const gamma = (k: number): number => (k * U) / (1 - k * U);
/** Relative error of the kernels' `/` (2.5 ulp, an ulp ≤ 2u of the value). */
export const DIV = 5 * U;
/** Relative error of the kernels' exp(t): (3 + 2|t|) ulp. */
export const expError = (t: number): number => (6 + 4 * Math.abs(t)) * U;
/** Cover for the second-order terms the first-order formulas below leave out. */
export const SLACK = 1 + 1e-3;

/** How far the upload moves a value: |v − fround(v)|. */
export const f32Error = (v: number): number => Math.abs(v - Math.fround(v));
/** The rounding of k operations on terms of total size `mag`; none at all where every term is 0 (exact). */
export const rounding = (k: number, mag: number): number => (mag > 0 ? gamma(k) * mag + k * ETA : 0);
/** |a·b| with inexact operands: propagated error plus the product's own rounding. */
export const mulError = (a: number, ea: number, b: number, eb: number): number =>
  Math.abs(a) * eb + ea * Math.abs(b) + ea * eb + rounding(1, (Math.abs(a) + ea) * (Math.abs(b) + eb));
