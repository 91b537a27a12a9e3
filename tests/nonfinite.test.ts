import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReportFinite } from '../src/cli/report.js';
import type { TrainReport } from '../src/cli/train.js';
import { train } from './support/cli.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { TiledLargeTrainer } from '../src/gpu/large-tiled.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { type Dataset, makeDataset } from '../src/mlp/data/data.js';
import { type Fault, TrainingDivergedError } from '../src/mlp/divergence.js';
import { initParams } from '../src/mlp/init.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { openGpu } from './support/gpu.js';
import { BIG, ramp, RAMP_LOSS_AT_2, RAMP_PARAM_AT_1, RAMP_STABLE, sgdF32 } from './support/overflow.js';
import { bits } from './support/bits.js';

/**
 * "No non-finite number survives", on every trainer: the first step whose loss,
 * gradient or updated parameter overflows f32 stops the run, the error names the
 * step and the element, and the parameters read back are exactly those of the
 * step before. The expected step and parameters come from the problems' design
 * (tests/support/overflow.ts), an f32 emulation and the f64 matrix form.
 */
let device: GPUDevice;
/** A device without the subgroups feature: the tile kernel's workgroup-memory fallback. */
let plain: GPUDevice;
beforeAll(async () => {
  ({ device } = await openGpu());
  ({ device: plain } = await openGpu('tests.device.nosubgroups', { subgroups: false }));
});
afterAll(() => {
  device?.destroy();
  plain?.destroy();
});

/** The two-dispatch large-batch path, `steps` steps over two submits (so the count settles across them). */
async function tiledRun(dev: GPUDevice, p: Problem, steps: number): Promise<Outcome> {
  const t = await TiledLargeTrainer.create(dev, { ...p, loss: 'bce' });
  try {
    if (steps > 1) t.step(1);
    t.step(steps > 1 ? steps - 1 : steps);
    return { error: await errorOf(t.readLoss()), kept: await t.readParams() };
  } finally {
    t.destroy();
  }
}

interface Problem {
  data: Dataset;
  params: Float64Array;
  hidden: number;
  lr: number;
}
interface Outcome {
  error: unknown;
  kept: Float64Array;
}
type Runner = (p: Problem, steps: number) => Promise<Outcome>;

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );
/** Values for exact comparison (−0 and 0 are the same parameter value). */

/** Each GPU trainer run for `steps` steps on one problem; the many-models kernel with a companion that must go on. */
const GPU_TRAINERS: Record<string, Runner> = {
  'step kernels': async (p, steps) => {
    const t = await StepTrainer.create(device, { ...p, loss: 'bce' });
    try {
      t.step(steps);
      return { error: await errorOf(t.readLoss()), kept: await t.readParams() };
    } finally {
      t.destroy();
    }
  },
  fused: async (p, steps) => {
    const t = await FusedTrainer.create(device, { ...p, loss: 'bce' });
    try {
      t.step(steps, { stepsPerDispatch: 2 }); // the failing step in the first or a later dispatch
      return { error: await errorOf(t.readLoss()), kept: await t.readParams() };
    } finally {
      t.destroy();
    }
  },
  'large-batch': async (p, steps) => {
    const t = await LargeBatchTrainer.create(device, { ...p, loss: 'bce', chunk: 1 });
    try {
      t.step(steps);
      return { error: await errorOf(t.readLoss()), kept: await t.readParams() };
    } finally {
      t.destroy();
    }
  },
  'large-batch tiles': (p, steps) => tiledRun(device, p, steps),
  'large-batch tiles, no subgroups': (p, steps) => tiledRun(plain, p, steps),
  'many-models': async (p, steps) => {
    // Model 1 is the problem; models 0 and 2 start from the same parameters with a rate that stays finite.
    const companion = p.data.x[0] === 2 ** 70 ? RAMP_STABLE : 2 ** -120;
    const t = await ManyTrainer.create(device, {
      data: p.data,
      hidden: p.hidden,
      loss: 'bce',
      lrs: [companion, p.lr, companion],
      seedBase: 0,
      initialParams: [...p.params, ...p.params, ...p.params],
    });
    try {
      t.train(steps, { stepsPerDispatch: 2 });
      const r = await t.readResults();
      for (const m of [0, 2]) {
        expect(r.errors[m], `companion model ${m}`).toBeNull();
        expect(r.steps[m], `companion model ${m} went on`).toBe(steps);
        expect(r.diverged[m]).toBe(0);
        const own = sgdF32({ d: p.data.d, H: p.hidden }, p.params, p.data, companion, 'bce', steps);
        expect(own.fault).toBeNull();
        expect((await t.readParams(m)).every(Number.isFinite)).toBe(true);
        if (companion === RAMP_STABLE) expect(bits(await t.readParams(m))).toEqual(bits(own.history[steps]!));
      }
      expect(r.diverged[1]).toBe(r.errors[1] ? 1 : 0);
      return { error: r.errors[1], kept: await t.readParams(1) };
    } finally {
      t.destroy();
    }
  },
};

