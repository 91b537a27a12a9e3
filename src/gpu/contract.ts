/**
 * The Trainer contract: what every one-network GPU kernel offers its callers (the page, the CLI,
 * the bench), and the description each kernel gives of what it can train. Callers hold a `Trainer`
 * from `createTrainer` (./chooser.ts) and never name a kernel class.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from '../mlp/data/data.js';
import type { Output } from '../mlp/model.js';
import type { Spec } from '../mlp/spec.js';
import type { TrainingOptions } from '../mlp/train/training-run.js';
import type { CacheName } from './layout.js';

/** The kernels behind the door, fastest first where several fit (./chooser.ts ranks them). */
export const KERNEL_NAMES = ['fused-subgroup', 'fused-workgroup', 'large-tiled', 'steps', 'layers'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** A network to train and its data: what every kernel takes (the CPU trainers' options, src/mlp/train/training-run.ts). */
export interface TrainerConfig extends TrainingOptions {
  data: Dataset;
  /** Initial parameters in the flat layout (uploaded as f32). */
  params: ArrayLike<number>;
  /** Names the trainer's buffers and pipelines, and its errors. */
  label?: string;
  /**
   * Steps already done (a run continued from a file; default 0): the step count goes on from it, and with
   * mini-batches so does the order of batches. An integer in [0, 2³¹ − 1].
   */
  fromStep?: number;
}

/** What the one-layer kernels take: one width; each refuses any other setting off its default (checkOneLayer). */
export interface OneLayerConfig extends TrainerConfig {
  hidden: number;
}

/**
 * What the chooser decides on: the shape (H is H_1 for a deeper network) and the settings a kernel may not support.
 * A plain Spec is one hidden layer of width H, σ output, the full batch and no penalty.
 */
export interface NetworkShape extends Spec {
  readonly hidden?: readonly number[];
  readonly output?: Output;
  /** B (N where absent). */
  readonly batch?: number;
  readonly l1?: number;
  readonly l2?: number;
}

/** What a kernel can train beyond the shape: the chooser passes over a kernel that lacks what a configuration asks. */
export interface KernelSupport {
  /** The most hidden layers it trains (from 1). */
  readonly layers: number;
  readonly outputs: readonly Output[];
  /** Whether it trains on mini-batches (B < N). */
  readonly miniBatch: boolean;
  /** Whether it adds the L1/L2 penalty. */
  readonly penalty: boolean;
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
  /** The per-sample forward and backward values of one hidden layer, where asked for and the kernel keeps them. */
  cache?: Record<CacheName, Float64Array>;
  /** The same for any depth, where asked for and the kernel keeps them ('layers'). */
  layers?: LayerValues;
}

/** Per-sample values of any depth in the matrix form's names (src/mlp/reference.ts), N×H_l row-major each. */
export interface LayerValues {
  /** z[l − 1] = z_l for l = 1..L+1 (the last holds the logits). */
  z: Float64Array[];
  /** a[l − 1] = a_l = f(z_l) for l = 1..L. */
  a: Float64Array[];
  /** da[l − 1] = ∂L/∂a_l = W_{l+1}ᵀ δ_{l+1} for l = 1..L. */
  da: Float64Array[];
  /** delta[l − 1] = δ_l = ∂L_data/∂z_l for l = 1..L+1. */
  delta: Float64Array[];
  yHat: Float64Array;
  /** ℓ_n per sample (the penalty is not a sample's). */
  losses: Float64Array;
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
  /**
   * Replaces the parameters held now (flat layout, P values, written as f32) from the next recorded step on; the step
   * count and the batch order stay. Refuses a wrong length or a value outside f32's range before writing anything.
   */
  setParams(params: ArrayLike<number>): void;
  /**
   * The mean loss and steps done; throws a TrainingDivergedError naming the first non-finite step and element.
   * The one-layer kernels give the loss of the last step's forward pass; 'layers' the whole training set's at the
   * parameters held now, penalty included (MatrixTrainer.loss()).
   */
  readLoss(): Promise<{ loss: number; step: number }>;
  /** The parameters held now; after a divergence exactly those of the last good step. Never throws for one. */
  readParams(): Promise<Float64Array>;
  /**
   * Forward and backward at the current parameters over every training point (the penalty's gradient included),
   * without an update; `cache` asks for the per-sample values too.
   */
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
  /** Depths, outputs, mini-batches and the penalty (the shape and the device are `unfit`'s). */
  readonly supports: KernelSupport;
  /** 'required': only on devices with the `subgroups` feature; 'optional': faster with it. */
  readonly subgroups: 'required' | 'optional' | 'unused';
  /** Whether it keeps the per-sample cache that `inspect({ cache: true })` reads (else the caller computes it). */
  readonly cache: 'own' | 'through the step kernels' | 'none';
  /** Why this kernel cannot train this shape on this device, or null where it fits (`supports` is checked first). */
  unfit(device: GPUDevice, spec: NetworkShape): string | null;
  /** Why a kernel later in the list that fits (`later`, never empty) is better for this shape though this one fits. */
  passOver?(spec: NetworkShape, later: readonly KernelName[]): string | null;
  create(device: GPUDevice, config: TrainerConfig): Promise<Trainer>;
}
