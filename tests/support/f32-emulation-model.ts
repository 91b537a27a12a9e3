/**
 * The general network's kernels in f32 (src/mlp/bounds/bounds-model.ts states their operations): every
 * operation rounded with Math.fround, exp correctly rounded, f and f′ as tests/support/f32-emulation.ts
 * computes them. Each sum is taken in the order asked for: 'kernel' left to right from its first term
 * (the bias first for z), 'reversed' from its last, 'pairwise' as a balanced tree; the bounds claim any order.
 * δ_{L+1}'s division by B may be taken 2 ulp off ('worst'), as the kernels' `/` is allowed to be.
 */
import type { Dataset } from '../../src/mlp/data/data.js';
import { type Model, modelLayout } from '../../src/mlp/model.js';
import type { Objective } from '../../src/mlp/objective.js';
import { activation32, sigmoid32 } from './f32-emulation.js';

const f = Math.fround;

export type SumOrder = 'kernel' | 'reversed' | 'pairwise';

/**
 * a/b as a kernel may compute it: correctly rounded, or ('worst') 2 ulp further from the exact quotient,
 * within the 2.5 ulp the kernels' accuracy table allows `/`.
 */
export function div32(a: number, b: number, division: 'rounded' | 'worst' = 'rounded'): number {
  const q = f(a / b);
  if (division === 'rounded' || q === 0) return q;
  const away = q === a / b ? Math.sign(q) : Math.sign(q - a / b);
  let e = Math.floor(Math.log2(Math.abs(q)));
  if (2 ** e > Math.abs(q)) e--; // log2 rounded up to the next power of 2
  const ulp = 2 ** (e - 23);
  return f(q + 2 * away * ulp);
}

/** Σ terms in f32, in the given order. */
export function sum32(terms: readonly number[], order: SumOrder): number {
  if (order === 'pairwise') return pairwise(terms, 0, terms.length);
  const t = order === 'reversed' ? [...terms].reverse() : terms;
  let s = t[0]!;
  for (let i = 1; i < t.length; i++) s = f(s + t[i]!);
  return s;
}

function pairwise(t: readonly number[], from: number, to: number): number {
  if (to - from === 1) return t[from]!;
  const mid = (from + to) >> 1;
  return f(pairwise(t, from, mid) + pairwise(t, mid, to));
}

export interface Emulated {
  /** Per layer l = 1..L+1 (entry l − 1), B×n_l: z_l; a, da and delta per hidden layer; the output's delta last. */
  z: Float64Array[];
  a: Float64Array[];
  da: Float64Array[];
  delta: Float64Array[];
  yHat: Float64Array;
  /** g = (Σ_r δ·a + λ1·sign(w)) + λ2·w, flat layout. */
  grads: Float64Array;
}

export function emulateModel(
  model: Model,
  params: ArrayLike<number>,
  data: Dataset,
  objective: Objective,
  {
    rows = Array.from({ length: data.N }, (_, n) => n),
    order = 'kernel',
    division = 'rounded',
  }: { rows?: ArrayLike<number>; order?: SumOrder; division?: 'rounded' | 'worst' } = {},
): Emulated {
  const layout = modelLayout(model);
  const { layers } = layout;
  const L = model.hidden.length;
  const B = rows.length;
  const p = Array.from(params, f);
  const { d } = model;
  const out: Emulated = {
    z: layers.map(({ nout }) => new Float64Array(B * nout)),
    a: model.hidden.map((h) => new Float64Array(B * h)),
    da: model.hidden.map((h) => new Float64Array(B * h)),
    delta: layers.map(({ nout }) => new Float64Array(B * nout)),
    yHat: new Float64Array(B),
    grads: new Float64Array(layout.size),
  };
  const fPrime = model.hidden.map((h) => new Float64Array(B * h));
  /** Row r's input to layer l: x (uploaded as f32) for l = 1, a_{l−1} after. */
  const input = (l: number, r: number, i: number) =>
    l === 1 ? f(data.x[rows[r]! * d + i]!) : out.a[l - 2]![r * layers[l - 1]!.nin + i]!;
  for (let r = 0; r < B; r++) {
    for (const { l, W, b, nin, nout } of layers) {
      for (let j = 0; j < nout; j++) {
        const terms = [p[b.offset + j]!];
        for (let i = 0; i < nin; i++) terms.push(f(p[W.offset + j * nin + i]! * input(l, r, i)));
        const z = sum32(terms, order);
        out.z[l - 1]![r * nout + j] = z;
        if (l > L) continue;
        const { a, fPrime: fp } = activation32(model.activation, z);
        out.a[l - 1]![r * nout + j] = a;
        fPrime[l - 1]![r * nout + j] = fp;
      }
    }
    const z = out.z[L]![r]!;
    const yHat = model.output === 'sigmoid' ? sigmoid32(z) : z;
    const diff = f(yHat - f(data.y[rows[r]!]!));
    out.yHat[r] = yHat;
    out.delta[L]![r] =
      objective.loss === 'bce'
        ? div32(diff, B, division)
        : model.output === 'sigmoid'
          ? div32(f(f(f(2 * diff) * yHat) * f(1 - yHat)), B, division)
          : div32(f(2 * diff), B, division);
    for (let l = L; l >= 1; l--) {
      const { W, nin, nout } = layers[l]!; // W_{l+1}: n_{l+1} × n_l
      const above = out.delta[l]!;
      for (let j = 0; j < nin; j++) {
        const terms: number[] = [];
        for (let k = 0; k < nout; k++) terms.push(f(p[W.offset + k * nin + j]! * above[r * nout + k]!));
        const da = sum32(terms, order);
        const fp = fPrime[l - 1]![r * nin + j]!;
        out.da[l - 1]![r * nin + j] = da;
        out.delta[l - 1]![r * nin + j] = fp === 1 ? da : fp === 0 ? 0 : f(da * fp); // a select where f′ is 1 or 0
      }
    }
  }
  const [l1, l2] = [f(objective.l1 ?? 0), f(objective.l2 ?? 0)];
  for (const { l, W, b, nin, nout } of layers) {
    const delta = out.delta[l - 1]!;
    for (let j = 0; j < nout; j++) {
      const db: number[] = [];
      for (let r = 0; r < B; r++) db.push(delta[r * nout + j]!);
      out.grads[b.offset + j] = sum32(db, order);
      for (let i = 0; i < nin; i++) {
        const k = W.offset + j * nin + i;
        const terms: number[] = [];
        for (let r = 0; r < B; r++) terms.push(f(delta[r * nout + j]! * input(l, r, i)));
        const w = p[k]!;
        out.grads[k] = sum32([sum32(terms, order), f(l1 * Math.sign(w)), f(l2 * w)], order);
      }
    }
  }
  return out;
}

/** One f32 SGD step θ′ = θ − lr·g from the f32 θ and the emulated g. */
export function sgdStep32(params: ArrayLike<number>, grads: ArrayLike<number>, lr: number): Float64Array {
  const r = f(lr);
  return Float64Array.from(params, (t, k) => f(f(t) - f(r * grads[k]!)));
}
