/**
 * The benchmark's cases, one function each. Every implementation of a case
 * trains the same network on the same data with the same loss (BCE) and
 * learning rate (LR), from the same seeded start.
 */
import { chooseKernel, createTrainer, specOf } from '../src/gpu/chooser.js';
import type { TrainerConfig } from '../src/gpu/contract.js';
import { LargeBatchTrainer } from './variants/large.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { type Dataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { gpuImpl, type Impl, LR, measure, median, type Recorder, referenceImpl, scalarImpl } from './measure.js';
import { type Tf, tfManyTrainer, tfTrainer } from './tfjs-peer.js';
import type { ScalingPoint } from './plot.js';

/** A point of the scaling plot, with the implementation measured. */
export type ScalingRow = ScalingPoint & { impl: string };

/** The chooser's pick for a case's network on this device, and why. */
export interface CaseChoice {
  case: string;
  kernel: string;
  why: string;
}

export interface CaseContext {
  device: GPUDevice;
  /** Each case records what createTrainer picks for its network here. */
  choices: CaseChoice[];
  tf: Tf;
  quick: boolean;
  recorder: Recorder;
  log: (line: string) => void;
}

/** TF.js on one backend, training one network; the module is shared, so the backend is selected before each run. */
function tfImpl(tf: Tf, name: 'tfjs-cpu' | 'tfjs-webgpu', data: Dataset, H: number, M = 1): Impl {
  let t: { run(k: number): Promise<void>; dispose(): void } | undefined;
  return {
    impl: name,
    models: M,
    async run(k) {
      await tf.setBackend(name === 'tfjs-cpu' ? 'cpu' : 'webgpu');
      t ??=
        M === 1
          ? tfTrainer(tf, data, initParams({ d: data.d, H }, 1), H, LR)
          : tfManyTrainer(
              tf,
              data,
              Array.from({ length: M }, (_, m) => initParams({ d: data.d, H }, m)),
              H,
              LR,
            );
      await t.run(k);
    },
    dispose: () => t?.dispose(),
  };
}

/** Records the chooser's pick for `config` under the case's name. */
function noteChoice(context: CaseContext, name: string, config: TrainerConfig): void {
  const { kernel, why } = chooseKernel(context.device, specOf(config));
  context.choices.push({ case: name, kernel, why });
}

/** (a) One 2-8-1 network on the 4 XOR points. */
export async function xorCase(context: CaseContext): Promise<void> {
  const { device, tf, recorder } = context;
  const x4 = xor();
  const config = { data: x4, params: initParams({ d: 2, H: 8 }, 1), hidden: 8, lr: LR, loss: 'bce' } as const;
  noteChoice(context, 'xor-2-8-1', config);
  const steps = await createTrainer(device, { ...config, label: 'bench.steps' }, { kernel: 'steps' });
  // The chooser's pick: the subgroup fused kernel where the device has subgroups; ./cases-fast.ts measures both.
  const fused = await createTrainer(device, { ...config, label: 'bench.fused' });
  await recorder.runCase('xor-2-8-1', 'steps/s', [
    gpuImpl(
      'gpu-fused',
      1,
      (k) => fused.step(k, { stepsPerDispatch: 4096 }),
      () => fused.readLoss(),
      () => fused.destroy(),
      fused.kernel,
    ),
    gpuImpl(
      'gpu-steps',
      1,
      (k) => steps.step(k),
      () => steps.readLoss(),
      () => steps.destroy(),
      'steps',
    ),
    scalarImpl(x4, 8),
    referenceImpl(x4, 8),
    tfImpl(tf, 'tfjs-cpu', x4, 8),
    tfImpl(tf, 'tfjs-webgpu', x4, 8),
  ]);
}

