/**
 * The live computation graph on the page: graph-svg.ts's drawing for the running network and one chosen sample, its
 * numbers refreshed a few times a second while training plays (at once when the caller says the state is settled),
 * and a walk through the forward and backward pass, node by node. Starting the walk dispatches GRAPH_WALK_EVENT on the
 * root, so the page can pause training; nothing here reaches into the page's controller.
 */
import { softplus } from '../../engine/value.js';
import { fmt, type GraphInput, graphState, type GraphState } from './graph-model.js';
import { parseAnswer, type Question, questionFor, scoreText, TOLERANCE_TEXT, verdict } from './graph-predict.js';
import { spotGraphState } from './graph-spot.js';
import { walkSteps } from './graph-steps.js';
import { GraphView, shapeOf } from './graph-view.js';
import type { Snapshot } from '../session.js';

/** Fired (bubbling) on the diagram's root with detail { walking: boolean } when the walk starts or ends. */
export const GRAPH_WALK_EVENT = 'graph-walk';
/** Fired (bubbling) on the diagram's root with detail { on: boolean } when the learner switches prediction. */
export const GRAPH_PREDICT_EVENT = 'graph-predict';
/** While playing, numbers are redrawn at most this often, so they can be read. */
export const REFRESH_MS = 300;

export interface DiagramOptions {
  /** The state is settled (a step, a pause, a new point): draw it now, not at the next refresh. */
  exact?: boolean;
}

/** The graph's input for sample `point` of a snapshot: the trainer's own values of every layer, its gradients (GPU if any). */
export function snapshotInput(s: Snapshot, point: number): GraphInput {
  const { d, N } = s.data;
  const n = Math.min(Math.max(point, 0), N - 1);
  // row n of an N×w row-major array
  const row = (v: Float64Array) => {
    const w = v.length / N;
    return Array.from(v.subarray(n * w, (n + 1) * w));
  };
  const { z, a, da, delta, yHat } = s.layers;
  const y = s.data.y[n]!;
  const logit = z[z.length - 1]![n]!;
  const loss = s.objective.loss;
  return {
    d,
    hidden: s.model.hidden,
    N,
    n,
    loss,
    activation: s.model.activation,
    output: s.model.output,
    step: s.step,
    x: Array.from(s.data.x.subarray(n * d, (n + 1) * d)),
    y,
    params: s.params,
    grads: s.gpuGrads ?? s.oracle.grads,
    z: z.map(row),
    a: a.map(row),
    da: da.map(row),
    delta: delta.map(row),
    yHat: yHat[n]!,
    // ℓ_n from the values shown, in f64 (BCE from the logit, as the trainers compute it)
    sampleLoss: loss === 'bce' ? softplus(logit) - y * logit : (yHat[n]! - y) ** 2,
    batchLoss: s.loss,
    l1: s.objective.l1,
    l2: s.objective.l2,
  };
}

interface Panel {
  root: HTMLElement;
  scroll: HTMLElement;
  caption: HTMLElement;
  walk: {
    box: HTMLElement;
    start: HTMLButtonElement;
    back: HTMLButtonElement;
    next: HTMLButtonElement;
    sentence: HTMLElement;
    count: HTMLElement;
  };
  predict: {
    toggle: HTMLInputElement;
    form: HTMLFormElement;
    question: HTMLElement;
    input: HTMLInputElement;
    reveal: HTMLButtonElement;
    verdict: HTMLElement;
    score: HTMLElement;
  };
  /** Prediction in the walk: stages already shown (asked nothing more), and each asked stage's outcome. */
  ask: { on: boolean; shown: Set<string>; outcome: Map<string, 'right' | 'missed' | 'revealed'>; missed: Set<string> };
  view: GraphView | null;
  state: GraphState | null;
  source: string;
  lastDraw: number;
  /** What the caption adds about the run (its mini-batches). */
  note: string;
  pending: { state: GraphState; source: string; note: string } | null;
  timer: ReturnType<typeof setTimeout> | null;
  /** Index into the walk's steps, or null when not walking. */
  walkAt: number | null;
  /** The learner chose the worked example (H = 2, one sample) instead of the network training. */
  small: HTMLInputElement;
  /** The training network's latest state, kept while the worked example is shown. */
  live: { state: GraphState; source: string; note: string } | null;
}

const panels = new WeakMap<HTMLElement, Panel>(); // one panel per root element, created on first render