function expectFault(error: unknown, want: Omit<Fault, 'precision'>, message: RegExp): void {
  expect(error).toBeInstanceOf(TrainingDivergedError);
  const e = error as TrainingDivergedError;
  expect({ ...e.fault, precision: undefined }).toEqual({ ...want, precision: undefined });
  expect(Object.is(e.fault.value, want.value)).toBe(true);
  expect(e.message).toMatch(message);
}

describe('the designed problems, checked by an f32 emulation and the f64 matrix form', () => {
  it('big.json overflows W1[0][0] to −∞ at step 1 in f32, and stays finite in f64 (W1 ≈ −4.7e38)', () => {
    const params = initParams({ d: 1, H: 1 }, BIG.seed);
    const f32 = sgdF32({ d: 1, H: 1 }, params, BIG.data, BIG.lr, 'bce', 5);
    expect(f32.fault).toEqual({ step: 1, kind: 'parameter', index: 0, value: -Infinity, precision: 'f32' });
    const f64 = new MatrixTrainer(BIG.data, params, { hidden: 1, lr: BIG.lr, loss: 'bce' });
    f64.step(5);
    // Closed form of step 1 (σ(z2) = 0, δ2 = −1): W1 ← W1 − lr·(−W2·x); later steps have δ2 = 0.
    expect(f64.params[0]).toBe(params[0]! - BIG.lr * (-params[2]! * 1e36));
    expect(f64.params[0]).toBeCloseTo(-4.686664342880249e38, -24);
  });

  it('the ramp: loss NaN at step 2 (η = 2^-11), W2 overflow at step 1 (η = 2^60), nothing for η = 2^-20', () => {
    const { data, params } = ramp();
    const at2 = sgdF32({ d: 1, H: 1 }, params, data, RAMP_LOSS_AT_2, 'bce', 5);
    expect(at2.fault).toEqual({ step: 2, kind: 'loss', index: 0, value: NaN, precision: 'f32' });
    expect(bits(at2.history[1]!)).toEqual([0.5, -(2 ** -71), 2 ** 59, 2 ** -11]);
    const f64 = new MatrixTrainer(data, params, { hidden: 1, lr: RAMP_LOSS_AT_2, loss: 'bce' });
    f64.step(1);
    expect(bits(f64.params)).toEqual([0.5, -(2 ** -71), 2 ** 59, 2 ** -11]);
    f64.step(4); // f64 does not overflow at 2^128: σ = 1, δ2 = 0, nothing moves
    expect(bits(f64.params)).toEqual([0.5, -(2 ** -71), 2 ** 59, 2 ** -11]);
    expect(sgdF32({ d: 1, H: 1 }, params, data, RAMP_PARAM_AT_1, 'bce', 5).fault).toEqual({
      step: 1,
      kind: 'parameter',
      index: 2,
      value: Infinity,
      precision: 'f32',
    });
    const stable = sgdF32({ d: 1, H: 1 }, params, data, RAMP_STABLE, 'bce', 5);
    expect(stable.fault).toBeNull();
    expect(bits(stable.history[5]!)).toEqual([1 - 2 ** -10, -(2 ** -80), 2 ** 50, 2 ** -20]);
  });
});

