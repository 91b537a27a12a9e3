import { describe, expect, it } from 'vitest';
import { LOSSES, lossFromLogits } from '../src/engine/losses.js';
import { Value } from '../src/engine/value.js';
import { compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { makeDataset, randomDataset } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { backward, forward, lossAndGrads, lossValue, numericGradient } from '../src/mlp/reference.js';
import { paramLayout } from '../src/mlp/spec.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { randomParams } from './support/random.js';

const shapes = [
  { d: 3, H: 1, N: 1 },
  { d: 2, H: 2, N: 4 },
  { d: 2, H: 8, N: 7 },
  { d: 1, H: 5, N: 3 },
  { d: 5, H: 16, N: 7 },
  { d: 4, H: 33, N: 20 },
];

describe('matrix form (reference.ts) against the scalar engine', () => {
  for (const loss of LOSSES) {
    for (const [k, s] of shapes.entries()) {
      it(`same loss and gradients for d=${s.d}, H=${s.H}, N=${s.N}, ${loss}`, () => {
        const data = randomDataset(100 + k, s.d, s.N);
        const params = randomParams(200 + k, s.d, s.H);
        const ref = lossAndGrads(s, params, data, loss);
        const engine = new CpuTrainer(data, params, { hidden: s.H, lr: 0.1, loss });
        expect(engine.evaluate().loss).toBeCloseTo(ref.loss, 12);
        const cmp = compareFlat(s, engine.gradients(), ref.grads, TOLERANCES.engineVsReference);
        expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
        expect(cmp.maxAbsError).toBeLessThan(1e-12);
      });

      it(`both agree with central differences for d=${s.d}, H=${s.H}, N=${s.N}, ${loss}`, () => {
        const data = randomDataset(300 + k, s.d, s.N);
        const params = randomParams(400 + k, s.d, s.H);
        const ref = lossAndGrads(s, params, data, loss);
        const numeric = numericGradient(s, params, data, loss);
        const cmp = compareFlat(s, ref.grads, numeric, TOLERANCES.finiteDifference);
        expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
        const engine = new CpuTrainer(data, params, { hidden: s.H, lr: 0.1, loss }).gradients();
        expect(compareFlat(s, engine, numeric, TOLERANCES.finiteDifference).pass).toBe(true);
      });
    }
  }

  it('a training trajectory is the same in both (100 steps, 2-8-1 on 7 random points)', () => {
    const s = { d: 2, H: 8 };
    const data = randomDataset(5, 2, 7, { binary: true });
    const theta = initParams(s, 3);
    const engine = new CpuTrainer(data, theta, { hidden: 8, lr: 0.3, loss: 'bce' });
    for (let t = 0; t < 100; t++) {
      const { grads } = lossAndGrads(s, theta, data, 'bce');
      for (let k = 0; k < theta.length; k++) theta[k] -= 0.3 * grads[k];
    }
    engine.step(100);
    expect(compareFlat(s, engine.parameters(), theta, TOLERANCES.engineVsReference).pass).toBe(true);
  });
});

describe('reference.ts', () => {
  it('caches z1, a1, z2, yHat with the right shapes and a1 = ReLU(z1), yHat = σ(z2)', () => {
    const s = { d: 3, H: 4 };
    const data = randomDataset(1, 3, 5);
    const c = forward(s, randomParams(2, 3, 4), data);
    expect([c.z1.length, c.a1.length, c.z2.length, c.yHat.length]).toEqual([20, 20, 5, 5]);
    c.z1.forEach((z, i) => expect(c.a1[i]).toBe(Math.max(z, 0)));
    c.z2.forEach((z, n) => expect(c.yHat[n]).toBeCloseTo(1 / (1 + Math.exp(-z)), 15));
  });

  it('δ1 is zero wherever ReLU is off, and then so is that sample’s contribution to dW1', () => {
    const s = { d: 2, H: 6 };
    const data = randomDataset(9, 2, 1);
    const params = randomParams(10, 2, 6);
    const cache = forward(s, params, data);
    const b = backward(s, params, data, cache, 'bce');
    const L = paramLayout(s);
    let off = 0;
    for (let j = 0; j < 6; j++) {
      if (cache.z1[j]! <= 0) {
        off++;
        expect(b.dz1[j]).toBe(0);
        expect(b.grads[L.W1.offset + 2 * j]).toBe(0);
        expect(b.grads[L.W1.offset + 2 * j + 1]).toBe(0);
        expect(b.grads[L.b1.offset + j]).toBe(0);
      } else {
        expect(b.dz1[j]).toBe(b.da1[j]);
      }
    }
    expect(off).toBeGreaterThan(0); // this seed has at least one unit off; the check above ran
  });

  it('δ2 = ∂L/∂z2 for both losses: against the scalar engine’s autograd from z2, and central differences of the loss in z2', () => {
    const s = { d: 2, H: 3 };
    const data = randomDataset(11, 2, 4);
    const params = randomParams(12, 2, 3);
    const cache = forward(s, params, data);
    const labels = Array.from(data.y);
    for (const kind of LOSSES) {
      const { dz2 } = backward(s, params, data, cache, kind);
      // 1. autograd: z2 as leaves, the engine's loss of them, backward()
      const z2 = Array.from(cache.z2, (z) => new Value(z));
      lossFromLogits(kind, z2, labels).backward();
      // 2. central differences of the loss as a function of z2 alone
      const lossAt = (n: number, h: number) => {
        const z = Float64Array.from(cache.z2);
        z[n] = z[n]! + h;
        const yHat = z.map((v) => 1 / (1 + Math.exp(-v)));
        return lossValue(kind, { ...cache, z2: z, yHat }, data.y);
      };
      const h = 1e-5;
      for (let n = 0; n < data.N; n++) {
        expect(Math.abs(dz2[n]! - z2[n]!.grad), `${kind} δ2[${n}] vs autograd`).toBeLessThanOrEqual(1e-15);
        const fd = (lossAt(n, h) - lossAt(n, -h)) / (2 * h);
        expect(Math.abs(dz2[n]! - fd), `${kind} δ2[${n}] vs central difference`).toBeLessThan(1e-9);
        expect(Math.abs(dz2[n]!)).toBeGreaterThan(1e-4); // not vacuous: 10⁵ times the tolerance
      }
    }
  });

  it('BCE from the logit stays finite for logits of exactly ±1000, with δ2 = ±1/2', () => {
    // d = 1, H = 2: a1 = (ReLU(1000x), ReLU(−1000x)), z2 = a1₀ − a1₁ = 1000x for x = ±1
    const s = { d: 1, H: 2 };
    const data = makeDataset([[1], [-1]], [0, 1]); // both confidently wrong: each sample's loss is 1000
    const params = Float64Array.from([1000, -1000, 0, 0, 1, -1, 0]); // W1 | b1 | W2 | b2
    const cache = forward(s, params, data);
    expect(Array.from(cache.z2)).toEqual([1000, -1000]);
    expect(lossValue('bce', cache, data.y)).toBe(1000); // ln(1 + e¹⁰⁰⁰) = 1000 + ln(1 + e⁻¹⁰⁰⁰), naively +Infinity
    expect(lossValue('bce', cache, [1, 0])).toBe(0); // both confidently right: ln(1 + e⁻¹⁰⁰⁰) rounds to 0
    const { dz2 } = backward(s, params, data, cache, 'bce');
    expect(Array.from(dz2)).toEqual([0.5, -0.5]); // (σ(z2) − y)/N with σ(±1000) = 1, 0 in f64
  });

  it('refuses parameters and data of the wrong shape, naming the sizes', () => {
    const data = randomDataset(1, 2, 3);
    expect(() => forward({ d: 2, H: 2 }, new Float64Array(5), data)).toThrow(/expected 9 values/);
    expect(() => forward({ d: 3, H: 2 }, new Float64Array(11), data)).toThrow(/d=2.*d=3/);
  });
});
