/**
 * `npm run train` with the general network (issue 21): --hidden 8,8 (any depth), --output identity (regression),
 * --batch B (mini-batches) and --l1/--l2 (the penalty), on the GPU and on the CPU (the fast trainer), in-process.
 * Each run is checked against something computed here apart from the command: the matrix form trained from the same
 * start (MatrixTrainer), the scalar engine's gradients at the GPU's parameters, R² and the penalty recomputed from
 * the reported numbers.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelGraphNodes } from '../src/mlp/cpu-size.js';
import type { ModelParams } from '../src/cli/report.js';
import type { TrainReport } from '../src/cli/train.js';
import type { Value } from '../src/engine/value.js';
import { excess, TOLERANCES, type Tolerance } from '../src/mlp/bounds/compare.js';
import { makeDataset, roundToF32, xor } from '../src/mlp/data/data.js';
import { parseDataset } from '../src/mlp/data/data-file.js';
import { initModelParams } from '../src/mlp/init.js';
import { fromNestedModel, makeModel, type ModelShape } from '../src/mlp/model.js';
import { forwardModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { MatrixTrainer, type MatrixTrainerOptions } from '../src/mlp/train/train-matrix.js';
import { train } from './support/cli.js';

/** One JSON report per argv, trained once and shared by the tests that look at it. */
const reports = new Map<string, Promise<TrainReport>>();
function report(...argv: string[]): Promise<TrainReport> {
  const key = argv.join(' ');
  if (!reports.has(key)) {
    reports.set(
      key,
      train(...argv, '--json').then((r) => {
        expect(r.code, r.err).toBe(0);
        return JSON.parse(r.out) as TrainReport;
      }),
    );
  }
  return reports.get(key)!;
}

/** The flat layout of nested parameters, read back by the model's own inverse of toNestedModel. */
function flat(shape: ModelShape, p: ModelParams): Float64Array {
  const layers = Array.from({ length: shape.hidden.length + 1 }, (_, l) => ({
    W: p[`W${l + 1}`]!,
    b: p[`b${l + 1}`]!,
  }));
  return fromNestedModel(shape, layers);
}

/** Every tensor's shape: [rows, cols] for W_l, [length] for b_l. */
function shapes(p: ModelParams): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(p).map(([k, v]) => [k, k.startsWith('W') ? [v.length, (v[0] as number[]).length] : [v.length]]),
  );
}

/** The largest |a − b| / (atol + rtol·max(|a|, |b|)) over two vectors (≤ 1: within the tolerance). */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, tolerance: Tolerance): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let k = 0; k < a.length; k++) w = Math.max(w, excess(a[k]!, b[k]!, tolerance));
  return w;
}

const TWO_LAYERS = { d: 2, hidden: [8, 8] };
const TWO_LAYER_SHAPES = { W1: [8, 2], b1: [8], W2: [8, 8], b2: [8], W3: [1, 8], b3: [1] };

