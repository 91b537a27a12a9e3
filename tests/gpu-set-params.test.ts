/**
 * The Trainer contract's setParams, for every kernel in the chooser's registry (forced through createTrainer): the
 * parameters written are those read back (as f32), the step count stays, and the next step is the oracle's SGD step
 * from them, within its derived per-element f32 bound. A refused write (wrong length, a value beyond f32) changes
 * nothing. Then the page's GPU session (gpuSession) does the same through Session.setParams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrainer, KERNELS } from '../src/gpu/chooser.js';
import { compareArrayWithBounds } from '../src/mlp/bounds/compare.js';
import { sgdStepBoundsModel } from '../src/mlp/bounds/step-bounds.js';
import { randomDataset, roundToF32, xor } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { gpuSession } from '../src/ui/session.js';
import { bits } from './support/bits.js';
import { openGpu } from './support/gpu.js';

let device: GPUDevice;
beforeAll(async () => {
  ({ device } = await openGpu('tests.device.setParams'));
});
afterAll(() => device?.destroy());

/** Parameters unlike the run's own: another seed's, with one weight moved far, rounded to f32 as the GPU holds them. */
function edited(d: number, hidden: number[], seed: number): Float64Array {
  const p = initModelParams({ d, hidden }, seed);
  p[1] = 2.75;
  return Float64Array.from(p, Math.fround);
}

const CASES = [
  ['XOR 2-6-1, BCE', xor(), 6, 'bce'],
  ['random 3-5-1, 12 points, MSE', randomDataset(8, 3, 12, { binary: true }), 5, 'mse'],
] as const;

for (const kernel of KERNELS) {
  describe(`kernel ${kernel.name}`, () => {
    for (const [name, data, H, loss] of CASES) {
      it(`${name}: after 7 steps setParams holds the new θ at step 7, and step 8 is the oracle's step from it`, async () => {
        const model = makeModel({ d: data.d, hidden: [H] });
        const params = initModelParams({ d: data.d, hidden: [H] }, 4);
        const lr = 0.4;
        const trainer = await createTrainer(
          device,
          { data, params, hidden: H, lr, loss, activation: 'relu', label: `test.setParams.${kernel.name}` },
          { kernel: kernel.name },
        );
        try {
          expect(trainer.kernel).toBe(kernel.name);
          trainer.step(7); // odd: a kernel that alternates θ between two buffers must write the one read next
          const before = await trainer.readParams();
          const theta = edited(data.d, [H], 11);
          expect(bits(theta), 'the edit differs from the run').not.toEqual(bits(before));
          trainer.setParams(theta);
          const r = await trainer.inspect();
          expect(r.step, 'the step count stays').toBe(7);
          expect(bits(r.params), 'the parameters read back are those written').toEqual(bits(theta));
          trainer.step(1);
          const one = sgdStepBoundsModel(model, theta, new Float64Array(theta.length), roundToF32(data), { loss }, lr);
          const next = await trainer.readParams();
          const cmp = compareArrayWithBounds('θ', next, one.params, one.error, one.gateUncertain);
          expect(cmp.pass, `step 8 from the written θ: ${JSON.stringify(cmp)}`).toBe(true);
          expect((await trainer.readLoss()).step).toBe(8);
        } finally {
          trainer.destroy();
        }
      });
    }

    it('a refused write (wrong length, a value beyond f32, NaN) throws naming params and changes nothing', async () => {
      const data = xor();
      const params = initModelParams({ d: 2, hidden: [4] }, 2);
      const trainer = await createTrainer(
        device,
        { data, params, hidden: 4, lr: 0.5, loss: 'bce', label: `test.setParams.refused.${kernel.name}` },
        { kernel: kernel.name },
      );
      try {
        trainer.step(3);
        const held = await trainer.readParams();
        const tooLong = Float64Array.from([...held, 0]);
        const huge = Float64Array.from(held);
        huge[5] = 1e39;
        const nan = Float64Array.from(held);
        nan[0] = NaN;
        expect(() => trainer.setParams(tooLong)).toThrow(/^params: expected 17 values, got 18$/);
        expect(() => trainer.setParams(huge)).toThrow(/^params\[5\] is 1e\+39, must be a finite f32/);
        expect(() => trainer.setParams(nan)).toThrow(/^params\[0\] is NaN/);
        expect(bits(await trainer.readParams()), 'nothing was written').toEqual(bits(held));
        trainer.step(1);
        expect((await trainer.readLoss()).step).toBe(4);
      } finally {
        trainer.destroy();
      }
    });
  });
}

