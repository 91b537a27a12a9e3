/**
 * Looking back: a step slider over the run's moments (./timeline.ts). Moved, it draws an earlier step's whole picture,
 * recomputed on the CPU oracle from the parameters kept then (the GPU's own values at that step are not kept), and
 * says so. Play goes on from the present; "Play on from here" plays on from the step looked at instead.
 */
import type { App } from './app.js';
import { q } from './dom.js';
import { cpuSnapshot, runConfig, type Snapshot } from './session.js';
import { render } from './view.js';

export interface ScrubElements {
  input: HTMLInputElement;
  words: HTMLOutputElement;
  count: HTMLElement;
  note: HTMLElement;
  resume: HTMLButtonElement;
  /** The gradient panel heading's words, which name the sides it compares. */
  gradWhat: HTMLElement;
}

export function scrubElements(): ScrubElements {
  const t = (id: string) => `[data-testid="${id}"]`;
  return {
    input: q(t('scrub-step')),
    words: q(t('scrub-words')),
    count: q(t('scrub-count')),
    note: q(t('scrub-note')),
    resume: q(t('scrub-continue')),
    gradWhat: q(t('grad-heading-what')),
  };
}

const num = (n: number) => n.toLocaleString('en-US');
/** The runs that were training when the learner looked back (the slider paused them), so the note can say so. */
const pausedToLook = new WeakMap<App, boolean>();
const PAST_WHAT = 'the past recomputed';

/** The moment looked at now: the kept one at the past's step, or the newest before it once thinning dropped it. */
function pastIndex(app: App): number {
  const { moments } = app.timeline;
  if (!app.past) return moments.length - 1;
  const step = app.past.step;
  let i = 0;
  while (i + 1 < moments.length && moments[i + 1]!.step <= step) i++;
  return i;
}

/** The slider, its words and the count as the timeline and the view now stand. */
export function showScrub(app: App, els: ScrubElements): void {
  const { moments, steps } = app.timeline;
  const last = moments.length - 1;
  els.input.max = String(Math.max(0, last));
  els.input.disabled = last < 1;
  const i = Math.max(0, pastIndex(app));
  els.input.value = String(i);
  const step = app.past ? app.past.step : (moments[last]?.step ?? 0);
  const words =
    moments.length === 0 ? 'no steps yet' : `step ${num(step)} of ${num(steps)} ${app.past ? '(past)' : '(now)'}`;
  els.input.setAttribute('aria-valuetext', words);
  els.words.value = words;
  els.count.textContent = `${app.timeline.count()} (every step at first, then fewer the further back)`;
  els.note.hidden = !app.past;
  els.resume.hidden = !app.past;
  if (app.past) {
    const paused = pausedToLook.get(app) ? ' Training was paused to look back: press Play to resume it.' : '';
    els.note.textContent =
      `The past, recomputed on the CPU from the parameters stored at step ${num(app.past.step)}.${paused} Play ` +
      `goes on from the present (step ${num(steps)}); "Play on from here" starts playing from step ` +
      `${num(app.past.step)} instead, and the steps after it are dropped.`;
    els.gradWhat.dataset.live ??= els.gradWhat.textContent ?? '';
    els.gradWhat.textContent = `the exact gradient at step ${num(app.past.step)}, ${PAST_WHAT}`;
  } else if (els.gradWhat.dataset.live !== undefined) {
    // unless the page has said something new there since (training moved to the CPU while looking back)
    if (els.gradWhat.textContent?.endsWith(PAST_WHAT)) els.gradWhat.textContent = els.gradWhat.dataset.live;
    delete els.gradWhat.dataset.live;
  }
}

/** The snapshot of the kept moment `i`, recomputed on the oracle; null when there is no run to recompute it for. */
function pastSnapshot(app: App, i: number): Snapshot | null {
  const m = app.timeline.moments[i];
  const live = app.controller.last;
  if (!m || !live) return null;
  // the run's own data (rounded to f32 on the GPU) and configuration; the learning rate changes nothing recomputed
  const config = runConfig(app.settings, live.data.N);
  return { ...cpuSnapshot(live.data, m.params, config, m.step, live.kernel), past: true };
}

/** Draws the snapshot the page shows now (the past looked at, or the present), as when the view changes. */
export function redraw(app: App): void {
  if (app.past) render(app, app.past, 0, true, true);
  else if (app.controller.last && app.controller.session) render(app, app.controller.last, 0);
}

/** Back to the present: the live snapshot drawn again, the slider at its right end. */
export function backToPresent(app: App, els: ScrubElements): void {
  if (!app.past) return;
  delete app.past;
  pausedToLook.delete(app);
  app.onLookBack?.(undefined);
  redraw(app);
  showScrub(app, els);
}

/** The slider moved to moment `i`: the present at its right end, else that step's picture (training paused). */
function lookAt(app: App, els: ScrubElements, i: number): void {
  if (i >= app.timeline.moments.length - 1) return backToPresent(app, els);
  const past = pastSnapshot(app, i);
  if (!past) return;
  // the next frame would draw the present over it: looking back pauses, as walking the graph does
  if (!app.past) pausedToLook.set(app, app.controller.wanted);
  app.controller.pause();
  app.past = past;
  app.onLookBack?.(past);
  render(app, past, 0, true, true);
  showScrub(app, els);
}

/**
 * A live snapshot was drawn: it is recorded. Playing, the page is back in the present; a frame that was in flight when
 * the learner looked back is recorded, and the past drawn again over it.
 */
export function onLive(app: App, els: ScrubElements, s: Snapshot): void {
  app.timeline.record(s.step, s.loss, s.params);
  if (app.past && app.controller.wanted) {
    delete app.past;
    pausedToLook.delete(app);
    app.onLookBack?.(undefined);
  }
  if (app.past) render(app, app.past, 0, true, true);
  showScrub(app, els);
}

/** Plays on from the step looked at: the run's later moments and curve are dropped, and Play is pressed. */
async function continueFromHere(app: App, els: ScrubElements): Promise<void> {
  const past = app.past;
  if (!past) return;
  app.controller.pause();
  app.history.truncate(past.step);
  app.batchHistory.truncate(past.step);
  app.timeline.truncate(past.step);
  delete app.past;
  pausedToLook.delete(app);
  app.onLookBack?.(undefined);
  showScrub(app, els);
  await app.controller.reset({ params: Float64Array.from(past.params), step: past.step });
  if (app.controller.state !== 'failed') app.controller.play();
}

export function wireScrub(app: App, els: ScrubElements): void {
  els.input.addEventListener('input', () => lookAt(app, els, Number(els.input.value)));
  els.resume.addEventListener('click', () => void continueFromHere(app, els));
  showScrub(app, els);
}

/** A new run: nothing of the last one is looked back at. */
export function clearScrub(app: App, els: ScrubElements): void {
  if (app.past) app.onLookBack?.(undefined);
  delete app.past;
  pausedToLook.delete(app);
  showScrub(app, els);
  els.input.disabled = true; // until the new run's first moment is drawn
}
