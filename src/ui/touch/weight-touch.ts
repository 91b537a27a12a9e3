/**
 * Touch a weight: pointing at an edge of the network picture (or at one weight in the computation graph), or choosing
 * it in the list (the keyboard's way), shows its name as the gradient panel writes it (W1[j][k], b1[j], W2[j], b2;
 * counted from 1), its value and ∂L/∂w from the CPU oracle. Click, Enter or "Edit" opens an editor while paused;
 * the value typed is written into the live run (Session.setParams through the controller), a new snapshot is read
 * at the same step, and the loss before and after is shown beside the gradient's first-order prediction (./nudge.ts).
 */
import { modelLayout } from '../../mlp/model.js';
import type { PlaybackController, PlayState } from '../controller.js';
import { q } from '../dom.js';
import { parameterNames } from '../gradients.js';
import { fmt } from '../graph/graph-model.js';
import type { Snapshot } from '../session.js';
import {
  lossDigits,
  minus,
  missShare,
  type Nudge,
  nudgeOf,
  parseWeight,
  product,
  steepest,
  storedDigits,
} from './nudge.js';

/** Weights listed in the menu at most (a wide network has thousands); the pictures reach the rest they draw. */
export const WEIGHTS_LISTED = 2000;
/** How close (in the picture's own units) the pointer must come to an edge to touch it. */
const REACH = 7;

const t = (id: string) => `[data-testid="${id}"]`;

/** What the result panel's data attributes hold of the last edit (cleared with it). */
const RESULT_KEYS = [
  'name',
  'index',
  'step',
  'w0',
  'w1',
  'dw',
  'grad',
  'before',
  'after',
  'actual',
  'predicted',
  'agrees',
  'past',
] as const;

export interface TouchElements {
  choice: HTMLSelectElement;
  edit: HTMLButtonElement;
  read: HTMLElement;
  editor: HTMLFormElement;
  editing: HTMLElement;
  value: HTMLInputElement;
  error: HTMLElement;
  result: HTMLElement;
}

export function touchElements(): TouchElements {
  return {
    choice: q(t('weight-choice')),
    edit: q(t('weight-edit')),
    read: q(t('weight-read')),
    editor: q(t('weight-editor')),
    editing: q(t('weight-editing')),
    value: q(t('weight-value')),
    error: q(t('weight-error')),
    result: q(t('weight-result')),
  };
}

type Controller = Pick<PlaybackController<unknown>, 'wanted' | 'state' | 'last' | 'setParams'>;

/** A signed change: "+0.0123", "−0.5". */
const signed = (v: number) => (v > 0 ? `+${fmt(v)}` : fmt(v));

export class WeightTouch {
  private index = 0;
  private names: string[] = [];
  private shape = '';
  /** Whether the learner chose a weight; until then the steepest one is shown (one with a gradient to read). */
  private chosen = false;
  /** The next snapshot picks the default weight (the first of a network's, or of a new run's, until a choice). */
  private pickDefault = true;
  /** The earlier step the page shows while the learner looks back (../scrub.ts): read, never edited. */
  private looked: Snapshot | undefined;
  /** Told of the weight chosen now, by the learner or by default (the pull map follows it). */
  onChoice: (k: number) => void = () => {};
  /** A readout beside the pointer: the panel may be below the fold. */
  private readonly tip: HTMLElement;

