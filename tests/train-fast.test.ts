import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { type Dataset, makeDataset } from '../src/mlp/data/data.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { forward, forwardModel, lossAndGradsModel, lossModel, lossValue } from '../src/mlp/reference.js';
import { accuracy } from '../src/mlp/accuracy.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { trainOneCpu } from '../src/mlp/map.js';
import { makeRng } from '../src/mlp/rng.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import type { TrainingOptions } from '../src/mlp/train/training-run.js';

/**
 * The fast CPU trainer against the matrix form (MatrixTrainer, and lossAndGradsModel at the same parameters): over
 * a grid of depths, widths, activations, outputs with their losses, batch sizes and penalties, on random data, the
 * same parameters, losses, gradients and predictions to 1e-12 relative at several steps; the same verdict (step,
 * kind, element, message, parameters kept) where a step overflows f64; and a learning rate changed mid-run.
 */

/** |a − b| within 1e-12 of the larger, or of the vector's largest entry times 1e-15 (a few ulps of it) near 0. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  expect(a.length, `${what}: length`).toBe(b.length);
  let scale = 0;
  for (let k = 0; k < b.length; k++) scale = Math.max(scale, Math.abs(b[k]!));
  for (let k = 0; k < b.length; k++) {
    const [x, y] = [a[k]!, b[k]!];
    const tol = 1e-12 * Math.max(Math.abs(x), Math.abs(y)) + 1e-15 * scale;
    if (!(Math.abs(x - y) <= tol)) expect.fail(`${what}[${k}]: fast ${x}, matrix form ${y} (tolerance ${tol})`);
  }
}

/** N random points of d features in [−2, 2]; labels in {0, 1} for σ, real numbers for the identity. */
function randomData(seed: number, N: number, d: number, output: 'sigmoid' | 'identity'): Dataset {
  const rng = makeRng(seed);
  const rows = Array.from({ length: N }, () => Array.from({ length: d }, () => 4 * rng() - 2));
  const y = rows.map((r) => (output === 'sigmoid' ? (r[0]! * (r[1] ?? 1) > 0 ? 1 : 0) : 3 * rng() - 1.5 + r[0]!));
  return makeDataset(rows, y, { output });
}

const SHAPES: { hidden: number[]; d: number }[] = [
  { hidden: [5], d: 2 },
  { hidden: [7], d: 3 },
  { hidden: [4, 3], d: 3 },
  { hidden: [3, 6, 2], d: 2 },
  { hidden: [2, 5, 1, 4], d: 1 },
];
const OUTPUTS = [
  { output: 'sigmoid', loss: 'bce' },
  { output: 'sigmoid', loss: 'mse' },
  { output: 'identity', loss: 'mse' },
] as const;
const N = 11;
const BATCHES = [1, 3, N];
const PENALTIES = [
  { l1: 0, l2: 0 },
  { l1: 0.01, l2: 0 },
  { l1: 0, l2: 0.03 },
  { l1: 0.02, l2: 0.01 },
];

describe.each(SHAPES.flatMap((s) => HIDDEN_ACTIVATIONS.map((activation) => ({ ...s, activation }))))(
  'd=$d, hidden $hidden, $activation: FastTrainer equals the matrix form',
  ({ hidden, d, activation }) => {
    it('for each output and loss, batch 1, 3 and N, no penalty, L1, L2 and both, at steps 1, 4 and 13', () => {
      let seed = 1;
      for (const { output, loss } of OUTPUTS) {
        for (const batch of BATCHES) {
          for (const { l1, l2 } of PENALTIES) {
            seed++;
            const data = randomData(seed * 7919 + hidden.length, N, d, output);
            const start = initModelParams({ d, hidden }, seed);
            const lr = output === 'identity' ? 0.05 : 0.5;
            const options: TrainingOptions = { hidden, lr, loss, activation, output, l1, l2, batch, seed };
            const fast = new FastTrainer(data, start, options);
            const matrix = new MatrixTrainer(data, start, options);
            const model = makeModel({ d, hidden, activation, output });
            const objective = { loss, l1, l2 };
            const name = `${output} ${loss}, batch ${batch}, l1 ${l1}, l2 ${l2}`;
            for (const k of [1, 3, 9]) {
              const at = `${name}, step ${matrix.stepCount + k}`;
              expectClose([fast.step(k)], [matrix.step(k)], `${at}: the last batch's loss`);
              expectClose(fast.params, matrix.params, `${at}: θ`);
              const [f, m] = [fast.lastLoss!, matrix.lastLoss!];
              expectClose([f.loss, f.dataLoss, f.penalty], [m.loss, m.dataLoss, m.penalty], `${at}: lastLoss`);
              const all = lossAndGradsModel(model, fast.params, data, objective);
              const terms = fast.losses();
              expectClose([terms.loss, terms.dataLoss, terms.penalty], [all.loss, all.dataLoss, all.penalty], at);
              expect(fast.loss()).toBe(terms.loss);
              expectClose(fast.gradients(), all.grads, `${at}: dL/dθ over every point`);
              expectClose(fast.predictions(), all.cache.yHat, `${at}: ŷ`);
              expect(fast.stepCount).toBe(matrix.stepCount);
            }
            expect(Array.from(fast.rowsAt(5))).toEqual(Array.from(matrix.rowsAt(5)));
          }
        }
      }
      expect(seed).toBe(1 + OUTPUTS.length * BATCHES.length * PENALTIES.length);
    });
  },
);

