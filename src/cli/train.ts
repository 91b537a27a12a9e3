/**
 * `npm run train -- [flags]`: trains an MLP (the 2-8-1 network by default; 1 to 6
 * hidden layers with --hidden, regression with --output identity, mini-batches
 * with --batch, an L1/L2 penalty with --l1/--l2) on XOR (or the user's points) on
 * the GPU through WebGPU, or on the CPU with the fast trainer (or, to show its
 * speed, the scalar engine), and prints the final loss, the fit (accuracy, or RMSE
 * and R²) and the predictions; on the GPU also the adapter and GPU-vs-CPU gradient
 * tables at the first and last step.
 * With --json, one JSON object on stdout and nothing else there.
 * Exit status: 0 trained, 1 training, the GPU or writing the result failed,
 * 2 bad flags or data (or a size a CPU backend cannot hold), 130 interrupted.
 * A closed pipe on stdout or stderr is not an error: the rest is still written.
 */
import { fitOf } from '../mlp/accuracy.js';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import { checkBatchSize } from '../mlp/batches.js';
import { checkConfig, DEFAULTS, hiddenList, type TrainConfig } from '../mlp/config.js';
import { type Dataset, xor } from '../mlp/data/data.js';
import { detectFormat, parseDataset } from '../mlp/data/data-file.js';
import { initModelParams } from '../mlp/init.js';
import { MODEL_LIMITS, type Output, OUTPUTS } from '../mlp/model.js';
import { CpuTrainer } from '../mlp/train/train-cpu.js';
import { FastTrainer } from '../mlp/train/train-fast.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { KernelRefusedError } from '../gpu/chooser.js';
import { KERNEL_NAMES } from '../gpu/contract.js';
import { GpuError } from '../gpu/device.js';
import { InterruptedError, makeChunker } from './chunks.js';
import { cpuSizeProblem, fastCpuSizeProblem } from './cpu-memory.js';
import { describeWriteError, isMain, type Io, processIo, readTextFile } from './io.js';
import { makeProgress } from './progress.js';
import {
  checkReportFinite,
  describeReport,
  nestedModel,
  reportJson,
  runOf,
  type Snapshot,
  type TrainReport,
} from './report.js';
import { trainGpu } from './train-gpu.js';

