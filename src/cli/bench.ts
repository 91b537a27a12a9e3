/**
 * `npm run bench -- [--quick] [--json]`: training speed, measured, never asserted.
 *
 * Every implementation of a case trains the same network on the same data with
 * the same loss (BCE) and learning rate. After a warm-up, each repeat times a
 * batch of steps that ends with the result read back (so GPU work is finished,
 * not just queued); we report the median over repeats with min and max, and the
 * ratio of every implementation to every other measured in this run.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadTf, tfManyTrainer, tfTrainer } from '../../bench/tfjs-peer.js';
import { scalingSvg } from '../../bench/plot.js';
import { FusedTrainer } from '../gpu/fused.js';
import { LargeBatchTrainer } from '../gpu/large.js';
import { ManyTrainer } from '../gpu/many.js';
import { requestNodeDevice } from '../gpu/node.js';
import { GpuTrainer } from '../gpu/trainer.js';
import type { AdapterSummary } from '../gpu/device.js';
import { type Dataset, randomDataset, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../mlp/reference.js';
import { CpuTrainer } from '../mlp/train-cpu.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { isMain, type Io, processIo } from './io.js';

export const BENCH_FLAGS: Record<string, FlagSpec> = {
  quick: { kind: 'bool', help: 'fewer repeats, smaller many-models and scaling cases (about a minute on SwiftShader)' },
  json: { kind: 'bool', help: 'print one JSON object on stdout and nothing else there' },
  plot: { kind: 'string', help: 'where to write the scaling plot (default docs/perf/scaling.svg)' },
  help: { kind: 'bool', help: 'print this help' },
};

export interface BenchResult {
  case: string;
  impl: string;
  unit: 'steps/s' | 'model-steps/s';
  median: number;
  min: number;
  max: number;
  repeats: number;
  /** GPU impls: median host time to record and submit one repeat's work, ms. */
  hostMs?: number;
}

export interface BenchRatio {
  case: string;
  impl: string;
  peer: string;
  /** impl's median over peer's median. */
  ratio: number;
}

export interface BenchReport {
  adapter: AdapterSummary;
  node: string;
  quick: boolean;
  results: BenchResult[];
  ratios: BenchRatio[];
  scaling: { impl: string; N: number; H: number; stepsPerSecond: number }[];
  /** Implementations that could not run a case, with their error (a peer's limit, say). */
  failures: { case: string; impl: string; error: string }[];
}

/** One implementation: `run(k)` does k SGD steps (for every model) and returns once they are done. */
interface Impl {
  impl: string;
  /** Models trained per step: 1, or M for the many-models case. */
  models: number;
  run(k: number): Promise<{ hostMs: number } | void> | void;
  dispose?(): void;
}

interface Budget {
  repeats: number;
  seconds: number;
}

const LR = 0.5;

function referenceImpl(data: Dataset, H: number, models = 1): Impl {
  const spec = { d: data.d, H };
  const theta = initParams(spec, 1);
  return { impl: 'cpu-reference', models, run: (k) => { for (let i = 0; i < k; i++) sgdUpdate(theta, lossAndGrads(spec, theta, data, 'bce').grads, LR); } };
}

function scalarImpl(data: Dataset, H: number): Impl {
  const t = new CpuTrainer(data, initParams({ d: data.d, H }, 1), { hidden: H, lr: LR, loss: 'bce' });
  return { impl: 'cpu-scalar', models: 1, run: (k) => void t.step(k) };
}

/** Times one implementation: units per second for each repeat, after a warm-up that also sizes k. */
async function measure(impl: Impl, { repeats, seconds }: Budget): Promise<{ rates: number[]; hostMs: number[] }> {
  let k = 1;
  for (;;) {
    const t0 = performance.now();
    await impl.run(k);
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 4 || k >= 1 << 20) {
      k = Math.max(1, Math.round((k * seconds) / Math.max(dt, 1e-6)));
      break;
    }
    k *= 2;
  }
  const rates: number[] = [];
  const hostMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const info = await impl.run(k);
    rates.push((k * impl.models) / ((performance.now() - t0) / 1000));
    if (info) hostMs.push(info.hostMs);
  }
  return { rates, hostMs };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A GPU impl whose `step` records work and `sync` reads a result back. */
function gpuImpl(impl: string, models: number, step: (k: number) => void, sync: () => Promise<unknown>, dispose: () => void): Impl {
  return {
    impl,
    models,
    async run(k) {
      const t0 = performance.now();
      step(k);
      const hostMs = performance.now() - t0;
      await sync();
      return { hostMs };
    },
    dispose,
  };
}