describe('FastTrainer, details of the interface', () => {
  const data = () => randomData(3, 9, 2, 'sigmoid');
  const options: TrainingOptions = { hidden: [6, 4], lr: 0.3, loss: 'bce', activation: 'tanh', batch: 4, seed: 2 };

  it('params is live: the same array, written in place by each step; lastLoss is null before the first step', () => {
    const t = new FastTrainer(data(), initModelParams({ d: 2, hidden: [6, 4] }, 1), options);
    const { params } = t;
    const before = Float64Array.from(params);
    expect(t.lastLoss).toBeNull();
    t.step(2);
    expect(t.params).toBe(params);
    expect(params).not.toEqual(before);
    expect(t.lastLoss).not.toBeNull();
  });

  it('gradients() and predictions() leave θ and the step count alone; step(0) does nothing', () => {
    const t = new FastTrainer(data(), initModelParams({ d: 2, hidden: [6, 4] }, 1), options);
    t.step(3);
    const theta = Float64Array.from(t.params);
    t.gradients();
    t.predictions();
    t.losses();
    expect(t.step(0)).toBeNaN();
    expect(t.params).toEqual(theta);
    expect(t.stepCount).toBe(3);
  });

  it('refuses what every trainer refuses, in the same words (a missing seed, a batch above N, BCE on the identity)', () => {
    const start = initModelParams({ d: 2, hidden: [8] }, 1);
    const d = data();
    for (const bad of [
      { hidden: 8, lr: 0.5, loss: 'bce', batch: 2 },
      { hidden: 8, lr: 0.5, loss: 'bce', batch: 10 },
      { hidden: 8, lr: 0.5, loss: 'bce', output: 'identity' },
      { hidden: [8, 8], lr: 0.5, loss: 'bce' },
    ] as TrainingOptions[]) {
      const message = (make: () => unknown) => {
        try {
          make();
        } catch (e) {
          return (e as Error).message;
        }
        return 'accepted';
      };
      const m = message(() => new MatrixTrainer(d, start, bad));
      expect(m).not.toBe('accepted');
      expect(message(() => new FastTrainer(d, start, bad))).toBe(m);
    }
  });
});

describe('a learning rate changed mid-run', () => {
  const data = randomData(21, 10, 2, 'identity');
  const hidden = [5, 3];
  const base: TrainingOptions = {
    hidden,
    lr: 0.05,
    loss: 'mse',
    output: 'identity',
    activation: 'leaky',
    l2: 0.01,
    batch: 3,
    seed: 8,
  };
  const start = initModelParams({ d: 2, hidden }, 4);

  it('equals a run at that rate from that step (the same batches): FastTrainer, and the matrix form started there', () => {
    const t = new FastTrainer(data, start, base);
    t.step(7);
    const at7 = Float64Array.from(t.params);
    t.lr = 0.01;
    expect(t.lr).toBe(0.01);
    t.step(6);
    const resumed = new FastTrainer(data, at7, { ...base, lr: 0.01 });
    resumed.stepCount = 7; // step 8 onwards: the same mini-batches
    resumed.step(6);
    expect(Array.from(t.params)).toEqual(Array.from(resumed.params));
    const matrix = new MatrixTrainer(data, at7, { ...base, lr: 0.01 });
    matrix.stepCount = 7;
    matrix.step(6);
    expectClose(t.params, matrix.params, 'θ after step 13');
    // and the rate mattered
    const unchanged = new FastTrainer(data, start, base);
    unchanged.step(13);
    expect(Array.from(unchanged.params)).not.toEqual(Array.from(t.params));
  });

  it('a bad rate is refused, naming lr and its range, and the old one kept', () => {
    const t = new FastTrainer(data, start, base);
    for (const lr of [0, -1, Number.NaN, Infinity]) {
      expect(() => (t.lr = lr)).toThrow(`lr must be a finite number > 0, got ${lr}`);
      expect(t.lr).toBe(0.05);
    }
  });
});

