/**
 * `npm run sweep -- [flags]`: which networks learn XOR? Trains `--seeds`
 * networks for every (width, learning rate) cell and prints how many learned
 * (100% accuracy and loss < 0.01 after `--steps` steps). With --json, one
 * object on stdout: { adapter, cells: [{ hidden, lr, seeds, learned, fraction }], seconds }.
 * Exit status: 0 done, 1 the GPU failed or the result could not be written, 2 bad flags, 130 interrupted
 * (SIGINT or SIGTERM: it stops at the next chunk of steps, says which cells finished, and writes nothing).
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import { type AdapterSummary, describeAdapter, GpuError } from '../gpu/device.js';
import { requestNodeDevice } from '../gpu/node.js';
import { sweepAllGpu } from '../gpu/sweep-all.js';
import { accuracy } from '../mlp/accuracy.js';
import { DEFAULTS } from '../mlp/config.js';
import { type Dataset, xor } from '../mlp/data/data.js';
import { TrainingDivergedError } from '../mlp/divergence.js';
import { initParams } from '../mlp/init.js';
import { forward, lossValue } from '../mlp/reference.js';
import { learned, makeCell, type SweepCell, type SweepSpec } from '../mlp/map.js';
import { FastTrainer } from '../mlp/train/train-fast.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { makeChunker } from './chunks.js';
import { describeWriteError, isMain, type Io, processIo } from './io.js';

export const SWEEP_FLAGS: Record<string, FlagSpec> = {
  widths: {
    kind: 'list',
    field: 'hidden',
    max: 64,
    help: 'hidden widths, 1 to 16 on the GPU (default 1,2,3,4,6,8,12,16)',
  },
  rates: { kind: 'list', field: 'lr', max: 64, help: 'learning rates (default 0.03,0.1,0.3,1,3)' },
  seeds: {
    kind: 'int',
    min: 1,
    max: 65536,
    help: 'networks per cell, seeds seed-base, seed-base + 1, ... (default 256)',
  },
  steps: { kind: 'int', min: 0, max: 1_000_000, help: `SGD steps per network (default ${DEFAULTS.steps})` },
  'seed-base': { kind: 'field', field: 'seed', help: 'first seed (default 0)' },
  loss: { kind: 'choice', choices: LOSSES, help: 'loss (default bce)' },
  activation: {
    kind: 'choice',
    choices: HIDDEN_ACTIVATIONS,
    help: 'hidden activation f; leaky has slope 0.01 below 0 (default relu)',
  },
  backend: {
    kind: 'choice',
    choices: ['gpu', 'cpu'],
    help: 'gpu (the whole map in one many-models dispatch, default) or cpu (the fast CPU trainer, one network at a time)',
  },
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

/**
 * The network settings of `npm run train` that the map does not vary: it trains one hidden layer of each width, σ
 * output, the full batch and no penalty, so each is refused by name rather than as an unknown flag.
 */
const TRAIN_ONLY: Readonly<Record<string, string>> = {
  hidden: 'its widths are --widths, one hidden layer each',
  output: 'it classifies (σ output: the fraction that learns XOR)',
  batch: 'it trains on the full batch',
  l1: 'it trains without a penalty',
  l2: 'it trains without a penalty',
};

function refuseTrainOnly(argv: readonly string[]): void {
  for (const arg of argv) {
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name && Object.hasOwn(TRAIN_ONLY, name)) {
      throw new UsageError(
        `--${name} is not a sweep flag: the map trains one hidden layer per network, σ output, the full batch and no ` +
          `penalty (${TRAIN_ONLY[name]}); npm run train takes --${name}`,
      );
    }
  }
}