/** Draws (or schedules) the graph of sample `point` of snapshot `s` into `root`. */
export function renderDiagram(root: HTMLElement, s: Snapshot, point: number, opts: DiagramOptions = {}): void {
  const panel = panels.get(root) ?? mount(root);
  const state = graphState(snapshotInput(s, point));
  const source = s.gpuGrads ? 'the GPU' : 'the CPU engine';
  const note =
    s.batch < s.data.N
      ? ` Training steps use mini-batches of ${s.batch}; the graph shows the full batch of all ${s.data.N} points at the parameters they reached.`
      : '';
  panel.live = { state, source, note };
  if (panel.small.checked) return; // the worked example stays until the learner goes back
  const now = performance.now();
  const reshaped = !panel.view || panel.view.shape !== shapeOf(state);
  if (opts.exact || reshaped || now - panel.lastDraw >= REFRESH_MS) {
    draw(panel, state, source, note);
    return;
  }
  panel.pending = { state, source, note };
  panel.timer ??= setTimeout(
    () => {
      panel.timer = null;
      if (panel.pending) draw(panel, panel.pending.state, panel.pending.source, panel.pending.note);
    },
    REFRESH_MS - (now - panel.lastDraw),
  );
}

/** Draws a refresh still waiting for its turn now (training paused: the numbers shown must be the last ones). */
export function flushDiagram(root: HTMLElement): void {
  const panel = panels.get(root);
  if (panel?.pending) draw(panel, panel.pending.state, panel.pending.source, panel.pending.note);
}

function draw(panel: Panel, state: GraphState, source: string, note: string): void {
  panel.pending = null;
  if (panel.timer !== null) clearTimeout(panel.timer);
  panel.timer = null;
  panel.lastDraw = performance.now();
  if (!panel.view || panel.view.shape !== shapeOf(state)) {
    panel.view = new GraphView(panel.scroll, state, { testid: 'graph', keyPrefix: 'diagram' });
    if (panel.walkAt !== null) panel.walkAt = 0;
  } else panel.view.update(state);
  panel.state = state;
  panel.source = source;
  panel.note = note;
  applyHighlight(panel.root);
  const g = state.input;
  const o = state.layers + 1;
  // when the numbers were last redrawn (for tests of the refresh rate)
  panel.caption.dataset.drawnAt = panel.lastDraw.toFixed(1);
  panel.caption.textContent = panel.small.checked
    ? `The explainer's worked example, not the network training: d = 2, H = 2, one sample x = (${g.x.join(', ')}), ` +
      `y = ${fmt(g.y)}, so N = 1 and every gradient is this sample's. Untick “walk the worked example” for the live network.`
    : `Numbers at step ${g.step} for sample ${g.n + 1}, x = (${g.x.map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(4))).join(', ')}), y = ${fmt(g.y)}, from ${source}. ` +
      `δ${o} includes the 1/N = 1/${g.N} of the mean loss, so every gradient here is a share of ∂L/∂θ; ` +
      `left of each Σₙ fork the parameter gradients are summed over all ${g.N} samples.` +
      (state.penalty
        ? ' Under each weight’s total: its data part, and R′ = λ1 sign(w) + λ2 w, the penalty’s part.'
        : '') +
      panel.note;
  showWalk(panel);
}

/**
 * Highlights unit j of hidden layer `layer` (default the first): its row (z_j, a_j, δ_j, its W and b entries) in the
 * graph, or none (null); kept across redraws. Units beyond the rows drawn have nothing to highlight.
 */
export function highlightUnit(root: HTMLElement, j: number | null, layer = 1): void {
  if (j === null) delete root.dataset.highlight;
  else root.dataset.highlight = `${layer}:${j}`;
  applyHighlight(root);
}

function applyHighlight(root: HTMLElement): void {
  const at = root.dataset.highlight;
  // rows of a one-layer drawing carry no data-layer
  for (const row of root.querySelectorAll<SVGGElement>('.graph-svg g.row'))
    row.classList.toggle('highlight', `${row.dataset.layer ?? 1}:${row.dataset.row}` === at);
  root.querySelector('.graph-svg')?.classList.toggle('highlighting', at !== undefined);
}

