/**
 * `npm run sweep -- [flags]`: which networks learn XOR? Trains `--seeds`
 * networks for every (width, learning rate) cell and prints how many learned
 * (100% accuracy and loss < 0.01 after `--steps` steps). With --json, one
 * object on stdout: { adapter, cells: [{ hidden, lr, seeds, learned, fraction }], seconds }.
 * Exit status: 0 done, 1 the GPU failed or the result could not be written, 2 bad flags.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import { type AdapterSummary, describeAdapter, GpuError } from '../gpu/device.js';
import { requestNodeDevice } from '../gpu/node.js';
import { sweepAllGpu } from '../gpu/sweep-all.js';
import { DEFAULTS } from '../mlp/config.js';
import { xor } from '../mlp/data/data.js';
import { sweepCpu, type SweepCell, type SweepSpec } from '../mlp/map.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { describeWriteError, isMain, type Io, processIo } from './io.js';

export const SWEEP_FLAGS: Record<string, FlagSpec> = {
  widths: { kind: 'list', field: 'hidden', max: 64, help: 'hidden widths, 1 to 16 on the GPU (default 1,2,3,4,6,8,12,16)' },
  rates: { kind: 'list', field: 'lr', max: 64, help: 'learning rates (default 0.03,0.1,0.3,1,3)' },
  seeds: { kind: 'int', min: 1, max: 65536, help: 'networks per cell, seeds seed-base, seed-base + 1, ... (default 256)' },
  steps: { kind: 'int', min: 0, max: 1_000_000, help: `SGD steps per network (default ${DEFAULTS.steps})` },
  'seed-base': { kind: 'field', field: 'seed', help: 'first seed (default 0)' },
  loss: { kind: 'choice', choices: LOSSES, help: 'loss (default bce)' },
  activation: { kind: 'choice', choices: HIDDEN_ACTIVATIONS, help: 'hidden activation f; leaky has slope 0.01 below 0 (default relu)' },
  backend: { kind: 'choice', choices: ['gpu', 'cpu'], help: 'gpu (the whole map in one many-models dispatch, default) or cpu (the matrix form, one network at a time)' },
  json: { kind: 'bool', help: 'one JSON object on stdout; progress on stderr' },
  help: { kind: 'bool', help: 'print this help' },
};

export interface SweepReport {
  adapter: AdapterSummary | null;
  backend: 'gpu' | 'cpu';
  config: Omit<SweepSpec, 'widths' | 'rates'> & { widths: number[]; rates: number[] };
  cells: Pick<SweepCell, 'hidden' | 'lr' | 'seeds' | 'learned' | 'fraction'>[];
  seconds: number;
}

export async function runSweep(argv: readonly string[], io: Io): Promise<number> {
  let spec: SweepSpec;
  let backend: 'gpu' | 'cpu';
  let json: boolean;
  try {
    const f = parseArgs(argv, SWEEP_FLAGS);
    if (f.help) {
      io.out(usage('npm run sweep --', 'Which networks learn XOR? Train many seeds per (width, learning rate) cell.', SWEEP_FLAGS));
      return 0;
    }
    backend = (f.backend as 'gpu' | 'cpu' | undefined) ?? 'gpu';
    json = f.json === true;
    spec = {
      widths: (f.widths as number[] | undefined) ?? [1, 2, 3, 4, 6, 8, 12, 16],
      rates: (f.rates as number[] | undefined) ?? [0.03, 0.1, 0.3, 1, 3],
      seeds: (f.seeds as number | undefined) ?? 256,
      seedBase: (f['seed-base'] as number | undefined) ?? 0,
      steps: (f.steps as number | undefined) ?? DEFAULTS.steps,
      loss: (f.loss as LossKind | undefined) ?? 'bce',
      activation: (f.activation as HiddenActivation | undefined) ?? 'relu',
    };
    if (backend === 'gpu' && spec.widths.some((h) => h > 16)) throw new UsageError('--widths: the many-models kernel takes widths 1 to 16');
    if (spec.seedBase + spec.seeds - 1 > 0xffff_ffff) throw new UsageError('--seed-base plus --seeds runs past the largest seed, 4294967295');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sweep: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const data = xor();
  const t0 = performance.now();
  const progress = (done: number, total: number) => io.err(`sweep: ${done}/${total} ${backend === 'gpu' ? 'steps' : 'cells'} done\n`);
  try {
    let cells: SweepCell[];
    let adapter: AdapterSummary | null = null;
    if (backend === 'cpu') {
      cells = sweepCpu(data, spec, (_, done, total) => progress(done, total));
    } else {
      const gpu = await requestNodeDevice({ label: 'sweep.device' });
      adapter = gpu.summary;
      io.err(`sweep: on ${describeAdapter(gpu.summary)}\n`);
      try {
        // The whole map in one kernel (every width, rate and seed), in 4 awaited dispatches for progress, read back once.
        cells = await sweepAllGpu(gpu.device, data, spec, { onProgress: progress });
      } finally {
        gpu.device.destroy();
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const report: SweepReport = {
      adapter,
      backend,
      config: { ...spec, widths: [...spec.widths], rates: [...spec.rates] },
      cells: cells.map(({ hidden, lr, seeds, learned, fraction }) => ({ hidden, lr, seeds, learned, fraction })),
      seconds,
    };
    io.out(json ? `${JSON.stringify(report)}\n` : table(report));
  } catch (e) {
    const hint =
      e instanceof GpuError && e.kind === 'limit'
        ? `; this sweep trains ${spec.widths.length} --widths × ${spec.rates.length} --rates × ${spec.seeds} --seeds = ${spec.widths.length * spec.rates.length * spec.seeds} networks at once: lower --seeds or give fewer --widths or --rates`
        : '';
    io.err(`sweep: ${(e as Error).message}${hint}\n`);
    return 1;
  }
  const failed = (await io.finish?.()) ?? null;
  if (failed) {
    io.err(`sweep: ${describeWriteError(failed)}\n`);
    return 1;
  }
  return 0;
}

function table(r: SweepReport): string {
  const { widths, rates, seeds, steps, activation } = r.config;
  const head = `fraction of ${seeds} seeds that learn XOR in ${steps} steps with ${activation ?? 'relu'} (rows: hidden width, columns: learning rate)`;
  const cols = `  H  ${rates.map((lr) => String(lr).padStart(7)).join('')}`;
  const rows = widths.map((h) => `${String(h).padStart(3)}  ${rates.map((lr) => r.cells.find((c) => c.hidden === h && c.lr === lr)!.fraction.toFixed(3).padStart(7)).join('')}`);
  return `${[head, cols, ...rows, `${r.seconds.toFixed(1)} s on ${r.backend}`].join('\n')}\n`;
}

if (isMain(import.meta.url)) {
  runSweep(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
}
