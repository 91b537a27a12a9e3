import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { GpuTrainer } from '../src/gpu/trainer.js';
import { sgdStepBounds } from '../src/mlp/step-bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/compare.js';
import { type Dataset, makeDataset, randomDataset, xor } from '../src/mlp/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { TrainingDivergedError } from '../src/mlp/train-cpu.js';
import { openGpu } from './support/gpu.js';

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
      const steps = await GpuTrainer.create(device, { data, params: start, hidden: H, lr, loss });
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

  it('stops at a NaN or infinity with the step that produced it', async () => {
    const data = makeDataset([[1e30], [-1e30]], [1, 0]);
    const fused = await FusedTrainer.create(device, { data, params: initParams({ d: 1, H: 2 }, 1), hidden: 2, lr: 1, loss: 'bce' });
    try {
      fused.step(20, { stepsPerDispatch: 4 });
      const error = await fused.readLoss().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).message).toMatch(/training diverged at step \d+: .*fused kernel/);
      expect((await fused.readParams()).every((v) => Number.isFinite(v))).toBe(true);
    } finally {
      fused.destroy();
    }
  });

  it('refuses a size that does not fit in workgroup memory, naming the limit', async () => {
    const data = randomDataset(1, 2, 200);
    await expect(FusedTrainer.create(device, { data, params: initParams({ d: 2, H: 64 }, 1), hidden: 64, lr: 0.1, loss: 'bce' })).rejects.toThrow(
      /maxComputeWorkgroupStorageSize.*use the step kernels/,
    );
  });
});