/**
 * Problems that overflow f64 at a known step, each as a different value goes non-finite: FastTrainer must stop at
 * the same step as the matrix form, naming the same element in the same words, and keep the same parameters.
 */
interface Overflow {
  data: Dataset;
  start: ArrayLike<number>;
  options: TrainingOptions;
  steps: number;
  /** What the matrix form's verdict is (so the comparison is not of two runs that never fail). */
  want: { step: number; kind: string; index: number };
}

const OVERFLOWS: Record<string, () => Overflow> = {
  'a huge learning rate: θ′ overflows at step 1 (two layers, tanh, regression)': () => ({
    data: makeDataset(
      [
        [1, -1],
        [0.5, 2],
        [-1, 0.3],
      ],
      [100, -100, 50],
      { output: 'identity' },
    ),
    start: initModelParams({ d: 2, hidden: [4, 4] }, 2),
    options: { hidden: [4, 4], lr: 1e308, loss: 'mse', output: 'identity', activation: 'tanh' },
    steps: 5,
    want: { step: 1, kind: 'parameter', index: -1 },
  }),
  'a large learning rate: a later step’s loss overflows (two layers, tanh, BCE)': () => ({
    data: randomData(5, 6, 2, 'sigmoid'),
    start: initModelParams({ d: 2, hidden: [4, 4] }, 2),
    options: { hidden: [4, 4], lr: 1e308, loss: 'bce', activation: 'tanh' },
    steps: 5,
    want: { step: 3, kind: 'loss', index: -1 },
  }),
  'a huge input: the loss of sample 2 overflows (regression, ReLU)': () => ({
    data: makeDataset([[1], [0.5], [1e200], [2]], [0, 1, 0, 1], { output: 'identity' }),
    start: [1, 0, 1e100, 0],
    options: { hidden: 1, lr: 1e-300, loss: 'mse', output: 'identity', activation: 'relu' },
    steps: 3,
    want: { step: 1, kind: 'loss', index: 2 },
  }),
  'the gradient of W2 overflows while the loss is finite': () => ({
    // x = 1e300, W1 = 1: a1 = 1e300; W2 = 1e-290: ŷ = 1e10, ℓ = 1e20; dW2 = 2·1e10·1e300 overflows
    data: makeDataset([[1e300]], [0], { output: 'identity' }),
    start: [1, 0, 1e-290, 0],
    options: { hidden: 1, lr: 1e-300, loss: 'mse', output: 'identity', activation: 'leaky' },
    steps: 2,
    want: { step: 1, kind: 'gradient', index: 2 },
  }),
  'every sample finite but their mean overflows: the total is named': () => ({
    // x = 1, W1 = 1e100: a1 = 1e100; W2 = 1.2e54: ŷ = 1.2e154, ℓ = 1.44e308 for each sample, their sum overflows;
    // δ1 = W2·δ2 = 1.44e208 and the gradients stay finite
    data: makeDataset([[1], [1]], [0, 0], { output: 'identity' }),
    start: [1e100, 0, 1.2e54, 0],
    options: { hidden: 1, lr: 1e-320, loss: 'mse', output: 'identity', activation: 'relu' },
    steps: 2,
    want: { step: 1, kind: 'loss', index: 0 },
  }),
  'a mini-batch sample named by its index in the dataset': () => ({
    data: makeDataset([[1], [1e200], [1], [1]], [0, 0, 0, 0], { output: 'identity' }),
    start: [1, 0, 1e100, 0],
    options: { hidden: 1, lr: 1e-300, loss: 'mse', output: 'identity', batch: 1, seed: 4 },
    steps: 8,
    want: { step: -1, kind: 'loss', index: 1 },
  }),
  'the penalty overflows the total (L2 on weights near 1e153, three layers, σ)': () => ({
    data: randomData(9, 5, 2, 'sigmoid'),
    start: initModelParams({ d: 2, hidden: [3, 3, 3] }, 6).map((w) => w * 1e153),
    options: { hidden: [3, 3, 3], lr: 1e-310, loss: 'mse', activation: 'sigmoid', l2: 1000 },
    steps: 4,
    want: { step: 1, kind: 'loss', index: 0 },
  }),
};

