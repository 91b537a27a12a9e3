import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import { runSweep, type SweepReport } from '../src/cli/sweep.js';
import { sweepGpu } from '../src/gpu/sweep-widths.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { makeRng } from '../src/mlp/rng.js';
import { learned, makeCell, sweepCpu } from '../src/mlp/map.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { openGpu } from './support/gpu.js';
import { buildCli } from './support/cli-build.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

async function sweep(...argv: string[]) {
  let out = '';
  let err = '';
  const errStream = new PassThrough() as unknown as NodeJS.WriteStream;
  const code = await runSweep(argv, { out: (t) => (out += t), err: (t) => (err += t), errStream });
  return { code, out, err };
}

describe('the sweep: which networks learn XOR?', () => {
  it('the many-models kernel’s verdicts equal the scalar engine trained alone, on a sample of (width, rate, seed)', async () => {
    const spec = { widths: [1, 2, 4], rates: [0.3, 3], seeds: 48, seedBase: 100, steps: 2000, loss: 'bce' as const };
    const cells = await sweepGpu(device, xor(), spec);
    expect(cells.map((c) => [c.hidden, c.lr])).toEqual([
      [1, 0.3],
      [1, 3],
      [2, 0.3],
      [2, 3],
      [4, 0.3],
      [4, 3],
    ]);
    const rng = makeRng(5);
    let compared = 0;
    let borderline = 0;
    for (let k = 0; k < 16; k++) {
      const cell = cells[Math.floor(rng() * cells.length)]!;
      const s = Math.floor(rng() * spec.seeds);
      const engine = new CpuTrainer(xor(), initParams({ d: 2, H: cell.hidden }, spec.seedBase + s), {
        hidden: cell.hidden,
        lr: Math.fround(cell.lr),
        loss: 'bce',
      });
      engine.step(spec.steps);
      const e = engine.evaluate();
      if (Math.abs(e.loss - 0.01) < 1e-4) {
        borderline++; // f32 and f64 may legitimately land on either side of the threshold
        continue;
      }
      compared++;
      expect(
        cell.verdicts[s],
        `H=${cell.hidden}, lr=${cell.lr}, seed ${spec.seedBase + s}: engine loss ${e.loss}, accuracy ${e.accuracy}`,
      ).toBe(learned(e.loss, e.accuracy) ? 1 : 0);
    }
    expect(compared).toBeGreaterThanOrEqual(14);
    expect(borderline).toBeLessThanOrEqual(2);
    // some cells learn, some do not: the sample covered both verdicts
    expect(cells.some((c) => c.fraction > 0.5)).toBe(true);
    expect(cells.some((c) => c.fraction < 0.5)).toBe(true);
  });

  for (const activation of HIDDEN_ACTIVATIONS) {
    it(`the CPU sweep gives the same cells as the GPU sweep on a small grid (${activation})`, async () => {
      const spec = {
        widths: [2, 3],
        rates: [1],
        seeds: 24,
        seedBase: 7,
        steps: 1500,
        loss: 'bce' as const,
        activation,
      };
      const gpu = await sweepGpu(device, xor(), spec);
      const cpu = sweepCpu(xor(), { ...spec, rates: spec.rates.map(Math.fround) });
      const diff = gpu.reduce(
        (n, c, i) => n + c.verdicts.reduce((m, v, s) => m + (v !== cpu[i]!.verdicts[s] ? 1 : 0), 0),
        0,
      );
      expect(diff, 'networks whose verdict differs between f32 GPU and f64 CPU').toBeLessThanOrEqual(1);
    });
  }

  it('makeCell counts and samples seeds', () => {
    const c = makeCell(4, 0.3, 10, [true, false, true, true]);
    expect(c).toMatchObject({
      hidden: 4,
      lr: 0.3,
      seeds: 4,
      learned: 3,
      fraction: 0.75,
      learnedSeeds: [10, 12, 13],
      failedSeeds: [11],
    });
  });
});

