/**
 * "Which networks learn XOR?": a map over hidden width × learning rate, each cell coloured by the fraction of seeds
 * that learn. A short trial run first estimates the time, and the learner confirms or cancels; the run can be cancelled
 * between widths. A clicked cell lists the seeds that learned and failed; a clicked seed goes to the live demo. The map
 * only draws; training is the `run` it is given.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import { MAP_WIDTHS, type SweepCell, type SweepSpec } from '../../mlp/map.js';
import { drawGrid, PAGE_RATES, showCell, STEPS } from './map-grid.js';

export { PAGE_RATES };

export interface SweepRunner {
  /** What runs the sweep, for the note under the map. */
  label: string;
  /** Seeds per cell offered first, and at most, on this backend. */
  defaultSeeds: number;
  /**
   * Seeds per cell for the trial that estimates the time: all of them where the
   * seeds train in parallel (a GPU), a few where the time grows with their
   * number (SwiftShader, the CPU), the estimate then scaled by seeds / trial seeds.
   */
  trialSeeds(seeds: number): number;
  maxSeeds: number;
  note: string;
  /** The data it trains on now, in words (the demo's data: see data-choice.ts): a short name and a full label. */
  data(): MapData;
  /** Trains `spec`, reporting cells as they finish; stops early (returning what is done) once `stop()` is true. */
  run(
    spec: SweepSpec,
    onCells: (cells: SweepCell[], done: number, total: number) => void,
    stop: () => boolean,
  ): Promise<SweepCell[]>;
}

export interface MapData {
  name: string;
  label: string;
  /** The hidden activation the map trains with (default relu). */
  activation?: HiddenActivation;
}

export interface SweepElements {
  run: HTMLButtonElement;
  cancel: HTMLButtonElement;
  seeds: HTMLSelectElement;
  /** The map's own activation selector: every network of a run uses it. */
  activation: HTMLSelectElement;
  progress: HTMLProgressElement;
  time: HTMLElement;
  note: HTMLElement;
  grid: HTMLElement;
  detail: HTMLElement;
}

const spec = (
  seeds: number,
  widths: readonly number[],
  rates: readonly number[],
  steps: number,
  activation: HiddenActivation,
): SweepSpec => ({ widths, rates, seeds, seedBase: 0, steps, loss: 'bce', activation });

/**
 * The map's time from a trial at the narrowest and the widest width (all rates,
 * the full 2,000 steps, so per-dispatch and per-step costs are those of the real
 * run): a width's time is taken as a + b·H through the two points, summed over
 * every width, and scaled by `scale` (seeds / trial seeds). Seconds.
 */
export function mapEstimate(
  lo: { w: number; ms: number },
  hi: { w: number; ms: number },
  widths: readonly number[],
  scale: number,
): number {
  const b = hi.w === lo.w ? 0 : Math.max(0, (hi.ms - lo.ms) / (hi.w - lo.w));
  const a = lo.ms - b * lo.w;
  return (scale * widths.reduce((t, w) => t + Math.max(0, a + b * w), 0)) / 1000;
}

const inWords = (sec: number) => (sec < 90 ? `${Math.max(1, Math.round(sec))} s` : `${Math.round(sec / 60)} min`);

type Phase = 'idle' | 'estimating' | 'confirm' | 'running';

/**
 * Wires the map. "Train the whole map" first times a short trial and shows the
 * estimate; the button then reads "Start (about …)" and Cancel drops the
 * estimate, so nothing long runs unasked. While the map trains, Cancel stops it
 * after the width in progress, and the status says so at once.
 */
