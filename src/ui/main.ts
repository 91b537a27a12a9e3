/**
 * The page: the live demo first, the explainer (docs/explainer.md) below it. The demo trains on WebGPU (or, with a
 * banner saying why, on the CPU engine); playback is controller.ts's state machine, and each snapshot redraws the
 * pictures (view.ts). Settings live in the URL. Handlers are attached before anything is awaited, so no click is lost
 * while WebGPU starts.
 */
import 'katex/dist/katex.min.css';
import explainerText from '../../docs/explainer.md?raw';
import { describeAdapter, GpuError, requestBrowserDevice } from '../gpu/device.js';
import { chooseKernel, createTrainer, KernelRefusedError, specOf } from '../gpu/chooser.js';
import { initModelParams } from '../mlp/init.js';
import {
  type App,
  banner,
  boundaryToggles,
  clearRunBanners,
  DATA_KEYS,
  fillControls,
  type From,
  newData,
  sentence,
  writeUrl,
} from './app.js';
import { PlaybackController } from './controller.js';
import { type PageData, pageData, tryUpload } from './data-choice.js';
import { mountDocs } from './doc-pages.js';
import { openFoldsHolding, openFoldsOnError } from './fold.js';
import { defineTerms } from './terms.js';
import { endWalk, flushDiagram, GRAPH_PREDICT_EVENT, GRAPH_WALK_EVENT, setPredict } from './graph/diagram.js';
import { mountExplainerHtml } from './graph/graph-explainer.js';
import { mountWarmup } from './graph/warmup-view.js';
import { demoElements, keyboardScrollable, settingControls, sweepElements } from './dom.js';
import { flushGradients, render, showBuilding, showNotBuilt, showSpeed, showState } from './view.js';
import { failureText } from './hints.js';
import { LossHistory } from './history.js';
import { backToPresent, clearScrub, onLive, redraw, type ScrubElements, scrubElements, wireScrub } from './scrub.js';
import { Timeline } from './timeline.js';
import { renderMarkdown } from './markdown.js';
import { cpuSnapshot, gpuSession, runConfig, type Session, type Snapshot } from './session.js';
import { exportNetwork } from './export.js';
import { workerSession } from './cpu-session.js';
import { RunRefusedError, sizeRefusal } from './size-limit.js';
import { REFRESH_MS } from './graph/diagram.js';
import { DEFAULT_SETTINGS, formatSetting, fromQuery, parseSetting, SETTINGS, type Settings, SPEEDS } from './state.js';
import { type DatasetKind, type Problem, problemOf } from '../mlp/data/datasets.js';
import { formatHidden, MODEL_LIMITS } from '../mlp/model.js';
import { mountSweep } from './map/map-panel.js';
import { cpuRunner, gpuRunner } from './map/map-runners.js';
import { wireBoundaryToggles } from './plots/boundary-toggles.js';
import { wireRunFile } from './run-file/run-io.js';
import { touchElements, WeightTouch } from './touch/weight-touch.js';
import { pullElements, PullView } from './plots/pull-map.js';
import { fmt } from './graph/graph-model.js';
import { BugHunt, settingsForBug } from './bug/bug-hunt.js';
import { createBuggedTrainer } from '../gpu/bugs.js';

const built = new WeakMap<Session, Settings>();
/** The bug hunt's panel, which holds the bug planted in the runs it builds (./bug/bug-hunt.ts). */
let bugHunt: BugHunt | null = null;

/** A rate slow enough that each step's snapshot comes later than the graph's refresh: every one is drawn whole. */
const slowMotion = (speed: Settings['speed']) => speed !== 'max' && speed * REFRESH_MS <= 1000;

async function createSession(app: App, from?: From): Promise<Session> {
  const settings = app.settings;
  // called at once by the reset that says "starting a new run…": the pictures follow before anything is awaited
  if (app.controller.state === 'resetting') showBuilding(app, startOf(app, from));
  const session = await buildSession(app, from);
  bugHunt?.built(session.backend);
  // on the CPU a bug hunt compares the CPU trainer with the oracle: the panel's heading names those sides
  const what = document.querySelector('[data-testid="grad-heading-what"]');
  if (what && session.backend === 'cpu')
    what.textContent =
      settings.bug === 'off' ? CPU_GRAD_WHAT : 'the CPU trainer (with the planted bug) beside the exact gradient (f64)';
  built.set(session, settings);
  clearMarked('cpu'); // this run fits: a refusal of an earlier size no longer applies
  return session;
}

