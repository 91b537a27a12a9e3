/**
 * Plain-words hints from what the page already shows: dead hidden units, an output stuck near 0.5, a loss that grew
 * or an output pinned at 0 or 1 by oversized steps. Dead units in a run still learning are a note ('info'); in a
 * failing run, or all of them, a warning. One diagnosis, never contradicting itself. Pure, so a test can check each
 * hint against a run known to fail.
 */
import { describeFault, type FaultNames, nonFiniteName, TrainingDivergedError } from '../mlp/divergence.js';
import { parameterNames } from './gradients.js';
import type { ModelShape } from '../mlp/model.js';

export interface HintInput {
  step: number;
  hidden: number;
  /** Hidden units with a1 = 0 on every data point (ReLU only: f′ = 0 there). */
  dead: number;
  /** Hidden units with f′(z1) ≈ 0 on every data point (tanh, σ: saturated, not dead); default 0. */
  saturated?: number;
  yHat: ArrayLike<number>;
  /** The fraction of training points classified correctly now, in [0, 1]. */
  accuracy: number;
  /** The loss at step 0 of this run, the smallest seen and now. */
  firstLoss: number;
  minLoss: number;
  loss: number;
  /** The loss at about half the current step (NaN when unknown): is it still falling? */
  pastLoss: number;
  lr: number;
}

export interface Hint {
  id: 'dead' | 'saturated' | 'stuck' | 'grows';
  /** 'info' for a run that is learning (neutral style), 'warn' for one that is failing. */
  level: 'info' | 'warn';
  text: string;
}

/** How close to 0.5 every ŷ must be, after how many steps, to call the output stuck. */
export const STUCK_BAND = 0.05;
export const STUCK_AFTER = 300;
/** A loss this many times its step-0 value has grown (any loss: BCE or MSE). */
export const GROWN = 1.2;
/** ŷ this close to 0 or 1 is saturated: σ′ is about this small, so almost no gradient passes. */
export const SATURATED = 1e-4;
/** After this many steps a run short of 100% whose loss fell less than 2% over the last half has stalled. */
export const STALLED_AFTER = 1000;

