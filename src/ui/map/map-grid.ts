/**
 * The map's grid, drawn: cells coloured by the fraction of seeds that learn
 * (cividis, with a legend and ink chosen for contrast), and a clicked cell's
 * seeds, each a button that hands its network to the live demo.
 */
import { interpolateCividis } from 'd3-scale-chromatic';
import type { HiddenActivation } from '../../engine/activation.js';
import { MAP_WIDTHS, type SweepCell } from '../../mlp/map.js';
import type { MapData, SweepElements } from './map-panel.js';

/** SGD steps each network of the map trains. */
export const STEPS = 2000;

/** The map's learning rates: log-spaced from 0.01 to 10, plus the demo's default 0.5. */
export const PAGE_RATES = [0.01, 0.03, 0.1, 0.3, 0.5, 1, 3, 10] as const;

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

export function drawGrid(
  els: SweepElements,
  cells: readonly SweepCell[],
  onCell: (c: SweepCell) => void,
  data: MapData,
): void {
  const table = document.createElement('table');
  table.className = 'sweep-grid';
  table.createCaption().textContent = `Fraction of seeds that learn ${data.name}, by hidden width H (rows) and learning rate (columns), hidden activation ${data.activation ?? 'relu'}; trained on ${data.label}`;
  const head = document.createElement('tr');
  head.append(Object.assign(document.createElement('th'), { textContent: 'H \\ lr', scope: 'col' }));
  for (const lr of PAGE_RATES)
    head.append(Object.assign(document.createElement('th'), { textContent: String(lr), scope: 'col' }));
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
  p.append(
    '0% ',
    bar,
    ` 100% of seeds learn ${data.name} (training loss below 0.01 and every training point right after 2,000 steps${data.name === 'XOR' ? '' : '; on noisy data few networks meet this strict test, and the held-out points play no part in it'})`,
  );
  return p;
}

export function showCell(
  els: SweepElements,
  cell: SweepCell,
  onPick: (hidden: number, lr: number, seed: number, activation: HiddenActivation) => void,
  data: MapData,
): void {
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
    if (total > seeds.length)
      p.append(
        Object.assign(document.createElement('span'), {
          textContent: `…and ${total - seeds.length} more`,
          className: 'more',
        }),
      );
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