async function buildSession(app: App, from?: From): Promise<Session> {
  if (!from) {
    app.history.clear();
    app.batchHistory.clear();
    app.timeline.clear();
    delete app.startNorms;
  }
  const data = app.data.train;
  const config = runConfig(app.settings, data.N);
  const params = from?.params ?? initModelParams({ d: data.d, hidden: config.hidden }, config.seed);
  // checked before anything is built: the page checks every snapshot against the oracle on its own thread
  const tooBig = sizeRefusal(app.settings, app.data, app.upload);
  if (tooBig) throw new RunRefusedError(tooBig.text, tooBig.field);
  // a bug hunt plants its bug in the trainer's text (the general kernel, pinned) or the CPU trainer's arithmetic
  const bug = bugHunt?.plant(app.settings.bug, config) ?? null;
  if (app.device) {
    try {
      const fromStep = from?.step ?? 0; // a run continued (from a file, or off a lost device) counts on
      const trainerConfig = { data, params, ...config, label: 'page', fromStep };
      const trainer = bug
        ? await createBuggedTrainer(app.device, trainerConfig, bug)
        : await createTrainer(app.device, trainerConfig, forcedKernel(app));
      onGpu(app);
      return gpuSession(trainer, data, config);
    } catch (e) {
      if (!(e instanceof GpuError)) throw e;
      const why = `The GPU could not start this run: ${sentence(e.message)}`;
      // a size the device cannot hold says nothing about the device: only this run leaves it
      if (e.kind !== 'limit') useCpu(app, why);
      else runOnCpu(app, why);
    }
  }
  return workerSession(data, params, config, from?.step ?? 0, bug?.mistake);
}

/**
 * The run about to be built as it will start (from `from`, or its initial parameters), computed here on the oracle;
 * null for a run too big for that, which is refused anyway.
 */
function startOf(app: App, from?: From): Snapshot | null {
  if (sizeRefusal(app.settings, app.data, app.upload)) return null;
  const data = app.data.train;
  const config = runConfig(app.settings, data.N);
  const params = from?.params ?? initModelParams({ d: data.d, hidden: config.hidden }, config.seed);
  try {
    return cpuSnapshot(data, Float64Array.from(params), config, from?.step ?? 0, 'cpu-fast');
  } catch {
    return null; // a network the run itself will refuse, with its own message
  }
}

/** The kernel the link asks for, where it can train this run; else the chooser's pick, with a banner saying why. */
function forcedKernel(app: App): { kernel?: string } {
  const { kernel } = app.settings;
  if (kernel === 'auto' || !app.device) return {};
  try {
    chooseKernel(app.device, specOf({ data: app.data.train, ...runConfig(app.settings, app.data.train.N) }), kernel);
    return { kernel };
  } catch (e) {
    if (!(e instanceof KernelRefusedError)) throw e;
    banner(
      app,
      `The link asks for the GPU kernel ${e.kernel}, which cannot train this run (${e.why}; N counts the training ` +
        `points, the held-out ones aside). The page's own pick trains instead, the fastest that can.`,
      'link',
    );
    return {};
  }
}

const CPU_LABEL = 'CPU, in the background';
/** The technical words behind CPU_LABEL, in its tooltip. */
const CPU_LABEL_TITLE = 'f64 trainer (src/mlp/train/train-fast.ts) in a Web Worker';
const CPU_NOTE =
  'it runs in the background (a Web Worker), so the page keeps answering. Large networks train more slowly, and the ' +
  'gradient panel has no GPU column.';

const CPU_GRAD_WHAT = 'the exact gradient, f64 (no GPU here to compare with)';

