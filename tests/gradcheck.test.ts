import { describe, expect, it } from 'vitest';
import { compareOne, gradcheck } from '../src/engine/gradcheck.js';
import { Value } from '../src/engine/value.js';

describe('gradcheck', () => {
  it('agrees with backward() on a correct rule', () => {
    const x = new Value(0.3);
    const y = new Value(-1.2);
    const r = gradcheck([x, y], () => x.mul(y).tanh().add(y.exp()));
    expect(r.entries).toHaveLength(2);
    expect(r.maxRelError).toBeLessThan(1e-8);
  });

  it('catches a wrong local derivative', () => {
    const x = new Value(0.3);
    // sin(x) with the derivative rule deliberately wrong (sin instead of cos)
    const badSin = (v: Value) => new Value(Math.sin(v.data), '', 'sin', v, Math.sin(v.data));
    const r = gradcheck([x], () => badSin(x).mul(2));
    expect(r.entries[0]!.numeric).toBeCloseTo(2 * Math.cos(0.3), 8);
    expect(r.entries[0]!.analytic).toBeCloseTo(2 * Math.sin(0.3), 12);
    expect(r.maxRelError).toBeGreaterThan(0.1);
  });

  it('checks only the chosen parameters and restores every value exactly', () => {
    const ps = [0.1, 0.2, 0.3].map((v) => new Value(v));
    const r = gradcheck(ps, () => ps[0]!.mul(ps[1]!).mul(ps[2]!), { indices: [2] });
    expect(r.entries.map((e) => e.index)).toEqual([2]);
    expect(r.entries[0]!.numeric).toBeCloseTo(0.02, 10);
    expect(ps.map((p) => p.data)).toEqual([0.1, 0.2, 0.3]);
  });

  it('refuses a bad step or index', () => {
    const x = new Value(1);
    expect(() => gradcheck([x], () => x, { h: 0 })).toThrow(/h must be/);
    expect(() => gradcheck([x], () => x, { indices: [3] })).toThrow(/index 3/);
  });

  it('defines relative error as |a − n| / max(|a|, |n|), 0 when both are 0', () => {
    expect(compareOne(0, 2, 1).relError).toBe(0.5);
    expect(compareOne(0, 0, 0).relError).toBe(0);
    expect(compareOne(0, -1, 1).relError).toBe(2);
  });
});
