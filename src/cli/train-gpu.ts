/**
 * The GPU path of `npm run train`: a Dawn device in Node, the step kernels,
 * progress read back once per chunk (never per step), and the GPU's gradients
 * checked against the CPU oracle at the first and the last step, at exactly
 * the parameters and data the GPU holds.
 */
import { GpuTrainer, type GpuReadout } from '../gpu/trainer.js';
import { requestNodeDevice } from '../gpu/node.js';
import { shadowBounds } from '../mlp/bounds.js';
import { compareWithBounds } from '../mlp/compare.js';
import type { TrainConfig } from '../mlp/config.js';
import { type Dataset, roundToF32 } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { lossAndGrads } from '../mlp/reference.js';
import { toNested } from '../mlp/spec.js';
import { accuracy } from '../mlp/train-cpu.js';
import type { Io } from './io.js';
import { makeProgress } from './progress.js';
import { gradientCheck, type Snapshot, type TrainReport } from './report.js';

export async function trainGpu(data: Dataset, config: TrainConfig, dataName: string, io: Io): Promise<TrainReport> {
  const { device, summary } = await requestNodeDevice({
    label: 'train.device',
    onProblem: (e) => io.err(`train: ${e.message}\n`),
  });
  const spec = { d: data.d, H: config.hidden };
  const data32 = roundToF32(data); // what the GPU holds: the oracle checks against the same numbers
  let trainer: GpuTrainer | undefined;
  try {
    trainer = await GpuTrainer.create(device, { data, params: initParams(spec, config.seed), ...config, label: 'train' });
    const gpu = trainer;
    const snapshot = async (): Promise<{ snap: Snapshot; readout: GpuReadout }> => {
      const readout = await gpu.gradients();
      const cpu = lossAndGrads(spec, readout.params, data32, config.loss);
      const bounds = shadowBounds(spec, readout.params, data32, config.loss); // per-element f32 error bounds
      const cmp = compareWithBounds(spec, readout.grads, bounds);
      const snap: Snapshot = {
        params: toNested(spec, readout.params),
        grads: { gpu: toNested(spec, readout.grads), cpu: toNested(spec, cpu.grads) },
        gradientCheck: gradientCheck(cmp, toNested(spec, bounds.grads.bound)),
        loss: readout.loss,
      };
      return { snap, readout };
    };
    const initial = await snapshot();
    const progress = makeProgress(config.steps, io.errStream);
    const chunk = Math.max(1, Math.ceil(config.steps / 50));
    const start = performance.now();
    for (let done = 0; done < config.steps; ) {
      const k = Math.min(chunk, config.steps - done);
      gpu.step(k); // records k steps, one submit, no readback
      done += k;
      const { loss } = await gpu.readLoss(); // once per chunk; throws if a step went non-finite
      progress.update(done, loss);
    }
    const seconds = (performance.now() - start) / 1000;
    progress.done();
    const final = await snapshot();
    const predictions = Array.from(final.readout.cache.yHat);
    return {
      backend: 'gpu',
      adapter: summary,
      engine: 'WGSL step kernels (shaders/mlp.wgsl), f32',
      config: { ...config, d: data.d, N: data.N, data: dataName },
      initial: initial.snap,
      final: { ...final.snap, accuracy: accuracy(predictions, data.y), predictions },
      seconds,
      stepsPerSecond: seconds > 0 ? config.steps / seconds : 0,
    };
  } finally {
    trainer?.destroy();
    device.destroy();
  }
}
