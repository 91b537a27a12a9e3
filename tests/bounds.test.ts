/**
 * The per-element error bounds (src/mlp/bounds/bounds.ts): the shadow against independent computations, the bounds
 * against an f32 emulation of the kernels (every operation rounded with Math.fround), and, on the GPU, at convergence,
 * where a fixed tolerance could not fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { ETA, gamma, shadowBounds, type Shadowed, SLACK, U } from '../src/mlp/bounds/bounds.js';
import { compareArrayWithBounds } from '../src/mlp/bounds/compare.js';
import { DEFAULTS } from '../src/mlp/config.js';
import { finiteDifferenceBounds, U64 } from '../src/mlp/bounds/fd-bounds.js';
import { type Dataset, makeDataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { forward, lossAndGrads } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { paramLayout } from '../src/mlp/spec.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { describeUsed, expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { emulate } from './support/f32-emulation.js';
import { openGpu } from './support/gpu.js';

describe('the magnitude shadow', () => {
  it('a hand-computed 1-1-1 case: z1 = 0.5·2 − 0.25, z2 = 2·0.75 + 1', () => {
    const data = makeDataset([[2]], [1]);
    const params = [0.5, -0.25, 2, 1]; // W1, b1, W2, b2: exact in f32
    const b = shadowBounds({ d: 1, H: 1 }, params, data, 'bce', { perSample: true });
    const s = b.samples!;
    expect(s.z1.value[0]).toBe(0.75);
    expect(s.z1.mag[0]).toBe(1.25); // |−0.25| + |0.5·2|
    // two terms, two roundings, nothing inherited
    expect(s.z1.bound[0]! / (SLACK * gamma(2) * 1.25)).toBeCloseTo(1, 12);
    expect(s.z2.mag[0]).toBe(3.5); // |1| + |2|·1.25
    // z2's bound: its own rounding γ_2·(|b2| + |W2|·(a1 + e_a1)) plus W2 times what z1 brought.
    const eZ1 = gamma(2) * 1.25; // (the stored bound adds the second-order cover, SLACK, once at the end)
    expect(s.z2.bound[0]! / (SLACK * (gamma(2) * (1 + 2 * (0.75 + eZ1)) + 2 * eZ1))).toBeCloseTo(1, 12);
    // δ2 = (σ(2·0.75 + 1) − 1)/1; its shadow is (σ + σ′·3.5 + 1)/1.
    const sig = 1 / (1 + Math.exp(-2.5));
    expect(s.dz2.mag[0]).toBeCloseTo(sig + sig * (1 - sig) * 3.5 + 1, 12);
    expect(b.grads.mag[paramLayout({ d: 1, H: 1 }).b2.offset]).toBeCloseTo(s.dz2.mag[0]!, 15);
  });

  it('for the forward pass equals the oracle run on |θ| and |x| (closed gates dropped)', () => {
    for (const [d, H, N, seed] of [
      [2, 3, 5, 1],
      [5, 8, 7, 2],
      [3, 33, 4, 3],
    ] as const) {
      const data = randomDataset(seed, d, N);
      const rng = makeRng(seed + 50);
      const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => 3 * rng() - 1.5);
      const b = shadowBounds({ d, H }, params, data, 'bce', { perSample: true });
      const L = paramLayout({ d, H });
      for (let n = 0; n < N; n++) {
        const one: Dataset = {
          d,
          N: 1,
          x: data.x.map(Math.abs).subarray(n * d, (n + 1) * d),
          y: data.y.subarray(n, n + 1),
        };
        const abs = params.map(Math.abs);
        const z1 = forward({ d, H }, params, { ...one, x: data.x.subarray(n * d, (n + 1) * d) }).z1;
        // surely closed
        for (let j = 0; j < H; j++) if (z1[j]! + b.samples!.z1.bound[n * H + j]! <= 0) abs[L.W2.offset + j] = 0;
        const ref = forward({ d, H }, abs, one);
        for (let j = 0; j < H; j++) expect(b.samples!.z1.mag[n * H + j]! / ref.z1[j]!).toBeCloseTo(1, 13);
        expect(b.samples!.z2.mag[n]! / ref.z2[0]!).toBeCloseTo(1, 13);
      }
    }
  });
});

describe('the bounds hold for an f32 emulation of the kernels', () => {
  let worst = 0;
  afterAll(() =>
    console.log(
      `f32 emulation: largest fraction of its bound used, over every element and shape: ${(100 * worst).toFixed(2)}%`,
    ),
  );
  for (const loss of ['bce', 'mse'] as const) {
    for (const [d, H, N, seed] of [
      [1, 1, 1, 1],
      [2, 8, 4, 2],
      [3, 33, 7, 3],
      [5, 16, 300, 4],
      [2, 256, 50, 5],
    ] as const) {
      it(`every z1, z2, yHat, δ2, δ1 and gradient within its bound, d=${d}, H=${H}, N=${N}, ${loss}, f64 inputs`, () => {
        const data = randomDataset(seed, d, N); // labels in [0, 1]
        const rng = makeRng(seed + 7);
        const x = data.x.map((v) => v + rng() * 1e-9); // not f32 values: the upload's rounding counts
        const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => 3 * rng() - 1.5);
        const problem = { ...data, x };
        const b = shadowBounds({ d, H }, params, problem, loss, { perSample: true });
        const em = emulate({ d, H }, params, problem, loss);
        const s = b.samples!;
        const check = (name: string, got: Float64Array, t: Shadowed, mask?: Uint8Array) => {
          const r = compareArrayWithBounds(name, got, t.value, t.bound, mask);
          worst = Math.max(worst, r.maxFraction);
          expect(r.pass, `${name}: ${JSON.stringify(r)}`).toBe(true);
        };
        check('z1', em.z1, s.z1);
        check('z2', em.z2, s.z2);
        check('yHat', em.yHat, s.yHat);
        check('dz2', em.dz2, s.dz2);
        check('dz1', em.dz1, s.dz1, s.gateUncertain);
        check('grads', em.grads, b.grads, b.gateUncertain);
      });
    }
  }
});

describe('central differences within their own bound (f64: rounding derived, truncation estimated)', () => {
  let worst = 0;
  afterAll(() => console.log(`central differences: largest fraction of its bound used: ${(100 * worst).toFixed(2)}%`));
  for (const loss of ['bce', 'mse'] as const) {
    for (const [d, H, N, seed] of [
      [3, 1, 1, 1],
      [2, 8, 7, 2],
      [5, 16, 7, 3],
      [4, 33, 20, 4],
    ] as const) {
      it(`d=${d}, H=${H}, N=${N}, ${loss}: every backprop gradient within its bound of D(h), and a 1e-4 relative slip is not`, () => {
        const data = randomDataset(300 + seed, d, N);
        const rng = makeRng(seed + 11);
        const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => 3 * rng() - 1.5);
        const fd = finiteDifferenceBounds({ d, H }, params, data, loss);
        const exact = lossAndGrads({ d, H }, params, data, loss).grads;
        const r = compareArrayWithBounds('fd', fd.value, exact, fd.bound, fd.kink);
        worst = Math.max(worst, r.maxFraction);
        expect(r.pass, JSON.stringify(r)).toBe(true);
        const slipped = exact.map((g, k) => (k === 0 ? g * (1 + 1e-4) : g));
        if (!fd.kink[0] && Math.abs(exact[0]!) > 1e-3)
          expect(compareArrayWithBounds('fd', fd.value, slipped, fd.bound, fd.kink).pass).toBe(false);
      });
    }
  }
});

/**
 * A bound that holds can still be too loose to catch anything: each family also gets a cap, in units
 * of u times its magnitude (the sum of |terms| it is made of), and a planted error just above that cap
 * on one element must fail it. The caps count the roundings on an element's path: C = 2k + 40 for k
 * operations (d + 1 for z1 and a1; d + H + 2 up to δ1; d + H + N + 3 for a gradient and an SGD step),
 * the 40 covering exp, the division and the upload; the largest ratio measured is about k.
 */
