/**
 * Central finite differences: the check that needs no derivative rules at all.
 * For a parameter θ, dL/dθ ≈ (L(θ + h) − L(θ − h)) / 2h, with error O(h²) from
 * the Taylor series and O(ε/h) from rounding (ε ≈ 1e-16 in f64), balanced near h ≈ 1e-5.
 */
import type { Value } from './value.js';

export interface GradCheckEntry {
  /** Index into the parameter list. */
  index: number;
  /** The gradient from `backward()`. */
  analytic: number;
  /** The central difference. */
  numeric: number;
  absError: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|), and 0 where both are 0. */
  relError: number;
}

export interface GradCheckResult {
  entries: GradCheckEntry[];
  maxAbsError: number;
  maxRelError: number;
}

export interface GradCheckOptions {
  /** Step size; default 1e-5. */
  h?: number;
  /** Which parameters to check; default all. */
  indices?: readonly number[];
}

/**
 * Compares `backward()` with central differences for the chosen parameters.
 * `loss` must rebuild the graph from the parameters' current `data` each call.
 * Parameters are restored exactly afterwards.
 */
export function gradcheck(
  params: readonly Value[],
  loss: () => Value,
  options: GradCheckOptions = {},
): GradCheckResult {
  const h = options.h ?? 1e-5;
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`gradcheck: h must be a finite number > 0, got ${h}`);
  const indices = options.indices ?? params.map((_, i) => i);
  loss().backward();
  const analytic = indices.map((i) => param(params, i).grad);
  const entries = indices.map((i, k) => {
    const p = param(params, i);
    const saved = p.data;
    p.data = saved + h;
    const plus = loss().data;
    p.data = saved - h;
    const minus = loss().data;
    p.data = saved;
    const numeric = (plus - minus) / (2 * h);
    return compareOne(i, analytic[k]!, numeric);
  });
  return {
    entries,
    maxAbsError: Math.max(0, ...entries.map((e) => e.absError)),
    maxRelError: Math.max(0, ...entries.map((e) => e.relError)),
  };
}

/** One comparison, with the relative error defined once for the whole project. */
export function compareOne(index: number, analytic: number, numeric: number): GradCheckEntry {
  const absError = Math.abs(analytic - numeric);
  const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
  return { index, analytic, numeric, absError, relError: scale === 0 ? 0 : absError / scale };
}

function param(params: readonly Value[], i: number): Value {
  const p = params[i];
  if (p === undefined) throw new RangeError(`gradcheck: index ${i} is outside 0..${params.length - 1}`);
  return p;
}