/** The page's first line says where the network trains. */
function ledeWhere(where: string): void {
  const span = document.querySelector('[data-testid="lede-where"]');
  if (span) span.textContent = where;
  // the gradient panel's heading names the sides it compares: without the GPU there is only the CPU's
  const what = document.querySelector('[data-testid="grad-heading-what"]');
  if (what) what.textContent = where === 'on your GPU' ? 'the GPU beside the CPU oracle' : CPU_GRAD_WHAT;
}

function useCpu(app: App, reason: string): void {
  app.device = null;
  app.els.backend.textContent = CPU_LABEL;
  app.els.backend.title = CPU_LABEL_TITLE;
  ledeWhere('on your CPU');
  banner(app, `${reason} Training runs on the CPU instead: ${CPU_NOTE}`, 'backend');
}

/** No WebGPU at all: said in plain words, which browsers have it, and the technical reason folded under them. */
function noWebGpu(app: App, why: string): void {
  useCpu(app, '');
  // short enough to leave Play and the pictures on a phone's first screen; which browsers have it, folded below
  banner(
    app,
    'This browser gives the page no WebGPU, so training runs on the CPU instead: it runs in the background (a Web ' +
      'Worker), so the page keeps answering.',
    'backend',
    'Large networks train more slowly, and the gradient panel has no GPU column. WebGPU is in recent Chrome and Edge ' +
      'on desktop, Safari 26 and later, and Firefox on Windows from version 141, and is coming to many other ' +
      `browsers. Here: ${why}`,
    'What differs, which browsers have WebGPU, and why not this one',
  );
}

/** One run the GPU cannot hold trains on the CPU; the next run that fits goes back to the GPU. */
function runOnCpu(app: App, reason: string): void {
  app.els.backend.textContent = CPU_LABEL;
  app.els.backend.title = CPU_LABEL_TITLE;
  ledeWhere('on your CPU (this run)');
  banner(
    app,
    `${reason} This run trains on the CPU instead, and the next one the GPU can hold goes back to it: ${CPU_NOTE}`,
    'backend',
  );
}

/** Runs train on the GPU again: the backend line says so, and a note about one run that left it is cleared. */
function onGpu(app: App): void {
  if (app.els.backend.textContent !== CPU_LABEL) return;
  app.els.backend.textContent = app.adapter ? `WebGPU: ${describeAdapter(app.adapter)}` : 'WebGPU';
  app.els.backend.title = '';
  ledeWhere('on your GPU');
  banner(app, '', 'backend');
}

/**
 * Says `text` beside a setting's field, marked with why (a refused link value, a size the CPU engine refused) so that
 * it can be cleared.
 */
function markField(key: string, text: string, why: 'link' | 'cpu'): void {
  const error = document.querySelector<HTMLElement>(key === 'upload' ? '#error-upload' : `[data-error="${key}"]`);
  if (!error) return;
  error.textContent = text;
  error.dataset.marked = why;
  document.querySelector(`[name="${key}"]`)?.setAttribute('aria-invalid', 'true');
}

function clearMarked(why: 'link' | 'cpu'): void {
  for (const error of document.querySelectorAll<HTMLElement>(`[data-marked="${why}"]`)) {
    error.textContent = '';
    delete error.dataset.marked;
    document.querySelector(`[name="${error.dataset.error ?? 'upload'}"]`)?.removeAttribute('aria-invalid');
  }
}

function handleFailure(app: App, e: Error): void {
  if (e instanceof GpuError && e.kind === 'lost') {
    if (!app.device) return; // already moved to the CPU
    const last = app.controller.last;
    app.controller.pause();
    useCpu(
      app,
      `${sentence(e.message)}${last ? ` The run continues from step ${last.step}, the last state read back.` : ''}`,
    );
    void app.controller.reset(last ? { params: last.params, step: last.step } : undefined);
    return;
  }
  const last = app.controller.last;
  if (e instanceof RunRefusedError) {
    markField(e.field, e.message, 'cpu');
    banner(app, e.message, 'failure');
  } else banner(app, failureText(e, last?.step), 'failure');
  // the run is over: its hints described it while it ran, and must not contradict the failure
  app.els.hints.replaceChildren();
  delete app.els.hints.dataset.key;
}

