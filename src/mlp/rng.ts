/**
 * A seeded, counter-based PRNG: draw k of seed s is a pure function of (s, k),
 * built only from 32-bit integer multiply, xor and shift, so a GPU kernel can
 * reproduce any draw without replaying the ones before it.
 *
 *   u(s, k) = top 24 bits of mix(mix(s) ⊕ (k + 1)·0x9E3779B9) / 2^24 ∈ [0, 1)
 *
 * mix is the 32-bit finaliser of MurmurHash3. Keeping 24 bits makes every draw
 * an exact f32, so CPU (f64) and GPU (f32) see the same numbers.
 */

export const SEED_MAX = 0xffff_ffff;

/** The k-th uniform draw of a seed, in [0, 1). */
export function uniformAt(seed: number, k: number): number {
  return (hash32(seed, k) >>> 8) / 16_777_216;
}

/** The 32 bits behind draw k of a seed, mix(mix(s) ⊕ (k + 1)·0x9E3779B9): distinct k give distinct values. */
export function hash32(seed: number, k: number): number {
  return mix32((mix32(seed) ^ Math.imul(k + 1, 0x9e3779b9)) >>> 0);
}

/**
 * A seeded permutation of 0..n−1 (Fisher–Yates): for i = n−1 down to 1, swap
 * entries i and j = ⌊u·(i + 1)⌋ with u the seed's draw n−1−i (draws 0, 1, 2, … in
 * order). With u a multiple of 2^−24 and i + 1 ≤ 2^24, u·(i + 1) is exact in f64.
 */
export function permutation(n: number, seed: number): Uint32Array {
  checkSeed(seed);
  if (!Number.isInteger(n) || n < 0 || n > 16_777_216) {
    throw new RangeError(`permutation: n must be an integer in [0, 16777216], got ${n}`);
  }
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1, k = 0; i >= 1; i--, k++) {
    const j = Math.floor(uniformAt(seed, k) * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** A stream of draws 0, 1, 2, ... of one seed, as the `rng` the engine's MLP takes. */
export function makeRng(seed: number): () => number {
  checkSeed(seed);
  let k = 0;
  return () => uniformAt(seed, k++);
}

export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    throw new RangeError(`seed must be an integer in [0, ${SEED_MAX}], got ${seed}`);
  }
}

/** MurmurHash3's fmix32: every input bit affects every output bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
