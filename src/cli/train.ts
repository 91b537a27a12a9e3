/**
 * `npm run train -- [flags]`: trains the 2-layer MLP on XOR (or the user's
 * points) on the GPU through WebGPU, or on the CPU with the scalar engine, and
 * prints the final loss, accuracy and predictions; on the GPU also the adapter
 * and GPU-vs-CPU gradient tables at the first and last step. With --json, one
 * JSON object on stdout and nothing else there.
 * Exit status: 0 trained, 1 training, the GPU or writing the result failed,
 * 2 bad flags or data (or a size the CPU backend cannot hold), 130 interrupted.
 * A closed pipe on stdout or stderr is not an error: the rest is still written.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import { checkConfig, DEFAULTS, type TrainConfig } from '../mlp/config.js';
import { type Dataset, xor } from '../mlp/data/data.js';
import { detectFormat, parseDataset } from '../mlp/data/data-file.js';
import { initParams } from '../mlp/init.js';
import { toNested } from '../mlp/spec.js';
import { CpuTrainer } from '../mlp/train/train-cpu.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { KernelRefusedError } from '../gpu/chooser.js';
import { KERNEL_NAMES } from '../gpu/contract.js';
import { GpuError } from '../gpu/device.js';
import { InterruptedError, makeChunker } from './chunks.js';
import { cpuSizeProblem } from './cpu-memory.js';
import { describeWriteError, isMain, type Io, processIo, readTextFile } from './io.js';
import { makeProgress } from './progress.js';
import { checkReportFinite, describeReport, reportJson, type Snapshot, type TrainReport } from './report.js';
import { trainGpu } from './train-gpu.js';

export const BACKENDS = ['gpu', 'cpu'] as const;
export type Backend = (typeof BACKENDS)[number];
export type { TrainReport };

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  backend: {
    kind: 'choice',
    choices: BACKENDS,
    help: 'gpu (WebGPU kernels, the default) or cpu (the scalar autograd engine)',
  },
  hidden: { kind: 'field', field: 'hidden', help: `hidden width H (default ${DEFAULTS.hidden})` },
  lr: { kind: 'field', field: 'lr', help: `SGD learning rate (default ${DEFAULTS.lr})` },
  steps: { kind: 'field', field: 'steps', help: `full-batch SGD steps (default ${DEFAULTS.steps})` },
  seed: { kind: 'field', field: 'seed', help: `seed of the initial parameters (default ${DEFAULTS.seed})` },
  loss: {
    kind: 'choice',
    choices: LOSSES,
    help: `loss: bce from the logit, or mse on σ(z2) (default ${DEFAULTS.loss})`,
  },
  activation: {
    kind: 'choice',
    choices: HIDDEN_ACTIVATIONS,
    help: `hidden activation f; leaky has slope 0.01 below 0 (default ${DEFAULTS.activation})`,
  },
  kernel: {
    kind: 'choice',
    choices: KERNEL_NAMES,
    help: 'force a GPU kernel (default: the fastest that fits, see README)',
  },
  data: {
    kind: 'string',
    help: 'train on your points: CSV with columns x1..xd,y or JSON {"x": [[...]], "y": [...]} (default: XOR)',
  },
  json: { kind: 'bool', help: 'print one JSON object on stdout; progress still goes to stderr' },
  help: { kind: 'bool', help: 'print this help' },
};

interface Job {
  config: TrainConfig;
  backend: Backend;
  /** --kernel: a GPU kernel to force instead of the chooser's pick. */
  kernel?: string;
  data: Dataset;
  dataName: string;
  json: boolean;
}

