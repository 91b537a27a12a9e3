/**
 * "Which networks learn XOR?": a map over hidden width × learning rate, each
 * cell coloured by the fraction of seeds that learn (cividis, a scheme used for
 * nothing else on the page, with a legend). Before it trains, a short trial
 * run estimates the time; the run can be cancelled between widths. Clicking a
 * cell lists seeds that learned and seeds that failed; clicking a seed hands it
 * to the live demo. The map only draws; training is the `run` it is given.
 */
import { interpolateCividis } from 'd3-scale-chromatic';
import type { HiddenActivation } from '../engine/activation.js';
import { MAP_WIDTHS, type SweepCell, type SweepSpec } from '../mlp/sweep.js';

/** The map's learning rates: log-spaced from 0.01 to 10, plus the demo's default 0.5. */
export const PAGE_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1, 3, 10] as const;
const STEPS = 2000;
/** Steps of the trial run that estimates the time, at the widest width. */
const TRIAL_STEPS = 50;

export interface SweepRunner {
  /** What runs the sweep, for the note under the map. */
  label: string;
  /** Seeds per cell offered first, and at most, on this backend. */
  defaultSeeds: number;
  maxSeeds: number;
  note: string;
  /** The data it trains on now, in words (the demo's data: see data-choice.ts): a short name and a full label. */
  data(): MapData;
  /** Trains `spec`, reporting cells as they finish; stops early (returning what is done) once `stop()` is true. */
  run(spec: SweepSpec, onCells: (cells: SweepCell[], done: number, total: number) => void, stop: () => boolean): Promise<SweepCell[]>;
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

/** Relative luminance (WCAG) of an "rgb(r, g, b)" colour. */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+/g) ?? ['0', '0', '0']).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Black or white text, whichever contrasts more with `background`. */
export function inkOn(background: string): string {
  const l = luminance(background);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000' : '#fff';
}

function drawGrid(els: SweepElements, cells: readonly SweepCell[], onCell: (c: SweepCell) => void, data: MapData): void {
  const table = document.createElement('table');
  table.className = 'sweep-grid';
  table.createCaption().textContent = `Fraction of seeds that learn ${data.name}, by hidden width H (rows) and learning rate (columns), hidden activation ${data.activation ?? 'relu'}; trained on ${data.label}`;
  const head = document.createElement('tr');
  head.append(Object.assign(document.createElement('th'), { textContent: 'H \\ lr', scope: 'col' }));
  for (const lr of PAGE_RATES) head.append(Object.assign(document.createElement('th'), { textContent: String(lr), scope: 'col' }));
  table.append(head);
  for (const h of MAP_WIDTHS) {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('th'), { textContent: String(h), scope: 'row' }));
    for (const lr of PAGE_RATES) {
      const td = document.createElement('td');
      const cell = cells.find((c) => c.hidden === h && c.lr === lr);
      if (cell) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'sweep-cell';
        b.dataset.testid = `sweep-cell-${h}-${lr}`;
        b.dataset.fraction = String(cell.fraction);
        b.dataset.learned = String(cell.learned);
        b.style.background = interpolateCividis(cell.fraction);
        b.style.color = inkOn(interpolateCividis(cell.fraction));
        b.textContent = `${Math.round(100 * cell.fraction)}%`;
        b.title = `H = ${h}, lr = ${lr}: ${cell.learned} of ${cell.seeds} seeds learn ${data.name}`;
        b.setAttribute('aria-label', b.title);
        b.addEventListener('click', () => onCell(cell));
        td.append(b);
      }
      tr.append(td);
    }
    table.append(tr);
  }
  els.grid.replaceChildren(table, legend(data));
}

