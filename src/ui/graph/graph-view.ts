/**
 * A drawn graph kept alive on the page: built once per shape (the widths, N, d, loss, f, output, penalty),
 * KaTeX included, then only its text nodes and data attributes change.
 */
import katex from 'katex';
import { gateKey, gateShade, type GraphState, numberKeys, type NumberKey } from './graph-model.js';
import { edgeLabels } from './graph-labels.js';
import {
  describe,
  gateOf,
  graphMarkup,
  groupValues,
  itemText,
  jacobianText,
  labelGeometry,
  type MarkupOptions,
} from './graph-svg.js';
import './graph.css';

const tex = (source: string) => katex.renderToString(source, { throwOnError: true, output: 'html' });

export class GraphView {
  readonly svg: SVGSVGElement;
  readonly shape: string;
  private readonly numbers: SVGTextElement[];

  private readonly prefix: string;

  constructor(container: HTMLElement, s: GraphState, o: Omit<MarkupOptions, 'tex'>) {
    this.prefix = o.keyPrefix;
    container.innerHTML = graphMarkup(s, { ...o, tex }); // our own markup; KaTeX rendered here, once per shape
    const svg = container.querySelector('svg');
    if (!svg) throw new Error('graph: the markup produced no <svg>');
    this.svg = svg;
    this.shape = shapeOf(s);
    this.numbers = [...svg.querySelectorAll<SVGTextElement>('text[data-key]')];
  }

  /** Writes the numbers of `s` (same shape) into the existing text nodes. */
  update(s: GraphState): void {
    if (shapeOf(s) !== this.shape) throw new Error('graph: update with a different shape; build a new view');
    for (const el of this.numbers) {
      const key = el.dataset.key as NumberKey;
      const max = el.dataset.max === undefined ? undefined : Number(el.dataset.max);
      const t = itemText(s, key, Number(el.dataset.i), Number(el.dataset.len), max);
      if (el.textContent !== t.text) el.textContent = t.text;
      el.dataset.value = t.value;
      const gate = gateOf(s, key);
      if (gate) el.classList.toggle('gated', gate[Number(el.dataset.i)] === 0);
    }
    for (const key of numberKeys(s)) {
      const g = this.svg.querySelector<SVGGElement>(`g[data-values][data-testid="${this.prefix}-${key}"]`);
      if (g) g.dataset.values = groupValues(s, key).values;
    }
    for (const row of this.svg.querySelectorAll<SVGGElement>('g.row')) {
      const j = Number(row.dataset.row);
      const l = Number(row.dataset.layer ?? 1);
      row.classList.toggle('closed', s.values[gateKey(l)]![j] === 0);
      row.querySelector('.gate-shade')?.setAttribute('fill-opacity', gateShade(s, j, l).toFixed(3));
    }
    for (const l of edgeLabels(s, labelGeometry(s))) {
      const el = this.svg.querySelector(`[data-testid="${this.prefix}-${l.testid}"]`);
      if (el && l.value !== undefined) el.setAttribute('data-jacobian', jacobianText(l.value));
    }
    const desc = this.svg.querySelector('desc');
    if (desc) desc.textContent = describe(s);
  }

  /**
   * Walk mode: numbers of stages after `current` hidden, `current`'s nodes lit; null leaves the walk. `held`: the
   * current stage's numbers stay hidden too (a prediction is asked for before they are shown).
   */
  showWalk(order: readonly string[], current: string | null, held = false): void {
    this.svg.classList.toggle('walking', current !== null);
    const at = current === null ? order.length : order.indexOf(current);
    for (const el of this.svg.querySelectorAll<SVGElement>('[data-reveal]')) {
      const k = order.indexOf(el.dataset.reveal ?? '');
      el.classList.toggle('unrevealed', current !== null && (k > at || (held && k === at)));
      el.classList.toggle('walk-new', current !== null && !held && k === at);
    }
    for (const el of this.svg.querySelectorAll<SVGElement>('[data-walk]')) {
      el.classList.toggle('walk-current', current !== null && (el.dataset.walk ?? '').split(' ').includes(current));
    }
  }
}

export function shapeOf(s: GraphState): string {
  const g = s.input;
  // f changes the drawing (its header, gate glyph and label), so do the output and whether a penalty is drawn
  return `${g.d}|${g.hidden.join(',')}|${g.N}|${g.loss}|${g.activation ?? 'relu'}|${g.output ?? 'sigmoid'}|${s.penalty}`;
}
