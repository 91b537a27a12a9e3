/**
 * `npm run bench -- [--quick] [--json]`: training speed, measured, never asserted.
 *
 * Each implementation trains the same network on the same data with the same
 * loss and learning rate. After a warm-up, each repeat times a batch of steps
 * long enough to dwarf the timer; we report the median over repeats (and min,
 * max), and the ratio of every implementation to every peer measured in this run.
 */
import type { LossKind } from '../engine/losses.js';
import { type Dataset, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../mlp/reference.js';
import { CpuTrainer } from '../mlp/train-cpu.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { isMain, type Io, processIo } from './io.js';

export const BENCH_FLAGS: Record<string, FlagSpec> = {
  quick: { kind: 'bool', help: 'fewer and shorter repeats (well under a minute)' },
  json: { kind: 'bool', help: 'print one JSON object on stdout and nothing else there' },
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
}

export interface BenchRatio {
  case: string;
  impl: string;
  peer: string;
  /** impl's median over peer's median. */
  ratio: number;
}

export interface BenchReport {
  adapter: null;
  node: string;
  results: BenchResult[];
  ratios: BenchRatio[];
}

/** Something that trains: `run(k)` does k full SGD steps. */
interface Impl {
  impl: string;
  run(k: number): void;
}

interface Case {
  name: string;
  impls: Impl[];
}

const LR = 0.5;
const LOSS: LossKind = 'bce';

/** Case (a): one 2-8-1 network on the 4 XOR points, full-batch SGD. */
function xorCase(): Case {
  const data: Dataset = xor();
  const spec = { d: 2, H: 8 };
  const start = initParams(spec, 1);
  const scalar = new CpuTrainer(data, start, { hidden: 8, lr: LR, loss: LOSS });
  const theta = Float64Array.from(start);
  return {
    name: 'xor-2-8-1',
    impls: [
      { impl: 'cpu-scalar', run: (k) => void scalar.step(k) },
      {
        impl: 'cpu-reference',
        run: (k) => {
          for (let i = 0; i < k; i++) sgdUpdate(theta, lossAndGrads(spec, theta, data, LOSS).grads, LR);
        },
      },
    ],
  };
}

/** Times one implementation: steps per second for each repeat. */
function measure(impl: Impl, { repeats, seconds }: { repeats: number; seconds: number }): number[] {
  // Warm-up, and a step count per repeat that takes about `seconds`.
  let k = 16;
  for (;;) {
    const t0 = performance.now();
    impl.run(k);
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 4) {
      k = Math.max(1, Math.round((k * seconds) / dt));
      break;
    }
    k *= 2;
  }
  return Array.from({ length: repeats }, () => {
    const t0 = performance.now();
    impl.run(k);
    return k / ((performance.now() - t0) / 1000);
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function runBench({ quick }: { quick: boolean }, io: Io): BenchReport {
  const budget = quick ? { repeats: 5, seconds: 0.2 } : { repeats: 11, seconds: 0.5 };
  const results: BenchResult[] = [];
  const ratios: BenchRatio[] = [];
  for (const c of [xorCase()]) {
    const here: BenchResult[] = c.impls.map((impl) => {
      io.err(`bench: ${c.name} ${impl.impl} ...\n`);
      const rates = measure(impl, budget);
      return {
        case: c.name,
        impl: impl.impl,
        unit: 'steps/s',
        median: median(rates),
        min: Math.min(...rates),
        max: Math.max(...rates),
        repeats: rates.length,
      };
    });
    results.push(...here);
    for (const a of here) {
      for (const b of here) {
        if (a !== b) ratios.push({ case: c.name, impl: a.impl, peer: b.impl, ratio: a.median / b.median });
      }
    }
  }
  return { adapter: null, node: process.version, results, ratios };
}

function table(r: BenchReport): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows = r.results.map(
    (x) => `${x.case.padEnd(12)} ${x.impl.padEnd(16)} ${n(x.median).padStart(12)} ${x.unit}  (min ${n(x.min)}, max ${n(x.max)}, ${x.repeats} repeats)`,
  );
  const ratios = r.ratios.map((x) => `${x.case.padEnd(12)} ${x.impl} / ${x.peer} = ${x.ratio.toFixed(2)}`);
  return `${['case         impl                   median', ...rows, '', 'ratios (medians, same run):', ...ratios].join('\n')}\n`;
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
  const report = runBench({ quick: flags.quick === true }, io);
  io.out(flags.json ? `${JSON.stringify(report)}\n` : table(report));
  return 0;
}

if (isMain(import.meta.url)) {
  runBenchCommand(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
}
