/**
 * Each sample's pull on one chosen parameter θ (src/mlp/pull.ts): over the plane, what a training point there would
 * contribute to ∂L/∂θ, on a brown–teal diverging scale centred at 0 (red and blue are ŷ's, green and purple the
 * weights'); the training points marked with their own ∂ℓ_n/∂θ on the same scale, and listed with their shares
 * (1/N)·∂ℓ_n/∂θ, whose sum (plus the penalty's term) is the gradient panel's number. Beside the unit maps, δ_l per
 * unit at the point the graph follows. Recomputed when the parameters, the choice or the point change; while training
 * plays, after the frame, at most every REFRESH_MS (or five times its own cost).
 */
import { scaleLinear } from 'd3-scale';
import { interpolateBrBG } from 'd3-scale-chromatic';
import type { Dataset } from '../../mlp/data/data.js';
import { modelLayout } from '../../mlp/model.js';
import { PLANE_LABEL, planePoints, type Pull, pullFrom, type SampleSignals, sampleSignals } from '../../mlp/pull.js';
import { formatNumber } from '../format.js';
import { REFRESH_MS } from '../graph/diagram.js';
import { parameterNames } from '../gradients.js';
import type { Snapshot } from '../session.js';
import { paintCells } from './heatmap.js';
import { planeExtent } from './plane.js';
import { linearTickLabels, notDrawn } from './plots.js';

/** Cells per side of the map at most; fewer for a large network (PULL_BUDGET). */
export const PULL_GRID = 40;
/** grid²·P at most: the forward and backward passes over the cells cost about 3 times that in multiply-adds. */
export const PULL_BUDGET = 3_000_000;
/** Training points listed one by one up to this many; beyond, the largest pulls, and the sum covers all. */
export const LISTED = 16;
/** Entries of the parameter list (as the weight list: a wide network has thousands). */
const CHOICES = 2000;
/** δ values shown per layer (the unit maps' first units). */
const DELTAS = 16;

/** The gradient panel's way of writing a gradient: six significant digits, a true minus sign. */
export const grad6 = (v: number) => formatNumber(v, 6).replaceAll('-', '−');
const num3 = (v: number) => formatNumber(v).replaceAll('-', '−');

/** Cells per side for a network of P parameters. */
export function pullGrid(P: number): number {
  return Math.max(8, Math.min(PULL_GRID, Math.floor(Math.sqrt(PULL_BUDGET / P))));
}

/** The label rule as the code writes it, shown beside the words. */
const LABEL_CODE = 'y(x) = y[argmin_n ‖x − x_n‖]   (src/mlp/pull.ts: nearestLabels)';

export interface PullElements {
  root: HTMLElement;
  deltas: HTMLElement;
}

export function pullElements(): PullElements {
  const t = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
  return { root: t('pull'), deltas: t('pull-deltas') };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', testid = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (testid) node.dataset.testid = testid;
  return node;
}

export class PullView {
  private k = 0;
  private names: string[] = [];
  private shape = '';
  private readonly choice: HTMLSelectElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly words: HTMLElement;
  private readonly numbers: HTMLElement;
  /** The would-be training points of the plane, per data, extent and grid (the nearest-label search runs once). */
  private plane: { data: Dataset; key: string; points: Dataset } | null = null;
  /** The last parameters' backward passes over the training points and the plane: a new choice reads them. */
  private signals: {
    params: Float64Array;
    plane: Dataset | null;
    loss: string;
    train: SampleSignals;
    on: SampleSignals | null;
  } | null = null;
  /** How long the last backward passes took: while training plays, they are redone at most a fifth of the time. */
  private cost = 0;
  /** What was drawn last, so an unchanged frame costs nothing. */
  private drawn = '';
  private drawnParams: Float64Array | null = null;
  private at = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: (() => void) | null = null;
  private last: { s: Snapshot; point: number; test: Dataset | null } | null = null;