export const BACKENDS = ['gpu', 'cpu', 'engine'] as const;
export type Backend = (typeof BACKENDS)[number];
export type { TrainReport };

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  backend: {
    kind: 'choice',
    choices: BACKENDS,
    help:
      'gpu (WebGPU kernels, the default), cpu (the fast CPU trainer, f64) or engine (the scalar autograd engine, ' +
      'the oracle: slow, kept to show its speed)',
  },
  hidden: {
    kind: 'list',
    field: 'hidden',
    max: MODEL_LIMITS.layers.max,
    help: `hidden widths H_1,...,H_L, input side first: 8 is one layer, 8,8,4 three (1 to ${MODEL_LIMITS.layers.max}; default ${DEFAULTS.hidden})`,
  },
  lr: { kind: 'field', field: 'lr', help: `SGD learning rate (default ${DEFAULTS.lr})` },
  steps: { kind: 'field', field: 'steps', help: `SGD steps, one batch each (default ${DEFAULTS.steps})` },
  seed: {
    kind: 'field',
    field: 'seed',
    help: `seed of the initial parameters and of the mini-batch order (default ${DEFAULTS.seed})`,
  },
  loss: {
    kind: 'choice',
    choices: LOSSES,
    help: `loss: bce from the logit (sigmoid output only), or mse on ŷ, unhalved (default ${DEFAULTS.loss})`,
  },
  activation: {
    kind: 'choice',
    choices: HIDDEN_ACTIVATIONS,
    help: `hidden activation f; leaky has slope 0.01 below 0 (default ${DEFAULTS.activation})`,
  },
  output: {
    kind: 'choice',
    choices: OUTPUTS,
    help: `sigmoid: ŷ = σ(z), classification, labels in [0, 1]; identity: ŷ = z, regression, any label, with --loss mse (default ${DEFAULTS.output})`,
  },
  batch: {
    kind: 'field',
    field: 'batch',
    help: 'mini-batch size B, at most N; each epoch visits the points in an order drawn from --seed (default N, the full batch)',
  },
  l1: {
    kind: 'field',
    field: 'l1',
    help: `λ1 of the penalty λ1 Σ|w| over every weight, not the biases (default ${DEFAULTS.l1})`,
  },
  l2: {
    kind: 'field',
    field: 'l2',
    help: `λ2 of the penalty (λ2/2) Σ w² over every weight, not the biases (default ${DEFAULTS.l2})`,
  },
  kernel: {
    kind: 'choice',
    choices: KERNEL_NAMES,
    help: 'force a GPU kernel (default: the fastest that fits, see README)',
  },
  data: {
    kind: 'string',
    help: 'train on your points: CSV with columns x1..xd,y or JSON {"x": [[...]], "y": [...]}; labels in [0, 1], any real number with --output identity (default: XOR)',
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
      io.out(usage('npm run train --', 'Train an MLP (2-8-1 by default) on XOR or your own points.', TRAIN_FLAGS));
      return 0;
    }
    const output = (flags.output as Output | undefined) ?? DEFAULTS.output;
    const loss = (flags.loss as LossKind | undefined) ?? DEFAULTS.loss;
    if (output === 'identity' && loss === 'bce') throw new UsageError(bceWithIdentity(flags.loss !== undefined));
    const backend = (flags.backend as Backend | undefined) ?? 'gpu';
    const config = checkConfig<TrainConfig>({
      hidden: (flags.hidden as number[] | undefined) ?? [DEFAULTS.hidden],
      lr: (flags.lr as number | undefined) ?? DEFAULTS.lr,
      steps: (flags.steps as number | undefined) ?? DEFAULTS.steps,
      seed: (flags.seed as number | undefined) ?? DEFAULTS.seed,
      loss,
      activation: (flags.activation as HiddenActivation | undefined) ?? DEFAULTS.activation,
      output,
      l1: (flags.l1 as number | undefined) ?? DEFAULTS.l1,
      l2: (flags.l2 as number | undefined) ?? DEFAULTS.l2,
    });
    if (backend !== 'gpu' && flags.kernel !== undefined)
      throw new UsageError(`--kernel picks a GPU kernel; it does not go with --backend ${backend}`);
    const loaded = loadData(flags.data as string | undefined, backend === 'gpu', output);
    // B ≤ N: known once the data is
    if (flags.batch !== undefined)
      config.batch = checkFlag(() => checkBatchSize(flags.batch, loaded.data.N, '--batch'));
    job = {
      config,
      backend,
      ...(flags.kernel === undefined ? {} : { kernel: flags.kernel as string }),
      ...loaded,
      json: flags.json === true,
    };
    const { d, N } = job.data;
    const hidden = hiddenList(config.hidden);
    const problem =
      job.backend === 'engine'
        ? cpuSizeProblem({ N, B: config.batch ?? N, d, hidden, penalty: config.l1 !== 0 || config.l2 !== 0 })
        : job.backend === 'cpu'
          ? fastCpuSizeProblem({ N, d, hidden })
          : null;
    if (problem) throw new UsageError(`--backend ${job.backend}: ${problem}`);
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
        : job.backend === 'engine'
          ? await trainEngine(job.data, job.config, job.dataName, io)
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

/** Why BCE does not go with the identity output, in the flags' words. */
function bceWithIdentity(lossGiven: boolean): string {
  const why =
    'cross-entropy compares probabilities, and the identity output ŷ = z is not one (it can be negative or above 1); ' +
    'use --loss mse for regression';
  return lossGiven
    ? `--loss bce needs --output sigmoid, got --output identity: ${why}`
    : `--output identity needs --loss mse (the default loss is bce): ${why}`;
}

/** Whether a parse succeeds. */
function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}

