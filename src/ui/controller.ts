/**
 * Playback as a small state machine with no DOM (PlaybackController): it owns the live training session and the frame
 * loop, and never drops a click.
 */
import { Pacer, RateMeter } from './pace.js';
import type { Session, Snapshot } from './session.js';
import type { Speed } from './state.js';

/**
 * On the CPU engine a step runs on the page's own thread, so a frame does at
 * most about this many milliseconds of steps (however many the pace asks for),
 * and the page keeps answering clicks. The GPU only records.
 */
export const CPU_FRAME_MS = 30;

/**
 * A GPU frame asks for at most the steps that took about this long in the frames before (steps, readback and drawing
 * together), whatever the pace asks: a heavy run (tens of thousands of points on a slow adapter) would otherwise make
 * a frame of thousands of steps last many seconds, and Pause waits for the frame in flight.
 */
export const GPU_FRAME_MS = 200;

/**
 * Steps `session` up to k times, in slices sized from the time the steps so far
 * took (at most doubling), stopping once `budgetMs` is spent (at least one
 * step); returns the steps done. At most about twice the budget is spent.
 */
export function stepWithin(
  session: Pick<Session, 'step'>,
  k: number,
  budgetMs: number,
  now = () => performance.now(),
): number {
  const t0 = now();
  let done = 0;
  let slice = 1;
  while (done < k) {
    const n = Math.min(slice, k - done);
    session.step(n);
    done += n;
    const elapsed = now() - t0;
    if (elapsed >= budgetMs) break;
    // Half the steps the time so far says still fit, and never more than doubling what is done: the
    // page's clock is coarse (a fast first step can read as 0 ms), so an estimate alone could overshoot by seconds.
    const fit = elapsed > 0 ? Math.floor(((budgetMs - elapsed) * done) / elapsed / 2) : done;
    slice = Math.max(1, Math.min(done, fit));
  }
  return done;
}

export type PlayState = 'starting' | 'idle' | 'pausing' | 'playing' | 'resetting' | 'failed';

export interface ControllerHooks<From> {
  /** Builds a session from the current settings (continuing `from` if given). */
  create(from?: From): Promise<Session>;
  /** Every snapshot read, with the steps a second reached lately (0 if not yet known). */
  onSnapshot(s: Snapshot, stepsPerSecond: number): void;
  onState(state: PlayState): void;
  onFailure(e: Error): void;
  /** Calls `fn` at the next animation frame. */
  schedule(fn: () => void): void;
  /** The pace while playing: steps a second, or 'max'; read every frame, so a change applies at once. */
  rate(): Speed;
  /** The clock, in ms (performance.now() unless a test gives its own). */
  now?(): number;
}

interface Live {
  session: Session;
  /** The readback in flight on this session, if any. */
  inflight: Promise<unknown> | null;
  /** A GPU frame's milliseconds per step so far (0 until measured): sizes the next frame (GPU_FRAME_MS). */
  msPerStep?: number;
}

/**
 *   starting ──first session──► idle ◄── pausing ◄──pause── playing
 *       │                        │  ▲   (the frame in flight    ▲
 *       │                        │  │    lands, then idle)      │
 *       └───── reset() ────► resetting ────────────────────────┘ (back to playing if Play is wanted)
 *   any state ── an error ──► failed ── reset() or play() ──► resetting
 *
 * "Play" is an intent (`wanted`), kept whatever the state: pressed while the first run is still being built, it starts
 * that run when it exists; kept across a reset, the new run plays on. The frame loop keeps scheduling itself while no
 * session is installed. Of overlapping resets the last one wins: every other new session is destroyed as soon as it
 * is built. A session is destroyed only after its in-flight readback (a `mapAsync` on the GPU) ends. "idle" means the
 * numbers on the page will not change: a pause that lands while a frame's readback is in flight is "pausing" until
 * that frame is drawn.
 */
export class PlaybackController<From = never> {
  state: PlayState = 'starting';
  /** Play was pressed and not paused since. */
  wanted = false;
  /** Sessions built and not yet destroyed (1 when all is well; for tests). */
  liveSessions = 0;
  last: Snapshot | null = null;
  private live: Live | null = null;
  private generation = 0;
  private looping = false;
  private readonly pacer = new Pacer();
  private readonly meter = new RateMeter();
  /** Steps the last frame did, counted by the meter when the next frame begins; the rate those frames ran at. */
  private lastDone = 0;
  private lastRate: Speed | null = null;

  constructor(private readonly hooks: ControllerHooks<From>) {}

  get session(): Session | null {
    return this.live?.session ?? null;
  }

  /** A frame's readback is in flight: steps already sent will show in the next snapshot drawn. */
  get reading(): boolean {
    return this.live?.inflight != null;
  }

  /** Play; after a failure, Play starts a new run from the current settings (the failed one is over). */
  play(): void {
    if (!this.wanted) this.restartPace();
    this.wanted = true;
    if (this.state === 'failed') void this.reset();
    this.settle();
    if (!this.looping) {
      this.looping = true;
      this.hooks.schedule(() => void this.frame());
    }
  }

  pause(): void {
    this.wanted = false;
    this.settle();
  }

  toggle(): void {
    if (this.wanted) this.pause();
    else this.play();
  }

