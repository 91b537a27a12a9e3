/**
 * What the demo shows for one snapshot: the stats, the failure hints, the loss curve, the decision boundary, the
 * network (each picture with its text alternative), the computation graph and the gradient panel; and the playback
 * controls for a state.
 */
import { fitOf } from '../mlp/accuracy.js';
import type { Dataset } from '../mlp/data/data.js';
import { forwardModel, numericGradientModel, sampleLossesModel } from '../mlp/reference.js';
import type { PlayState } from './controller.js';
import type { PageData } from './data-choice.js';
import { highlightUnit, REFRESH_MS, renderDiagram } from './graph/diagram.js';
import { type DemoElements, keyboardScrollable } from './dom.js';
import { formatNumber, NOT_FINITE } from './format.js';
import { FD_MAX_PARAMS, renderGradients } from './gradients.js';
import { hintInputOf, hints, layerGradientNorms, NO_LINE } from './hints.js';
import type { LossHistory } from './history.js';
import { deadUnits, highlightNetworkUnit, renderNetwork, saturatedUnits, type UnitRef } from './plots/network.js';
import { drawDecisionBoundary, drawLossCurve, planeExtent } from './plots/plots.js';
import type { Snapshot } from './session.js';
import { type Settings, type Speed, SPEEDS, speedPosition, speedWords } from './state.js';
import { renderUnitMaps } from './plots/unit-maps.js';
import type { PullView } from './plots/pull-map.js';

export interface View {
  els: DemoElements;
  settings: Settings;
  /** What trains and what is held out: the test loss is computed here, on the CPU, from each snapshot's parameters. */
  data: PageData;
  history: LossHistory;
  /** With mini-batches: the batch losses, drawn faint behind the training-set loss. */
  batchHistory: LossHistory;
  /** ‖∂L/∂W_l‖ per layer at step 0 of this run (for the gradient-size hint); cleared with the history. */
  startNorms?: readonly number[];
  /** Show central differences in the gradient panel. */
  fd: boolean;
  /** Each sample's pull on the chosen parameter, and δ at the followed point (./plots/pull-map.ts). */
  pull?: Pick<PullView, 'show'>;
}

/**
 * Redraws all the demo shows from a snapshot; `exact` false (while playing) lets the graph throttle its numbers.
 * `past`: a snapshot of an earlier step, looked back at: the history is left as it is, and the curve marks the step.
 */
export function render(app: View, s: Snapshot, stepsPerSecond: number, exact = true, past = false): void {
  const { els, settings } = app;
  delete els.demo.dataset.building; // this run's own pictures from here on
  const testLoss = showTest(app, s);
  if (!past) {
    app.history.add({ step: s.step, loss: s.loss, ...(testLoss !== null ? { test: testLoss } : {}) });
    if (s.step === 0) app.startNorms = layerGradientNorms(s.model, s.params, s.oracle.grads, s.objective);
    if (s.batchLoss !== null) app.batchHistory.add({ step: s.step, loss: s.batchLoss });
  }
  showStats(els, s);
  els.kernel.textContent = s.kernel;
  els.kernel.title =
    s.kernelWhy ??
    (s.kernel === 'cpu-fast' ? 'the f64 CPU trainer (src/mlp/train/train-fast.ts), in a Web Worker' : '');
  const rate = Math.round(stepsPerSecond);
  els.speed.textContent =
    stepsPerSecond > 0 ? `${rate.toLocaleString('en-US')} ${rate === 1 ? 'step' : 'steps'}/s` : '–';
  els.lossCurve.setAttribute(
    'aria-label',
    drawLossCurve(
      els.lossCurve,
      app.history.points,
      app.batchHistory.points,
      app.history.changes,
      past ? { step: s.step, loss: s.loss } : undefined,
    ),
  );
  const test = app.data.test;
  const view = { showTest: settings.showTest === 'on', discretize: settings.discretize === 'on' };
  els.boundary.setAttribute(
    'aria-label',
    drawDecisionBoundary(els.boundary, s.model, s.params, s.data, test, 50, view),
  );
  boundaryCaption(els.boundary, s.model.output === 'identity');
  els.network.setAttribute('aria-label', renderNetwork(els.network, s));
  const dead = deadUnits(s);
  const saturated = saturatedUnits(s);
  const extent = s.data.d === 2 ? planeExtent(s.data, test) : ([0, 1] as [number, number]);
  const highlight = (u: UnitRef | null) => {
    // the graph draws the first hidden layer's units
    highlightUnit(els.diagram, u && u.layer === 1 ? u.unit : null);
    highlightNetworkUnit(els.network, u);
  };
  const sets = (lists: number[][]) => lists.map((u) => new Set(u));
  els.unitMaps.dataset.summary = renderUnitMaps(
    els.unitMaps,
    { model: s.model, params: s.params, extent, train: s.data, dead: sets(dead), saturated: sets(saturated) },
    highlight,
  );
  // the loss is judged since the last setting changed mid-run (the whole run if none)
  const { since, firstLoss, minLoss, pastLoss, change } = app.history.segment(s.step);
  const noLine = app.data.kind && NO_LINE[app.data.kind];
  const list = hints(
    hintInputOf(
      s,
      {
        firstLoss,
        minLoss,
        pastLoss,
        lr: settings.lr,
        since,
        ...(change ? { change: `where the ${change.what} became ${change.to}` } : {}),
        ...(noLine ? { noLine } : {}),
        ...(app.startNorms ? { startNorms: app.startNorms } : {}),
      },
      { dead, saturated },
    ),
  );
  const key = list.map((h) => h.text).join('\n');
  if (els.hints.dataset.key !== key) {
    // only when they change: the list is a live region, and a screen reader would repeat it every frame
    els.hints.dataset.key = key;
    els.hints.replaceChildren(
      ...list.map((h) =>
        Object.assign(document.createElement('li'), { textContent: h.text, className: `hint-${h.id} hint-${h.level}` }),
      ),
    );
  }
  renderDiagram(els.diagram, s, settings.sample - 1, { exact });
  app.pull?.show(s, settings.sample - 1, test, exact);
  const drawPanel = () => {
    const fd =
      app.fd && s.params.length <= FD_MAX_PARAMS ? numericGradientModel(s.model, s.params, s.data, s.objective) : null;
    renderGradients(els.gradients, s, fd, app.settings.bug !== 'off');
    keyboardScrollable(els.gradients);
  };
  // While playing, the panel is rebuilt at most every REFRESH_MS and never under the learner's pointer or focus
  // (a rebuild between press and release swallows the click); a pause draws the last snapshot (flushGradients).
  const panel = panels.get(els.gradients) ?? { at: -Infinity, pending: null };
  panels.set(els.gradients, panel);
  const busy = els.gradients.matches(':hover') || els.gradients.contains(document.activeElement);
  if (exact || (!busy && performance.now() - panel.at >= REFRESH_MS)) {
    panel.pending = null;
    panel.at = performance.now();
    drawPanel();
  } else panel.pending = drawPanel;
}

