import { describe, expect, it } from 'vitest';
import {
  checkConfig,
  DEFAULTS,
  describeRange,
  inRange,
  LIMITS,
  type NumericField,
  type TrainConfig,
} from '../src/mlp/config.js';
import { type Dataset, makeDataset, xor } from '../src/mlp/data/data.js';
import { initModelParams, initParams } from '../src/mlp/init.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { batchIndices } from '../src/mlp/batches.js';
import { excess, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel, lossModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { CpuTrainer, type CpuTrainerOptions } from '../src/mlp/train/train-cpu.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';

describe('XOR on the CPU (scalar engine)', () => {
  it('trains from the default seed to loss < 0.01 and 100% accuracy', () => {
    const data = xor();
    const trainer = new CpuTrainer(data, initParams({ d: 2, H: DEFAULTS.hidden }, DEFAULTS.seed), DEFAULTS);
    const before = trainer.evaluate();
    trainer.step(DEFAULTS.steps);
    const after = trainer.evaluate();
    expect(before.accuracy).toBeLessThan(1);
    expect(after.loss).toBeLessThan(0.01);
    expect(after.accuracy).toBe(1);
    after.predictions.forEach((p, n) => expect(Math.abs(p - data.y[n]!)).toBeLessThan(0.1));
  });

  it('also trains with MSE', () => {
    const trainer = new CpuTrainer(xor(), initParams({ d: 2, H: 8 }, DEFAULTS.seed), { hidden: 8, lr: 2, loss: 'mse' });
    trainer.step(3000);
    const e = trainer.evaluate();
    expect(e.loss).toBeLessThan(0.01);
    expect(e.accuracy).toBe(1);
  });
});

/**
 * The CPU trainers check in f64 what the kernels check in f32. The problem is the f64 twin of
 * tests/support/overflow.ts's ramp, scaled past f64's range (≈ 2^1024), every value a power of two:
 * x = 2^530, y = 1, θ = [W1, b1, W2, b2] = [1, 0, −2^-510, 0]. At θ0, z1 = 2^530 and z2 = −2^20, so
 * σ(z2) = 0 and δ2 = −1 exactly; dW1 = 2^20, db1 = 2^-510, dW2 = −2^530, db2 = −1.
 *   η = 2^-21: θ1 = [0.5, −2^-531, 2^509, 2^-21]; at step 2, z2 = 2^509 · 2^529 = 2^1038 overflows f64:
 *              the loss (1 − y)·z2 = 0·∞ is NaN.
 *   η = 2^500: W2 ← −2^-510 + 2^500 · 2^530 = 2^1030 overflows at step 1 (W1 and b1 stay finite).
 */
const f64Ramp = () => ({ data: makeDataset([[2 ** 530]], [1]), params: Float64Array.from([1, 0, -(2 ** -510), 0]) });

const CPU_TRAINERS = {
  'scalar engine (CpuTrainer)': (data: Dataset, params: Float64Array, lr: number) => {
    const t = new CpuTrainer(data, params, { hidden: 1, lr, loss: 'bce' });
    return { step: (k: number) => t.step(k), params: () => t.parameters(), steps: () => t.stepCount };
  },
  'matrix form (MatrixTrainer)': (data: Dataset, params: Float64Array, lr: number) => {
    const t = new MatrixTrainer(data, params, { hidden: 1, lr, loss: 'bce' });
    return { step: (k: number) => t.step(k), params: () => Float64Array.from(t.params), steps: () => t.stepCount };
  },
  'fast trainer (FastTrainer)': (data: Dataset, params: Float64Array, lr: number) => {
    const t = new FastTrainer(data, params, { hidden: 1, lr, loss: 'bce' });
    return { step: (k: number) => t.step(k), params: () => Float64Array.from(t.params), steps: () => t.stepCount };
  },
};

for (const [name, make] of Object.entries(CPU_TRAINERS)) {
  describe(`${name}: the first non-finite step in f64 stops training and keeps the step before`, () => {
    const failure = (t: ReturnType<typeof make>, k: number) => {
      try {
        t.step(k);
      } catch (e) {
        return e;
      }
      return null;
    };

    it('η = 2^-21: step 2, the loss of sample 0 became NaN; the parameters after step 1 are kept exactly', () => {
      const { data, params } = f64Ramp();
      const t = make(data, params, 2 ** -21);
      const error = failure(t, 5);
      expect(error).toBeInstanceOf(TrainingDivergedError);
      expect((error as TrainingDivergedError).fault).toEqual({
        step: 2,
        kind: 'loss',
        index: 0,
        value: NaN,
        precision: 'f64',
      });
      expect((error as TrainingDivergedError).message).toBe(
        'step 2: the loss of sample 0 became NaN (the forward pass overflowed f64); training stopped and kept the parameters after step 1; lower the learning rate or rescale the data',
      );
      expect(Array.from(t.params())).toEqual([0.5, -(2 ** -531), 2 ** 509, 2 ** -21]);
      expect(t.steps()).toBe(1);
    });

    it('η = 2^500: step 1, W2[0][0] became Infinity; the initial parameters are kept exactly', () => {
      const { data, params } = f64Ramp();
      const t = make(data, params, 2 ** 500);
      const error = failure(t, 3);
      expect((error as TrainingDivergedError).fault).toEqual({
        step: 1,
        kind: 'parameter',
        index: 2,
        value: Infinity,
        precision: 'f64',
      });
      expect((error as TrainingDivergedError).message).toMatch(
        /^step 1: W2\[0\]\[0\] became Infinity \(the update overflowed f64\); training stopped and kept the initial parameters/,
      );
      expect(Array.from(t.params())).toEqual(Array.from(params));
      expect(t.steps()).toBe(0);
    });

    it('big.json trains on in f64: W1 ≈ −4.7e38 is beyond f32 but finite here', () => {
      const data = makeDataset([[1e36]], [1]);
      const p0 = initParams({ d: 1, H: 1 }, 1);
      const t = make(data, p0, 1000);
      t.step(5);
      // Step 1 in closed form: σ(z2) = 0, δ2 = −1, so W1 ← W1 − lr·(−W2·x); afterwards σ(z2) = 1 and nothing moves.
      expect(t.params()[0]).toBe(p0[0]! - 1000 * (-p0[2]! * 1e36));
      expect(t.params()[0]).toBeLessThan(-3.4028234663852886e38); // below f32's most negative value
      expect(t.params().every(Number.isFinite)).toBe(true);
      expect(t.steps()).toBe(5);
    });
  });
}

describe('config.ts', () => {
  it('refuses bad hyperparameters, naming the field and the range', () => {
    expect(() => checkConfig({ ...DEFAULTS, lr: 0 })).toThrow('lr must be a finite number in (0, 1000], got 0');
    expect(() => checkConfig({ ...DEFAULTS, lr: Number.NaN })).toThrow(/lr .* got NaN/);
    expect(() => checkConfig({ ...DEFAULTS, hidden: 0 })).toThrow('hidden must be an integer in [1, 4096], got 0');
    expect(() => checkConfig({ ...DEFAULTS, steps: 1.5 })).toThrow(/steps must be an integer/);
    expect(() => checkConfig({ ...DEFAULTS, loss: 'hinge' as 'bce' })).toThrow(
      'loss must be one of bce, mse, got hinge',
    );
    expect(checkConfig({ ...DEFAULTS, steps: 0 })).toEqual({ ...DEFAULTS, steps: 0 });
  });

  it('takes a list of hidden widths, the output, the batch and the penalty, naming the field of a bad one', () => {
    expect(checkConfig({ ...DEFAULTS, hidden: [8, 8, 4], output: 'identity', loss: 'mse', batch: 3, l2: 0.1 })).toEqual(
      { ...DEFAULTS, hidden: [8, 8, 4], output: 'identity', loss: 'mse', batch: 3, l2: 0.1 },
    );
    expect(() => checkConfig({ ...DEFAULTS, hidden: [8, 0] })).toThrow(
      "hidden: layer 2's width must be an integer in [1, 4096], got 0",
    );
    expect(() => checkConfig({ ...DEFAULTS, hidden: [1, 2, 3, 4, 5, 6, 7] })).toThrow(
      'hidden must list 1 to 6 hidden layers, got 7 layers',
    );
    expect(() => checkConfig({ ...DEFAULTS, hidden: [] })).toThrow(
      'hidden must list 1 to 6 hidden layers, got 0 layers',
    );
    expect(() => checkConfig({ ...DEFAULTS, output: 'tanh' as 'sigmoid' })).toThrow(
      'output must be one of sigmoid, identity, got tanh',
    );
    expect(() => checkConfig({ ...DEFAULTS, output: 'identity' })).toThrow(
      /^loss bce needs output sigmoid, got output identity: cross-entropy compares probabilities/,
    );
    expect(() => checkConfig({ ...DEFAULTS, batch: 0 })).toThrow('batch must be an integer in [1, 16777216], got 0');
    expect(() => checkConfig({ ...DEFAULTS, l1: -1 })).toThrow('l1 must be a finite number in [0, 1000], got -1');
    expect(() => checkConfig({ ...DEFAULTS, l2: Number.NaN })).toThrow(
      'l2 must be a finite number in [0, 1000], got NaN',
    );
    // absent, the batch is the full one and the penalty off
    const bare: TrainConfig = { hidden: 8, lr: 0.5, steps: 10, seed: 1, loss: 'bce', activation: 'relu' };
    expect(checkConfig(bare)).toEqual(bare);
  });
});

/** The next f64 above (dir 1) or below (dir −1) a finite v. */
function nextFloat(v: number, dir: 1 | -1): number {
  if (v === 0) return dir * Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  view.setBigInt64(0, view.getBigInt64(0) + BigInt(dir * Math.sign(v)));
  return view.getFloat64(0);
}

describe('config.ts: both ends of every range in LIMITS', () => {
  // Driven from the table itself, so a new field is covered as soon as it is added.
  const fields = Object.keys(LIMITS) as NumericField[];
  const limit = (f: NumericField): { min: number; max: number; integer: boolean; exclusiveMin?: boolean } => LIMITS[f];
  /** The closest values beyond and within each end: ±1 for an integer field, the next f64 otherwise. */
  const below = (f: NumericField, v: number) => (limit(f).integer ? v - 1 : nextFloat(v, -1));
  const above = (f: NumericField, v: number) => (limit(f).integer ? v + 1 : nextFloat(v, 1));

  it('covers every numeric field of the config', () => {
    expect(fields.sort()).toEqual(['batch', 'hidden', 'l1', 'l2', 'lr', 'seed', 'steps']);
  });

  it.each(fields)('%s: the lower end', (f) => {
    const { min, exclusiveMin } = limit(f);
    if (exclusiveMin) {
      expect(inRange(f, min)).toBe(false);
      expect(inRange(f, above(f, min))).toBe(true);
      expect(() => checkConfig({ ...DEFAULTS, [f]: min })).toThrow(
        new RangeError(`${f} must be ${describeRange(f)}, got ${min}`),
      );
      expect(checkConfig({ ...DEFAULTS, [f]: above(f, min) })[f]).toBe(above(f, min));
    } else {
      expect(inRange(f, below(f, min))).toBe(false);
      expect(inRange(f, min)).toBe(true);
      expect(() => checkConfig({ ...DEFAULTS, [f]: below(f, min) })).toThrow(
        new RangeError(`${f} must be ${describeRange(f)}, got ${below(f, min)}`),
      );
      expect(checkConfig({ ...DEFAULTS, [f]: min })[f]).toBe(min);
    }
    expect(describeRange(f)).toContain(`${exclusiveMin ? '(' : '['}${min}, `);
  });

  it.each(fields)('%s: the upper end', (f) => {
    const { max } = limit(f);
    expect(inRange(f, max)).toBe(true);
    expect(inRange(f, below(f, max))).toBe(true);
    expect(inRange(f, above(f, max))).toBe(false);
    expect(inRange(f, max + 1)).toBe(false);
    expect(checkConfig({ ...DEFAULTS, [f]: max })[f]).toBe(max);
    expect(() => checkConfig({ ...DEFAULTS, [f]: above(f, max) })).toThrow(
      new RangeError(`${f} must be ${describeRange(f)}, got ${above(f, max)}`),
    );
    expect(describeRange(f)).toContain(`, ${max}]`);
  });

  it.each(fields)('%s: no NaN, no ±Infinity, and an integer field no fraction', (f) => {
    const { min, max, integer } = limit(f);
    for (const v of [Number.NaN, Infinity, -Infinity]) expect(inRange(f, v)).toBe(false);
    const inside = (min + max) / 2;
    expect(inRange(f, Math.floor(inside) + 0.5)).toBe(!integer);
  });
});

describe('the scalar engine trains the general model: CpuTrainer against the matrix form (MatrixTrainer)', () => {
  const regression = () => {
    const rng = makeRng(11);
    const rows = Array.from({ length: 12 }, () => [4 * rng() - 2, 4 * rng() - 2]);
    return makeDataset(
      rows,
      rows.map(([a, b]) => 1.5 * a! - 0.7 * b! + 0.3),
      { output: 'identity' },
    );
  };
  const cases: [string, () => Dataset, CpuTrainerOptions][] = [
    ['two hidden layers', xor, { hidden: [8, 8], lr: 0.5, loss: 'bce' }],
    ['three layers, tanh, mse', xor, { hidden: [4, 3, 2], lr: 0.5, loss: 'mse', activation: 'tanh' }],
    ['identity output (regression)', regression, { hidden: [5], lr: 0.02, loss: 'mse', output: 'identity' }],
    ['mini-batches of 3', xor, { hidden: [8], lr: 0.5, loss: 'bce', batch: 3, seed: 7 }],
    [
      'L1 and L2 on mini-batches of 5, two layers, leaky',
      regression,
      {
        hidden: [6, 6],
        lr: 0.01,
        loss: 'mse',
        output: 'identity',
        activation: 'leaky',
        l1: 0.01,
        l2: 0.02,
        batch: 5,
        seed: 3,
      },
    ],
  ];

  it.each(cases)('%s: the same steps, losses and gradients to f64 rounding', (_, data, options) => {
    const d = data();
    const shape = { d: d.d, hidden: options.hidden as number[] };
    const start = initModelParams(shape, 5);
    const cpu = new CpuTrainer(d, start, options);
    const matrix = new MatrixTrainer(d, start, options);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      expect(compareFlatValues(a, b), `${Array.from(a).slice(0, 4)} vs ${Array.from(b).slice(0, 4)}`).toBe(true);
    for (let k = 0; k < 5; k++) {
      const [a, b] = [cpu.step(10), matrix.step(10)];
      expect(excess(a, b, TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
    }
    close(cpu.parameters(), matrix.params);
    const model = makeModel({
      ...shape,
      activation: options.activation ?? 'relu',
      output: options.output ?? 'sigmoid',
    });
    const objective = { loss: options.loss, l1: options.l1 ?? 0, l2: options.l2 ?? 0 };
    close(cpu.gradients(), lossAndGradsModel(model, cpu.parameters(), d, objective).grads); // every point
    const e = cpu.evaluate();
    const terms = lossModel(model, cpu.parameters(), d, objective);
    for (const key of ['loss', 'dataLoss', 'penalty'] as const)
      expect(excess(e[key], terms[key], TOLERANCES.engineVsReference), key).toBeLessThanOrEqual(1);
    expect(e.loss).toBe(e.dataLoss + e.penalty);
    if (objective.l1 === 0 && objective.l2 === 0) expect(e.penalty).toBe(0);
    else expect(e.penalty).toBeGreaterThan(0);
  });

  it("a mini-batch step uses batches.ts's rows: step 1's loss is the loss over batchIndices(N, B, seed, 0)", () => {
    const d = regression();
    const options: CpuTrainerOptions = { hidden: [4], lr: 0.01, loss: 'mse', output: 'identity', batch: 4, seed: 9 };
    const start = initModelParams({ d: 2, hidden: [4] }, 1);
    const model = makeModel({ d: 2, hidden: [4], output: 'identity' });
    const rows = batchIndices(d.N, 4, 9, 0);
    const expected = lossModel(model, start, d, { loss: 'mse' }, rows).loss;
    const other = lossModel(model, start, d, { loss: 'mse' }, batchIndices(d.N, 4, 10, 0)).loss;
    expect(expected).not.toBe(other); // the seed matters
    expect(
      excess(new CpuTrainer(d, start, options).step(1), expected, TOLERANCES.engineVsReference),
    ).toBeLessThanOrEqual(1);
  });

  it('refuses a mini-batch without a seed, a batch above N and BCE with the identity output, naming the field', () => {
    const start = initModelParams({ d: 2, hidden: [8] }, 1);
    expect(() => new CpuTrainer(xor(), start, { hidden: 8, lr: 0.5, loss: 'bce', batch: 2 })).toThrow(
      "seed: a batch of 2 < N = 4 needs the run's seed to draw its order",
    );
    expect(() => new CpuTrainer(xor(), start, { hidden: 8, lr: 0.5, loss: 'bce', batch: 5 })).toThrow(
      'batch must be an integer in [1, 4] (the number of training points), got 5',
    );
    expect(() => new CpuTrainer(xor(), start, { hidden: 8, lr: 0.5, loss: 'bce', output: 'identity' })).toThrow(
      /^loss bce needs output sigmoid, got output identity/,
    );
    expect(() => new CpuTrainer(xor(), start, { hidden: [8, 8], lr: 0.5, loss: 'bce' })).toThrow(
      'params: expected 105 values for d=2, hidden=8,8, got 33',
    );
  });

  it('a mini-batch sample that overflows is named by its index in the dataset, not its place in the batch', () => {
    // identity output, hidden [1], θ = [W1, b1, W2, b2] = [1, 0, 1e100, 0]: ŷ = 1e100·x, so ℓ = ŷ² is 1e200 for
    // x = 1 and Infinity for x = 1e200
    const data = makeDataset([[1], [1e200]], [0, 0], { output: 'identity' });
    const options: CpuTrainerOptions = { hidden: 1, lr: 1e-300, loss: 'mse', output: 'identity', batch: 1, seed: 4 };
    const t = new CpuTrainer(data, [1, 0, 1e100, 0], options);
    const step = [1, 2].find((s) => batchIndices(2, 1, 4, s - 1)[0] === 1)!;
    let error: unknown;
    try {
      t.step(2);
    } catch (e) {
      error = e;
    }
    expect((error as TrainingDivergedError).fault).toEqual({
      step,
      kind: 'loss',
      index: 1,
      value: Infinity,
      precision: 'f64',
    });
    expect(t.stepCount).toBe(step - 1);
  });
});

/** Two flat vectors within the engine-vs-reference tolerance, element by element. */
function compareFlatValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (excess(a[k]!, b[k]!, TOLERANCES.engineVsReference) > 1) return false;
  return true;
}