export function mountSweep(
  els: SweepElements,
  runner: SweepRunner,
  onPick: (hidden: number, lr: number, seed: number, activation: HiddenActivation) => void,
  /** Why the map cannot train on the demo's data now (null: it can); asked when the button is pressed. */
  refusal: () => string | null = () => null,
): void {
  for (const o of els.seeds.options) {
    o.disabled = Number(o.value) > runner.maxSeeds;
    if (o.disabled) o.textContent = `${o.value} (needs a GPU)`;
  }
  els.seeds.value = String(runner.defaultSeeds);
  els.note.textContent =
    `${runner.note} The map trains on the data chosen in the demo when you press the button, one hidden layer of each ` +
    `width with a σ output on the full batch and no penalty, whatever the demo's layers, batch size and regularization. ` +
    `Seeds per cell are capped at ${runner.maxSeeds.toLocaleString('en-US')} here.`;
  const TRAIN = els.run.textContent ?? 'Train the whole map';
  let phase: Phase = 'idle';
  let cancelled = false;
  let estimate = { seeds: 0, sec: 0 };
  let data = runner.data();
  const onCell = (c: SweepCell) => showCell(els, c, onPick, data);
  const status = (text: string) => {
    els.time.textContent = text;
    els.time.dataset.phase = phase;
  };
  const enter = (p: Phase) => {
    phase = p;
    els.run.disabled = p === 'estimating' || p === 'running';
    els.run.textContent = p === 'confirm' ? `Start (about ${inWords(estimate.sec)})` : TRAIN;
    els.cancel.disabled = p === 'idle';
    els.seeds.disabled = p === 'estimating' || p === 'running';
    els.activation.disabled = p === 'estimating' || p === 'running';
    els.time.dataset.phase = p;
  };
  enter('idle');
  els.cancel.addEventListener('click', () => {
    if (phase === 'confirm') {
      enter('idle');
      status(`not started (the estimate was about ${inWords(estimate.sec)})`);
      return;
    }
    cancelled = true;
    els.cancel.disabled = true;
    status(
      phase === 'running' ? 'cancelling: the map stops after the width it is training…' : 'cancelling the estimate…',
    );
  });
  for (const [el, what] of [
    [els.seeds, 'seeds per cell'],
    [els.activation, 'the activation'],
  ] as const) {
    el.addEventListener('change', () => {
      if (phase !== 'confirm') return;
      enter('idle'); // the estimate was for the old setting
      status(`${what} changed: press the button for a new estimate`);
    });
  }
  els.run.addEventListener('click', () => void (phase === 'confirm' ? train() : estimateTime()));

  async function estimateTime(): Promise<void> {
    const refused = refusal();
    if (refused) {
      status(refused);
      els.time.dataset.refused = 'true';
      return;
    }
    delete els.time.dataset.refused;
    const seeds = Number(els.seeds.value);
    const trial = Math.min(seeds, runner.trialSeeds(seeds));
    cancelled = false;
    enter('estimating');
    els.detail.replaceChildren();
    status(
      `estimating the time: a trial of ${trial} seed${trial === 1 ? '' : 's'} per cell at H = ${MAP_WIDTHS[0]} and H = ${MAP_WIDTHS.at(-1)}, full ${STEPS} steps…`,
    );
    try {
      const timeOne = async (w: number) => {
        const t0 = performance.now();
        await runner.run(
          spec(trial, [w], PAGE_RATES, STEPS, els.activation.value as HiddenActivation),
          () => {},
          () => cancelled,
        );
        return { w, ms: performance.now() - t0 };
      };
      const lo = await timeOne(MAP_WIDTHS[0]!);
      const hi = cancelled ? lo : await timeOne(MAP_WIDTHS.at(-1)!);
      if (cancelled) {
        enter('idle');
        status('cancelled before the map started');
        return;
      }
      estimate = { seeds, sec: mapEstimate(lo, hi, MAP_WIDTHS, seeds / trial) };
      els.time.dataset.estimate = String(estimate.sec);
      enter('confirm');
      const networks = MAP_WIDTHS.length * PAGE_RATES.length * seeds;
      status(
        `about ${inWords(estimate.sec)} for ${networks.toLocaleString('en-US')} networks × ${STEPS} steps on ${runner.label} (timed from a trial). Press Start, or Cancel.`,
      );
    } catch (e) {
      enter('idle');
      status(`the map failed: ${(e as Error).message}`);
    }
  }

  async function train(): Promise<void> {
    const seeds = estimate.seeds;
    const activation = els.activation.value as HiddenActivation;
    data = { ...runner.data(), activation }; // the demo's data when Start is pressed
    cancelled = false;
    enter('running');
    els.progress.value = 0;
    els.detail.replaceChildren();
    const about = `about ${inWords(estimate.sec)}`;
    status(`${about}; running…`);
    const t1 = performance.now();
    const total = MAP_WIDTHS.length * PAGE_RATES.length;
    try {
      const cells = await runner.run(
        spec(seeds, MAP_WIDTHS, PAGE_RATES, STEPS, activation),
        (done, n, of) => {
          els.progress.value = n / of;
          if (!cancelled) status(`${about}; ${Math.round((100 * n) / of)}% done`);
          drawGrid(els, done, onCell, data);
        },
        () => cancelled,
      );
      drawGrid(els, cells, onCell, data);
      const networks = cells.reduce((n, c) => n + c.seeds, 0);
      const secs = (performance.now() - t1) / 1000;
      els.time.dataset.actual = String(secs);
      enter('idle');
      status(
        cancelled
          ? `cancelled after ${secs.toFixed(1)} s: ${cells.length} of ${total} cells done`
          : `${networks.toLocaleString('en-US')} networks × ${STEPS} steps in ${secs.toFixed(1)} s on ${runner.label} (estimated ${about}), ${activation} hidden units, trained on ${data.label}`,
      );
    } catch (e) {
      enter('idle');
      status(`the map failed: ${(e as Error).message}`);
    }
  }
}