describe('the bounds are tight: at most C·u·magnitude, and an error just beyond is caught', () => {
  const shapes = [
    [1, 1, 1, 1],
    [2, 8, 4, 2],
    [3, 33, 7, 3],
    [5, 16, 300, 4],
    [2, 256, 50, 5],
  ] as const;
  const cap = (k: number) => 2 * k + 40;
  let worst = 0;
  afterAll(() => console.log(`tightness: largest bound / (C·u·magnitude) over every element: ${worst.toFixed(3)}`));

  /** x not f32 (the upload's rounding counts) and θ f32, so an SGD step starts with no error in θ. */
  const problem = (d: number, H: number, N: number, seed: number) => {
    const data = randomDataset(seed, d, N);
    const rng = makeRng(seed + 7);
    const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => Math.fround(3 * rng() - 1.5));
    return { data: { ...data, x: data.x.map((v) => v + rng() * 1e-9) }, params };
  };

  /**
   * Each element's bound at most C·u·mag (plus the flushed-subnormal allowance, a few η), and the emulated
   * f32 value moved by just over C·u·mag on the element of largest magnitude fails its bound.
   */
  type Values = ArrayLike<number>;
  const expectTight = (
    name: string,
    got: Values,
    value: Values,
    bound: Values,
    mag: Values,
    C: number,
    mask?: Values,
  ) => {
    let top = -1;
    for (let i = 0; i < value.length; i++) {
      if (mask?.[i]) continue; // a gate f32 cannot be sure of: its bound admits either side, on purpose
      const limit = C * U * mag[i]! + 8 * ETA;
      const at = `${name}[${i}]: bound ${bound[i]}, magnitude ${mag[i]}, cap ${C}·u·magnitude`;
      expect(bound[i]!, at).toBeLessThanOrEqual(limit);
      if (mag[i]! > 0) worst = Math.max(worst, bound[i]! / limit);
      if (top < 0 || mag[i]! > mag[top]!) top = i;
    }
    expect(compareArrayWithBounds(name, got, value, bound, mask).pass, `${name}: the emulation within`).toBe(true);
    if (top < 0 || mag[top] === 0) return;
    const planted = Array.from(got);
    planted[top] = value[top]! + 1.01 * (C * U * mag[top]! + 8 * ETA);
    const caught = !compareArrayWithBounds(name, planted, value, bound, mask).pass;
    expect(caught, `${name}[${top}]: an error of C·u·magnitude passed`).toBe(true);
  };

  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const loss of ['bce', 'mse'] as const) {
      it(`${activation}, ${loss}: forward, backward, gradients and one SGD step, on ${shapes.length} shapes`, () => {
        for (const [d, H, N, seed] of shapes) {
          const net = { d, H, activation };
          const { data, params } = problem(d, H, N, seed);
          const b = shadowBounds(net, params, data, loss, { perSample: true });
          const s = b.samples!;
          const em = emulate(net, params, data, loss);
          const at = `d=${d}, H=${H}, N=${N}`;
          expectTight(`${at} z1`, em.z1, s.z1.value, s.z1.bound, s.z1.mag, cap(d + 1));
          // tanh = (1 − E)/(1 + E), E = exp(−2|z|): near 0 its terms are 1 and E, not |a1|: an error floor of a few u.
          const a1Mag = activation === 'tanh' ? s.a1.mag.map((m) => m + 1) : s.a1.mag;
          expectTight(`${at} a1`, em.a1, s.a1.value, s.a1.bound, a1Mag, cap(d + 1));
          for (const t of ['z2', 'yHat', 'dz2'] as const) {
            expectTight(`${at} ${t}`, em[t], s[t].value, s[t].bound, s[t].mag, cap(d + H + 2));
          }
          // δ1 = da1·f′ where f′ is itself computed: 1 − a1·a1 (tanh), a1·(1 − a1) (σ), whose terms sum to
          // 1 + a1² and a1·(1 + a1), not to f′'s value: near saturation the f32 f′ is mostly rounding.
          const fTerms = (k: number) => {
            const a = Math.abs(s.a1.value[k]!);
            return activation === 'tanh' ? 1 + a * a : activation === 'sigmoid' ? a * (1 + a) : 1;
          };
          const computed = activation === 'tanh' || activation === 'sigmoid';
          const dz1Mag = s.dz1.mag.map((m, k) => (computed ? s.da1.mag[k]! * fTerms(k) : m));
          expectTight(`${at} dz1`, em.dz1, s.dz1.value, s.dz1.bound, dz1Mag, cap(d + H + 2), s.gateUncertain);
          const { value, bound, mag } = b.grads;
          expectTight(`${at} grads`, em.grads, value, bound, mag, cap(d + H + N + 3), b.gateUncertain);
          // One step θ′ = θ − lr·g from an f32 θ: magnitude |θ| + lr·mag(g); the f32 step from the emulated g.
          const lr = 0.5;
          const step = sgdStepBounds(net, params, new Float64Array(params.length), data, loss, lr);
          const stepped = params.map((p, k) => Math.fround(p - Math.fround(Math.fround(lr) * em.grads[k]!)));
          const stepMag = params.map((p, k) => Math.abs(p) + lr * b.grads.mag[k]!);
          expectTight(`${at} SGD step`, stepped, step.params, step.error, stepMag, cap(d + H + N + 3), b.gateUncertain);
        }
      });
    }
  }

  it('central differences: at most 8·(4·|D(h) − ∂L/∂θ| + k·u64·M/h), and an error just beyond is caught', () => {
    // D(h)'s bound is the rounding of two losses over 2h (k = d + H + N + 20 operations on a loss of size about
    // M = mean(|z2| + mag(z2) + 1)) plus twice its truncation, itself close to the actual |D(h) − ∂L/∂θ|.
    const h = 1e-5;
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const loss of ['bce', 'mse'] as const) {
        for (const [d, H, N, seed] of [
          [3, 1, 1, 1],
          [2, 8, 7, 2],
          [4, 33, 20, 4],
        ] as const) {
          const net = { d, H, activation };
          const data = randomDataset(300 + seed, d, N);
          const rng = makeRng(seed + 11);
          const params = Float64Array.from({ length: paramLayout({ d, H }).size }, () => 3 * rng() - 1.5);
          const z2 = shadowBounds(net, params, data, loss, { perSample: true }).samples!.z2;
          const M = z2.value.reduce((m, z, n) => m + (Math.abs(z) + z2.mag[n]! + 1) / N, 0);
          const fd = finiteDifferenceBounds(net, params, data, loss, { h });
          const exact = lossAndGrads(net, params, data, loss).grads;
          const limit = fd.value.map((D, k) => 8 * (4 * Math.abs(D - exact[k]!) + ((d + H + N + 20) * U64 * M) / h));
          fd.bound.forEach((e, k) => {
            const at = `${activation} ${loss} d=${d} H=${H} N=${N}: bound[${k}]`;
            if (!fd.kink[k]) expect(e, at).toBeLessThanOrEqual(limit[k]!);
          });
          const k = fd.kink.indexOf(0);
          if (k < 0) continue;
          const planted = Float64Array.from(exact);
          planted[k] = exact[k]! + 1.01 * limit[k]! + Math.abs(fd.value[k]! - exact[k]!);
          expect(compareArrayWithBounds('fd', fd.value, exact, fd.bound, fd.kink).pass).toBe(true);
          const caught = !compareArrayWithBounds('fd', fd.value, planted, fd.bound, fd.kink).pass;
          expect(caught, `${activation} ${loss}: planted at ${k}`).toBe(true);
        }
      }
    }
  });
});

