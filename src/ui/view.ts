/**
 * What the demo shows for one snapshot: the stats, the failure hints, the loss
 * curve, the decision boundary, the network (each picture with its text
 * alternative), the computation graph and the gradient panel; and the
 * playback controls for a state.
 */
import { numericGradient } from '../mlp/reference.js';
import { accuracy } from '../mlp/accuracy.js';
import type { PlayState } from './controller.js';
import { renderDiagram } from './diagram.js';
import { type DemoElements, keyboardScrollable } from './dom.js';
import { FD_MAX_PARAMS, renderGradients } from './gradients.js';
import { hints } from './hints.js';
import type { LossHistory } from './history.js';
import { deadUnits, renderNetwork } from './network.js';
import { drawDecisionBoundary, drawLossCurve } from './plots.js';
import type { Snapshot } from './session.js';
import type { Settings } from './state.js';

export interface View {
  els: DemoElements;
  settings: Settings;
  history: LossHistory;
  /** Show central differences in the gradient panel. */
  fd: boolean;
}

/** Redraws everything the demo shows from one snapshot. */
export function render(app: View, s: Snapshot, stepsPerSecond: number): void {
  const { els, settings } = app;
  const H = s.values.a1.length / s.data.N;
  app.history.add({ step: s.step, loss: s.loss });
  els.step.textContent = String(s.step);
  els.loss.textContent = Number.isFinite(s.loss) ? s.loss.toExponential(3) : 'not a number';
  els.accuracy.textContent = `${Math.round(100 * accuracy(s.values.yHat, s.data.y))}%`;
  els.speed.textContent = stepsPerSecond > 0 ? `${Math.round(stepsPerSecond).toLocaleString('en-US')} steps/s` : '–';
  els.lossCurve.setAttribute('aria-label', drawLossCurve(els.lossCurve, app.history.points));
  els.boundary.setAttribute('aria-label', drawDecisionBoundary(els.boundary, { d: s.data.d, H }, s.params, s.data));
  els.network.setAttribute('aria-label', renderNetwork(els.network, s));
  const first = app.history.points[0];
  const list = hints({
    step: s.step,
    hidden: H,
    dead: deadUnits(s).length,
    yHat: s.values.yHat,
    firstLoss: first && first.step === 0 ? first.loss : NaN,
    minLoss: app.history.min(),
    loss: s.loss,
    lr: settings.lr,
  });
  const key = list.map((h) => h.text).join('\n');
  if (els.hints.dataset.key !== key) {
    // only when they change: the list is a live region, and a screen reader would repeat it every frame
    els.hints.dataset.key = key;
    els.hints.replaceChildren(...list.map((h) => Object.assign(document.createElement('li'), { textContent: h.text, className: `hint-${h.id}` })));
  }
  renderDiagram(els.diagram, s, settings.point, settings.loss);
  const fd = app.fd && s.params.length <= FD_MAX_PARAMS ? numericGradient({ d: s.data.d, H }, s.params, s.data, settings.loss) : null;
  renderGradients(els.gradients, s, fd);
  keyboardScrollable(els.gradients);
}

const STATE_TEXT: Record<PlayState, string> = {
  starting: 'starting…',
  idle: 'paused',
  playing: 'training',
  resetting: 'starting a new run…',
  failed: 'stopped (see the message above)',
};

/** The Play/Pause toggle, Step and the state line for a playback state; `playing` is whether Play is wanted. */
export function showState(els: DemoElements, state: PlayState, playing: boolean): void {
  els.play.textContent = playing ? 'Pause' : 'Play';
  els.play.setAttribute('aria-pressed', String(playing));
  els.stepOnce.disabled = playing || state === 'starting';
  els.state.textContent = STATE_TEXT[state];
  els.state.dataset.state = state;
}
