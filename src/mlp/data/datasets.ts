/**
 * Two-input datasets to train on besides XOR, like TensorFlow Playground's, each
 * drawn from the project's seeded PRNG (rng.ts), so the same (kind, N, noise,
 * seed) always gives the same points, and a train/test split that is seeded too.
 * Classification sets have labels 0 or 1; the two regression sets (as Playground's) real labels in about
 * [−1, 1]. Points lie roughly in [−1, 1]². No DOM.
 *
 *   circle:    x uniform in the disc of radius 1; y = 1 inside r < 0.5, 0 outside
 *              (class 0 drawn from 0.7 ≤ r < 1, so noise 0 leaves a clean gap)
 *   gauss:     two Gaussian blobs (σ = 0.15 + 0.35·noise) at ±(0.5, 0.5); y = 1 at +
 *   spiral:    two interleaved arms r = t, θ = 3πt + kπ (k = label), t ∈ [0.05, 1)
 *   noisyxor:  x uniform in [−1, 1]², y = [x1·x2 < 0] (XOR of the signs)
 *   reg-plane: x uniform in [−1, 1]², y = 0.6·(x1 + x2) (a plane; Playground's, rescaled to the unit square)
 *   reg-gauss: x uniform in [−1, 1]², six bumps at (−2/3, 0, 2/3) × (±5/12) with signs alternating; y is the bump
 *              of largest size at x, sign·max(0, 1 − 3·distance) (Playground's mixture, rescaled)
 *
 * For the regression sets the noise moves the point the label is computed at, by uniform offsets of up to
 * noise·1 in each coordinate, and leaves the point itself where it was (as Playground does).
 *
 * Noise ∈ [0, 1] adds N(0, (0.2·noise)²) to every coordinate (circle, spiral,
 * noisy XOR; for the blobs it widens σ), after the label is fixed.
 */
import { type Dataset, makeDataset, xor } from './data.js';
import { makeRng } from '../rng.js';

