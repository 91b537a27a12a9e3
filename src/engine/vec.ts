/**
 * The thin vector helper the network is built with: plain arrays of `Value`s
 * (or numbers, for inputs), no tensor type. Each function is a loop of scalar ops,
 * so the graph it builds is exactly the sum of products the math writes.
 */
import { Value, type Operand, lift } from './value.js';

/** w · x = Σᵢ wᵢ xᵢ. Both must have the same length, at least 1. */
export function dot(w: readonly Operand[], x: readonly Operand[]): Value {
  if (w.length !== x.length) throw new RangeError(`dot: lengths differ (${w.length} and ${x.length})`);
  if (w.length === 0) throw new RangeError('dot: vectors must have at least one element');
  let acc = lift(w[0]!).mul(x[0]!);
  for (let i = 1; i < w.length; i++) acc = acc.add(lift(w[i]!).mul(x[i]!));
  return acc;
}

/** W x for W given as rows: (W x)ᵢ = Wᵢ · x. */
export function matVec(W: readonly (readonly Operand[])[], x: readonly Operand[]): Value[] {
  return W.map((row) => dot(row, x));
}

/** Σᵢ vᵢ (at least one element). */
export function sum(v: readonly Value[]): Value {
  if (v.length === 0) throw new RangeError('sum: needs at least one element');
  let acc = v[0]!;
  for (let i = 1; i < v.length; i++) acc = acc.add(v[i]!);
  return acc;
}

/** (1/n) Σᵢ vᵢ. */
export function mean(v: readonly Value[]): Value {
  return sum(v).mul(1 / v.length);
}