describe('npm run sweep', () => {
  it('prints one JSON object with adapter, cells and seconds; each count is the number of seeds that learned, counted one by one', async () => {
    const spec = { widths: [1, 2], rates: [0.3, 3], seeds: 16, seedBase: 0, steps: 500, loss: 'bce' as const };
    const r = await sweep('--json', '--widths', '1,2', '--rates', '0.3,3', '--seeds', '16', '--steps', '500');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as SweepReport;
    expect(report.adapter?.vendor).toBeTypeOf('string');
    expect(report.cells).toHaveLength(4);
    // the same networks through the library, each seed's verdict counted here, not by makeCell
    const perSeed = await sweepGpu(device, xor(), spec);
    const counts: number[] = [];
    for (const [i, c] of report.cells.entries()) {
      expect(Object.keys(c).sort()).toEqual(['fraction', 'hidden', 'learned', 'lr', 'seeds']);
      expect([c.hidden, c.lr, c.seeds]).toEqual([perSeed[i]!.hidden, perSeed[i]!.lr, 16]);
      let count = 0;
      for (let s = 0; s < 16; s++) if (perSeed[i]!.verdicts[s]) count++;
      counts.push(count);
      expect(c.learned, `H=${c.hidden}, lr=${c.lr}`).toBe(count);
      expect(c.fraction).toBe(
        [
          0,
          1 / 16,
          2 / 16,
          3 / 16,
          4 / 16,
          5 / 16,
          6 / 16,
          7 / 16,
          8 / 16,
          9 / 16,
          10 / 16,
          11 / 16,
          12 / 16,
          13 / 16,
          14 / 16,
          15 / 16,
          1,
        ][count],
      );
    }
    expect(
      counts.some((n) => n > 0 && n < 16),
      `counts ${counts.join(', ')}: a cell between none and all`,
    ).toBe(true);
    expect(report.seconds).toBeGreaterThan(0);
  });

  it('a sweep too big for the device names the flags that set its size', async () => {
    // The whole map is one kernel's models: 16 widths × 64 rates × 65,536 seeds, each up to 65 parameters (17 GB).
    const rates = Array.from({ length: 64 }, (_, i) => (i + 1) / 100).join(',');
    const widths = Array.from({ length: 16 }, (_, i) => i + 1).join(',');
    const r = await sweep('--widths', widths, '--rates', rates, '--seeds', '65536', '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /; this sweep trains 16 --widths × 64 --rates × 65536 --seeds = 67108864 networks at once: lower --seeds or give fewer --widths or --rates\n$/,
    );
    expect(r.out).toBe('');
  });

  it.each([
    [['--widths', '0,2'], /--widths: '0' is not an integer in \[1, 4096\]/],
    [['--widths', '2,17'], /--widths: the many-models kernel takes widths 1 to 16/],
    [['--rates', '0.3,-1'], /--rates: '-1' is not a finite number in \(0, 1000\]/],
    [['--seeds', '0'], /--seeds must be an integer in \[1, 65536\], got '0'/],
    [['--steps', '1.5'], /--steps must be an integer/],
    [['--nope'], /unknown flag --nope/],
    // the map stays one hidden layer, σ, full batch, no penalty: each of train's network flags is refused by name
    [['--hidden', '8,8'], /--hidden is not a sweep flag: the map trains one hidden layer per network.*--widths/],
    [['--batch', '3'], /--batch is not a sweep flag: .*the full batch/],
    [['--l2=0.01'], /--l2 is not a sweep flag: .*no penalty/],
    [['--output', 'identity'], /--output is not a sweep flag: .*σ output/],
  ])('refuses %j with status 2', async (argv, message) => {
    const r = await sweep(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('npm run sweep --backend cpu', () => {
  it('gives the cells of sweepCpu (src/mlp/sweep.ts), network for network, though it trains in chunks', async () => {
    const spec = {
      widths: [1, 3],
      rates: [0.3, 3],
      seeds: 12,
      seedBase: 5,
      steps: 700,
      loss: 'mse' as const,
      activation: 'tanh' as const,
    };
    const r = await sweep(
      '--backend',
      'cpu',
      '--json',
      '--widths',
      '1,3',
      '--rates',
      '0.3,3',
      '--seeds',
      '12',
      '--seed-base',
      '5',
      '--steps',
      '700',
      '--loss',
      'mse',
      '--activation',
      'tanh',
    );
    expect(r.code, r.err).toBe(0);
    const expected = sweepCpu(xor(), spec).map(({ hidden, lr, seeds, learned, fraction }) => ({
      hidden,
      lr,
      seeds,
      learned,
      fraction,
    }));
    expect((JSON.parse(r.out) as SweepReport).cells).toEqual(expected);
    expect(expected.some((c) => c.learned > 0 && c.learned < 12)).toBe(true);
  });
});

describe('npm run sweep interrupted (the built command, as a process)', () => {
  let cli = '';
  beforeAll(async () => {
    cli = await buildCli('sweep');
  });

  /** Starts the sweep, sends SIGINT once stderr matches `ready`, and returns how it ended. */
  async function interrupt(argv: string[], ready: RegExp) {
    const child = spawn(process.execPath, [`${cli}/sweep.js`, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const seen = new Promise<void>((resolve) =>
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (ready.test(err)) resolve();
      }),
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await seen;
    const before = err;
    const t0 = performance.now();
    child.kill('SIGINT');
    const end = await exited;
    return { ...end, out, err, before, seconds: (performance.now() - t0) / 1000 };
  }

  it('--backend cpu: exit 130 within a chunk, naming the cells that finished, nothing on stdout', async () => {
    // 4 cells of one network of 200,000 steps each (about a second): SIGINT lands while the second trains
    const r = await interrupt(
      ['--backend', 'cpu', '--widths', '1,2,3,4', '--rates', '0.5', '--seeds', '1', '--steps', '200000'],
      /sweep: 1\/4 cells done\n/,
    );
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 130, signal: null });
    expect(r.seconds).toBeLessThan(2);
    const done = Number([...r.err.matchAll(/sweep: (\d)\/4 cells done/g)].at(-1)![1]);
    const finished = ['H=1', 'H=2', 'H=3']
      .slice(0, done)
      .map((h) => `${h} at every rate`)
      .join('; ');
    expect(
      r.err.endsWith(`\nsweep: interrupted with ${done} of 4 cells done (${finished}); nothing was written\n`),
      r.err,
    ).toBe(true);
    expect(r.out).toBe('');
  }, 60_000);

  it('--backend gpu: exit 130 between dispatches, the step it reached, the device destroyed first', async () => {
    const r = await interrupt(
      ['--widths', '1,2', '--rates', '0.5', '--seeds', '64', '--steps', '1000000'],
      /sweep: \d+\/1000000 steps done\n/,
    );
    expect({ code: r.code, signal: r.signal }, r.err).toEqual({ code: 130, signal: null });
    expect(r.seconds).toBeLessThan(10);
    expect(r.err).toMatch(
      /\nsweep: interrupted at step \d+ of 1000000, with none of the 2 cells done \(the GPU trains them all at once\); nothing was written\n$/,
    );
    const step = Number(/interrupted at step (\d+)/.exec(r.err)![1]);
    expect(step % 250).toBe(0);
    expect(step).toBeGreaterThan(0);
    expect(r.out).toBe('');
  }, 60_000);
});
