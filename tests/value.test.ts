import { describe, expect, it } from 'vitest';
import { gradcheck } from '../src/engine/gradcheck.js';
import { Value } from '../src/engine/value.js';
import { makeRng } from '../src/mlp/rng.js';

/**
 * Each op, checked three ways on random inputs: its forward value against the
 * closed form, its gradient against the closed-form derivative, and its gradient
 * against central differences. A non-trivial upstream gradient ((out + 1)²)
 * makes sure the op multiplies by the incoming grad rather than replacing it.
 */
interface UnaryCase {
  name: string;
  op: (x: Value) => Value;
  f: (x: number) => number;
  df: (x: number) => number;
  /** Draws a valid input from u ∈ [0, 1). */
  domain: (u: number) => number;
}

/*
 * Closed forms written here without Math.exp/log/tanh (the calls the engine
 * itself makes): power series, summed until the terms vanish. For |x| ≤ 6,
 * exp's series converges to a few ulps in under 60 terms; log uses
 * ln x = 2·atanh((x − 1)/(x + 1)) = 2 Σ z^(2k+1)/(2k+1), with |z| < 1.
 * The table below pins them to exactly known values.
 */
function expSeries(x: number): number {
  if (x < 0) return 1 / expSeries(-x); // no cancellation in the alternating series
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 200 && term > 1e-18 * sum; k++) sum += term *= x / k;
  return sum;
}
function logSeries(x: number): number {
  const z = (x - 1) / (x + 1);
  let power = z;
  let sum = 0;
  for (let k = 0; k < 2000 && Math.abs(power) > 1e-18; k++, power *= z * z) sum += power / (2 * k + 1);
  return 2 * sum;
}
const sig = (x: number) => 1 / (1 + expSeries(-x));
const tanhSeries = (x: number) => 2 * sig(2 * x) - 1; // tanh x = 2σ(2x) − 1
const unary: UnaryCase[] = [
  { name: 'neg', op: (x) => x.neg(), f: (x) => -x, df: () => -1, domain: (u) => 6 * u - 3 },
  { name: 'exp', op: (x) => x.exp(), f: expSeries, df: expSeries, domain: (u) => 6 * u - 3 },
  { name: 'log', op: (x) => x.log(), f: logSeries, df: (x) => 1 / x, domain: (u) => 0.1 + 5 * u },
  { name: 'tanh', op: (x) => x.tanh(), f: tanhSeries, df: (x) => 1 - tanhSeries(x) ** 2, domain: (u) => 6 * u - 3 },
  { name: 'sigmoid', op: (x) => x.sigmoid(), f: sig, df: (x) => sig(x) * (1 - sig(x)), domain: (u) => 12 * u - 6 },
  {
    name: 'softplus',
    op: (x) => x.softplus(),
    f: (x) => logSeries(1 + expSeries(x)),
    df: sig,
    domain: (u) => 12 * u - 6,
  },
  { name: 'relu', op: (x) => x.relu(), f: (x) => Math.max(x, 0), df: (x) => (x > 0 ? 1 : 0), domain: (u) => 6 * u - 3 },
  { name: 'pow(3)', op: (x) => x.pow(3), f: (x) => x ** 3, df: (x) => 3 * x ** 2, domain: (u) => 4 * u - 2 },
  { name: 'pow(-2)', op: (x) => x.pow(-2), f: (x) => x ** -2, df: (x) => -2 * x ** -3, domain: (u) => 0.3 + 3 * u },
  { name: 'pow(0.5)', op: (x) => x.pow(0.5), f: Math.sqrt, df: (x) => 0.5 / Math.sqrt(x), domain: (u) => 0.1 + 4 * u },
  { name: 'pow(0)', op: (x) => x.pow(0), f: () => 1, df: () => 0, domain: (u) => 4 * u - 2 },
  {
    name: 'abs',
    op: (x) => x.abs(),
    f: (x) => (x < 0 ? -x : x),
    df: (x) => (x > 0 ? 1 : -1),
    domain: (u) => 6 * u - 3,
  },
];