/** A check of a flag against the data, its RangeError a UsageError. */
function checkFlag<T>(check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * The dataset from --data (XOR without it); for the GPU, values beyond f32's range are refused here, with their place.
 * Labels must fit the output: in [0, 1] for σ, any finite number for the identity.
 */
function loadData(path: string | undefined, f32: boolean, output: Output): { data: Dataset; dataName: string } {
  if (path === undefined) return { data: xor(), dataName: 'XOR' };
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    throw new UsageError(`--data: cannot read '${path}': ${(e as Error).message}`);
  }
  try {
    return { data: parseDataset(text, detectFormat(path, text), { f32, output }), dataName: path };
  } catch (e) {
    // Refused for σ but read as regression data: the labels are what is wrong, and the identity output takes them.
    const hint =
      output === 'sigmoid' && parses(() => parseDataset(text, detectFormat(path, text), { f32, output: 'identity' }))
        ? '; with the sigmoid output labels are probabilities: real-valued labels need --output identity --loss mse'
        : '';
    throw new UsageError(`--data ${path}: ${(e as Error).message.replace(/^data: /, '')}${hint}`);
  }
}

/**
 * Trains with the fast CPU trainer (src/mlp/train/train-fast.ts), in chunks of about a quarter second, with
 * progress (and a chance to be interrupted) after each.
 */
export async function trainCpu(data: Dataset, config: TrainConfig, dataName: string, io: Io): Promise<TrainReport> {
  const run = runOf(config, data, dataName);
  const { network, objective } = run;
  const penalized = objective.l1 !== 0 || objective.l2 !== 0;
  const trainer = new FastTrainer(data, initModelParams(network, config.seed), run.options);
  const snapshot = (): Snapshot => {
    const terms = trainer.losses();
    return {
      params: nestedModel(network, trainer.params),
      grads: { cpu: nestedModel(network, trainer.gradients()) }, // over every training point
      loss: terms.loss,
      ...(penalized ? { dataLoss: terms.dataLoss, penalty: terms.penalty } : {}),
    };
  };
  const initial = snapshot();
  const seconds = await runChunked(trainer, config.steps, io);
  const predictions = Array.from(trainer.predictions());
  return {
    backend: 'cpu',
    engine: 'fast CPU trainer (src/mlp/train/train-fast.ts), f64',
    config: run.config,
    initial,
    final: { ...snapshot(), ...fitOf(network.output, predictions, data.y), predictions },
    seconds,
    stepsPerSecond: seconds > 0 ? config.steps / seconds : 0,
  };
}

/**
 * Runs a CPU trainer to `steps` in chunks of about a quarter second, with progress after each and the event loop
 * let in between (so a SIGINT lands); returns the seconds it took.
 */
async function runChunked(
  trainer: { stepCount: number; step(k: number): number },
  steps: number,
  io: Io,
): Promise<number> {
  const progress = makeProgress(steps, io.errStream);
  const chunks = makeChunker({ max: 1 << 20 });
  const start = performance.now();
  while (trainer.stepCount < steps) {
    if (io.signal?.aborted) throw new InterruptedError(trainer.stepCount, steps);
    const t0 = performance.now();
    const loss = trainer.step(chunks.next(steps - trainer.stepCount));
    chunks.took(performance.now() - t0);
    progress.update(trainer.stepCount, loss);
    await new Promise((resolve) => setImmediate(resolve)); // lets a SIGINT land between chunks
  }
  const seconds = (performance.now() - start) / 1000;
  progress.done();
  return seconds;
}

/** Trains with the scalar engine (the oracle, slow), in chunks as trainCpu does. */
export async function trainEngine(data: Dataset, config: TrainConfig, dataName: string, io: Io): Promise<TrainReport> {
  const run = runOf(config, data, dataName);
  const { network, objective } = run;
  const penalized = objective.l1 !== 0 || objective.l2 !== 0;
  const trainer = new CpuTrainer(data, initModelParams(network, config.seed), run.options);
  const snapshot = (e: { loss: number; dataLoss: number; penalty: number }): Snapshot => ({
    params: nestedModel(network, trainer.parameters()),
    grads: { cpu: nestedModel(network, trainer.gradients()) }, // over every training point
    loss: e.loss,
    ...(penalized ? { dataLoss: e.dataLoss, penalty: e.penalty } : {}),
  });
  const initial = snapshot(trainer.evaluate());
  const seconds = await runChunked(trainer, config.steps, io);
  const final = trainer.evaluate();
  const { predictions } = final;
  return {
    backend: 'engine',
    engine: 'scalar autograd (src/engine), f64',
    config: run.config,
    initial,
    final: { ...snapshot(final), ...fitOf(network.output, predictions, data.y), predictions },
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
