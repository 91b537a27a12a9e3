/**
 * One training run as the page sees it, on either backend: the GPU trainer (asked of src/gpu, never built here) or the
 * scalar engine. `step(k)` records k steps without waiting; `snapshot()` reads everything the page shows, once per
 * frame, with the CPU oracle's view of the same parameters.
 */
import type { KernelName, Trainer } from '../gpu/contract.js';
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { type Dataset, roundToF32 } from '../mlp/data/data.js';
import { type Backward, type ForwardCache, lossAndGrads } from '../mlp/reference.js';
import { type Bounds, shadowBounds } from '../mlp/bounds/bounds.js';
import { CpuTrainer } from '../mlp/train/train-cpu.js';
import { type CpuSize, graphNodes } from '../mlp/cpu-size.js';

export interface Snapshot {
  backend: 'gpu' | 'cpu';
  /** The GPU kernel that trains (the chooser's pick), or the CPU engine. */
  kernel: KernelName | 'cpu-engine';
  /** What that kernel does and why the chooser picked it (GPU only). */
  kernelWhy?: string;
  /** The hidden activation f this run trains with (the settings may have moved on). */
  activation: HiddenActivation;
  step: number;
  loss: number;
  /** Parameters as the trainer holds them (f32 values on the GPU), flat layout. */
  params: Float64Array;
  /** Per-sample values of the running network: the GPU's cache if the kernel has one, else the oracle's at `params`. */
  values: ForwardCache & Pick<Backward, 'dz2' | 'da1' | 'dz1'>;
  /** The GPU's gradients at `params`; null on the CPU backend (nothing to compare). */
  gpuGrads: Float64Array | null;
  /** The CPU oracle (matrix form, f64) at exactly `params` and the data the trainer holds. */
  oracle: { loss: number; grads: Float64Array };
  /** The data the trainer holds (rounded to f32 on the GPU). */
  data: Dataset;
  /** Per-element f32 error bounds on the GPU's gradients (src/mlp/bounds/bounds.ts); GPU backend only. */
  bounds?: Bounds;
  /** Why a GPU snapshot comes without bounds (a run too large to bound every frame), in the panel's words. */
  boundsNote?: string;
}

export interface Session {
  readonly backend: 'gpu' | 'cpu';
  step(k: number): void;
  snapshot(): Promise<Snapshot>;
  setLearningRate(lr: number): void;
  destroy(): void;
}

export interface RunConfig {
  hidden: number;
  lr: number;
  loss: LossKind;
  activation: HiddenActivation;
}

/**
 * Each frame the page checks a GPU run against the f64 oracle (matrix form, about N·P multiply-adds) on its own
 * thread; up to this many training points × parameters that is a few tens of ms (Node 20: about 35 ms at
 * 2.6 million). Larger runs are refused on the page (./cpu-limit.ts says so beside the field).
 */
export const ORACLE_FRAME_MAX = 4_000_000;
/** The per-element bounds cost about ten oracles; above this many N·P the panel shows the gradients without them. */
export const BOUNDS_FRAME_MAX = 400_000;
/** The per-sample cache (four N·H tensors) is read back only up to this many N·H values; else the oracle's is drawn. */
export const CACHE_FRAME_MAX = 65_536;

/** What a GPU session drives: any kernel behind the Trainer contract. */
export type SessionTrainer = Pick<Trainer, 'kernel' | 'step' | 'inspect' | 'setLearningRate' | 'destroy'> & {
  /** The chooser's reasons, where createTrainer made it. */
  readonly choice?: { why: string };
};

