/**
 * Gradients for the kernels that never write them (the fused kernels keep g in registers or workgroup memory): a
 * step-kernel twin on the same device and data, made on first use. Before each look, θ and the status word's first
 * three words (steps done, first bad step, its element) are copied into the twin on the GPU queue; the twin runs
 * forward and backward without an update, so its readout is the bulk kernel's state, verdict included.
 */
import { paramLayout } from '../mlp/spec.js';
import type { OneLayerConfig, Readout } from './contract.js';
import { FUSED_STATUS_WORDS } from './shaders.js';
import { StepTrainer } from './steps.js';

/** The GPU buffers holding a trainer's θ and its status word (steps done first). */
export interface StateBuffers {
  params: GPUBuffer;
  status: GPUBuffer;
}

export class Inspector {
  private twin: Promise<StepTrainer> | null = null;
  private destroyed = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly config: OneLayerConfig,
  ) {}

  /** The readout at the state in `from`; `cache` adds the per-sample values. */
  async inspect(from: StateBuffers, cache: boolean): Promise<Readout> {
    this.twin ??= StepTrainer.create(this.device, {
      ...this.config,
      label: `${this.config.label ?? 'trainer'}.inspect`,
    });
    const twin = await this.twin;
    if (this.destroyed) twin.destroy(); // destroyed while it was being made: the next call says so
    const to = twin.stateBuffers();
    const encoder = this.device.createCommandEncoder({ label: `${this.config.label ?? 'trainer'}.inspect.sync` });
    encoder.copyBufferToBuffer(from.params, 0, to.params, 0, 4 * paramLayout(twin.spec).size);
    encoder.copyBufferToBuffer(from.status, 0, to.status, 0, 4 * FUSED_STATUS_WORDS);
    this.device.queue.submit([encoder.finish()]);
    return twin.inspect({ cache });
  }

  destroy(): void {
    this.destroyed = true;
    void this.twin?.then(
      (t) => t.destroy(),
      () => {},
    );
  }
}
