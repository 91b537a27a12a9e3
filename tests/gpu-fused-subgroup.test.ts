import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { createTrainer } from '../src/gpu/chooser.js';
import { FusedSubgroupTrainer, subgroupFit, subgroupSizes } from '../src/gpu/fused-subgroup.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { type Fault, TrainingDivergedError } from '../src/mlp/divergence.js';
import { initParams } from '../src/mlp/init.js';
import { makeRng } from '../src/mlp/rng.js';
import { makeSpec } from '../src/mlp/spec.js';
import { sgdStepBounds } from '../src/mlp/bounds/step-bounds.js';
import { openGpu } from './support/gpu.js';
import { ramp, RAMP_LOSS_AT_2, RAMP_PARAM_AT_1, sgdF32 } from './support/overflow.js';
import { SATURATED, saturatedRun } from './support/saturated.js';
import { bits } from './support/bits.js';
import { cpuRun } from './support/cpu-sgd.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe('the chooser between the fused kernels', () => {
  it('picks the subgroup kernel where the device has subgroups and the network fits, else the workgroup-memory kernel', async () => {
    const has = device.features.has('subgroups');
    // SwiftShader and the H100 both offer subgroups; where a device does not, the fallback is what is asserted.
    const small = await createTrainer(device, {
      data: randomDataset(1, 2, 4),
      params: initParams({ d: 2, H: 4 }, 1),
      hidden: 4,
      lr: 0.5,
      loss: 'bce',
    });
    const big = await createTrainer(device, {
      data: randomDataset(1, 2, 40),
      params: initParams({ d: 2, H: 4 }, 1),
      hidden: 4,
      lr: 0.5,
      loss: 'bce',
    });
    try {
      expect(small).toBeInstanceOf(has ? FusedSubgroupTrainer : FusedTrainer);
      expect(big).toBeInstanceOf(FusedTrainer); // N = 40 > 16
      expect(subgroupFit(device, makeSpec({ d: 5, H: 2, N: 4 }))).toEqual({
        fits: false,
        why: has ? 'd = 5 > 4' : 'the device does not offer the `subgroups` feature',
      });
      const { min } = subgroupSizes(device);
      expect(subgroupFit(device, makeSpec({ d: 2, H: 4 * min, N: 4 })).fits).toBe(has);
      expect(subgroupFit(device, makeSpec({ d: 2, H: 4 * min + 1, N: 4 })).fits).toBe(false);
    } finally {
      small.destroy();
      big.destroy();
    }
  });

  it('refuses, naming why, a network that does not fit', async () => {
    const data = randomDataset(1, 2, 20);
    await expect(
      FusedSubgroupTrainer.create(device, {
        data,
        params: initParams({ d: 2, H: 2 }, 1),
        hidden: 2,
        lr: 0.1,
        loss: 'bce',
      }),
    ).rejects.toThrow(device.features.has('subgroups') ? /N = 20 > 16; let createTrainer choose/ : /subgroups/);
  });
});

// The rest needs the subgroup kernel itself; this device offers it (asserted, not skipped: SwiftShader has size 4).
describe('subgroup fused kernel (shaders/fused-subgroup.wgsl)', () => {
  it('runs on this device: `subgroups` is offered', () => {
    expect(device.features.has('subgroups')).toBe(true);
  });

  // Random shapes: d ∈ {1, 2, 3}, H ∈ 1..8 (beyond a size-4 subgroup: two units per lane), N ∈ {1, 4, 7}, both losses.
  const rng = makeRng(15);
  const cases = Array.from({ length: 6 }, (_, k) => ({
    d: 1 + Math.floor(rng() * 3),
    H: k === 0 ? 8 : 1 + Math.floor(rng() * 8),
    N: [1, 4, 7][k % 3]!,
    loss: (k % 2 === 0 ? 'bce' : 'mse') as LossKind,
    lr: k % 2 === 0 ? 0.5 : 1,
    seed: 100 + k,
  }));
  for (const { d, H, N, loss, lr, seed } of cases) {
    it(`1,000 steps follow the step kernels and the CPU oracle (d=${d}, H=${H}, N=${N}, ${loss})`, async () => {
      const data = randomDataset(seed, d, N, { binary: true });
      const spec = { d, H };
      const start = initParams(spec, seed);
      const fast = await FusedSubgroupTrainer.create(device, { data, params: start, hidden: H, lr, loss });
      const steps = await StepTrainer.create(device, { data, params: start, hidden: H, lr, loss });
      try {
        fast.step(999, { stepsPerDispatch: 128 });
        const before = await fast.readParams();
        fast.step(1);
        const one = sgdStepBounds(spec, before, new Float64Array(before.length), data, loss, lr);
        const last = compareArrayWithBounds('θ', await fast.readParams(), one.params, one.error);
        expect(last.pass, `step 1000 from its step 999: ${JSON.stringify(last)}`).toBe(true);
        steps.step(1000);
        const { theta, lastLoss } = cpuRun(spec, start, data, loss, lr, 1000);
        const got = await fast.readParams();
        const vsCpu = compareFlat(spec, got, theta, TOLERANCES.trajectory);
        expect(vsCpu.pass, `vs CPU: ${JSON.stringify(vsCpu.tensors)}`).toBe(true);
        const vsSteps = compareFlat(spec, got, (await steps.readAll()).params, TOLERANCES.trajectory);
        expect(vsSteps.pass, `vs step kernels: ${JSON.stringify(vsSteps.tensors)}`).toBe(true);
        const { loss: l, step } = await fast.readLoss();
        expect(step).toBe(1000);
        expect(l).toBeCloseTo(lastLoss, 5);
      } finally {
        fast.destroy();
        steps.destroy();
      }
    });
  }

  it('trains five networks (seeds) in one dispatch, each as the CPU trains it alone', async () => {
    const data = randomDataset(7, 2, 4, { binary: true });
    const spec = { d: 2, H: 6 };
    const starts = [1, 2, 3, 4, 5].map((s) => initParams(spec, s));
    const fast = await FusedSubgroupTrainer.create(device, {
      data,
      params: starts.flatMap((p) => [...p]),
      hidden: 6,
      lr: 0.5,
      loss: 'bce',
      nets: 5,
    });
    try {
      fast.step(500, { stepsPerDispatch: 100 });
      for (const [k, start] of starts.entries()) {
        const { theta } = cpuRun(spec, start, data, 'bce', 0.5, 500);
        const c = compareFlat(spec, await fast.readParams(k), theta, TOLERANCES.trajectory);
        expect(c.pass, `network ${k}: ${JSON.stringify(c.tensors)}`).toBe(true);
        expect((await fast.readLoss(k)).step).toBe(500);
      }
    } finally {
      fast.destroy();
    }
  });
});

