/**
 * The hidden activations (relu, leaky, tanh, sigmoid: `override ACT`) on the GPU paths beyond the step kernels (those
 * run their whole grid per activation in tests/gpu-trainer.test.ts): fused, many-models and large-batch, each against
 * the CPU oracle with the same activation; tanh far past where exp(|z1|) overflows f32; one unit never learning XOR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { TiledLargeTrainer } from '../src/gpu/large-tiled.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { accuracy } from '../src/mlp/accuracy.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { makeDataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads } from '../src/mlp/reference.js';
import { paramLayout } from '../src/mlp/spec.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { learned } from '../src/mlp/map.js';
import { expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { openGpu } from './support/gpu.js';
import { dyadicProblem } from './support/random.js';
import { cpuRun } from './support/cpu-sgd.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe.each(HIDDEN_ACTIVATIONS)('activation %s on every GPU path', (activation) => {
  it('fused kernel: 300 steps follow the CPU oracle, and step 300 from step 299 is within its derived bound (XOR 2-6-1 BCE; 3-5-1 MSE)', async () => {
    for (const [data, H, lr, loss] of [
      [xor(), 6, 0.5, 'bce'],
      [randomDataset(31, 3, 7, { binary: true }), 5, 1, 'mse'],
    ] as const) {
      const net = { d: data.d, H, activation };
      const start = initParams(net, 3);
      const fused = await FusedTrainer.create(device, { data, params: start, hidden: H, lr, loss, activation });
      try {
        fused.step(299, { stepsPerDispatch: 128 });
        const before = await fused.readParams();
        fused.step(1);
        const after = await fused.readParams();
        const one = sgdStepBounds(net, before, new Float64Array(before.length), data, loss, lr);
        const last = compareArrayWithBounds('θ', after, one.params, one.error);
        expect(last.pass, `${activation} ${loss}: fused step 300 from its step 299: ${JSON.stringify(last)}`).toBe(
          true,
        );
        const vsCpu = compareFlat(net, after, cpuRun(net, start, data, loss, lr, 300).theta, TOLERANCES.trajectory);
        expect(vsCpu.pass, `${activation} ${loss}: fused vs CPU: ${JSON.stringify(vsCpu.tensors)}`).toBe(true);
      } finally {
        fused.destroy();
      }
    }
  });

  it('many-models kernel: 4 models (their own rates) follow the step kernels, their last step within its bound, and the CPU oracle away from kinks', async () => {
    const data = xor();
    const H = 4;
    const net = { d: 2, H, activation };
    const lrs = [0.1, 0.5, 1, 2].map(Math.fround);
    const steps = 200;
    const t = await ManyTrainer.create(device, { data, hidden: H, loss: 'bce', lrs, seedBase: 11, activation });
    try {
      t.train(steps - 1, { stepsPerDispatch: 64 });
      const before = await Promise.all(lrs.map((_, m) => t.readParams(m)));
      t.train(1);
      const r = await t.readResults();
      let againstCpu = 0;
      for (const [m, lr] of lrs.entries()) {
        const after = await t.readParams(m);
        const one = sgdStepBounds(net, before[m]!, new Float64Array(before[m]!.length), data, 'bce', lr);
        const last = compareArrayWithBounds('θ', after, one.params, one.error);
        expect(
          last.pass,
          `${activation}, model ${m}: step ${steps} from its step ${steps - 1}: ${JSON.stringify(last)}`,
        ).toBe(true);
        const steps1 = await StepTrainer.create(device, {
          data,
          params: initParams(net, 11 + m),
          hidden: H,
          lr,
          loss: 'bce',
          activation,
        });
        try {
          steps1.step(steps);
          const vsSteps = compareFlat(net, after, (await steps1.readAll()).params, TOLERANCES.trajectory);
          expect(
            vsSteps.pass,
            `${activation}, model ${m}: many vs step kernels: ${JSON.stringify(vsSteps.tensors)}`,
          ).toBe(true);
        } finally {
          steps1.destroy();
        }
        // Against f64 only where the CPU's path keeps every z1 clear of a kink (ReLU's and leaky's 0):
        // a z1 within 1e-5 of it (f32 error ~1e-7 here) may take the other side in f32, and f′ jumps there
        // (1 against 0 or 0.01).
        const { theta, minAbsZ1 } = cpuRun(net, initParams(net, 11 + m), data, 'bce', lr, steps, { trackZ1: true });
        if (ACTIVATIONS[activation].kink && minAbsZ1 < 1e-5) continue;
        againstCpu++;
        const cmp = compareFlat(net, after, theta, TOLERANCES.trajectory);
        expect(cmp.pass, `${activation}, model ${m} (lr ${lr}): ${JSON.stringify(cmp.tensors)}`).toBe(true);
        const cpu = lossAndGrads(net, theta, data, 'bce');
        expect(r.loss[m]).toBeCloseTo(cpu.loss, 5);
        expect(r.accuracy[m]).toBe(Math.fround(accuracy(cpu.cache.yHat, data.y)));
      }
      expect(againstCpu, 'models compared with the CPU').toBeGreaterThanOrEqual(ACTIVATIONS[activation].kink ? 2 : 4);
    } finally {
      t.destroy();
    }
  });

  it('large-batch paths (chunked and tiled): gradients within their per-element bounds (d=3, H=64, N=5000 BCE; d=2, H=33, N=3001 MSE)', async () => {
    for (const [d, H, N, chunk, loss] of [
      [3, 64, 5000, 512, 'bce'],
      [2, 33, 3001, 1000, 'mse'],
    ] as const) {
      const { data, params } = dyadicProblem(d, H, N, 40 + H);
      const net = { d, H, activation };
      for (const t of [
        await LargeBatchTrainer.create(device, { data, params, hidden: H, lr: 0.1, loss, chunk, activation }),
        await TiledLargeTrainer.create(device, { data, params, hidden: H, lr: 0.1, loss, activation }),
      ]) {
        try {
          const gpu = await t.inspect({ cache: true });
          const what = `${t instanceof TiledLargeTrainer ? 'large-tiled' : 'large'} ${activation} d=${d}, H=${H}, N=${N}`;
          expectWithinBounds(what, readoutAgainstBounds(net, params, data, loss, { grads: gpu.grads }));
          expect(gpu.loss, what).toBeCloseTo(lossAndGrads(net, params, data, loss).loss, 5);
        } finally {
          t.destroy();
        }
      }
    }
  });

  it('one hidden unit never learns XOR: 8 rates × 32 seeds, 2,000 steps each, none learned (its decision region is a half-plane)', async () => {
    const rates = [0.03, 0.1, 0.3, 0.5, 1, 2, 3, 5];
    const S = 32;
    const lrs = Float32Array.from({ length: rates.length * S }, (_, m) => rates[Math.floor(m / S)]!);
    const t = await ManyTrainer.create(device, {
      data: xor(),
      hidden: 1,
      loss: 'bce',
      lrs,
      seedBase: 0,
      seedCount: S,
      activation,
    });
    try {
      t.train(2000, { stepsPerDispatch: 500 });
      const r = await t.readResults();
      // ŷ = σ(w2 f(w1·x + b1) + b2) is monotone in w1·x, so {ŷ > 1/2} is a half-plane: at most 3 of XOR's 4 right.
      for (let m = 0; m < lrs.length; m++) {
        expect(learned(r.loss[m]!, r.accuracy[m]!), `${activation}, model ${m}`).toBe(false);
        expect(r.accuracy[m]!).toBeLessThanOrEqual(0.75);
      }
    } finally {
      t.destroy();
    }
  });
});

describe('tanh far from 0', () => {
  it("z1 = ±200 (exp(200) overflows f32): a1 = ±1 and δ1 = 0 exactly as the oracle, no NaN (WGSL's built-in tanh is unbounded there)", async () => {
    const d = 1;
    const H = 2;
    const data = makeDataset([[1], [-1], [0.5]], [1, 0, 1]);
    const net = { d, H, activation: 'tanh' as const };
    const params = new Float64Array(paramLayout(net).size);
    const L = paramLayout(net);
    params.set([200, -150], L.W1.offset);
    params.set([0.5, -0.25], L.W2.offset);
    const trainer = await StepTrainer.create(device, {
      data,
      params,
      hidden: H,
      lr: 0.1,
      loss: 'bce',
      activation: 'tanh',
    });
    try {
      const gpu = await trainer.inspect({ cache: true });
      expect(Array.from(gpu.cache.a1)).toEqual([1, -1, -1, 1, 1, -1]);
      expect(Array.from(gpu.cache.dz1, Math.abs)).toEqual([0, 0, 0, 0, 0, 0]); // ±0: da1 times f′ = 0
      expectWithinBounds('tanh at ±200', readoutAgainstBounds(net, params, data, 'bce', gpu));
    } finally {
      trainer.destroy();
    }
  });
});
