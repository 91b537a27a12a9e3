/**
 * The 'layers' kernel (src/gpu/layers.ts, shaders/layers.wgsl) against the f64 oracle: every configuration of the
 * general model (depth 1 to 4, mixed widths, each activation, both outputs, batches of 1, 3 and N, L1 and L2) element
 * by element at step 0 and step by step along MatrixTrainer's mini-batch sequence (./support/layers-check.ts); the
 * divergence verdict on designed overflows; the chooser's picks and refusals; and mutants of the kernel text that
 * the same checks must catch. The one-layer cases of tests/gpu-kernels.test.ts run on it too (it is registered).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HiddenActivation } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { chooseKernel, createTrainer, KERNELS, KernelRefusedError, specOf } from '../src/gpu/chooser.js';
import { type LayersOptions, LayersTrainer } from '../src/gpu/layers.js';
import { KERNEL_MUTANTS, type MutantId, mutantSource } from '../src/gpu/mutants.js';
import { SHADERS } from '../src/gpu/shaders.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { batchIndices, epochOrder } from '../src/mlp/batches.js';
import { makeDataset, xor } from '../src/mlp/data/data.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { initModelParams } from '../src/mlp/init.js';
import type { Output } from '../src/mlp/model.js';
import { lossModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { bits } from './support/bits.js';
import { openGpu } from './support/gpu.js';
import { checkLayers, type LayersCase, layersCase, worst } from './support/layers-check.js';
import { DEEP_RAMP_LOSS_AT_2, DEEP_RAMP_PARAM_AT_1, deepRamp } from './support/overflow.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => {
  device?.destroy();
  const { derived } = worst;
  console.log(
    `layers: largest fraction used of a derived bound ${(100 * derived.fraction).toFixed(1)}% (${derived.where})`,
  );
});

const ACTIVATIONS: readonly HiddenActivation[] = ['relu', 'leaky', 'tanh', 'sigmoid'];
const OBJECTIVES: readonly { output: Output; loss: LossKind }[] = [
  { output: 'sigmoid', loss: 'bce' },
  { output: 'sigmoid', loss: 'mse' },
  { output: 'identity', loss: 'mse' },
];
const PENALTIES = [{}, { l1: 0.0625 }, { l2: 0.125 }, { l1: 0.03125, l2: 0.0625 }] as const;

/**
 * Depth 1 to 4 × each activation, with the objective, batch (1, 3 or N) and penalty turning over so that every
 * value of each meets every depth; widths in 1..9, d in 1..3 and N in {5, 7, 10} drawn from a fixed seed.
 */
function matrix(): LayersCase[] {
  const rng = makeRng(2101);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  const cases: LayersCase[] = [];
  for (let depth = 1; depth <= 4; depth++) {
    ACTIVATIONS.forEach((activation, a) => {
      const N = pick([5, 7, 10]);
      const hidden = Array.from({ length: depth }, () => 1 + Math.floor(rng() * 9));
      cases.push(
        layersCase(100 * depth + a, {
          d: pick([1, 2, 3]),
          N,
          hidden,
          activation,
          ...OBJECTIVES[(a + depth) % 3]!,
          batch: [1, 3, N][(a + 2 * depth) % 3]!,
          ...PENALTIES[(a + depth) % 4]!,
        }),
      );
    });
  }
  return cases;
}