export function gpuSession(trainer: SessionTrainer, data: Dataset, config: RunConfig): Session {
  const held = roundToF32(data);
  const spec = { d: data.d, H: config.hidden, activation: config.activation };
  return {
    backend: 'gpu',
    step: (k) => trainer.step(k),
    async snapshot() {
      // forward + backward, one readback
      const r = await trainer.inspect({ cache: data.N * config.hidden <= CACHE_FRAME_MAX });
      const oracle = lossAndGrads(spec, r.params, held, config.loss);
      const checked = data.N * r.params.length <= BOUNDS_FRAME_MAX;
      return {
        backend: 'gpu',
        kernel: trainer.kernel,
        ...(trainer.choice ? { kernelWhy: trainer.choice.why } : {}),
        activation: config.activation,
        step: r.step,
        loss: r.loss,
        params: r.params,
        values: r.cache ?? { ...oracle.cache, dz2: oracle.dz2, da1: oracle.da1, dz1: oracle.dz1 },
        gpuGrads: r.grads,
        oracle: { loss: oracle.loss, grads: oracle.grads },
        data: held,
        ...(checked
          ? { bounds: shadowBounds(spec, r.params, held, config.loss) }
          : {
              boundsNote:
                `this run is too large to bound every gradient each frame (${(data.N * r.params.length).toLocaleString('en-US')} ` +
                `training points × parameters, above the page's ${BOUNDS_FRAME_MAX.toLocaleString('en-US')}), so they are compared ` +
                'without them (npm run train bounds every gradient of any size)',
            }),
      };
    },
    setLearningRate: (lr) => trainer.setLearningRate(lr),
    destroy: () => trainer.destroy(),
  };
}

/**
 * The most graph nodes (src/mlp/cpu-size.ts) one step of the scalar engine may build on the page. A frame
 * cannot do less than one step, and the step runs on the page's own thread. Measured on Node 20's V8 at this
 * size: 1.5 ms a step at best, 2 to 4 ms on average (a garbage collection now and then takes longer), well
 * inside a frame's CPU_FRAME_MS (./controller.ts) with room for a device several times slower; its graph is a
 * few MB. The oracle's snapshot each frame (matrix form, f64) is far less work than a step.
 */
export const CPU_STEP_MAX_NODES = 30_000;

/** A run too big for the scalar engine on the page: one step would hold the page for longer than a frame. */
export class CpuSizeError extends RangeError {
  constructor(readonly size: CpuSize) {
    super(
      `the CPU engine can train at most ${CPU_STEP_MAX_NODES.toLocaleString('en-US')} graph nodes a step, so that a step fits in a frame; ` +
        `N=${size.N}, d=${size.d}, H=${size.H} would build ${graphNodes(size).toLocaleString('en-US')}; ` +
        `lower the hidden width or the number of points`,
    );
    this.name = 'CpuSizeError';
  }
}

/** The CpuSizeError for a run of this size on the scalar engine, or null where one step fits in a frame. */
export function cpuSizeError(size: CpuSize): CpuSizeError | null {
  return graphNodes(size) > CPU_STEP_MAX_NODES ? new CpuSizeError(size) : null;
}

/**
 * A run on the scalar engine; `fromStep` numbers the steps on from a run that moved here. Throws a
 * CpuSizeError, building nothing, for a size whose single step would freeze the page.
 */
export function cpuSession(data: Dataset, params: ArrayLike<number>, config: RunConfig, fromStep = 0): Session {
  const tooBig = cpuSizeError({ N: data.N, d: data.d, H: config.hidden });
  if (tooBig) throw tooBig;
  const trainer = new CpuTrainer(data, params, config);
  trainer.stepCount = fromStep;
  const spec = { d: data.d, H: config.hidden, activation: config.activation };
  return {
    backend: 'cpu',
    step: (k) => void trainer.step(k),
    async snapshot() {
      const p = trainer.parameters();
      const r = lossAndGrads(spec, p, data, config.loss);
      return {
        backend: 'cpu',
        kernel: 'cpu-engine',
        activation: config.activation,
        step: trainer.stepCount,
        loss: r.loss,
        params: p,
        values: { ...r.cache, dz2: r.dz2, da1: r.da1, dz1: r.dz1 },
        gpuGrads: null,
        oracle: { loss: r.loss, grads: r.grads },
        data,
      };
    },
    setLearningRate: (lr) => void (trainer.lr = lr),
    destroy: () => {},
  };
}
