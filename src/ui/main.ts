/**
 * The page: the explainer text (docs/explainer.md) with the live demo mounted
 * in it. The demo trains XOR on WebGPU (or, with a banner saying why, on the
 * CPU engine), and every animation frame records a chunk of steps, reads back
 * once, and redraws the loss curve, the decision boundary, the network, the
 * computation graph and the gradient panel. All state lives in one `App`
 * object passed explicitly; settings live in the URL.
 */
import 'katex/dist/katex.min.css';
import explainerText from '../../docs/explainer.md?raw';
import { type AdapterSummary, describeAdapter, GpuError, requestBrowserDevice } from '../gpu/device.js';
import { sweepGpu } from '../gpu/sweep.js';
import { GpuTrainer } from '../gpu/trainer.js';
import { type Dataset, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { numericGradient } from '../mlp/reference.js';
import { learned, makeCell, type SweepCell, trainOneCpu } from '../mlp/sweep.js';
import { accuracy } from '../mlp/train-cpu.js';
import { GRAPH_WALK_EVENT, renderDiagram } from './diagram.js';
import { mountExplainerHtml } from './graph-explainer.js';
import { FD_MAX_PARAMS, renderGradients } from './gradients.js';
import { renderMarkdown } from './markdown.js';
import { renderNetwork } from './network.js';
import { drawDecisionBoundary, drawLossCurve, type LossPoint } from './plots.js';
import { cpuSession, gpuSession, type Session, type Snapshot } from './session.js';
import { fromQuery, parseSetting, SETTINGS, type Settings, toQuery } from './state.js';
import { mountSweep, type SweepRunner } from './sweep-map.js';

interface Elements {
  banner: HTMLElement;
  play: HTMLButtonElement;
  pause: HTMLButtonElement;
  stepOnce: HTMLButtonElement;
  reset: HTMLButtonElement;
  fd: HTMLButtonElement;
  controls: HTMLFormElement;
  point: HTMLSelectElement;
  backend: HTMLElement;
  step: HTMLElement;
  loss: HTMLElement;
  accuracy: HTMLElement;
  speed: HTMLElement;
  lossCurve: HTMLCanvasElement;
  boundary: HTMLCanvasElement;
  network: SVGSVGElement;
  diagram: HTMLElement;
  gradients: HTMLElement;
}

interface App {
  els: Elements;
  settings: Settings;
  data: Dataset;
  /** The WebGPU device, or null when training runs on the CPU engine. */
  device: GPUDevice | null;
  adapter: AdapterSummary | null;
  session: Session | null;
  history: LossPoint[];
  last: Snapshot | null;
  playing: boolean;
  busy: boolean;
  fd: boolean;
  /** Bumped by every reset, so a frame of an older run is dropped. */
  run: number;
  speed: { steps: number; ms: number };
}

function find(): Elements {
  const q = <T extends Element>(selector: string): T => {
    const el = document.querySelector<T>(selector);
    if (!el) throw new Error(`page: missing element ${selector}`);
    return el;
  };
  const t = (id: string) => `[data-testid="${id}"]`;
  return {
    banner: q(t('banner')),
    play: q('#play'),
    pause: q('#pause'),
    stepOnce: q('#step'),
    reset: q('#reset'),
    fd: q('#fd'),
    controls: q('#controls'),
    point: q(t('input-point')),
    backend: q(t('backend')),
    step: q(t('step')),
    loss: q(t('loss')),
    accuracy: q(t('accuracy')),
    speed: q(t('speed')),
    lossCurve: q('#loss-curve'),
    boundary: q('#boundary'),
    network: q('#network'),
    diagram: q('#diagram'),
    gradients: q('#gradients'),
  };
}

function banner(app: App, text: string): void {
  app.els.banner.textContent = text;
  app.els.banner.hidden = false;
}

/**
 * A new run from the current settings: on the GPU if there is one, else on the
 * CPU engine. `from` continues a run that had to leave the GPU, from its last
 * parameters and step.
 */
async function reset(app: App, from?: { params: Float64Array; step: number }): Promise<void> {
  app.run++;
  app.session?.destroy();
  app.session = null;
  if (!from) app.history = [];
  app.speed = { steps: 0, ms: 0 };
  const { hidden, lr, loss, seed } = app.settings;
  const config = { hidden, lr, loss };
  const params = from?.params ?? initParams({ d: app.data.d, H: hidden }, seed);
  if (app.device) {
    try {
      const trainer = await GpuTrainer.create(app.device, { data: app.data, params, ...config, label: 'page' });
      app.session = gpuSession(trainer, app.data, config);
    } catch (e) {
      if (!(e instanceof GpuError)) throw e;
      useCpu(app, `The GPU could not start this run: ${sentence(e.message)}`);
    }
  }
  app.session ??= cpuSession(app.data, params, config, from?.step ?? 0);
  await refresh(app);
}

/** Ends a message with exactly one full stop. */
function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}

function useCpu(app: App, reason: string): void {
  app.device = null;
  app.els.backend.textContent = 'CPU: scalar autograd engine (src/engine)';
  banner(app, `${reason} Training runs on the CPU engine instead, and the gradient panel has no GPU side to compare.`);
}

