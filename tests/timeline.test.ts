import { describe, expect, it } from 'vitest';
import { LossHistory } from '../src/ui/history.js';
import { Timeline } from '../src/ui/timeline.js';

/** A run's parameters at a step, told apart by step: P values from which the step can be read back. */
const paramsAt = (step: number, P: number) => Float64Array.from({ length: P }, (_, i) => step + i / 1000);

describe('Timeline', () => {
  it('keeps every moment of the first steps, in order, with its own copy of the parameters', () => {
    const t = new Timeline(500);
    const p = paramsAt(0, 17);
    t.record(0, 0.7, p);
    p[0] = 99; // the run's array moves on: the moment must not
    for (let s = 1; s <= 100; s++) t.record(s, 0.7 / (s + 1), paramsAt(s, 17));
    expect(t.moments.map((m) => m.step)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(t.moments[0]!.params[0]).toBe(0);
    expect(t.moments[40]!.params[3]).toBeCloseTo(40.003, 12);
    expect(t.moments[40]!.loss).toBe(0.7 / 41);
    expect(t.count()).toBe('101 moments kept, steps 0 to 100');
  });

  it('holds its bound over a 100,000-step run, step 0 and the newest kept, denser towards now', () => {
    const P = 17;
    const t = new Timeline(500);
    let most = 0;
    for (let s = 0; s <= 100_000; s++) {
      t.record(s, 1 / (s + 1), paramsAt(s, P));
      most = Math.max(most, t.moments.length);
    }
    expect(most).toBeLessThanOrEqual(500);
    const steps = t.moments.map((m) => m.step);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(100_000);
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThan(steps[i - 1]!);
    // each moment's parameters are its own step's
    for (const m of t.moments) expect(m.params[0]).toBe(m.step);
    // the recent half is every step; the gaps grow towards the start
    const gaps = steps.slice(1).map((s, i) => s - steps[i]!);
    expect(gaps.at(-1)).toBe(1);
    expect(gaps[0]!).toBeGreaterThan(gaps.at(-1)!);
    expect(t.count()).toBe(`${steps.length} moments kept, steps 0 to 100,000`);
    expect(t.bytes).toBe(steps.length * P * 8);
    expect(t.bytes).toBeLessThanOrEqual(500 * P * 8);
  });

  it('keeps the bound when snapshots skip steps (a frame of many steps), and replaces a moment at the same step', () => {
    const t = new Timeline(8);
    for (let s = 0; s <= 10_000; s += 37) t.record(s, 1, paramsAt(s, 3));
    expect(t.moments.length).toBeLessThanOrEqual(8);
    expect(t.moments[0]!.step).toBe(0);
    expect(t.moments.at(-1)!.step).toBe(9990);
    t.record(9990, 2, paramsAt(5, 3)); // parameters set by hand at the same step
    expect(t.moments.at(-1)!.params[0]).toBe(5);
    expect(t.moments.at(-1)!.loss).toBe(2);
    expect(t.moments.filter((m) => m.step === 9990)).toHaveLength(1);
  });

  it('keeps a large network within its byte budget: fewer moments, never fewer than 4', () => {
    const small = new Timeline(500, 100 * 8 * 10); // room for 10 moments of 100 parameters
    for (let s = 0; s <= 100_000; s += 1) {
      small.record(s, 1, paramsAt(s, 100));
      expect(small.moments.length).toBeLessThanOrEqual(10);
    }
    expect(small.moments[0]!.step).toBe(0);
    expect(small.moments.at(-1)!.step).toBe(100_000);
    expect(small.bytes).toBeLessThanOrEqual(100 * 8 * 10);
    // the default budget, 64 MiB, at a million parameters (the most the page's oracle takes on XOR's 4 points)
    const big = new Timeline();
    expect(big.cap(1_000_000)).toBe(8);
    expect(big.cap(33)).toBe(500);
    expect(new Timeline(500, 8).cap(1_000_000)).toBe(4);
    const P = 1_000_000;
    for (let s = 0; s < 30; s++) big.record(s, 1, new Float64Array(P).fill(s));
    expect(big.moments.length).toBeLessThanOrEqual(8);
    expect(big.bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(big.moments[0]!.params[P - 1]).toBe(0);
    expect(big.moments.at(-1)!.params[0]).toBe(29);
  });

  it('refuses an earlier step or a bad one, changing nothing; truncate and clear', () => {
    const t = new Timeline(10);
    for (let s = 0; s <= 6; s++) t.record(s, 1, paramsAt(s, 2));
    expect(() => t.record(3, 1, paramsAt(3, 2))).toThrow(/step 3 is before the newest recorded, 6/);
    expect(() => t.record(-1, 1, [])).toThrow(/step must be an integer ≥ 0, got -1/);
    expect(() => new Timeline(2)).toThrow(/max must be an integer ≥ 4, got 2/);
    expect(() => new Timeline(10, 0)).toThrow(/budget must be a number of bytes > 0, got 0/);
    expect(t.moments).toHaveLength(7);
    t.truncate(3);
    expect(t.moments.map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(t.steps).toBe(3);
    t.record(4, 1, paramsAt(40, 2)); // the run continued from 3 on another path
    expect(t.moments.at(-1)!.params[0]).toBe(40);
    t.clear();
    expect(t.moments).toHaveLength(0);
    expect(t.count()).toBe('0 moments kept, no steps yet');
    // step 0 is a moment of its own: one kept reads as that step, not as "of 0 steps"
    t.record(0, 1, paramsAt(0, 2));
    expect(t.count()).toBe('1 moment kept, step 0');
  });
});

describe('LossHistory.truncate', () => {
  it('drops the points and the marks after a step, keeping those at or before it', () => {
    const h = new LossHistory();
    for (let s = 0; s <= 10; s++) {
      h.add({ step: s, loss: 1 / (s + 1) });
      if (s === 4 || s === 8) h.change({ what: 'learning rate', from: String(s), to: String(s + 1) });
    }
    h.truncate(6);
    expect(h.points.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(h.changes.map((c) => c.step)).toEqual([4]);
  });
});
