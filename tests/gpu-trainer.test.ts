import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { type Dataset, makeDataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { DEFAULTS } from '../src/mlp/config.js';
import { initParams } from '../src/mlp/init.js';
import { forward, lossAndGrads, lossValue, sgdUpdate } from '../src/mlp/reference.js';
import { paramLayout } from '../src/mlp/spec.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { describeUsed, expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { openGpu } from './support/gpu.js';
import { SATURATED, saturatedRun } from './support/saturated.js';
import { randomParams } from './support/random.js';

/**
 * The GPU kernels against the CPU oracle. The oracle here is the matrix form
 * (src/mlp/reference.ts), which tests/reference.test.ts ties to the scalar
 * engine to 1e-12. Parameters and data are exact f32 values (random draws have
 * 24 bits), so both sides start from identical numbers.
 */
let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => {
  device?.destroy();
  // The bounds' tightness, printed for the record (docs/derivation.md quotes it).
  console.log(describeUsed());
});

// Every d in {1, 2, 3, 5}, H in {1, 2, 8, 33, 256} and N in {1, 4, 7, 1000} appears, each with both losses.
const shapes = [
  { d: 1, H: 1, N: 1 },
  { d: 2, H: 2, N: 4 },
  { d: 3, H: 8, N: 7 },
  { d: 5, H: 33, N: 1000 },
  { d: 2, H: 256, N: 7 },
  { d: 1, H: 256, N: 1000 },
  { d: 5, H: 1, N: 4 },
  { d: 3, H: 2, N: 1000 },
];

describe('GPU step kernels against the CPU oracle', () => {
  // Every hidden activation (the kernels' ACT) over the whole grid, each against its own bounds.
  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const loss of ['bce', 'mse'] as const satisfies readonly LossKind[]) {
      for (const [k, { d, H, N }] of shapes.entries()) {
        it(`forward values, deltas and gradients match for d=${d}, H=${H}, N=${N}, ${loss}, ${activation}`, async () => {
          // Fresh random draws, kinks and all: a gate f32 cannot be sure of is flagged, not avoided.
          const data = randomDataset(10 + k, d, N);
          const params = randomParams(11 + k, d, H);
          const trainer = await StepTrainer.create(device, { data, params, hidden: H, lr: 0.1, loss, activation });
          try {
            const gpu = await trainer.inspect({ cache: true });
            const net = { d, H, activation };
            const cache = forward(net, params, data);
            expectWithinBounds(
              `d=${d}, H=${H}, N=${N}, ${loss}, ${activation}`,
              readoutAgainstBounds(net, params, data, loss, gpu),
            );
            expect(gpu.loss).toBeCloseTo(lossValue(loss, cache, data.y), 5);
            expect(gpu.step).toBe(0);
            expect(Array.from(gpu.params)).toEqual(Array.from(params)); // gradients() does not update
          } finally {
            trainer.destroy();
          }
        });
      }
    }
  }

  for (const [name, data, H, lr] of [
    ['XOR, 2-8-1', xor(), 8, 0.5],
    ['7 random points, 3-16-1', randomDataset(77, 3, 7, { binary: true }), 16, 0.3],
  ] as const) {
    it(`200 SGD steps on the GPU follow 200 CPU steps from the same start (${name})`, async () => {
      const spec = { d: data.d, H };
      const start = initParams(spec, 4);
      const trainer = await StepTrainer.create(device, { data, params: start, hidden: H, lr, loss: 'bce' });
      try {
        trainer.step(199);
        const before = (await trainer.readAll()).params;
        trainer.step(1);
        const gpu = await trainer.readAll();
        // The last step, from the parameters the GPU held: within its derived bound.
        const one = sgdStepBounds(spec, before, new Float64Array(before.length), data, 'bce', lr);
        const last = compareArrayWithBounds('θ after step 200', gpu.params, one.params, one.error);
        expectWithinBounds(`${name}, step 200 from the GPU's step 199`, [last]);
        // The whole trajectory: chained bounds are vacuous after ~10 steps, so an empirical closeness.
        const theta = Float64Array.from(start);
        for (let t = 0; t < 200; t++) sgdUpdate(theta, lossAndGrads(spec, theta, data, 'bce').grads, lr);
        expect(gpu.step).toBe(200);
        const cmp = compareFlat(spec, gpu.params, theta, TOLERANCES.trajectory);
        expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
      } finally {
        trainer.destroy();
      }
    });
  }

  it('trains XOR from the default seed to loss < 0.01 and 100% accuracy', async () => {
    const data = xor();
    const trainer = await StepTrainer.create(device, {
      data,
      params: initParams({ d: 2, H: DEFAULTS.hidden }, DEFAULTS.seed),
      hidden: DEFAULTS.hidden,
      lr: DEFAULTS.lr,
      loss: DEFAULTS.loss,
    });
    try {
      trainer.step(DEFAULTS.steps);
      const r = await trainer.inspect({ cache: true }); // a fresh forward pass at the final parameters
      expect(r.step).toBe(DEFAULTS.steps);
      expect(r.loss).toBeLessThan(0.01);
      r.cache.yHat.forEach((p, n) => expect(p >= 0.5, `point ${n}: yHat ${p}`).toBe(data.y[n] === 1));
    } finally {
      trainer.destroy();
    }
  });
});