/** (b) Many independent 2-8-1 XOR networks. */
export async function manyCase({ device, tf, quick, recorder }: CaseContext): Promise<void> {
  const x4 = xor();
  const M = quick ? 4096 : 65536;
  const many = await ManyTrainer.create(device, {
    data: x4,
    hidden: 8,
    loss: 'bce',
    lrs: new Float32Array(M).fill(LR),
    seedBase: 0,
    label: 'bench.many',
  });
  many.train(0);
  await recorder.runCase(`many-xor-2-8-1-x${M}`, 'model-steps/s', [
    gpuImpl(
      'gpu-many',
      M,
      (k) => many.train(k, { stepsPerDispatch: 250 }),
      () => many.readResults(),
      () => many.destroy(),
      'many',
    ),
    { ...scalarImpl(x4, 8) },
    referenceImpl(x4, 8),
    tfImpl(tf, 'tfjs-cpu', x4, 8, M),
    tfImpl(tf, 'tfjs-webgpu', x4, 8, M),
  ]);
}

/** (c) One 2-256-1 network on 65,536 points (8,192 in quick mode). */
export async function largeCase(context: CaseContext): Promise<void> {
  const { device, tf, quick, recorder } = context;
  const bigN = quick ? 8192 : 65536;
  const big = randomDataset(11, 2, bigN, { binary: true });
  const config = { data: big, params: initParams({ d: 2, H: 256 }, 1), hidden: 256, lr: LR, loss: 'bce' } as const;
  noteChoice(context, `2-256-1-n${bigN}`, config);
  const large = await LargeBatchTrainer.create(device, { ...config, label: 'bench.large' });
  const tiled = await createTrainer(device, { ...config, label: 'bench.largeTiled' }, { kernel: 'large-tiled' });
  const bigSteps = await createTrainer(device, { ...config, label: 'bench.bigsteps' }, { kernel: 'steps' });
  const tiledVariant = `tiled-2-dispatch-${device.features.has('subgroups') ? 'subgroups' : 'workgroup-memory'}`;
  await recorder.runCase(`2-256-1-n${bigN}`, 'steps/s', [
    {
      ...gpuImpl(
        'gpu-large',
        1,
        (k) => large.step(k),
        () => large.readLoss(),
        () => large.destroy(),
        'chunked-4-dispatch',
      ),
      dispatchesPerStep: 4,
    },
    {
      ...gpuImpl(
        'gpu-large-tiled',
        1,
        (k) => tiled.step(k),
        () => tiled.readLoss(),
        () => tiled.destroy(),
        tiledVariant,
      ),
      dispatchesPerStep: 2,
    },
    gpuImpl(
      'gpu-steps',
      1,
      (k) => bigSteps.step(k),
      () => bigSteps.readLoss(),
      () => bigSteps.destroy(),
      'steps',
    ),
    referenceImpl(big, 256),
    tfImpl(tf, 'tfjs-cpu', big, 256),
    tfImpl(tf, 'tfjs-webgpu', big, 256),
  ]);
}

/** (d) How the large-batch path's cost grows with N and H. */
export async function scalingCase({ device, quick, log }: CaseContext): Promise<ScalingRow[]> {
  const scaling: ScalingRow[] = [];
  const Ns = quick ? [256, 4096, 16384] : [256, 4096, 65536, 262144];
  const Hs = quick ? [8, 64] : [8, 64, 256];
  for (const H of Hs) {
    for (const N of Ns) {
      log(`bench: scaling N=${N} H=${H} ...\n`);
      const data = randomDataset(N + H, 2, N, { binary: true });
      const t = await LargeBatchTrainer.create(device, {
        data,
        params: initParams({ d: 2, H }, 1),
        hidden: H,
        lr: LR,
        loss: 'bce',
        label: 'bench.scaling',
      });
      const { rates } = await measure(
        gpuImpl(
          'gpu-large',
          1,
          (k) => t.step(k),
          () => t.readLoss(),
          () => {},
        ),
        { repeats: quick ? 1 : 3, seconds: quick ? 0.2 : 0.5 },
      );
      t.destroy();
      scaling.push({ impl: 'gpu-large', N, H, stepsPerSecond: median(rates) });
    }
  }
  return scaling;
}