describe('layers against the oracle, element by element', () => {
  for (const c of matrix()) {
    it(`${c.name}: gradients and per-row values at step 0, 6 steps one by one, the trajectory`, async () => {
      expect(await checkLayers(device, c, 6)).toEqual([]);
    });
  }

  it('the matrix covers each depth, activation, objective, batch size and penalty', () => {
    const cases = matrix();
    const seen = (f: (c: LayersCase) => string) => new Set(cases.map(f));
    expect(seen((c) => `${c.model.hidden.length}`).size).toBe(4);
    expect(seen((c) => c.model.activation).size).toBe(4);
    expect(seen((c) => `${c.model.output} ${c.loss}`).size).toBe(3);
    expect(seen((c) => (c.batch === c.data.N ? 'N' : `${c.batch}`))).toEqual(new Set(['1', '3', 'N']));
    expect(seen((c) => `${c.l1 > 0} ${c.l2 > 0}`).size).toBe(4);
    expect(
      cases.some((c) => c.model.hidden.length > 1 && new Set(c.model.hidden).size > 1),
      'mixed widths',
    ).toBe(true);
  });

  it('many steps in one call (submits of 4, orders uploaded every 2 epochs): the bits of one step a call', async () => {
    const c = layersCase(77, { d: 2, N: 5, hidden: [4, 3], activation: 'tanh', output: 'identity', loss: 'mse' });
    const config = {
      data: c.data,
      params: c.params,
      hidden: c.model.hidden,
      activation: c.model.activation,
      output: c.model.output,
      loss: c.loss,
      lr: 0.125,
      batch: 2,
      seed: 9,
      l2: 0.0625,
    } satisfies LayersOptions;
    const bulk = await LayersTrainer.create(device, { ...config, epochsHeld: 2, label: 'test.bulk' });
    const single = await LayersTrainer.create(device, { ...config, label: 'test.single' });
    try {
      bulk.step(37);
      for (let t = 0; t < 37; t++) single.step(1);
      expect((await bulk.readLoss()).step).toBe(37);
      expect(bits(await bulk.readParams())).toEqual(bits(await single.readParams()));
      const cpu = new MatrixTrainer(c.data, c.params, { ...config, lr: Math.fround(config.lr) });
      cpu.step(37);
      const got = await bulk.readParams();
      const size = Math.max(...Array.from(cpu.params, Math.abs));
      got.forEach((v, k) => expect(Math.abs(v - cpu.params[k]!), `θ[${k}]`).toBeLessThan(2e-6 + 1e-4 * size));
    } finally {
      bulk.destroy();
      single.destroy();
    }
  });

  it('readLoss is L_data + R over every training point at the parameters held now (MatrixTrainer.loss())', async () => {
    const c = layersCase(5, { d: 2, N: 7, hidden: [5, 4], activation: 'relu', output: 'sigmoid', loss: 'bce' });
    const objective = { loss: c.loss, l1: 0.0625, l2: 0.125 };
    const trainer = await LayersTrainer.create(device, {
      data: c.data,
      params: c.params,
      hidden: c.model.hidden,
      ...objective,
      lr: 0.5,
      batch: 3,
      seed: 4,
    });
    try {
      trainer.step(5);
      const { loss, step } = await trainer.readLoss();
      expect(step).toBe(5);
      const expected = lossModel(c.model, await trainer.readParams(), c.data, objective);
      expect(expected.penalty).toBeGreaterThan(0.01);
      expect(Math.abs(loss - expected.loss)).toBeLessThan(1e-6 * (1 + expected.loss));
      expect((await trainer.inspect()).loss).toBe(loss);
    } finally {
      trainer.destroy();
    }
  });
});

