/**
 * The run's timeline, the one place that keeps it: the loss history the curve draws, and the settings changed
 * mid-run (the steps where the curve is marked, and where a hint about the loss starts judging). Bounded: at `max`
 * points the older half is thinned to every other point (the first point, the points at a change and the recent half
 * kept whole), so a long run costs O(max) memory and drawing time, with more detail where the curve is moving.
 * Pure: no DOM.
 */
export interface LossPoint {
  step: number;
  loss: number;
  /** The held-out points' data loss at the same parameters, where points are held out. */
  test?: number;
}

/** A setting changed while the run went on: from the steps after `step`, the run trains with `to`. */
export interface Change {
  step: number;
  /** The setting, as the page names it ("learning rate"). */
  what: string;
  from: string;
  to: string;
}

/** The stretch of the run since the last change (the whole run if none): what a hint about the loss may judge. */
export interface Segment {
  /** Its first step (0, or the step of the last change) and the loss there (NaN if not recorded). */
  since: number;
  firstLoss: number;
  /** The loss about halfway from `since` to now (NaN when unknown): is it still falling? */
  pastLoss: number;
  /** The smallest loss since (Infinity when none). */
  minLoss: number;
  change?: Change;
}

/** Changes kept at most (the newest); each is a mark on the curve. */
const MAX_CHANGES = 50;

export class LossHistory {
  private pts: LossPoint[] = [];
  private marks: Change[] = [];
  /** A change made while a frame was in flight: it lands at the step that frame reads back. */
  private pending: Omit<Change, 'step'> | null = null;

  constructor(readonly max = 2000) {
    if (!Number.isInteger(max) || max < 4) throw new RangeError(`LossHistory: max must be an integer ≥ 4, got ${max}`);
  }

  get points(): readonly LossPoint[] {
    return this.pts;
  }

  get changes(): readonly Change[] {
    return this.marks;
  }

  clear(): void {
    this.pts = [];
    this.marks = [];
    this.pending = null;
  }

  /** The run continues from `step` (an earlier state): its points and marks after that step are no longer its past. */
  truncate(step: number): void {
    this.pts = this.pts.filter((p) => p.step <= step);
    this.marks = this.marks.filter((c) => c.step <= step);
    this.pending = null;
  }

  /** Appends a point; a point for the step already last is replaced, not repeated. */
  add(p: LossPoint): void {
    if (this.pending) {
      if (p.step > 0) this.note({ ...this.pending, step: p.step });
      this.pending = null;
    }
    const last = this.pts[this.pts.length - 1];
    if (last && last.step === p.step) {
      this.pts[this.pts.length - 1] = p;
      return;
    }
    this.pts.push(p);
    if (this.pts.length >= this.max) {
      const half = this.pts.length >> 1;
      const marked = new Set(this.marks.map((c) => c.step));
      const old = this.pts.slice(0, half).filter((q, i) => i % 2 === 0 || marked.has(q.step));
      this.pts = [...old, ...this.pts.slice(half)];
    }
  }

  /**
   * A setting changed mid-run, after the last point recorded (`next`: after the point still to come, the frame in
   * flight having stepped at the old value). A change before any step is no change of the run: nothing is marked.
   * Two changes at one step are one, from the first value to the last.
   */
  change(c: Omit<Change, 'step'>, next = false): void {
    if (next) {
      this.pending = this.pending ? { ...c, from: this.pending.from } : c;
      return;
    }
    const last = this.pts[this.pts.length - 1];
    if (!last || last.step === 0) return;
    this.note({ ...c, step: last.step });
  }

  private note(c: Change): void {
    const same = this.marks[this.marks.length - 1];
    if (same && same.step === c.step && same.what === c.what) {
      this.marks[this.marks.length - 1] = { ...c, from: same.from };
      if (c.to === same.from) this.marks.pop(); // changed and changed back: the run never trained otherwise
      return;
    }
    this.marks.push(c);
    if (this.marks.length > MAX_CHANGES) this.marks.shift();
  }

  /** The run since the last change, as of `step`. */
  segment(step: number): Segment {
    const change = this.marks.filter((c) => c.step <= step).at(-1);
    const since = change?.step ?? 0;
    let firstLoss = NaN;
    let pastLoss = NaN;
    let minLoss = Infinity;
    const half = since + (step - since) / 2;
    for (const p of this.pts) {
      if (p.step < since) continue;
      if (p.step === since) firstLoss = p.loss;
      if (p.step <= half) pastLoss = p.loss;
      minLoss = Math.min(minLoss, p.loss);
    }
    return { since, firstLoss, pastLoss, minLoss, ...(change ? { change } : {}) };
  }

  /** The smallest loss seen (Infinity when empty). */
  min(): number {
    return this.pts.reduce((m, p) => Math.min(m, p.loss), Infinity);
  }
}
