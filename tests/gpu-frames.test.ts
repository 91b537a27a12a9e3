import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { FrameTrainer } from '../src/gpu/frames.js';
import { GpuTrainer } from '../src/gpu/trainer.js';
import { compareFlat, TOLERANCES } from '../src/mlp/compare.js';
import { randomDataset, xor } from '../src/mlp/data.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { initParams } from '../src/mlp/init.js';
import { MatrixTrainer } from '../src/mlp/train-matrix.js';
import { gpuSession } from '../src/ui/session.js';
import { expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { openGpu } from './support/gpu.js';
import { ramp, RAMP_LOSS_AT_2 } from './support/overflow.js';

/**
 * The page's fast path (src/gpu/frames.ts through src/ui/session.ts's
 * gpuSession): frames of k steps, k − 1 on the fused kernel and the last on
 * the step kernels, against a pure step-kernel run of as many steps, the CPU
 * oracle at the parameters reached, and the exact divergence verdict.
 */
let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

const bits = (xs: ArrayLike<number>) => Array.from(xs, (v) => (Object.is(v, -0) ? 0 : v));

describe('frames on the fused kernel, the last step on the step kernels', () => {
  for (const [name, data, H, loss, frames] of [
    ['XOR 2-8-1', xor(), 8, 'bce', [300, 300, 1, 700]],
    ['random 3-5-1, 40 points', randomDataset(21, 3, 40, { binary: true }), 5, 'mse', [2, 999, 64]],
  ] as const satisfies readonly (readonly [string, ReturnType<typeof xor>, number, LossKind, readonly number[]])[]) {
    it(`${name}: after frames of ${frames.join(', ')} steps the parameters are a pure step-kernel run's, and the snapshot matches the oracle`, async () => {
      const spec = { d: data.d, H };
      const params = initParams(spec, 5);
      const config = { hidden: H, lr: 0.5, loss, activation: 'relu' } as const;
      const fast = await FrameTrainer.create(device, { data, params, ...config, label: 'test.frames' });
      const plain = await GpuTrainer.create(device, { data, params, ...config, label: 'test.plain' });
      const session = gpuSession(fast, data, config);
      try {
        expect(fast.fused, 'the fused kernel holds this problem').not.toBeNull();
        let total = 0;
        for (const k of frames) {
          session.step(k);
          total += k;
          const s = await session.snapshot();
          expect(s.step, 'the step count adds up across the two kernels').toBe(total);
        }
        plain.step(total);
        const s = await session.snapshot();
        const reference = await plain.readParams();
        const cmp = compareFlat(spec, s.params, reference, TOLERANCES.trajectory);
        expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
        // The graph and the gradient panel read the step kernels' buffers at these parameters.
        const { cache } = await fast.gradients(); // the buffers the snapshot's values came from
        expect(Array.from(cache.z2)).toEqual(Array.from(s.values.z2));
        expectWithinBounds(`${name} snapshot`, readoutAgainstBounds(spec, s.params, s.data, loss, { grads: s.gpuGrads!, cache }));
        expect(s.loss).toBeCloseTo(s.oracle.loss, 5);
      } finally {
        session.destroy();
        plain.destroy();
      }
    });
  }

  it('a step that overflows inside the fused part is named with its global number; the step before is kept exactly', async () => {
    const { data, params, hidden, loss } = ramp();
    const config = { hidden, lr: RAMP_LOSS_AT_2, loss, activation: 'relu' } as const;
    const fast = await FrameTrainer.create(device, { data, params, ...config, label: 'test.frames.ramp' });
    const session = gpuSession(fast, data, config);
    try {
      session.step(1); // step 1 on the step kernels alone
      session.step(6); // steps 2–6: 2–5 fused (step 2 overflows), 6 on the step kernels
      const error = await session.snapshot().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).message).toMatch(/^step 2: the loss of sample 0 became NaN .*kept the parameters after step 1/);
      const cpu = new MatrixTrainer(data, params, { hidden, lr: RAMP_LOSS_AT_2, loss });
      cpu.step(1);
      expect(bits(await fast.readParams())).toEqual(bits(cpu.params));
    } finally {
      session.destroy();
    }
  });

  it('changing the learning rate reaches both kernels', async () => {
    const data = xor();
    const params = initParams({ d: 2, H: 4 }, 2);
    const fast = await FrameTrainer.create(device, { data, params, hidden: 4, lr: 0.5, loss: 'bce' });
    const plain = await GpuTrainer.create(device, { data, params, hidden: 4, lr: 0.5, loss: 'bce' });
    try {
      fast.step(50);
      plain.step(50);
      fast.setLearningRate(2);
      plain.setLearningRate(2);
      fast.step(50);
      plain.step(50);
      const cmp = compareFlat({ d: 2, H: 4 }, await fast.readParams(), await plain.readParams(), TOLERANCES.trajectory);
      expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
    } finally {
      fast.destroy();
      plain.destroy();
    }
  });
});
