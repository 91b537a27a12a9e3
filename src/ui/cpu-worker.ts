/**
 * The page's CPU trainer, off the page's own thread: a Web Worker that holds one run's FastTrainer
 * (src/mlp/train/train-fast.ts) and answers ./cpu-session.ts's messages in order. It steps only when asked, so a
 * paused page changes nothing; each `step` does at most its count, and at most its time budget of them, so a
 * snapshot asked for after it arrives within a frame or two whatever the count. A failure (a divergence, a bad
 * setting) is kept and sent as the answer to the next snapshot, with what the page needs to name it.
 */
import { TrainingDivergedError } from '../mlp/divergence.js';
import { FastTrainer } from '../mlp/train/train-fast.js';
import { MistakenTrainer } from '../mlp/train/train-mistaken.js';
import type { ToWorker, FromWorker } from './cpu-session.js';

let trainer: FastTrainer | null = null;
let failure: FromWorker | null = null;

function failed(e: unknown): FromWorker {
  if (e instanceof TrainingDivergedError)
    return { type: 'diverged', fault: e.fault, spec: { d: e.spec.d, H: e.spec.H }, model: e.model ?? null };
  return { type: 'error', message: (e as Error).message ?? String(e) };
}

/** Up to k steps, in slices, until about `budgetMs` is spent (at least one step). */
function stepFor(t: FastTrainer, k: number, budgetMs: number): void {
  const t0 = performance.now();
  let done = 0;
  let slice = 1;
  while (done < k) {
    const n = Math.min(slice, k - done);
    t.step(n);
    done += n;
    if (performance.now() - t0 >= budgetMs) break;
    slice *= 2;
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  const post = (r: FromWorker) => (self as unknown as Worker).postMessage(r);
  if (m.type === 'init') {
    try {
      const data = { d: m.data.d, N: m.data.N, x: m.data.x, y: m.data.y };
      // a planted mistake (the page's bug hunt) trains on the subclass that carries it; FastTrainer stays honest
      trainer = m.mistake
        ? new MistakenTrainer(data, m.params, m.config, m.mistake)
        : new FastTrainer(data, m.params, m.config);
      trainer.stepCount = m.fromStep;
      failure = null;
    } catch (err) {
      failure = failed(err);
    }
    return;
  }
  if (m.type === 'snapshot') {
    if (failure) return post(failure);
    if (!trainer) return post({ type: 'error', message: 'the CPU trainer was not started' });
    const params = Float64Array.from(trainer.params);
    // with a planted mistake, its own gradients at these parameters, for the panel to check against the oracle
    const grads = trainer instanceof MistakenTrainer ? trainer.gradients() : undefined;
    return post({ type: 'snapshot', step: trainer.stepCount, params, ...(grads ? { grads } : {}) });
  }
  if (!trainer || failure) return; // a failed run does nothing more until it is replaced
  try {
    if (m.type === 'step') stepFor(trainer, m.k, m.budgetMs);
    // the session checked the length and the values
    else if (m.type === 'params') trainer.params.set(m.params);
    else trainer.lr = m.lr;
  } catch (err) {
    failure = failed(err);
  }
};
