import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { ManyRegTrainer, narrowCode } from '../src/gpu/many-reg.js';
import { NO_FAULT } from '../src/gpu/status.js';
import { makeSpec, paramLayout } from '../src/mlp/spec.js';
import { FUSED_SUBGROUP_BINDINGS, MANY_REG_BINDINGS, MANY_REG_RUN_FIELDS, SHADERS } from '../src/gpu/shaders.js';
import { compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { type Dataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { makeRng } from '../src/mlp/rng.js';
import { openGpu } from './support/gpu.js';
import { BIG, ramp, RAMP_LOSS_AT_2, RAMP_PARAM_AT_1, RAMP_STABLE, sgdF32 } from './support/overflow.js';
import { bits } from './support/bits.js';
import { cpuRun } from './support/cpu-sgd.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe('the fast kernels declare what their tables say', () => {
  const bindings = (code: string) =>
    [...code.matchAll(/@group\((\d+)\)\s*@binding\((\d+)\)\s*var<([^>]+)>\s*(\w+)/g)]
      .map((m) => ({
        binding: Number(m[2]),
        name: m[4]!,
        type:
          m[3]!.replace(/\s/g, '') === 'uniform'
            ? 'uniform'
            : m[3]!.includes('read_write')
              ? 'storage'
              : 'read-only-storage',
      }))
      .sort((a, b) => a.binding - b.binding); // bindings in shared snippets come after the kernel's own
  it('bindings of fused-subgroup.wgsl and many-reg.wgsl; Run of many-reg.wgsl; no override has a default', () => {
    expect(bindings(SHADERS.fusedSubgroup)).toEqual(FUSED_SUBGROUP_BINDINGS);
    expect(bindings(SHADERS.manyReg)).toEqual(MANY_REG_BINDINGS);
    const run = /struct Run \{([^}]*)\}/.exec(SHADERS.manyReg)![1]!;
    expect([...run.matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1])).toEqual([...MANY_REG_RUN_FIELDS]);
    for (const code of [SHADERS.fusedSubgroup, SHADERS.manyReg])
      expect(code).not.toMatch(/^override\s+\w+\s*:\s*\w+\s*=/m);
  });
});

