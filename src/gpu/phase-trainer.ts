/**
 * What the trainers built from phase kernels share (./steps.ts, ./large-tiled.ts, bench/variants/large.ts): a step is
 * a few dispatches over the `Hyper` uniform, recorded by the subclass's `recordSteps`; here are k steps in bounded
 * submits, run chunk by chunk, the learning rate, θ read back and `destroy()`. Guards, status word and buffers are the
 * trainer core's (./core.ts).
 */
import { paramLayout, type Spec } from '../mlp/spec.js';
import { checkCount, checkSteps } from './gpu-checks.js';
import type { Dataset } from '../mlp/data/data.js';
import { type BufferPlan, STEPS_PER_SUBMIT, type TrainerCore } from './core.js';
import { packHyper } from './shaders.js';

export interface RunOptions {
  /** SGD steps per command buffer; the GPU is waited for after each. */
  stepsPerSubmit?: number;
  /** Called after each chunk with the steps recorded so far. */
  onChunk?: (steps: number) => void | Promise<void>;
}

/** The buffers every phase kernel binds first: the Hyper uniform (lr), θ, and the data x and y, filled. */
export function phaseBuffers(
  data: Dataset,
  params: ArrayLike<number>,
  lr: number,
): Record<'hyper' | 'params' | 'x' | 'y', BufferPlan> {
  const hyper = packHyper({ lr });
  return {
    hyper: { bytes: hyper.byteLength, role: 'uniform', init: hyper },
    params: { bytes: 4 * params.length, role: 'state', init: Float32Array.from(params) },
    x: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
    y: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
  };
}

export abstract class PhaseTrainer<B extends string, E extends string> {
  protected constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    protected readonly core: TrainerCore<B | 'hyper' | 'params', E>,
  ) {}

  /** Records k SGD steps, at most STEPS_PER_SUBMIT per command buffer; returns at once. */
  step(k = 1): void {
    this.core.check('step');
    checkSteps('steps', k);
    this.core.record(k, STEPS_PER_SUBMIT, (c) => this.recordSteps(c));
  }

  /**
   * Runs k SGD steps in chunks of `stepsPerSubmit`, waiting for the GPU after
   * each (at most one chunk queued: flat memory for any k), and reports the
   * steps recorded so far after each chunk.
   */
  async run(k: number, { stepsPerSubmit = STEPS_PER_SUBMIT, onChunk }: RunOptions = {}): Promise<void> {
    this.core.check('run');
    checkSteps('steps', k);
    checkCount('stepsPerSubmit', stepsPerSubmit);
    await this.core.run(k, stepsPerSubmit, (c) => this.recordSteps(c), onChunk);
  }

  /** Changes the learning rate from the next recorded step on. */
  setLearningRate(lr: number): void {
    this.core.setLearningRate(lr);
  }

  /** Replaces θ from the next recorded step on (the Trainer contract's setParams). */
  setParams(params: ArrayLike<number>): void {
    this.core.writeParams(this.core.buffers.params, params, paramLayout(this.spec).size);
  }

  /** The parameters held now (flat layout); after a divergence, those of the last good step. Never throws for one. */
  async readParams(): Promise<Float64Array> {
    this.core.check('readParams');
    return this.core.readBuffer('params', paramLayout(this.spec).size);
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). Calling it again does nothing. */
  destroy(): void {
    this.core.destroy();
  }

  /** `steps` SGD steps in one command buffer. */
  protected abstract recordSteps(steps: number): void;
}