/** Settings whose change starts a new run (the learning rate changes the run in place; the point only the view). */
const RUN_KEYS: readonly (keyof Settings)[] = [
  'hidden',
  'seed',
  'loss',
  'activation',
  'problem',
  'batch',
  'reg',
  'lambda',
];

const sameSetting = (a: unknown, b: unknown) =>
  Array.isArray(a) && Array.isArray(b) ? a.join() === b.join() : a === b;

/** The last dataset chosen for each problem type, so switching back returns to it. */
const lastDataset: Record<Problem, DatasetKind> = { classification: 'xor', regression: 'reg-plane' };

/**
 * What moves with a change: a problem type brings its own datasets (the last one chosen there) and, for regression,
 * MSE (BCE needs σ's probability); a dataset brings its problem type.
 */
function coupled(app: App, key: keyof Settings, value: unknown): Partial<Settings> {
  const s = app.settings;
  lastDataset[problemOf(s.dataset)] = s.dataset;
  if (key === 'problem') {
    const problem = value as Problem;
    const dataset = app.upload || problemOf(s.dataset) === problem ? s.dataset : lastDataset[problem];
    // regression trains with MSE; back to classification, the default BCE (from the logit) again
    return { dataset, loss: problem === 'regression' ? 'mse' : DEFAULT_SETTINGS.loss };
  }
  if (key === 'dataset') {
    const problem = problemOf(value as DatasetKind);
    return { problem, ...(problem === 'regression' ? { loss: 'mse' as const } : {}) };
  }
  return {};
}

/** Classifying needs labels in [0, 1]: a file with others is kept for regression, and the choice is refused beside it. */
function labelsRefuse(
  app: App,
  problem: Problem,
  input: HTMLInputElement | HTMLSelectElement,
  error: HTMLElement | null,
): boolean {
  if (problem !== 'classification' || !app.upload) return false;
  const y = app.upload.data.y;
  const n = y.findIndex((v) => !(v >= 0 && v <= 1));
  if (n < 0) return false;
  input.value = app.settings.problem;
  if (error)
    error.textContent =
      `problem type classification needs labels in [0, 1] (ŷ = σ(z) is a probability), and ${app.upload.fileName}'s ` +
      `row ${n + 1} has y = ${y[n]}; it trains as regression, or choose a dataset to classify`;
  return true;
}

/** Adds a hidden layer (as wide as the last) or removes the last, through the hidden field, as typing would. */
function editLayers(app: App, change: 1 | -1): void {
  const { hidden } = app.settings;
  const next = change > 0 ? [...hidden, hidden[hidden.length - 1]!] : hidden.slice(0, -1);
  if (next.length < MODEL_LIMITS.layers.min || next.length > MODEL_LIMITS.layers.max) return;
  const { hidden: field, addLayer, removeLayer } = app.els;
  field.value = formatHidden(next);
  onControl(app, field);
  if (field.getAttribute('aria-invalid') === 'true') {
    // refused (too big to train here): the field keeps the network that trains, the reason stays beside it
    field.value = formatHidden(app.settings.hidden);
    field.removeAttribute('aria-invalid');
  }
  // a button that disabled itself would drop the keyboard's focus to the page: move it to the other one
  const pressed = change > 0 ? addLayer : removeLayer;
  if (pressed.disabled && document.activeElement !== field) (change > 0 ? removeLayer : addLayer).focus();
}

