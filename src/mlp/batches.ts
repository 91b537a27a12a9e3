/**
 * Mini-batches: which training points step t uses, the same on every backend.
 *
 * With N points and batch size B (1..N), an epoch is ⌈N/B⌉ steps. Epoch e visits
 * the points in the order of a seeded permutation (src/mlp/rng.ts's Fisher–Yates),
 * cut into consecutive batches of B, the last one smaller where B does not divide N.
 * Step t (counted from 0) is batch t mod ⌈N/B⌉ of epoch ⌊t / ⌈N/B⌉⌋.
 *
 * The seed is the run's seed, the one its initial parameters came from (one number
 * reproduces a run); epoch e shuffles with the derived seed hash32(seed, e), a
 * stream of its own, distinct for every epoch. B = N is the full batch: every point,
 * in its own order, no shuffle (a permutation would only reorder the sum).
 */
import { checkSeed, hash32, permutation } from './rng.js';

/** Checks a batch size against the number of points; the error names the field and the range. */
export function checkBatchSize(B: unknown, N: number, field = 'batch'): number {
  if (typeof B !== 'number' || !Number.isInteger(B) || B < 1 || B > N) {
    throw new RangeError(`${field} must be an integer in [1, ${N}] (the number of training points), got ${String(B)}`);
  }
  return B;
}

/** Steps per epoch, ⌈N/B⌉. */
export function batchesPerEpoch(N: number, B: number): number {
  return Math.ceil(N / B);
}

/** The seed epoch e shuffles with. */
export function epochSeed(seed: number, epoch: number): number {
  return hash32(seed, epoch);
}

/** The visiting order of epoch e: a permutation of 0..N−1 (the identity for the full batch). */
export function epochOrder(N: number, B: number, seed: number, epoch: number): Uint32Array {
  checkSeed(seed);
  checkBatchSize(B, N);
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`epoch must be an integer ≥ 0, got ${epoch}`);
  if (B === N) return Uint32Array.from({ length: N }, (_, i) => i);
  return permutation(N, epochSeed(seed, epoch));
}

/** The indices of step t's batch (t from 0): B of them, or fewer for an epoch's last batch. */
export function batchIndices(N: number, B: number, seed: number, t: number): Uint32Array {
  if (!Number.isInteger(t) || t < 0) throw new RangeError(`step must be an integer ≥ 0, got ${t}`);
  const S = batchesPerEpoch(N, checkBatchSize(B, N));
  const s = t % S;
  return epochOrder(N, B, seed, Math.floor(t / S)).slice(s * B, Math.min((s + 1) * B, N));
}

/** batchIndices for consecutive steps, drawing each epoch's permutation once. */
export class BatchSchedule {
  readonly perEpoch: number;
  private epoch = -1;
  private order: Uint32Array = new Uint32Array(0);

  constructor(
    readonly N: number,
    readonly B: number,
    readonly seed: number,
  ) {
    checkSeed(seed);
    this.perEpoch = batchesPerEpoch(N, checkBatchSize(B, N));
  }

  /** The indices of step t's batch, as batchIndices gives them. */
  at(t: number): Uint32Array {
    if (!Number.isInteger(t) || t < 0) throw new RangeError(`step must be an integer ≥ 0, got ${t}`);
    const e = Math.floor(t / this.perEpoch);
    if (e !== this.epoch) {
      this.order = epochOrder(this.N, this.B, this.seed, e);
      this.epoch = e;
    }
    const s = t % this.perEpoch;
    return this.order.subarray(s * this.B, Math.min((s + 1) * this.B, this.N));
  }
}