function mount(root: HTMLElement): Panel {
  root.classList.add('graph-panel');
  const button = (text: string, testid: string) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
    b.dataset.testid = testid;
    return b;
  };
  const toolbar = document.createElement('div');
  toolbar.className = 'graph-toolbar';
  const start = button('Walk the backward pass', 'walk-start');
  start.setAttribute('aria-pressed', 'false');
  const toggle = Object.assign(document.createElement('input'), { type: 'checkbox' });
  toggle.dataset.testid = 'predict-toggle';
  toggle.checked = root.dataset.predict === 'on';
  const toggleLabel = document.createElement('label');
  toggleLabel.className = 'predict-toggle';
  toggleLabel.append(toggle, ' predict each gradient before it is shown');
  const small = Object.assign(document.createElement('input'), { type: 'checkbox' });
  small.dataset.testid = 'walk-small';
  const smallLabel = document.createElement('label');
  smallLabel.className = 'predict-toggle';
  smallLabel.append(small, ' walk the worked example (H = 2, one sample) instead');
  toolbar.append(start, toggleLabel, smallLabel);
  const box = document.createElement('div');
  box.className = 'graph-walk';
  box.hidden = true;
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', 'Walk through the graph');
  box.dataset.testid = 'walk';
  const sentence = Object.assign(document.createElement('p'), { className: 'walk-sentence' });
  sentence.setAttribute('aria-live', 'polite');
  sentence.dataset.testid = 'walk-sentence';
  const count = Object.assign(document.createElement('span'), { className: 'walk-count' });
  count.dataset.testid = 'walk-count';
  const back = button('Back', 'walk-back');
  const next = button('Next', 'walk-next');
  const nav = document.createElement('div');
  nav.className = 'graph-toolbar';
  nav.append(back, next, count);
  // the page pauses training when a walk starts (GRAPH_WALK_EVENT), and Play ends the walk
  const paused = Object.assign(document.createElement('p'), {
    className: 'walk-paused',
    textContent:
      'Training is paused while you walk, so every number belongs to one step. Play ends the walk; ' +
      'so do Escape and “Stop the walk”.',
  });
  paused.dataset.testid = 'walk-paused';
  const predict = predictForm();
  const score = Object.assign(document.createElement('p'), { className: 'predict-score' });
  score.dataset.testid = 'predict-score';
  box.append(paused, sentence, predict.form, predict.verdict, nav, score);
  const scroll = document.createElement('div');
  scroll.className = 'graph-scroll';
  scroll.tabIndex = 0; // a scrollable region must be reachable by keyboard
  scroll.setAttribute('role', 'group');
  scroll.setAttribute('aria-label', 'Computation graph (scrolls sideways on narrow screens)');
  const caption = Object.assign(document.createElement('p'), { className: 'graph-caption' });
  caption.dataset.testid = 'graph-caption';
  const hint = Object.assign(document.createElement('p'), {
    className: 'graph-hint',
    textContent: 'The graph is wider than this screen: scroll it sideways for the output and the loss.',
  });
  hint.hidden = true;
  new ResizeObserver(() => (hint.hidden = scroll.scrollWidth <= scroll.clientWidth + 1)).observe(scroll);
  root.replaceChildren(toolbar, box, hint, scroll, caption);
  const panel: Panel = {
    root,
    scroll,
    caption,
    walk: { box, start, back, next, sentence, count },
    predict: { toggle, score, ...predict },
    ask: { on: toggle.checked, shown: new Set(), outcome: new Map(), missed: new Set() },
    view: null,
    state: null,
    source: '',
    note: '',
    lastDraw: -Infinity,
    pending: null,
    timer: null,
    walkAt: null,
    small,
    live: null,
  };
  small.addEventListener('change', () => {
    const shown = small.checked ? { state: spotGraphState(), source: 'the worked example', note: '' } : panel.live;
    if (panel.walkAt !== null) panel.walkAt = 0; // another network: its walk from the start
    if (shown) draw(panel, shown.state, shown.source, shown.note);
  });
  wireWalk(panel);
  wirePredict(panel);
  panels.set(root, panel);
  return panel;
}

/** The question's form: what to type, the answer's labelled field (Enter checks it), Reveal, and the verdict. */
function predictForm(): Omit<Panel['predict'], 'toggle' | 'score'> {
  const form = document.createElement('form');
  form.className = 'predict';
  form.noValidate = true;
  form.hidden = true;
  form.dataset.testid = 'predict';
  const question = Object.assign(document.createElement('p'), { id: 'predict-question' });
  question.dataset.testid = 'predict-question';
  const input = Object.assign(document.createElement('input'), { type: 'text', id: 'predict-input' });
  input.inputMode = 'decimal';
  input.autocomplete = 'off';
  input.setAttribute('aria-describedby', 'predict-question');
  input.dataset.testid = 'predict-input';
  const label = Object.assign(document.createElement('label'), {
    htmlFor: 'predict-input',
    textContent: 'Your value ',
  });
  const check = Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Check' });
  check.dataset.testid = 'predict-check';
  const reveal = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Reveal' });
  reveal.dataset.testid = 'predict-reveal';
  form.append(question, label, input, check, reveal);
  const verdictEl = Object.assign(document.createElement('p'), { className: 'predict-verdict' });
  verdictEl.setAttribute('role', 'status'); // polite: said after the learner's own Enter
  verdictEl.dataset.testid = 'predict-verdict';
  return { form, question, input, reveal, verdict: verdictEl };
}