/** A control was committed: refuse a bad value beside it (the run goes on), or apply a good one. */
function onControl(app: App, input: HTMLInputElement | HTMLSelectElement): void {
  const key = input.name as keyof Settings;
  if (key === 'dataset' && input.value === 'file') return; // the uploaded file, already in use
  if (!(key in SETTINGS)) return;
  const error = document.querySelector<HTMLElement>(`[data-error="${key}"]`);
  const r = parseSetting(key, input.value);
  if (error) delete error.dataset.marked; // what is said beside the field is about this value now
  if ('error' in r) {
    input.setAttribute('aria-invalid', 'true');
    if (error) error.textContent = r.error;
    return;
  }
  if (sizeRefuses(app, key, r.value, input, error)) return;
  if (key === 'problem' && labelsRefuse(app, r.value as Problem, input, error)) return;
  input.removeAttribute('aria-invalid');
  if (error) error.textContent = '';
  const before = app.settings[key];
  app.settings = { ...app.settings, [key]: r.value, ...coupled(app, key, r.value) };
  fillControls(app); // what the change moved with it (the dataset's family, the loss) is shown
  writeUrl(app);
  if (DATA_KEYS.includes(key) || key === 'problem') {
    if (key === 'dataset') app.upload = null;
    if (before === r.value && key !== 'dataset') return;
    newData(app);
  } else if (sameSetting(before, r.value)) return;
  if (!app.ready) return;
  const last = app.controller.last;
  if (key === 'lr') setLearningRate(app, r.value as number, before as number);
  else if (key === 'sample' && last && app.controller.session) redraw(app);
  else if (RUN_KEYS.includes(key) || DATA_KEYS.includes(key)) void app.controller.reset();
}

/** Settings that change what one step or one frame costs. */
const SIZE_KEYS: readonly (keyof Settings)[] = ['hidden', 'batch', 'reg', 'lambda', ...DATA_KEYS];

/**
 * A change that would make the run installed now too big for where it trains (the CPU engine's step, or the GPU
 * run's per-frame check) is refused beside its field, and that run goes on. A run already refused is not guarded
 * here, so each change towards a size that fits is taken.
 */
function sizeRefuses<K extends keyof Settings>(
  app: App,
  key: K,
  value: Settings[K],
  input: HTMLInputElement | HTMLSelectElement,
  error: HTMLElement | null,
): boolean {
  if (!app.ready || !app.controller.session || !SIZE_KEYS.includes(key)) return false;
  const next = { ...app.settings, [key]: value };
  const upload = key === 'dataset' ? null : app.upload;
  const refusal = sizeRefusal(next, pageData(next, upload), upload);
  if (!refusal) return false;
  if (input instanceof HTMLSelectElement)
    input.value = formatSetting(key, app.settings[key]); // a menu shows what trains
  else input.setAttribute('aria-invalid', 'true');
  // the dataset menu says it with the points
  const where = error ?? document.querySelector<HTMLElement>('[data-error="points"]');
  if (where) where.textContent = refusal.text;
  return true;
}