describe('GPU trainer: bad input and failures', () => {
  it('refuses non-finite data and parameters before uploading anything', async () => {
    const good = xor();
    const params = initParams({ d: 2, H: 2 }, 1);
    const nanData: Dataset = { ...good, x: Float64Array.from([0, 0, 0, 1, 1, Number.NaN, 1, 1]) };
    await expect(
      StepTrainer.create(device, { data: nanData, params, hidden: 2, lr: 0.1, loss: 'bce' }),
    ).rejects.toThrow(/data\.x\[5\] is NaN, must be a finite f32.*nothing was uploaded/);
    const hugeData: Dataset = { ...good, x: Float64Array.from([0, 0, 0, 1, 1, 1e39, 1, 1]) };
    await expect(
      StepTrainer.create(device, { data: hugeData, params, hidden: 2, lr: 0.1, loss: 'bce' }),
    ).rejects.toThrow(/data\.x\[5\] is 1e\+39/);
    const badParams = Float64Array.from(params);
    badParams[3] = Infinity;
    await expect(
      StepTrainer.create(device, { data: good, params: badParams, hidden: 2, lr: 0.1, loss: 'bce' }),
    ).rejects.toThrow(/params\[3\] is Infinity/);
    await expect(
      StepTrainer.create(device, { data: good, params: params.subarray(1), hidden: 2, lr: 0.1, loss: 'bce' }),
    ).rejects.toThrow(/expected 9 values/);
  });

  it('refuses a batch and width over the device’s buffer limit, naming the limit', async () => {
    const N = 300_000;
    const data = makeDataset(
      Array.from({ length: N }, (_, n) => [n % 2]),
      Array.from({ length: N }, (_, n) => n % 2),
    );
    const H = 4096; // the cache alone is 4·N·H floats = 19 GiB
    await expect(
      StepTrainer.create(device, {
        data,
        params: new Float64Array(paramLayout({ d: 1, H }).size),
        hidden: H,
        lr: 0.1,
        loss: 'bce',
      }),
    ).rejects.toThrow(
      /N=300000, H=4096, d=1 needs a \d+\.\d MiB buffer.*maxStorageBufferBindingSize of \d+\.\d MiB; lower the batch size N or the width H/,
    );
  });

  it('stops at the first non-finite step, step 2 exactly, and keeps exactly the parameters after step 1', async () => {
    // x = ±2^100, H = 2, lr = 1: an f32 emulation (exact here: σ saturates, products are exact) says the
    // first update makes the weights ~1e29 and at step 2 the logit overflows, so the loss of sample 0 is +Infinity.
    const expected = saturatedRun(1, 10);
    expect(expected.fault).toEqual({ step: 2, kind: 'loss', index: 0, value: Infinity, precision: 'f32' });
    const { data, params, hidden } = SATURATED;
    const trainer = await StepTrainer.create(device, { data, params, hidden, lr: 1, loss: 'bce' });
    try {
      trainer.step(10);
      const error = await trainer.readLoss().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).fault).toEqual(expected.fault);
      expect((error as TrainingDivergedError).message).toMatch(
        /^step 2: the loss of sample 0 became Infinity \(the forward pass overflowed f32\); training stopped and kept the parameters after step 1/,
      );
      expect(Array.from(await trainer.readParams())).toEqual(Array.from(expected.history[1]!));
      await expect(trainer.inspect({ cache: true })).rejects.toThrow(/^step 2: /); // still diverged: every read says so
      await expect(trainer.readAll()).rejects.toThrow(/^step 2: /);
    } finally {
      trainer.destroy();
    }
  });

  it('after the device is lost, the trainer says so instead of recording into the void', async () => {
    const { device: own } = await openGpu();
    const trainer = await StepTrainer.create(own, {
      data: xor(),
      params: initParams({ d: 2, H: 2 }, 1),
      hidden: 2,
      lr: 0.1,
      loss: 'bce',
    });
    own.destroy();
    await own.lost;
    expect(() => trainer.step(1)).toThrow(/the GPU device was lost \(destroyed\)/);
    await expect(trainer.readLoss()).rejects.toThrow(/device was lost/);
  });
});
