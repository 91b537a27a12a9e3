/**
 * The loss history the curve draws, bounded: at `max` points the older half is thinned to every other point (the first
 * point and the recent half kept whole), so a long run costs O(max) memory and drawing time, with more detail where
 * the curve is moving. Pure: no DOM.
 */
export interface LossPoint {
  step: number;
  loss: number;
}

export class LossHistory {
  private pts: LossPoint[] = [];

  constructor(readonly max = 2000) {
    if (!Number.isInteger(max) || max < 4) throw new RangeError(`LossHistory: max must be an integer ≥ 4, got ${max}`);
  }

  get points(): readonly LossPoint[] {
    return this.pts;
  }

  clear(): void {
    this.pts = [];
  }

  /** Appends a point; a point for the step already last is replaced, not repeated. */
  add(p: LossPoint): void {
    const last = this.pts[this.pts.length - 1];
    if (last && last.step === p.step) {
      this.pts[this.pts.length - 1] = p;
      return;
    }
    this.pts.push(p);
    if (this.pts.length >= this.max) {
      const half = this.pts.length >> 1;
      const old = this.pts.slice(0, half).filter((_, i) => i % 2 === 0);
      this.pts = [...old, ...this.pts.slice(half)];
    }
  }

  /** The smallest loss seen (Infinity when empty). */
  min(): number {
    return this.pts.reduce((m, p) => Math.min(m, p.loss), Infinity);
  }
}