function legend(data: MapData): HTMLElement {
  const p = document.createElement('p');
  p.className = 'legend';
  const bar = document.createElement('span');
  bar.className = 'legend-bar';
  bar.style.background = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((f) => interpolateCividis(f)).join(', ')})`;
  p.append('0% ', bar, ` 100% of seeds learn ${data.name} (training loss below 0.01 and every training point right after 2,000 steps${data.name === 'XOR' ? '' : '; on noisy data few networks meet this strict test, and the held-out points play no part in it'})`);
  return p;
}

function showCell(els: SweepElements, cell: SweepCell, onPick: (hidden: number, lr: number, seed: number, activation: HiddenActivation) => void, data: MapData): void {
  const list = (title: string, seeds: readonly number[], total: number, kind: string) => {
    const p = document.createElement('p');
    p.append(`${title} (${total}): `);
    if (seeds.length === 0) p.append('none');
    for (const seed of seeds) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `seed ${kind}`;
      b.dataset.testid = `sweep-seed-${seed}`;
      b.textContent = String(seed);
      b.title = `load H = ${cell.hidden}, lr = ${cell.lr}, seed ${seed} into the live demo`;
      b.addEventListener('click', () => onPick(cell.hidden, cell.lr, seed, data.activation ?? 'relu'));
      p.append(b, ' ');
    }
    if (total > seeds.length) p.append(Object.assign(document.createElement('span'), { textContent: `…and ${total - seeds.length} more`, className: 'more' }));
    return p;
  };
  const head = document.createElement('p');
  head.textContent = `H = ${cell.hidden}, lr = ${cell.lr}, ${data.activation ?? 'relu'}: ${cell.learned} of ${cell.seeds} seeds learn ${data.name} in ${STEPS} steps. Click a seed to watch it in the live demo.`;
  els.detail.replaceChildren(
    head,
    list('Seeds that learn', cell.learnedSeeds, cell.learned, 'ok'),
    list('Seeds that fail', cell.failedSeeds, cell.seeds - cell.learned, 'bad'),
  );
  els.detail.dataset.testid = 'sweep-detail';
}

const spec = (seeds: number, widths: readonly number[], rates: readonly number[], steps: number, activation: HiddenActivation): SweepSpec => ({ widths, rates, seeds, seedBase: 0, steps, loss: 'bce', activation });

/** Wires the map: the run button estimates the time from a trial run, then trains the grid with `runner`; Cancel stops it between widths. */
export function mountSweep(els: SweepElements, runner: SweepRunner, onPick: (hidden: number, lr: number, seed: number, activation: HiddenActivation) => void): void {
  for (const o of els.seeds.options) {
    o.disabled = Number(o.value) > runner.maxSeeds;
    if (o.disabled) o.textContent = `${o.value} (needs a GPU)`;
  }
  els.seeds.value = String(runner.defaultSeeds);
  els.note.textContent = `${runner.note} The map trains on the data chosen in the demo when you press the button. Seeds per cell are capped at ${runner.maxSeeds.toLocaleString('en-US')} here.`;
  let cancelled = false;
  els.cancel.disabled = true;
  els.cancel.addEventListener('click', () => {
    cancelled = true;
    els.cancel.disabled = true;
  });
  els.run.addEventListener('click', () => void go());
  let data = runner.data();
  const onCell = (c: SweepCell) => showCell(els, c, onPick, data);

  async function go(): Promise<void> {
    const seeds = Number(els.seeds.value);
    const activation = els.activation.value as HiddenActivation;
    data = { ...runner.data(), activation }; // the demo's data when Train is pressed
    cancelled = false;
    els.run.disabled = true;
    els.cancel.disabled = false;
    els.progress.value = 0;
    els.detail.replaceChildren();
    els.time.textContent = 'estimating the time from a short trial run…';
    try {
      const widest = Math.max(...MAP_WIDTHS);
      const t0 = performance.now();
      await runner.run(spec(seeds, [widest], PAGE_RATES, TRIAL_STEPS, activation), () => {}, () => cancelled);
      const trial = performance.now() - t0;
      const estimate = (trial * (STEPS / TRIAL_STEPS) * MAP_WIDTHS.reduce((a, w) => a + w, 0)) / widest / 1000;
      const about = `about ${estimate < 90 ? `${Math.max(1, Math.round(estimate))} s` : `${Math.round(estimate / 60)} min`}`;
      els.time.textContent = `${about} (estimated from a ${TRIAL_STEPS}-step trial); running…`;
      els.time.dataset.estimate = String(estimate);
      const t1 = performance.now();
      const total = MAP_WIDTHS.length * PAGE_RATES.length;
      const cells = cancelled
        ? []
        : await runner.run(spec(seeds, MAP_WIDTHS, PAGE_RATES, STEPS, activation), (done, n, of) => {
            els.progress.value = n / of;
            els.time.textContent = `${about}; ${Math.round((100 * n) / of)}% done`;
            drawGrid(els, done, onCell, data);
          }, () => cancelled);
      drawGrid(els, cells, onCell, data);
      const networks = cells.reduce((n, c) => n + c.seeds, 0);
      const secs = ((performance.now() - t1) / 1000).toFixed(1);
      els.time.textContent = cancelled
        ? `cancelled after ${secs} s: ${cells.length} of ${total} cells done`
        : `${networks.toLocaleString('en-US')} networks × ${STEPS} steps in ${secs} s on ${runner.label}, ${activation} hidden units, trained on ${data.label}`;
    } catch (e) {
      els.time.textContent = `the map failed: ${(e as Error).message}`;
    } finally {
      els.run.disabled = false;
      els.cancel.disabled = true;
    }
  }
}