  constructor(
    private readonly els: TouchElements,
    private readonly network: SVGSVGElement,
    diagram: HTMLElement,
    private readonly controller: Controller,
    /** Told of each edit made (the loss curve marks it as it marks a setting changed mid-run). */
    private readonly onEdited: (n: Nudge) => void = () => {},
  ) {
    this.tip = Object.assign(document.createElement('div'), { className: 'weight-tip', hidden: true });
    this.tip.dataset.testid = 'weight-tip';
    // the panel says the same to a screen reader; this is for eyes near the pointer
    this.tip.setAttribute('aria-hidden', 'true');
    Object.assign(this.tip.style, {
      position: 'fixed',
      pointerEvents: 'none',
      zIndex: '10',
      padding: '2px 6px',
      font: '12px system-ui, sans-serif',
      background: 'rgba(255, 255, 255, 0.95)',
      color: '#111',
      border: '1px solid #888',
      borderRadius: '3px',
      whiteSpace: 'nowrap',
    });
    document.body.append(this.tip);
    const { choice, edit, editor, value } = els;
    choice.addEventListener('change', () => this.pick(Number(choice.value)));
    choice.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      this.open();
    });
    edit.addEventListener('click', () => this.open());
    editor.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.commit();
    });
    q<HTMLButtonElement>(t('weight-cancel')).addEventListener('click', () => this.close(true));
    value.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close(true);
    });
    network.addEventListener('pointermove', (e) => {
      const k = this.nearestEdge(e);
      network.classList.toggle('touching', k !== null);
      if (k !== null && k !== this.index) this.pick(k);
      this.place(k === null ? null : e);
    });
    network.addEventListener('pointerleave', (e) => {
      network.classList.remove('touching');
      if (e.pointerType !== 'touch') this.place(null);
    });
    network.addEventListener('click', (e) => {
      const k = this.nearestEdge(e);
      if (k === null) return this.place(null);
      this.pick(k);
      // a tap selects and shows (the editor's focus would scroll the picture away); Edit or Enter opens it
      if (isTouch(e)) this.place(e);
      else this.open();
    });
    diagram.addEventListener('pointerover', (e) => {
      const k = this.graphWeight(e.target);
      if (k !== null && k !== this.index) this.pick(k);
    });
    diagram.addEventListener('click', (e) => {
      const k = this.graphWeight(e.target);
      if (k === null) return;
      this.pick(k);
      if (!isTouch(e)) this.open();
    });
  }

  /** A snapshot was drawn: the list follows the network, the reading follows the numbers. */
  show(s: Snapshot): void {
    const shape = `${s.model.d}:${s.model.hidden.join(',')}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.names = parameterNames(s.model);
      if (this.index >= this.names.length) [this.index, this.chosen] = [0, false];
      if (!this.chosen) this.pickDefault = true;
      const listed = this.names.slice(0, WEIGHTS_LISTED).map((n, i) => new Option(n, String(i)));
      this.els.choice.replaceChildren(...listed);
      if (this.names.length > WEIGHTS_LISTED)
        this.els.choice.append(
          Object.assign(
            new Option(`(the first ${WEIGHTS_LISTED} of ${this.names.length.toLocaleString('en-US')})`, ''),
            {
              disabled: true,
            },
          ),
        );
    }
    if (this.pickDefault && !this.chosen) this.index = steepest(s.oracle.grads);
    this.pickDefault = false;
    this.onChoice(this.index);
    if (this.index < WEIGHTS_LISTED) this.els.choice.value = String(this.index);
    this.markPast(s.step);
    if (this.controller.wanted && !this.els.editor.hidden) {
      this.close(false);
      this.say(`${this.name()} was not changed: training started, and it changes every weight (pause to edit)`);
    }
    this.read(this.looked ?? s);
  }

  /**
   * The page looks back at an earlier step (or, undefined, returns to the present): the reading follows the step
   * shown, and editing waits for the present, since an edit changes the live run, not the past.
   */
  lookBack(past: Snapshot | undefined): void {
    this.looked = past;
    if (past && !this.els.editor.hidden) this.close(false);
    this.say('');
    const s = past ?? this.controller.last;
    if (s) this.read(s);
  }

  /** A new run: what was said of the last one's weights no longer applies. */
  onState(state: PlayState): void {
    if (state !== 'resetting' && state !== 'starting') return;
    if (!this.chosen) this.pickDefault = true;
    this.close(false);
    this.els.result.replaceChildren();
    for (const key of RESULT_KEYS) delete this.els.result.dataset[key];
    this.els.result.classList.remove('past');
    this.say('');
  }

  /** The last edit's result, once the run has stepped on from it: said to be of its step, not of now. */
  private markPast(step: number): void {
    const { result } = this.els;
    if (result.dataset.step === undefined || result.dataset.past || Number(result.dataset.step) === step) return;
    result.dataset.past = 'true';
    result.classList.add('past');
    const note = document.createElement('p');
    note.dataset.testid = 'weight-result-past';
    note.textContent =
      `From step ${result.dataset.step}; the run has moved on since, so these numbers are that moment's, ` +
      `not ${result.dataset.name ?? 'the weight'}'s now (shown above).`;
    result.prepend(note);
  }

  /** The readout beside the pointer at `e`, on the chosen weight; hidden for null. */
  private place(e: MouseEvent | null): void {
    const s = this.looked ?? this.controller.last;
    const w = s?.params[this.index];
    const g = s?.oracle.grads[this.index];
    if (!e || w === undefined || g === undefined) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = `${this.name()} = ${fmt(w)}, ∂L/∂w = ${fmt(g)}`;
    this.tip.hidden = false;
    const x = Math.min(e.clientX + 14, window.innerWidth - this.tip.offsetWidth - 4);
    const y = e.clientY + 18 + this.tip.offsetHeight > window.innerHeight ? e.clientY - 30 : e.clientY + 18;
    Object.assign(this.tip.style, { left: `${Math.max(4, x)}px`, top: `${Math.max(4, y)}px` });
  }

  private name(): string {
    return this.names[this.index] ?? `parameter ${this.index + 1}`;
  }

  /** Chooses parameter `index` from elsewhere on the page (the pull map's list). */
  choose(index: number): void {
    this.pick(index);
  }

  private pick(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.names.length) return;
    this.index = index;
    this.chosen = true;
    this.onChoice(index);
    if (index < WEIGHTS_LISTED) this.els.choice.value = String(index);
    if (!this.els.editor.hidden) this.close(false);
    const s = this.looked ?? this.controller.last;
    if (s) this.read(s);
  }

  /** The chosen weight's value and gradient, and its edge marked in the picture. */
  private read(s: Snapshot): void {
    const { read } = this.els;
    const w = s.params[this.index];
    const g = s.oracle.grads[this.index];
    if (w === undefined || g === undefined) return;
    const name = this.name();
    read.textContent =
      `${name} = ${fmt(w)}; its gradient ∂L/∂${name} = ${fmt(g)} at step ${s.step} ` +
      `(the exact gradient, f64: raising it by a small Δw changes the loss by about ${fmt(g)}·Δw)`;
    Object.assign(read.dataset, {
      name,
      index: String(this.index),
      value: String(w),
      grad: String(g),
      step: String(s.step),
    });
    for (const e of this.network.querySelectorAll('.unit-edge.touched')) {
      e.classList.remove('touched');
      e.querySelector('title[data-touch]')?.remove();
    }
    const edge = this.network.querySelector(`.unit-edge[data-param="${this.index}"]`);
    if (edge) {
      edge.classList.add('touched');
      // a tooltip that names the weight, for a pointer resting on it
      const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
      title.dataset.touch = '';
      title.textContent = `${name} = ${fmt(w)}, ∂L/∂w = ${fmt(g)} at step ${s.step}`;
      edge.querySelector('title')?.remove();
      edge.append(title);
    }
    if (!this.tip.hidden) this.tip.textContent = `${name} = ${fmt(w)}, ∂L/∂w = ${fmt(g)}`;
  }

  private paused(): boolean {
    return !this.controller.wanted && this.controller.state === 'idle' && this.controller.last !== null;
  }

  private say(text: string): void {
    this.els.error.textContent = text;
  }

  /** Opens the editor on the chosen weight, or says why not (training, or no run yet). */
  private open(): void {
    const name = this.name();
    if (this.looked) {
      this.say(
        `${name} is shown as it was at step ${this.looked.step}, looked back at: edits change the run now, so move ` +
          'the "Look back" slider to its right end (or press "Play on from here") to edit it',
      );
      return;
    }
    if (!this.paused()) {
      const { wanted, state } = this.controller;
      this.say(
        wanted
          ? `pause to edit ${name}: while training plays, every step changes it`
          : state === 'pausing'
            ? `${name}: the last frame is still being drawn; edit it again in a moment`
            : state === 'failed'
              ? `${name} cannot be edited: this run has stopped (see the message above); Reset starts a new one`
              : `${name} can be edited once the run has started`,
      );
      return;
    }
    const s = this.controller.last!;
    const { editor, editing, value } = this.els;
    this.say('');
    editing.textContent = name;
    value.value = String(Number(s.params[this.index]!.toPrecision(6)));
    value.removeAttribute('aria-invalid');
    editor.hidden = false;
    value.focus();
    value.select();
  }

  private close(refocus: boolean): void {
    this.els.editor.hidden = true;
    if (refocus) this.els.choice.focus();
  }

  /** Writes the typed value into the run, or refuses it naming the weight and the range (nothing changed). */
  private async commit(): Promise<void> {
    const name = this.name();
    const index = this.index;
    const { value } = this.els;
    const r = parseWeight(name, value.value);
    if ('error' in r) {
      value.setAttribute('aria-invalid', 'true');
      this.say(r.error);
      return;
    }
    const before = this.controller.last;
    if (!this.paused() || !before) {
      this.close(false);
      this.say(`pause to edit ${name}: while training plays, every step changes it`);
      return;
    }
    const params = Float64Array.from(before.params);
    params[index] = r.value;
    let after: Snapshot | null;
    try {
      after = await this.controller.setParams(params);
    } catch (e) {
      value.setAttribute('aria-invalid', 'true');
      this.say(`${name} was not changed: ${(e as Error).message}`);
      return;
    }
    if (!after) {
      this.say(`${name} was not changed: the run moved on meanwhile (pause, then edit again)`);
      return;
    }
    value.removeAttribute('aria-invalid');
    this.say('');
    this.close(true);
    const n = nudgeOf(name, index, before, after);
    this.showNudge(n, r.value);
    this.read(after);
    this.onEdited(n);
  }

  private showNudge(n: Nudge, typed: number): void {
    const { result } = this.els;
    const p = (text: string, className = '') =>
      Object.assign(document.createElement('p'), { textContent: text, className });
    const digits = lossDigits(n.before, n.after);
    const loss = (v: number) => String(Number(v.toPrecision(digits)));
    const f32 =
      n.w1 !== typed
        ? ` (you typed ${minus(String(typed))}; stored as the nearest 32-bit float, ${storedDigits(typed, n.w1)})`
        : '';
    const verdict =
      n.dw === 0
        ? p('Δw = 0: the weight and the loss are as they were.')
        : n.g === 0 && n.actual !== 0
          ? p(
              'The gradient was 0, so it predicted no change, yet the loss moved: at the old value no gradient ' +
                'reached this weight (for example through a closed ReLU gate, where ReLU′(z) = 0), and the change ' +
                'opened a path for it. ∂L/∂w is the slope at the old value only; a slope of 0 there says nothing ' +
                'about a large step.',
              'miss',
            )
          : n.agrees
            ? p(
                `The gradient predicted it: ∂L/∂w·Δw is off by only ${missShare(n)} of the actual change. For a ` +
                  'small enough Δw the loss changes along the straight line the gradient gives.',
                'agree',
              )
            : p(
                `The prediction misses by ${missShare(n)} of the actual change: ∂L/∂w is the slope at the old ` +
                  `value only, and over Δw = ${fmt(n.dw)} the loss curves away from that straight line. ` +
                  'Try a smaller change (Δw = 0.01) to see the two agree.',
                'miss',
              );
    result.replaceChildren(
      p(`${n.name}: ${fmt(n.w0)} → ${fmt(n.w1)}${f32}, Δw = ${signed(n.dw)}, at step ${n.step}.`),
      p(`Loss L before ${loss(n.before)}, after ${loss(n.after)}: the actual change ΔL = ${signed(n.actual)}.`),
      p(`First-order prediction: ΔL ≈ ∂L/∂w · Δw = ${product(fmt(n.g), fmt(n.dw))} = ${signed(n.predicted)}.`),
      verdict,
    );
    const data: Record<Exclude<(typeof RESULT_KEYS)[number], 'past'>, string> = {
      name: n.name,
      index: String(n.index),
      step: String(n.step),
      w0: String(n.w0),
      w1: String(n.w1),
      dw: String(n.dw),
      grad: String(n.g),
      before: String(n.before),
      after: String(n.after),
      actual: String(n.actual),
      predicted: String(n.predicted),
      agrees: String(n.agrees),
    };
    delete result.dataset.past;
    result.classList.remove('past');
    Object.assign(result.dataset, data);
  }

  /** The flat index of the edge within REACH of the pointer, the nearest; null if none. */
  private nearestEdge(e: MouseEvent): number | null {
    const m = this.network.getScreenCTM();
    if (!m) return null;
    const at = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    let best: number | null = null;
    let bestD = REACH;
    for (const line of this.network.querySelectorAll<SVGLineElement>('.unit-edge[data-param]')) {
      const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((a) => Number(line.getAttribute(a)));
      const d = toSegment(at.x, at.y, x1!, y1!, x2!, y2!);
      if (d < bestD) [best, bestD] = [Number(line.dataset.param), d];
    }
    return best;
  }

  /** The flat index of a single weight or bias the graph shows (an entry of W_l or b_l, or its gradient). */
  private graphWeight(target: EventTarget | null): number | null {
    if (!(target instanceof Element)) return null;
    const item = target.closest('[data-key][data-i]');
    const key = /^d?([Wb])(\d+)$/.exec(item?.getAttribute('data-key') ?? '');
    if (!item || !key || item.getAttribute('data-len') !== '1') return null;
    const s = this.controller.last;
    if (!s) return null;
    const slot = modelLayout(s.model).layers[Number(key[2]) - 1];
    if (!slot) return null;
    return (key[1] === 'W' ? slot.W.offset : slot.b.offset) + Number(item.getAttribute('data-i'));
  }
}

/** A click made by a finger (a tap): Chromium's click is a PointerEvent saying which pointer made it. */
const isTouch = (e: MouseEvent) => (e as PointerEvent).pointerType === 'touch';

/** Distance from (px, py) to the segment (x1, y1)–(x2, y2). */
function toSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const [dx, dy] = [x2 - x1, y2 - y1];
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}