describe('bounds at convergence, on the GPU', () => {
  let device: GPUDevice;
  beforeAll(async () => ({ device } = await openGpu()));
  afterAll(() => {
    device?.destroy();
    console.log(`at convergence: ${describeUsed()}`);
  });

  it('a gate f32 cannot be sure of is flagged, and held to a bound that admits either side', async () => {
    // z1 = (1 + 2^-23)·(1 + 2^-23) − (1 + 2^-22) = 2^-46 > 0 exactly (f64 holds it), but the f32 product
    // rounds to 1 + 2^-22, so a GPU without a fused multiply-add gets 0 and shuts the gate.
    const c = 1 + 2 ** -23;
    const data = makeDataset([[c], [-1]], [1, 0]);
    // W1 = [c, 1], b1 = [−(1 + 2^-22), 0.5], W2 = [1, −1], b2 = 0
    const params = [c, 1, -(1 + 2 ** -22), 0.5, 1, -1, 0];
    const spec = { d: 1, H: 2 };
    const trainer = await StepTrainer.create(device, { data, params, hidden: 2, lr: 0.1, loss: 'bce' });
    try {
      const gpu = await trainer.inspect({ cache: true });
      const b = shadowBounds(spec, params, data, 'bce', { perSample: true });
      expect(b.uncertainUnits).toEqual([0]);
      expect(b.samples!.z1.value[0]).toBe(2 ** -46);
      expect(Array.from(b.gateUncertain)).toEqual([1, 0, 1, 0, 0, 0, 0]); // W1[0][0] and b1[0]
      const tensors = readoutAgainstBounds(spec, params, data, 'bce', gpu);
      expect(tensors.find((t) => t.tensor === 'W1')!.gateUncertain).toBe(1);
      expectWithinBounds('uncertain gate', tensors);
      // Either outcome is legitimate f32: 0 (two roundings, the gate shut, δ1 off by all of da1) or 2^-46 (one fused
      // rounding).
      expect([0, 2 ** -46]).toContain(gpu.cache.z1[0]);
      console.log(`uncertain gate: the GPU computed z1 = ${gpu.cache.z1[0]}, the oracle 2^-46`);
      const off = Math.abs(gpu.cache.dz1[0]! - b.samples!.dz1.value[0]!);
      expect(off).toBeCloseTo(gpu.cache.z1[0] === 0 ? Math.abs(b.samples!.da1.value[0]!) : 0, 6);
      expect(off).toBeLessThanOrEqual(b.samples!.dz1.bound[0]!);
    } finally {
      trainer.destroy();
    }
  });

  it('XOR after 20,000 steps: every element within its bound, none looser than 1,000·u of its magnitude', async () => {
    const data = xor();
    const spec = { d: 2, H: DEFAULTS.hidden };
    const trainer = await StepTrainer.create(device, {
      data,
      params: initParams(spec, DEFAULTS.seed),
      hidden: spec.H,
      lr: DEFAULTS.lr,
      loss: 'bce',
    });
    try {
      trainer.step(20_000);
      const gpu = await trainer.inspect({ cache: true });
      expect(gpu.step).toBe(20_000);
      expect(gpu.loss).toBeLessThan(1e-3);
      expectWithinBounds('XOR at step 20,000', readoutAgainstBounds(spec, gpu.params, data, 'bce', gpu));
      const b = shadowBounds(spec, gpu.params, data, 'bce', { perSample: true });
      const all: [string, Shadowed][] = [
        ...Object.entries(b.samples!).filter((e): e is [string, Shadowed] => 'bound' in e[1]),
        ['grads', b.grads],
      ];
      for (const [name, t] of all) {
        t.bound.forEach((e, k) =>
          expect(e, `${name}[${k}]: bound ${e}, magnitude ${t.mag[k]}`).toBeLessThanOrEqual(1000 * U * t.mag[k]!),
        );
      }
      // And the check can fail here: gradients of zero would not pass (a fixed floor would let them).
      const zeros = readoutAgainstBounds(spec, gpu.params, data, 'bce', { grads: new Float64Array(gpu.grads.length) });
      expect(zeros.some((t) => !t.pass)).toBe(true);
    } finally {
      trainer.destroy();
    }
  });
});