describe('layers: a step that overflows', () => {
  const deep = (lr: number, extra: Partial<LayersOptions> = {}, quiet = false) => {
    const { data, params, hidden, loss } = deepRamp(quiet);
    return LayersTrainer.create(device, { data, params, hidden, loss, lr, label: 'test.deepRamp', ...extra });
  };

  it('a loss overflowing two layers deep at step 2: named, θ after step 1 kept bit for bit, every read', async () => {
    const trainer = await deep(DEEP_RAMP_LOSS_AT_2);
    try {
      trainer.step(1);
      trainer.step(5);
      for (const read of [() => trainer.readLoss(), () => trainer.inspect({ cache: true })]) {
        const error = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TrainingDivergedError);
        expect((error as TrainingDivergedError).message).toMatch(
          /^step 2: the loss of sample 0 became NaN .*kept the parameters after step 1/,
        );
      }
      const { data, params, hidden, loss } = deepRamp();
      const cpu = new MatrixTrainer(data, params, { hidden, loss, lr: DEEP_RAMP_LOSS_AT_2 });
      cpu.step(1);
      expect(Array.from(cpu.params)).toEqual([0.5, -(2 ** -41), 2 ** 30, -(2 ** -71), 2 ** 59, 2 ** -11]);
      expect(bits(await trainer.readParams())).toEqual(bits(cpu.params));
      cpu.step(5);
      expect(bits(cpu.params), 'in f64 nothing overflows: σ = 1 and training stops moving').not.toContain(NaN);
    } finally {
      trainer.destroy();
    }
  });

  it('a θ′ that overflows at step 1 names the deep element, W3[0][0], and keeps the initial parameters', async () => {
    const trainer = await deep(DEEP_RAMP_PARAM_AT_1);
    try {
      trainer.step(3);
      const error = await trainer.readLoss().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).message).toMatch(
        /^step 1: W3\[0\]\[0\] became Infinity .*kept the initial parameters/,
      );
      expect(bits(await trainer.readParams())).toEqual(bits(deepRamp().params));
    } finally {
      trainer.destroy();
    }
  });

  it('batches of one: the second step drawing the loud sample; later submits, orders refilled, keep it', async () => {
    const seed = 3;
    const rows = Array.from({ length: 12 }, (_, t) => batchIndices(2, 1, seed, t)[0]);
    const loud = rows.flatMap((n, t) => (n === 1 ? [t + 1] : []));
    const stop = loud[1]!; // 1-based
    const verdict = new RegExp(
      `^step ${stop}: the loss of sample 1 became NaN .*kept the parameters after step ${stop - 1}`,
    );
    const options = { batch: 1, seed, epochsHeld: 2 };
    const trainer = await deep(DEEP_RAMP_LOSS_AT_2, options, true);
    const twin = await deep(DEEP_RAMP_LOSS_AT_2, options, true);
    try {
      trainer.step(stop - 1);
      trainer.step(1);
      trainer.step(20); // submits of 3 steps, the orders replaced every 2 epochs
      for (const read of [() => trainer.readLoss(), () => trainer.inspect()])
        await expect(read()).rejects.toThrow(verdict);
      // A look over every row at the parameters after step stop − 1 meets the loud sample too, and stops the run there.
      twin.step(stop - 1);
      await expect(twin.readLoss()).rejects.toThrow(verdict);
      expect(bits(await trainer.readParams())).toEqual(bits(await twin.readParams()));
      twin.step(4);
      await expect(twin.readLoss()).rejects.toThrow(verdict);
      expect(bits(await twin.readParams()), 'nothing moves after the stop').toEqual(bits(await trainer.readParams()));
    } finally {
      trainer.destroy();
      twin.destroy();
    }
  });

  it('steps recorded after the stop, drawing other rows at the frozen θ, leave the first verdict as it is', async () => {
    // Two loud samples: step 1 draws sample 0 (θ1 as in deepRamp), step 2 sample 1 and overflows. Sample 0 would
    // overflow at θ1 too, with a smaller code, if a later step (orders refilled meanwhile) computed and flagged it.
    const seed = 1;
    expect(Array.from(epochOrder(2, 1, seed, 0))).toEqual([0, 1]);
    const { params, hidden, loss } = deepRamp();
    const data = makeDataset([[2 ** 40], [2 ** 40]], [1, 1]);
    const trainer = await LayersTrainer.create(device, {
      data,
      params,
      hidden,
      loss,
      lr: DEEP_RAMP_LOSS_AT_2,
      batch: 1,
      seed,
      epochsHeld: 2,
    });
    try {
      trainer.step(2);
      trainer.step(20);
      await expect(trainer.readLoss()).rejects.toThrow(
        /^step 2: the loss of sample 1 became NaN .*kept the parameters after step 1/,
      );
      expect(bits(await trainer.readParams())).toEqual([0.5, -(2 ** -41), 2 ** 30, -(2 ** -71), 2 ** 59, 2 ** -11]);
    } finally {
      trainer.destroy();
    }
  });
});

