/**
 * The page's trainer while it plays: the fused kernel (./fused.ts) takes the
 * bulk of each frame's steps in a few dispatches, and the step kernels
 * (./trainer.ts) take the last one, whose buffers (the per-sample cache, the
 * gradients) feed the graph and the gradient panel. The step kernels' buffers
 * are the truth between frames: before the fused run their θ and status word
 * (steps done, first bad step, its element) are copied into the fused
 * trainer's, and after it back, all on the GPU queue, so
 *   - both hold the same parameters, and the step count adds up across them;
 *   - a step the fused kernel finds non-finite is named with its global number,
 *     and the step kernels, seeing that badStep, write nothing more: the
 *     verdict and the kept parameters are exactly those of a pure step-kernel run.
 * Where the fused kernel cannot hold the problem (workgroup memory), every
 * step runs on the step kernels.
 */
import { type FusedOptions, FusedTrainer } from './fused.js';
import { type GpuTrainerOptions, GpuTrainer } from './trainer.js';
import { checkSteps } from './checks.js';
import { FUSED_STATUS_WORDS } from './shaders.js';
import { paramLayout } from '../mlp/spec.js';

/** Steps per fused dispatch: short enough for browser watchdogs. */
export const FRAME_STEPS_PER_DISPATCH = 256;

export class FrameTrainer {
  private constructor(
    readonly steps: GpuTrainer,
    /** Null where the fused kernel cannot hold the problem. */
    readonly fused: FusedTrainer | null,
  ) {}

  static async create(device: GPUDevice, options: GpuTrainerOptions & FusedOptions): Promise<FrameTrainer> {
    const steps = await GpuTrainer.create(device, options);
    let fused: FusedTrainer | null = null;
    try {
      fused = await FusedTrainer.create(device, { ...options, label: `${options.label ?? 'page'}.fused` });
    } catch (e) {
      if (!(e instanceof RangeError)) {
        steps.destroy();
        throw e;
      }
    }
    return new FrameTrainer(steps, fused);
  }

  get spec() {
    return this.steps.spec;
  }

  /** k SGD steps: k − 1 on the fused kernel, the last on the step kernels (all k there without a fused kernel). */
  step(k: number): void {
    checkSteps('steps', k);
    if (this.fused && k > 1) {
      this.sync(this.steps, this.fused);
      this.fused.step(k - 1, { stepsPerDispatch: FRAME_STEPS_PER_DISPATCH });
      this.sync(this.fused, this.steps);
      this.steps.step(1);
    } else {
      this.steps.step(k);
    }
  }

  /** The step kernels' view at the current parameters (GpuTrainer.gradients): cache, gradients, loss, the global step. */
  gradients(): ReturnType<GpuTrainer['gradients']> {
    return this.steps.gradients();
  }

  readLoss(): ReturnType<GpuTrainer['readLoss']> {
    return this.steps.readLoss();
  }

  readParams(): Promise<Float64Array> {
    return this.steps.readParams();
  }

  setLearningRate(lr: number): void {
    this.steps.setLearningRate(lr);
    this.fused?.setLearningRate(lr);
  }

  destroy(): void {
    this.fused?.destroy();
    this.steps.destroy();
  }

  /** θ and the status word's first FUSED_STATUS_WORDS words (steps, badStep, badWhere) from one trainer to the other. */
  private sync(from: GpuTrainer | FusedTrainer, to: GpuTrainer | FusedTrainer): void {
    const a = from.stateBuffers();
    const b = to.stateBuffers();
    const encoder = this.steps.device.createCommandEncoder({ label: 'frames.sync' });
    encoder.copyBufferToBuffer(a.params, 0, b.params, 0, 4 * paramLayout(this.spec).size);
    encoder.copyBufferToBuffer(a.status, 0, b.status, 0, 4 * FUSED_STATUS_WORDS);
    this.steps.device.queue.submit([encoder.finish()]);
  }
}
