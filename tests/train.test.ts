import { describe, expect, it } from 'vitest';
import { checkConfig, DEFAULTS } from '../src/mlp/config.js';
import { makeDataset, xor } from '../src/mlp/data.js';
import { initParams } from '../src/mlp/init.js';
import { CpuTrainer, TrainingDivergedError } from '../src/mlp/train-cpu.js';

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

  it('stops with an error naming the step when training diverges', () => {
    const data = makeDataset([[1e300], [-1e300]], [1, 0]);
    const trainer = new CpuTrainer(data, initParams({ d: 1, H: 2 }, 1), { hidden: 2, lr: 1, loss: 'bce' });
    let error: unknown;
    try {
      trainer.step(5);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrainingDivergedError);
    const { step, message } = error as TrainingDivergedError;
    expect(step).toBeGreaterThanOrEqual(1);
    expect(message).toMatch(new RegExp(`^training diverged at step ${step}: (the loss is NaN|parameter \\d+ became)`));
    expect(trainer.stepCount).toBe(step - 1); // the failing step is not counted as taken
  });
});

describe('config.ts', () => {
  it('refuses bad hyperparameters, naming the field and the range', () => {
    expect(() => checkConfig({ ...DEFAULTS, lr: 0 })).toThrow('lr must be a finite number in (0, 1000], got 0');
    expect(() => checkConfig({ ...DEFAULTS, lr: Number.NaN })).toThrow(/lr .* got NaN/);
    expect(() => checkConfig({ ...DEFAULTS, hidden: 0 })).toThrow('hidden must be an integer in [1, 4096], got 0');
    expect(() => checkConfig({ ...DEFAULTS, steps: 1.5 })).toThrow(/steps must be an integer/);
    expect(() => checkConfig({ ...DEFAULTS, loss: 'hinge' as 'bce' })).toThrow('loss must be one of bce, mse, got hinge');
    expect(checkConfig({ ...DEFAULTS, steps: 0 })).toEqual({ ...DEFAULTS, steps: 0 });
  });
});