/** Reads the current state and redraws everything. */
async function refresh(app: App): Promise<void> {
  const run = app.run;
  const session = app.session;
  if (!session) return;
  const s = await session.snapshot();
  if (run !== app.run) return; // a reset happened meanwhile
  app.last = s;
  if (app.history.length === 0 || app.history[app.history.length - 1]!.step !== s.step) app.history.push({ step: s.step, loss: s.loss });
  render(app, s);
}

function render(app: App, s: Snapshot): void {
  const { els, settings } = app;
  const H = settings.hidden;
  els.step.textContent = String(s.step);
  els.loss.textContent = s.loss.toExponential(3);
  els.accuracy.textContent = `${Math.round(100 * accuracy(s.values.yHat, s.data.y))}%`;
  els.speed.textContent = app.speed.ms > 0 ? `${Math.round((1000 * app.speed.steps) / app.speed.ms).toLocaleString('en-US')} steps/s` : '–';
  drawLossCurve(els.lossCurve, app.history);
  drawDecisionBoundary(els.boundary, { d: s.data.d, H }, s.params, s.data);
  renderNetwork(els.network, s);
  renderDiagram(els.diagram, s, settings.point, settings.loss, { exact: !app.playing });
  const fd = app.fd && s.params.length <= FD_MAX_PARAMS ? numericGradient({ d: s.data.d, H }, s.params, s.data, settings.loss) : null;
  renderGradients(els.gradients, s, fd);
}

/** One animation frame while playing: record a chunk of steps, read back once, redraw. */
async function frame(app: App): Promise<void> {
  if (!app.playing || app.busy || !app.session) return;
  app.busy = true;
  const run = app.run;
  const t0 = performance.now();
  try {
    app.session.step(app.settings.perFrame);
    await refresh(app);
    if (run === app.run) app.speed = { steps: app.speed.steps + app.settings.perFrame, ms: app.speed.ms + performance.now() - t0 };
  } catch (e) {
    handleFailure(app, e as Error);
  } finally {
    app.busy = false;
  }
  if (app.playing) requestAnimationFrame(() => void frame(app));
}

function handleFailure(app: App, e: Error): void {
  setPlaying(app, false);
  if (e instanceof GpuError && e.kind === 'lost' && app.last) {
    const { params, step } = app.last;
    useCpu(app, `${sentence(e.message)} The run continues from step ${step}, the last state read back.`);
    void reset(app, { params, step }).catch((err: Error) => banner(app, err.message));
    return;
  }
  banner(app, `${e.message} Press Reset to start again.`);
}

function setPlaying(app: App, playing: boolean): void {
  app.playing = playing;
  app.els.play.disabled = playing;
  app.els.pause.disabled = !playing;
  if (playing) requestAnimationFrame(() => void frame(app));
}

function writeUrl(app: App): void {
  history.replaceState(null, '', toQuery(app.settings));
}

/** A control was committed: refuse a bad value beside it (the run goes on), or apply a good one. */
function onControl(app: App, input: HTMLInputElement | HTMLSelectElement): void {
  const key = input.name as keyof Settings;
  if (!(key in SETTINGS)) return;
  const error = app.els.controls.querySelector<HTMLElement>(`[data-error="${key}"]`);
  const r = parseSetting(key, input.value);
  if ('error' in r) {
    input.setAttribute('aria-invalid', 'true');
    if (error) error.textContent = r.error;
    return;
  }
  input.removeAttribute('aria-invalid');
  if (error) error.textContent = '';
  const before = app.settings[key];
  app.settings = { ...app.settings, [key]: r.value };
  writeUrl(app);
  if (before === r.value) return;
  if (key === 'lr') app.session?.setLearningRate(r.value as number);
  else if (key === 'point' && app.last) render(app, app.last);
  else if (key === 'hidden' || key === 'seed' || key === 'loss') void reset(app).catch((e: Error) => handleFailure(app, e));
}

function fillControls(app: App): void {
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${key}"]`);
    if (el) el.value = String(app.settings[key]);
  }
}

/** The explainer text with the live demo mounted after its diagram. */
function mountExplainer(): void {
  const article = document.querySelector<HTMLElement>('[data-testid="explainer"]');
  const demo = document.querySelector<HTMLElement>('#demo');
  if (!article || !demo) throw new Error('page: missing the explainer or the demo element');
  // our own text, rendered by marked and KaTeX, with the graph drawn in place of docs/graph.svg
  const diagram = mountExplainerHtml(article, renderMarkdown(explainerText));
  if (diagram) diagram.after(demo);
  else article.append(demo);
}

