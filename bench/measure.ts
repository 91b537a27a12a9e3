/**
 * How the benchmark measures: an implementation runs k SGD steps and returns once they are done. After a warm-up that
 * also sizes k, each repeat times k steps ending with a readback (so GPU work is finished, not just queued); a case
 * reports the median over repeats with min and max, and every implementation's ratio to every other.
 */
import type { Dataset } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';

/** The learning rate of every case. */
export const LR = 0.5;

export interface BenchResult {
  case: string;
  impl: string;
  unit: 'steps/s' | 'model-steps/s';
  median: number;
  min: number;
  max: number;
  repeats: number;
  /** GPU impls: the kernel that ran (fused-subgroup, fused-workgroup, steps, many, large). */
  variant?: string;
  /** GPU impls: median host time to record and submit one repeat's work, ms. */
  hostMs?: number;
  /** GPU dispatches per SGD step, where known. */
  dispatchesPerStep?: number;
  /** Impls that report their loss: over every training point before the first step and after the last one timed. */
  lossFirst?: number;
  lossLast?: number;
  /** Steps taken between lossFirst and lossLast (warm-up included). */
  steps?: number;
  /** How this impl's training differs from the case's network, where a peer cannot train it exactly. */
  note?: string;
  /** A peer rather than one of ours (set by the cases that tell them apart). */
  peer?: boolean;
}

export interface BenchRatio {
  case: string;
  impl: string;
  peer: string;
  /** impl's median over peer's median. */
  ratio: number;
}

/** One implementation: `run(k)` does k SGD steps (for every model) and returns once they are done. */
export interface Impl {
  impl: string;
  /** Models trained per step: 1, or M for the many-models case. */
  models: number;
  /** GPU impls: the kernel variant, named in the result. */
  variant?: string;
  run(k: number): Promise<{ hostMs: number } | void> | void;
  dispose?(): void;
  /** Copied into the result (BenchResult.dispatchesPerStep). */
  dispatchesPerStep?: number;
  /** The loss over every training point at the current parameters: recorded before and after timing. */
  loss?(): number | Promise<number>;
  /** Copied into the result (BenchResult.note). */
  note?: string;
  /** A peer, not one of ours: the table prints each of ours against each peer (cases that mark their peers). */
  peer?: boolean;
}

export interface Budget {
  repeats: number;
  seconds: number;
}

/** The matrix-form reference (f64) on the CPU. */
export function referenceImpl(data: Dataset, H: number, models = 1): Impl {
  const spec = { d: data.d, H };
  const theta = initParams(spec, 1);
  return {
    impl: 'cpu-reference',
    models,
    run: (k) => {
      for (let i = 0; i < k; i++) sgdUpdate(theta, lossAndGrads(spec, theta, data, 'bce').grads, LR);
    },
  };
}

/** The scalar autograd engine on the CPU. */
export function scalarImpl(data: Dataset, H: number): Impl {
  const t = new CpuTrainer(data, initParams({ d: data.d, H }, 1), { hidden: H, lr: LR, loss: 'bce' });
  return { impl: 'cpu-scalar', models: 1, run: (k) => void t.step(k) };
}

/** A GPU impl whose `step` records work and `sync` reads a result back. */
export function gpuImpl(
  impl: string,
  models: number,
  step: (k: number) => void,
  sync: () => Promise<unknown>,
  dispose: () => void,
  variant?: string,
): Impl {
  return {
    impl,
    models,
    ...(variant ? { variant } : {}),
    async run(k) {
      const t0 = performance.now();
      step(k);
      const hostMs = performance.now() - t0;
      await sync();
      return { hostMs };
    },
    dispose,
  };
}

/** Times one implementation: units per second for each repeat, after a warm-up that also sizes k. */
export async function measure(
  impl: Impl,
  { repeats, seconds }: Budget,
): Promise<{ rates: number[]; hostMs: number[]; steps: number }> {
  let k = 1;
  let steps = 0;
  for (;;) {
    const t0 = performance.now();
    await impl.run(k);
    steps += k;
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 4 || k >= 1 << 20) {
      k = Math.max(1, Math.round((k * seconds) / Math.max(dt, 1e-6)));
      break;
    }
    k *= 2;
  }
  const rates: number[] = [];
  const hostMs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const info = await impl.run(k);
    steps += k;
    rates.push((k * impl.models) / ((performance.now() - t0) / 1000));
    if (info) hostMs.push(info.hostMs);
  }
  return { rates, hostMs, steps };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Collects the results of the cases, their ratios and the impls that could not run. */
export class Recorder {
  readonly results: BenchResult[] = [];
  readonly ratios: BenchRatio[] = [];
  readonly failures: { case: string; impl: string; error: string }[] = [];

  constructor(
    private readonly budget: Budget,
    private readonly log: (line: string) => void,
  ) {}

  /** Measures every impl of a case in turn (disposing each), then records every ratio between them. */
  async runCase(name: string, unit: BenchResult['unit'], impls: Impl[]): Promise<void> {
    const here: BenchResult[] = [];
    for (const impl of impls) {
      this.log(`bench: ${name} ${impl.impl} ...\n`);
      try {
        const lossFirst = await impl.loss?.();
        const { rates, hostMs, steps } = await measure(impl, this.budget);
        const losses = lossFirst === undefined ? {} : { lossFirst, lossLast: await impl.loss!(), steps };
        const result = {
          case: name,
          impl: impl.impl,
          unit,
          median: median(rates),
          min: Math.min(...rates),
          max: Math.max(...rates),
          repeats: rates.length,
        };
        const kernel = {
          ...(impl.variant ? { variant: impl.variant } : {}),
          ...(impl.dispatchesPerStep ? { dispatchesPerStep: impl.dispatchesPerStep } : {}),
        };
        const extra = { ...losses, ...(impl.note ? { note: impl.note } : {}), ...(impl.peer ? { peer: true } : {}) };
        here.push({ ...result, ...(hostMs.length ? { hostMs: median(hostMs) } : {}), ...kernel, ...extra });
      } catch (e) {
        const error = (e as Error).message.split('\n')[0]!;
        this.log(`bench: ${name} ${impl.impl} failed: ${error}\n`);
        this.failures.push({ case: name, impl: impl.impl, error });
      } finally {
        impl.dispose?.();
      }
    }
    this.results.push(...here);
    for (const a of here)
      for (const b of here)
        if (a !== b) this.ratios.push({ case: name, impl: a.impl, peer: b.impl, ratio: a.median / b.median });
  }
}