for (const [name, run] of Object.entries(GPU_TRAINERS)) {
  describe(`${name}: the first non-finite step stops the run and keeps the step before`, () => {
    it('big.json: step 1, W1[0][0] became −Infinity; the initial parameters are kept exactly', async () => {
      const params = initParams({ d: 1, H: 1 }, BIG.seed);
      const { error, kept } = await run({ data: BIG.data, params, hidden: 1, lr: BIG.lr }, 5);
      expectFault(
        error,
        { step: 1, kind: 'parameter', index: 0, value: -Infinity },
        /^step 1: W1\[0\]\[0\] became −Infinity \(the update overflowed f32\); training stopped and kept the initial parameters/,
      );
      expect(bits(kept)).toEqual(bits(params));
    });

    it('the ramp at η = 2^-11: step 2, the loss of sample 0 became NaN; the parameters after step 1 are kept', async () => {
      const { data, params } = ramp();
      const { error, kept } = await run({ data, params, hidden: 1, lr: RAMP_LOSS_AT_2 }, 7);
      expectFault(
        error,
        { step: 2, kind: 'loss', index: 0, value: NaN },
        /^step 2: the loss of sample 0 became NaN .*kept the parameters after step 1/,
      );
      const cpu = new MatrixTrainer(data, params, { hidden: 1, lr: RAMP_LOSS_AT_2, loss: 'bce' });
      cpu.step(1);
      expect(bits(kept)).toEqual(bits(cpu.params));
    });

    it('the ramp at η = 2^60: step 1, W2[0][0] became Infinity, though W1 and b1 were finite', async () => {
      const { data, params } = ramp();
      const { error, kept } = await run({ data, params, hidden: 1, lr: RAMP_PARAM_AT_1 }, 3);
      expectFault(
        error,
        { step: 1, kind: 'parameter', index: 2, value: Infinity },
        /^step 1: W2\[0\]\[0\] became Infinity \(the update overflowed f32\)/,
      );
      expect(bits(kept)).toEqual(bits(params));
    });

    it('the ramp at η = 2^-20 trains on: no error, and the parameters equal the f64 matrix form’s', async () => {
      const { data, params } = ramp();
      const { error, kept } = await run({ data, params, hidden: 1, lr: RAMP_STABLE }, 6);
      expect(error).toBeNull();
      const cpu = new MatrixTrainer(data, params, { hidden: 1, lr: RAMP_STABLE, loss: 'bce' });
      cpu.step(6);
      expect(bits(kept)).toEqual(bits(cpu.params));
    });
  });
}

