/**
 * What every one-network GPU trainer takes (step kernels, fused, large-batch,
 * tiled large-batch, the page's frame trainer); each adds only its own knobs.
 * The many-models trainers take a learning rate per model instead (./many.ts).
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data.js';

export interface NetworkOptions {
  data: Dataset;
  /** Initial parameters in the flat layout (uploaded as f32). */
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  /** The hidden activation f (default 'relu'); shaders/common.wgsl's ACT. */
  activation?: HiddenActivation;
  /** Names the trainer's buffers and pipelines, and its errors. */
  label?: string;
}
