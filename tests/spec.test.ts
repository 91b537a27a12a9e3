import { describe, expect, it } from 'vitest';
import { engineModel, engineParams, initParams } from '../src/mlp/init.js';
import { makeRng, uniformAt } from '../src/mlp/rng.js';
import { cacheLayout, wgslConstants } from '../src/gpu/layout.js';
import { fromEngineOrder, makeSpec, paramLayout, toEngineOrder, toNested } from '../src/mlp/spec.js';

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
    expect(c).toMatchObject({
      Z1_OFF: 0,
      A1_OFF: 32,
      Z2_OFF: 64,
      YHAT_OFF: 68,
      LOSS_OFF: 72,
      DZ2_OFF: 76,
      DA1_OFF: 80,
      DZ1_OFF: 112,
    });
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

  it('the PRNG matches its formula computed again in BigInt arithmetic (and MurmurHash3’s fmix32 vectors)', () => {
    expect(fmix32Big(0n)).toBe(0n);
    expect(fmix32Big(1n)).toBe(0x514e28b7n); // MurmurHash3's finaliser of 1, a published value
    for (const seed of [0, 1, 42, 2 ** 31, 2 ** 32 - 1]) {
      const r = makeRng(seed);
      for (let k = 0; k < 64; k++) expect(r(), `seed ${seed}, draw ${k}`).toBe(uniformBig(seed, k));
    }
  });

  it('initParams draws U(−1/√fan-in, 1/√fan-in) in the documented order: hidden unit j takes draws j(d+1) .. j(d+1)+d, then the output unit', () => {
    for (const [spec, seed] of [
      [{ d: 2, H: 8 }, 1],
      [{ d: 3, H: 4 }, 0],
      [{ d: 1, H: 1 }, 2 ** 32 - 1],
      [{ d: 5, H: 7 }, 123456],
    ] as const) {
      const flat = initParams(spec, seed);
      const L = paramLayout(spec);
      // Expected, built from the layout table and the BigInt PRNG, not from the engine's Neuron/MLP or init.ts
      const draw = (k: number, fanIn: number) =>
        Math.fround((2 * uniformBig(seed, k) - 1) * Math.fround(1 / Math.sqrt(fanIn)));
      const expected = new Float64Array(L.size);
      for (let j = 0; j < spec.H; j++) {
        for (let i = 0; i < spec.d; i++) expected[L.W1.offset + j * spec.d + i] = draw(j * (spec.d + 1) + i, spec.d);
        expected[L.b1.offset + j] = draw(j * (spec.d + 1) + spec.d, spec.d);
      }
      const o = spec.H * (spec.d + 1);
      for (let j = 0; j < spec.H; j++) expected[L.W2.offset + j] = draw(o + j, spec.H);
      expected[L.b2.offset] = draw(o + spec.H, spec.H);
      expect(Array.from(flat), `d=${spec.d}, H=${spec.H}, seed ${seed}`).toEqual(Array.from(expected));
      flat.forEach((v, k) => {
        expect(Math.fround(v)).toBe(v);
        expect(Math.abs(v)).toBeLessThanOrEqual(1 / Math.sqrt(k < L.W2.offset ? spec.d : spec.H));
      });
    }
  });

  it('initial parameters look uniform: mean ≈ 0 and variance ≈ bound²/3 over many draws', () => {
    const spec = { d: 64, H: 256 };
    const L = paramLayout(spec);
    const w1 = initParams(spec, 9).subarray(0, L.W1.length); // 16,384 draws, bound 1/8
    const mean = w1.reduce((s, v) => s + v, 0) / w1.length;
    const variance = w1.reduce((s, v) => s + (v - mean) ** 2, 0) / w1.length;
    expect(Math.abs(mean)).toBeLessThan(4 * Math.sqrt(1 / 64 / 3 / w1.length)); // 4σ of the mean
    expect(Math.abs(variance / (1 / 64 / 3) - 1)).toBeLessThan(0.05);
  });

  it('engineModel and engineParams carry any parameters both ways', () => {
    const spec = { d: 3, H: 5 };
    const flat = initParams(spec, 4);
    expect(Array.from(engineParams(spec, engineModel(spec, flat)))).toEqual(Array.from(flat));
  });
});

/** MurmurHash3's fmix32, in BigInt: a second implementation of src/mlp/rng.ts's formula, sharing no code with it. */
function fmix32Big(h: bigint): bigint {
  const M = 0xffff_ffffn;
  h ^= h >> 16n;
  h = (h * 0x85eb_ca6bn) & M;
  h ^= h >> 13n;
  h = (h * 0xc2b2_ae35n) & M;
  h ^= h >> 16n;
  return h;
}

/** u(s, k) = top 24 bits of fmix32(fmix32(s) ⊕ (k + 1)·0x9E3779B9 mod 2³²) / 2²⁴, as rng.ts's header states it. */
function uniformBig(seed: number, k: number): number {
  const x = fmix32Big(fmix32Big(BigInt(seed)) ^ ((BigInt(k + 1) * 0x9e37_79b9n) & 0xffff_ffffn));
  return Number(x >> 8n) / 2 ** 24;
}