describe('many-models kernel in registers (shaders/many-reg.wgsl)', () => {
  for (const [name, data, H, loss] of [
    ['XOR, H = 8, BCE', xor(), 8, 'bce'],
    ['7 random points in 3-d, H = 5, MSE', randomDataset(31, 3, 7, { binary: true }), 5, 'mse'],
    ['1 point in 1-d, H = 16, BCE', randomDataset(32, 1, 1, { binary: true }), 16, 'bce'],
  ] as const satisfies readonly (readonly [string, Dataset, number, LossKind])[]) {
    it(`gives ManyTrainer's results bit for bit, and a random sample of models follows the CPU (${name})`, async () => {
      const rng = makeRng(H);
      const M = 300;
      const lrs = Float32Array.from({ length: M }, () => Math.fround(10 ** (-2 + 3 * rng())));
      const opts = { data, hidden: H, loss, lrs, seedBase: 40, seedCount: 100 };
      const fast = await ManyRegTrainer.create(device, opts);
      const old = await ManyTrainer.create(device, opts);
      try {
        fast.train(300, { stepsPerDispatch: 128 });
        old.train(300, { stepsPerDispatch: 128 });
        const [a, b] = [await fast.readResults(), await old.readResults()];
        expect(Array.from(a.loss)).toEqual(Array.from(b.loss));
        expect(Array.from(a.accuracy)).toEqual(Array.from(b.accuracy));
        expect(Array.from(a.steps)).toEqual(Array.from(b.steps));
        expect(a.errors.map((e) => e?.fault ?? null)).toEqual(b.errors.map((e) => e?.fault ?? null));
        for (let k = 0; k < 5; k++) {
          const m = Math.floor(rng() * M);
          expect(bits(await fast.readParams(m))).toEqual(bits(await old.readParams(m)));
          if (a.errors[m]) continue;
          const cpu = cpuRun(
            { d: data.d, H },
            initParams({ d: data.d, H }, 40 + (m % 100)),
            data,
            loss,
            lrs[m]!,
            300,
          ).theta;
          const c = compareFlat({ d: data.d, H }, await fast.readParams(m), cpu, TOLERANCES.trajectory);
          expect(c.pass, `model ${m} (lr ${lrs[m]}): ${JSON.stringify(c.tensors)}`).toBe(true);
        }
      } finally {
        fast.destroy();
        old.destroy();
      }
    });
  }

  it('width groups in one dispatch give what one ManyTrainer per width gives, the same faults', async () => {
    const data = xor();
    const widths = [2, 5, 3];
    const S = 24;
    // A third of the models at lr = 1e37: their parameters overflow, so their faults name an element.
    const lrs = Float32Array.from({ length: 3 * S }, (_, m) => [0.3, 3, 1e37][Math.floor(m / S)]!);
    const fast = await ManyRegTrainer.create(device, {
      data,
      hidden: widths.map((hidden) => ({ hidden, models: 3 * S })),
      loss: 'bce',
      lrs: Float32Array.from([...lrs, ...lrs, ...lrs]),
      seedBase: 9,
      seedCount: S,
    });
    try {
      fast.train(200, { stepsPerDispatch: 64 });
      const all = await fast.readResults();
      for (const [w, hidden] of widths.entries()) {
        const old = await ManyTrainer.create(device, { data, hidden, loss: 'bce', lrs, seedBase: 9, seedCount: S });
        old.train(200, { stepsPerDispatch: 64 });
        const r = await old.readResults();
        const range = [w * 3 * S, (w + 1) * 3 * S] as const;
        expect(Array.from(all.loss.slice(...range)), `width ${hidden}`).toEqual(Array.from(r.loss));
        expect(Array.from(all.accuracy.slice(...range))).toEqual(Array.from(r.accuracy));
        expect(all.errors.slice(...range).map((e) => e?.fault ?? null)).toEqual(r.errors.map((e) => e?.fault ?? null));
        expect(r.errors.filter((e) => e).length, 'some models fail').toBeGreaterThan(0);
        for (const m of [0, S + 1, 2 * S + 2])
          expect(bits(await fast.readParams(range[0] + m))).toEqual(bits(await old.readParams(m)));
        old.destroy();
        expect(fast.widthOf(range[0])).toBe(hidden);
      }
    } finally {
      fast.destroy();
    }
  });

  it('a fault in the widest layout is named in the model’s own layout (narrowCode)', () => {
    const wide = makeSpec({ d: 3, H: 5, N: 4 });
    const own = makeSpec({ d: 3, H: 2, N: 4 });
    const W = paramLayout(wide);
    const O = paramLayout(own);
    const code = (kind: number, k: number, v: number) => ((kind << 30) | (k << 2) | v) >>> 0;
    for (const t of ['W1', 'b1', 'W2', 'b2'] as const) {
      for (let i = 0; i < O[t].length; i++)
        expect(narrowCode(wide, own, code(2, W[t].offset + i, 1))).toBe(code(2, O[t].offset + i, 1));
    }
    expect(narrowCode(wide, own, code(1, W.W2.offset + 1, 0))).toBe(code(1, O.W2.offset + 1, 0));
    expect(narrowCode(wide, own, code(0, 3, 2))).toBe(code(0, 3, 2)); // a loss names a sample
    expect(narrowCode(wide, own, NO_FAULT)).toBe(NO_FAULT);
  });

  it('each model stops at its own first non-finite step, exactly, keeping the step before; the others go on', async () => {
    const p = ramp();
    const big = initParams({ d: 1, H: 1 }, BIG.seed);
    // Models: the ramp at four rates (NaN loss at 2, W2 overflow at 1, stable, stable) and nothing else shared.
    const rates = [RAMP_LOSS_AT_2, RAMP_PARAM_AT_1, RAMP_STABLE, RAMP_LOSS_AT_2];
    const t = await ManyRegTrainer.create(device, {
      data: p.data,
      hidden: 1,
      loss: 'bce',
      lrs: rates,
      seedBase: 0,
      initialParams: rates.flatMap(() => [...p.params]),
    });
    try {
      t.train(7, { stepsPerDispatch: 3 });
      const r = await t.readResults();
      for (const [m, lr] of rates.entries()) {
        const want = sgdF32({ d: 1, H: 1 }, p.params, p.data, lr, 'bce', 7);
        expect(r.errors[m]?.fault ?? null, `model ${m}`).toEqual(want.fault);
        expect(bits(await t.readParams(m))).toEqual(bits(want.history.at(-1)!));
        expect(r.steps[m]).toBe(want.history.length - 1);
        expect(r.diverged[m]).toBe(want.fault ? 1 : 0);
      }
    } finally {
      t.destroy();
    }
    // big.json: W1[0][0] overflows to −∞ at step 1.
    const b = await ManyRegTrainer.create(device, {
      data: BIG.data,
      hidden: 1,
      loss: 'bce',
      lrs: [BIG.lr],
      seedBase: 0,
      initialParams: big,
    });
    try {
      b.train(5);
      const r = await b.readResults();
      expect(r.errors[0]?.fault).toEqual({ step: 1, kind: 'parameter', index: 0, value: -Infinity, precision: 'f32' });
      expect(bits(await b.readParams(0))).toEqual(bits(big));
    } finally {
      b.destroy();
    }
  });
});
