/**
 * Comparing two sets of numbers in the flat layout, tensor by tensor, and the
 * tolerances the project uses for it: stated once, here, with their reasons.
 *
 * A pair (a, b) passes when |a − b| ≤ atol + rtol · max(|a|, |b|).
 * The relative part covers large values; the absolute floor covers values near
 * 0, where the relative error of two tiny numbers (say 1e-19 and 3e-19) means nothing.
 */
import { paramLayout, type Spec, TENSORS, type TensorName } from './spec.js';

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
   */
  finiteDifference: {
    atol: 1e-7,
    rtol: 1e-6,
    why: 'central differences, h = 1e-5, f64: O(h²) truncation plus O(ε/h) rounding',
  },
  /**
   * GPU (f32) against the CPU oracle (f64), for forward values, gradients and
   * parameters. f32's unit roundoff is u = 2^-24 ≈ 6e-8. A gradient is a sum
   * over the batch (N ≤ 1,000 in the tests) of terms that each went through
   * at most d + H + 2 ≈ 260 f32 operations; rounding errors of K such steps
   * add up to about √K·u ≈ 2e-6 of the terms' magnitude typically (K·u ≈ 8e-5
   * at worst). Our losses are means, so those magnitudes are O(1): hence the
   * absolute floor 2e-6 for values near 0 (gradients that cancel), and a
   * relative 1e-4 (≈ 1,700 ulps) for large values such as z1.
   * Seen on SwiftShader: at most 3.2e-8 absolute on every test shape.
   */
  gpuVsCpu: {
    atol: 2e-6,
    rtol: 1e-4,
    why: 'f32 on the GPU against f64 on the CPU: u = 2^-24, sums of up to ~1,000 terms',
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
    throw new RangeError(`compare: expected ${L.size} values each for d=${spec.d}, H=${spec.H}, got ${a.length} and ${b.length}`);
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
