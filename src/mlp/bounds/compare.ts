/**
 * Comparing two sets of numbers in the flat layout, tensor by tensor, and the
 * tolerances the project uses for it: stated once, here, with their reasons.
 *
 * Two kinds of check. Against a Tolerance, a pair (a, b) passes when
 * |a − b| ≤ atol + rtol · max(|a|, |b|): for f64 against f64, and for long f32 trajectories.
 * GPU (f32) against the CPU oracle (f64) at the same parameters is checked per element
 * against the derived bounds of src/mlp/bounds/bounds.ts (compareWithBounds): no fixed floor.
 * The relative part covers large values; the absolute floor covers values near
 * 0, where the relative error of two tiny numbers (say 1e-19 and 3e-19) means nothing.
 */
import type { Bounds } from './bounds.js';
import { formatHidden, type ModelShape, modelLayout } from '../model.js';
import { paramLayout, type Spec, TENSORS, type TensorName } from '../spec.js';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  /** Why these numbers: shown beside every verdict. */
  readonly why: string;
}

export const TOLERANCES = {
  /**
   * Scalar engine against the matrix form, both f64: the same products and sums
   * in a different order, so they differ only by rounding, a few ulps (≈1e-16)
   * per operation, growing with the number of terms summed (N·H at most).
   */
  engineVsReference: {
    atol: 1e-12,
    rtol: 1e-10,
    why: 'both f64; only the order of summation differs',
  },
  /**
   * Backprop against central differences with h = 1e-5 in f64: truncation error
   * O(h²·f‴) ≈ 1e-10 plus rounding O(ε·|L|/h) ≈ 1e-11, for losses of order 1.
   * ReLU kinks within h of a parameter's value would break the estimate; random
   * data puts them there with probability ≈ 1e-5 per unit and sample.
   * A per-element bound (rounding derived, truncation estimated, kinks flagged) is in
   * src/mlp/bounds/fd-bounds.ts; tests/bounds.test.ts holds central differences to it.
   */
  finiteDifference: {
    atol: 1e-7,
    rtol: 1e-6,
    why: 'central differences, h = 1e-5, f64: O(h²) truncation plus O(ε/h) rounding',
  },
  /**
   * A GPU trajectory of many SGD steps (f32) against the CPU's (f64). NOT a derived bound: a
   * proven bound on T chained steps (src/mlp/bounds/step-bounds.ts, trajectoryBounds) multiplies by the loss
   * surface's worst-case sensitivity each step and is vacuous after ~10 steps (×20 per 10 steps
   * on XOR, infinite by 50). Each single step is checked against its derived bound
   * (sgdStepBounds); whole trajectories only against this empirical closeness, 2e-6 + 1e-4·|v|.
   */
  trajectory: {
    atol: 2e-6,
    rtol: 1e-4,
    why: 'empirical, for many chained f32 steps; each single step is checked against its derived bound',
  },
} as const satisfies Record<string, Tolerance>;

export interface TensorComparison {
  tensor: TensorName;
  maxAbsError: number;
  /** Largest |a − b| / max(|a|, |b|) over the tensor (0 where both are 0). */
  maxRelError: number;
  /** Index within the tensor of the worst element by the pass criterion. */
  worstIndex: number;
  pass: boolean;
}

export interface Comparison {
  tensors: TensorComparison[];
  maxAbsError: number;
  maxRelError: number;
  pass: boolean;
  tolerance: Tolerance;
}

/** Compares two flat parameter-shaped vectors (parameters or gradients), per tensor W1, b1, W2, b2. */
export function compareFlat(
  spec: Pick<Spec, 'd' | 'H'>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tolerance: Tolerance,
): Comparison {
  const L = paramLayout(spec);
  if (a.length !== L.size || b.length !== L.size) {
    throw new RangeError(
      `compare: expected ${L.size} values each for d=${spec.d}, H=${spec.H}, got ${a.length} and ${b.length}`,
    );
  }
  const tensors = TENSORS.map((name) => compareSlice(name, a, b, L[name].offset, L[name].length, tolerance));
  return {
    tensors,
    maxAbsError: Math.max(...tensors.map((t) => t.maxAbsError)),
    maxRelError: Math.max(...tensors.map((t) => t.maxRelError)),
    pass: tensors.every((t) => t.pass),
    tolerance,
  };
}

/** Whether one pair passes, and by how much it misses: |a − b| / (atol + rtol·max(|a|, |b|)), ≤ 1 passes. */
export function excess(a: number, b: number, { atol, rtol }: Tolerance): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b ? 0 : Infinity;
  return Math.abs(a - b) / (atol + rtol * Math.max(Math.abs(a), Math.abs(b)));
}

function compareSlice(
  tensor: TensorName,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  offset: number,
  length: number,
  tolerance: Tolerance,
): TensorComparison {
  let maxAbsError = 0;
  let maxRelError = 0;
  let worst = -1;
  let worstIndex = 0;
  for (let i = 0; i < length; i++) {
    const x = a[offset + i]!;
    const y = b[offset + i]!;
    const abs = Math.abs(x - y);
    const scale = Math.max(Math.abs(x), Math.abs(y));
    maxAbsError = Math.max(maxAbsError, Number.isNaN(abs) ? Infinity : abs);
    maxRelError = Math.max(maxRelError, scale === 0 ? 0 : Number.isNaN(abs) ? Infinity : abs / scale);
    const e = excess(x, y, tolerance);
    if (e > worst) {
      worst = e;
      worstIndex = i;
    }
  }
  return { tensor, maxAbsError, maxRelError, worstIndex, pass: worst <= 1 };
}

