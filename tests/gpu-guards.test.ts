import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEPS_PER_SUBMIT } from '../src/gpu/core.js';
import { FUSED_DISPATCHES_PER_SUBMIT, FusedTrainer } from '../src/gpu/fused.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { MANY_DISPATCHES_PER_SUBMIT, ManyTrainer } from '../src/gpu/many.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { GpuError } from '../src/gpu/device.js';
import { readbackCause } from '../src/gpu/staging.js';
import { type Dataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { openGpu } from './support/gpu.js';

/**
 * What every GPU trainer refuses, and what it says once destroyed or once its
 * device is lost. Each bad field gets an error naming the field and the range.
 */
let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

interface Fields {
  data: Dataset;
  hidden: number;
  loss: string;
  workgroupSize?: number;
}
type Create = (device: GPUDevice, f: Fields) => Promise<{ destroy(): void }>;

/** Parameters to go with the fields; where d or H is itself the bad field, one zero (the field's check comes first). */
const params = (f: Fields) => {
  try {
    return initParams({ d: f.data.d, H: f.hidden }, 1);
  } catch {
    return Float64Array.of(0);
  }
};
const CREATE: Record<string, Create> = {
  StepTrainer: (dev, f) => StepTrainer.create(dev, { ...f, params: params(f), lr: 0.1, loss: f.loss as 'bce' }),
  FusedTrainer: (dev, f) => FusedTrainer.create(dev, { ...f, params: params(f), lr: 0.1, loss: f.loss as 'bce' }),
  LargeBatchTrainer: (dev, f) =>
    LargeBatchTrainer.create(dev, { ...f, params: params(f), lr: 0.1, loss: f.loss as 'bce' }),
  ManyTrainer: (dev, f) => ManyTrainer.create(dev, { ...f, lrs: [0.1, 0.2], seedBase: 1, loss: f.loss as 'bce' }),
};

const good = (): Fields => ({ data: xor(), hidden: 2, loss: 'bce' });

describe.each(Object.entries(CREATE))('%s.create validates its input', (_name, create) => {
  it.each([
    [
      'x shorter than N·d',
      { data: { ...xor(), x: Float64Array.from([0, 0, 1]) } },
      /^data\.x must have N·d = 4·2 = 8 values, got 3/,
    ],
    [
      'y shorter than N',
      { data: { ...xor(), y: Float64Array.from([0, 1, 1]) } },
      /^data\.y must have N = 4 labels, got 3/,
    ],
    [
      'a label of 7',
      { data: { ...xor(), y: Float64Array.from([0, 1, 7, 0]) } },
      /^data\.y\[2\] must be a label in \[0, 1\], got 7/,
    ],
    [
      'a label of −0.5',
      { data: { ...xor(), y: Float64Array.from([0, 1, -0.5, 0]) } },
      /^data\.y\[2\] must be a label in \[0, 1\], got -0\.5/,
    ],
    [
      'a NaN label',
      { data: { ...xor(), y: Float64Array.from([0, Number.NaN, 1, 0]) } },
      /^data\.y\[1\] must be a label in \[0, 1\], got NaN/,
    ],
    [
      'N of 0',
      { data: { d: 2, N: 0, x: new Float64Array(0), y: new Float64Array(0) } },
      /^data\.N must be an integer in \[1, 16777216\], got 0/,
    ],
    ['d of 1.5', { data: { ...xor(), d: 1.5 } }, /^data\.d must be an integer in \[1, 1024\], got 1\.5/],
    ['hidden of 0', { hidden: 0 }, /^hidden must be an integer in \[1, 4096\], got 0/],
    ['loss "foo"', { loss: 'foo' }, /^loss must be one of bce, mse, got foo/],
    ['workgroupSize 1.5', { workgroupSize: 1.5 }, /^workgroupSize must be an integer in \[1, \d+\] .*got 1\.5/],
    ['workgroupSize 0', { workgroupSize: 0 }, /^workgroupSize must be an integer in \[1, \d+\]/],
    [
      'workgroupSize 100000',
      { workgroupSize: 100_000 },
      /^workgroupSize must be an integer in \[1, \d+\] \(this device's maxComputeWorkgroupSizeX/,
    ],
  ] as const)('refuses %s, naming the field and its range', async (_what, change, message) => {
    await expect(create(device, { ...good(), ...change } as Fields)).rejects.toThrow(message);
  });

  it('accepts the same fields when they are right', async () => {
    const t = await create(device, { ...good(), workgroupSize: 32 });
    t.destroy();
  });

  it('rejects on a lost device, with the reason', async () => {
    const { device: own } = await openGpu('tests.lost');
    own.destroy();
    await own.lost;
    const error = await create(own, good()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('lost');
    expect((error as GpuError).message).toMatch(/cannot create a trainer: the GPU device was lost \(destroyed\)/);
  });
});

const destroyed = /this trainer was destroyed; create a new one/;

describe('after destroy(), every method says the trainer was destroyed', () => {
  it('StepTrainer', async () => {
    const t = await StepTrainer.create(device, {
      data: xor(),
      params: initParams({ d: 2, H: 2 }, 1),
      hidden: 2,
      lr: 0.1,
      loss: 'bce',
      label: 'gone',
    });
    t.step(3);
    t.destroy();
    t.destroy(); // a second destroy does nothing
    expect(() => t.step(1)).toThrow(/^gone\.step\(\): this trainer was destroyed/);
    expect(() => t.setLearningRate(0.2)).toThrow(/^gone\.setLearningRate\(\): this trainer was destroyed/);
    for (const read of [
      () => t.readLoss(),
      () => t.inspect({ cache: true }),
      () => t.readAll(),
      () => t.readParams(),
      () => t.run(1),
    ]) {
      await expect(read()).rejects.toThrow(destroyed);
    }
    await expect(t.readLoss()).rejects.toThrow(/^gone\.readLoss\(\)/); // not "diverged at step 0"
  });

  it('FusedTrainer', async () => {
    const t = await FusedTrainer.create(device, {
      data: xor(),
      params: initParams({ d: 2, H: 2 }, 1),
      hidden: 2,
      lr: 0.1,
      loss: 'bce',
    });
    t.destroy();
    expect(() => t.step(1)).toThrow(destroyed);
    for (const read of [() => t.readLoss(), () => t.readParams(), () => t.run(1)])
      await expect(read()).rejects.toThrow(destroyed);
  });

  it('LargeBatchTrainer', async () => {
    const t = await LargeBatchTrainer.create(device, {
      data: xor(),
      params: initParams({ d: 2, H: 2 }, 1),
      hidden: 2,
      lr: 0.1,
      loss: 'bce',
    });
    t.destroy();
    expect(() => t.step(1)).toThrow(destroyed);
    expect(() => t.setLearningRate(0.2)).toThrow(destroyed);
    for (const read of [() => t.readLoss(), () => t.inspect(), () => t.readParams(), () => t.run(1)])
      await expect(read()).rejects.toThrow(destroyed);
  });

  it('ManyTrainer', async () => {
    const t = await ManyTrainer.create(device, { data: xor(), hidden: 2, loss: 'bce', lrs: [0.1], seedBase: 1 });
    t.destroy();
    expect(() => t.train(1)).toThrow(destroyed);
    for (const read of [() => t.readResults(), () => t.readParams(0)]) await expect(read()).rejects.toThrow(destroyed);
  });
});

/** Counts the command buffers submitted while `fn` runs. */
function countSubmits(dev: GPUDevice, fn: () => void): number {
  const queue = dev.queue;
  const submit = queue.submit.bind(queue);
  let buffers = 0;
  queue.submit = (cbs: Iterable<GPUCommandBuffer>) => {
    const list = [...cbs];
    buffers += list.length;
    submit(list);
  };
  try {
    fn();
  } finally {
    queue.submit = submit;
  }
  return buffers;
}

describe('long runs are recorded in bounded submits', () => {
  it('step(k) records at most STEPS_PER_SUBMIT steps per command buffer, on the step kernels and the large-batch path', async () => {
    const data = xor();
    const start = initParams({ d: 2, H: 2 }, 1);
    const steps = await StepTrainer.create(device, { data, params: start, hidden: 2, lr: 0.1, loss: 'bce' });
    const large = await LargeBatchTrainer.create(device, { data, params: start, hidden: 2, lr: 0.1, loss: 'bce' });
    try {
      for (const t of [steps, large]) {
        expect(countSubmits(device, () => t.step(2 * STEPS_PER_SUBMIT + 5))).toBe(3);
        expect(countSubmits(device, () => t.step(STEPS_PER_SUBMIT))).toBe(1);
        expect((await t.readLoss()).step).toBe(3 * STEPS_PER_SUBMIT + 5);
      }
    } finally {
      steps.destroy();
      large.destroy();
    }
  });

  it('the fused and many-models kernels record at most a fixed number of dispatches per command buffer', async () => {
    const data = xor();
    const fused = await FusedTrainer.create(device, {
      data,
      params: initParams({ d: 2, H: 2 }, 1),
      hidden: 2,
      lr: 0.1,
      loss: 'bce',
    });
    const many = await ManyTrainer.create(device, { data, hidden: 2, loss: 'bce', lrs: [0.1, 0.2], seedBase: 1 });
    try {
      expect(countSubmits(device, () => fused.step(2 * FUSED_DISPATCHES_PER_SUBMIT + 1, { stepsPerDispatch: 1 }))).toBe(
        3,
      );
      expect(countSubmits(device, () => many.train(MANY_DISPATCHES_PER_SUBMIT + 1, { stepsPerDispatch: 1 }))).toBe(2);
      expect((await fused.readLoss()).step).toBe(2 * FUSED_DISPATCHES_PER_SUBMIT + 1);
      expect(Array.from((await many.readResults()).steps)).toEqual([
        MANY_DISPATCHES_PER_SUBMIT + 1,
        MANY_DISPATCHES_PER_SUBMIT + 1,
      ]);
    } finally {
      fused.destroy();
      many.destroy();
    }
  });

  it('run(k) in chunks gives exactly what step(k) gives, and reports each chunk', async () => {
    const data = xor();
    const start = initParams({ d: 2, H: 4 }, 3);
    const a = await StepTrainer.create(device, { data, params: start, hidden: 4, lr: 0.5, loss: 'bce' });
    const b = await StepTrainer.create(device, { data, params: start, hidden: 4, lr: 0.5, loss: 'bce' });
    try {
      a.step(300);
      const seen: number[] = [];
      await b.run(300, { stepsPerSubmit: 64, onChunk: (s) => void seen.push(s) });
      expect(seen).toEqual([64, 128, 192, 256, 300]);
      expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
      expect((await b.readLoss()).step).toBe(300);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('the fused kernel over many command buffers equals one, and the step count carries across them', async () => {
    const data = xor();
    const start = initParams({ d: 2, H: 4 }, 3);
    const a = await FusedTrainer.create(device, { data, params: start, hidden: 4, lr: 0.5, loss: 'bce' });
    const b = await FusedTrainer.create(device, { data, params: start, hidden: 4, lr: 0.5, loss: 'bce' });
    try {
      a.step(1000, { stepsPerDispatch: 1000 });
      // 1000 steps at 1 per dispatch: more dispatches than one command buffer holds (FUSED_DISPATCHES_PER_SUBMIT).
      await b.run(1000, { stepsPerDispatch: 1 });
      expect((await b.readLoss()).step).toBe(1000);
      expect(Array.from(await b.readParams())).toEqual(Array.from(await a.readParams()));
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});

describe('a read in flight names why it failed', () => {
  const start = () => ({
    data: xor(),
    params: initParams({ d: 2, H: 2 }, 1),
    hidden: 2,
    lr: 0.1,
    loss: 'bce' as const,
  });
  const TRAINERS: Record<
    string,
    (dev: GPUDevice) => Promise<{ step(k: number): void; readParams(): Promise<Float64Array>; destroy(): void }>
  > = {
    StepTrainer: (dev) => StepTrainer.create(dev, { ...start(), label: 'steps' }),
    FusedTrainer: (dev) => FusedTrainer.create(dev, { ...start(), label: 'fused' }),
    LargeBatchTrainer: (dev) => LargeBatchTrainer.create(dev, { ...start(), label: 'large' }),
  };

  it.each(Object.entries(TRAINERS))(
    '%s destroyed while reading back: says so, as a GpuError("destroyed")',
    async (_name, create) => {
      const t = await create(device);
      t.step(50);
      const read = t.readParams();
      t.destroy();
      const error = await read.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GpuError);
      expect((error as GpuError).kind).toBe('destroyed');
      expect((error as GpuError).message).toMatch(
        /^(steps|fused|large): reading back failed: the trainer was destroyed while reading back$/,
      );
    },
  );

  it('ManyTrainer destroyed while reading back: says so', async () => {
    const t = await ManyTrainer.create(device, {
      data: xor(),
      hidden: 2,
      loss: 'bce',
      lrs: [0.1],
      seedBase: 1,
      label: 'many',
    });
    t.train(50);
    const read = t.readResults();
    t.destroy();
    await expect(read).rejects.toThrow(/^many: reading back failed: the trainer was destroyed while reading back$/);
  });

  it.each(Object.entries(TRAINERS))(
    '%s whose device is lost while reading back: names the loss',
    async (_name, create) => {
      const { device: own } = await openGpu('tests.lost-reading');
      const t = await create(own);
      t.step(50);
      const read = t.readParams();
      own.destroy();
      const error = await read.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GpuError);
      expect((error as GpuError).kind).toBe('lost');
      expect((error as GpuError).message).toMatch(/^the GPU device was lost \(destroyed\)/);
    },
  );

  it('a map that fails for another reason names the error, by name where its message is empty', () => {
    expect(readbackCause(new DOMException('', 'AbortError'))).toBe('AbortError');
    expect(readbackCause(new DOMException('mapping pending', 'OperationError'))).toBe(
      'OperationError: mapping pending',
    );
    expect(readbackCause(new Error(''))).toBe('Error');
    expect(readbackCause('')).toBe('no reason given');
  });
});