interface BinaryCase {
  name: string;
  op: (a: Value, b: Value) => Value;
  f: (a: number, b: number) => number;
  da: (a: number, b: number) => number;
  db: (a: number, b: number) => number;
}

const binary: BinaryCase[] = [
  { name: 'add', op: (a, b) => a.add(b), f: (a, b) => a + b, da: () => 1, db: () => 1 },
  { name: 'sub', op: (a, b) => a.sub(b), f: (a, b) => a - b, da: () => 1, db: () => -1 },
  { name: 'mul', op: (a, b) => a.mul(b), f: (a, b) => a * b, da: (_, b) => b, db: (a) => a },
  { name: 'div', op: (a, b) => a.div(b), f: (a, b) => a / b, da: (_, b) => 1 / b, db: (a, b) => -a / b ** 2 },
];

/** (out + 1)²: its derivative 2(out + 1) is the upstream gradient each op receives. */
const withUpstream = (out: Value) => out.add(1).pow(2);

describe('Value ops at exactly known points', () => {
  // ln 2, ln 3 as f64 constants; every right-hand side is a rational or a known constant
  const LN2 = 0.6931471805599453;
  const LN3 = 1.0986122886681098;
  it.each([
    ['exp(0) = 1', () => new Value(0).exp().data, 1],
    ['exp(1) = e', () => new Value(1).exp().data, 2.718281828459045],
    ['exp(ln 2) = 2', () => new Value(LN2).exp().data, 2],
    ['exp(−2 ln 2) = 1/4', () => new Value(-2 * LN2).exp().data, 0.25],
    ['log(1) = 0', () => new Value(1).log().data, 0],
    ['log(2) = ln 2', () => new Value(2).log().data, LN2],
    ['log(e) = 1', () => new Value(2.718281828459045).log().data, 1],
    ['tanh(0) = 0', () => new Value(0).tanh().data, 0],
    ['tanh(ln 2) = 3/5', () => new Value(LN2).tanh().data, 3 / 5],
    ['tanh(ln 3) = 4/5', () => new Value(LN3).tanh().data, 4 / 5],
    ['σ(0) = 1/2', () => new Value(0).sigmoid().data, 0.5],
    ['σ(ln 3) = 3/4', () => new Value(LN3).sigmoid().data, 0.75],
    ['σ(−ln 3) = 1/4', () => new Value(-LN3).sigmoid().data, 0.25],
    ['softplus(0) = ln 2', () => new Value(0).softplus().data, LN2],
    ['softplus(ln 3) = 2 ln 2', () => new Value(LN3).softplus().data, 2 * LN2],
    ['softplus(−ln 3) = 2 ln 2 − ln 3', () => new Value(-LN3).softplus().data, 2 * LN2 - LN3],
    ['softplus(800) = 800 (no overflow)', () => new Value(800).softplus().data, 800],
    ['softplus(−800) = e^−800 → 0', () => new Value(-800).softplus().data, 0],
  ])('%s', (_, value, exact) => {
    expect(Math.abs(value() - exact)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(1, Math.abs(exact)));
  });

  it.each([
    ['σ′(ln 3) = 3/4 · 1/4', (x: Value) => x.sigmoid(), LN3, 3 / 16],
    ['tanh′(ln 2) = 1 − (3/5)² = 16/25', (x: Value) => x.tanh(), LN2, 16 / 25],
    ['softplus′(ln 3) = σ(ln 3) = 3/4', (x: Value) => x.softplus(), LN3, 3 / 4],
    ['log′(4) = 1/4', (x: Value) => x.log(), 4, 1 / 4],
    ['exp′(ln 2) = 2', (x: Value) => x.exp(), LN2, 2],
  ])('%s', (_, op, at, exact) => {
    const x = new Value(at);
    op(x).backward();
    expect(Math.abs(x.grad - exact)).toBeLessThanOrEqual(4 * Number.EPSILON);
  });

  it('the series closed forms agree with the table (they are what the random tests compare against)', () => {
    expect(expSeries(LN2)).toBeCloseTo(2, 15);
    expect(logSeries(2)).toBeCloseTo(LN2, 15);
    expect(tanhSeries(LN3)).toBeCloseTo(0.8, 15);
    expect(sig(-LN3)).toBeCloseTo(0.25, 15);
  });
});