/** The boundary picture's caption says which colour scale it shows: index.html's (ŷ from 0 to 1), or regression's. */
function boundaryCaption(canvas: HTMLCanvasElement, regression: boolean): void {
  const caption = canvas.closest('figure')?.querySelector('figcaption');
  if (!caption) return;
  caption.dataset.classification ??= caption.textContent ?? '';
  const text = regression
    ? 'Regression: ŷ over the plane on a diverging scale (colour bar: red negative, white 0, blue positive, ' +
      'up to the largest |label|); the training points coloured by their label on the same scale, held-out test ' +
      'points as rings'
    : caption.dataset.classification;
  if (caption.textContent !== text) caption.textContent = text;
}

/** The gradient panel's last draw and the draw it skipped while training, per panel element. */
const panels = new WeakMap<HTMLElement, { at: number; pending: (() => void) | null }>();

/** Draws the panel's skipped refresh now (training paused: its numbers must be the last step's). */
export function flushGradients(root: HTMLElement): void {
  const panel = panels.get(root);
  if (!panel?.pending) return;
  const draw = panel.pending;
  panel.pending = null;
  panel.at = performance.now();
  draw();
}

const num = (v: number) => formatNumber(v);
const fixed3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : NOT_FINITE);

/**
 * The step and the epoch, the training loss (with its two terms where a penalty is set) and the fit: the accuracy when
 * classifying, RMSE and R² when regressing (src/mlp/accuracy.ts), over every training point at the snapshot's parameters.
 */
function showStats(els: DemoElements, s: Snapshot): void {
  els.step.textContent = String(s.step);
  els.epoch.textContent = String(Math.floor(s.step / s.perEpoch));
  els.epoch.title =
    s.batch < s.data.N
      ? `an epoch is ${s.perEpoch} steps: the ${s.data.N} training points shuffled and cut into batches of ${s.batch}`
      : 'every step uses every training point (the full batch): an epoch is one step';
  els.loss.textContent = num(s.loss);
  const penalised = s.objective.l1 > 0 || s.objective.l2 > 0;
  els.lossTerms.hidden = !penalised;
  els.dataLoss.textContent = num(s.oracle.dataLoss);
  els.penalty.textContent = num(s.oracle.penalty);
  const fit = fitOf(s.model.output, s.layers.yHat, s.data.y);
  const regression = s.model.output === 'identity';
  els.accuracyStat.hidden = regression;
  els.rmseStat.hidden = !regression;
  els.r2Stat.hidden = !regression;
  if (fit.accuracy !== undefined) els.accuracy.textContent = `${Math.round(100 * fit.accuracy)}%`;
  if (fit.rmse !== undefined) els.rmse.textContent = num(fit.rmse);
  els.r2.textContent = fit.r2 !== undefined ? fixed3(fit.r2) : '–';
  els.r2.title =
    fit.r2 !== undefined ? '1 − SS_res/SS_tot over the training points' : 'undefined: every label is the same';
}

