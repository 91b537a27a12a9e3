/**
 * The CPU cases: where there is no GPU, how fast our CPU trainers are beside CPU peers in the same run. Networks as
 * TensorFlow Playground trains them: 2-16-1 on a 400-point spiral (tanh, then ReLU), σ output, MSE, and XOR 2-8-1
 * (ReLU, σ output, BCE, as the GPU's XOR case); full batch, plain SGD at LR, every implementation from the same
 * initial parameters. Ours: OUR_CPU_TRAINERS and the scalar engine (the oracle, kept to show its speed). Peers:
 * TensorFlow.js on its CPU backend (pure JavaScript) and its WASM backend, and brain.js, which trains a nearby network
 * (./brain-peer.ts says how it differs, and its results carry that note). Each impl reports its loss before and
 * after timing, so a reader sees that it trained; tests/bench-cpu.test.ts checks that the peers follow our steps.
 */
import type { HiddenActivation } from '../src/engine/activation.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';
import type { LossKind } from '../src/engine/losses.js';
import type { Dataset } from '../src/mlp/data/data.js';
import { xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { initParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossModel } from '../src/mlp/reference.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import type { TrainingOptions } from '../src/mlp/train/training-run.js';
import { BRAIN_NOTE, brainTrainer } from './brain-peer.js';
import { type Impl, LR, type Recorder } from './measure.js';
import { selectTfBackend, type Tf, tfTrainer } from './tfjs-peer.js';

/** A CPU trainer of ours: the constructor and `step(k)` of MatrixTrainer, `params` in the flat layout. */
export type OurCpuTrainerClass = new (
  data: Dataset,
  initial: ArrayLike<number>,
  options: TrainingOptions,
) => { step(k?: number): number; readonly params: ArrayLike<number> };

/**
 * Our CPU trainers, each measured on every CPU case. A trainer joins with its import and one entry here
 * (the fast one: `{ impl: 'cpu-fast', Trainer: FastTrainer }`); the scalar engine is measured after them.
 */
export const OUR_CPU_TRAINERS: readonly { impl: string; Trainer: OurCpuTrainerClass }[] = [
  { impl: 'cpu-fast', Trainer: FastTrainer },
  { impl: 'cpu-matrix', Trainer: MatrixTrainer },
];

/** One CPU case: the network and its data. */
export interface CpuCase {
  case: string;
  /** The data, in words. */
  data: string;
  dataset: Dataset;
  H: number;
  activation: Extract<HiddenActivation, 'relu' | 'tanh'>;
  /** The output is σ in every CPU case. */
  loss: LossKind;
}

/** What the report says about each CPU case (its network and training), for the JSON. */
export interface CpuCaseInfo {
  case: string;
  data: string;
  N: number;
  hidden: number[];
  activation: string;
  output: 'sigmoid';
  loss: LossKind;
  lr: number;
  /** The full batch. */
  batch: number;
  /** Every implementation starts from initParams({ d, H }, seed). */
  seed: number;
}

/** The seed of every CPU case's initial parameters. */
const SEED = 1;

/** The CPU cases, in the order they run. */
export function cpuCaseList(): CpuCase[] {
  const spiral = generate({ kind: 'spiral', N: 400, noise: 0, seed: 1 });
  const data = 'spiral, 400 points, noise 0, seed 1';
  return [
    { case: 'cpu-spiral-2-16-1-tanh', data, dataset: spiral, H: 16, activation: 'tanh', loss: 'mse' },
    { case: 'cpu-spiral-2-16-1-relu', data, dataset: spiral, H: 16, activation: 'relu', loss: 'mse' },
    { case: 'cpu-xor-2-8-1', data: 'XOR, its 4 points', dataset: xor(), H: 8, activation: 'relu', loss: 'bce' },
  ];
}

export function cpuCaseInfo(c: CpuCase): CpuCaseInfo {
  const { case: name, data, dataset, H, activation, loss } = c;
  return {
    case: name,
    data,
    N: dataset.N,
    hidden: [H],
    activation,
    output: 'sigmoid',
    loss,
    lr: LR,
    batch: dataset.N,
    seed: SEED,
  };
}

/** Every implementation of a CPU case, ours first (OUR_CPU_TRAINERS, then the scalar engine), then the peers. */
export function cpuCaseImpls(tf: Tf, c: CpuCase): Impl[] {
  const { dataset: data, H, activation, loss } = c;
  const start = initParams({ d: data.d, H }, SEED);
  const model = makeModel({ d: data.d, hidden: [H], activation, output: 'sigmoid' });
  const objective = { loss, l1: 0, l2: 0 };
  // every flat-parameter impl is scored by the same f64 function, so its loss shows its trajectory
  const lossAt = (params: ArrayLike<number>) => lossModel(model, params, data, objective).loss;
  const options: TrainingOptions = { hidden: H, lr: LR, loss, activation };
  const ours: Impl[] = OUR_CPU_TRAINERS.map(({ impl, Trainer }) => {
    const t = new Trainer(data, start, options);
    return { impl, models: 1, run: (k) => void t.step(k), loss: () => lossAt(t.params) };
  });
  const scalar = new CpuTrainer(data, start, options);
  ours.push({
    impl: 'cpu-scalar',
    models: 1,
    run: (k) => void scalar.step(k),
    loss: () => lossAt(scalar.parameters()),
  });
  let b: ReturnType<typeof brainTrainer> | undefined;
  const brainNet = () => (b ??= brainTrainer(data, start, H, LR, activation)); // built when it runs, so a failure is its own
  return [
    ...ours,
    tfCpuImpl(tf, 'cpu', c, start, lossAt),
    tfCpuImpl(tf, 'wasm', c, start, lossAt),
    {
      impl: 'brain.js',
      models: 1,
      peer: true,
      note: BRAIN_NOTE,
      run: (k) => brainNet().run(k),
      loss: () => brainNet().loss(),
    },
  ];
}

/** TF.js on one of its CPU backends; the module is shared, so the backend is selected before each use. */
function tfCpuImpl(
  tf: Tf,
  backend: 'cpu' | 'wasm',
  c: CpuCase,
  start: Float64Array,
  lossAt: (params: ArrayLike<number>) => number,
): Impl {
  let t: ReturnType<typeof tfTrainer> | undefined;
  const ready = async () => {
    await selectTfBackend(tf, backend);
    return (t ??= tfTrainer(tf, c.dataset, start, c.H, LR, { activation: c.activation, loss: c.loss }));
  };
  return {
    impl: `tfjs-${backend}`,
    models: 1,
    peer: true,
    run: async (k) => (await ready()).run(k),
    loss: async () => lossAt(await (await ready()).read()),
    dispose: () => t?.dispose(),
  };
}

/** Runs every CPU case; returns what each one trains. */
export async function cpuCases({ tf, recorder }: { tf: Tf; recorder: Recorder }): Promise<CpuCaseInfo[]> {
  const cases = cpuCaseList();
  for (const c of cases) await recorder.runCase(c.case, 'steps/s', cpuCaseImpls(tf, c));
  return cases.map(cpuCaseInfo);
}
