import { describe, expect, it } from 'vitest';
import { xor } from '../src/mlp/data/data.js';
import { CIRCLE, DATASET_KINDS, generate, problemOf, split } from '../src/mlp/data/datasets.js';

const row = (x: Float64Array, n: number) => [x[2 * n]!, x[2 * n + 1]!] as const;

describe('generated datasets', () => {
  it('are a pure function of (kind, N, noise, seed): the same seed gives the same points, another seed others', () => {
    for (const kind of DATASET_KINDS.filter((k) => k !== 'xor')) {
      const a = generate({ kind, N: 101, noise: 0.3, seed: 7 });
      const b = generate({ kind, N: 101, noise: 0.3, seed: 7 });
      const c = generate({ kind, N: 101, noise: 0.3, seed: 8 });
      expect(Array.from(a.x), kind).toEqual(Array.from(b.x));
      expect(Array.from(a.y), kind).toEqual(Array.from(b.y));
      expect(Array.from(a.x), kind).not.toEqual(Array.from(c.x));
    }
  });

  it('classification sets have N two-input points, labels in {0, 1}, balanced to within one', () => {
    for (const kind of DATASET_KINDS.filter((k) => k !== 'xor' && problemOf(k) === 'classification')) {
      for (const N of [4, 5, 200]) {
        const data = generate({ kind, N, noise: 0.5, seed: 3 });
        expect([data.d, data.N, data.x.length, data.y.length], kind).toEqual([2, N, 2 * N, N]);
        expect(data.y.every((v) => v === 0 || v === 1)).toBe(true);
        const ones = data.y.reduce((a, v) => a + v, 0);
        expect(Math.abs(2 * ones - N)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('the regression sets: points uniform in [−1, 1]², labels a plane and a mixture of six signed bumps', () => {
    expect(DATASET_KINDS.filter((k) => problemOf(k) === 'regression')).toEqual(['reg-plane', 'reg-gauss']);
    const plane = generate({ kind: 'reg-plane', N: 400, noise: 0, seed: 1 });
    for (let n = 0; n < plane.N; n++) {
      const [a, b] = row(plane.x, n);
      expect(Math.max(Math.abs(a), Math.abs(b))).toBeLessThanOrEqual(1);
      expect(plane.y[n]).toBeCloseTo(0.6 * (a + b), 12); // noise 0: exactly the plane
    }
    // noise moves where the label is read, never the point: a noisy label stays within 0.6·2·noise of the plane
    const noisy = generate({ kind: 'reg-plane', N: 400, noise: 0.5, seed: 1 });
    let off = 0;
    for (let n = 0; n < noisy.N; n++) {
      const [a, b] = row(noisy.x, n);
      const d = Math.abs(noisy.y[n]! - 0.6 * (a + b));
      expect(d).toBeLessThanOrEqual(0.6 + 1e-12);
      off = Math.max(off, d);
    }
    expect(off).toBeGreaterThan(0.1);
    const bumps = generate({ kind: 'reg-gauss', N: 2000, noise: 0, seed: 2 });
    let [pos, neg] = [0, 0];
    for (let n = 0; n < bumps.N; n++) {
      const [a, b] = row(bumps.x, n);
      const y = bumps.y[n]!;
      expect(Math.abs(y)).toBeLessThanOrEqual(1);
      // the bump at (0, 5/12) is negative, the one at (2/3, 5/12) positive; each reaches 0 at distance 1/3
      if (Math.hypot(a, b - 5 / 12) < 0.1) expect(y).toBeLessThan(-0.69);
      if (Math.hypot(a - 2 / 3, b - 5 / 12) < 0.1) expect(y).toBeGreaterThan(0.69);
      pos += y > 0.5 ? 1 : 0;
      neg += y < -0.5 ? 1 : 0;
    }
    expect(Math.min(pos, neg), 'both signs are well represented').toBeGreaterThan(50);
  });

  it('xor is always its four points, whatever N and noise', () => {
    const g = generate({ kind: 'xor', N: 500, noise: 1, seed: 9 });
    expect(Array.from(g.x)).toEqual(Array.from(xor().x));
    expect(Array.from(g.y)).toEqual([0, 1, 1, 0]);
  });

  it('with noise 0 have their clean geometry', () => {
    const circle = generate({ kind: 'circle', N: 400, noise: 0, seed: 1 });
    for (let n = 0; n < circle.N; n++) {
      const r = Math.hypot(...row(circle.x, n));
      if (circle.y[n] === 1) expect(r).toBeLessThan(CIRCLE.INNER);
      else expect(r).toBeGreaterThanOrEqual(CIRCLE.OUTER - 1e-12);
      expect(r).toBeLessThan(1);
    }
    const nx = generate({ kind: 'noisyxor', N: 400, noise: 0, seed: 1 });
    for (let n = 0; n < nx.N; n++) {
      const [a, b] = row(nx.x, n);
      expect(nx.y[n]).toBe(a * b < 0 ? 1 : 0);
      expect(Math.min(Math.abs(a), Math.abs(b))).toBeGreaterThanOrEqual(0.05);
    }
    const g = generate({ kind: 'gauss', N: 400, noise: 0, seed: 1 });
    // blobs at ±(0.5, 0.5) with σ = 0.15: the side of the line x1 + x2 = 0 gives the label for nearly all points
    let right = 0;
    for (let n = 0; n < g.N; n++) right += (row(g.x, n)[0] + row(g.x, n)[1] > 0 ? 1 : 0) === g.y[n] ? 1 : 0;
    expect(right / g.N).toBeGreaterThan(0.98);
    const sp = generate({ kind: 'spiral', N: 400, noise: 0, seed: 1 });
    for (let n = 0; n < sp.N; n++) {
      const [a, b] = row(sp.x, n);
      const t = Math.hypot(a, b); // r = t on both arms
      const angle = 3 * Math.PI * t + sp.y[n]! * Math.PI;
      expect(Math.abs(a - t * Math.cos(angle)) + Math.abs(b - t * Math.sin(angle))).toBeLessThan(1e-9);
    }
  });

  it('noise moves the points off the clean geometry', () => {
    const clean = generate({ kind: 'circle', N: 400, noise: 0, seed: 1 });
    const noisy = generate({ kind: 'circle', N: 400, noise: 1, seed: 1 });
    const gap = (d: typeof clean) =>
      Array.from({ length: d.N }, (_, n) => Math.hypot(...row(d.x, n))).filter(
        (r) => r > CIRCLE.INNER && r < CIRCLE.OUTER,
      ).length;
    expect(gap(clean)).toBe(0);
    expect(gap(noisy)).toBeGreaterThan(10);
  });

  it('refuse N and noise out of range with the allowed range', () => {
    expect(() => generate({ kind: 'spiral', N: 3, noise: 0, seed: 0 })).toThrow(
      /points must be an integer in \[4, 2000\], got 3/,
    );
    expect(() => generate({ kind: 'spiral', N: 10, noise: 1.5, seed: 0 })).toThrow(
      /noise must be a number in \[0, 1\], got 1.5/,
    );
  });
});

describe('train/test split', () => {
  const data = generate({ kind: 'spiral', N: 200, noise: 0.1, seed: 4 });

  it('holds out round(fraction·N) points, disjoint from the training points, together all of them', () => {
    for (const f of [0.1, 0.25, 0.5]) {
      const { train, test } = split(data, f, 11);
      expect(test!.N).toBe(Math.round(f * 200));
      expect(train.N + test!.N).toBe(200);
      const key = (x: Float64Array, n: number) => row(x, n).join(',');
      const all = new Set(Array.from({ length: 200 }, (_, n) => key(data.x, n)));
      const seen = new Set([
        ...Array.from({ length: train.N }, (_, n) => key(train.x, n)),
        ...Array.from({ length: test!.N }, (_, n) => key(test!.x, n)),
      ]);
      expect(seen).toEqual(all);
    }
  });

  it('is seeded: the same seed picks the same points, another seed others', () => {
    const a = split(data, 0.25, 1);
    const b = split(data, 0.25, 1);
    const c = split(data, 0.25, 2);
    expect(Array.from(a.test!.x)).toEqual(Array.from(b.test!.x));
    expect(Array.from(a.test!.x)).not.toEqual(Array.from(c.test!.x));
  });

  it('fraction 0 trains on everything; at least one point always trains; out of range is refused', () => {
    expect(split(data, 0, 1)).toEqual({ train: data, test: null });
    const four = generate({ kind: 'circle', N: 4, noise: 0, seed: 0 });
    expect(split(four, 0.5, 0).train.N).toBe(2);
    expect(() => split(data, 0.6, 0)).toThrow(/test fraction must be a number in \[0, 0.5\], got 0.6/);
  });
});
