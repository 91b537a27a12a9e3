/**
 * `npm run train -- [flags]`: trains the 2-layer MLP on XOR and prints the
 * final loss, accuracy and predictions (or, with --json, one JSON object on
 * stdout and nothing else there). Exit status: 0 trained, 1 training failed,
 * 2 bad flags.
 */
import { LOSSES, type LossKind } from '../engine/losses.js';
import { checkConfig, DEFAULTS, type TrainConfig } from '../mlp/config.js';
import { type Dataset, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { toNested } from '../mlp/spec.js';
import { CpuTrainer, type Evaluation } from '../mlp/train-cpu.js';
import { type FlagSpec, parseArgs, usage, UsageError } from './args.js';
import { isMain, type Io, processIo } from './io.js';
import { makeProgress } from './progress.js';

export const BACKENDS = ['cpu'] as const;

export const TRAIN_FLAGS: Record<string, FlagSpec> = {
  backend: { kind: 'choice', choices: BACKENDS, help: 'where to train: cpu (the scalar autograd engine)' },
  hidden: { kind: 'field', field: 'hidden', help: `hidden width H (default ${DEFAULTS.hidden})` },
  lr: { kind: 'field', field: 'lr', help: `SGD learning rate (default ${DEFAULTS.lr})` },
  steps: { kind: 'field', field: 'steps', help: `full-batch SGD steps (default ${DEFAULTS.steps})` },
  seed: { kind: 'field', field: 'seed', help: `seed of the initial parameters (default ${DEFAULTS.seed})` },
  loss: { kind: 'choice', choices: LOSSES, help: `loss: bce from the logit, or mse on σ(z2) (default ${DEFAULTS.loss})` },
  json: { kind: 'bool', help: 'print one JSON object on stdout; progress still goes to stderr' },
  help: { kind: 'bool', help: 'print this help' },
};

export interface TrainReport {
  backend: 'cpu';
  adapter: null;
  engine: string;
  config: TrainConfig & { d: number; N: number };
  initial: Snapshot;
  final: Snapshot & Omit<Evaluation, 'loss'>;
  seconds: number;
  stepsPerSecond: number;
}

interface Snapshot {
  params: ReturnType<typeof toNested>;
  grads: { cpu: ReturnType<typeof toNested> };
  loss: number;
}

/** Runs the command; returns the exit status. */
export async function runTrain(argv: readonly string[], io: Io): Promise<number> {
  let config: TrainConfig;
  let json = false;
  try {
    const flags = parseArgs(argv, TRAIN_FLAGS);
    if (flags.help) {
      io.out(usage('npm run train --', 'Train the 2-layer MLP on XOR.', TRAIN_FLAGS));
      return 0;
    }
    json = flags.json === true;
    config = checkConfig({
      hidden: (flags.hidden as number | undefined) ?? DEFAULTS.hidden,
      lr: (flags.lr as number | undefined) ?? DEFAULTS.lr,
      steps: (flags.steps as number | undefined) ?? DEFAULTS.steps,
      seed: (flags.seed as number | undefined) ?? DEFAULTS.seed,
      loss: (flags.loss as LossKind | undefined) ?? DEFAULTS.loss,
    });
  } catch (e) {
    if (e instanceof UsageError || e instanceof RangeError) {
      io.err(`train: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const report = trainCpu(xor(), config, io);
    io.out(json ? `${JSON.stringify(report)}\n` : describe(report, xor()));
    return 0;
  } catch (e) {
    io.err(`train: ${(e as Error).message}\n`);
    return 1;
  }
}

/** Trains with the scalar engine, reporting progress in about 100 chunks. */
export function trainCpu(data: Dataset, config: TrainConfig, io: Io): TrainReport {
  const spec = { d: data.d, H: config.hidden };
  const trainer = new CpuTrainer(data, initParams(spec, config.seed), config);
  const snapshot = (loss: number): Snapshot => ({
    params: toNested(spec, trainer.parameters()),
    grads: { cpu: toNested(spec, trainer.gradients()) },
    loss,
  });
  const initial = snapshot(trainer.evaluate().loss);
  const progress = makeProgress(config.steps, io.errStream);
  const chunk = Math.max(1, Math.ceil(config.steps / 100));
  const start = performance.now();
  while (trainer.stepCount < config.steps) {
    const loss = trainer.step(Math.min(chunk, config.steps - trainer.stepCount));
    progress.update(trainer.stepCount, loss);
  }
  const seconds = (performance.now() - start) / 1000;
  progress.done();
  const evaluation = trainer.evaluate();
  return {
    backend: 'cpu',
    adapter: null,
    engine: 'scalar autograd (src/engine), f64',
    config: { ...config, d: data.d, N: data.N },
    initial,
    final: { ...snapshot(evaluation.loss), accuracy: evaluation.accuracy, predictions: evaluation.predictions },
    seconds,
    stepsPerSecond: seconds > 0 ? config.steps / seconds : 0,
  };
}

function describe(r: TrainReport, data: Dataset): string {
  const c = r.config;
  const rows = r.final.predictions.map((p, n) => {
    const x = Array.from(data.x.subarray(n * data.d, (n + 1) * data.d)).map((v) => String(v).padStart(4));
    return `  ${x.join('')}  ${String(data.y[n]).padStart(3)}  ${p.toFixed(4)}`;
  });
  const header = `  ${Array.from({ length: data.d }, (_, i) => `x${i + 1}`.padStart(4)).join('')}    y  yHat`;
  const correct = Math.round(r.final.accuracy * c.N);
  return [
    `Backprop Lab: ${c.d}-${c.hidden}-1 MLP on XOR, ${c.loss}, lr ${c.lr}, seed ${c.seed}, ${c.steps} steps`,
    `backend: cpu (${r.engine})`,
    `initial loss ${r.initial.loss.toFixed(6)}`,
    `final loss   ${r.final.loss.toFixed(6)}`,
    `accuracy     ${(100 * r.final.accuracy).toFixed(0)}% (${correct}/${c.N})`,
    header,
    ...rows,
    `${c.steps} steps in ${r.seconds.toFixed(3)} s (${Math.round(r.stepsPerSecond).toLocaleString('en-US')} steps/s)`,
    '',
  ].join('\n');
}

if (isMain(import.meta.url)) {
  runTrain(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
}
