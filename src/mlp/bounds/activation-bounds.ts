/**
 * The f32 error of the hidden activation, a1 = f(z1), and of δ1 = da1 ⊙ f′(z1), for the bounds of
 * src/mlp/bounds/bounds.ts. Each function takes the f64 value z, the bound e on |z_f32 − z| and the shadow
 * of z, and states how the kernels compute f and f′ in f32, since the bound depends on it:
 *   relu     max(z, 0); f′ a select of 1 or 0 (exact)
 *   leaky    z > 0 ? z : s32·z with s32 = fround(0.01); f′ a select of 1 or s32
 *   tanh     sign(z)·(1 − E)/(1 + E), E = exp(−2|z|), never overflowing; f′ = 1 − a1·a1 from the f32 a1.
 *            (the shading language's built-in tanh is only "inherited from sinh(x)/cosh(x)", i.e. from exp(±x):
 *            unbounded once exp(|x|) overflows f32, at |x| > 88.7, so the kernels must not use it.)
 *   sigmoid  as the kernels' σ (output-bounds.ts, sigmoidError); f′ = a1·(1 − a1) from the f32 a1.
 * Where f′ jumps (ReLU and leaky at 0) and |z| ≤ e, f32 may take the other side: the gate is
 * "uncertain" and δ1's bound admits either side. tanh and σ have no such point.
 */
import { ACTIVATIONS, type HiddenActivation, LEAKY_SLOPE } from '../../engine/activation.js';
import { ETA, expError, mulError, rounding, U } from './f32-error.js';
import { sigmoidError } from './output-bounds.js';

/** The slope the kernels hold, fround(0.01), and how far it is from 0.01 (about 0.37 u of it). */
const S32 = Math.fround(LEAKY_SLOPE);
const SLOPE_ERROR = Math.abs(LEAKY_SLOPE - S32);

/** a1 = f(z) with the bound on its f32 value and its shadow (the size of the terms it is made of). */
export function activationError(
  act: HiddenActivation,
  z: number,
  e: number,
  mz: number,
): { a1: number; e: number; mag: number } {
  const a1 = ACTIVATIONS[act].output(z);
  const neg = z - e <= 0; // f32 may take the z ≤ 0 branch
  const pos = z + e > 0; // f32 may take the z > 0 branch
  switch (act) {
    case 'relu':
      // 1-Lipschitz, exact in f32; exactly 0 where the gate is surely closed.
      return { a1, e: pos ? e : 0, mag: pos ? mz : 0 };
    case 'leaky': {
      // 1-Lipschitz (s·e where surely negative), plus s32·ẑ's rounding and s − s32 on that branch.
      const evaluated = neg ? SLOPE_ERROR * (Math.abs(z) + e) + rounding(1, S32 * (Math.abs(z) + e)) : 0;
      return { a1, e: (pos ? e : LEAKY_SLOPE * e) + evaluated, mag: (pos ? 1 : LEAKY_SLOPE) * mz };
    }
    case 'tanh': {
      const lo = Math.max(0, Math.abs(z) - e); // |ẑ| ranges over [lo, hi]
      const hi = Math.abs(z) + e;
      const slope = 1 - Math.tanh(lo) ** 2; // the largest tanh′ on [z − e, z + e]
      const high = Math.abs(a1) + slope * e;
      // E = exp(−2a) carries (3 + 4a) ulp, E·(6 + 8a)u at most, largest at a = lo; it enters 1 − E and 1 + E,
      // so t = (1 − E)/(1 + E) moves by 2·e_E/(1 + E)²; − + / add u, u and 2.5 ulp of t: 7u|t|; E may flush.
      const eE = Math.exp(-2 * lo) * expError(2 * lo);
      const evaluated = (2 * eE) / (1 + Math.exp(-2 * hi)) ** 2 + 7 * U * high + 3 * ETA;
      return { a1, e: slope * e + evaluated, mag: Math.abs(a1) + (1 - a1 * a1) * mz };
    }
    case 'sigmoid': {
      const s = sigmoidError(z, e, mz);
      return { a1: s.yHat, e: s.e, mag: s.mag };
    }
  }
}

/**
 * δ1 = da1·f′(z) in f32, given a1 and da1 with their bounds: the bound on δ1, whether f32 surely
 * agrees on the side of a kink, and the size of f′ for δ1's shadow (its largest value near z).
 */
export function gateError(
  act: HiddenActivation,
  z: number,
  e: number,
  a1: number,
  eA1: number,
  da1: number,
  eDa1: number,
): { sure: boolean; eDz1: number; mFPrime: number } {
  const sure = z - e > 0 || z + e <= 0;
  const g = Math.abs(da1);
  switch (act) {
    case 'relu':
      if (!sure) return { sure, eDz1: g + eDa1, mFPrime: 1 }; // da1 on one side, 0 on the other
      return z > 0 ? { sure, eDz1: eDa1, mFPrime: 1 } : { sure, eDz1: 0, mFPrime: 0 };
    case 'leaky':
      // Either side: |f′_f32 − f′| ≤ 1 − s32, plus the product's rounding on the s32 side.
      if (!sure) return { sure, eDz1: (1 - S32) * g + eDa1 + rounding(1, S32 * (g + eDa1)), mFPrime: 1 };
      return z > 0
        ? { sure, eDz1: eDa1, mFPrime: 1 }
        : { sure, eDz1: mulError(da1, eDa1, LEAKY_SLOPE, SLOPE_ERROR), mFPrime: LEAKY_SLOPE };
    case 'tanh': {
      const tt = mulError(a1, eA1, a1, eA1); // a1·a1
      const fp = 1 - a1 * a1;
      const eFp = tt + rounding(1, Math.abs(fp) + tt); // 1 − a1·a1
      return {
        sure: true,
        eDz1: mulError(da1, eDa1, fp, eFp),
        mFPrime: 1 - Math.tanh(Math.max(0, Math.abs(z) - e)) ** 2,
      };
    }
    case 'sigmoid': {
      const c = 1 - a1;
      const eC = eA1 + rounding(1, Math.abs(c) + eA1); // 1 − a1
      const fp = a1 * c;
      const eFp = mulError(a1, eA1, c, eC); // a1·(1 − a1)
      const near = Math.max(0, Math.abs(z) - e);
      return { sure: true, eDz1: mulError(da1, eDa1, fp, eFp), mFPrime: ACTIVATIONS.sigmoid.der(near) };
    }
  }
}
