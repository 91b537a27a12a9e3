import { describe, expect, it } from 'vitest';
import { MLP } from '../src/engine/nn.js';
import { engineModel, engineParams, initParams } from '../src/mlp/init.js';
import { makeRng, uniformAt } from '../src/mlp/rng.js';
import { cacheLayout, fromEngineOrder, makeSpec, paramLayout, toEngineOrder, toNested, wgslConstants } from '../src/mlp/spec.js';

describe('spec.ts', () => {
  it('lays out W1 [H×d], b1 [H], W2 [1×H], b2 [1] back to back', () => {
    const L = paramLayout({ d: 3, H: 4 });
    expect([L.W1.offset, L.W1.length, L.b1.offset, L.W2.offset, L.b2.offset, L.size]).toEqual([0, 12, 12, 16, 20, 21]);
    expect(L.W1.shape).toEqual([4, 3]);
    expect(L.W2.shape).toEqual([1, 4]);
  });

  it('makeSpec names the bad field and its range', () => {
    expect(makeSpec({ d: 2, H: 8, N: 4 })).toEqual({ d: 2, H: 8, N: 4 });
    expect(() => makeSpec({ d: 0, H: 8, N: 4 })).toThrow('spec.d must be an integer in [1, 1024], got 0');
    expect(() => makeSpec({ d: 2, H: 1.5, N: 4 })).toThrow(/spec\.H .*got 1\.5/);
    expect(() => makeSpec({ d: 2, H: 8, N: Number.NaN })).toThrow(/spec\.N/);
  });

  it('nests the flat vector in the math’s shapes, row-major', () => {
    const flat = Array.from({ length: paramLayout({ d: 2, H: 3 }).size }, (_, i) => i);
    expect(toNested({ d: 2, H: 3 }, flat)).toEqual({
      W1: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
      b1: [6, 7, 8],
      W2: [[9, 10, 11]],
      b2: [12],
    });
    expect(() => toNested({ d: 2, H: 3 }, [1, 2])).toThrow(/expected 13 values/);
  });

  it('converts between the engine’s neuron order and the flat layout, both ways', () => {
    const spec = { d: 3, H: 5 };
    const flat = Float64Array.from({ length: paramLayout(spec).size }, (_, i) => i * 1.5);
    expect(Array.from(fromEngineOrder(spec, toEngineOrder(spec, flat)))).toEqual(Array.from(flat));
    // the engine lists hidden unit 0 as W1[0][0..2], b1[0]
    expect(Array.from(toEngineOrder(spec, flat).slice(0, 4))).toEqual([0, 1.5, 3, 15 * 1.5]);
  });

  it('gives the WGSL override constants: sizes and the offsets of both layouts', () => {
    const c = wgslConstants({ d: 2, H: 8, N: 4 });
    expect(c).toMatchObject({ D: 2, H: 8, N: 4, W1_OFF: 0, B1_OFF: 16, W2_OFF: 24, B2_OFF: 32, P_SIZE: 33 });
    // cache: z1 (32) | a1 (32) | z2 (4) | yHat (4) | loss (4) | dz2 (4) | da1 (32) | dz1 (32)
    expect(c).toMatchObject({ Z1_OFF: 0, A1_OFF: 32, Z2_OFF: 64, YHAT_OFF: 68, LOSS_OFF: 72, DZ2_OFF: 76, DA1_OFF: 80, DZ1_OFF: 112 });
    expect(cacheLayout({ H: 8, N: 4 }).size).toBe(144);
  });
});

describe('rng.ts and init.ts', () => {
  it('is deterministic per seed, differs across seeds, and stays in [0, 1)', () => {
    const a = makeRng(42);
    const b = makeRng(42);
    const c = makeRng(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs).not.toEqual(Array.from({ length: 1000 }, () => c()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05); // σ of the mean ≈ 0.009
  });

  it('draws are exact f32 values and addressable by index', () => {
    const r = makeRng(7);
    for (let k = 0; k < 100; k++) {
      const u = r();
      expect(Math.fround(u)).toBe(u);
      expect(uniformAt(7, k)).toBe(u);
    }
  });

  it('refuses seeds outside [0, 2^32 − 1]', () => {
    expect(() => makeRng(-1)).toThrow(/seed must be an integer in \[0, 4294967295\], got -1/);
    expect(() => makeRng(0.5)).toThrow(/seed/);
  });

  it('initParams equals the engine’s own seeded MLP, every value an f32 within ±1/√fan-in', () => {
    const spec = { d: 2, H: 8 };
    const flat = initParams(spec, 1);
    const model = new MLP(2, [8, 1], { rng: makeRng(1) });
    expect(Array.from(flat)).toEqual(Array.from(engineParams(spec, model)));
    const L = paramLayout(spec);
    flat.forEach((v, k) => {
      expect(Math.fround(v)).toBe(v);
      const fanIn = k < L.W2.offset ? 2 : 8;
      expect(Math.abs(v)).toBeLessThanOrEqual(1 / Math.sqrt(fanIn) + 1e-7);
    });
    expect(Array.from(engineParams(spec, engineModel(spec, flat)))).toEqual(Array.from(flat));
  });
});