/** Switches prediction in the walk on or off (the page calls it with the link's setting); before or after mounting. */
export function setPredict(root: HTMLElement, on: boolean): void {
  root.dataset.predict = on ? 'on' : 'off';
  const panel = panels.get(root);
  if (!panel) return;
  panel.predict.toggle.checked = on;
  panel.ask.on = on;
  showWalk(panel);
}

/** The question the walk's current stage asks now, or null (prediction off, no question there, or already shown). */
function pendingQuestion(panel: Panel): Question | null {
  if (!panel.ask.on || panel.walkAt === null || !panel.state) return null;
  const step = walkSteps(panel.state)[panel.walkAt];
  if (!step || panel.ask.shown.has(step.id)) return null;
  return questionFor(panel.state, step.id);
}

function wirePredict(panel: Panel): void {
  const { toggle, form, input, reveal, verdict: said } = panel.predict;
  toggle.addEventListener('change', () => {
    setPredict(panel.root, toggle.checked);
    panel.root.dispatchEvent(new CustomEvent(GRAPH_PREDICT_EVENT, { bubbles: true, detail: { on: toggle.checked } }));
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = pendingQuestion(panel);
    if (!q) return;
    const answer = parseAnswer(input.value);
    if (answer === null) {
      input.setAttribute('aria-invalid', 'true');
      said.textContent = `Type a number, like −0.125 or 1.2e−3 (got '${input.value.trim()}').`;
      return;
    }
    input.removeAttribute('aria-invalid');
    const v = verdict(q, answer);
    said.textContent = v.text;
    if (!v.right) {
      panel.ask.missed.add(q.stage);
      return;
    }
    // right at the first try counts; right after a miss is shown but scored as a miss
    panel.ask.outcome.set(q.stage, panel.ask.missed.has(q.stage) ? 'missed' : 'right');
    panel.ask.shown.add(q.stage);
    showWalk(panel);
    panel.walk.next.focus();
  });
  reveal.addEventListener('click', () => revealPending(panel));
}

/** Shows the current stage's numbers without a right answer: it counts as asked, not right. */
function revealPending(panel: Panel): void {
  const q = pendingQuestion(panel);
  if (!q) return;
  panel.ask.outcome.set(q.stage, 'revealed');
  panel.ask.shown.add(q.stage);
  panel.predict.verdict.textContent = `Revealed: ${q.label} is ${fmt(q.value)}.`;
  showWalk(panel);
  panel.walk.next.focus();
}

/** Ends the walk, if one is on (the page calls it when Play is pressed: a walk shows one step's numbers). */
export function endWalk(root: HTMLElement): void {
  const panel = panels.get(root);
  if (!panel || panel.walkAt === null) return;
  panel.walkAt = null;
  showWalk(panel);
  panel.root.dispatchEvent(new CustomEvent(GRAPH_WALK_EVENT, { bubbles: true, detail: { walking: false } }));
}

