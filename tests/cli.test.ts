import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { build } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { runTrain, type TrainReport } from '../src/cli/train.js';

/** Runs the train command in-process, capturing what it writes. */
async function train(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const errStream = new PassThrough() as unknown as NodeJS.WriteStream;
  errStream.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), errStream };
  const code = await runTrain(argv, io);
  return { code, out, err };
}

describe('npm run train (in-process)', () => {
  it('trains XOR on the CPU from the defaults: loss < 0.01, 100% accuracy, four predictions', async () => {
    const r = await train('--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    expect(report.backend).toBe('cpu');
    expect(report.config).toMatchObject({ d: 2, hidden: 8, N: 4, loss: 'bce', seed: 1 });
    expect(report.final.loss).toBeLessThan(0.01);
    expect(report.final.accuracy).toBe(1);
    expect(report.final.predictions).toHaveLength(4);
    expect(report.final.params.W1).toHaveLength(8);
    expect(report.final.params.W1[0]).toHaveLength(2);
    expect(report.final.params.W2).toHaveLength(1);
    expect(report.final.params.W2[0]).toHaveLength(8);
    expect(report.initial.loss).toBeGreaterThan(report.final.loss);
    expect(r.err).toMatch(/step 2000\/2000/); // progress went to stderr, not into the JSON
  });

  it('prints a readable summary without --json', async () => {
    const r = await train('--steps', '2000', '--loss', 'mse', '--lr', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2-8-1 MLP on XOR, mse, lr 2, seed 1, 2000 steps/);
    expect(r.out).toMatch(/accuracy\s+100% \(4\/4\)/);
    expect(r.out.split('\n').filter((l) => /^\s+[01]\s+[01]\s+[01]\s+0\.\d{4}$/.test(l))).toHaveLength(4);
  });

  it('--steps 0 reports the initial state alone', async () => {
    const report = JSON.parse((await train('--steps', '0', '--json')).out) as TrainReport;
    expect(report.final.params).toEqual(report.initial.params);
    expect(report.final.loss).toBe(report.initial.loss);
    expect(report.initial.grads.cpu.b2).toHaveLength(1);
  });

  it.each([
    [['--lr', '-1'], /--lr must be a finite number in \(0, 1000\], got '-1'/],
    [['--lr', 'Infinity'], /--lr must be .*got 'Infinity'/],
    [['--lr', 'abc'], /--lr must be .*got 'abc'/],
    [['--hidden', '0'], /--hidden must be an integer in \[1, 4096\], got '0'/],
    [['--hidden', '2.5'], /--hidden must be an integer/],
    [['--steps', '-3'], /--steps must be an integer in \[0, 100000000\]/],
    [['--loss', 'hinge'], /--loss must be one of bce, mse, got 'hinge'/],
    [['--backend', 'tpu'], /--backend must be one of cpu/],
    [['--bogus'], /unknown flag --bogus; known flags: --backend, --hidden/],
    [['--seed'], /--seed needs a value/],
    [['stray'], /unexpected argument 'stray'/],
  ])('refuses %j with status 2 and a message naming the flag', async (argv, message) => {
    const r = await train(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});

describe('npm run train (the built command, as a process)', () => {
  beforeAll(async () => {
    await build({ mode: 'cli', logLevel: 'silent' });
  });

  it('prints one JSON object on stdout and exits 0', () => {
    const p = spawnSync(process.execPath, ['dist/cli/train.js', '--backend', 'cpu', '--json'], { encoding: 'utf8' });
    expect(p.status).toBe(0);
    const report = JSON.parse(p.stdout) as TrainReport;
    expect(report.final.accuracy).toBe(1);
    expect(report.final.loss).toBeLessThan(0.01);
  });

  it('exits 2 on a bad value, with the message on stderr', () => {
    const p = spawnSync(process.execPath, ['dist/cli/train.js', '--lr', '0'], { encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/--lr must be a finite number in \(0, 1000\], got '0'/);
    expect(p.stdout).toBe('');
  });
});