export async function runSweep(argv: readonly string[], io: Io): Promise<number> {
  let spec: SweepSpec;
  let backend: 'gpu' | 'cpu';
  let json: boolean;
  try {
    refuseTrainOnly(argv);
    const f = parseArgs(argv, SWEEP_FLAGS);
    if (f.help) {
      io.out(
        usage(
          'npm run sweep --',
          'Which networks learn XOR? Train many seeds per (width, learning rate) cell.',
          SWEEP_FLAGS,
        ),
      );
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
    if (backend === 'gpu' && spec.widths.some((h) => h > 16))
      throw new UsageError('--widths: the many-models kernel takes widths 1 to 16');
    if (spec.seedBase + spec.seeds - 1 > 0xffff_ffff)
      throw new UsageError('--seed-base plus --seeds runs past the largest seed, 4294967295');
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`sweep: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const data = xor();
  const t0 = performance.now();
  const stopped = () => io.signal?.aborted === true;
  try {
    let cells: SweepCell[];
    let adapter: AdapterSummary | null = null;
    if (backend === 'cpu') {
      const progress = (done: number, total: number) => io.err(`sweep: ${done}/${total} cells done\n`);
      cells = await sweepCpuChunked(data, spec, stopped, progress);
      if (stopped()) return interrupted(io, `with ${describeDone(cells, spec)}`);
    } else {
      const gpu = await requestNodeDevice({ label: 'sweep.device' });
      adapter = gpu.summary;
      io.err(`sweep: on ${describeAdapter(gpu.summary)}\n`);
      let stepsDone = 0;
      const progress = stepProgress(io);
      try {
        // The whole map in one kernel (every width, rate and seed), read back once; in awaited dispatches of at most
        // 250 steps (as the page's map), so progress shows and an interrupt stops it between them.
        cells = await sweepAllGpu(gpu.device, data, spec, {
          parts: Math.ceil(spec.steps / 250),
          onProgress: (done, total) => progress((stepsDone = done), total),
          stop: stopped,
        });
      } finally {
        gpu.device.destroy(); // before any message or exit: Dawn crashes if the process ends with work in flight
      }
      if (stopped()) {
        const all = spec.widths.length * spec.rates.length;
        const where = `at step ${stepsDone} of ${spec.steps}, with none of the ${all} cells done`;
        return interrupted(io, `${where} (the GPU trains them all at once)`);
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

/** Exit 130 with one line: where it stopped, and that nothing was written. */
function interrupted(io: Io, where: string): number {
  io.err(`sweep: interrupted ${where}; nothing was written\n`);
  return 130;
}

/** "7 of 40 cells done (H=1 at every rate; H=2 at lr 0.03, 0.1)". */
function describeDone(cells: readonly SweepCell[], spec: SweepSpec): string {
  const all = spec.widths.length * spec.rates.length;
  if (cells.length === 0) return `none of the ${all} cells done`;
  const byWidth = new Map<number, number[]>();
  for (const c of cells) byWidth.set(c.hidden, [...(byWidth.get(c.hidden) ?? []), c.lr]);
  const parts = [...byWidth].map(([h, lrs]) =>
    lrs.length === spec.rates.length ? `H=${h} at every rate` : `H=${h} at lr ${lrs.join(', ')}`,
  );
  return `${cells.length} of ${all} cells done (${parts.join('; ')})`;
}

/** Progress lines for the GPU's steps: at the first update, at each tenth, at the end, and every 10 s between. */
function stepProgress(io: Io): (done: number, total: number) => void {
  let nextTenth = 0;
  let last = -Infinity;
  return (done, total) => {
    const t = performance.now();
    if (done < nextTenth && done < total && t - last < 10_000) return;
    io.err(`sweep: ${done}/${total} steps done\n`);
    nextTenth = (Math.floor((10 * done) / total) + 1) * (total / 10);
    last = t;
  };
}

/**
 * The CPU sweep: sweepCpu's networks and verdicts (src/mlp/map.ts: the fast trainer, f64, a diverged network did
 * not learn), each network trained in chunks of steps with the event loop let in between, so an interrupt stops
 * it within a chunk. Returns the cells finished, fewer than all once `stop()` is true.
 */
async function sweepCpuChunked(
  data: Dataset,
  spec: SweepSpec,
  stop: () => boolean,
  onCell: (done: number, total: number) => void,
): Promise<SweepCell[]> {
  const cells: SweepCell[] = [];
  const total = spec.widths.length * spec.rates.length;
  const activation = spec.activation ?? 'relu';
  const chunks = makeChunker({ first: 64, max: 1 << 20, targetMs: 50 });
  for (const hidden of spec.widths) {
    for (const lr of spec.rates) {
      const verdicts: boolean[] = [];
      for (let s = 0; s < spec.seeds; s++) {
        const net = { d: data.d, H: hidden, activation };
        const options = { hidden, lr, loss: spec.loss, activation };
        const trainer = new FastTrainer(data, initParams(net, spec.seedBase + s), options);
        let diverged = false;
        while (trainer.stepCount < spec.steps && !diverged) {
          await new Promise((resolve) => setImmediate(resolve)); // lets a SIGINT land
          if (stop()) return cells;
          const t = performance.now();
          try {
            trainer.step(chunks.next(spec.steps - trainer.stepCount));
          } catch (e) {
            if (!(e instanceof TrainingDivergedError)) throw e;
            diverged = true;
          }
          chunks.took(performance.now() - t);
        }
        const cache = forward(net, trainer.params, data);
        verdicts.push(!diverged && learned(lossValue(spec.loss, cache, data.y), accuracy(cache.yHat, data.y)));
      }
      cells.push(makeCell(hidden, lr, spec.seedBase, verdicts));
      onCell(cells.length, total);
    }
  }
  return cells;
}

function table(r: SweepReport): string {
  const { widths, rates, seeds, steps, activation } = r.config;
  const head = `fraction of ${seeds} seeds that learn XOR in ${steps} steps with ${activation ?? 'relu'} (rows: hidden width, columns: learning rate)`;
  const cols = `  H  ${rates.map((lr) => String(lr).padStart(7)).join('')}`;
  const rows = widths.map(
    (h) =>
      `${String(h).padStart(3)}  ${rates
        .map((lr) =>
          r.cells
            .find((c) => c.hidden === h && c.lr === lr)!
            .fraction.toFixed(3)
            .padStart(7),
        )
        .join('')}`,
  );
  return `${[head, cols, ...rows, `${r.seconds.toFixed(1)} s on ${r.backend}`].join('\n')}\n`;
}

if (isMain(import.meta.url)) {
  const io = processIo({ trapSignals: true });
  runSweep(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      io.err(`sweep: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
