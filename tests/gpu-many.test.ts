import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { accuracy } from '../src/mlp/accuracy.js';
import { openGpu } from './support/gpu.js';
import { SATURATED, saturatedRun } from './support/saturated.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

/** Log-spaced learning rates from 0.05 to 2, one per model. */
const rates = (M: number) => Float64Array.from({ length: M }, (_, m) => Math.fround(0.05 * 40 ** (m / (M - 1))));

describe('many-models kernel (shaders/many.wgsl)', () => {
  it('draws each model’s initial parameters exactly as initParams does on the CPU', async () => {
    const t = await ManyTrainer.create(device, {
      data: xor(),
      hidden: 5,
      loss: 'bce',
      lrs: rates(100),
      seedBase: 1000,
    });
    try {
      t.train(0);
      for (const m of [0, 1, 57, 99]) {
        expect(Array.from(await t.readParams(m)), `model ${m}`).toEqual(
          Array.from(initParams({ d: 2, H: 5 }, 1000 + m)),
        );
      }
    } finally {
      t.destroy();
    }
  });

  it('with seedCount S, every block of S models repeats the seeds seedBase .. seedBase + S − 1', async () => {
    const t = await ManyTrainer.create(device, {
      data: xor(),
      hidden: 3,
      loss: 'bce',
      lrs: rates(30),
      seedBase: 50,
      seedCount: 10,
    });
    try {
      t.train(0);
      expect(Array.from(await t.readParams(25))).toEqual(Array.from(initParams({ d: 2, H: 3 }, 55)));
      expect(Array.from(await t.readParams(5))).toEqual(Array.from(initParams({ d: 2, H: 3 }, 55)));
    } finally {
      t.destroy();
    }
  });

  for (const [loss, H, data, name] of [
    ['bce', 4, xor(), 'XOR'],
    ['mse', 3, randomDataset(8, 3, 6, { binary: true }), '6 random points in 3-d'],
  ] as const satisfies readonly (readonly [LossKind, number, ReturnType<typeof xor>, string])[]) {
    it(`a random sample of 256 models matches the CPU oracle trained alone from the same start (${loss}, H=${H}, ${name})`, async () => {
      const M = 256;
      const lrs = rates(M);
      const steps = 300;
      const t = await ManyTrainer.create(device, { data, hidden: H, loss, lrs, seedBase: 7 });
      try {
        t.train(steps - 1, { stepsPerDispatch: 128 }); // three dispatches: the state carries across them
        const rng = makeRng(123);
        const sample = Array.from({ length: 8 }, () => Math.floor(rng() * M));
        const spec = { d: data.d, H };
        const before = await Promise.all(sample.map((m) => t.readParams(m)));
        t.train(1);
        const results = await t.readResults();
        for (const [s, m] of sample.entries()) {
          // The last step from the parameters the GPU held, within its derived bound.
          const one = sgdStepBounds(spec, before[s]!, new Float64Array(before[s]!.length), data, loss, lrs[m]!);
          const last = compareArrayWithBounds('θ', await t.readParams(m), one.params, one.error);
          expect(last.pass, `model ${m}, step ${steps} from its step ${steps - 1}: ${JSON.stringify(last)}`).toBe(true);
        }
        for (const m of sample) {
          const theta = initParams(spec, 7 + m);
          for (let s = 0; s < steps; s++) sgdUpdate(theta, lossAndGrads(spec, theta, data, loss).grads, lrs[m]!);
          const cmp = compareFlat(spec, await t.readParams(m), theta, TOLERANCES.trajectory);
          expect(cmp.pass, `model ${m} (lr ${lrs[m]}): ${JSON.stringify(cmp.tensors)}`).toBe(true);
          const cpu = lossAndGrads(spec, theta, data, loss);
          expect(results.loss[m]).toBeCloseTo(cpu.loss, 5);
          expect(results.accuracy[m]).toBe(Math.fround(accuracy(cpu.cache.yHat, data.y)));
          expect(results.steps[m]).toBe(steps);
          expect(results.diverged[m]).toBe(0);
        }
      } finally {
        t.destroy();
      }
    });
  }

  it('a model that meets a NaN or infinity stops at that exact step with the step before’s parameters; the others go on', async () => {
    // Three models from the same parameters on x = ±2^100: lr 1 diverges at step 2 (an exact f32 emulation says so),
    // lr 2^-120 stays finite for all 50 steps.
    const { data, params, hidden } = SATURATED;
    const small = 2 ** -120;
    const bad = saturatedRun(1, 50);
    const good = saturatedRun(small, 50);
    expect(bad.fault).toEqual({ step: 2, kind: 'loss', index: 0, value: Infinity, precision: 'f32' });
    expect(good.fault).toBeNull();
    const t = await ManyTrainer.create(device, {
      data,
      hidden,
      loss: 'bce',
      lrs: [small, 1, small],
      seedBase: 0,
      initialParams: [...params, ...params, ...params],
    });
    try {
      t.train(50, { stepsPerDispatch: 7 });
      const r = await t.readResults();
      expect(Array.from(r.diverged)).toEqual([0, 1, 0]);
      expect(Array.from(r.steps)).toEqual([50, 1, 50]);
      expect(r.errors[0]).toBeNull();
      expect(r.errors[2]).toBeNull();
      expect(r.errors[1]?.fault).toEqual(bad.fault);
      expect(r.errors[1]?.message).toMatch(
        /^step 2: the loss of sample 0 became Infinity .*kept the parameters after step 1/,
      );
      expect(Array.from(await t.readParams(1))).toEqual(Array.from(bad.history[1]!));
      for (const m of [0, 2])
        expect(Array.from(await t.readParams(m)), `model ${m}`).toEqual(Array.from(good.history[50]!));
    } finally {
      t.destroy();
    }
  });

  it('refuses sizes beyond its private arrays and bad learning rates, naming them', async () => {
    await expect(
      ManyTrainer.create(device, { data: xor(), hidden: 17, loss: 'bce', lrs: [0.1], seedBase: 0 }),
    ).rejects.toThrow(/H ≤ 16.*H=17/);
    await expect(
      ManyTrainer.create(device, { data: xor(), hidden: 2, loss: 'bce', lrs: [0.1, -1], seedBase: 0 }),
    ).rejects.toThrow(/lrs\[1\] must be a finite number > 0, got -1/);
    await expect(
      ManyTrainer.create(device, { data: xor(), hidden: 2, loss: 'bce', lrs: [], seedBase: 0 }),
    ).rejects.toThrow(/at least one learning rate/);
  });
});
