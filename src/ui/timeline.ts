/**
 * The run's moments, for looking back: the parameters (and step, loss) of the snapshots drawn while it trains, from
 * which the page recomputes any recorded step's whole picture on the CPU oracle. The loss curve and the mid-run
 * changes stay in ./history.ts; this keeps only what a picture cannot be rebuilt without.
 *
 * Bounded: every snapshot is kept until `max` are held (the first steps whole, one per step drawn); then the older
 * half is thinned to every other moment (the first kept) and the recent half stays whole, so a run of any length
 * holds at most `max` moments, denser towards now. A large network holds fewer, so that the parameters kept stay
 * within `budget` bytes (at least 4 moments whatever the size). Pure: no DOM.
 */
export interface Moment {
  step: number;
  /** L_total at `params`, as the run reported it when the moment was drawn. */
  loss: number;
  /** The run's parameters at `step` (flat layout W1, b1, …), a copy of their own. */
  params: Float64Array;
}

/** The bytes of parameters a timeline keeps at most by default (64 MiB): 500 moments up to 16,777 parameters. */
export const TIMELINE_BUDGET = 64 * 1024 * 1024;

export class Timeline {
  private kept: Moment[] = [];
  /** The newest step recorded (0 before any). */
  private newest = 0;

  constructor(
    readonly max = 500,
    readonly budget = TIMELINE_BUDGET,
  ) {
    if (!Number.isInteger(max) || max < 4) throw new RangeError(`Timeline: max must be an integer ≥ 4, got ${max}`);
    if (!(budget > 0)) throw new RangeError(`Timeline: budget must be a number of bytes > 0, got ${budget}`);
  }

  /** The most moments kept of `P` parameters each: `max`, fewer where they would pass the budget, at least 4. */
  cap(P: number): number {
    return Math.max(4, Math.min(this.max, Math.floor(this.budget / (8 * Math.max(1, P)))));
  }

  get moments(): readonly Moment[] {
    return this.kept;
  }

  /** The run's newest step recorded: how many steps the kept moments stand for. */
  get steps(): number {
    return this.newest;
  }

  /** What the kept parameters take in memory: 8 bytes a value (f64), the arrays' headers aside. */
  get bytes(): number {
    return this.kept.reduce((s, m) => s + m.params.byteLength, 0);
  }

  clear(): void {
    this.kept = [];
    this.newest = 0;
  }

  /**
   * Records a moment (its parameters copied). A moment at the step already newest replaces it (the parameters set by
   * hand at that step); one at an earlier step is refused: the run goes only forward (truncate first to go back).
   */
  record(step: number, loss: number, params: ArrayLike<number>): void {
    if (!Number.isInteger(step) || step < 0) throw new RangeError(`Timeline: step must be an integer ≥ 0, got ${step}`);
    const last = this.kept[this.kept.length - 1];
    if (last && step < last.step)
      throw new RangeError(`Timeline: step ${step} is before the newest recorded, ${last.step}`);
    const m: Moment = {
      step,
      loss,
      params: params instanceof Float64Array ? params.slice() : Float64Array.from(params),
    };
    this.newest = step;
    if (last && last.step === step) {
      this.kept[this.kept.length - 1] = m;
      return;
    }
    this.kept.push(m);
    const cap = this.cap(m.params.length);
    while (this.kept.length > cap) {
      const half = this.kept.length >> 1;
      const old = this.kept.slice(0, half).filter((_, i) => i % 2 === 0);
      this.kept = [...old, ...this.kept.slice(half)];
    }
  }

  /** The run continues from `step` (an earlier moment's parameters): the moments after it are no longer its past. */
  truncate(step: number): void {
    this.kept = this.kept.filter((m) => m.step <= step);
    this.newest = Math.min(this.newest, step);
  }

  /**
   * How many moments are kept, over which steps, in words ("312 moments kept, steps 0 to 4,210"): step 0 is a moment,
   * so the steps are named as a range rather than counted.
   */
  count(): string {
    const n = this.kept.length;
    const moments = `${n.toLocaleString('en-US')} ${n === 1 ? 'moment' : 'moments'} kept`;
    if (n === 0) return `${moments}, no steps yet`;
    const from = this.kept[0]!.step;
    const to = this.newest;
    return from === to
      ? `${moments}, step ${to.toLocaleString('en-US')}`
      : `${moments}, steps ${from.toLocaleString('en-US')} to ${to.toLocaleString('en-US')}`;
  }
}