export async function runBench({ quick, plot }: { quick: boolean; plot: string }, io: Io): Promise<BenchReport> {
  const { device, summary, instance } = await requestNodeDevice({ label: 'bench.device' });
  const budget: Budget = quick ? { repeats: 3, seconds: 0.3 } : { repeats: 5, seconds: 1 };
  const results: BenchResult[] = [];
  const ratios: BenchRatio[] = [];
  const failures: BenchReport['failures'] = [];
  const tf = await loadTf('cpu', instance); // one module for both peers; each impl selects its backend before it runs
  const tfImpl = (name: 'tfjs-cpu' | 'tfjs-webgpu', data: Dataset, H: number): Impl => {
    let t: ReturnType<typeof tfTrainer> | undefined;
    return {
      impl: name,
      models: 1,
      async run(k) {
        await tf.setBackend(name === 'tfjs-cpu' ? 'cpu' : 'webgpu');
        t ??= tfTrainer(tf, data, initParams({ d: data.d, H }, 1), H, LR);
        await t.run(k);
      },
      dispose: () => t?.dispose(),
    };
  };
  const tfManyImpl = (name: 'tfjs-cpu' | 'tfjs-webgpu', data: Dataset, H: number, M: number): Impl => {
    let t: ReturnType<typeof tfManyTrainer> | undefined;
    return {
      impl: name,
      models: M,
      async run(k) {
        await tf.setBackend(name === 'tfjs-cpu' ? 'cpu' : 'webgpu');
        t ??= tfManyTrainer(tf, data, Array.from({ length: M }, (_, m) => initParams({ d: data.d, H }, m)), H, LR);
        await t.run(k);
      },
      dispose: () => t?.dispose(),
    };
  };
  const runCase = async (name: string, unit: BenchResult['unit'], impls: Impl[]) => {
    const here: BenchResult[] = [];
    for (const impl of impls) {
      io.err(`bench: ${name} ${impl.impl} ...\n`);
      try {
        const { rates, hostMs } = await measure(impl, budget);
        here.push({
          case: name,
          impl: impl.impl,
          unit,
          median: median(rates),
          min: Math.min(...rates),
          max: Math.max(...rates),
          repeats: rates.length,
          ...(hostMs.length ? { hostMs: median(hostMs) } : {}),
        });
      } catch (e) {
        const error = (e as Error).message.split('\n')[0]!;
        io.err(`bench: ${name} ${impl.impl} failed: ${error}\n`);
        failures.push({ case: name, impl: impl.impl, error });
      } finally {
        impl.dispose?.();
      }
    }
    results.push(...here);
    for (const a of here) for (const b of here) if (a !== b) ratios.push({ case: name, impl: a.impl, peer: b.impl, ratio: a.median / b.median });
  };

  try {
    // (a) one 2-8-1 network on the 4 XOR points
    const x4 = xor();
    const start = initParams({ d: 2, H: 8 }, 1);
    const steps = await GpuTrainer.create(device, { data: x4, params: start, hidden: 8, lr: LR, loss: 'bce', label: 'bench.steps' });
    const fused = await FusedTrainer.create(device, { data: x4, params: start, hidden: 8, lr: LR, loss: 'bce', label: 'bench.fused' });
    await runCase('xor-2-8-1', 'steps/s', [
      gpuImpl('gpu-fused', 1, (k) => fused.step(k, { stepsPerDispatch: 4096 }), () => fused.readLoss(), () => fused.destroy()),
      gpuImpl('gpu-steps', 1, (k) => steps.step(k), () => steps.readLoss(), () => steps.destroy()),
      scalarImpl(x4, 8),
      referenceImpl(x4, 8),
      tfImpl('tfjs-cpu', x4, 8),
      tfImpl('tfjs-webgpu', x4, 8),
    ]);

    // (b) many independent 2-8-1 XOR networks
    const M = quick ? 4096 : 65536;
    const many = await ManyTrainer.create(device, { data: x4, hidden: 8, loss: 'bce', lrs: new Float32Array(M).fill(LR), seedBase: 0, label: 'bench.many' });
    many.train(0);
    await runCase(`many-xor-2-8-1-x${M}`, 'model-steps/s', [
      gpuImpl('gpu-many', M, (k) => many.train(k, { stepsPerDispatch: 250 }), () => many.readResults(), () => many.destroy()),
      { ...scalarImpl(x4, 8) },
      referenceImpl(x4, 8),
      tfManyImpl('tfjs-cpu', x4, 8, M),
      tfManyImpl('tfjs-webgpu', x4, 8, M),
    ]);

    // (c) one 2-256-1 network on 65,536 points (8,192 in quick mode)
    const bigN = quick ? 8192 : 65536;
    const big = randomDataset(11, 2, bigN, { binary: true });
    const bigStart = initParams({ d: 2, H: 256 }, 1);
    const large = await LargeBatchTrainer.create(device, { data: big, params: bigStart, hidden: 256, lr: LR, loss: 'bce', label: 'bench.large' });
    const bigSteps = await GpuTrainer.create(device, { data: big, params: bigStart, hidden: 256, lr: LR, loss: 'bce', label: 'bench.bigsteps' });
    await runCase(`2-256-1-n${bigN}`, 'steps/s', [
      gpuImpl('gpu-large', 1, (k) => large.step(k), () => large.readLoss(), () => large.destroy()),
      gpuImpl('gpu-steps', 1, (k) => bigSteps.step(k), () => bigSteps.readLoss(), () => bigSteps.destroy()),
      referenceImpl(big, 256),
      tfImpl('tfjs-cpu', big, 256),
      tfImpl('tfjs-webgpu', big, 256),
    ]);

    // (d) how the cost grows with N and H
    const scaling: BenchReport['scaling'] = [];
    const Ns = quick ? [256, 4096, 16384] : [256, 4096, 65536, 262144];
    const Hs = quick ? [8, 64] : [8, 64, 256];
    for (const H of Hs) {
      for (const N of Ns) {
        io.err(`bench: scaling N=${N} H=${H} ...\n`);
        const data = randomDataset(N + H, 2, N, { binary: true });
        const t = await LargeBatchTrainer.create(device, { data, params: initParams({ d: 2, H }, 1), hidden: H, lr: LR, loss: 'bce', label: 'bench.scaling' });
        const { rates } = await measure(gpuImpl('gpu-large', 1, (k) => t.step(k), () => t.readLoss(), () => {}), { repeats: quick ? 1 : 3, seconds: quick ? 0.2 : 0.5 });
        t.destroy();
        scaling.push({ impl: 'gpu-large', N, H, stepsPerSecond: median(rates) });
      }
    }
    mkdirSync(plot.replace(/\/[^/]*$/, '') || '.', { recursive: true });
    writeFileSync(plot, scalingSvg(scaling, `gpu-large on ${summary.vendor} ${summary.architecture}`));
    io.err(`bench: wrote ${plot}\n`);
    return { adapter: summary, node: process.version, quick, results, ratios, scaling, failures };
  } finally {
    device.destroy();
  }
}

