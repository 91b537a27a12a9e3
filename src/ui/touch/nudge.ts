/**
 * One weight changed by hand, and what the gradient said it would do: the loss before and after (the CPU oracle's L
 * on every training point), the actual change ΔL, and the first-order prediction ΔL ≈ (∂L/∂w)·Δw from the gradient
 * at the old value. Also how a typed value is checked. Pure: no DOM.
 */
import { parseDecimal } from '../../mlp/decimal.js';

/** A weight typed by hand is a number in [−WEIGHT_EDIT_MAX, WEIGHT_EDIT_MAX]: far beyond any trained weight here. */
export const WEIGHT_EDIT_MAX = 100;

/**
 * The prediction "agrees" when it misses the actual change by at most this share of it: a first-order estimate is off
 * by about ½·∂²L/∂w²·Δw², which a small Δw makes small beside the linear term.
 */
export const AGREE_SHARE = 0.1;

/** A typed value for the weight `name`, or an error naming it and the range. */
export function parseWeight(name: string, raw: string): { value: number } | { error: string } {
  const range = `a number in [−${WEIGHT_EDIT_MAX}, ${WEIGHT_EDIT_MAX}], written in decimal (like 0.5 or -1.25)`;
  if (raw.trim() === '') return { error: `${name}: type a new value, ${range}` };
  const v = parseDecimal(raw);
  if (!Number.isFinite(v) || Math.abs(v) > WEIGHT_EDIT_MAX) return { error: `${name} must be ${range}, got '${raw}'` };
  return { value: v };
}

/** The parts of a snapshot a nudge reads: the parameters and the oracle's loss and gradient at them. */
export interface AtParams {
  step: number;
  params: ArrayLike<number>;
  oracle: { loss: number; grads: ArrayLike<number> };
}

export interface Nudge {
  name: string;
  index: number;
  step: number;
  /** The weight before and after (as the trainer holds it: f32 on the GPU). */
  w0: number;
  w1: number;
  dw: number;
  /** ∂L/∂w at w0. */
  g: number;
  before: number;
  after: number;
  /** after − before. */
  actual: number;
  /** g·Δw. */
  predicted: number;
  /** Whether the prediction misses the actual change by at most AGREE_SHARE of it. */
  agrees: boolean;
}

export function nudgeOf(name: string, index: number, before: AtParams, after: AtParams): Nudge {
  const w0 = before.params[index]!;
  const w1 = after.params[index]!;
  const dw = w1 - w0;
  const g = before.oracle.grads[index]!;
  const actual = after.oracle.loss - before.oracle.loss;
  const predicted = g * dw;
  const agrees = Math.abs(actual - predicted) <= AGREE_SHARE * Math.abs(actual);
  return {
    name,
    index,
    step: after.step,
    w0,
    w1,
    dw,
    g,
    before: before.oracle.loss,
    after: after.oracle.loss,
    actual,
    predicted,
    agrees,
  };
}

/** How far the prediction is from the actual change, as a share of the actual change ("12%", "0.034%"). */
export function missShare(n: Nudge): string {
  if (n.actual === 0) return n.predicted === 0 ? '0%' : 'all of it';
  return `${Number(((100 * Math.abs(n.actual - n.predicted)) / Math.abs(n.actual)).toPrecision(2))}%`;
}

/**
 * Two losses written with enough significant digits to tell them apart (at least 4, at most 12): a small nudge
 * changes L in its fifth digit or later, and "0.001764 → 0.001764" would hide the change being explained.
 */
export function lossDigits(before: number, after: number): number {
  const change = Math.abs(after - before);
  const size = Math.max(Math.abs(before), Math.abs(after));
  if (change === 0 || size === 0) return 4;
  return Math.min(12, Math.max(4, Math.ceil(Math.log10(size / change)) + 2));
}

/** The parameter with the largest |∂L/∂w|, the lowest index among ties: the weight shown first, as it moves L most. */
export function steepest(grads: ArrayLike<number>): number {
  let k = 0;
  for (let i = 1; i < grads.length; i++) if (Math.abs(grads[i]!) > Math.abs(grads[k]!)) k = i;
  return k;
}

/** A number written for a learner: a true minus sign (U+2212), not ASCII "-". */
export const minus = (text: string): string => text.replaceAll('-', '−');

/**
 * The value the GPU stores for a typed one (the nearest f32), to the first digit where the two differ: 0.0068 is
 * stored as 0.0068000001, not 0.006800000090152025 (the digits past that say nothing a learner needs).
 */
export function storedDigits(typed: number, held: number): string {
  let p = 1;
  while (p < 17 && Number(held.toPrecision(p)) === Number(typed.toPrecision(p))) p++;
  return minus(String(Number(held.toPrecision(p))));
}

/** "a × b" of two written numbers, a negative b in parentheses: "0.03524 × (−0.1)". */
export function product(a: string, b: string): string {
  return `${a} × ${/^[−-]/.test(b) ? `(${b})` : b}`;
}