export function hints(r: HintInput): Hint[] {
  const out: Hint[] = [];
  const n = r.yHat.length;
  const grew = r.step > 0 && Number.isFinite(r.firstLoss) && r.loss > GROWN * r.firstLoss;
  // every ŷ pinned at 0 or 1 while some are wrong: the steps overshot into σ's flat tails
  let pinned = r.step > 0 && n > 0 && r.accuracy < 1;
  for (let i = 0; i < n; i++) if (Math.min(r.yHat[i]!, 1 - r.yHat[i]!) > SATURATED) pinned = false;
  let stuck = r.step >= STUCK_AFTER && n > 0;
  for (let i = 0; i < n; i++) if (Math.abs(r.yHat[i]! - 0.5) > STUCK_BAND) stuck = false;
  const stalled = r.step >= STALLED_AFTER && r.accuracy < 1 && !(r.loss < 0.98 * r.pastLoss);
  const overshoots = grew || pinned;
  const failing = overshoots || stuck || stalled;
  if (r.dead > 0) {
    const all = r.dead === r.hidden;
    const alive = r.hidden - r.dead;
    const others = `${alive === 1 ? 'The other unit' : `The other ${alive} units`}`;
    const after = all
      ? `With every unit dead, ŷ cannot depend on x at all${overshoots ? '; the oversized steps below pushed them there' : ': try another seed or a wider network'}.`
      : failing
        ? `${others} ${alive === 1 ? 'is' : 'are'} all the network has left to bend the boundary with${alive === 1 ? ', and one ReLU unit bends it along a single line, which cannot separate XOR' : ''}${overshoots ? '' : ': try another seed or a wider network'}.`
        : `${others} ${alive === 1 ? 'is' : 'are'} enough here: the run is still learning, so this is a note, not a failure.`;
    out.push({
      id: 'dead',
      level: failing || all ? 'warn' : 'info',
      text:
        `${r.dead} of ${r.hidden} hidden unit${r.hidden === 1 ? '' : 's'} ${r.dead === 1 ? 'is' : 'are'} dead: ` +
        `the pre-activation z1 is negative on every training point, so ReLU outputs 0, passes back no gradient, and the unit never recovers. ${after}`,
    });
  }
  const sat = r.saturated ?? 0;
  if (sat > 0) {
    out.push({
      id: 'saturated',
      level: failing ? 'warn' : 'info',
      text:
        `${sat} of ${r.hidden} hidden unit${r.hidden === 1 ? '' : 's'} ${sat === 1 ? 'is' : 'are'} saturated: |z1| is so large on every training point that f′(z1) is nearly 0, ` +
        'so almost no gradient passes back and the unit learns very slowly. ' +
        'Unlike a dead ReLU it is not stuck for good; ' +
        'a smaller learning rate or inputs nearer [−1, 1] keep units out of saturation.',
    });
  }
  if (stuck) {
    out.push({
      id: 'stuck',
      level: 'warn',
      text: `ŷ is stuck near 0.5 on every point: the network gives the same guess everywhere, which is the best constant answer when the two labels are equally common, as in XOR. ${r.dead > 0 ? 'Its units cannot bend the boundary (see above)' : 'Its units do not yet bend the boundary'}; try another seed or more hidden units.`,
    });
  }
  if (overshoots) {
    const what = grew
      ? `The loss grew from ${r.firstLoss.toPrecision(3)} at step 0 to ${r.loss.toPrecision(3)}`
      : `ŷ is pinned at 0 or 1 on every point, some of them wrong (the loss is ${r.loss.toPrecision(3)})`;
    out.push({
      id: 'grows',
      level: 'warn',
      text: `${what}: the learning rate ${r.lr} is too large, so each step overshoots${grew ? '' : ' into the flat tails of σ, where almost no gradient passes back'}. Lower the learning rate (0.5 works here).`,
    });
  }
  return out;
}

/**
 * The banner for a run that stopped with an error: the error itself, and for a
 * divergence (TrainingDivergedError on either backend, or a GPU status error
 * saying NaN or infinite) what to do about it. `shownStep` is the step the page
 * still shows, when that is not the state the run kept.
 */
export function failureText(e: Error, shownStep?: number): string {
  // A divergence is named as the page names things, counted from 1 (W1[1][1], sample 1), as in the table and the graph.
  const said =
    e instanceof TrainingDivergedError
      ? describeFault(e.spec, e.fault, pageNames(e.model ?? { d: e.spec.d, hidden: [e.spec.H] }))
      : e.message;
  // A divergence message ends with its own short hint; the banner gives the longer one below.
  const message = `${said.replace(/; lower the learning rate or rescale the data$/, '').replace(/[.\s]+$/, '')}.`;
  const step = (e as { step?: unknown }).step;
  const diverged = e.name === 'TrainingDivergedError' || /diverged|NaN|infinite/i.test(e.message);
  if (!diverged) return `${message} Press Play or Reset to start a new run.`;
  const at = typeof step === 'number' && !message.startsWith(`step ${step}:`) ? ` at step ${step}` : ''; // said once
  const shown =
    typeof step === 'number' && shownStep !== undefined && shownStep !== step - 1
      ? ` The page still shows step ${shownStep}, the last state it read back.`
      : '';
  return `${message} Training blew up${at}: each step overshot until the numbers left the range of floating point. Lower the learning rate (0.5 works for XOR) or rescale the inputs to about [−1, 1], then press Play or Reset to start a new run.${shown}`;
}

/** Page names of a parameter and a sample, counted from 1 as in the gradient table, graph and network picture. */
export function pageNames(shape: ModelShape): FaultNames {
  const names = parameterNames(shape);
  return {
    element: (k) => names[k] ?? `parameter ${k + 1}`,
    sample: (n) => String(n + 1),
    value: (v) => (Number.isNaN(v) ? 'NaN (not a number)' : nonFiniteName(v)),
  };
}