/** Runs the command; returns the exit status. */
export async function runTrain(argv: readonly string[], io: Io): Promise<number> {
  let job: Job;
  try {
    const flags = parseArgs(argv, TRAIN_FLAGS);
    if (flags.help) {
      io.out(usage('npm run train --', 'Train the 2-layer MLP on XOR or your own points.', TRAIN_FLAGS));
      return 0;
    }
    job = {
      config: checkConfig({
        hidden: (flags.hidden as number | undefined) ?? DEFAULTS.hidden,
        lr: (flags.lr as number | undefined) ?? DEFAULTS.lr,
        steps: (flags.steps as number | undefined) ?? DEFAULTS.steps,
        seed: (flags.seed as number | undefined) ?? DEFAULTS.seed,
        loss: (flags.loss as LossKind | undefined) ?? DEFAULTS.loss,
        activation: (flags.activation as HiddenActivation | undefined) ?? DEFAULTS.activation,
      }),
      backend: (flags.backend as Backend | undefined) ?? 'gpu',
      ...(flags.kernel === undefined ? {} : { kernel: flags.kernel as string }),
      ...loadData(flags.data as string | undefined, (flags.backend ?? 'gpu') === 'gpu'),
      json: flags.json === true,
    };
    if (job.backend === 'cpu' && job.kernel !== undefined)
      throw new UsageError('--kernel picks a GPU kernel; it does not go with --backend cpu');
    if (job.backend === 'cpu') {
      const problem = cpuSizeProblem({ N: job.data.N, d: job.data.d, H: job.config.hidden });
      if (problem) throw new UsageError(`--backend cpu: ${problem}`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof RangeError) {
      io.err(`train: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let report: TrainReport;
  try {
    report =
      job.backend === 'cpu'
        ? await trainCpu(job.data, job.config, job.dataName, io)
        : await trainGpu(job.data, job.config, job.dataName, io, job.kernel);
    checkReportFinite(report); // a non-finite result is an error (exit 1), never printed
  } catch (e) {
    if (e instanceof InterruptedError) {
      io.err(`train: ${e.message}\n`);
      return 130;
    }
    if (e instanceof KernelRefusedError) {
      io.err(`train: --${e.message}\n`);
      return 2;
    }
    io.err(`train: ${(e as Error).message}${e instanceof GpuError && e.kind === 'limit' ? LIMIT_HINT : ''}\n`);
    return 1;
  }
  // The device is destroyed by now; a closed pipe or a full disk only costs the output.
  io.out(job.json ? reportJson(report) : describeReport(report, job.data));
  const failed = (await io.finish?.()) ?? null;
  if (failed) {
    io.err(`train: ${describeWriteError(failed)}\n`);
    return 1;
  }
  return 0;
}

/** What the sizes in the GPU's limit messages are, in this command's flags. */
const LIMIT_HINT = ' (here N is the number of rows in --data, d its number of features, and H is --hidden)';

/** The dataset from --data (XOR without it); for the GPU, values beyond f32's range are refused here, with their place. */
function loadData(path: string | undefined, f32: boolean): { data: Dataset; dataName: string } {
  if (path === undefined) return { data: xor(), dataName: 'XOR' };
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    throw new UsageError(`--data: cannot read '${path}': ${(e as Error).message}`);
  }
  try {
    return { data: parseDataset(text, detectFormat(path, text), { f32 }), dataName: path };
  } catch (e) {
    throw new UsageError(`--data ${path}: ${(e as Error).message.replace(/^data: /, '')}`);
  }
}

/** Trains with the scalar engine, in chunks of about a quarter second, with progress (and a chance to be interrupted) after each. */
export async function trainCpu(data: Dataset, config: TrainConfig, dataName: string, io: Io): Promise<TrainReport> {
  const spec = { d: data.d, H: config.hidden };
  const trainer = new CpuTrainer(data, initParams(spec, config.seed), config); // config.activation picks f
  const snapshot = (loss: number): Snapshot => ({
    params: toNested(spec, trainer.parameters()),
    grads: { cpu: toNested(spec, trainer.gradients()) },
    loss,
  });
  const initial = snapshot(trainer.evaluate().loss);
  const progress = makeProgress(config.steps, io.errStream);
  const chunks = makeChunker({ max: 1 << 20 });
  const start = performance.now();
  while (trainer.stepCount < config.steps) {
    if (io.signal?.aborted) throw new InterruptedError(trainer.stepCount, config.steps);
    const t0 = performance.now();
    const loss = trainer.step(chunks.next(config.steps - trainer.stepCount));
    chunks.took(performance.now() - t0);
    progress.update(trainer.stepCount, loss);
    await new Promise((resolve) => setImmediate(resolve)); // lets a SIGINT land between chunks
  }
  const seconds = (performance.now() - start) / 1000;
  progress.done();
  const { loss, accuracy, predictions } = trainer.evaluate();
  return {
    backend: 'cpu',
    engine: 'scalar autograd (src/engine), f64',
    config: { ...config, d: data.d, N: data.N, data: dataName },
    initial,
    final: { ...snapshot(loss), accuracy, predictions },
    seconds,
    stepsPerSecond: seconds > 0 ? config.steps / seconds : 0,
  };
}

if (isMain(import.meta.url)) {
  const io = processIo({ trapSignals: true });
  runTrain(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      io.err(`train: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