  /** One step, then a redraw; ignored while playing or while no session is installed. */
  async stepOnce(): Promise<void> {
    if (this.wanted || !this.live || this.live.inflight) return;
    try {
      this.live.session.step(1);
      await this.read(this.live);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /**
   * Replaces the installed run's parameters and draws its snapshot at the same step: only while paused with nothing
   * in flight (else null, nothing changed). A refused value throws before anything changes.
   */
  async setParams(params: ArrayLike<number>): Promise<Snapshot | null> {
    const live = this.live;
    if (this.wanted || !live || live.inflight || this.state !== 'idle') return null;
    live.session.setParams(params);
    try {
      await this.read(live);
    } catch (e) {
      if (this.live === live) this.fail(e as Error);
      return null;
    }
    return this.live === live ? this.last : null;
  }

  /**
   * Replaces the session by a new one built from the current settings. Play
   * stays as it was. Resolves when this reset's session is installed and
   * drawn, or when a later reset has overtaken it.
   */
  async reset(from?: From): Promise<void> {
    const generation = ++this.generation;
    const old = this.live;
    this.live = null;
    this.restartPace();
    this.state = this.state === 'starting' ? 'starting' : 'resetting';
    this.hooks.onState(this.state);
    if (old) void this.retire(old);
    let session: Session;
    try {
      session = await this.hooks.create(from);
    } catch (e) {
      if (generation === this.generation) this.fail(e as Error);
      return;
    }
    this.liveSessions++;
    const live: Live = { session, inflight: null };
    if (generation !== this.generation) {
      void this.retire(live); // a later reset owns the page now
      return;
    }
    this.live = live;
    try {
      await this.read(live);
    } catch (e) {
      if (this.live === live) this.fail(e as Error);
      return;
    }
    if (this.live === live) this.settle();
  }

  private settle(): void {
    if (this.state === 'failed') return void this.hooks.onState('failed'); // only a reset leaves it
    const next: PlayState = !this.live
      ? this.state === 'starting'
        ? 'starting'
        : 'resetting'
      : this.wanted
        ? 'playing'
        : this.live.inflight && this.state === 'playing'
          ? 'pausing'
          : 'idle';
    this.state = next;
    this.hooks.onState(next); // also when the state stays: Play pressed while starting changes what the page shows
  }

  /** One animation frame: record a chunk of steps, read back once, redraw; schedules the next while Play is wanted. */
  private async frame(): Promise<void> {
    if (!this.wanted) {
      this.looping = false;
      return;
    }
    const live = this.live;
    if (live && !live.inflight && this.state !== 'failed') {
      const t0 = this.now();
      const rate = this.hooks.rate();
      if (rate !== this.lastRate) {
        this.meter.clear(); // the rate shown is the new one's, not an average across the change
        this.lastDone = 0;
        this.lastRate = rate;
      }
      this.meter.frame(t0, this.lastDone);
      this.lastDone = 0;
      // at a slow rate most frames owe no step: nothing is stepped, read or drawn
      const asked = this.pacer.due(rate, t0);
      if (asked > 0) await this.stepFrame(live, asked);
    }
    if (this.wanted) this.hooks.schedule(() => void this.frame());
    else this.looping = false;
  }

  private now(): number {
    return this.hooks.now ? this.hooks.now() : performance.now();
  }

  /** Playing (again), or a new run: the next frame steps at once, and the rate shown starts afresh. */
  private restartPace(): void {
    this.pacer.restart();
    this.meter.clear();
    this.lastDone = 0;
  }

  /** Steps `asked` (a worker or the CPU within its time budget), reads back once and draws. */
  private async stepFrame(live: Live, asked: number): Promise<void> {
    try {
      const before = this.last?.step ?? 0;
      // a worker steps within its own time budget: how many it did, the snapshot's step tells
      const t0 = this.now();
      const gpu = !live.session.offThread && live.session.backend !== 'cpu';
      let k: number | null;
      if (live.session.offThread) {
        live.session.step(asked);
        k = null;
      } else if (!gpu) k = stepWithin(live.session, asked, CPU_FRAME_MS);
      else {
        // as many as the pace asks, but no more than took GPU_FRAME_MS in the frames before
        const per = live.msPerStep ?? 0;
        k = per > 0 ? Math.max(1, Math.min(asked, Math.floor(GPU_FRAME_MS / per))) : asked;
        live.session.step(k);
      }
      await this.read(live);
      if (gpu && k) live.msPerStep = (this.now() - t0) / k;
      const done = k ?? Math.max(0, (this.last?.step ?? before) - before);
      if (this.live === live) this.lastDone = done;
    } catch (e) {
      if (this.live === live) this.fail(e as Error);
    }
  }

  /** Reads a snapshot of `live`, marking the readback in flight; draws it if `live` is still current. */
  private async read(live: Live): Promise<void> {
    const p = live.session.snapshot();
    live.inflight = p;
    try {
      const s = await p;
      if (this.live !== live) return;
      this.last = s;
      this.hooks.onSnapshot(s, this.meter.perSecond());
    } finally {
      live.inflight = null;
      if (this.live === live && this.state === 'pausing') this.settle(); // the last frame is drawn: now idle
    }
  }

  /** Destroys a session once its readback, if any, has ended. */
  private async retire(live: Live): Promise<void> {
    while (live.inflight) await live.inflight.catch(() => undefined);
    live.session.destroy();
    this.liveSessions--;
  }

  private fail(e: Error): void {
    this.wanted = false;
    this.state = 'failed';
    this.hooks.onState('failed');
    this.hooks.onFailure(e);
  }
}
