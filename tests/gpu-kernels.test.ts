/**
 * Every kernel in the chooser's registry (a kernel is tested by being registered), forced through createTrainer and
 * driven as the page drives it (gpuSession): against a pure step-kernel run, the CPU oracle within its per-element f32
 * bounds, the exact divergence verdict, a learning-rate change. Then the chooser's picks and refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import {
  chooseKernel,
  createTrainer,
  KERNELS,
  KernelRefusedError,
  LARGE_BATCH_MIN_N,
  specOf,
} from '../src/gpu/chooser.js';
import { KERNEL_NAMES } from '../src/gpu/contract.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { type Dataset, randomDataset, roundToF32, xor } from '../src/mlp/data/data.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { initParams } from '../src/mlp/init.js';
import { makeSpec } from '../src/mlp/spec.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { gpuSession } from '../src/ui/session.js';
import { expectWithinBounds, readoutAgainstBounds } from './support/bounds.js';
import { bits } from './support/bits.js';
import { openGpu } from './support/gpu.js';
import { ramp, RAMP_LOSS_AT_2 } from './support/overflow.js';

let device: GPUDevice;
let plainDevice: GPUDevice;
beforeAll(async () => {
  ({ device } = await openGpu());
  ({ device: plainDevice } = await openGpu('tests.device.noSubgroups', { subgroups: false }));
});
afterAll(() => {
  device?.destroy();
  plainDevice?.destroy();
});

const CASES = [
  ['XOR 2-8-1', xor(), 8, 'bce', [30, 30, 1, 70]],
  ['random 3-5-1, 12 points', randomDataset(21, 3, 12, { binary: true }), 5, 'mse', [2, 99, 64]],
] as const satisfies readonly (readonly [string, Dataset, number, LossKind, readonly number[]])[];

describe('the registry', () => {
  it('lists every kernel name once, in the order of KERNEL_NAMES', () => {
    expect(KERNELS.map((k) => k.name)).toEqual([...KERNEL_NAMES]);
  });
});

for (const kernel of KERNELS) {
  describe(`kernel ${kernel.name}`, () => {
    for (const [name, data, H, loss, frames] of CASES) {
      it(`${name}: frames of ${frames.join(', ')} steps follow a pure step-kernel run, the last step its derived bound, the snapshot the oracle`, async () => {
        expect(kernel.unfit(device, specOf({ data, hidden: H })), 'this small network fits every kernel').toBeNull();
        const spec = { d: data.d, H };
        const params = initParams(spec, 5);
        const config = { hidden: H, lr: 0.5, loss, activation: 'relu' } as const;
        const trainer = await createTrainer(
          device,
          { data, params, ...config, label: `test.${kernel.name}` },
          { kernel: kernel.name },
        );
        const plain = await StepTrainer.create(device, { data, params, ...config, label: 'test.plain' });
        const session = gpuSession(trainer, data, {
          ...config,
          hidden: [H],
          output: 'sigmoid',
          batch: data.N,
          l1: 0,
          l2: 0,
          seed: 1,
        });
        try {
          expect(trainer.kernel).toBe(kernel.name);
          let total = 0;
          for (const k of frames) {
            session.step(k);
            total += k;
            const s = await session.snapshot();
            expect(s.step, 'the step count').toBe(total);
            expect(s.kernel).toBe(kernel.name);
          }
          plain.step(total);
          // One more step, from the parameters the kernel held: within the derived one-step bound.
          const before = await trainer.readParams();
          session.step(1);
          total += 1;
          const one = sgdStepBounds(spec, before, new Float64Array(before.length), roundToF32(data), loss, config.lr);
          const last = compareArrayWithBounds('θ', await trainer.readParams(), one.params, one.error);
          expect(last.pass, `the last step from the kernel's own step before: ${JSON.stringify(last)}`).toBe(true);
          plain.step(1);
          const s = await session.snapshot();
          const cmp = compareFlat(spec, s.params, await plain.readParams(), TOLERANCES.trajectory);
          expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
          const r = await trainer.inspect({ cache: true });
          expect(bits(r.params), 'inspect() reads the parameters held').toEqual(bits(s.params));
          if (kernel.cache !== 'none')
            expect(bits(r.cache!.z2), 'the snapshot reads the GPU cache').toEqual(bits(s.layers.z[1]!));
          else expect(r.cache, 'no cache: the page draws from the oracle').toBeUndefined();
          expectWithinBounds(
            `${kernel.name} ${name}`,
            readoutAgainstBounds(spec, s.params, s.data, loss, {
              grads: s.gpuGrads!,
              ...(r.cache ? { cache: r.cache } : {}),
            }),
          );
          expect(s.loss).toBeCloseTo(s.oracle.loss, 5);
        } finally {
          session.destroy();
          plain.destroy();
        }
      });
    }

    it(`every activation it declares (${kernel.activations.join(', ')}): gradients at step 0 and after 20 steps within their bounds`, async () => {
      const data = randomDataset(33, 2, 9, { binary: true });
      const spec = { d: 2, H: 6 };
      for (const activation of kernel.activations) {
        const net = { ...spec, activation };
        const config = { data, params: initParams(spec, 3), hidden: 6, lr: 0.3, loss: 'bce', activation } as const;
        const trainer = await createTrainer(
          device,
          { ...config, label: `test.${kernel.name}.${activation}` },
          { kernel: kernel.name },
        );
        try {
          for (const steps of [0, 20]) {
            trainer.step(steps);
            const r = await trainer.inspect();
            expect(r.step).toBe(steps === 0 ? 0 : 20);
            expectWithinBounds(
              `${kernel.name}, ${activation}, step ${r.step}`,
              readoutAgainstBounds(net, r.params, roundToF32(data), 'bce', { grads: r.grads }),
            );
          }
        } finally {
          trainer.destroy();
        }
      }
    });

    it('a step that overflows is named with its number, the step before is kept exactly, and every later read says so', async () => {
      const { data, params, hidden, loss } = ramp();
      const config = { hidden, lr: RAMP_LOSS_AT_2, loss, activation: 'relu' } as const;
      const trainer = await createTrainer(
        device,
        { data, params, ...config, label: `test.${kernel.name}.ramp` },
        { kernel: kernel.name },
      );
      try {
        trainer.step(1);
        trainer.step(6); // step 2 overflows
        for (const read of [() => trainer.readLoss(), () => trainer.inspect()]) {
          const error = await read().then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(TrainingDivergedError);
          expect((error as TrainingDivergedError).message).toMatch(
            /^step 2: the loss of sample 0 became NaN .*kept the parameters after step 1/,
          );
        }
        const cpu = new MatrixTrainer(data, params, { hidden, lr: RAMP_LOSS_AT_2, loss });
        cpu.step(1);
        expect(bits(await trainer.readParams())).toEqual(bits(cpu.params));
      } finally {
        trainer.destroy();
      }
    });

    it('a learning-rate change takes effect from the next step', async () => {
      const data = xor();
      const params = initParams({ d: 2, H: 4 }, 2);
      const trainer = await createTrainer(
        device,
        { data, params, hidden: 4, lr: 0.5, loss: 'bce' },
        { kernel: kernel.name },
      );
      const plain = await StepTrainer.create(device, { data, params, hidden: 4, lr: 0.5, loss: 'bce' });
      const fixed = await StepTrainer.create(device, { data, params, hidden: 4, lr: 0.5, loss: 'bce' });
      try {
        for (const t of [trainer, plain, fixed]) t.step(50);
        trainer.setLearningRate(2);
        plain.setLearningRate(2);
        for (const t of [trainer, plain, fixed]) t.step(50);
        const got = await trainer.readParams();
        expect(compareFlat({ d: 2, H: 4 }, got, await plain.readParams(), TOLERANCES.trajectory).pass).toBe(true);
        expect(
          compareFlat({ d: 2, H: 4 }, got, await fixed.readParams(), TOLERANCES.trajectory).pass,
          'the rate changed something',
        ).toBe(false);
      } finally {
        for (const t of [trainer, plain, fixed]) t.destroy();
      }
    });

    it('after destroy() every method says so', async () => {
      const trainer = await createTrainer(
        device,
        { data: xor(), params: initParams({ d: 2, H: 2 }, 1), hidden: 2, lr: 0.5, loss: 'bce' },
        { kernel: kernel.name },
      );
      trainer.destroy();
      expect(() => trainer.step(1)).toThrow(/destroyed/);
      expect(() => trainer.setLearningRate(1)).toThrow(/destroyed/);
      for (const read of [
        () => trainer.readLoss(),
        () => trainer.readParams(),
        () => trainer.inspect(),
        () => trainer.run(1),
      ]) {
        await expect(read()).rejects.toThrow(/destroyed/);
      }
    });
  });
}

describe('the chooser', () => {
  const shape = (d: number, H: number, N: number) => makeSpec({ d, H, N });

  it('picks the subgroup kernel for XOR where the device has subgroups, the workgroup kernel where not', () => {
    expect(device.features.has('subgroups'), 'SwiftShader and the GPUs we test offer subgroups').toBe(true);
    expect(chooseKernel(device, shape(2, 8, 4)).kernel).toBe('fused-subgroup');
    const plain = chooseKernel(plainDevice, shape(2, 8, 4));
    expect(plain.kernel).toBe('fused-workgroup');
    expect(plain.passedOver).toEqual([
      { kernel: 'fused-subgroup', why: 'the device does not offer the `subgroups` feature' },
    ]);
  });

  it('picks the step kernels where no fused kernel holds the network and N is small, the tiled kernel from LARGE_BATCH_MIN_N on', () => {
    const mid = chooseKernel(device, shape(2, 64, 400));
    expect(mid.kernel).toBe('steps');
    expect(mid.passedOver.map((p) => p.kernel)).toEqual(['fused-subgroup', 'fused-workgroup', 'large-tiled']);
    expect(mid.why).toMatch(/N = 400 < 1024/);
    expect(chooseKernel(device, shape(2, 64, LARGE_BATCH_MIN_N - 1)).kernel).toBe('steps');
    expect(chooseKernel(device, shape(2, 64, LARGE_BATCH_MIN_N)).kernel).toBe('large-tiled');
    expect(chooseKernel(device, shape(2, 8, 100_000)).kernel).toBe('large-tiled');
  });

  it('falls back to the step kernels where the tiled kernel cannot hold d', () => {
    const pick = chooseKernel(device, shape(20, 8, 5000));
    expect(pick.kernel).toBe('steps');
    expect(pick.passedOver.find((p) => p.kernel === 'large-tiled')?.why).toMatch(/d ≤ 16/);
  });

  it("the workgroup kernel fits exactly up to the device's workgroup memory, counted as the implementation pads it", async () => {
    const fused = KERNELS.find((k) => k.name === 'fused-workgroup')!;
    let N = 1;
    while (fused.unfit(plainDevice, shape(2, 8, N + 1)) === null) N++;
    expect(N, 'SwiftShader holds a few hundred points at H = 8').toBeGreaterThan(100);
    const data = randomDataset(5, 2, N, { binary: true });
    const t = await createTrainer(
      plainDevice,
      { data, params: initParams({ d: 2, H: 8 }, 1), hidden: 8, lr: 0.1, loss: 'bce' },
      { kernel: 'fused-workgroup' },
    );
    try {
      t.step(2);
      expect((await t.readLoss()).step, `N = ${N}, the largest it accepts, builds and trains`).toBe(2);
    } finally {
      t.destroy();
    }
    expect(fused.unfit(plainDevice, shape(2, 8, N + 1))).toMatch(/workgroup memory/);
  });

  it('forces a kernel that fits, refuses one that does not with the kernels that do, and refuses unknown names', () => {
    expect(chooseKernel(device, shape(2, 8, 4), 'steps')).toMatchObject({ kernel: 'steps', forced: true });
    const refused = () => chooseKernel(device, shape(2, 64, 400), 'fused-subgroup');
    expect(refused).toThrow(KernelRefusedError);
    expect(refused).toThrow(
      /^kernel fused-subgroup cannot train d=2, H=64, N=400 here: N = 400 > 16; kernels that fit: large-tiled, steps, layers$/,
    );
    expect(() => chooseKernel(device, shape(2, 8, 4), 'fastest')).toThrow(
      /^kernel must be one of fused-subgroup, fused-workgroup, large-tiled, steps, layers, got 'fastest'$/,
    );
  });

  it('the trainer it makes says which kernel it is and why', async () => {
    const t = await createTrainer(device, {
      data: xor(),
      params: initParams({ d: 2, H: 8 }, 1),
      hidden: 8,
      lr: 0.5,
      loss: 'bce',
    });
    try {
      expect(t.kernel).toBe('fused-subgroup');
      expect(t.choice).toMatchObject({ kernel: 'fused-subgroup', forced: false, passedOver: [] });
      expect(t.choice.why).toMatch(/fastest kernel, and it fits/);
    } finally {
      t.destroy();
    }
  });
});
