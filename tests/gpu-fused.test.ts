import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { type Dataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { openGpu } from './support/gpu.js';
import { SATURATED, saturatedRun } from './support/saturated.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe('fused kernel (shaders/fused.wgsl)', () => {
  for (const [name, data, H, lr, loss] of [
    ['XOR, 2-8-1, BCE', xor(), 8, 0.5, 'bce'],
    ['7 random points, 3-5-1, MSE', randomDataset(31, 3, 7, { binary: true }), 5, 1, 'mse'],
  ] as const satisfies readonly (readonly [string, Dataset, number, number, LossKind])[]) {
    it(`1,000 steps follow the step kernels and the CPU oracle (${name})`, async () => {
      const spec = { d: data.d, H };
      const start = initParams(spec, 2);
      const fused = await FusedTrainer.create(device, { data, params: start, hidden: H, lr, loss });
      const steps = await StepTrainer.create(device, { data, params: start, hidden: H, lr, loss });
      try {
        fused.step(999, { stepsPerDispatch: 128 }); // 7 dispatches of 128 and one of 103
        const before = await fused.readParams();
        fused.step(1);
        // The last step from the parameters the GPU held, within its derived bound.
        const one = sgdStepBounds(spec, before, new Float64Array(before.length), data, loss, lr);
        const last = compareArrayWithBounds('θ', await fused.readParams(), one.params, one.error);
        expect(last.pass, `fused step 1000 from its step 999: ${JSON.stringify(last)}`).toBe(true);
        steps.step(1000);
        const theta = Float64Array.from(start);
        let lastLoss = 0;
        for (let t = 0; t < 1000; t++) {
          const r = lossAndGrads(spec, theta, data, loss);
          lastLoss = r.loss;
          sgdUpdate(theta, r.grads, Math.fround(lr));
        }
        const fusedParams = await fused.readParams();
        const vsCpu = compareFlat(spec, fusedParams, theta, TOLERANCES.trajectory);
        expect(vsCpu.pass, `fused vs CPU: ${JSON.stringify(vsCpu.tensors)}`).toBe(true);
        const vsSteps = compareFlat(spec, fusedParams, (await steps.readAll()).params, TOLERANCES.trajectory);
        expect(vsSteps.pass, `fused vs step kernels: ${JSON.stringify(vsSteps.tensors)}`).toBe(true);
        const { loss: l, step } = await fused.readLoss();
        expect(step).toBe(1000);
        expect(l).toBeCloseTo(lastLoss, 5); // the loss of the last forward pass, before the last update
      } finally {
        fused.destroy();
        steps.destroy();
      }
    });
  }

  it('stops at the first non-finite step, step 2 exactly, and keeps exactly the parameters after step 1', async () => {
    // f32 emulation, exact on this problem: the loss of sample 0 is +Infinity at step 2
    const expected = saturatedRun(1, 20);
    expect(expected.fault).toEqual({ step: 2, kind: 'loss', index: 0, value: Infinity, precision: 'f32' });
    const { data, params, hidden } = SATURATED;
    const fused = await FusedTrainer.create(device, { data, params, hidden, lr: 1, loss: 'bce' });
    try {
      // step 2 fails in the second dispatch; the 18 after it must not move anything
      fused.step(20, { stepsPerDispatch: 1 });
      const error = await fused.readLoss().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).fault).toEqual(expected.fault);
      expect((error as TrainingDivergedError).message).toMatch(
        /^step 2: the loss of sample 0 became Infinity .*kept the parameters after step 1/,
      );
      expect(Array.from(await fused.readParams())).toEqual(Array.from(expected.history[1]!));
    } finally {
      fused.destroy();
    }
  });

  it('refuses a size that does not fit in workgroup memory, naming the limit', async () => {
    const data = randomDataset(1, 2, 200);
    await expect(
      FusedTrainer.create(device, { data, params: initParams({ d: 2, H: 64 }, 1), hidden: 64, lr: 0.1, loss: 'bce' }),
    ).rejects.toThrow(/maxComputeWorkgroupStorageSize.*use the step kernels/);
  });
});