/** A file was chosen: a bad one is refused beside the control (the run goes on); a good one starts a run on it. */
async function onUpload(app: App, input: HTMLInputElement): Promise<void> {
  delete app.els.uploadError.dataset.marked; // what is said beside the control is about this file now
  const upload = await tryUpload(app.els, input, app.settings, app.device !== null);
  if (!upload) return;
  const refusal =
    app.ready && app.controller.session ? sizeRefusal(app.settings, pageData(app.settings, upload), upload) : null;
  if (refusal) {
    // a file too big for where the page trains is refused like a bad one, and the run goes on
    app.els.uploadError.textContent = `${upload.fileName}: ${refusal.text}`;
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  app.upload = upload;
  newData(app);
  if (app.ready) void app.controller.reset();
}

function setLearningRate(app: App, lr: number, before: number): void {
  try {
    const { session, last, reading } = app.controller;
    if (!session) return; // a run being built takes the rate from the settings
    session.setLearningRate(lr);
    // the curve is marked where the new rate starts: after the frame in flight, whose steps used the old one
    if (last) app.history.change({ what: 'learning rate', from: String(before), to: String(lr) }, reading);
  } catch (e) {
    handleFailure(app, e as Error);
  }
}

/** The speed slider moved: the next frame plays at the new rate (the run goes on), and the link keeps it. */
function onSpeed(app: App): void {
  const speed = SPEEDS[Number(app.els.speedInput.value)];
  if (speed === undefined) return;
  const error = document.querySelector<HTMLElement>('#error-speed');
  if (error) error.textContent = ''; // what the link said of its speed no longer applies
  app.els.speedInput.removeAttribute('aria-invalid');
  if (speed === app.settings.speed) return;
  app.settings = { ...app.settings, speed };
  showSpeed(app.els, speed);
  writeUrl(app);
}

/** Attaches every handler at once: nothing here waits for WebGPU. */
function wire(app: App, scrub: ScrubElements): void {
  const { els, controller } = app;
  els.play.addEventListener('click', () => {
    if (!controller.wanted) {
      endWalk(els.diagram); // playing changes the numbers a walk is showing
      backToPresent(app, scrub); // Play goes on from the present, not from a step looked back at
    }
    controller.toggle();
  });
  els.stepOnce.addEventListener('click', () => {
    if (!controller.wanted) backToPresent(app, scrub); // one step on from the present
    void controller.stepOnce();
  });
  // walking the backward pass pauses training, so the numbers stay those of one step
  els.diagram.addEventListener(
    GRAPH_WALK_EVENT,
    (e) => (e as CustomEvent<{ walking: boolean }>).detail.walking && controller.pause(),
  );
  els.reset.addEventListener('click', () => {
    if (app.ready) void controller.reset();
  });
  els.fd.addEventListener('click', () => {
    app.fd = !app.fd;
    els.fd.textContent = app.fd ? 'Remove finite differences' : 'Add finite differences';
    els.fd.setAttribute('aria-pressed', String(app.fd));
    redraw(app);
  });
  for (const el of settingControls()) {
    el.setAttribute('aria-describedby', `error-${el.name}`);
    el.addEventListener('change', () => onControl(app, el));
  }
  els.controls.addEventListener('submit', (e) => e.preventDefault());
  openFoldsOnError(els.controls);
  els.upload.addEventListener('change', () => void onUpload(app, els.upload));
  els.speedInput.addEventListener('input', () => onSpeed(app));
  els.speedInput.addEventListener('change', () => onSpeed(app));
  els.addLayer.addEventListener('click', () => editLayers(app, 1));
  els.removeLayer.addEventListener('click', () => editLayers(app, -1));
  for (const a of document.querySelectorAll<HTMLAnchorElement>('a[data-pick]')) {
    a.addEventListener('click', (e) => {
      if (!app.ready) return; // before WebGPU is asked for, the link's plain reload does the same
      e.preventDefault();
      const [hidden, lr, seed] = a.dataset.pick!.split(',').map(Number) as [number, number, number];
      pick(app, { hidden: [hidden], lr, seed }, true);
      app.controller.play(); // show the failure happen
    });
  }
  els.play.disabled = false; // disabled in the HTML until this handler exists
  els.reset.disabled = false;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href="#demo"]')) {
    a.addEventListener('click', () => setTimeout(() => els.play.focus(), 0));
  }
}

const plain = (d: { d: number; N: number; x: Float64Array; y: Float64Array }) => ({
  d: d.d,
  N: d.N,
  x: Array.from(d.x),
  y: Array.from(d.y),
});

/**
 * Loads a network into the live demo: new settings, a new URL, a fresh run, paused. A cell of the
 * map keeps the data the map trained on; a guide link (`asLinked`) is the run its link loads:
 * XOR with the default loss and activation, as a fresh load of its href gives.
 */
function pick(
  app: App,
  change: Pick<Settings, 'hidden' | 'lr' | 'seed'> & Partial<Pick<Settings, 'activation'>>,
  asLinked = false,
): void {
  app.controller.pause();
  // the map and the guide's links train one hidden layer, classifying, on the full batch, without a penalty
  const { problem, batch, reg } = DEFAULT_SETTINGS;
  app.settings = { ...app.settings, problem, batch, reg };
  if (asLinked) {
    const { dataset, loss, activation } = DEFAULT_SETTINGS;
    app.upload = null;
    app.settings = { ...app.settings, dataset, loss, activation };
  }
  app.settings = { ...app.settings, ...change };
  fillControls(app);
  newData(app); // the data controls say what trains (an uploaded file stays in use), and the URL follows
  void app.controller.reset();
  document.querySelector('#demo')?.scrollIntoView({ behavior: 'smooth' });
  app.els.play.focus({ preventScroll: true });
}