/**
 * The held-out points' loss and fit (accuracy, or RMSE when regressing) at the snapshot's parameters: the CPU
 * forward pass (src/mlp/reference.ts, f64) on points the network never trains on.
 */
function showTest(app: View, s: Snapshot): number | null {
  const { els } = app;
  const test: Dataset | null = app.data.test;
  const regression = s.model.output === 'identity';
  els.testMetricName.textContent = regression ? 'test RMSE' : 'test accuracy';
  if (!test) {
    els.testLoss.textContent = 'none held out';
    els.testAccuracy.textContent = '–';
    return null;
  }
  const { dataLoss, cache } = heldOutLoss(s, test);
  els.testLoss.textContent = num(dataLoss);
  const fit = fitOf(s.model.output, cache.yHat, test.y);
  els.testAccuracy.textContent = regression ? num(fit.rmse!) : `${Math.round(100 * fit.accuracy!)}%`;
  return dataLoss;
}

/**
 * A new run is being built from the settings the controls now show: nothing of the last run may pass for it. The
 * network is drawn as the new run starts (`start`, its step-0 snapshot, where the run's size allows computing it
 * here), the other pictures are dimmed under "building…" (style.css) with text alternatives that say so, the run's
 * numbers are blank and its hints cleared, and the test-loss field says what the data note says.
 */
export function showBuilding(app: View, start: Snapshot | null): void {
  const { els, settings } = app;
  els.demo.dataset.building = 'building';
  // no number of the run until its first snapshot is drawn: a step shown now would stand beside the old pictures
  for (const el of [els.step, els.epoch, els.loss, els.dataLoss, els.penalty, els.accuracy, els.rmse, els.r2])
    el.textContent = '–';
  for (const el of [els.testAccuracy, els.speed]) el.textContent = '–';
  els.testLoss.textContent = app.data.test ? '–' : 'none held out';
  const regression = settings.problem === 'regression';
  els.accuracyStat.hidden = regression;
  els.rmseStat.hidden = !regression;
  els.r2Stat.hidden = !regression;
  els.lossTerms.hidden = settings.reg === 'none';
  els.testMetricName.textContent = regression ? 'test RMSE' : 'test accuracy';
  els.hints.replaceChildren();
  delete els.hints.dataset.key;
  const what = regression ? 'Regression surface' : 'Decision boundary';
  els.boundary.setAttribute('aria-label', `${what}: building the new run; the last run's picture is dimmed.`);
  els.lossCurve.setAttribute('aria-label', "Loss curve: building the new run; the last run's curve is dimmed.");
  els.unitMaps.dataset.summary = 'building the new run';
  if (start) {
    els.network.setAttribute('aria-label', `${renderNetwork(els.network, start)} As the new run starts (building…).`);
    return;
  }
  els.network.replaceChildren();
  const shape = [app.data.train.d, ...settings.hidden, 1].join('-');
  els.network.setAttribute('aria-label', `Network ${shape}: building…`);
}

/** The speed slider at a speed, with the speed in words beside it (and for a screen reader, as its value). */
export function showSpeed(els: Pick<DemoElements, 'speedInput' | 'speedWords'>, speed: Speed): void {
  els.speedInput.max = String(SPEEDS.length - 1);
  els.speedInput.value = String(speedPosition(speed));
  els.speedInput.setAttribute('aria-valuetext', speedWords(speed));
  els.speedWords.value = speedWords(speed);
}

/** The run could not be built: its pictures stay dimmed, and say there is no run rather than "building…". */
export function showNotBuilt(els: DemoElements): void {
  if (els.demo.dataset.building) els.demo.dataset.building = 'stopped';
}

/** The data loss (no penalty: it is not a point's) and the forward pass on other points at the snapshot's parameters. */
function heldOutLoss(s: Snapshot, data: Dataset): { dataLoss: number; cache: { yHat: Float64Array } } {
  const cache = forwardModel(s.model, s.params, data);
  const losses = sampleLossesModel(s.model.output, s.objective.loss, cache);
  let sum = 0;
  for (const v of losses) sum += v;
  return { dataLoss: sum / losses.length, cache };
}

const STATE_TEXT: Record<PlayState, string> = {
  starting: 'starting…',
  idle: 'paused',
  pausing: 'pausing after this frame…',
  playing: 'training',
  resetting: 'starting a new run…',
  failed: 'stopped (see the message above)',
};

/** The Play/Pause toggle, Step and the state line for a playback state; `playing` is whether Play is wanted. */
export function showState(els: DemoElements, state: PlayState, playing: boolean): void {
  els.play.textContent = playing ? 'Pause' : 'Play';
  els.play.setAttribute('aria-pressed', String(playing));
  els.stepOnce.disabled = playing || state === 'starting' || state === 'pausing';
  els.state.textContent = STATE_TEXT[state];
  els.state.dataset.state = state;
}
