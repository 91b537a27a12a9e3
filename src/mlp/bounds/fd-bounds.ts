/**
 * How far central differences of the loss, D_k(h) = (L(θ + h·e_k) − L(θ − h·e_k)) / 2h in f64, may
 * be from the true ∂L/∂θ_k: the same treatment as the f32 bounds (src/mlp/bounds/bounds.ts), where it can
 * be derived.
 *   rounding    each L carries at most e_L = γ_k·shadow(L) in f64 (ε = 2^-53), so D carries e_L/h;
 *               θ ± h is itself rounded, which moves the step by ε·(|θ| + h): a relative ε(|θ| + h)/h of D.
 *   truncation  D(h) − ∂L/∂θ = h²/6·L‴ + O(h⁴), estimated, not derived, from D(2h) − D(h) = h²/2·L‴ + …:
 *               2·|D(2h) − D(h)|/3, twice the leading term for the O(h⁴) rest.
 * The truncation estimate assumes L is smooth within 2h of θ: where some z1 of the unit that θ_k feeds
 * lies within 2h·|∂z1/∂θ_k| of a kink (ReLU's or leaky ReLU's, at 0) it is not, and that element is
 * flagged instead. tanh and σ have no kink: every element gets its bound.
 */
import type { LossKind } from '../../engine/losses.js';
import { sigmoid, softplus } from '../../engine/value.js';
import { shadowBounds } from './bounds.js';
import type { Dataset } from '../data/data.js';
import { activationOf, forward, lossValue, type Net } from '../reference.js';
import { paramLayout } from '../spec.js';

/** f64's unit roundoff. */
export const U64 = 2 ** -53;
const gamma64 = (k: number) => (k * U64) / (1 - k * U64);

export interface FdBounds {
  /** The central differences at step h, NaN where not asked for. */
  value: Float64Array;
  /** The bound on |D_k(h) − ∂L/∂θ_k| (NaN where not asked for). */
  bound: Float64Array;
  /** 1 where a kink of f (ReLU's, leaky's) lies within the stencil: no bound applies. */
  kink: Uint8Array;
}

/**
 * The shadow of the loss: Σ_n (|ℓ_n| + |∂ℓ/∂z2|·shadow(z2)) / N, the size of what its rounding scales with.
 * JS's exp and log1p are not correctly rounded; counting each as 4 roundings is generous for V8's.
 */
function lossShadow(spec: Net, params: ArrayLike<number>, data: Dataset, kind: LossKind): { mag: number; k: number } {
  const b = shadowBounds(spec, params, data, kind, { perSample: true }).samples!;
  let mag = 0;
  for (let n = 0; n < data.N; n++) {
    const z = b.z2.value[n]!;
    const p = sigmoid(z);
    const t = Math.abs(data.y[n]!);
    mag +=
      kind === 'bce'
        ? softplus(z) + t * Math.abs(z) + (p + t) * b.z2.mag[n]!
        : (p + t) ** 2 + 2 * (p + t) * b.z2.mag[n]!;
  }
  return { mag: mag / data.N, k: spec.d + spec.H + data.N + 20 };
}

export function finiteDifferenceBounds(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  kind: LossKind,
  { h = 1e-5, indices }: { h?: number; indices?: readonly number[] } = {},
): FdBounds {
  const { d, H } = spec;
  const L = paramLayout(spec);
  const theta = Float64Array.from(params);
  const at = indices ?? Array.from(theta, (_, k) => k);
  const out: FdBounds = {
    value: new Float64Array(theta.length).fill(NaN),
    bound: new Float64Array(theta.length).fill(NaN),
    kink: new Uint8Array(theta.length),
  };
  const { z1 } = forward(spec, theta, data);
  const lossAt = () => lossValue(kind, forward(spec, theta, data), data.y);
  const central = (k: number, step: number) => {
    const saved = theta[k]!;
    theta[k] = saved + step;
    const plus = lossAt();
    theta[k] = saved - step;
    const minus = lossAt();
    theta[k] = saved;
    return (plus - minus) / (2 * step);
  };
  const shadow = lossShadow(spec, params, data, kind);
  const eL = gamma64(shadow.k) * shadow.mag * 2; // the shadow at θ ± 2h differs from θ's by O(h): doubled
  for (const k of at) {
    const D = central(k, h);
    const truncation = (2 * Math.abs(central(k, 2 * h) - D)) / 3;
    const rounding = eL / h + (Math.abs(D) * U64 * (Math.abs(theta[k]!) + h)) / h;
    out.value[k] = D;
    out.bound[k] = truncation + rounding;
    if (k < L.W2.offset && activationOf(spec).kink) {
      // θ_k feeds unit j: z1_nj moves by h·x_ni (W1) or h (b1) at most.
      const j = k < L.b1.offset ? Math.floor(k / d) : k - L.b1.offset;
      for (let n = 0; n < data.N; n++) {
        const slope = k < L.b1.offset ? Math.abs(data.x[n * d + (k % d)]!) : 1;
        if (Math.abs(z1[n * H + j]!) <= 2 * h * slope) out.kink[k] = 1;
      }
    }
  }
  return out;
}