describe('the chooser with the general model', () => {
  const data = xor();
  const fast = ['fused-subgroup', 'fused-workgroup', 'large-tiled', 'steps'];

  it('picks layers for a deep, identity, mini-batch or penalised configuration, passing over each with why', () => {
    for (const [config, why] of [
      [{ hidden: [8, 8] }, 'one hidden layer only'],
      [{ hidden: 8, output: 'identity' }, 'the sigmoid output only'],
      [{ hidden: [8], batch: 2 }, 'the full batch only'],
      [{ hidden: 8, l2: 0.01 }, 'no L1/L2 penalty'],
      [{ hidden: 8, l1: 0.01 }, 'no L1/L2 penalty'],
    ] as const) {
      const choice = chooseKernel(device, specOf({ data, ...config }));
      expect(choice.kernel, JSON.stringify(config)).toBe('layers');
      expect(choice.passedOver).toEqual(fast.map((kernel) => ({ kernel, why })));
      expect(choice.why).toContain(why);
    }
  });

  it('the default, a list of one width and zero penalties go to the fast kernels', () => {
    for (const config of [
      { hidden: 8 },
      { hidden: [8] },
      { hidden: 8, l1: 0, l2: 0, batch: 4, output: 'sigmoid' },
    ] as const)
      expect(chooseKernel(device, specOf({ data, ...config })).kernel, JSON.stringify(config)).toBe('fused-subgroup');
  });

  it('forcing a one-layer kernel with settings it lacks is refused, naming each and the kernels that fit', async () => {
    expect(() => chooseKernel(device, specOf({ data, hidden: [8, 8] }), 'steps')).toThrow(
      /^kernel steps cannot train d=2, hidden=8,8, N=4 here: one hidden layer only; kernels that fit: layers$/,
    );
    expect(() =>
      chooseKernel(device, specOf({ data, hidden: 8, output: 'identity', batch: 2 }), 'large-tiled'),
    ).toThrow(
      new RegExp(
        '^kernel large-tiled cannot train d=2, H=8, N=4, output identity, batch 2 here: ' +
          'the sigmoid output only, the full batch only; kernels that fit: layers$',
      ),
    );
    const config = {
      data,
      params: initModelParams({ d: 2, hidden: [8, 8] }, 1),
      hidden: [8, 8],
      lr: 0.5,
      loss: 'bce',
    } as const;
    await expect(createTrainer(device, config, { kernel: 'fused-subgroup' })).rejects.toThrow(KernelRefusedError);
    expect(chooseKernel(device, specOf({ data, hidden: [8, 8] }), 'layers')).toMatchObject({ kernel: 'layers' });
  });

  it("each one-layer kernel's own create() refuses the settings it would ignore, naming them", async () => {
    const params = initModelParams({ d: 2, hidden: [4, 4] }, 1);
    for (const k of KERNELS.filter((k) => k.name !== 'layers')) {
      await expect(
        k.create(device, { data, params, hidden: [4, 4], lr: 0.5, loss: 'mse', output: 'identity', batch: 2, l1: 0.5 }),
      ).rejects.toThrow(
        new RegExp(
          `^kernel ${k.name} trains one hidden layer .*; got hidden=4,4 \\(it takes one width, a number\\), ` +
            'output identity \\(the sigmoid output only\\), batch 2 \\(the full batch only, N = 4\\), ' +
            'l1 0.5 \\(no L1/L2 penalty\\): kernel layers trains it',
        ),
      );
    }
    const one = { data, params: initModelParams({ d: 2, hidden: [4] }, 1), hidden: 4, lr: 0.5, loss: 'bce' } as const;
    await expect(StepTrainer.create(device, { ...one, l2: 0.25 })).rejects.toThrow(/got l2 0.25 \(no L1\/L2 penalty\)/);
  });

  it('createTrainer trains a deep network on layers by itself, and says why', async () => {
    const params = initModelParams({ d: 2, hidden: [8, 8] }, 1);
    const t = await createTrainer(device, { data, params, hidden: [8, 8], lr: 0.5, loss: 'bce' });
    try {
      expect(t.kernel).toBe('layers');
      expect(t.choice.why).toMatch(
        /^one dispatch per phase per layer.*the fastest that fits \(fused-subgroup: one hidden/,
      );
      await t.run(300);
      const { loss, step } = await t.readLoss();
      expect(step).toBe(300);
      expect(loss, '2-8-8-1 learns XOR').toBeLessThan(0.05);
    } finally {
      t.destroy();
    }
  });

  it('specOf refuses a bad setting naming the field and its range', () => {
    expect(() => specOf({ data, hidden: [8, 8, 8, 8, 8, 8, 8] })).toThrow(
      /^hidden must list 1 to 6 hidden layers, got 7/,
    );
    expect(() => specOf({ data, hidden: 8, batch: 5 })).toThrow(/^batch must be an integer in \[1, 4\]/);
    expect(() => specOf({ data, hidden: 8, l1: -1 })).toThrow(/^l1 must be a finite number in \[0, 1000\]/);
    expect(() => specOf({ data, hidden: 8, output: 'softmax' as Output })).toThrow(
      /^output must be one of sigmoid, identity/,
    );
  });
});

describe('layers refuses bad input before making anything, naming the field', () => {
  const data = xor();
  const deepParams = initModelParams({ d: 2, hidden: [8, 8] }, 1);
  const base = { data, params: deepParams, hidden: [8, 8], lr: 0.5, loss: 'mse' } as const;

  it('each setting', async () => {
    const refusals: [Partial<LayersOptions>, RegExp][] = [
      [{ loss: 'bce', output: 'identity' }, /^loss bce needs output sigmoid, got output identity/],
      [{ batch: 2 }, /^seed: a batch of 2 < N = 4 needs the run's seed to draw its order$/],
      [{ batch: 0, seed: 1 }, /^batch must be an integer in \[1, 4\]/],
      [{ l2: Infinity }, /^l2 must be a finite number in \[0, 1000\]/],
      [{ params: deepParams.slice(1) }, /^params: expected 105 values for d=2, hidden=8,8, got 104$/],
      [
        { data: { ...data, y: Float64Array.of(0, 2, 1, 0) } },
        /^data\.y\[1\] is 2, must be in \[0, 1\] with the sigmoid output/,
      ],
      [{ hidden: [8, 0] }, /^hidden: layer 2's width must be an integer in \[1, 4096\], got 0/],
      [{ epochsHeld: 1 }, /^epochsHeld must be an integer ≥ 2, got 1$/],
    ];
    for (const [change, message] of refusals)
      await expect(LayersTrainer.create(device, { ...base, ...change }), JSON.stringify(change)).rejects.toThrow(
        message,
      );
  });

  it('one hidden layer with σ: the same words as every other trainer', async () => {
    const one = {
      data: { ...data, y: Float64Array.of(0, 1, 1, 1.5) },
      params: initModelParams({ d: 2, hidden: [3] }, 1),
    };
    const config = { ...one, hidden: 3, lr: 0.5, loss: 'bce' } as const;
    const steps = (await StepTrainer.create(device, config).catch((e: unknown) => e)) as Error;
    expect(steps.message).toMatch(/data\.y\[3\]/);
    await expect(LayersTrainer.create(device, config)).rejects.toThrow(steps.message);
  });

  it('regression labels with the identity output are taken', async () => {
    const t = await LayersTrainer.create(device, {
      ...base,
      data: { ...data, y: Float64Array.of(-3, 2.5, 7, 0) },
      output: 'identity',
    });
    t.destroy();
  });
});

/** Each mutant (its edit in src/gpu/mutants.ts, the page's planted bugs' one list) on a problem that shows it. */
const MUTANTS: { name: string; source: string; case: LayersCase }[] = (
  [
    [
      'layers-skip-gate',
      layersCase(11, { d: 2, N: 7, hidden: [5, 6, 4], activation: 'relu', output: 'sigmoid', loss: 'bce' }),
    ],
    [
      'layers-l2-sign',
      layersCase(12, { d: 2, N: 7, hidden: [5, 3], activation: 'tanh', output: 'sigmoid', loss: 'mse', l2: 0.125 }),
    ],
    [
      'layers-batch-row',
      layersCase(13, { d: 2, N: 7, hidden: [4, 4], activation: 'leaky', output: 'sigmoid', loss: 'bce', batch: 3 }),
    ],
    [
      'layers-identity-sigma',
      layersCase(14, { d: 3, N: 7, hidden: [6, 2], activation: 'sigmoid', output: 'identity', loss: 'mse' }),
    ],
    [
      'layers-l1-zero',
      layersCase(15, { d: 2, N: 7, hidden: [5], activation: 'relu', output: 'identity', loss: 'mse', l1: 0.0625 }),
    ],
  ] as const
).map(([id, c]: readonly [MutantId, LayersCase]) => ({
  name: KERNEL_MUTANTS[id].name,
  source: mutantSource(id),
  case: c,
}));

describe('mutants of shaders/layers.wgsl fail the oracle check; the real kernel passes it on the same problem', () => {
  for (const m of MUTANTS) {
    it(`${m.name}: a real edit of the kernel text, caught`, async () => {
      expect(m.source).not.toBe(SHADERS.layers);
      expect(Math.abs(m.source.length - SHADERS.layers.length)).toBeLessThan(70); // one small edit
      expect(await checkLayers(device, m.case, 4)).toEqual([]);
      const failed = await checkLayers(device, m.case, 4, { shaderSource: m.source });
      expect(failed.length, `${m.name} passed`).toBeGreaterThan(0);
    });
  }
});