describe('a parameter that overflows mid-run, after the learning rate is raised', () => {
  // x = 2^10, θ = [1, 0, −2^-2, 0], y = 1: z2 = −256, so σ = 0 and δ2 = −1 in f32 (and to the last bit in f64).
  // Step 1 at η = 2^-20 gives θ1 = [1 − 2^-12, −2^-22, −(2^-2 − 2^-10), 2^-20], exact. At step 2, dW1 = 255,
  // and η = 2^121 makes η·dW1 = 2^129 − 2^121, beyond f32: W1[0][0] = −∞ while loss and gradients are finite.
  const data = makeDataset([[2 ** 10]], [1]);
  const start = Float64Array.from([1, 0, -(2 ** -2), 0]);
  const theta1 = [1 - 2 ** -12, -(2 ** -22), -(2 ** -2 - 2 ** -10), 2 ** -20];

  for (const make of [
    async () => StepTrainer.create(device, { data, params: start, hidden: 1, lr: 2 ** -20, loss: 'bce' }),
    async () => LargeBatchTrainer.create(device, { data, params: start, hidden: 1, lr: 2 ** -20, loss: 'bce' }),
    async () => TiledLargeTrainer.create(device, { data, params: start, hidden: 1, lr: 2 ** -20, loss: 'bce' }),
    async () => TiledLargeTrainer.create(plain, { data, params: start, hidden: 1, lr: 2 ** -20, loss: 'bce' }),
  ]) {
    const name = make.toString().includes('Tiled')
      ? `large-batch tiles (${make.toString().includes('plain') ? 'no subgroups' : 'subgroups'})`
      : make.toString().includes('Large')
        ? 'large-batch'
        : 'step kernels';
    it(`${name}: step 2, W1[0][0] became −Infinity; θ1 is kept`, async () => {
      const f32 = sgdF32({ d: 1, H: 1 }, start, data, 2 ** -20, 'bce', 1);
      expect(bits(f32.history[1]!)).toEqual(theta1);
      expect(sgdF32({ d: 1, H: 1 }, theta1, data, 2 ** 121, 'bce', 1).fault).toEqual({
        step: 1,
        kind: 'parameter',
        index: 0,
        value: -Infinity,
        precision: 'f32',
      });
      const t = await make();
      try {
        t.step(1);
        t.setLearningRate(2 ** 121);
        t.step(3);
        const error = await errorOf(t.readLoss());
        expectFault(
          error,
          { step: 2, kind: 'parameter', index: 0, value: -Infinity },
          /^step 2: W1\[0\]\[0\] became −Infinity \(the update overflowed f32\); training stopped and kept the parameters after step 1/,
        );
        expect(bits(await t.readParams())).toEqual(theta1);
        await expect(t.inspect({ cache: true })).rejects.toThrow(/^step 2: W1\[0\]\[0\]/); // every later read says so
      } finally {
        t.destroy();
      }
    });
  }
});

describe('npm run train on big.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-nonfinite-'));
  const big = join(dir, 'big.json');
  writeFileSync(big, '{"x":[[1e36]],"y":[1]}');
  const flags = ['--data', big, '--hidden', '1', '--lr', '1000', '--steps', '5'];

  it('--backend gpu --json exits 1 with the step and element on stderr, and nothing on stdout', async () => {
    const r = await train(...flags, '--json');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'train: step 1: W1[0][0] became −Infinity (the update overflowed f32); training stopped and kept the initial parameters; lower the learning rate or rescale the data\n',
    );
  });

  it('--backend gpu in text mode fails the same way, printing no result', async () => {
    const r = await train(...flags);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^train: step 1: W1\[0\]\[0\] became −Infinity/);
  });

  it('--backend cpu exits 0: in f64 W1 ≈ −4.7e38 is finite, and every value in the JSON is a finite number', async () => {
    const r = await train(...flags, '--backend', 'cpu', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    const p0 = initParams({ d: 1, H: 1 }, 1);
    // step 1's closed form; later steps have δ2 = 0
    expect(report.final.params.W1[0]![0]).toBe(p0[0]! - 1000 * (-p0[2]! * 1e36));
    expect(r.out).not.toMatch(/null|NaN|Infinity/);
    expect(() => checkReportFinite(report)).not.toThrow();
  });
});

describe('the report guard', () => {
  it('refuses NaN, ±Infinity and null anywhere in a report, naming the field', () => {
    expect(() => checkReportFinite({ final: { params: { W1: [[-Infinity]] } } })).toThrow(
      /^report\.final\.params\.W1\[0\]\[0\] is -Infinity; a non-finite value is never printed/,
    );
    expect(() => checkReportFinite({ loss: Number.NaN })).toThrow(/^report\.loss is NaN/);
    expect(() => checkReportFinite({ adapter: null })).toThrow(/^report\.adapter is null/);
    expect(() => checkReportFinite({ a: [1, 2, { b: 3 }], c: 'text', d: undefined })).not.toThrow();
  });
});