/** The map classifies (σ output, BCE): data with labels outside [0, 1] is regression's, and the map says so. */
function mapRefusal(data: PageData): string | null {
  const n = data.train.y.findIndex((v) => !(v >= 0 && v <= 1));
  if (n < 0) return null;
  return (
    `The map cannot train on ${data.name}: it classifies (σ output, BCE, labels in [0, 1]), and this data's labels ` +
    `are real numbers for regression (point ${n + 1} has y = ${data.train.y[n]!.toPrecision(3)}). Choose a classification dataset in ` +
    'the demo to map it.'
  );
}

async function start(): Promise<void> {
  const els = demoElements();
  const read = fromQuery(location.search);
  const { errors, refused } = read;
  // a link that names a bug gets the settings that bug needs to show (said in the hunt's note), or is refused
  const forBug = settingsForBug(read.settings);
  const settings = forBug.settings;
  const app = {
    els,
    settings,
    data: pageData(settings, null),
    upload: null,
    device: null,
    adapter: null,
    ready: false,
    history: new LossHistory(),
    batchHistory: new LossHistory(),
    timeline: new Timeline(),
    fd: false,
    banners: {},
  } as Omit<App, 'controller'> as App;
  let touch: WeightTouch | null = null;
  const scrub = scrubElements();
  app.controller = new PlaybackController<From>({
    create: (from) => createSession(app, from),
    onSnapshot: (s, sps) => {
      // slow motion draws every step's numbers exactly: the graph's throttle would skip some
      render(app, s, sps, !app.controller.wanted || slowMotion(app.settings.speed));
      onLive(app, scrub, s);
      touch?.show(s);
    },
    onState: (state) => {
      touch?.onState(state);
      if (state === 'resetting') {
        clearRunBanners(app);
        clearMarked('link'); // as the banner says it: the link's refusals were about the first run
        clearScrub(app, scrub);
      }
      if (state === 'failed') showNotBuilt(els);
      showState(els, state, app.controller.wanted);
      // paused: the graph shows the last step now, not at its next refresh
      if (state === 'idle') {
        flushDiagram(els.diagram);
        flushGradients(els.gradients);
        app.pull?.flush();
      }
    },
    onFailure: (e) => handleFailure(app, e),
    schedule: (fn) => requestAnimationFrame(fn),
    rate: () => app.settings.speed,
  });
  (window as unknown as { backpropLab: object }).backpropLab = {
    /** For tests: trainers built and not yet destroyed, the playback state, the settings of the run installed now. */
    liveSessions: () => app.controller.liveSessions,
    state: () => app.controller.state,
    adapter: () => app.adapter,
    running: () => (app.controller.session ? built.get(app.controller.session) : null),
    /** The last snapshot drawn: its step, parameters (flat layout), network and batch size, as plain values. */
    snapshot: () => {
      const s = app.controller.last;
      return (
        s && {
          step: s.step,
          params: Array.from(s.params),
          hidden: [...s.model.hidden],
          batch: s.batch,
          kernel: s.kernel,
        }
      );
    },
    /** The snapshot drawn now (a step looked back at, or the present): its step, loss and parameters. */
    shown: () => {
      const s = app.past ?? app.controller.last;
      return s && { step: s.step, loss: s.loss, params: Array.from(s.params), past: s.past === true };
    },
    /** The steps of the moments kept for looking back, and the bytes their parameters take. */
    timeline: () => ({ steps: app.timeline.moments.map((m) => m.step), bytes: app.timeline.bytes }),
    /** The points the page trains on and holds out, as plain arrays. */
    data: () => ({ label: app.data.label, train: plain(app.data.train), test: app.data.test && plain(app.data.test) }),
    /** For learners (docs/exercises.md, "Build it"): the network shown, its data and gradients, as plain JSON. */
    export: () => {
      const s = app.past ?? app.controller.last;
      return s && exportNetwork(s);
    },
  };
  for (const el of document.querySelectorAll<HTMLElement>('[data-error]')) el.id = `error-${el.dataset.error}`;
  wire(app, scrub);
  wireScrub(app, scrub);
  touch = new WeightTouch(touchElements(), els.network, els.diagram, app.controller, (n) => {
    // an edit changes the run as a setting changed mid-run does: the curve is marked where it was made
    app.history.change({ what: `weight ${n.name}`, from: fmt(n.w0), to: fmt(n.w1) });
    if (app.controller.last) render(app, app.controller.last, 0);
  });
  app.onLookBack = (past) => touch?.lookBack(past);
  app.pull = new PullView(pullElements(), (k) => touch?.choose(k));
  touch.onChoice = (k) => app.pull?.follow(k);
  wireRunFile(app);
  const huntRoot = document.querySelector<HTMLElement>('#bug-hunt');
  if (huntRoot)
    bugHunt = new BugHunt(huntRoot, (bug) => {
      app.settings = { ...app.settings, bug };
      writeUrl(app);
      void app.controller.reset();
    });
  if (bugHunt) bugHunt.needs = forBug.note;
  wireBoundaryToggles(boundaryToggles(), (patch) => {
    app.settings = { ...app.settings, ...patch };
    writeUrl(app);
    // while playing, the next frame draws it
    if (app.controller.last && !app.controller.wanted) redraw(app);
  });
  // prediction in the walk: a setting kept in the URL, switched in the graph's toolbar
  setPredict(els.diagram, app.settings.predict === 'on');
  els.diagram.addEventListener(GRAPH_PREDICT_EVENT, (e) => {
    app.settings = { ...app.settings, predict: (e as CustomEvent<{ on: boolean }>).detail.on ? 'on' : 'off' };
    writeUrl(app);
  });
  fillControls(app);
  // a link that sets a folded setting shows it
  openFoldsHolding(
    els.controls,
    (Object.keys(settings) as (keyof Settings)[]).filter((k) => !sameSetting(settings[k], DEFAULT_SETTINGS[k])),
  );
  newData(app);
  writeUrl(app);
  showState(els, 'starting', false);
  const article = document.querySelector<HTMLElement>('[data-testid="explainer"]');
  if (article) {
    // our own text, rendered by marked and KaTeX, with the graph drawn in place of docs/graph.svg
    mountExplainerHtml(article, renderMarkdown(explainerText));
    defineTerms(article, 'explainer');
    keyboardScrollable(article);
  }
  mountDocs();
  const warmup = document.querySelector<HTMLElement>('[data-testid="warmup-body"]');
  if (warmup) mountWarmup(warmup);
  const linkWords = [
    ...(errors.length > 0
      ? [`Some settings in the link were refused and replaced by defaults: ${errors.join('; ')}.`]
      : []),
    ...(forBug.refused ? [forBug.refused] : []),
  ];
  if (linkWords.length > 0) banner(app, linkWords.join(' '), 'link');
  for (const [key, error] of Object.entries(refused))
    markField(key, `${error}; the default ${String(DEFAULT_SETTINGS[key as keyof Settings])} is used`, 'link');
  try {
    const { device, summary } = await requestBrowserDevice({
      onProblem: (e) => (e.kind === 'lost' ? handleFailure(app, e) : banner(app, sentence(e.message), 'failure')),
    });
    app.device = device;
    app.adapter = summary;
    els.backend.textContent = `WebGPU: ${describeAdapter(summary)}`;
    ledeWhere('on your GPU');
  } catch (e) {
    noWebGpu(app, sentence((e as Error).message));
  }
  app.ready = true;
  const data = () => app.data;
  const runner = app.device && app.adapter ? gpuRunner(app.device, app.adapter, data) : cpuRunner(data);
  mountSweep(
    sweepElements(),
    runner,
    (hidden, lr, seed, activation) => pick(app, { hidden: [hidden], lr, seed, activation }),
    () => mapRefusal(app.data),
  );
  await app.controller.reset();
}

void start().catch((e: Error) => {
  const b = document.querySelector<HTMLElement>('[data-testid="banner"]');
  if (b) {
    b.textContent = `The page failed to start: ${e.message}`;
    b.hidden = false;
  }
});
