/**
 * The output's f32 bounds: yHat = σ(z2) and δ2, each as the kernels compute them
 * (the arithmetic model and its constants are stated once in ./bounds.ts).
 */
import type { LossKind } from '../../engine/losses.js';
import { sigmoid } from '../../engine/value.js';
import type { Output } from '../model.js';
import { checkLossOutput } from '../objective.js';
import { DIV, ETA, expError, mulError, rounding, U } from './f32-error.js';

/**
 * yHat = σ(z2) as the kernels compute it: 1/(1 + exp(−z)) for z ≥ 0, e/(1 + e) with e = exp(z) below.
 * Propagated: σ′ ≤ its largest value on [z2 − e, z2 + e]. Evaluated: exp's relative error ε scaled by
 * (1 − σ) on the z ≥ 0 branch and by at most 2 below, plus one addition and one division (6u).
 */
export function sigmoidError(z: number, ez: number, mz: number): { yHat: number; e: number; mag: number } {
  const yHat = sigmoid(z);
  const near = Math.max(0, Math.abs(z) - ez); // the point of [z − e, z + e] nearest 0, where σ′ is largest
  const slope = sigmoid(near) * (1 - sigmoid(near));
  const eps = expError(Math.abs(z) + ez);
  const branch = z - ez >= 0 ? 1 - sigmoid(z - ez) : 2;
  const high = yHat + slope * ez; // |σ(ẑ)| at most
  // The shadow of σ(z2): the value plus how far z2's terms could move it, σ′(z2)·shadow(z2).
  const mag = yHat + sigmoid(z) * (1 - sigmoid(z)) * mz;
  return { yHat, e: slope * ez + high * (eps * branch + 6 * U) + 3 * ETA, mag }; // σ > 0 always: never exact
}

/**
 * δ2 as the kernels compute it: BCE (yHat − t)/N; MSE ((2(yHat − t))·yHat)·(1 − yHat)/N.
 * N is exact in f32 (N ≤ 2^24). Returns the bound and the shadow, (|yHat| + |t|)/N for BCE.
 */
export function delta2Error(
  loss: LossKind,
  p: number,
  ep: number,
  mp: number,
  t: number,
  et: number,
  N: number,
): { e: number; mag: number } {
  const diff = p - t;
  const eDiff = ep + et + rounding(1, Math.abs(diff) + ep + et);
  if (loss === 'bce') {
    return { e: eDiff / N + rounding(1, ((DIV / U) * (Math.abs(diff) + eDiff)) / N), mag: (mp + Math.abs(t)) / N };
  }
  const a = 2 * diff;
  const ea = 2 * eDiff;
  const b = a * p;
  const eb = mulError(a, ea, p, ep);
  const c = 1 - p;
  const ec = ep + rounding(1, Math.abs(c) + ep);
  const num = b * c;
  const eNum = mulError(b, eb, c, ec);
  const mag = (2 * (mp + Math.abs(t)) * mp * (1 + mp)) / N;
  return { e: eNum / N + rounding(1, ((DIV / U) * (Math.abs(num) + eNum)) / N), mag };
}

/**
 * δ_{L+1} over a batch of B rows, for either output: σ as delta2Error (B in place of N); the identity
 * (MSE only) as (2·(ŷ − t))/B, where ŷ = z carries z's bound, 2· is exact and the division is the kernels' `/`.
 */
export function outputDeltaError(
  output: Output,
  loss: LossKind,
  p: number,
  ep: number,
  mp: number,
  t: number,
  et: number,
  B: number,
): { e: number; mag: number } {
  checkLossOutput(loss, output);
  if (output === 'sigmoid') return delta2Error(loss, p, ep, mp, t, et, B);
  const diff = p - t;
  const eDiff = ep + et + rounding(1, Math.abs(diff) + ep + et);
  const a = 2 * (Math.abs(diff) + eDiff);
  return { e: (2 * eDiff) / B + rounding(1, ((DIV / U) * a) / B), mag: (2 * (mp + Math.abs(t))) / B };
}