/** How the GPU-vs-CPU bound is made, in one sentence, for reports. */
export const BOUND_METHOD =
  'per element: |gpu − cpu| ≤ bound, from a magnitude shadow of the f64 oracle: γ_k·(sum of |terms|), γ_k = k·u/(1 − k·u), u = 2^-24, ' +
  "k the f32 operations on the element's path, plus the propagated rounding of inputs, parameters and earlier values (exp, / per the kernels' accuracy table); " +
  "a gate within its bound of ReLU's kink is flagged and its bound admits either side";

/** |a − b| as a fraction of its bound (≤ 1 passes); a zero bound admits only equality; non-finite never passes. */
export function fractionOfBound(gpu: number, cpu: number, bound: number): number {
  const diff = Math.abs(gpu - cpu);
  if (!Number.isFinite(diff)) return Infinity;
  return diff === 0 ? 0 : bound > 0 ? diff / bound : Infinity;
}

/** A value is resolved by f32 (its relative error means something) when it is 100 times its bound. */
export const RESOLVED = 100;

export interface BoundedTensor {
  tensor: string;
  maxAbsError: number;
  /** Largest |gpu − cpu| / bound over the elements whose gate is certain (≤ 1 passes). */
  maxFraction: number;
  worstIndex: number;
  /** Largest relative error over the resolved elements (|cpu| ≥ 100·bound); null if none is. */
  maxRelError: number | null;
  /** Elements that depend on a gate f32 may set differently: reported apart, checked against a bound admitting either side. */
  gateUncertain: number;
  uncertainMaxFraction: number;
  pass: boolean;
}

/** One tensor (any flat array: a gradient, z1, δ1, …) against its bounds. */
export function compareArrayWithBounds(
  tensor: string,
  gpu: ArrayLike<number>,
  cpu: ArrayLike<number>,
  bound: ArrayLike<number>,
  uncertain?: ArrayLike<number>,
  offset = 0,
  length = cpu.length,
): BoundedTensor {
  const t: BoundedTensor = {
    tensor,
    maxAbsError: 0,
    maxFraction: 0,
    worstIndex: 0,
    maxRelError: null,
    gateUncertain: 0,
    uncertainMaxFraction: 0,
    pass: true,
  };
  for (let i = 0; i < length; i++) {
    const [a, b, e] = [gpu[offset + i]!, cpu[offset + i]!, bound[offset + i]!];
    const f = fractionOfBound(a, b, e);
    const abs = Math.abs(a - b);
    t.maxAbsError = Math.max(t.maxAbsError, Number.isNaN(abs) ? Infinity : abs);
    if (uncertain?.[offset + i]) {
      t.gateUncertain++;
      t.uncertainMaxFraction = Math.max(t.uncertainMaxFraction, f);
      continue;
    }
    if (f > t.maxFraction) [t.maxFraction, t.worstIndex] = [f, i];
    if (Math.abs(b) >= RESOLVED * e && b !== 0)
      t.maxRelError = Math.max(t.maxRelError ?? 0, Number.isNaN(abs) ? Infinity : abs / Math.abs(b));
  }
  t.pass = t.maxFraction <= 1 && t.uncertainMaxFraction <= 1;
  return t;
}

export interface BoundedComparison {
  tensors: BoundedTensor[];
  count: number;
  maxAbsError: number;
  maxFraction: number;
  gateUncertain: number;
  pass: boolean;
  method: string;
}

/** The GPU's gradients (flat layout) against the oracle's, each element against its own bound. */
export function compareWithBounds(
  spec: Pick<Spec, 'd' | 'H'>,
  gpu: ArrayLike<number>,
  bounds: Bounds,
): BoundedComparison {
  const L = paramLayout(spec);
  if (gpu.length !== L.size)
    throw new RangeError(`compare: expected ${L.size} gradients for d=${spec.d}, H=${spec.H}, got ${gpu.length}`);
  const { value, bound } = bounds.grads;
  const tensors = TENSORS.map((name) =>
    compareArrayWithBounds(name, gpu, value, bound, bounds.gateUncertain, L[name].offset, L[name].length),
  );
  return {
    tensors,
    count: L.size,
    maxAbsError: Math.max(...tensors.map((t) => t.maxAbsError)),
    maxFraction: Math.max(...tensors.map((t) => t.maxFraction)),
    gateUncertain: tensors.reduce((s, t) => s + t.gateUncertain, 0),
    pass: tensors.every((t) => t.pass),
    method: BOUND_METHOD,
  };
}

/**
 * The GPU's gradients of the general network (flat layout W1, b1, …, W_{L+1}, b_{L+1}) against the oracle's,
 * each element against its own bound (src/mlp/bounds/bounds-model.ts, shadowBoundsModel).
 */
export function compareWithBoundsModel(
  shape: ModelShape,
  gpu: ArrayLike<number>,
  bounds: Pick<Bounds, 'grads' | 'gateUncertain'>,
): BoundedComparison {
  const L = modelLayout(shape);
  if (gpu.length !== L.size) {
    const at = `d=${shape.d}, hidden=${formatHidden(shape.hidden)}`;
    throw new RangeError(`compare: expected ${L.size} gradients for ${at}, got ${gpu.length}`);
  }
  const { value, bound } = bounds.grads;
  const mask = bounds.gateUncertain;
  const tensors = L.slots.map((s) => compareArrayWithBounds(s.name, gpu, value, bound, mask, s.offset, s.length));
  return {
    tensors,
    count: L.size,
    maxAbsError: Math.max(...tensors.map((t) => t.maxAbsError)),
    maxFraction: Math.max(...tensors.map((t) => t.maxFraction)),
    gateUncertain: tensors.reduce((s, t) => s + t.gateUncertain, 0),
    pass: tensors.every((t) => t.pass),
    method: BOUND_METHOD,
  };
}
