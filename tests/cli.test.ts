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
    const r = await train('--backend', 'cpu', '--steps', '2000', '--loss', 'mse', '--lr', '2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2-8-1 MLP on XOR \(N=4\), mse, lr 2, seed 1, 2000 steps/);
    expect(r.out).toMatch(/accuracy\s+100% \(4\/4\)/);
    expect(r.out.split('\n').filter((l) => /^\s+[01]\s+[01]\s+[01]\s+0\.\d{4}$/.test(l))).toHaveLength(4);
  });

  it('--steps 0 reports the initial state alone', async () => {
    const report = JSON.parse((await train('--backend', 'cpu', '--steps', '0', '--json')).out) as TrainReport;
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
    [['--backend', 'tpu'], /--backend must be one of gpu, cpu, got 'tpu'/],
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

describe('npm run train --backend gpu (in-process, Dawn)', () => {
  it('trains XOR on the GPU by default and checks its gradients against the CPU at the first and last step', async () => {
    const r = await train('--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    expect(report.backend).toBe('gpu');
    expect(['hardware', 'swiftshader']).toContain(report.adapter?.source);
    expect(typeof report.adapter?.vendor).toBe('string');
    expect(report.final.loss).toBeLessThan(0.01);
    expect(report.final.accuracy).toBe(1);
    for (const snap of [report.initial, report.final]) {
      expect(snap.gradientCheck?.pass).toBe(true);
      expect(snap.gradientCheck?.tensors.map((t) => t.tensor)).toEqual(['W1', 'b1', 'W2', 'b2']);
      expect(snap.grads.gpu?.W1).toHaveLength(8);
      expect(snap.grads.gpu?.W1[0]).toHaveLength(2);
      expect(snap.grads.cpu.W2[0]).toHaveLength(8);
      // Each gradient's own bound, in the math's shapes; the check used at most all of it.
      const b = snap.gradientCheck!.bounds;
      expect([b.W1.length, b.W1[0]!.length, b.b1.length, b.W2.length, b.W2[0]!.length, b.b2.length]).toEqual([8, 2, 8, 1, 8, 1]);
      const cpu = [...snap.grads.cpu.W1.flat(), ...snap.grads.cpu.b1, ...snap.grads.cpu.W2.flat(), ...snap.grads.cpu.b2];
      // Positive, or 0 only where the gradient is exactly 0 (a unit dead on every sample: exact in f32 too).
      [...b.W1.flat(), ...b.b1, ...b.W2.flat(), ...b.b2].forEach((v, k) => expect(v > 0 || (v === 0 && cpu[k] === 0), `bound[${k}] = ${v}`).toBe(true));
      expect(snap.gradientCheck!.maxFraction).toBeLessThanOrEqual(1);
      expect(snap.gradientCheck!.tolerance.why).toMatch(/γ_k/);
    }
  });

  it('prints the adapter and both gradient tables in text mode', async () => {
    const r = await train('--steps', '100');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^adapter: /m);
    expect(r.out).toMatch(/GPU vs CPU gradients at step 0:/);
    expect(r.out).toMatch(/GPU vs CPU gradients at step 100:/);
    expect(r.out.match(/^\s+(W1|b1|W2|b2)\s+\S+\s+\S+\s+\S+\s+pass$/gm)).toHaveLength(8);
  });

  it('--steps 0 gives the initial gradients alone, GPU beside CPU', async () => {
    const report = JSON.parse((await train('--steps', '0', '--json')).out) as TrainReport;
    expect(report.final.params).toEqual(report.initial.params);
    expect(report.initial.grads.gpu).toBeDefined();
    expect(report.initial.gradientCheck?.pass).toBe(true);
  });
});

describe('npm run train (the built command, as a process)', () => {
  beforeAll(async () => {
    await build({ mode: 'cli', logLevel: 'silent' });
  });

  it.each(['cpu', 'gpu'])('--backend %s prints one JSON object on stdout and exits 0', (backend) => {
    const p = spawnSync(process.execPath, ['dist/cli/train.js', '--backend', backend, '--json'], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const report = JSON.parse(p.stdout) as TrainReport;
    expect(report.backend).toBe(backend);
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