function wireWalk(panel: Panel): void {
  const { start, back, next, box } = panel.walk;
  const setWalking = (at: number | null) => {
    const was = panel.walkAt !== null;
    panel.walkAt = at;
    showWalk(panel);
    if (was !== (at !== null))
      panel.root.dispatchEvent(new CustomEvent(GRAPH_WALK_EVENT, { bubbles: true, detail: { walking: at !== null } }));
  };
  const move = (by: number) => {
    if (panel.walkAt === null || !panel.state) return;
    const last = walkSteps(panel.state).length - 1;
    const was = panel.walkAt;
    panel.walkAt = Math.min(Math.max(panel.walkAt + by, 0), last);
    if (panel.walkAt !== was) panel.predict.verdict.textContent = '';
    showWalk(panel);
  };
  start.addEventListener('click', () => {
    if (panel.walkAt === null) {
      panel.ask = { on: panel.ask.on, shown: new Set(), outcome: new Map(), missed: new Set() };
      panel.predict.verdict.textContent = '';
    }
    setWalking(panel.walkAt === null ? 0 : null);
    if (panel.walkAt !== null) next.focus();
  });
  next.addEventListener('click', () => {
    // with a question open, Next reveals its answer first
    if (pendingQuestion(panel)) return revealPending(panel);
    move(1);
    if (pendingQuestion(panel)) panel.predict.input.focus();
  });
  back.addEventListener('click', () => move(-1));
  box.addEventListener('keydown', (e) => {
    if (e.target === panel.predict.input) return; // the arrows move the caret in the answer
    if (e.key === 'ArrowRight') {
      if (pendingQuestion(panel)) revealPending(panel);
      else move(1);
    } else if (e.key === 'ArrowLeft') move(-1);
    else return;
    e.preventDefault();
  });
  // Escape ends the walk from anywhere in the panel (the walk's buttons, the graph's scroll box, the toolbar)
  panel.root.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || panel.walkAt === null) return;
    setWalking(null);
    start.focus();
    e.preventDefault();
  });
}

function showWalk(panel: Panel): void {
  const { box, start, back, next, sentence, count } = panel.walk;
  const walking = panel.walkAt !== null && panel.state !== null;
  box.hidden = !walking;
  start.setAttribute('aria-pressed', String(walking));
  start.textContent = walking ? 'Stop the walk' : 'Walk the backward pass';
  if (!panel.view || !panel.state) return;
  const steps = walkSteps(panel.state);
  if (!walking) {
    panel.view.showWalk(
      steps.map((s) => s.id),
      null,
    );
    return;
  }
  const at = Math.min(panel.walkAt!, steps.length - 1);
  const step = steps[at]!;
  const q = pendingQuestion(panel);
  if (!q && !panel.ask.on) panel.ask.shown.add(step.id); // seen without prediction: not asked later
  panel.view.showWalk(
    steps.map((s) => s.id),
    step.id,
    q !== null,
  );
  followWalk(panel.scroll);
  showQuestion(panel, q);
  sentence.textContent = q ? 'Predict before this step is shown.' : step.sentence;
  count.textContent = `${step.direction} pass, step ${at + 1} of ${steps.length}`;
  back.setAttribute('aria-disabled', String(at === 0)); // not `disabled`: the focused button keeps focus
  next.setAttribute('aria-disabled', String(at === steps.length - 1));
  panel.root.dataset.walkStep = step.id;
}

function showQuestion(panel: Panel, q: Question | null): void {
  const { form, question, input, score } = panel.predict;
  const wasHidden = form.hidden;
  form.hidden = q === null;
  // out of the page while nothing is asked, so the walk's buttons are only its own
  if (q && !form.isConnected) panel.walk.box.insertBefore(form, panel.predict.verdict);
  else if (!q) form.remove();
  if (q) {
    question.textContent = `What is ${q.label}? Type it and press Enter; right is ${TOLERANCE_TEXT}.`;
    if (wasHidden || form.dataset.stage !== q.stage) {
      input.value = '';
      input.removeAttribute('aria-invalid');
      panel.predict.verdict.textContent = '';
    }
    form.dataset.stage = q.stage;
    form.dataset.key = q.key;
    form.dataset.i = String(q.i);
  }
  const asked = panel.ask.outcome.size;
  const right = [...panel.ask.outcome.values()].filter((o) => o === 'right').length;
  score.hidden = !panel.ask.on && asked === 0;
  score.textContent = scoreText(right, asked);
}

/**
 * Scrolls a graph wider than its box sideways so that the walk's current part is in view (a deep network's graph is
 * wider than a desktop window, and far wider than a phone's); only sideways, so the page itself does not jump.
 */
function followWalk(scroll: HTMLElement): void {
  const parts = [...scroll.querySelectorAll<SVGGraphicsElement>('.walk-current, .walk-new')];
  if (parts.length === 0 || scroll.scrollWidth <= scroll.clientWidth + 1) return;
  const box = scroll.getBoundingClientRect();
  const left = Math.min(...parts.map((p) => p.getBoundingClientRect().left));
  const right = Math.max(...parts.map((p) => p.getBoundingClientRect().right));
  if (left >= box.left && right <= box.right) return;
  // the part's middle to the box's middle, or its left edge to the box's where the part is wider than the box
  const shift = right - left > box.width ? left - box.left - 8 : (left + right) / 2 - (box.left + box.right) / 2;
  scroll.scrollLeft += shift;
}
