/**
 * Plain-words hints for runs that fail, from what the page already shows: dead
 * hidden units, an output stuck near 0.5, a loss that grew. Pure: numbers in,
 * sentences out, so a test can check each one against a run known to fail.
 */
export interface HintInput {
  step: number;
  hidden: number;
  /** Hidden units with a1 = 0 on every data point (ReLU only: f′ = 0 there). */
  dead: number;
  /** Hidden units with f′(z1) ≈ 0 on every data point (tanh, σ: saturated, not dead); default 0. */
  saturated?: number;
  yHat: ArrayLike<number>;
  /** The loss at step 0 of this run, the smallest seen and now. */
  firstLoss: number;
  minLoss: number;
  loss: number;
  lr: number;
}

export interface Hint {
  id: 'dead' | 'saturated' | 'stuck' | 'grows';
  text: string;
}

/** How close to 0.5 every ŷ must be, after how many steps, to call the output stuck. */
export const STUCK_BAND = 0.05;
export const STUCK_AFTER = 300;

export function hints(r: HintInput): Hint[] {
  const out: Hint[] = [];
  const grows = r.step > 0 && Number.isFinite(r.firstLoss) && r.loss > 2 * r.firstLoss && r.loss > r.minLoss;
  if (r.dead > 0) {
    const all = r.dead === r.hidden;
    const alive = r.hidden - r.dead;
    const after = all
      ? `With every unit dead, ŷ cannot depend on x at all${grows ? '; the oversized steps below pushed them there' : ': try another seed or a wider network'}.`
      : `The other ${alive === 1 ? 'unit is' : `${alive} units are`} all the network has left to bend the boundary with.`;
    out.push({
      id: 'dead',
      text:
        `${r.dead} of ${r.hidden} hidden unit${r.hidden === 1 ? '' : 's'} ${r.dead === 1 ? 'is' : 'are'} dead: ` +
        `the pre-activation z1 is negative on every training point, so ReLU outputs 0, passes back no gradient, and the unit never recovers. ${after}`,
    });
  }
  const sat = r.saturated ?? 0;
  if (sat > 0) {
    out.push({
      id: 'saturated',
      text:
        `${sat} of ${r.hidden} hidden unit${r.hidden === 1 ? '' : 's'} ${sat === 1 ? 'is' : 'are'} saturated: |z1| is so large on every training point that f′(z1) is nearly 0, ` +
        'so almost no gradient passes back and the unit learns very slowly. Unlike a dead ReLU it is not stuck for good; a smaller learning rate or inputs nearer [−1, 1] keep units out of saturation.',
    });
  }
  let stuck = r.step >= STUCK_AFTER && r.yHat.length > 0;
  for (let n = 0; n < r.yHat.length; n++) if (Math.abs(r.yHat[n]! - 0.5) > STUCK_BAND) stuck = false;
  if (stuck) {
    out.push({
      id: 'stuck',
      text: 'ŷ is stuck near 0.5 on every point: the network gives the same guess everywhere, which is the best constant answer when the two labels are equally common, as in XOR. It has no working units to bend the boundary; try another seed or more hidden units.',
    });
  }
  if (grows) {
    out.push({
      id: 'grows',
      text: `The loss grew from ${r.firstLoss.toPrecision(3)} at step 0 to ${r.loss.toPrecision(3)}: the learning rate ${r.lr} is too large, so each step overshoots. Lower the learning rate (0.5 works here).`,
    });
  }
  return out;
}

/**
 * The banner for a run that stopped with an error: the error itself, and for a
 * divergence (TrainingDivergedError on either backend, or a GPU status error
 * saying NaN or infinite) the step it happened at and what to do about it.
 */
export function failureText(e: Error): string {
  // A divergence message ends with its own short hint; the banner gives the longer one below.
  const message = `${e.message.replace(/; lower the learning rate or rescale the data$/, '').replace(/[.\s]+$/, '')}.`;
  const step = (e as { step?: unknown }).step;
  const diverged = e.name === 'TrainingDivergedError' || /diverged|NaN|infinite/i.test(e.message);
  if (!diverged) return `${message} Press Reset to start again.`;
  const at = typeof step === 'number' ? ` at step ${step}` : '';
  return `${message} Training blew up${at}: each step overshot until the numbers left the range of floating point. Lower the learning rate (0.5 works for XOR) or rescale the inputs to about [−1, 1], then press Reset.`;
}
