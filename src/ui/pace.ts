/**
 * The pace as a rate: how many steps each animation frame owes at a rate in steps a second, from the time that has
 * passed (the fraction left over carried to the next frame), and the rate actually reached, measured over the last
 * seconds of wall-clock time. Pure: no DOM, the clock passed in.
 */
import type { Speed } from './state.js';

/**
 * Steps a frame at 'max' where the steps run on the page's side of the GPU queue (one submit, one readback): the
 * largest steps-per-frame setting the page had before the pace was a rate. A worker, or the CPU on the page's own
 * thread, stops at its time budget first.
 */
export const MAX_CHUNK = 20_000;

/**
 * A frame further than this from the last one (a slow draw, a tab in the background) owes only this much time's
 * steps: the run does not rush to catch up, it just falls behind the rate.
 */
export const MAX_GAP_MS = 250;

/** The display's usual frame rate: the first frame after Play owes one frame's worth of steps at it. */
export const FRAMES_PER_SECOND = 60;

export class Pacer {
  private last: number | null = null;
  private carry = 0;

  /** Playing starts again: the next frame steps at once (one step), and the time paused is owed nothing. */
  restart(): void {
    this.last = null;
    this.carry = 0;
  }

  /** The steps the frame at time `now` (ms) owes at `speed`: often 0 at a slow rate, MAX_CHUNK at 'max'. */
  due(speed: Speed, now: number): number {
    if (speed === 'max') {
      this.last = now;
      this.carry = 0;
      return MAX_CHUNK;
    }
    if (this.last === null) {
      this.last = now;
      this.carry = 0;
      // a press of Play shows steps at once: one at a slow rate (the next 1/speed seconds later), a frame's worth at a
      // fast one (a first frame of one step would make a heavy run wait a whole extra frame to show any progress)
      return Math.max(1, Math.round(speed / FRAMES_PER_SECOND));
    }
    const dt = Math.min(MAX_GAP_MS, Math.max(0, now - this.last));
    this.last = now;
    this.carry += (speed * dt) / 1000;
    // a hair of slack: 10 steps owed must not come out as 9.999999 and wait a frame
    const k = Math.floor(this.carry + 1e-9);
    this.carry = Math.max(0, this.carry - k);
    return k;
  }
}

/** The steps a second reached, over the last WINDOW_MS of frames (steps counted when their frame began). */
export class RateMeter {
  static readonly WINDOW_MS = 3000;
  /** Shorter spans than this give no figure yet (a first step at once would read as a huge rate). */
  static readonly MIN_SPAN_MS = 400;
  private samples: { t: number; steps: number }[] = [];
  private total = 0;

  clear(): void {
    this.samples = [];
    this.total = 0;
  }

  /** A frame begins at `now` (ms), with `steps` more done since the last frame began. */
  frame(now: number, steps: number): void {
    this.total += steps;
    // the window opens once a step is done: the first, taken at once, has no time of its own to count against
    if (this.total === 0) return;
    this.samples.push({ t: now, steps: this.total });
    while (this.samples.length > 2 && now - this.samples[1]!.t >= RateMeter.WINDOW_MS) this.samples.shift();
  }

  /** Steps a second over the window, 0 when the window is still too short to say. */
  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t - first.t < RateMeter.MIN_SPAN_MS) return 0;
    return (1000 * (last.steps - first.steps)) / (last.t - first.t);
  }
}