describe('Value ops, on random inputs', () => {
  const rng = makeRng(2024);
  for (const c of unary) {
    it(`${c.name}: forward, closed-form derivative and central differences agree`, () => {
      for (let trial = 0; trial < 20; trial++) {
        const x0 = c.domain(rng());
        const x = new Value(x0);
        const out = c.op(x);
        expect(out.data, `${c.name}(${x0}) forward`).toBeCloseTo(c.f(x0), 12);
        withUpstream(out).backward();
        const expected = 2 * (c.f(x0) + 1) * c.df(x0);
        expect(x.grad, `d/dx ${c.name} at ${x0}`).toBeCloseTo(expected, 9);
        const check = gradcheck([x], () => withUpstream(c.op(x)));
        expect(check.maxAbsError, `${c.name} at ${x0} vs central differences`).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(expected)),
        );
      }
    });
  }
  for (const c of binary) {
    it(`${c.name}: forward, closed-form partials and central differences agree`, () => {
      for (let trial = 0; trial < 20; trial++) {
        const a0 = 4 * rng() - 2;
        const b0 = (rng() < 0.5 ? -1 : 1) * (0.5 + 2 * rng()); // away from 0 for div
        const a = new Value(a0);
        const b = new Value(b0);
        const out = c.op(a, b);
        expect(out.data, `${c.name} forward`).toBeCloseTo(c.f(a0, b0), 12);
        withUpstream(out).backward();
        const up = 2 * (c.f(a0, b0) + 1);
        expect(a.grad, `∂/∂a ${c.name}`).toBeCloseTo(up * c.da(a0, b0), 9);
        expect(b.grad, `∂/∂b ${c.name}`).toBeCloseTo(up * c.db(a0, b0), 9);
        const check = gradcheck([a, b], () => withUpstream(c.op(a, b)));
        expect(check.maxRelError, `${c.name} vs central differences`).toBeLessThan(1e-6);
      }
    });
  }

  it('binary ops accept plain numbers on the right', () => {
    const a = new Value(3);
    expect(a.add(2).data).toBe(5);
    expect(a.sub(2).data).toBe(1);
    expect(a.mul(2).data).toBe(6);
    expect(a.div(2).data).toBe(1.5);
    const y = a.mul(4).add(1);
    y.backward();
    expect(a.grad).toBe(4);
  });
});