describe.each(Object.entries(OVERFLOWS))('%s', (_name, make) => {
  it('FastTrainer stops at the same step as the matrix form, names the same element, keeps the same θ', () => {
    const verdict = (t: FastTrainer | MatrixTrainer, steps: number) => {
      try {
        t.step(steps);
      } catch (e) {
        if (e instanceof TrainingDivergedError) return e;
        throw e;
      }
      return null;
    };
    const p = make();
    const fast = new FastTrainer(p.data, p.start, p.options);
    const matrix = new MatrixTrainer(p.data, p.start, p.options);
    const [f, m] = [verdict(fast, p.steps), verdict(matrix, p.steps)];
    expect(m, 'the matrix form stops').toBeInstanceOf(TrainingDivergedError);
    const { step, kind, index } = m!.fault;
    if (p.want.step > 0) expect(step).toBe(p.want.step);
    expect(kind).toBe(p.want.kind);
    if (p.want.index >= 0) expect(index).toBe(p.want.index);
    expect(f).toBeInstanceOf(TrainingDivergedError);
    expect(f!.fault).toEqual(m!.fault);
    expect(f!.message).toBe(m!.message);
    expect(fast.stepCount).toBe(m!.fault.step - 1);
    expect(Array.from(fast.params)).toEqual(Array.from(matrix.params));
  });
});

describe('the comparison can fail', () => {
  it('a run at another rate, or a batch of another seed, is told apart at the first step', () => {
    const data = randomData(2, 8, 2, 'sigmoid');
    const start = initModelParams({ d: 2, hidden: [4] }, 3);
    const base: TrainingOptions = { hidden: [4], lr: 0.5, loss: 'bce', batch: 3, seed: 1 };
    const matrix = new MatrixTrainer(data, start, base);
    matrix.step(1);
    for (const other of [{ lr: 0.5 * (1 + 1e-11) }, { seed: 2 }, { activation: 'leaky' as HiddenActivation }]) {
      const fast = new FastTrainer(data, start, { ...base, ...other });
      fast.step(1);
      expect(() => expectClose(fast.params, matrix.params, 'θ')).toThrow();
    }
  });

  it('lossModel over every point agrees with losses() (a check independent of the trainers)', () => {
    const data = randomData(4, 7, 3, 'identity');
    const model = makeModel({ d: 3, hidden: [3, 2], activation: 'sigmoid', output: 'identity' });
    const start = initModelParams(model, 9);
    const t = new FastTrainer(data, start, {
      hidden: [3, 2],
      lr: 0.1,
      loss: 'mse',
      output: 'identity',
      activation: 'sigmoid',
      l1: 0.1,
    });
    t.step(4);
    const want = lossModel(model, t.params, data, { loss: 'mse', l1: 0.1 });
    expect(t.losses()).toEqual(want);
    expect(Array.from(t.predictions())).toEqual(Array.from(forwardModel(model, t.params, data).yHat));
  });
});

describe("the map's CPU path (trainOneCpu) trains with the fast trainer", () => {
  it('each network ends as the matrix form’s: the same loss, accuracy and divergence, network by network', () => {
    let diverged = 0;
    for (const hidden of [1, 2, 3, 8])
      for (const lr of [0.1, 3, 10, 1e300])
        for (const activation of ['relu', 'tanh'] as const)
          for (const seed of [0, 5]) {
            const got = trainOneCpu(xor(), hidden, lr, seed, 300, 'bce', activation);
            const spec = { d: 2, H: hidden, activation };
            const m = new MatrixTrainer(xor(), initParams(spec, seed), { hidden, lr, loss: 'bce', activation });
            let want: { loss: number; accuracy: number; diverged?: unknown };
            try {
              m.step(300);
              const cache = forward(spec, m.params, xor());
              want = { loss: lossValue('bce', cache, xor().y), accuracy: accuracy(cache.yHat, xor().y) };
            } catch (e) {
              if (!(e instanceof TrainingDivergedError)) throw e;
              want = { loss: Infinity, accuracy: 0, diverged: e.fault };
              diverged++;
            }
            expect(got, `H=${hidden} lr=${lr} ${activation} seed ${seed}`).toEqual(want);
          }
    expect(diverged).toBeGreaterThan(0);
  });
});