  constructor(
    private readonly els: PullElements,
    /** Told of a parameter chosen here, so the page's other choosers follow. */
    private readonly onChoose: (k: number) => void = () => {},
  ) {
    const help = el(
      'p',
      'Choose a parameter θ (click an edge of the network picture or a weight in the graph, or pick it here). The ' +
        'map shows, at every point x of the plane, the gradient ∂ℓ/∂θ one more training point there would have: ' +
        `the direction and size of its pull on θ. Its label: ${PLANE_LABEL}.`,
    );
    const code = el('code', LABEL_CODE, 'pull-label-rule');
    const label = el('label', 'parameter ');
    this.choice = el('select', '', 'pull-choice');
    this.choice.setAttribute('aria-describedby', 'pull-numbers');
    label.append(this.choice);
    this.choice.addEventListener('change', () => {
      const k = Number(this.choice.value);
      if (Number.isInteger(k)) {
        this.follow(k);
        this.onChoose(k);
      }
    });
    const figure = el('figure');
    this.canvas = Object.assign(el('canvas', '', 'pull-map'), { width: 360, height: 260 });
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Each sample’s pull: not drawn yet');
    this.words = el('figcaption', '', 'pull-caption');
    figure.append(this.canvas, this.words);
    this.numbers = el('div', '', 'pull-numbers');
    this.numbers.id = 'pull-numbers';
    this.numbers.className = 'pull-numbers';
    const row = el('div');
    row.className = 'pull-row';
    row.append(figure, this.numbers);
    const rule = el('p');
    rule.className = 'pull-rule';
    rule.append('In code: ', code);
    els.root.append(help, rule, label, row);
  }

  /**
   * Follows parameter k (chosen here or elsewhere on the page): the last snapshot redrawn at once where its backward
   * passes are kept (always, paused), else at the pace of training (a pointer sweeping the edges while it plays).
   */
  follow(k: number): void {
    if (!Number.isInteger(k) || k < 0 || k === this.k) return;
    this.k = k;
    if (k < CHOICES) this.choice.value = String(k);
    const last = this.last;
    if (last) this.show(last.s, last.point, last.test, this.signals?.params === last.s.params);
  }

