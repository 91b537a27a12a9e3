import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FusedTrainer } from '../src/gpu/fused.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { TiledLargeTrainer } from '../src/gpu/large-tiled.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { type Dataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { openGpu } from './support/gpu.js';

/**
 * Every trainer, CPU (f64) or GPU (f32), refuses the same bad input with the
 * same RangeError naming the field, before it makes anything; only the range
 * of a finite value differs (f64 against f32), and its message says which.
 */
let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu('tests.trainer-checks')));
afterAll(() => device?.destroy());

interface Input {
  data: Dataset;
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: string;
  activation?: string;
}

/** What the table drives on each trainer. */
interface Made {
  step(k: number): void;
  /** Steps done so far (read back on the GPU). */
  steps(): Promise<number>;
  params(): Promise<Float64Array>;
  setLearningRate?(lr: number): void;
  destroy(): void;
}

type Make = (input: Input) => Promise<Made>;

const cpu = (input: Input): Made => {
  const t = new CpuTrainer(input.data, input.params, input as never);
  return {
    step: (k) => void t.step(k),
    steps: async () => t.stepCount,
    params: async () => t.parameters(),
    setLearningRate: (lr) => void (t.lr = lr),
    destroy: () => {},
  };
};
const matrix = (input: Input): Made => {
  const t = new MatrixTrainer(input.data, input.params, input as never);
  return {
    step: (k) => void t.step(k),
    steps: async () => t.stepCount,
    params: async () => Float64Array.from(t.params),
    destroy: () => {},
  };
};
const fast = (input: Input): Made => {
  const t = new FastTrainer(input.data, input.params, input as never);
  return {
    step: (k) => void t.step(k),
    steps: async () => t.stepCount,
    params: async () => Float64Array.from(t.params),
    setLearningRate: (lr) => void (t.lr = lr),
    destroy: () => {},
  };
};
type GpuLike = {
  step(k: number): void;
  readLoss(): Promise<{ step: number }>;
  readParams(): Promise<Float64Array>;
  setLearningRate(lr: number): void;
  destroy(): void;
};
const gpu = (t: GpuLike): Made => ({
  step: (k) => t.step(k),
  steps: async () => (await t.readLoss()).step,
  params: () => t.readParams(),
  setLearningRate: (lr) => t.setLearningRate(lr),
  destroy: () => t.destroy(),
});

const CPU: Record<string, Make> = {
  CpuTrainer: async (input) => cpu(input),
  MatrixTrainer: async (input) => matrix(input),
  FastTrainer: async (input) => fast(input),
};
const GPU: Record<string, Make> = {
  StepTrainer: async (input) => gpu(await StepTrainer.create(device, input as never)),
  FusedTrainer: async (input) => gpu(await FusedTrainer.create(device, input as never)),
  LargeBatchTrainer: async (input) => gpu(await LargeBatchTrainer.create(device, input as never)),
  TiledLargeTrainer: async (input) => gpu(await TiledLargeTrainer.create(device, input as never)),
};
const ALL = { ...CPU, ...GPU };

const good = (): Input => ({ data: xor(), params: initParams({ d: 2, H: 2 }, 1), hidden: 2, lr: 0.5, loss: 'bce' });
const withY = (y: number[]): Partial<Input> => ({ data: { ...xor(), y: Float64Array.from(y) } });
const withX = (i: number, v: number): Partial<Input> => {
  const x = Float64Array.from(xor().x);
  x[i] = v;
  return { data: { ...xor(), x } };
};
const withParam = (i: number, v: number): Partial<Input> => {
  const params = initParams({ d: 2, H: 2 }, 1);
  params[i] = v;
  return { params };
};

/**
 * Bad input, and the message every trainer gives for it (whole, anchored); a
 * row with a GPU message of its own is a finite-value check, where the GPU's
 * range is f32's and it says nothing was uploaded.
 */
