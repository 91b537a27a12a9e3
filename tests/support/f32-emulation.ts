/**
 * The kernels in f32, one rounding per operation (Math.fround), exp correctly rounded: an independent
 * twin of shaders/steps.wgsl + common.wgsl for the bounds tests, with the hidden activation computed
 * as src/mlp/bounds/activation-bounds.ts says the kernels must (tanh from exp(−2|z|), f′ from the f32 a1).
 */
import type { HiddenActivation } from '../../src/engine/activation.js';
import type { LossKind } from '../../src/engine/losses.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import { paramLayout } from '../../src/mlp/spec.js';

const f = Math.fround;
const S32 = f(0.01);

/** σ as common.wgsl computes it: 1/(1 + exp(−z)) for z ≥ 0, e/(1 + e) with e = exp(z) below. */
export const sigmoid32 = (z: number): number =>
  z >= 0 ? f(1 / f(1 + f(Math.exp(-z)))) : f(f(Math.exp(z)) / f(1 + f(Math.exp(z))));

/** f(z) and f′ in f32, as the kernels compute them. */
export function activation32(act: HiddenActivation, z: number): { a: number; fPrime: number } {
  switch (act) {
    case 'relu':
      return { a: Math.max(z, 0), fPrime: z > 0 ? 1 : 0 };
    case 'leaky':
      return { a: z > 0 ? z : f(S32 * z), fPrime: z > 0 ? 1 : S32 };
    case 'tanh': {
      const e = f(Math.exp(-2 * Math.abs(z))); // −2|z| is exact
      const t = f(f(1 - e) / f(1 + e));
      const a = z < 0 ? -t : t;
      return { a, fPrime: f(1 - f(a * a)) };
    }
    case 'sigmoid': {
      const s = sigmoid32(z);
      return { a: s, fPrime: f(s * f(1 - s)) };
    }
  }
}

export function emulate(
  spec: { d: number; H: number; activation?: HiddenActivation },
  params: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
) {
  const { d, H } = spec;
  const act = spec.activation ?? 'relu';
  const { N } = data;
  const L = paramLayout(spec);
  const p = Float32Array.from(params);
  const x = Float32Array.from(data.x);
  const y = Float32Array.from(data.y);
  const out = {
    z1: new Float64Array(N * H),
    a1: new Float64Array(N * H),
    z2: new Float64Array(N),
    yHat: new Float64Array(N),
    dz2: new Float64Array(N),
    dz1: new Float64Array(N * H),
    grads: new Float64Array(L.size),
  };
  const fPrime = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    let z2 = p[L.b2.offset]!;
    for (let j = 0; j < H; j++) {
      let z1 = p[L.b1.offset + j]!;
      for (let i = 0; i < d; i++) z1 = f(z1 + f(p[L.W1.offset + j * d + i]! * x[n * d + i]!));
      const { a, fPrime: fp } = activation32(act, z1);
      [out.z1[n * H + j], out.a1[n * H + j], fPrime[n * H + j]] = [z1, a, fp];
      z2 = f(z2 + f(p[L.W2.offset + j]! * a));
    }
    const yHat = sigmoid32(z2);
    const diff = f(yHat - y[n]!);
    const d2 = loss === 'bce' ? f(diff / N) : f(f(f(f(2 * diff) * yHat) * f(1 - yHat)) / N);
    [out.z2[n], out.yHat[n], out.dz2[n]] = [z2, yHat, d2];
    for (let j = 0; j < H; j++) {
      const da1 = f(p[L.W2.offset + j]! * d2);
      const fp = fPrime[n * H + j]!;
      out.dz1[n * H + j] = fp === 1 ? da1 : fp === 0 ? 0 : f(da1 * fp); // a select where f′ is 1 or 0
    }
  }
  for (let k = 0; k < L.size; k++) {
    let g = 0;
    for (let n = 0; n < N; n++) {
      if (k < L.b1.offset) g = f(g + f(out.dz1[n * H + Math.floor(k / d)]! * x[n * d + (k % d)]!));
      else if (k < L.W2.offset) g = f(g + out.dz1[n * H + k - L.b1.offset]!);
      else if (k < L.b2.offset) g = f(g + f(out.dz2[n]! * out.a1[n * H + k - L.W2.offset]!));
      else g = f(g + out.dz2[n]!);
    }
    out.grads[k] = g;
  }
  return out;
}