  /**
   * Draws a snapshot's pull: at once where `exact` (paused, or looking back); while training plays (`exact` false) in
   * a task of its own after the frame, at most every REFRESH_MS or five times its own cost, on the newest snapshot.
   */
  show(s: Snapshot, point: number, test: Dataset | null, exact: boolean): void {
    this.last = { s, point, test };
    this.names = this.listFor(s);
    if (this.k >= this.names.length) this.k = 0;
    const n = Math.min(Math.max(0, point), s.data.N - 1);
    const key = `${this.k} ${n} ${s.step} ${s.past ? 'past' : 'now'} ${this.shape}`;
    if (key === this.drawn && s.params === this.drawnParams) {
      this.pending = null;
      return;
    }
    this.pending = () => {
      this.drawn = key;
      this.drawnParams = s.params;
      this.at = performance.now();
      try {
        this.draw(s, n, test);
      } catch (e) {
        // said in the panel and logged: a picture that cannot be drawn must not stop the run that feeds it
        this.words.textContent = `Each sample’s pull could not be drawn: ${(e as Error).message}`;
        console.error(e);
      }
    };
    if (exact) return this.flush();
    if (this.timer !== null) return;
    const wait = Math.max(0, this.at + Math.max(REFRESH_MS, 5 * this.cost) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** Draws the refresh still waiting, now (paused: the numbers must be the last step's). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const draw = this.pending;
    this.pending = null;
    draw?.();
  }

  private listFor(s: Snapshot): string[] {
    const shape = `${s.model.d}:${s.model.hidden.join(',')}`;
    if (shape === this.shape) return this.names;
    this.shape = shape;
    const names = parameterNames(s.model);
    const options = names.slice(0, CHOICES).map((name, i) => new Option(name, String(i)));
    this.choice.replaceChildren(...options);
    if (names.length > CHOICES) {
      const more = new Option(`(the first ${CHOICES} of ${names.length.toLocaleString('en-US')})`, '');
      more.disabled = true;
      this.choice.append(more);
    }
    if (this.k < CHOICES) this.choice.value = String(this.k);
    return names;
  }

  private draw(s: Snapshot, n: number, test: Dataset | null): void {
    const { model, data } = s;
    const P = modelLayout(model).size;
    const grid = pullGrid(P);
    const onPlane = data.d === 2;
    const extent = onPlane ? planeExtent(data, test) : ([0, 1] as [number, number]);
    const points = onPlane ? this.planeFor(data, extent, grid) : null;
    const pull = pullFrom(...this.signalsOf(s, points), s.params, s.objective, this.k);
    const name = this.names[this.k] ?? `parameter ${this.k + 1}`;
    const when = s.past ? `step ${s.step} (looked back at, recomputed on the CPU)` : `step ${s.step}`;
    this.canvas.setAttribute('aria-label', this.paint(s, pull, grid, extent, name, when));
    this.words.textContent =
      `∂ℓ/∂${name} over the plane at ${when}: teal where it is above 0 (a training point there would pull ${name} ` +
      'down, since descent subtracts the gradient), brown where below 0 (it would pull it up), white where it would ' +
      'not pull at all; the training points ringed, filled with their own ∂ℓ_n/∂θ on the same scale.';
    this.showNumbers(s, pull, name, when);
    this.showDeltas(s, pull, n);
  }

  /** The backward passes at the snapshot's parameters, computed once per parameters, plane and loss. */
  private signalsOf(s: Snapshot, plane: Dataset | null): [SampleSignals, SampleSignals | null] {
    const c = this.signals;
    if (c?.params === s.params && c.plane === plane && c.loss === s.objective.loss && c.train.data === s.data)
      return [c.train, c.on];
    const t = performance.now();
    const train = sampleSignals(s.model, s.params, s.data, s.objective.loss);
    // no plane (d ≠ 2): the training points' numbers alone
    const on = plane ? sampleSignals(s.model, s.params, plane, s.objective.loss) : null;
    this.cost = performance.now() - t;
    this.signals = { params: s.params, plane, loss: s.objective.loss, train, on };
    return [train, on];
  }

  private planeFor(data: Dataset, extent: [number, number], grid: number): Dataset {
    const key = `${extent.join(' ')} ${grid}`;
    if (this.plane?.data !== data || this.plane.key !== key)
      this.plane = { data, key, points: planePoints(data, extent, grid) };
    return this.plane.points;
  }

  /** The map, its axes, the training points and the colour bar; returns the text alternative. */
  private paint(s: Snapshot, pull: Pull, grid: number, extent: [number, number], name: string, when: string): string {
    const ctx = this.canvas.getContext('2d');
    const { data } = s;
    if (ctx) {
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
      ctx.font = '12px system-ui, sans-serif';
    }
    if (data.d !== 2) {
      if (ctx) notDrawn(ctx, this.canvas, `The data has ${data.d} inputs: a picture over the plane needs exactly 2.`);
      return `Each sample’s pull on ${name}: not drawn, the data has ${data.d} inputs; the numbers beside it are.`;
    }
    const N = data.N;
    let m = 0;
    for (const v of pull.plane) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
    for (const v of pull.shares) if (Number.isFinite(v)) m = Math.max(m, Math.abs(N * v));
    const range = m > 0 ? m : 1;
    const position = (v: number) => (Number.isFinite(v) ? 0.5 + v / (2 * range) : NaN);
    this.canvas.dataset.range = String(m);
    if (!ctx) return `Each sample’s pull on ${name}`;
    const pad = { l: 46, t: 8, b: 36 };
    const size = this.canvas.height - pad.t - pad.b;
    const [lo, hi] = extent;
    const sx = scaleLinear()
      .domain([lo, hi])
      .range([pad.l, pad.l + size]);
    const sy = scaleLinear()
      .domain([lo, hi])
      .range([pad.t + size, pad.t]);
    paintCells(ctx, pull.plane, grid, [pad.l, pad.t, size], interpolateBrBG, position);
    ctx.strokeStyle = '#1f2937';
    ctx.strokeRect(pad.l, pad.t, size, size);
    ctx.fillStyle = '#1f2937';
    ctx.textAlign = 'center';
    const ticks = sx.ticks(4);
    linearTickLabels(ticks).forEach((label, i) => {
      ctx.fillText(label, sx(ticks[i]!), pad.t + size + 16);
      ctx.textAlign = 'right';
      ctx.fillText(label, pad.l - 6, sy(ticks[i]!) + 4);
      ctx.textAlign = 'center';
    });
    ctx.fillText('x1', pad.l + size / 2, this.canvas.height - 3);
    ctx.fillText('x2', 14, pad.t + size / 2 - 12);
    const every = Math.max(1, Math.ceil(N / 2000));
    const r = N <= LISTED ? 8 : 3.5;
    for (let n = 0; n < N; n += every) {
      ctx.beginPath();
      ctx.arc(sx(data.x[2 * n]!), sy(data.x[2 * n + 1]!), r, 0, 2 * Math.PI);
      const t = position(N * pull.shares[n]!);
      ctx.fillStyle = Number.isNaN(t) ? '#9ca3af' : interpolateBrBG(Math.min(1, Math.max(0, t)));
      ctx.fill();
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#111827';
      ctx.stroke();
    }
    // the colour bar: −m brown at the bottom, 0 white, +m teal at the top
    const left = pad.l + size + 18;
    for (let i = 0; i < size; i++) {
      const t = 1 - (i + 0.5) / size;
      ctx.fillStyle = interpolateBrBG(t);
      ctx.fillRect(left, pad.t + i, 14, 1);
    }
    ctx.strokeRect(left, pad.t, 14, size);
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1f2937';
    const bar = m > 0 ? [`+${num3(m)}`, '0', `−${num3(m)}`] : ['', '0 everywhere', ''];
    ctx.fillText(bar[0]!, left + 18, pad.t + 10);
    ctx.fillText(bar[1]!, left + 18, pad.t + size / 2 + 4);
    ctx.fillText(bar[2]!, left + 18, pad.t + size);
    ctx.fillText(`∂ℓ/∂θ`, left - 4, pad.t + size + 18);
    const scale =
      m > 0
        ? `on a diverging scale from brown (−${num3(m)}) through white (0) to teal (+${num3(m)}), the largest |∂ℓ/∂θ| ` +
          'on the plane and at the training points'
        : 'which is 0 everywhere (white): no sample pulls on it here';
    return (
      `Each sample’s pull on ${name} at ${when}: ∂ℓ/∂${name} over the plane, ${scale}; the ${N} training ` +
      `points ringed and filled with their own ∂ℓ_n/∂${name}. The plane's labels: ${PLANE_LABEL}.`
    );
  }

  /** The training points' shares, their sum, the penalty's term and the total, beside the panel's number. */
  private showNumbers(s: Snapshot, pull: Pull, name: string, when: string): void {
    const { data } = s;
    const N = data.N;
    const panel = s.oracle.grads[this.k]!;
    const root = this.numbers;
    const order = Array.from({ length: N }, (_, i) => i);
    const listed =
      N <= LISTED ? order : order.sort((a, b) => Math.abs(pull.shares[b]!) - Math.abs(pull.shares[a]!)).slice(0, 8);
    const table = el('table');
    table.className = 'pull-shares';
    const head = el('tr');
    for (const h of ['training point', 'label y', `(1/N)·∂ℓ_n/∂${name}`]) head.append(el('th', h));
    table.append(head);
    const at = (n: number) =>
      `x = (${Array.from({ length: data.d }, (_, i) => num3(data.x[n * data.d + i]!)).join(', ')})`;
    for (const n of listed) {
      const tr = el('tr', '', 'pull-share');
      tr.dataset.n = String(n);
      tr.dataset.share = String(pull.shares[n]);
      tr.append(el('td', at(n)), el('td', num3(data.y[n]!)), el('td', grad6(pull.shares[n]!)));
      table.append(tr);
    }
    const sums = el('p', '', 'pull-sum');
    const strong = (text: string, testid: string) => el('strong', text, testid);
    sums.append(
      N <= LISTED
        ? `Their sum over all ${N} points (N = ${N}): `
        : `The ${listed.length} largest of ${N.toLocaleString('en-US')} listed; the sum over all ${N.toLocaleString('en-US')}: `,
      strong(grad6(pull.dataGrad), 'pull-data-grad'),
      '.',
    );
    const pen = el('p');
    const { l1, l2 } = s.objective;
    if (l1 > 0 || l2 > 0)
      pen.append(
        `The penalty’s term ∂R/∂${name} (${l1 > 0 ? `λ1·sign(w), λ1 = ${l1}` : `λ2·w, λ2 = ${l2}`}` +
          `${name.startsWith('b') ? '; a bias is not penalised' : ''}): `,
        strong(grad6(pull.penalty), 'pull-penalty'),
        '.',
      );
    else pen.append('No penalty (λ = 0): its term is ', strong(grad6(0), 'pull-penalty'), '.');
    const total = el('p');
    total.append(
      `Together: ∂L/∂${name} = `,
      strong(grad6(pull.total), 'pull-total'),
      `, the gradient panel’s (exact, f64) ${grad6(panel)} at ${when}.`,
    );
    const batch =
      s.batch < N
        ? el(
            'p',
            `Training takes mini-batches of ${s.batch}: a step’s gradient sums the shares (1/${s.batch})·∂ℓ_n/∂θ of ` +
              'its batch alone. Here, as in the gradient panel, the full batch of every training point.',
          )
        : null;
    Object.assign(root.dataset, {
      k: String(this.k),
      name,
      step: String(s.step),
      dataGrad: String(pull.dataGrad),
      penalty: String(pull.penalty),
      total: String(pull.total),
      panel: String(panel),
    });
    root.replaceChildren(table, sums, pen, total, ...(batch ? [batch] : []));
  }

  /** δ_l per unit at the followed point (1/N included, as in the graph), each layer a row of coloured numbers. */
  private showDeltas(s: Snapshot, pull: Pull, n: number): void {
    const root = this.els.deltas;
    const { model, data } = s;
    const L = model.hidden.length;
    const widths = [...model.hidden, 1];
    const x = Array.from({ length: data.d }, (_, i) => num3(data.x[n * data.d + i]!)).join(', ');
    const head = el(
      'p',
      `δ_l = ∂L/∂z_l per unit at the point the graph follows, x = (${x}), at step ${s.step}: computed exactly (f64), ` +
        `1/N included as in the graph (N·δ is this point’s own ∂ℓ/∂z). Brown below 0, teal above.`,
    );
    let m = 0;
    pull.delta.forEach((dl, l) => {
      for (let j = 0; j < Math.min(widths[l]!, DELTAS); j++) m = Math.max(m, Math.abs(dl[n * widths[l]! + j]!));
    });
    const rows = pull.delta.map((dl, l) => {
      const H = widths[l]!;
      const row = el('p', '', `pull-delta-${l + 1}`);
      row.className = 'pull-delta-row';
      row.append(el('span', l === L ? `δ${l + 1} (output)` : `δ${l + 1}`));
      for (let j = 0; j < Math.min(H, DELTAS); j++) {
        const v = dl[n * H + j]!;
        const chip = el('span', num3(v));
        chip.className = 'pull-delta';
        chip.dataset.delta = String(v);
        chip.title = l === L ? `δ${l + 1}, the output` : `δ${l + 1}[${j + 1}], unit ${j + 1} of layer ${l + 1}`;
        const t = m > 0 ? 0.5 + (0.45 * v) / m : 0.5;
        const bg = interpolateBrBG(t);
        chip.style.background = bg;
        chip.style.color = inkOn(bg);
        row.append(chip);
      }
      if (H > DELTAS) row.append(el('span', `+${(H - DELTAS).toLocaleString('en-US')} more`));
      return row;
    });
    root.dataset.point = String(n);
    root.replaceChildren(head, ...rows);
  }
}

/** WCAG's relative luminance of an sRGB channel in [0, 255]. */
const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);

/**
 * The text colour for a chip painted `bg` ("rgb(r, g, b)", as d3's interpolators give it): black or white, whichever
 * contrasts more with it by WCAG's ratio. One of the two always reaches 4.58:1 (near-black, #111, can fall short on a
 * mid-tone, which axe caught on a brown chip).
 */
export function inkOn(bg: string): '#000' | '#fff' {
  const m = /rgb\((\d+), ?(\d+), ?(\d+)\)/.exec(bg);
  if (!m) return '#000';
  const L = 0.2126 * linear(Number(m[1])) + 0.7152 * linear(Number(m[2])) + 0.0722 * linear(Number(m[3]));
  return (L + 0.05) / 0.05 >= 1.05 / (L + 0.05) ? '#000' : '#fff';
}