describe('--hidden 8,8: two hidden layers', () => {
  const argv = ['--hidden', '8,8', '--steps', '300'];

  it.each(['cpu', 'gpu'])(
    '--backend %s --json: W1 8×2, b1 8, W2 8×8, b2 8, W3 1×8, b3 1, from the seed’s initial parameters',
    async (backend) => {
      const r = await report('--backend', backend, ...argv);
      expect(r.config).toMatchObject({ hidden: [8, 8], output: 'sigmoid', batch: 4, l1: 0, l2: 0 });
      for (const snap of [r.initial, r.final]) {
        const tensors = [snap.params, snap.grads.cpu];
        if (backend === 'gpu') tensors.push(snap.grads.gpu!, snap.gradientCheck!.bounds);
        for (const t of tensors) expect(shapes(t)).toEqual(TWO_LAYER_SHAPES);
        expect(Object.keys(snap.params)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
      }
      expect(Array.from(flat(TWO_LAYERS, r.initial.params))).toEqual(Array.from(initModelParams(TWO_LAYERS, 1)));
      expect(r.final.loss).toBeLessThan(r.initial.loss);
      expect(r.final.accuracy).toBe(1);
    },
  );

  it('--backend cpu is the matrix form’s run from the same start, to f64 rounding', async () => {
    const r = await report('--backend', 'cpu', ...argv);
    const m = new MatrixTrainer(xor(), initModelParams(TWO_LAYERS, 1), { hidden: [8, 8], lr: 0.5, loss: 'bce' });
    m.step(300);
    expect(worst(flat(TWO_LAYERS, r.final.params), m.params, TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
    expect(excess(r.final.loss, m.loss(), TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
  });

  it("--backend gpu: the 'layers' kernel; its gradients pass the check at both ends and follow the scalar engine's", async () => {
    const r = await report('--backend', 'gpu', ...argv);
    expect(r.kernel).toBe('layers');
    for (const snap of [r.initial, r.final]) {
      expect(snap.gradientCheck?.pass, JSON.stringify(snap.gradientCheck?.tensors)).toBe(true);
      expect(snap.gradientCheck?.tensors.map((t) => t.tensor)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
      // The scalar engine (f64) at exactly the parameters the GPU read back, on the data as the GPU holds it.
      const theta = flat(TWO_LAYERS, snap.params);
      const engine = new CpuTrainer(roundToF32(xor()), theta, { hidden: [8, 8], lr: 0.5, loss: 'bce' }).gradients();
      const gpu = flat(TWO_LAYERS, snap.grads.gpu!);
      expect(worst(gpu, engine, { atol: 1e-6, rtol: 1e-5, why: 'f32 against f64' })).toBeLessThanOrEqual(1);
      expect(engine.some((g) => Math.abs(g) > 1e-3)).toBe(true);
    }
  });

  it('CPU and GPU end on the same parameters within the trajectory tolerance', async () => {
    const [cpu, gpu] = [await report('--backend', 'cpu', ...argv), await report('--backend', 'gpu', ...argv)];
    const [a, b] = [flat(TWO_LAYERS, cpu.final.params), flat(TWO_LAYERS, gpu.final.params)];
    expect(worst(b, a, TOLERANCES.trajectory)).toBeLessThanOrEqual(1);
  });

  it('the text report names the network 2-8-8-1 and lists W3 and b3 in the gradient tables', async () => {
    const r = await train('--hidden', '8,8', '--steps', '20');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^Backprop Lab: 2-8-8-1 MLP on XOR \(N=4\), bce, lr 0\.5, seed 1, 20 steps, hidden activation relu\n/,
    );
    expect(r.out.match(/^ {2}(W3 +1×8|b3 +1) .* pass$/gm)).toHaveLength(4);
    expect(r.out.match(/^ {2}[Wb][1-3] .* pass$/gm)).toHaveLength(12);
  });
});

/** A linear-ish regression set: y = 1.5·x1 − 0.7·x2 + 0.3 + 0.1·sin(3·x1), x uniform in [−2, 2)². */
function regressionSet(N: number): { x: number[][]; y: number[]; csv: string } {
  const rng = makeRng(21);
  const x = Array.from({ length: N }, () => [4 * rng() - 2, 4 * rng() - 2].map((v) => Number(v.toFixed(4))));
  const y = x.map(([a, b]) => Number((1.5 * a! - 0.7 * b! + 0.3 + 0.1 * Math.sin(3 * a!)).toFixed(4)));
  return { x, y, csv: `x1,x2,y\n${x.map((row, n) => `${row.join(',')},${y[n]}`).join('\n')}\n` };
}

describe('--output identity --loss mse --data FILE: regression with real-valued labels', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-model-'));
  const set = regressionSet(48);
  const file = join(dir, 'linear.csv');
  writeFileSync(file, set.csv);
  const argv = ['--output', 'identity', '--loss', 'mse', '--data', file, '--lr', '0.05', '--steps', '400'];

  it.each(['cpu', 'gpu'])(
    '--backend %s trains and reports RMSE and R² (no accuracy); R² > 0.9 recomputed here',
    async (backend) => {
      const r = await report('--backend', backend, ...argv);
      expect(r.config).toMatchObject({ output: 'identity', loss: 'mse', d: 2, N: 48, hidden: [8] });
      expect(r.final.accuracy).toBeUndefined();
      expect(set.y.some((v) => v < 0) && set.y.some((v) => v > 1)).toBe(true); // really outside [0, 1]
      // R² = 1 − SS_res/SS_tot and RMSE over the training set, from the predictions and the file's own labels
      const p = r.final.predictions;
      const mean = set.y.reduce((s, v) => s + v, 0) / set.y.length;
      const ssRes = set.y.reduce((s, v, n) => s + (v - p[n]!) ** 2, 0);
      const ssTot = set.y.reduce((s, v) => s + (v - mean) ** 2, 0);
      expect(r.final.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
      expect(r.final.rmse).toBeCloseTo(Math.sqrt(ssRes / set.y.length), 12);
      expect(1 - ssRes / ssTot).toBeGreaterThan(0.9);
      // the predictions are ŷ = z (no σ) at the final parameters
      const model = makeModel({ d: 2, hidden: [8], output: 'identity' });
      const theta = fromNestedModel(model, [
        { W: r.final.params.W1, b: r.final.params.b1 },
        { W: r.final.params.W2, b: r.final.params.b2 },
      ]);
      const data = makeDataset(set.x, set.y, { output: 'identity' });
      const yHat = forwardModel(model, theta, backend === 'gpu' ? roundToF32(data) : data).yHat;
      expect(worst(p, yHat, { atol: 1e-5, rtol: 1e-5, why: 'f32 forward pass' })).toBeLessThanOrEqual(1);
      if (backend === 'gpu') expect(r.final.gradientCheck?.pass).toBe(true);
    },
  );

  it('--backend cpu is the matrix form’s regression run, and the GPU follows it', async () => {
    const cpu = await report('--backend', 'cpu', ...argv);
    const gpu = await report('--backend', 'gpu', ...argv);
    const data = makeDataset(set.x, set.y, { output: 'identity' });
    const shape = { d: 2, hidden: [8] };
    const m = new MatrixTrainer(data, initModelParams(shape, 1), {
      hidden: [8],
      lr: 0.05,
      loss: 'mse',
      output: 'identity',
    });
    m.step(400);
    expect(worst(flat(shape, cpu.final.params), m.params, TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
    expect(worst(flat(shape, gpu.final.params), m.params, TOLERANCES.trajectory)).toBeLessThanOrEqual(1);
  });

  it('the text report has RMSE and R² lines and the identity output in its first line', async () => {
    const r = await train('--backend', 'cpu', ...argv);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/, mse, lr 0\.05, seed 1, 400 steps, hidden activation relu, identity output\n/);
    expect(r.out).toMatch(/^RMSE {9}\d+\.\d{4} \(√\(mean \(ŷ − y\)²\) over the training set\)$/m);
    expect(r.out).toMatch(/^R² {11}0\.9\d{3} \(1 − SS_res\/SS_tot over the training set\)$/m);
    expect(r.out).not.toMatch(/accuracy/);
  });

  it('labels all equal: R² is undefined and left out, never NaN', async () => {
    const same = join(dir, 'same.csv');
    writeFileSync(same, '0,2.5\n1,2.5\n2,2.5\n');
    const flags = ['--backend', 'cpu', '--output', 'identity', '--loss', 'mse', '--data', same, '--steps', '0'];
    const r = await report(...flags);
    expect(r.final.r2).toBeUndefined();
    expect(r.final.rmse).toBeGreaterThan(0);
    const text = await train(...flags);
    expect(text.out).toMatch(/^R² {11}undefined: every label is the same \(SS_tot = 0\)$/m);
    expect(text.out).not.toMatch(/NaN|Infinity|null/);
  });

  it('parseDataset takes real-valued labels with output identity only, and keeps f32’s range for the GPU', () => {
    expect(Array.from(parseDataset('1,-3.5\n2,7e3\n', 'csv', { output: 'identity' }).y)).toEqual([-3.5, 7000]);
    expect(Array.from(parseDataset('{"x": [[1]], "y": [-2]}', 'json', { output: 'identity' }).y)).toEqual([-2]);
    expect(() => parseDataset('1,-3.5\n', 'csv')).toThrow('data: line 1: the label y = -3.5 is outside [0, 1]');
    expect(() => parseDataset('1,0\n2,1e39\n', 'csv', { output: 'identity', f32: true })).toThrow(
      /^data: line 2, column 2: the label '1e39' is beyond f32's range/,
    );
    expect(() => parseDataset('{"x": [[1]], "y": [1e39]}', 'json', { output: 'identity', f32: true })).toThrow(
      /^data: line 1, column 20: y\[0\] = 1e39 is beyond f32's range/,
    );
    expect(() => parseDataset('{"x": [[1]], "y": ["2"]}', 'json', { output: 'identity' })).toThrow(
      'y[0] is the string "2", must be a finite number',
    );
    expect(parseDataset('1,1e39\n', 'csv', { output: 'identity' }).y[0]).toBe(1e39); // f64 on the CPU
  });
});

describe.each([
  ['--batch', '3', { batch: 3, seed: 1 }],
  ['--l2', '0.01', { l2: 0.01 }],
  ['--l1', '0.001', { l1: 0.001 }],
] as const)('%s %s on both backends', (flag, value, options) => {
  const argv = [flag, value, '--steps', '300'];
  const shape = { d: 2, hidden: [8] };

  it('--backend cpu is MatrixTrainer’s run with the same seed, to f64 rounding', async () => {
    const r = await report('--backend', 'cpu', ...argv);
    expect(r.config).toMatchObject({ batch: 4, l1: 0, l2: 0, ...options, seed: 1 });
    const m = new MatrixTrainer(xor(), initModelParams(shape, 1), {
      hidden: 8,
      lr: 0.5,
      loss: 'bce',
      ...options,
    } satisfies MatrixTrainerOptions);
    m.step(300);
    expect(worst(flat(shape, r.final.params), m.params, TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
    // and the option changed the run: the plain full-batch run without a penalty ends elsewhere
    const plain = new MatrixTrainer(xor(), initModelParams(shape, 1), { hidden: 8, lr: 0.5, loss: 'bce' });
    plain.step(300);
    expect(worst(m.params, plain.params, TOLERANCES.trajectory)).toBeGreaterThan(1);
  });

  it("--backend gpu trains with the 'layers' kernel, passes the gradient check, and ends within the trajectory tolerance of the CPU", async () => {
    const [cpu, gpu] = [await report('--backend', 'cpu', ...argv), await report('--backend', 'gpu', ...argv)];
    expect(gpu.kernel).toBe('layers');
    expect(gpu.config).toEqual(cpu.config);
    for (const snap of [gpu.initial, gpu.final]) expect(snap.gradientCheck?.pass).toBe(true);
    expect(
      worst(flat(shape, gpu.final.params), flat(shape, cpu.final.params), TOLERANCES.trajectory),
    ).toBeLessThanOrEqual(1);
  });

  it('the loss splits into the data term and the penalty where a penalty is set', async () => {
    for (const backend of ['cpu', 'gpu']) {
      const r = await report('--backend', backend, ...argv);
      for (const snap of [r.initial, r.final]) {
        if (flag === '--batch') {
          expect(snap).not.toHaveProperty('penalty');
          expect(snap).not.toHaveProperty('dataLoss');
          continue;
        }
        // R = λ1 Σ|w| + (λ2/2) Σ w² over W1 and W2, from the reported parameters
        const w = [...snap.params.W1.flat(), ...snap.params.W2.flat()];
        const { l1 = 0, l2 = 0 } = options as { l1?: number; l2?: number };
        const R = l1 * w.reduce((s, v) => s + Math.abs(v), 0) + (l2 / 2) * w.reduce((s, v) => s + v * v, 0);
        expect(snap.penalty).toBeCloseTo(R, 12);
        expect(snap.penalty).toBeGreaterThan(0);
        if (backend === 'cpu') expect(snap.loss).toBe(snap.dataLoss! + snap.penalty!);
        else expect(snap.loss).toBeCloseTo(snap.dataLoss! + snap.penalty!, 6);
      }
    }
  });
});

describe('--batch', () => {
  it('--batch N is the full batch: the same run as without it', async () => {
    const [full, plain] = [
      await report('--backend', 'cpu', '--batch', '4', '--steps', '300'),
      await report('--backend', 'cpu', '--steps', '300'),
    ];
    expect(full.final.params).toEqual(plain.final.params);
  });

  it('--seed draws the batches: the same batch size from another seed ends elsewhere than the matrix form’s seed-1 order', async () => {
    const r = await report('--backend', 'cpu', '--batch', '3', '--seed', '2', '--steps', '300');
    const shape = { d: 2, hidden: [8] };
    const opts = { hidden: 8, lr: 0.5, loss: 'bce', batch: 3 } as const;
    const same = new MatrixTrainer(xor(), initModelParams(shape, 2), { ...opts, seed: 2 });
    const other = new MatrixTrainer(xor(), initModelParams(shape, 2), { ...opts, seed: 1 });
    same.step(300);
    other.step(300);
    expect(worst(flat(shape, r.final.params), same.params, TOLERANCES.engineVsReference)).toBeLessThanOrEqual(1);
    expect(worst(flat(shape, r.final.params), other.params, TOLERANCES.trajectory)).toBeGreaterThan(1);
  });

  it('--help says that --seed draws the mini-batch order', async () => {
    const r = await train('--help');
    expect(r.out).toMatch(/--seed .*seed of the initial parameters and of the mini-batch order/);
    expect(r.out).toMatch(/--batch .*mini-batch size B, at most N/);
  });
});

describe('bad values exit 2, naming the flag and its range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-model-bad-'));
  const real = join(dir, 'real.csv');
  writeFileSync(real, regressionSet(6).csv);

  it.each([
    [['--hidden', '8,,8'], /^train: --hidden: '' is not an integer in \[1, 4096\] \(empty; .*\), in '8,,8'\n$/],
    [['--hidden', '0,4'], /^train: --hidden: '0' is not an integer in \[1, 4096\], in '0,4'\n$/],
    [['--hidden', '8,8,8,8,8,8,8'], /^train: --hidden takes at most 6 values, got 7\n$/],
    [['--hidden', '8,4097'], /^train: --hidden: '4097' is not an integer in \[1, 4096\], in '8,4097'\n$/],
    [['--batch', '0'], /^train: --batch must be an integer in \[1, 16777216\], got '0'\n$/],
    [['--batch', '5'], /^train: --batch must be an integer in \[1, 4\] \(the number of training points\), got 5\n$/],
    [
      ['--backend', 'cpu', '--batch', '7', '--data', real, '--output', 'identity', '--loss', 'mse'],
      /^train: --batch must be an integer in \[1, 6\] \(the number of training points\), got 7\n$/,
    ],
    [['--batch', '2.5'], /^train: --batch must be an integer in \[1, 16777216\], got '2\.5'\n$/],
    [['--l2', '-1'], /^train: --l2 must be a finite number in \[0, 1000\], got '-1'\n$/],
    [['--l1', '1001'], /^train: --l1 must be a finite number in \[0, 1000\], got '1001'\n$/],
    [
      ['--output', 'identity'],
      /^train: --output identity needs --loss mse \(the default loss is bce\): cross-entropy compares probabilities, .*use --loss mse for regression\n$/,
    ],
    [
      ['--backend', 'cpu', '--loss', 'bce', '--output', 'identity'],
      /^train: --loss bce needs --output sigmoid, got --output identity: cross-entropy compares probabilities/,
    ],
    [['--output', 'tanh'], /^train: --output must be one of sigmoid, identity, got 'tanh'\n$/],
    [
      ['--backend', 'cpu', '--data', real],
      /^train: --data .*real\.csv: line \d+: the label y = -?[\d.]+ is outside \[0, 1\]; with the sigmoid output labels are probabilities: real-valued labels need --output identity --loss mse\n$/,
    ],
  ])('%j', async (argv, message) => {
    const r = await train(...argv);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('a label outside [0, 1] that is also not a number is not told to use the identity output', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '0,2\n1,abc\n');
    const r = await train('--backend', 'cpu', '--data', bad);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`train: --data ${bad}: line 1: the label y = 2 is outside [0, 1]\n`);
  });

  it('--kernel steps --hidden 8,8 exits 2: the one-layer kernel cannot, and the message names the one that can', async () => {
    const r = await train('--hidden', '8,8', '--kernel', 'steps');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^train: --kernel steps cannot train d=2, hidden=8,8, N=4 here: one hidden layer only; kernels that fit: layers\n$/,
    );
  });
});

describe('the default run', () => {
  it.each(['cpu', 'gpu'])(
    '--backend %s --json: config gains output, batch, l1, l2 and hidden is [8]; params and grads stay W1, b1, W2, b2',
    async (backend) => {
      const r = await report('--backend', backend, '--steps', '200');
      expect(Object.keys(r.config)).toEqual([
        'hidden',
        'lr',
        'steps',
        'seed',
        'loss',
        'activation',
        'output',
        'batch',
        'l1',
        'l2',
        'd',
        'N',
        'data',
      ]);
      expect(r.config).toEqual({
        hidden: [8],
        lr: 0.5,
        steps: 200,
        seed: 1,
        loss: 'bce',
        activation: 'relu',
        output: 'sigmoid',
        batch: 4,
        l1: 0,
        l2: 0,
        d: 2,
        N: 4,
        data: 'XOR',
      });
      const one = { W1: [8, 2], b1: [8], W2: [1, 8], b2: [1] };
      for (const snap of [r.initial, r.final]) {
        expect(shapes(snap.params)).toEqual(one);
        expect(shapes(snap.grads.cpu)).toEqual(one);
        expect(snap).not.toHaveProperty('penalty');
        expect(snap).not.toHaveProperty('dataLoss');
      }
      expect(Object.keys(r.final)).toEqual(
        backend === 'cpu'
          ? ['params', 'grads', 'loss', 'accuracy', 'predictions']
          : ['params', 'grads', 'gradientCheck', 'loss', 'accuracy', 'predictions'],
      );
      if (backend === 'gpu') expect(r.kernel).not.toBe('layers'); // one layer keeps the faster kernels
    },
  );
});

describe('--backend engine sizes the general network’s graph', () => {
  it('counts the nodes of real loss graphs (any depth, the penalty, a batch): the estimate is an upper bound within 5%', () => {
    for (const [N, d, hidden, l2] of [
      [3, 2, [4, 3], 0],
      [5, 3, [2, 5, 2], 0.1],
      [2, 4, [3], 0.1],
      [4, 1, [1, 1, 1, 1, 1, 1], 0],
    ] as const) {
      const rng = makeRng(N + d);
      const data = makeDataset(
        Array.from({ length: N }, () => Array.from({ length: d }, () => rng())),
        Array.from({ length: N }, () => rng()),
      );
      const shape = { d, hidden: [...hidden] };
      const trainer = new CpuTrainer(data, initModelParams(shape, 1), { hidden, lr: 0.1, loss: 'bce', l2 });
      const seen = new Set<Value>();
      const stack = [trainer.lossGraph()];
      while (stack.length) {
        const v = stack.pop()!;
        if (seen.has(v)) continue;
        seen.add(v);
        if (v.in0) stack.push(v.in0);
        if (v.in1) stack.push(v.in1);
      }
      const estimate = modelGraphNodes({ N, d, hidden, penalty: l2 > 0 });
      expect(estimate, `N=${N} d=${d} hidden=${hidden}`).toBeGreaterThanOrEqual(seen.size);
      expect(estimate).toBeLessThanOrEqual(seen.size + 16 * N + 0.05 * seen.size);
      // a step's graph covers its batch alone
      expect(modelGraphNodes({ N, B: 1, d, hidden })).toBeLessThan(modelGraphNodes({ N, d, hidden }));
    }
  });
});
