/**
 * A run on the CPU as the page sees it without WebGPU: FastTrainer (src/mlp/train/train-fast.ts, f64) in a Web
 * Worker (./cpu-worker.ts), so the page's own thread only draws. The worker steps only when asked and answers in
 * order, so a snapshot read after `step(k)` shows those steps (up to the worker's time budget a message, which the
 * snapshot's step number tells); the oracle's view of the same parameters is computed here, as for the GPU.
 */
import type { Fault } from '../mlp/divergence.js';
import { TrainingDivergedError } from '../mlp/divergence.js';
import { checkFinite } from '../mlp/checks.js';
import type { Dataset } from '../mlp/data/data.js';
import type { ModelShape } from '../mlp/model.js';
import type { Spec } from '../mlp/spec.js';
import type { Mistake } from '../mlp/train/train-mistaken.js';
import type { TrainingOptions } from '../mlp/train/training-run.js';
import { cpuSnapshot, type RunConfig, type Session, type Snapshot } from './session.js';

/** The page to the worker. */
export type ToWorker =
  | {
      type: 'init';
      data: { d: number; N: number; x: Float64Array; y: Float64Array };
      params: Float64Array;
      config: TrainingOptions;
      fromStep: number;
      /** A planted backprop mistake (the bug hunt), or none. */
      mistake?: Mistake;
    }
  | { type: 'step'; k: number; budgetMs: number }
  | { type: 'lr'; lr: number }
  | { type: 'params'; params: Float64Array }
  | { type: 'snapshot' };

/** The worker to the page: a snapshot's step and parameters, or why the run stopped. */
export type FromWorker =
  | { type: 'snapshot'; step: number; params: Float64Array; grads?: Float64Array }
  | { type: 'diverged'; fault: Fault; spec: Pick<Spec, 'd' | 'H'>; model: ModelShape | null }
  | { type: 'error'; message: string };

/** The worker's failure as the error the page names (a divergence keeps its class, so the banner says what to do). */
function errorOf(r: Exclude<FromWorker, { type: 'snapshot' }>): Error {
  if (r.type === 'diverged') return new TrainingDivergedError(r.fault, r.spec, r.model ?? undefined);
  return new Error(r.message);
}

/**
 * The worker's time for one frame's steps: as long as the page's thread took to draw the last snapshot (the worker
 * would idle meanwhile), so stepping and drawing take about half the time each, within these bounds.
 */
export const STEP_BUDGET_MS = { min: 30, max: 200 } as const;

export function workerSession(
  data: Dataset,
  params: ArrayLike<number>,
  config: RunConfig,
  fromStep = 0,
  mistake?: Mistake,
): Session {
  const worker = new Worker(new URL('./cpu-worker.ts', import.meta.url), { type: 'module', name: 'cpu-trainer' });
  const waiting: ((r: FromWorker) => void)[] = [];
  let readAt = 0; // when the last snapshot reached the page's thread
  let dead: Error | null = null;
  worker.onmessage = (e: MessageEvent<FromWorker>) => waiting.shift()?.(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    dead = new Error(`the CPU trainer stopped: ${e.message || 'its worker failed to start'}`);
    for (const w of waiting.splice(0)) w({ type: 'error', message: dead.message });
  };
  const send = (m: ToWorker) => worker.postMessage(m);
  send({
    type: 'init',
    data: { d: data.d, N: data.N, x: data.x, y: data.y },
    params: Float64Array.from(params),
    config: { ...config, hidden: [...config.hidden] },
    fromStep,
    ...(mistake ? { mistake } : {}),
  });
  const size = params.length;
  return {
    backend: 'cpu',
    offThread: true,
    step: (k) => {
      const drawing = readAt > 0 ? performance.now() - readAt : 0;
      send({ type: 'step', k, budgetMs: Math.min(STEP_BUDGET_MS.max, Math.max(STEP_BUDGET_MS.min, drawing)) });
    },
    async snapshot(): Promise<Snapshot> {
      if (dead) throw dead;
      const r = await new Promise<FromWorker>((resolve) => {
        waiting.push(resolve);
        send({ type: 'snapshot' });
      });
      readAt = performance.now();
      if (r.type !== 'snapshot') throw errorOf(r);
      return cpuSnapshot(data, r.params, config, r.step, 'cpu-fast', r.grads);
    },
    setLearningRate: (lr) => send({ type: 'lr', lr }),
    setParams: (next) => {
      if (next?.length !== size) throw new RangeError(`params: expected ${size} values, got ${next?.length}`);
      checkFinite('params', next);
      send({ type: 'params', params: Float64Array.from(next) });
    },
    destroy: () => worker.terminate(),
  };
}
