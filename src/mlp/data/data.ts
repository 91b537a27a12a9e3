/**
 * Datasets as flat typed arrays: x is N×d row-major, y has N labels in [0, 1]
 * (any finite number for regression, the identity output). Everything that enters
 * the project's math comes through `makeDataset`, which refuses ragged rows,
 * non-finite values and labels outside [0, 1] unless told the labels are regression targets.
 */
import type { Output } from '../model.js';
import { SPEC_LIMITS } from '../spec.js';
import { makeRng } from '../rng.js';

export interface Dataset {
  readonly d: number;
  readonly N: number;
  /** N×d, row-major: sample n is x[n·d .. n·d + d). */
  readonly x: Float64Array;
  /** N labels, each in [0, 1] (for the σ output; any finite number for the identity output). */
  readonly y: Float64Array;
}

/**
 * Builds a dataset from rows, checking everything; the error names the row and column.
 * `output: 'identity'` allows any finite label (regression); the default σ output needs [0, 1].
 */
export function makeDataset(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  { output = 'sigmoid' }: { output?: Output } = {},
): Dataset {
  const N = rows.length;
  if (N === 0) throw new RangeError('data: no samples (need at least 1)');
  if (labels.length !== N) throw new RangeError(`data: ${N} rows of x but ${labels.length} labels`);
  if (N > SPEC_LIMITS.N.max) throw new RangeError(`data: ${N} samples, at most ${SPEC_LIMITS.N.max} allowed`);
  const d = rows[0]!.length;
  if (d < SPEC_LIMITS.d.min || d > SPEC_LIMITS.d.max) {
    throw new RangeError(`data: row 0 has ${d} features, allowed ${SPEC_LIMITS.d.min} to ${SPEC_LIMITS.d.max}`);
  }
  const x = new Float64Array(N * d);
  const y = new Float64Array(N);
  rows.forEach((row, n) => {
    if (row.length !== d) throw new RangeError(`data: row ${n} has ${row.length} features, row 0 has ${d}`);
    row.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`data: x[${n}][${i}] is ${describeValue(v)}, must be a finite number`);
      }
      x[n * d + i] = v;
    });
    const label = labels[n]!;
    if (output === 'identity' && (typeof label !== 'number' || !Number.isFinite(label))) {
      throw new RangeError(`data: y[${n}] is ${describeValue(label)}, must be a finite number`);
    }
    if (output === 'sigmoid' && (typeof label !== 'number' || !(label >= 0 && label <= 1))) {
      throw new RangeError(`data: y[${n}] is ${describeValue(label)}, must be a number in [0, 1]`);
    }
    y[n] = label;
  });
  return { d, N, x, y };
}

/** A value as an error message should name it: `the string "0"`, `null`, `an array`, or the number itself. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a value of type ${typeof v}`;
}

/** The 4 XOR points: inputs in {0, 1}², label x1 XOR x2. */
export function xor(): Dataset {
  return makeDataset(
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    [0, 1, 1, 0],
  );
}

/** Sample n's input as a plain array, for the scalar engine. */
export function sampleX(data: Dataset, n: number): number[] {
  return Array.from(data.x.subarray(n * data.d, (n + 1) * data.d));
}

/**
 * Random data for tests and benchmarks: x uniform in [−2, 2), labels uniform in
 * [0, 1] (soft labels exercise BCE and MSE more than 0/1), or 0/1 if `binary`.
 */
export function randomDataset(seed: number, d: number, N: number, { binary = false } = {}): Dataset {
  const rng = makeRng(seed);
  const rows = Array.from({ length: N }, () => Array.from({ length: d }, () => 4 * rng() - 2));
  const labels = Array.from({ length: N }, () => (binary ? (rng() < 0.5 ? 0 : 1) : rng()));
  return makeDataset(rows, labels);
}

/** The dataset as the GPU sees it: every value rounded to f32 (and held in f64 again). */
export function roundToF32(data: Dataset): Dataset {
  return {
    d: data.d,
    N: data.N,
    x: Float64Array.from(Float32Array.from(data.x)),
    y: Float64Array.from(Float32Array.from(data.y)),
  };
}
