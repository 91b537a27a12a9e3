/**
 * The Trainer contract: what every one-network GPU kernel offers its callers (the page, the CLI,
 * the bench), and the description each kernel gives of what it can train. Callers hold a `Trainer`
 * from `createTrainer` (./chooser.ts) and never name a kernel class.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data/data.js';
import type { Spec } from '../mlp/spec.js';
import type { CacheName } from './layout.js';

/** The kernels behind the door, fastest first where several fit (./chooser.ts ranks them). */
export const KERNEL_NAMES = ['fused-subgroup', 'fused-workgroup', 'large-tiled', 'steps'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** A network to train and its data: what every kernel takes. */
export interface TrainerConfig {
  data: Dataset;
  /** Initial parameters in the flat layout (uploaded as f32). */
  params: ArrayLike<number>;
  hidden: number;
  lr: number;
  loss: LossKind;
  /** The hidden activation f (default 'relu'). */
  activation?: HiddenActivation;
  /** Names the trainer's buffers and pipelines, and its errors. */
  label?: string;
}

/** Forward and backward at the parameters held now, read back (f32 values widened to f64). */
export interface Readout {
  /** SGD steps completed. */
  step: number;
  /** Mean loss at `params`. */
  loss: number;
  params: Float64Array;
  /** dL/dθ at `params`, flat layout. */
  grads: Float64Array;
  /** ŷ for each sample, where the kernel computes it. */
  yHat?: Float64Array;
  /** The per-sample forward and backward values, where asked for and the kernel keeps them. */
  cache?: Record<CacheName, Float64Array>;
}

export interface Trainer {
  /** Which kernel trains: one of KERNEL_NAMES. */
  readonly kernel: KernelName;
  readonly spec: Spec;
  readonly device: GPUDevice;
  /**
   * Records k SGD steps in bounded submits and returns at once. Kernels that run many steps per dispatch
   * take at most `stepsPerDispatch` in each (default 256, short enough for browser watchdogs); others ignore it.
   */
  step(k: number, options?: { stepsPerDispatch?: number }): void;
  /** The same k steps, waiting for the GPU after each bounded chunk (flat memory for any k). */
  run(k: number, options?: { onChunk?: (done: number) => void | Promise<void> }): Promise<void>;
  /** Changes the learning rate from the next recorded step on. */
  setLearningRate(lr: number): void;
  /** The mean loss and steps done; throws a TrainingDivergedError naming the first non-finite step and element. */
  readLoss(): Promise<{ loss: number; step: number }>;
  /** The parameters held now; after a divergence exactly those of the last good step. Never throws for one. */
  readParams(): Promise<Float64Array>;
  /** Forward and backward at the current parameters, without an update; `cache` asks for the per-sample values too. */
  inspect(options?: { cache?: boolean }): Promise<Readout>;
  /** Frees everything; afterwards every method throws a GpuError('destroyed'). */
  destroy(): void;
}

/** What a kernel declares about itself, so the chooser can pick and the tests can iterate. */
export interface KernelDescription {
  readonly name: KernelName;
  /** One line: how it trains. */
  readonly summary: string;
  readonly networks: 'one';
  readonly activations: readonly HiddenActivation[];
  readonly losses: readonly LossKind[];
  /** 'required': only on devices with the `subgroups` feature; 'optional': faster with it. */
  readonly subgroups: 'required' | 'optional' | 'unused';
  /** Whether it keeps the per-sample cache that `inspect({ cache: true })` reads (else the caller computes it). */
  readonly cache: 'own' | 'through the step kernels' | 'none';
  /** Why this kernel cannot (or should not) train this shape on this device, or null where it fits. */
  unfit(device: GPUDevice, spec: Spec): string | null;
  /** Why a kernel later in the list is better for this shape although this one fits, or null. */
  passOver?(spec: Spec): string | null;
  create(device: GPUDevice, config: TrainerConfig): Promise<Trainer>;
}
