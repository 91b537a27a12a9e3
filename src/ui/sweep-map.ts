/**
 * "Which networks learn XOR?": a map over hidden width × learning rate, each
 * cell coloured by the fraction of seeds that learn. Clicking a cell lists
 * seeds that learned and seeds that failed; clicking a seed hands it to the
 * live demo. The map only draws; training is the `run` function it is given.
 */
import { MAP_RATES, MAP_WIDTHS, type SweepCell, type SweepSpec } from '../mlp/sweep.js';

export interface SweepRunner {
  /** What runs the sweep, for the note under the map. */
  label: string;
  /** Seeds per cell offered first on this backend. */
  defaultSeeds: number;
  note: string;
  run(spec: SweepSpec, onCells: (cells: SweepCell[], done: number, total: number) => void): Promise<SweepCell[]>;
}

export interface SweepElements {
  run: HTMLButtonElement;
  seeds: HTMLSelectElement;
  progress: HTMLProgressElement;
  time: HTMLElement;
  note: HTMLElement;
  grid: HTMLElement;
  detail: HTMLElement;
}

const STEPS = 2000;

/** Fraction 0 → orange, 1 → blue, through a pale middle. */
function colour(f: number): string {
  const from = [234, 88, 12];
  const mid = [241, 245, 249];
  const to = [37, 99, 235];
  const [a, b, t] = f < 0.5 ? [from, mid, f * 2] : [mid, to, f * 2 - 1];
  return `rgb(${a.map((v, i) => Math.round(v + (b[i]! - v) * t)).join(',')})`;
}

function drawGrid(els: SweepElements, cells: readonly SweepCell[], onCell: (c: SweepCell) => void): void {
  const table = document.createElement('table');
  table.className = 'sweep-grid';
  const head = document.createElement('tr');
  head.append(Object.assign(document.createElement('th'), { textContent: 'H \\ lr' }));
  for (const lr of MAP_RATES) head.append(Object.assign(document.createElement('th'), { textContent: String(lr) }));
  table.append(head);
  for (const h of MAP_WIDTHS) {
    const tr = document.createElement('tr');
    tr.append(Object.assign(document.createElement('th'), { textContent: String(h) }));
    for (const lr of MAP_RATES) {
      const td = document.createElement('td');
      const cell = cells.find((c) => c.hidden === h && c.lr === lr);
      if (cell) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'sweep-cell';
        b.dataset.testid = `sweep-cell-${h}-${lr}`;
        b.dataset.fraction = String(cell.fraction);
        b.style.background = colour(cell.fraction);
        b.textContent = `${Math.round(100 * cell.fraction)}%`;
        b.title = `H = ${h}, lr = ${lr}: ${cell.learned} of ${cell.seeds} seeds learn XOR`;
        b.addEventListener('click', () => onCell(cell));
        td.append(b);
      }
      tr.append(td);
    }
    table.append(tr);
  }
  els.grid.replaceChildren(table);
}

function showCell(els: SweepElements, cell: SweepCell, onPick: (hidden: number, lr: number, seed: number) => void): void {
  const list = (title: string, seeds: readonly number[], kind: string) => {
    const p = document.createElement('p');
    p.append(`${title}: `);
    if (seeds.length === 0) p.append('none');
    for (const seed of seeds) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = `seed ${kind}`;
      b.dataset.testid = `sweep-seed-${seed}`;
      b.textContent = String(seed);
      b.title = `load H = ${cell.hidden}, lr = ${cell.lr}, seed ${seed} into the live demo`;
      b.addEventListener('click', () => onPick(cell.hidden, cell.lr, seed));
      p.append(b, ' ');
    }
    return p;
  };
  const head = document.createElement('p');
  head.textContent = `H = ${cell.hidden}, lr = ${cell.lr}: ${cell.learned} of ${cell.seeds} seeds learn XOR in ${STEPS} steps. Click a seed to watch it in the live demo above.`;
  els.detail.replaceChildren(head, list('Seeds that learn', cell.learnedSeeds, 'ok'), list('Seeds that fail', cell.failedSeeds, 'bad'));
  els.detail.dataset.testid = 'sweep-detail';
}

/** Wires the map: the run button trains the whole grid with `runner`, then the cells become clickable. */
export function mountSweep(els: SweepElements, runner: SweepRunner, onPick: (hidden: number, lr: number, seed: number) => void): void {
  els.seeds.value = String(runner.defaultSeeds);
  els.note.textContent = runner.note;
  els.run.addEventListener('click', () => {
    const seeds = Number(els.seeds.value);
    const spec: SweepSpec = { widths: MAP_WIDTHS, rates: [...MAP_RATES], seeds, seedBase: 0, steps: STEPS, loss: 'bce' };
    els.run.disabled = true;
    els.progress.value = 0;
    els.time.textContent = 'running…';
    els.detail.replaceChildren();
    const t0 = performance.now();
    const onCell = (c: SweepCell) => showCell(els, c, onPick);
    void runner
      .run(spec, (cells, done, total) => {
        els.progress.value = done / total;
        drawGrid(els, cells, onCell);
      })
      .then((cells) => {
        drawGrid(els, cells, onCell);
        const networks = cells.reduce((n, c) => n + c.seeds, 0);
        els.time.textContent = `${networks.toLocaleString('en-US')} networks × ${STEPS} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${runner.label}`;
      })
      .catch((e: Error) => (els.time.textContent = `the sweep failed: ${e.message}`))
      .finally(() => (els.run.disabled = false));
  });
}