export const DATASET_KINDS = ['xor', 'circle', 'gauss', 'spiral', 'noisyxor', 'reg-plane', 'reg-gauss'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Classification (labels 0 or 1, the σ output) or regression (real labels, the identity output). */
export const PROBLEMS = ['classification', 'regression'] as const;
export type Problem = (typeof PROBLEMS)[number];

/** Which problem a generated set's labels are for. */
export function problemOf(kind: DatasetKind): Problem {
  return kind === 'reg-plane' || kind === 'reg-gauss' ? 'regression' : 'classification';
}

/** The six bumps of reg-gauss: centre and sign. */
const BUMPS: readonly [number, number, number][] = [
  [-2 / 3, 5 / 12, 1],
  [0, 5 / 12, -1],
  [2 / 3, 5 / 12, 1],
  [-2 / 3, -5 / 12, -1],
  [0, -5 / 12, 1],
  [2 / 3, -5 / 12, -1],
];

/** reg-gauss's label at (x1, x2): the bump of largest magnitude there. */
function bumps(x1: number, x2: number): number {
  let label = 0;
  for (const [c1, c2, sign] of BUMPS) {
    const v = sign * Math.max(0, 1 - 3 * Math.hypot(x1 - c1, x2 - c2));
    if (Math.abs(v) > Math.abs(label)) label = v;
  }
  return label;
}

export const DATASET_NAMES: Record<DatasetKind, string> = {
  xor: 'XOR (the 4 points)',
  circle: 'circle',
  gauss: 'two Gaussians',
  spiral: 'spiral',
  noisyxor: 'noisy XOR',
  'reg-plane': 'plane',
  'reg-gauss': 'mixture of Gaussians',
};

export interface GenSpec {
  kind: DatasetKind;
  /** Points drawn (ignored for xor, which is always its 4 points). */
  N: number;
  /** In [0, 1]. */
  noise: number;
  seed: number;
}

export const GEN_LIMITS = {
  N: { min: 4, max: 2000 },
  noise: { min: 0, max: 1 },
  testFraction: { min: 0, max: 0.5 },
} as const;

/** Radii of the circle set: label 1 inside INNER, label 0 in [OUTER, 1). */
export const CIRCLE = { INNER: 0.5, OUTER: 0.7 } as const;

/** A standard normal draw from two uniforms (Box–Muller); u1 is moved off 0. */
function gaussian(rng: () => number): number {
  const u1 = rng() || 2 ** -24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
}

export function generate(spec: GenSpec): Dataset {
  const { kind, N, noise, seed } = spec;
  if (kind === 'xor') return xor();
  if (!Number.isInteger(N) || N < GEN_LIMITS.N.min || N > GEN_LIMITS.N.max) {
    throw new RangeError(`points must be an integer in [${GEN_LIMITS.N.min}, ${GEN_LIMITS.N.max}], got ${N}`);
  }
  if (!(noise >= 0 && noise <= 1)) throw new RangeError(`noise must be a number in [0, 1], got ${noise}`);
  const rng = makeRng(seed);
  const jitter = () => 0.2 * noise * gaussian(rng);
  const rows: number[][] = [];
  const labels: number[] = [];
  if (problemOf(kind) === 'regression') {
    for (let n = 0; n < N; n++) {
      const [x1, x2] = [2 * rng() - 1, 2 * rng() - 1];
      const [u1, u2] = [noise * (2 * rng() - 1), noise * (2 * rng() - 1)];
      rows.push([x1, x2]);
      labels.push(kind === 'reg-plane' ? 0.6 * (x1 + u1 + x2 + u2) : bumps(x1 + u1, x2 + u2));
    }
    return makeDataset(rows, labels, { output: 'identity' });
  }
  for (let n = 0; n < N; n++) {
    const label = n % 2 === 0 ? 1 : 0; // alternate: the two classes are balanced (N/2 each, one more 1 if N is odd)
    let x1: number;
    let x2: number;
    if (kind === 'circle') {
      const r =
        label === 1 ? CIRCLE.INNER * Math.sqrt(rng()) : Math.sqrt(CIRCLE.OUTER ** 2 + (1 - CIRCLE.OUTER ** 2) * rng());
      const a = 2 * Math.PI * rng();
      [x1, x2] = [r * Math.cos(a) + jitter(), r * Math.sin(a) + jitter()];
    } else if (kind === 'gauss') {
      const c = label === 1 ? 0.5 : -0.5;
      const s = 0.15 + 0.35 * noise;
      [x1, x2] = [c + s * gaussian(rng), c + s * gaussian(rng)];
    } else if (kind === 'spiral') {
      const t = 0.05 + 0.95 * rng();
      const a = 3 * Math.PI * t + label * Math.PI;
      [x1, x2] = [t * Math.cos(a) + jitter(), t * Math.sin(a) + jitter()];
    } else {
      // noisy XOR: pick a quadrant that has this label, then a point in it away from the axes
      const s1 = rng() < 0.5 ? 1 : -1;
      const s2 = label === 1 ? -s1 : s1;
      [x1, x2] = [s1 * (0.05 + 0.95 * rng()) + jitter(), s2 * (0.05 + 0.95 * rng()) + jitter()];
    }
    rows.push([x1, x2]);
    labels.push(label);
  }
  return makeDataset(rows, labels);
}

/** The rows `idx` of `data`, as a new dataset. */
export function subset(data: Dataset, idx: readonly number[]): Dataset {
  const { d } = data;
  const x = new Float64Array(idx.length * d);
  const y = new Float64Array(idx.length);
  idx.forEach((n, k) => {
    x.set(data.x.subarray(n * d, (n + 1) * d), k * d);
    y[k] = data.y[n]!;
  });
  return { d, N: idx.length, x, y };
}

/**
 * A seeded split: round(fraction·N) points, chosen by a Fisher–Yates shuffle of
 * the indices, are held out for testing; the rest train. At least one point
 * always trains; fraction 0 gives an empty test set (test: null).
 */
export function split(data: Dataset, fraction: number, seed: number): { train: Dataset; test: Dataset | null } {
  if (!(fraction >= GEN_LIMITS.testFraction.min && fraction <= GEN_LIMITS.testFraction.max)) {
    throw new RangeError(`test fraction must be a number in [0, ${GEN_LIMITS.testFraction.max}], got ${fraction}`);
  }
  const nTest = Math.min(data.N - 1, Math.round(fraction * data.N));
  if (nTest <= 0) return { train: data, test: null };
  const idx = Array.from({ length: data.N }, (_, i) => i);
  const rng = makeRng(seed);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  const test = idx.slice(0, nTest).sort((a, b) => a - b);
  const train = idx.slice(nTest).sort((a, b) => a - b);
  return { train: subset(data, train), test: subset(data, test) };
}
