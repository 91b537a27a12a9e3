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
import { lossDigits, missShare, type Nudge, nudgeOf, parseWeight } from './nudge.js';

/** Weights listed in the menu at most (a wide network has thousands); the pictures reach the rest they draw. */
export const WEIGHTS_LISTED = 2000;
/** How close (in the picture's own units) the pointer must come to an edge to touch it. */
const REACH = 7;

const t = (id: string) => `[data-testid="${id}"]`;

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

  constructor(
    private readonly els: TouchElements,
    private readonly network: SVGSVGElement,
    diagram: HTMLElement,
    private readonly controller: Controller,
  ) {
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
    });
    network.addEventListener('pointerleave', () => network.classList.remove('touching'));
    network.addEventListener('click', (e) => {
      const k = this.nearestEdge(e);
      if (k === null) return;
      this.pick(k);
      this.open();
    });
    diagram.addEventListener('pointerover', (e) => {
      const k = this.graphWeight(e.target);
      if (k !== null && k !== this.index) this.pick(k);
    });
    diagram.addEventListener('click', (e) => {
      const k = this.graphWeight(e.target);
      if (k === null) return;
      this.pick(k);
      this.open();
    });
  }

  /** A snapshot was drawn: the list follows the network, the reading follows the numbers. */
  show(s: Snapshot): void {
    const shape = `${s.model.d}:${s.model.hidden.join(',')}`;
    if (shape !== this.shape) {
      this.shape = shape;
      this.names = parameterNames(s.model);
      if (this.index >= this.names.length) this.index = 0;
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
      this.els.choice.value = String(this.index);
    }
    if (this.controller.wanted && !this.els.editor.hidden) {
      this.close(false);
      this.say(`${this.name()} was not changed: training started, and it changes every weight (pause to edit)`);
    }
    this.read(s);
  }

  /** A new run: what was said of the last one's weights no longer applies. */
  onState(state: PlayState): void {
    if (state !== 'resetting' && state !== 'starting') return;
    this.close(false);
    this.els.result.replaceChildren();
    delete this.els.result.dataset.name;
    this.say('');
  }

  private name(): string {
    return this.names[this.index] ?? `parameter ${this.index + 1}`;
  }

  private pick(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.names.length) return;
    this.index = index;
    if (index < WEIGHTS_LISTED) this.els.choice.value = String(index);
    if (!this.els.editor.hidden) this.close(false);
    const s = this.controller.last;
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
      `(the CPU oracle's, f64: raising it by a small Δw changes the loss by about ${fmt(g)}·Δw)`;
    Object.assign(read.dataset, {
      name,
      index: String(this.index),
      value: String(w),
      grad: String(g),
      step: String(s.step),
    });
    for (const e of this.network.querySelectorAll('.unit-edge.touched')) e.classList.remove('touched');
    this.network.querySelector(`.unit-edge[data-param="${this.index}"]`)?.classList.add('touched');
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
    this.showNudge(nudgeOf(name, index, before, after), r.value);
    this.read(after);
  }

  private showNudge(n: Nudge, typed: number): void {
    const { result } = this.els;
    const p = (text: string, className = '') =>
      Object.assign(document.createElement('p'), { textContent: text, className });
    const digits = lossDigits(n.before, n.after);
    const loss = (v: number) => String(Number(v.toPrecision(digits)));
    const f32 = n.w1 !== typed ? ` (you typed ${typed}; the GPU holds the nearest f32, ${n.w1})` : '';
    const verdict =
      n.dw === 0
        ? p('Δw = 0: the weight and the loss are as they were.')
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
      p(`First-order prediction: ΔL ≈ ∂L/∂w · Δw = ${fmt(n.g)} × ${fmt(n.dw)} = ${signed(n.predicted)}.`),
      verdict,
    );
    const data: Record<string, string> = {
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

/** Distance from (px, py) to the segment (x1, y1)–(x2, y2). */
function toSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const [dx, dy] = [x2 - x1, y2 - y1];
  const len = dx * dx + dy * dy;
  const u = len === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}