const BAD: [string, Partial<Input>, string, string?][] = [
  ['lr −1', { lr: -1 }, 'lr must be a finite number > 0, got -1'],
  ['lr 0', { lr: 0 }, 'lr must be a finite number > 0, got 0'],
  ['lr NaN', { lr: Number.NaN }, 'lr must be a finite number > 0, got NaN'],
  ['lr Infinity', { lr: Infinity }, 'lr must be a finite number > 0, got Infinity'],
  ['loss "bogus"', { loss: 'bogus' }, 'loss must be one of bce, mse, got bogus'],
  ['activation "swish"', { activation: 'swish' }, 'activation must be one of relu, leaky, tanh, sigmoid, got swish'],
  ['hidden 0', { hidden: 0 }, 'hidden must be an integer in [1, 4096], got 0'],
  ['hidden 2.5', { hidden: 2.5 }, 'hidden must be an integer in [1, 4096], got 2.5'],
  ['hidden 4097', { hidden: 4097 }, 'hidden must be an integer in [1, 4096], got 4097'],
  ['a label of 2', withY([0, 1, 2, 0]), 'data.y[2] must be a label in [0, 1], got 2'],
  ['a label of −1', withY([0, -1, 1, 0]), 'data.y[1] must be a label in [0, 1], got -1'],
  ['a NaN label', withY([0, 1, 1, Number.NaN]), 'data.y[3] must be a label in [0, 1], got NaN'],
  ['y shorter than N', withY([0, 1, 1]), 'data.y must have N = 4 labels, got 3'],
  [
    'x shorter than N·d',
    { data: { ...xor(), x: Float64Array.of(0, 0, 1) } },
    'data.x must have N·d = 4·2 = 8 values, got 3',
  ],
  ['d of 0', { data: { ...xor(), d: 0 } }, 'data.d must be an integer in [1, 1024], got 0'],
  [
    'N of 0',
    { data: { d: 2, N: 0, x: Float64Array.of(), y: Float64Array.of() } },
    'data.N must be an integer in [1, 16777216], got 0',
  ],
  [
    'params one short',
    { params: initParams({ d: 2, H: 2 }, 1).subarray(1) },
    'params: expected 9 values for d=2, H=2, got 8',
  ],
  [
    'a NaN parameter',
    withParam(4, Number.NaN),
    'params[4] is NaN, must be a finite number',
    'params[4] is NaN, must be a finite f32 (|v| < 3.4e38); nothing was uploaded',
  ],
  [
    'an infinite x',
    withX(5, -Infinity),
    'data.x[5] is -Infinity, must be a finite number',
    'data.x[5] is -Infinity, must be a finite f32 (|v| < 3.4e38); nothing was uploaded',
  ],
];

/** What `fn` throws (null if nothing). */
function thrown(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return null;
}

/** The error `make` rejects with. */
async function refusal(make: Make, input: Input): Promise<unknown> {
  try {
    (await make(input)).destroy();
  } catch (e) {
    return e;
  }
  return new Error('accepted');
}

describe.each(Object.entries(ALL))('%s refuses bad input with the words every trainer uses', (name, make) => {
  it.each(BAD)('%s', async (_what, change, message, gpuMessage) => {
    const error = await refusal(make, { ...good(), ...change });
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe(name in GPU ? (gpuMessage ?? message) : message);
  });

  it.each([
    [-1, 'steps must be an integer ≥ 0, got -1'],
    [Number.NaN, 'steps must be an integer ≥ 0, got NaN'],
    [1.5, 'steps must be an integer ≥ 0, got 1.5'],
    [Infinity, 'steps must be an integer ≥ 0, got Infinity'],
  ])('step(%s) is refused, and no step is taken', async (k, message) => {
    const t = await make(good());
    try {
      const before = await t.params();
      const error = thrown(() => t.step(k));
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(message);
      expect(await t.steps()).toBe(0);
      expect(await t.params()).toEqual(before);
    } finally {
      t.destroy();
    }
  });
});

// The matrix form's learning rate is fixed at creation; every other trainer's may change between steps.
const SETTABLE = Object.entries(ALL).filter(([name]) => name !== 'MatrixTrainer');

describe.each(SETTABLE)('%s refuses a bad learning rate set between steps, and keeps the old one', (_name, make) => {
  it.each([[-1], [0], [Number.NaN]])('lr %s', async (lr) => {
    const t = await make(good());
    try {
      const error = thrown(() => t.setLearningRate!(lr));
      expect(error).toBeInstanceOf(RangeError);
      expect((error as Error).message).toBe(`lr must be a finite number > 0, got ${lr}`);
      const same = await make(good()); // the same start, stepped at the old rate
      t.step(20);
      same.step(20);
      expect(await t.steps()).toBe(20);
      expect(await t.params()).toEqual(await same.params());
      same.destroy();
    } finally {
      t.destroy();
    }
  });
});

describe('the range of a finite value: f64 on the CPU, f32 on the GPU', () => {
  it('x = 1e39 is taken by the CPU trainers and refused by the GPU trainers, naming f32', async () => {
    for (const make of Object.values(CPU)) (await make({ ...good(), ...withX(5, 1e39) })).destroy();
    for (const make of Object.values(GPU)) {
      await expect(refusal(make, { ...good(), ...withX(5, 1e39) })).resolves.toHaveProperty(
        'message',
        'data.x[5] is 1e+39, must be a finite f32 (|v| < 3.4e38); nothing was uploaded',
      );
    }
  });

  it('lr = 1e39 likewise', async () => {
    for (const make of Object.values(CPU)) (await make({ ...good(), lr: 1e39 })).destroy();
    for (const make of Object.values(GPU)) {
      await expect(refusal(make, { ...good(), lr: 1e39 })).resolves.toHaveProperty(
        'message',
        "lr must be a finite number > 0 within f32's range (< 3.4e38), got 1e+39",
      );
    }
  });
});