describe('subgroup fused kernel: the first non-finite step, exactly', () => {
  async function diverge(
    problem: { data: Parameters<typeof sgdF32>[2]; params: ArrayLike<number>; hidden: number },
    lr: number,
    steps: number,
    perDispatch: number,
  ) {
    // Network 1 is the problem; network 0 starts at all zeros, finite at any rate used here, and must go on.
    const P = problem.params.length;
    const t = await FusedSubgroupTrainer.create(device, {
      ...problem,
      params: [...new Array<number>(P).fill(0), ...Array.from(problem.params)],
      lr,
      loss: 'bce',
      nets: 2,
    });
    try {
      t.step(steps, { stepsPerDispatch: perDispatch });
      const error = await t.readLoss(1).then(
        () => null,
        (e: unknown) => e,
      );
      const companion = await t.readLoss(0);
      const companionParams = await t.readParams(0);
      return { error, kept: await t.readParams(1), companion, companionParams };
    } finally {
      t.destroy();
    }
  }
  const expectFault = (error: unknown, want: Fault) => {
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const f = (error as TrainingDivergedError).fault;
    expect({ ...f, value: String(f.value) }).toEqual({ ...want, value: String(want.value) });
  };

  for (const perDispatch of [1, 3, 50]) {
    it(`saturated logits: step 2, the loss of sample 0 became Infinity; θ after step 1 kept (${perDispatch} steps a dispatch)`, async () => {
      const expected = saturatedRun(1, 20);
      const r = await diverge(SATURATED, 1, 20, perDispatch);
      expectFault(r.error, expected.fault!);
      expect(bits(r.kept)).toEqual(bits(expected.history[1]!));
      expect(r.companion.step).toBe(20);
      const own = sgdF32(SATURATED.spec, new Array<number>(r.kept.length).fill(0), SATURATED.data, 1, 'bce', 20);
      expect(own.fault).toBeNull();
      expect(r.companionParams.every(Number.isFinite)).toBe(true);
    });
  }

  it('the ramp at η = 2^-11: step 2, the loss of sample 0 became NaN; at η = 2^60: step 1, W2[0][0] became Infinity', async () => {
    const p = ramp();
    const at2 = sgdF32({ d: 1, H: 1 }, p.params, p.data, RAMP_LOSS_AT_2, 'bce', 7);
    const r2 = await diverge(p, RAMP_LOSS_AT_2, 7, 4);
    expectFault(r2.error, at2.fault!);
    expect(bits(r2.kept)).toEqual(bits(at2.history[1]!));
    const at1 = sgdF32({ d: 1, H: 1 }, p.params, p.data, RAMP_PARAM_AT_1, 'bce', 3);
    const r1 = await diverge(p, RAMP_PARAM_AT_1, 3, 3);
    expectFault(r1.error, at1.fault!);
    expect(at1.fault).toMatchObject({ step: 1, kind: 'parameter', index: 2 });
    expect(bits(r1.kept)).toEqual(bits(p.params));
  });
});
