/** Random test problems shared by the GPU tests. */
import { type Dataset, randomDataset } from '../../src/mlp/data/data.js';
import { forward } from '../../src/mlp/reference.js';
import { makeRng } from '../../src/mlp/rng.js';
import { paramLayout } from '../../src/mlp/spec.js';

/** Parameters in [−1.5, 1.5), exact f32 values. */
export function randomParams(seed: number, d: number, H: number): Float64Array {
  const rng = makeRng(seed);
  return Float64Array.from({ length: paramLayout({ d, H }).size }, () => Math.fround(3 * rng() - 1.5));
}

/**
 * Random parameters and data for which no pre-activation sits within 1e-5 of
 * ReLU's kink (100 times f32's error on z1 here), where f32 and f64 could
 * legitimately disagree on the gate. The search is deterministic.
 */
export function wellConditioned(
  d: number,
  H: number,
  N: number,
  seed: number,
): { data: Dataset; params: Float64Array } {
  for (let s = seed; s < seed + 100_000; s += 1000) {
    const data = randomDataset(s, d, N);
    const params = randomParams(s + 1, d, H);
    const { z1 } = forward({ d, H }, params, data);
    if (z1.every((z) => Math.abs(z) > 1e-5)) return { data, params };
  }
  throw new Error(
    `wellConditioned: no draw in 100 keeps all ${N * H} pre-activations away from 0; use dyadicProblem for this size`,
  );
}

/**
 * For large N·H, where some pre-activation always lands near 0: inputs are
 * multiples of 1/8 in [−2, 2) and parameters multiples of 1/64 in [−1.5, 1.5),
 * so z1 = W1 x + b1 is computed exactly in f32 and in f64 (few enough bits),
 * and both sides gate every unit identically, at 0 too.
 */
export function dyadicProblem(d: number, H: number, N: number, seed: number): { data: Dataset; params: Float64Array } {
  const rng = makeRng(seed);
  const x = Float64Array.from({ length: N * d }, () => Math.floor(rng() * 32) / 8 - 2);
  const y = Float64Array.from({ length: N }, () => (rng() < 0.5 ? 0 : 1));
  const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => Math.floor(rng() * 192) / 64 - 1.5);
  return { data: { d, N, x, y }, params };
}
