import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { build } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { BYTES_PER_NODE, cpuSizeProblem, fastCpuBytes, fastCpuSizeProblem } from '../src/cli/cpu-memory.js';
import { graphNodes } from '../src/mlp/cpu-size.js';
import type { Io } from '../src/cli/io.js';
import { makeProgress } from '../src/cli/progress.js';
import { checkLimits } from '../src/gpu/limits.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import type { Value } from '../src/engine/value.js';
import type { TrainReport } from '../src/cli/train.js';
import { train } from './support/cli.js';
import { runSweep, type SweepReport } from '../src/cli/sweep.js';
import { HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import { xor } from '../src/mlp/data/data.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { excess, TOLERANCES } from '../src/mlp/bounds/compare.js';

describe('npm run train (in-process)', () => {
  it('trains XOR on the CPU from the defaults: loss < 0.01, 100% accuracy, four predictions', async () => {
    const r = await train('--backend', 'cpu', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    expect(report.backend).toBe('cpu');
    expect(report.config).toMatchObject({ d: 2, hidden: [8], N: 4, loss: 'bce', seed: 1 });
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

  it('--backend engine trains with the scalar engine, and --backend cpu (the fast trainer) gives its run', async () => {
    const flags = ['--hidden', '4,3', '--batch', '3', '--l2', '0.01', '--activation', 'tanh', '--steps', '100'];
    const run = async (backend: string) => {
      const r = await train('--backend', backend, ...flags, '--json');
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as TrainReport;
    };
    const [engine, cpu] = [await run('engine'), await run('cpu')];
    expect([engine.backend, engine.engine]).toEqual(['engine', 'scalar autograd (src/engine), f64']);
    expect([cpu.backend, cpu.engine]).toEqual(['cpu', 'fast CPU trainer (src/mlp/train/train-fast.ts), f64']);
    expect(engine.config).toEqual(cpu.config);
    const numbers = (r: TrainReport) => [
      ...Object.values(r.final.params).flat(2),
      ...Object.values(r.final.grads.cpu).flat(2),
      r.final.loss,
      r.final.dataLoss!,
      r.final.penalty!,
      ...r.final.predictions,
    ];
    const [a, b] = [numbers(engine), numbers(cpu)];
    expect(a).toHaveLength(b.length);
    a.forEach((v, k) => expect(excess(v, b[k]!, TOLERANCES.engineVsReference), `value ${k}`).toBeLessThanOrEqual(1));
    expect(engine.final.loss).toBeLessThan(engine.initial.loss);
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
    [['--backend', 'tpu'], /--backend must be one of gpu, cpu, engine, got 'tpu'/],
    [['--backend', 'engine', '--kernel', 'steps'], /--kernel picks a GPU kernel; it does not go with --backend engine/],
    [['--backend', 'cpu', '--kernel', 'steps'], /--kernel picks a GPU kernel; it does not go with --backend cpu/],
    [
      ['--backend', 'cpu', '--activation', 'swish'],
      /--activation must be one of relu, leaky, tanh, sigmoid, got 'swish'/,
    ],
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

describe('--activation (train and sweep)', () => {
  for (const [backend, activation] of [
    ...HIDDEN_ACTIVATIONS.map((a) => ['cpu', a] as const),
    ...HIDDEN_ACTIVATIONS.map((a) => ['engine', a] as const),
  ]) {
    it(`train --backend ${backend} --activation ${activation}: in the JSON config, and the run the matrix form gives`, async () => {
      const r = await train(
        '--backend',
        backend,
        '--activation',
        activation,
        '--hidden',
        '3',
        '--seed',
        '2',
        '--steps',
        '300',
        '--json',
      );
      expect(r.code, r.err).toBe(0);
      const report = JSON.parse(r.out) as TrainReport;
      expect(report.config).toMatchObject({ activation, hidden: [3], seed: 2, steps: 300 });
      expect(report.backend).toBe(backend);
      // The CLI's run (the fast trainer, or the scalar engine) against the matrix form's, trained apart from the same start.
      const m = new MatrixTrainer(xor(), initParams({ d: 2, H: 3 }, 2), {
        hidden: 3,
        lr: 0.5,
        loss: 'bce',
        activation,
      });
      m.step(300);
      expect(report.final.loss).toBeCloseTo(m.loss(), 10);
      expect(report.final.params.b2[0]).toBeCloseTo(m.params[m.params.length - 1]!, 10);
    });
  }

  it('the text summary names the activation', async () => {
    const r = await train('--backend', 'cpu', '--steps', '10', '--activation', 'sigmoid');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2-8-1 MLP on XOR \(N=4\), bce, lr 0.5, seed 1, 10 steps, hidden activation sigmoid/);
  });

  it('the activations give different runs, and no flag means relu', async () => {
    const run = async (...flags: string[]) =>
      JSON.parse((await train('--backend', 'cpu', '--steps', '50', '--json', ...flags)).out) as TrainReport;
    const plain = await run();
    expect(plain.config.activation).toBe('relu');
    expect((await run('--activation', 'relu')).final.params).toEqual(plain.final.params);
    const losses = await Promise.all(HIDDEN_ACTIVATIONS.map(async (a) => (await run('--activation', a)).final.loss));
    expect(new Set(losses).size).toBe(4);
  });

  it("--backend gpu (the default) --activation tanh --json: trains XOR, the config says tanh, and the GPU's gradients pass the oracle's tanh bounds", async () => {
    const r = await train('--activation', 'tanh', '--steps', '400', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    expect(report.backend).toBe('gpu');
    expect(report.config.activation).toBe('tanh');
    for (const snap of [report.initial, report.final])
      expect(snap.gradientCheck?.pass, JSON.stringify(snap.gradientCheck)).toBe(true);
    // The same run on the CPU (f64): the GPU (f32) follows it.
    const cpu = JSON.parse(
      (await train('--backend', 'cpu', '--activation', 'tanh', '--steps', '400', '--json')).out,
    ) as TrainReport;
    expect(report.final.loss).toBeCloseTo(cpu.final.loss, 4);
    expect(report.final.accuracy).toBe(cpu.final.accuracy);
  });

  it("sweep --activation leaky: the config says so, and the GPU's verdicts are the CPU sweep's on a small grid", async () => {
    const sweep = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const io: Io = {
        out: (t) => (out += t),
        err: (t) => (err += t),
        errStream: new PassThrough() as unknown as NodeJS.WriteStream,
      };
      const code = await runSweep(
        [
          ...argv,
          '--activation',
          'leaky',
          '--widths',
          '2,4',
          '--rates',
          '0.5',
          '--seeds',
          '8',
          '--steps',
          '300',
          '--json',
        ],
        io,
      );
      expect(code, err).toBe(0);
      return JSON.parse(out) as SweepReport;
    };
    const [cpu, gpu] = [await sweep('--backend', 'cpu'), await sweep('--backend', 'gpu')];
    expect(cpu.config.activation).toBe('leaky');
    expect(gpu.config.activation).toBe('leaky');
    expect(gpu.cells).toHaveLength(2);
    // f32 against f64: a network at the verdict's edge (loss ≈ 0.01) may fall either way, at most one here.
    const diff = gpu.cells.reduce((n, c, i) => n + Math.abs(c.learned - cpu.cells[i]!.learned), 0);
    expect(diff, JSON.stringify({ gpu: gpu.cells, cpu: cpu.cells })).toBeLessThanOrEqual(1);
    expect(gpu.cells.map((c) => c.hidden)).toEqual([2, 4]);
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
      expect([b.W1.length, b.W1[0]!.length, b.b1.length, b.W2.length, b.W2[0]!.length, b.b2.length]).toEqual([
        8, 2, 8, 1, 8, 1,
      ]);
      const cpu = [
        ...snap.grads.cpu.W1.flat(),
        ...snap.grads.cpu.b1,
        ...snap.grads.cpu.W2.flat(),
        ...snap.grads.cpu.b2,
      ];
      // Positive, or 0 only where the gradient is exactly 0 (a unit dead on every sample: exact in f32 too).
      [...b.W1.flat(), ...b.b1, ...b.W2.flat(), ...b.b2].forEach((v, k) =>
        expect(v > 0 || (v === 0 && cpu[k] === 0), `bound[${k}] = ${v}`).toBe(true),
      );
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
    // The GPU's gradients, element by element, against the scalar engine's (f64) at exactly the parameters it read back
    const p = report.initial.params;
    const engine = new CpuTrainer(xor(), [...p.W1.flat(), ...p.b1, ...p.W2.flat(), ...p.b2], {
      hidden: 8,
      lr: 0.5,
      loss: 'bce',
    });
    const g = engine.gradients();
    const gpu = report.initial.grads.gpu!;
    const flat = [...gpu.W1.flat(), ...gpu.b1, ...gpu.W2.flat(), ...gpu.b2];
    expect(flat).toHaveLength(8 * 2 + 8 + 8 + 1);
    flat.forEach((v, k) =>
      expect(Math.abs(v - g[k]!), `element ${k}: GPU ${v}, engine ${g[k]}`).toBeLessThanOrEqual(
        1e-6 + 1e-5 * Math.abs(g[k]!),
      ),
    );
    expect(g.some((v) => Math.abs(v) > 1e-3)).toBe(true); // not all zeros on both sides
    expect(report.initial.gradientCheck?.pass).toBe(true);
  });
});

describe('npm run train (the built command, as a process)', () => {
  beforeAll(async () => {
    await build({ mode: 'cli', logLevel: 'silent' });
  });

  it.each(['cpu', 'engine', 'gpu'])('--backend %s prints one JSON object on stdout and exits 0', (backend) => {
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

describe('the built command under hostile conditions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-cli-'));
  beforeAll(async () => {
    await build({ mode: 'cli', logLevel: 'silent' });
  });

  it('a reader that closes stderr early (2>&1 >out.json | head -c 10) costs the progress, not the result or the process', () => {
    const out = join(dir, 'out.json');
    const p = spawnSync(
      'bash',
      [
        '-c',
        `"$0" dist/cli/train.js --json --steps 20000 2>&1 >"$1" | head -c 10; echo " status=\${PIPESTATUS[0]}"`,
        process.execPath,
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(p.stdout).toMatch(/^step \d+\/\d* status=0\n$/); // 0, not 139 (SIGSEGV) or 1
    const report = JSON.parse(readFileSync(out, 'utf8')) as TrainReport;
    expect(report.config.steps).toBe(20000);
    expect(report.final.accuracy).toBe(1);
  });

  it('a reader that closes stdout early (--json | head -c 10) exits 0', () => {
    const p = spawnSync(
      'bash',
      [
        '-c',
        `"$0" dist/cli/train.js --json --steps 3000 2>/dev/null | head -c 10; echo " status=\${PIPESTATUS[0]}"`,
        process.execPath,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(p.stdout).toBe('{"backend" status=0\n');
  });

  it.each(['cpu', 'gpu'])('a full disk (>/dev/full) gives one line on stderr and status 1 (%s)', (backend) => {
    const full = openSync('/dev/full', 'w');
    try {
      const p = spawnSync(process.execPath, ['dist/cli/train.js', '--backend', backend, '--steps', '20', '--json'], {
        stdio: ['ignore', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(p.status).toBe(1);
      const lines = p.stderr.split('\n').filter((l) => l !== '' && !/^step \d+\/20 /.test(l));
      expect(lines).toEqual(['train: could not write the result to stdout: no space left on device (ENOSPC)']);
    } finally {
      closeSync(full);
    }
  });

  it('--steps 100000000 shows progress within 2 s, keeps its memory flat, and stops cleanly on SIGINT', async () => {
    const child = spawn(process.execPath, ['dist/cli/train.js', '--steps', '100000000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const t0 = performance.now();
    let err = '';
    let out = '';
    let firstProgress = Infinity;
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (firstProgress === Infinity && /step \d+\/100000000/.test(err)) firstProgress = performance.now() - t0;
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const rssKiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const samples: number[] = [];
    await sleep(3000); // the device is open and training by now
    for (let i = 0; i < 20; i++) {
      samples.push(rssKiB());
      await sleep(500);
    }
    child.kill('SIGINT');
    const { code, signal } = await exited;
    expect(firstProgress, err).toBeLessThan(2000);
    // Recording every step into one command buffer grew by about 10 MiB/s; bounded chunks stay within a few MiB.
    const growth = Math.max(...samples) - samples[0]!;
    expect(growth, `RSS samples (KiB): ${samples.join(', ')}`).toBeLessThan(32 * 1024);
    expect(Math.max(...samples)).toBeLessThan(1024 * 1024);
    expect(err.match(/^step \d+\/100000000 /gm)!.length).toBeGreaterThanOrEqual(3);
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(err).toMatch(/train: interrupted at step \d+ of 100000000; nothing was written/);
    expect(out).toBe('');
  }, 60_000);

  it('--backend cpu stops at the next chunk on SIGINT, says where, and exits 130', async () => {
    const child = spawn(process.execPath, ['dist/cli/train.js', '--backend', 'cpu', '--steps', '100000000'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const progressed = new Promise<void>((resolve) =>
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
        if (/^step \d+\/100000000 /m.test(err)) resolve();
      }),
    );
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    await progressed;
    const t0 = performance.now();
    child.kill('SIGINT');
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(err).toMatch(/\ntrain: interrupted at step \d+ of 100000000; nothing was written\n$/);
    expect(out).toBe('');
  }, 30_000);
});

describe('--backend engine refuses sizes the scalar engine cannot hold; --backend cpu takes them', () => {
  it('counts the nodes of real loss graphs: the estimate is an upper bound within 5%', () => {
    for (const [N, d, H] of [
      [3, 2, 4],
      [5, 7, 3],
      [2, 16, 9],
      [1, 1, 1],
    ] as const) {
      const trainer = new CpuTrainer(randomDataset(N + d, d, N), initParams({ d, H }, 1), {
        hidden: H,
        lr: 0.1,
        loss: 'bce',
      });
      const seen = new Set<Value>();
      const stack = [trainer.lossGraph()];
      while (stack.length) {
        const v = stack.pop()!;
        if (seen.has(v)) continue;
        seen.add(v);
        if (v.in0) stack.push(v.in0);
        if (v.in1) stack.push(v.in1);
      }
      const estimate = graphNodes({ N, d, H });
      expect(estimate, `N=${N} d=${d} H=${H}`).toBeGreaterThanOrEqual(seen.size);
      expect(estimate).toBeLessThanOrEqual(seen.size + 16 * N + 0.05 * seen.size);
    }
  });

  it('refuses above the budget, accepts below it, naming the flags', () => {
    const budget = 2 ** 31;
    expect(cpuSizeProblem({ N: 4, d: 2, H: 8 }, budget)).toBeNull();
    expect(cpuSizeProblem({ N: 1_000_000, d: 2, H: 8 }, budget)).toMatch(
      /use --backend cpu \(the fast trainer\) or gpu, a smaller --hidden, or fewer rows \(or features\) in --data/,
    );
    // d = 1024, H = 4096, N = 4: 4·(4096·3075 + 16) + 4096·1026 + 1 ≈ 5.46e7 nodes, 160 bytes each
    expect(cpuSizeProblem({ N: 4, d: 1024, H: 4096 }, budget)).toMatch(/about 5\.46e7 nodes \(8\.1 GiB\)/);
    const once = graphNodes({ N: 0, d: 2, H: 8 }); // the parameters
    const edge = Math.floor((budget / BYTES_PER_NODE - once) / (graphNodes({ N: 1, d: 2, H: 8 }) - once));
    expect(cpuSizeProblem({ N: edge, d: 2, H: 8 }, budget)).toBeNull();
    expect(cpuSizeProblem({ N: edge + 1, d: 2, H: 8 }, budget)).not.toBeNull();
  });

  it('--backend engine exits 2 at once for 10⁶ rows, and for d = 1024 with --hidden 4096', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-cpu-'));
    const tall = join(dir, 'tall.csv');
    writeFileSync(tall, '0,1\n1,0\n'.repeat(500_000));
    const wide = join(dir, 'wide.csv');
    writeFileSync(wide, `${Array(1024).fill('0.5').join(',')},1\n`.repeat(4));
    for (const argv of [
      ['--data', tall],
      ['--data', wide, '--hidden', '4096'],
    ]) {
      const t0 = performance.now();
      const r = await train('--backend', 'engine', ...argv);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(
        /^train: --backend engine: the scalar engine would build a graph of about .* use --backend cpu \(the fast trainer\) or gpu/,
      );
      expect(performance.now() - t0).toBeLessThan(15_000);
    }
  }, 30_000);
  it('--backend cpu trains the 10⁶ rows the engine refuses (the fast trainer holds no graph)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-cpu-'));
    const tall = join(dir, 'tall.csv');
    writeFileSync(tall, '0,1\n1,0\n'.repeat(500_000));
    const r = await train('--backend', 'cpu', '--data', tall, '--steps', '2');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/1-8-1 MLP on .*tall\.csv \(N=1000000\)/);
    expect(r.out).toMatch(/^backend: cpu \(fast CPU trainer/m);
    expect(r.out).toMatch(/2 steps in /);
  }, 60_000);

  it('the fast trainer refuses only what its parameters cannot fit: θ, gradient, update and the report', () => {
    const budget = 2 ** 31;
    /** P = Σ_l (H_{l−1} + 1)·H_l, counted here apart from the model's layout. */
    const params = (d: number, hidden: number[]) =>
      [d, ...hidden, 1].slice(1).reduce((sum, h, l, w) => sum + ((l === 0 ? d : w[l - 1]!) + 1) * h, 0);
    expect(fastCpuSizeProblem({ N: 1_000_000, d: 2, hidden: [8] }, budget)).toBeNull();
    expect(fastCpuSizeProblem({ N: 4, d: 1024, hidden: [4096] }, budget)).toBeNull();
    expect(fastCpuSizeProblem({ N: 4, d: 2, hidden: [4096, 4096] }, budget)).toBeNull();
    const six = Array(6).fill(4096) as number[];
    const problem = fastCpuSizeProblem({ N: 4, d: 2, hidden: six }, budget);
    expect(problem).toMatch(
      new RegExp(
        `^the fast trainer would hold about [\\d.]+ GiB for the ${params(2, six).toLocaleString('en-US')} parameters of d=2, hidden=4096,4096,4096,4096,4096,4096 `,
      ),
    );
    expect(problem).toMatch(
      /more than its 2\.0 GiB budget; use a smaller --hidden, fewer layers, or fewer features in --data$/,
    );
    // at least θ, its gradient, θ′ and the report's four copies, 8 bytes each; the edge exactly at the budget
    for (const [d, hidden] of [
      [2, [8]],
      [7, [30, 5]],
      [1024, [4096]],
    ] as const) {
      const bytes = fastCpuBytes({ N: 10, d, hidden: [...hidden] });
      expect(bytes).toBeGreaterThanOrEqual(8 * 7 * params(d, [...hidden]));
      expect(fastCpuSizeProblem({ N: 10, d, hidden: [...hidden] }, bytes)).toBeNull();
      expect(fastCpuSizeProblem({ N: 10, d, hidden: [...hidden] }, bytes - 1)).not.toBeNull();
    }
  });

  it('--backend cpu exits 2 at once for six layers of 4096, naming the fast trainer', async () => {
    const t0 = performance.now();
    const r = await train('--backend', 'cpu', '--hidden', '4096,4096,4096,4096,4096,4096');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^train: --backend cpu: the fast trainer would hold about .* GiB for the 83,/);
    expect(r.out).toBe('');
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});

describe('limit messages name what applies', () => {
  const limits = (bytes: number, groups = 65535) =>
    ({
      maxStorageBufferBindingSize: bytes,
      maxBufferSize: bytes,
      maxComputeWorkgroupSizeX: 256,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupsPerDimension: groups,
    }) as GPUSupportedLimits;
  it('the cache (N·H) or the inputs (N·d), and N or the parameter count', () => {
    const run = (spec: { d: number; H: number; N: number }, lim: GPUSupportedLimits) => () =>
      checkLimits(lim, spec, {
        cacheFloats: 4 * spec.N * spec.H + 4 * spec.N,
        workgroupSize: 64,
        invocations: Math.max(spec.N, spec.H * spec.d + 2 * spec.H + 1),
      });
    expect(run({ d: 2, H: 1000, N: 1000 }, limits(2 ** 20))).toThrow(
      /the per-sample cache.*lower the batch size N or the width H$/,
    );
    expect(run({ d: 1000, H: 1, N: 1000 }, limits(2 ** 20))).toThrow(
      /the inputs x, N·d floats.*lower the batch size N or the features d$/,
    );
    expect(run({ d: 1, H: 1, N: 100_000 }, limits(2 ** 30, 1000))).toThrow(/; lower N$/);
    expect(run({ d: 1000, H: 100, N: 10 }, limits(2 ** 30, 1000))).toThrow(
      /; lower H or d \(one invocation per parameter\)$/,
    );
  });
});

describe('progress', () => {
  it('prints at the first update, at each tenth, and by the clock for long runs', () => {
    let t = 0;
    const lines: string[] = [];
    const p = makeProgress(1_000_000, { write: (s: string) => lines.push(s) }, () => t);
    p.update(16, 0.5); // first update: at once
    t = 500;
    p.update(1000, 0.4); // neither a tenth nor a second since the last line
    t = 1100;
    p.update(2000, 0.3); // 1.1 s since the last line
    t = 2000;
    p.update(3000, 0.3); // the gap has doubled to 2 s: nothing
    t = 3200;
    p.update(100_000, 0.2); // a tenth
    expect(lines).toEqual([
      'step 16/1000000  loss 5.0000e-1\n',
      'step 2000/1000000  loss 3.0000e-1  1,818 steps/s, ~9.1 min left\n',
      'step 100000/1000000  loss 2.0000e-1  31,250 steps/s, ~29 s left\n',
    ]);
  });

  it('estimates the time left from the recent rate, not the average since the start', () => {
    // A run as trainCpu feeds it, on a fake clock: small fast chunks for 1 s (100,000 steps/s), then 1,000 steps/s.
    let t = 0;
    const draws: string[] = [];
    const p = makeProgress(200_000, { write: (s: string) => draws.push(s), isTTY: true }, () => t);
    let step = 0;
    for (; t < 1000; t += 50) p.update((step += 5000), 0.5);
    for (; t < 31_000; t += 250) p.update((step += 250), 0.5);
    expect(step).toBe(130_000);
    // 70,000 steps left at 1,000 steps/s: 70 s (the average since the start, 130,000 / 31 s, would promise 17 s)
    expect(draws.at(-1)).toMatch(/ step 130000\/200000 {2}loss 5\.0000e-1 {2}1,000 steps\/s, ~70 s left\x1b\[K$/);
    // and plain lines say the same
    t = 0;
    const lines: string[] = [];
    const q = makeProgress(200_000, { write: (s: string) => lines.push(s) }, () => t);
    step = 0;
    for (; t < 1000; t += 50) q.update((step += 5000), 0.5);
    for (; t < 31_000; t += 250) q.update((step += 250), 0.5);
    expect(lines.at(-1)).toMatch(/^step 1\d{5}\/200000 {2}loss 5\.0000e-1 {2}1,000 steps\/s, ~\d+ s left\n$/);
    const [, at, left] = /^step (\d+)\/200000 .* ~(\d+) s left/.exec(lines.at(-1)!)!;
    expect(Number(left)).toBe(Math.ceil((200_000 - Number(at)) / 1000));
  });
});