describe('backward()', () => {
  it('accumulates at a reused node: a = 1; b = a + a; c = b + b gives dc/da = 4', () => {
    const a = new Value(1);
    const b = a.add(a);
    const c = b.add(b);
    c.backward();
    expect(a.grad).toBe(4);
    expect(b.grad).toBe(2);
  });

  it('differentiates x·x and a diamond (two paths from one input)', () => {
    const x = new Value(3);
    x.mul(x).backward();
    expect(x.grad).toBe(6);
    const a = new Value(0.7);
    const d = a.exp().mul(a.tanh()); // d/da e^a tanh a = e^a tanh a + e^a (1 − tanh² a)
    d.backward();
    expect(a.grad).toBeCloseTo(expSeries(0.7) * tanhSeries(0.7) + expSeries(0.7) * (1 - tanhSeries(0.7) ** 2), 14);
  });

  it('gives the gradients of a composition on random inputs, like central differences', () => {
    const rng = makeRng(7);
    for (let trial = 0; trial < 10; trial++) {
      const [a, b, c] = [rng(), rng(), rng()].map((u) => new Value(4 * u - 2));
      const f = () => a!.mul(b!).add(c!.exp()).tanh().mul(a!.sigmoid()).sub(b!.relu().pow(2)).div(c!.mul(c!).add(1));
      const check = gradcheck([a!, b!, c!], f);
      expect(check.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('resets gradients: calling it twice gives the same gradients, not double', () => {
    const a = new Value(2);
    const y = a.mul(a).mul(3);
    y.backward();
    y.backward();
    expect(a.grad).toBe(12);
    const z = a.mul(5); // a new root: a's grad now holds dz/da only
    z.backward();
    expect(a.grad).toBe(5);
  });

  it('handles a chain of 100,000 nodes without recursion', () => {
    const x = new Value(0.5);
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.backward();
    expect(x.grad).toBe(1);
    expect(y.data).toBeCloseTo(1.5, 8);
    expect(y.topologicalOrder().length).toBe(200_001); // x, 100,000 constants, 100,000 sums
  });

  it('orders every input before the op that uses it', () => {
    const a = new Value(1);
    const b = new Value(2);
    const c = a.mul(b).add(a).exp().add(b.tanh());
    const order = c.topologicalOrder();
    const position = new Map(order.map((v, i) => [v, i]));
    for (const v of order) {
      for (const input of [v.in0, v.in1]) if (input) expect(position.get(input)!).toBeLessThan(position.get(v)!);
    }
    expect(order[order.length - 1]).toBe(c);
    expect(new Set(order).size).toBe(order.length);
  });
});

describe('stability and conventions', () => {
  it.each([1000, -1000, 710, -745])('tanh, sigmoid and softplus stay finite at %d, with finite gradients', (x0) => {
    for (const op of ['tanh', 'sigmoid', 'softplus'] as const) {
      const x = new Value(x0);
      const y = x[op]();
      y.backward();
      expect(Number.isFinite(y.data), `${op}(${x0})`).toBe(true);
      expect(Number.isFinite(x.grad), `${op}'(${x0})`).toBe(true);
    }
    expect(new Value(x0).tanh().data).toBe(Math.sign(x0));
    expect(new Value(x0).sigmoid().data).toBe(x0 > 0 ? 1 : Math.exp(x0) / (1 + Math.exp(x0)));
    expect(new Value(x0).softplus().data).toBeCloseTo(Math.max(x0, 0), 6);
  });

  it('|x| at -2, 0, 3: values 2, 0, 3 and derivatives −1, 0 (the subgradient L1 uses), 1', () => {
    const grads = [-2, 0, 3].map((x0) => {
      const x = new Value(x0);
      const y = x.abs();
      y.backward();
      return [y.data, x.grad];
    });
    expect(grads).toEqual([
      [2, -1],
      [0, 0],
      [3, 1],
    ]);
  });

  it('ReLU at -1, 0, 1: values 0, 0, 1 and derivatives 0, 0 (the convention), 1', () => {
    const grads = [-1, 0, 1].map((x0) => {
      const x = new Value(x0);
      const y = x.relu();
      y.backward();
      return [y.data, x.grad];
    });
    expect(grads).toEqual([
      [0, 0],
      [0, 0],
      [1, 1],
    ]);
  });

  it('log of a value ≤ 0 throws a RangeError naming the value', () => {
    expect(() => new Value(0).log()).toThrow(RangeError);
    expect(() => new Value(0).log()).toThrow(/got 0/);
    expect(() => new Value(-2.5).log()).toThrow(/-2\.5/);
  });

  it('pow of a negative base with a fractional exponent throws a RangeError naming both', () => {
    expect(() => new Value(-8).pow(1 / 3)).toThrow(RangeError);
    expect(() => new Value(-8).pow(0.5)).toThrow(/-8.*0\.5/);
    expect(new Value(-2).pow(3).data).toBe(-8); // integer exponents are fine
  });

  it('dividing by zero and non-finite leaves are refused', () => {
    expect(() => new Value(1).div(0)).toThrow(/base 0/);
    expect(() => new Value(Number.NaN)).toThrow(/finite/);
    expect(() => new Value(Infinity, 'w3')).toThrow(/w3/);
    expect(() => new Value(2).pow(Number.NaN)).toThrow(/exponent/);
  });
});