describe('fromStep: a run continued from a file', () => {
  for (const kernel of KERNELS) {
    it(`${kernel.name}: continued from step 5 at θ5, 3 more steps are steps 6–8 of the run itself`, async () => {
      const data = xor();
      const config = { hidden: 4, lr: 0.5, loss: 'bce', activation: 'relu' } as const;
      const params = initModelParams({ d: 2, hidden: [4] }, 3);
      const whole = await createTrainer(device, { data, params, ...config }, { kernel: kernel.name });
      let rest: Awaited<ReturnType<typeof createTrainer>> | null = null;
      try {
        whole.step(5);
        const theta5 = await whole.readParams();
        rest = await createTrainer(
          device,
          { data, params: theta5, ...config, fromStep: 5, label: 'test.fromStep' },
          { kernel: kernel.name },
        );
        expect((await rest.inspect()).step).toBe(5);
        expect(bits(await rest.readParams())).toEqual(bits(theta5));
        whole.step(3);
        rest.step(3);
        expect((await rest.readLoss()).step).toBe(8);
        expect(bits(await rest.readParams())).toEqual(bits(await whole.readParams()));
      } finally {
        whole.destroy();
        rest?.destroy();
      }
    });
  }

  it('layers, mini-batches of 3 of 10 points: the batches go on from step 3,000, past the 513 epochs first held (from step 0 they differ)', async () => {
    const data = randomDataset(12, 2, 10, { binary: true });
    const config = { hidden: [5], lr: 0.5, loss: 'bce', batch: 3, seed: 4 } as const;
    const params = initModelParams({ d: 2, hidden: [5] }, 4);
    const whole = await createTrainer(device, { data, params, ...config }, { kernel: 'layers' });
    const made: Awaited<ReturnType<typeof createTrainer>>[] = [whole];
    try {
      whole.step(3000);
      const theta = await whole.readParams();
      const rest = await createTrainer(
        device,
        { data, params: theta, ...config, fromStep: 3000 },
        { kernel: 'layers' },
      );
      const restarted = await createTrainer(device, { data, params: theta, ...config }, { kernel: 'layers' });
      made.push(rest, restarted);
      for (const t of made) t.step(3);
      const want = bits(await whole.readParams());
      expect(bits(await rest.readParams())).toEqual(want);
      expect(
        bits(await restarted.readParams()),
        'the batches of steps 1–3 of a fresh start are other batches',
      ).not.toEqual(want);
    } finally {
      for (const t of made) t.destroy();
    }
  });

  it('a fromStep that is not an integer in [0, 2³¹ − 1] is refused naming it', async () => {
    const data = xor();
    const params = initModelParams({ d: 2, hidden: [4] }, 3);
    for (const fromStep of [-1, 2.5, 2 ** 31])
      await expect(
        createTrainer(device, { data, params, hidden: 4, lr: 0.5, loss: 'bce', fromStep }, { kernel: 'steps' }),
      ).rejects.toThrow(/^fromStep must be an integer in \[0, 2147483647\], got /);
  });
});

describe('the page GPU session', () => {
  it('Session.setParams: the next snapshot is at the same step with the new θ and the oracle at it; playing on steps from it', async () => {
    const data = randomDataset(3, 2, 10, { binary: true });
    const hidden = [5, 3];
    const params = initModelParams({ d: 2, hidden }, 1);
    const config = {
      hidden,
      lr: 0.3,
      loss: 'bce',
      activation: 'tanh',
      output: 'sigmoid',
      batch: 4,
      l1: 0,
      l2: 0.01,
      seed: 6,
    } as const;
    const trainer = await createTrainer(device, { data, params, ...config, label: 'test.setParams.session' });
    const session = gpuSession(trainer, data, config);
    try {
      session.step(5);
      const a = await session.snapshot();
      const theta = edited(2, hidden, 21);
      session.setParams(theta);
      const b = await session.snapshot();
      expect(b.step).toBe(a.step);
      expect(bits(b.params)).toEqual(bits(theta));
      expect(b.oracle.loss, 'the oracle is computed at the new θ').not.toBe(a.oracle.loss);
      expect(b.loss).toBeCloseTo(b.oracle.loss, 5);
      session.step(1);
      const c = await session.snapshot();
      expect(c.step).toBe(6);
      // mini-batch step 6 descends the batch of step index 5 (seeded order), from θ
      const model = makeModel({ d: 2, hidden, activation: 'tanh' });
      const { batchIndices } = await import('../src/mlp/batches.js');
      const rows = batchIndices(data.N, config.batch, config.seed, 5);
      const one = sgdStepBoundsModel(model, theta, new Float64Array(theta.length), roundToF32(data), config, 0.3, rows);
      const cmp = compareArrayWithBounds('θ', c.params, one.params, one.error, one.gateUncertain);
      expect(cmp.pass, JSON.stringify(cmp)).toBe(true);
    } finally {
      session.destroy();
    }
  });
});