async function start(): Promise<void> {
  mountExplainer();
  const { settings, errors } = fromQuery(location.search);
  const app: App = {
    els: find(),
    settings,
    data: xor(),
    device: null,
    adapter: null,
    session: null,
    history: [],
    last: null,
    playing: false,
    busy: false,
    fd: false,
    run: 0,
    speed: { steps: 0, ms: 0 },
  };
  fillControls(app);
  writeUrl(app);
  if (errors.length > 0) banner(app, `Some settings in the link were refused and replaced by defaults: ${errors.join('; ')}.`);
  try {
    const { device, summary } = await requestBrowserDevice({
      onProblem: (e) => (e.kind === 'lost' ? handleFailure(app, e) : banner(app, e.message)),
    });
    app.device = device;
    app.adapter = summary;
    app.els.backend.textContent = `WebGPU: ${describeAdapter(summary)}`;
  } catch (e) {
    useCpu(app, `No WebGPU here: ${sentence((e as Error).message)}`);
  }
  const { els } = app;
  els.play.addEventListener('click', () => setPlaying(app, true));
  els.pause.addEventListener('click', () => setPlaying(app, false));
  els.diagram.addEventListener(GRAPH_WALK_EVENT, (e) => (e as CustomEvent<{ walking: boolean }>).detail.walking && setPlaying(app, false));
  els.stepOnce.addEventListener('click', () => {
    if (app.playing || app.busy || !app.session) return;
    app.session.step(1);
    void refresh(app).catch((e: Error) => handleFailure(app, e));
  });
  els.reset.addEventListener('click', () => {
    setPlaying(app, false);
    void reset(app).catch((e: Error) => handleFailure(app, e));
  });
  els.fd.addEventListener('click', () => {
    app.fd = !app.fd;
    els.fd.textContent = app.fd ? 'Remove finite differences' : 'Add finite differences';
    if (app.last) render(app, app.last);
  });
  for (const el of [...els.controls.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'), els.point]) {
    el.addEventListener('change', () => onControl(app, el));
  }
  els.controls.addEventListener('submit', (e) => e.preventDefault());
  mountSweep(sweepElements(), sweepRunner(app), (hidden, lr, seed) => pick(app, { hidden, lr, seed }));
  await reset(app);
}

/** Loads a network from the map into the live demo: new settings, a new URL, a fresh run. */
function pick(app: App, change: Pick<Settings, 'hidden' | 'lr' | 'seed'>): void {
  setPlaying(app, false);
  app.settings = { ...app.settings, ...change };
  fillControls(app);
  writeUrl(app);
  void reset(app).catch((e: Error) => handleFailure(app, e));
  document.querySelector('#demo')?.scrollIntoView({ behavior: 'smooth' });
}

function sweepElements() {
  const q = <T extends Element>(selector: string): T => {
    const el = document.querySelector<T>(selector);
    if (!el) throw new Error(`page: missing element ${selector}`);
    return el;
  };
  return {
    run: q<HTMLButtonElement>('#sweep-run'),
    seeds: q<HTMLSelectElement>('#sweep-seeds'),
    progress: q<HTMLProgressElement>('#sweep-progress'),
    time: q<HTMLElement>('#sweep-time'),
    note: q<HTMLElement>('#sweep-note'),
    grid: q<HTMLElement>('#sweep-grid'),
    detail: q<HTMLElement>('#sweep-detail'),
  };
}

/** The map trains on the GPU (every network of a width in one dispatch chain) or, without one, on the CPU. */
function sweepRunner(app: App): SweepRunner {
  const device = app.device;
  if (device && app.adapter) {
    const swiftshader = app.adapter.source === 'swiftshader';
    return {
      label: describeAdapter(app.adapter),
      defaultSeeds: swiftshader ? 64 : 4096,
      note: swiftshader
        ? 'WebGPU runs on SwiftShader here, a CPU implementation of Vulkan, so the map starts at 64 seeds per cell; a GPU takes 4,096 in seconds.'
        : 'Every cell trains its seeds on the GPU at once: one invocation per network, all widths in a few submits.',
      run: async (spec, onCells) => {
        const cells: SweepCell[] = [];
        await sweepGpu(device, app.data, spec, {
          stepsPerDispatch: 250,
          onWidth: (row, done, total) => {
            cells.push(...row);
            onCells(cells, done, total);
          },
        });
        return cells;
      },
    };
  }
  return {
    label: 'the CPU (matrix form, one network at a time)',
    defaultSeeds: 16,
    note: 'No WebGPU here: the CPU trains one network at a time, so the map starts at 16 seeds per cell (a GPU takes 4,096).',
    run: async (spec, onCells) => {
      const cells: SweepCell[] = [];
      const total = spec.widths.length * spec.rates.length;
      for (const hidden of spec.widths) {
        for (const lr of spec.rates) {
          const verdicts = Array.from({ length: spec.seeds }, (_, s) => {
            const r = trainOneCpu(app.data, hidden, lr, spec.seedBase + s, spec.steps, spec.loss);
            return learned(r.loss, r.accuracy);
          });
          cells.push(makeCell(hidden, lr, spec.seedBase, verdicts));
          onCells(cells, cells.length, total);
          await new Promise((r) => setTimeout(r)); // let the page breathe between cells
        }
      }
      return cells;
    },
  };
}

void start().catch((e: Error) => {
  const b = document.querySelector<HTMLElement>('[data-testid="banner"]');
  if (b) {
    b.textContent = `The page failed to start: ${e.message}`;
    b.hidden = false;
  }
});
