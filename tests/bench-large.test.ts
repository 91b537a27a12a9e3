import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { openGpu } from './support/gpu.js';
import { dyadicProblem } from './support/random.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe('large-batch path (bench/variants/large.wgsl)', () => {
  for (const [d, H, N, chunk, loss] of [
    [3, 64, 5000, 512, 'bce'],
    [2, 33, 3001, 1000, 'mse'],
    [5, 256, 20_000, 1024, 'bce'],
    [2, 1024, 4096, 512, 'bce'],
  ] as const satisfies readonly (readonly [number, number, number, number, LossKind])[]) {
    it(`gradients match the CPU oracle for d=${d}, H=${H}, N=${N} in chunks of ${chunk}, ${loss}`, async () => {
      const { data, params } = dyadicProblem(d, H, N, 40 + H);
      const t = await LargeBatchTrainer.create(device, { data, params, hidden: H, lr: 0.1, loss, chunk });
      try {
        const gpu = await t.inspect();
        const cpu = lossAndGrads({ d, H }, params, data, loss);
        expectWithinBounds(
          `large d=${d}, H=${H}, N=${N}`,
          readoutAgainstBounds({ d, H }, params, data, loss, { grads: gpu.grads }),
        );
        expect(gpu.loss).toBeCloseTo(cpu.loss, 5);
      } finally {
        t.destroy();
      }
    });
  }

  it('20 SGD steps follow the CPU oracle (2-128-1 on 4,096 random points)', async () => {
    const data = randomDataset(3, 2, 4096, { binary: true });
    const spec = { d: 2, H: 128 };
    const start = initParams(spec, 9);
    const t = await LargeBatchTrainer.create(device, {
      data,
      params: start,
      hidden: 128,
      lr: 0.5,
      loss: 'bce',
      chunk: 700,
    });
    try {
      t.step(19);
      const before = (await t.inspect()).params;
      t.step(1);
      const gpu = await t.inspect();
      // The last step from the parameters the GPU held, within its derived bound (chunked sums included).
      const one = sgdStepBounds(spec, before, new Float64Array(before.length), data, 'bce', 0.5);
      expectWithinBounds("large, step 20 from the GPU's step 19", [
        compareArrayWithBounds('θ', gpu.params, one.params, one.error),
      ]);
      const theta = Float64Array.from(start);
      for (let s = 0; s < 20; s++) sgdUpdate(theta, lossAndGrads(spec, theta, data, 'bce').grads, 0.5);
      expect(gpu.step).toBe(20);
      const cmp = compareFlat(spec, gpu.params, theta, TOLERANCES.trajectory);
      expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
    } finally {
      t.destroy();
    }
  });

  it('refuses what it cannot hold, naming the limit', async () => {
    const data = randomDataset(1, 17, 10);
    await expect(
      LargeBatchTrainer.create(device, {
        data,
        params: initParams({ d: 17, H: 2 }, 1),
        hidden: 2,
        lr: 0.1,
        loss: 'bce',
      }),
    ).rejects.toThrow(/d ≤ 16.*d=17/);
  });
});