function table(r: BenchReport): string {
  const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
  const rows = r.results.map(
    (x) =>
      `${x.case.padEnd(22)} ${x.impl.padEnd(13)} ${n(x.median).padStart(14)} ${x.unit.padEnd(13)} (min ${n(x.min)}, max ${n(x.max)}, ${x.repeats} repeats${x.hostMs !== undefined ? `, host ${x.hostMs.toFixed(2)} ms/repeat` : ''})`,
  );
  const best = (c: string, impl: string) =>
    r.ratios.filter((x) => x.case === c && x.impl === impl).map((x) => `${impl} / ${x.peer} = ${x.ratio >= 10 ? Math.round(x.ratio).toLocaleString('en-US') : x.ratio.toFixed(2)}`);
  const cases = [...new Set(r.results.map((x) => x.case))];
  const ratioLines = cases.flatMap((c) => best(c, r.results.find((x) => x.case === c)!.impl).map((l) => `${c.padEnd(22)} ${l}`));
  const scaling = r.scaling.map((s) => `  N=${String(s.N).padStart(7)} H=${String(s.H).padStart(4)}  ${n(s.stepsPerSecond)} steps/s`);
  return `${[
    `adapter: ${r.adapter.vendor} ${r.adapter.architecture} (${r.adapter.description})`,
    'case                   impl                  median',
    ...rows,
    '',
    'ratios (medians, same run):',
    ...ratioLines,
    '',
    'scaling, gpu-large:',
    ...scaling,
    ...(r.failures.length ? ['', 'could not run:', ...r.failures.map((f) => `${f.case.padEnd(22)} ${f.impl}: ${f.error}`)] : []),
  ].join('\n')}\n`;
}

export async function runBenchCommand(argv: readonly string[], io: Io): Promise<number> {
  let flags;
  try {
    flags = parseArgs(argv, BENCH_FLAGS);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    io.out(usage('npm run bench --', 'Measure training speed against peers run in the same process.', BENCH_FLAGS));
    return 0;
  }
  try {
    const report = await runBench({ quick: flags.quick === true, plot: (flags.plot as string | undefined) ?? 'docs/perf/scaling.svg' }, io);
    io.out(flags.json ? `${JSON.stringify(report)}\n` : table(report));
    return 0;
  } catch (e) {
    io.err(`bench: ${(e as Error).stack ?? (e as Error).message}\n`);
    return 1;
  }
}

if (isMain(import.meta.url)) {
  runBenchCommand(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
}
