/**
 * The GPU path of `npm run train`: a Dawn device in Node, the chooser's kernel (or --kernel) recorded
 * in bounded chunks with the loss read back once per chunk (never per step), the device always
 * destroyed before returning, and the GPU's gradients checked against the CPU oracle at the first
 * and the last step, at exactly the parameters and data the GPU holds: the gradient of the whole
 * objective (the penalty's included) over every training point, each element within its own f32 bound.
 */
import { fitOf } from '../mlp/accuracy.js';
import { createTrainer } from '../gpu/chooser.js';
import type { Trainer } from '../gpu/contract.js';
import { requestNodeDevice } from '../gpu/node.js';
import { shadowBoundsModel } from '../mlp/bounds/bounds-model.js';
import { compareWithBoundsModel } from '../mlp/bounds/compare.js';
import type { TrainConfig } from '../mlp/config.js';
import { type Dataset, roundToF32 } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import type { Io } from './io.js';
import { InterruptedError, makeChunker } from './chunks.js';
import { makeProgress } from './progress.js';
import { gradientCheck, nestedModel, runOf, type Snapshot, type TrainReport } from './report.js';

/** The most steps recorded into one submit: 16,384 dispatches, a bounded command buffer whatever --steps is. */
export const MAX_CHUNK = 4096;

export async function trainGpu(
  data: Dataset,
  config: TrainConfig,
  dataName: string,
  io: Io,
  kernel?: string,
): Promise<TrainReport> {
  const { device, summary } = await requestNodeDevice({
    label: 'train.device',
    onProblem: (e) => io.err(`train: ${e.message}\n`),
  });
  const run = runOf(config, data, dataName);
  const { network, objective } = run;
  const penalized = objective.l1 !== 0 || objective.l2 !== 0;
  const data32 = roundToF32(data); // what the GPU holds: the oracle checks against the same numbers
  let trainer: Trainer | undefined;
  try {
    const chosen = await createTrainer(
      device,
      {
        data,
        params: initModelParams(network, config.seed),
        ...run.options,
        label: 'train',
      },
      kernel === undefined ? {} : { kernel },
    );
    trainer = chosen;
    const gpu = chosen;
    const snapshot = async () => {
      const readout = await gpu.inspect(); // parameters, gradients, loss, ŷ where the kernel has it: never the N·H cache
      const cpu = lossAndGradsModel(network, readout.params, data32, objective); // every training point
      const bounds = shadowBoundsModel(network, readout.params, data32, objective); // per-element f32 error bounds
      const cmp = compareWithBoundsModel(network, readout.grads, bounds);
      const snap: Snapshot = {
        params: nestedModel(network, readout.params),
        grads: { gpu: nestedModel(network, readout.grads), cpu: nestedModel(network, cpu.grads) },
        gradientCheck: gradientCheck(cmp, nestedModel(network, bounds.grads.bound)),
        loss: readout.loss,
        ...(penalized ? { dataLoss: cpu.dataLoss, penalty: cpu.penalty } : {}),
      };
      return { snap, yHat: readout.yHat ?? cpu.cache.yHat }; // ŷ at the GPU's parameters where the kernel keeps none
    };
    const initial = await snapshot();
    const progress = makeProgress(config.steps, io.errStream);
    // Bounded chunks (at most MAX_CHUNK steps, 4 dispatches each, per submit), the loss read back after each.
    const chunks = makeChunker({ first: 16, max: MAX_CHUNK });
    const start = performance.now();
    for (let done = 0; done < config.steps;) {
      if (io.signal?.aborted) throw new InterruptedError(done, config.steps);
      const k = chunks.next(config.steps - done);
      const t0 = performance.now();
      gpu.step(k); // records k steps in bounded submits
      done += k;
      const { loss } = await gpu.readLoss(); // waits for the chunk; throws if a step went non-finite
      chunks.took(performance.now() - t0);
      progress.update(done, loss);
    }
    const seconds = (performance.now() - start) / 1000;
    progress.done();
    const final = await snapshot();
    const predictions = Array.from(final.yHat);
    return {
      backend: 'gpu',
      adapter: summary,
      engine: 'WGSL kernels through WebGPU, f32',
      kernel: chosen.kernel,
      kernelWhy: chosen.choice.why,
      config: run.config,
      initial: initial.snap,
      final: { ...final.snap, ...fitOf(network.output, predictions, data.y), predictions },
      seconds,
      stepsPerSecond: seconds > 0 ? config.steps / seconds : 0,
    };
  } finally {
    trainer?.destroy();
    device.destroy();
  }
}
