/**
 * Plain-words hints from what the page already shows: dead hidden units, an output stuck near 0.5, a loss that grew
 * or an output pinned at 0 or 1 by oversized steps, and in a deep network gradients that shrink layer by layer.
 * Dead units in a run still learning are a note ('info'); in a failing run, or all of them, a warning. One diagnosis,
 * never contradicting itself. Pure, so a test can check each hint against a run known to fail.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { describeFault, type FaultNames, nonFiniteName, TrainingDivergedError } from '../mlp/divergence.js';
import { accuracy, fitOf } from '../mlp/accuracy.js';
import { parameterNames } from './gradients.js';
import { type ModelShape, modelLayout, type Output } from '../mlp/model.js';
import type { Objective } from '../mlp/objective.js';
import { deadUnits, saturatedUnits } from './plots/network.js';
import type { Snapshot } from './session.js';

export interface HintInput {
  step: number;
  /** The hidden widths H_1..H_L; a number is one hidden layer of that width. */
  hidden: number | readonly number[];
  /** Hidden units with a = 0 on every data point (ReLU only: f′ = 0 there), per hidden layer (a number: layer 1's). */
  dead: number | readonly number[];
  /** Hidden units with f′(z) ≈ 0 on every data point (tanh, σ: saturated, not dead), per layer; default none. */
  saturated?: number | readonly number[];
  /** The output unit (default σ). The identity output (regression) has no accuracy and no ŷ near 0.5 to speak of. */
  output?: Output;
  /** The hidden activation f (default ReLU): why gradients shrink through the layers. */
  activation?: HiddenActivation;
  /** ‖∂L_data/∂W_l‖ for l = 1..L+1 (layerGradientNorms), for the gradient-size hint; none: no such hint. */
  gradNorms?: readonly number[];
  /** The same at step 0 of this run: a gradient that vanished at the start is said for the whole run. */
  startNorms?: readonly number[];
  /** The two terms of the loss, where a penalty is set: R larger than L_data is named. */
  dataLoss?: number;
  penalty?: number;
  /** R² over the training points (identity output): a regression that stopped improving is named with it. */
  r2?: number;
  yHat: ArrayLike<number>;
  /** The fraction of training points classified correctly now, in [0, 1] (σ output only). */
  accuracy: number;
  /**
   * The loss where the stretch judged begins (step `since`: 0, or the step of the last setting changed mid-run), the
   * smallest seen since, and now. A hint about the loss judges only that stretch: an earlier rate's rise is not this one's.
   */
  firstLoss: number;
  minLoss: number;
  loss: number;
  /** The loss about halfway from `since` to now (NaN when unknown): is it still falling? */
  pastLoss: number;
  lr: number;
  /** The step of the last change mid-run (default 0, the run's start), and that change in words. */
  since?: number;
  change?: string;
  /** The data's name where no single line separates its classes (XOR): one live ReLU unit cannot classify it. */
  noLine?: string;
}

export interface Hint {
  id: 'dead' | 'saturated' | 'vanishing' | 'stuck' | 'grows' | 'stalled' | 'penalty';
  /** 'info' for a run that is learning (neutral style), 'warn' for one that is failing. */
  level: 'info' | 'warn';
  text: string;
}

/** How close to 0.5 every ŷ must be, after how many steps, to call the output stuck. */
export const STUCK_BAND = 0.05;
export const STUCK_AFTER = 300;
/** A loss this many times its step-0 value has grown (any loss: BCE or MSE). */
export const GROWN = 1.2;
/** ŷ this close to 0 or 1 is saturated: σ′ is about this small, so almost no gradient passes. */
export const SATURATED = 1e-4;
/** After this many steps a run short of 100% whose loss fell less than 2% over the last half has stalled. */
export const STALLED_AFTER = 1000;
/** A regression whose loss stopped falling below this R² is said to have stalled. */
export const STALLED_R2 = 0.9;
/**
 * ‖∂L/∂W_L‖ / ‖∂L/∂W1‖ at or above this: the first layer's gradients have vanished. Two orders of magnitude: a
 * healthy network's layers differ by a few times (widths and weights), while each σ layer between them can shrink
 * δ by up to 4 from σ′ ≤ 1/4 alone, so four σ layers give up to 256 before the weights (tests/plots-model.test.ts
 * measures both: ReLU and tanh nets of 5 × 8 on XOR stay under 10 at the seeds tried, σ's are far above 100).
 */
export const VANISHING_FACTOR = 100;

/** Per-layer counts from either form. */
const perLayer = (v: number | readonly number[] | undefined): readonly number[] =>
  v === undefined ? [0] : typeof v === 'number' ? [v] : v;

/**
 * ‖∂L_data/∂W_l‖ (Frobenius) for l = 1..L+1 from the flat gradients of L_total: the penalty's λ1·sign(w) + λ2·w is
 * taken off each weight's, as it is no part of the δ recursion the sizes are about.
 */
export function layerGradientNorms(
  shape: ModelShape,
  params: ArrayLike<number>,
  grads: ArrayLike<number>,
  objective: Pick<Objective, 'l1' | 'l2'> = {},
): number[] {
  const { l1 = 0, l2 = 0 } = objective;
  return modelLayout(shape).layers.map(({ W }) => {
    let sum = 0;
    for (let k = W.offset; k < W.offset + W.length; k++) {
      const w = params[k]!;
      sum += (grads[k]! - l1 * Math.sign(w) - l2 * w) ** 2;
    }
    return Math.sqrt(sum);
  });
}

/**
 * A factor as the hint writes it, rounded down to one significant digit (1,240 → 1,000): the hints are a live region,
 * re-read whenever their text changes, and a factor written to more digits would change every frame.
 */
export const roundFactor = (f: number) => {
  const decade = 10 ** Math.floor(Math.log10(f));
  return Math.floor(f / decade) * decade;
};
/** A size to the nearest power of ten, as the hint lists them: 1e−6. */
const decade = (v: number) => `1e${Math.round(Math.log10(v))}`.replace('-', '−');

/** Why δ shrinks on its way back from layer L to layer 1 (k = L − 1 factors of f′), per activation. */
const SHRINK: Record<HiddenActivation, (L: number) => string> = {
  sigmoid: (L) =>
    `on the way back from layer ${L} to layer 1, δ is multiplied by σ′(z) ≤ 1/4 (and by the weights) once per ` +
    `layer, ${L - 1} time${L === 2 ? '' : 's'}: σ′ alone shrinks it at least ${(4 ** (L - 1)).toLocaleString('en-US')}×, which ` +
    'only large weights could make up for',
  tanh: (L) =>
    `on the way back from layer ${L} to layer 1, δ is multiplied by tanh′(z) ≤ 1 (and by the weights) once per ` +
    'layer, and tanh′ is well below 1 wherever |z| is not small',
  relu: () => 'ReLU′ is 0 or 1, so here the shrinking comes from the weights and the closed gates, once per layer',
  leaky: () =>
    'leaky ReLU′ is 0.01 or 1, so here the shrinking comes from the weights and the units below 0, once per layer',
};

/** What the hints need besides the snapshot: the run's loss history and learning rate. */
export type RunHistory = Pick<HintInput, 'firstLoss' | 'minLoss' | 'pastLoss' | 'lr'> &
  Partial<Pick<HintInput, 'since' | 'change' | 'noLine'>>;

/**
 * The generated sets that no single line separates, as a hint names them: a one-unit ReLU network draws its boundary
 * along one line (tests/activations.test.ts: one unit never learns XOR), so it can never classify them.
 */
export const NO_LINE: Readonly<Record<string, string>> = {
  xor: 'XOR',
  noisyxor: 'noisy XOR',
  circle: 'the circle',
  spiral: 'the spiral',
};

/** The hints' input for a snapshot, as the page builds it (dead and saturated units, when already counted, passed in). */
export function hintInputOf(
  s: Snapshot,
  run: RunHistory & Pick<HintInput, 'startNorms'>,
  units: { dead: number[][]; saturated: number[][] } = { dead: deadUnits(s), saturated: saturatedUnits(s) },
): HintInput {
  const fit = fitOf(s.model.output, s.layers.yHat, s.data.y);
  const penalised = s.objective.l1 > 0 || s.objective.l2 > 0;
  return {
    ...run,
    ...(penalised ? { dataLoss: s.oracle.dataLoss, penalty: s.oracle.penalty } : {}),
    ...(fit.r2 !== undefined ? { r2: fit.r2 } : {}),
    step: s.step,
    hidden: s.model.hidden,
    dead: units.dead.map((u) => u.length),
    saturated: units.saturated.map((u) => u.length),
    output: s.model.output,
    activation: s.model.activation,
    gradNorms: layerGradientNorms(s.model, s.params, s.oracle.grads, s.objective),
    yHat: s.layers.yHat,
    accuracy: accuracy(s.layers.yHat, s.data.y),
    loss: s.loss,
  };
}

export function hints(r: HintInput): Hint[] {
  const out: Hint[] = [];
  const n = r.yHat.length;
  const widths = perLayer(r.hidden);
  const deep = widths.length > 1;
  const deadBy = perLayer(r.dead);
  const satBy = perLayer(r.saturated);
  const sum = (v: readonly number[]) => v.reduce((a, b) => a + b, 0);
  const classifies = (r.output ?? 'sigmoid') === 'sigmoid';
  const since = r.since ?? 0;
  // before the first step nothing has been learned or not learned: only what the network is, not how it trains
  const started = r.step > 0;
  // the loss is judged over the stretch since the last change: an earlier setting's rise is not blamed on this one
  const grew = r.step > since && Number.isFinite(r.firstLoss) && r.loss > GROWN * r.firstLoss;
  // every ŷ pinned at 0 or 1 while some are wrong: the steps overshot into σ's flat tails
  let pinned = classifies && r.step > since && n > 0 && r.accuracy < 1;
  for (let i = 0; i < n && pinned; i++) if (Math.min(r.yHat[i]!, 1 - r.yHat[i]!) > SATURATED) pinned = false;
  // ŷ ≈ 0.5 and accuracy are the σ output's: a regression's ŷ has no such middle, and no accuracy
  let stuck = classifies && r.step >= STUCK_AFTER && n > 0;
  for (let i = 0; i < n && stuck; i++) if (Math.abs(r.yHat[i]! - 0.5) > STUCK_BAND) stuck = false;
  const flat = r.step - since >= STALLED_AFTER && !(r.loss < 0.98 * r.pastLoss);
  const stalled = classifies ? flat && r.accuracy < 1 : flat && r.r2 !== undefined && r.r2 < STALLED_R2;
  const overshoots = grew || pinned;
  // a penalty larger than the data's loss: λ pulls the weights to 0 harder than the data pulls them anywhere
  const heavy = r.penalty !== undefined && r.dataLoss !== undefined && r.step > 0 && r.penalty > r.dataLoss;
  const failing = overshoots || stuck || stalled;
  const dead = sum(deadBy);
  if (dead > 0 && !deep) {
    const hidden = widths[0]!;
    const all = dead === hidden;
    const alive = hidden - dead;
    const others = `${alive === 1 ? 'The other unit' : `The other ${alive} units`}`;
    // one live unit draws the boundary along one line: on data no line separates, that is a failure from step 0 on
    const oneLine = alive === 1 && classifies && r.noLine !== undefined && r.accuracy < 1;
    const line = alive === 1 && classifies ? ', and one ReLU unit bends it along a single line' : '';
    const after = all
      ? `With every unit dead, ŷ cannot depend on x at all${overshoots ? '; the oversized steps below pushed them there' : ': try another seed or a wider network'}.`
      : failing || oneLine
        ? `${others} ${alive === 1 ? 'is' : 'are'} all the network has left to bend the boundary with${line}${oneLine ? `, which cannot separate ${r.noLine}` : ''}${overshoots ? '' : ': try another seed or a wider network'}.`
        : !started
          ? `${others} ${alive === 1 ? 'is' : 'are'} left to bend the boundary with; press Play to see whether that is enough.`
          : `${others} ${alive === 1 ? 'is' : 'are'} enough here: the run is still learning, so this is a note, not a failure.`;
    out.push({
      id: 'dead',
      level: failing || all || oneLine ? 'warn' : 'info',
      text:
        `${dead} of ${hidden} hidden unit${hidden === 1 ? '' : 's'} ${dead === 1 ? 'is' : 'are'} dead: ` +
        `the pre-activation z1 is negative on every training point, so ReLU outputs 0, passes back no gradient, and the unit never recovers. ${after}`,
    });
  } else if (dead > 0) {
    const wholly = widths.findIndex((H, l) => (deadBy[l] ?? 0) === H);
    const after =
      wholly >= 0
        ? `With every unit of layer ${wholly + 1} dead, ŷ is the same for every training point${overshoots ? '; the oversized steps below pushed them there' : ': try another seed or wider layers'}.`
        : failing
          ? `The other units are all the network has left to ${classifies ? 'bend the boundary' : 'shape ŷ'} with${overshoots ? '' : ': try another seed or wider layers'}.`
          : !started
            ? 'Press Play to see whether the other units are enough.'
            : 'The other units are enough here: the run is still learning, so this is a note, not a failure.';
    out.push({
      id: 'dead',
      level: failing || wholly >= 0 ? 'warn' : 'info',
      text:
        `Dead hidden units: ${layerCounts(deadBy, widths)}. Their pre-activation z is negative on every training ` +
        'point, so ReLU outputs 0, passes back no gradient, and their own weights stop changing; a dead unit in ' +
        `layer 1 never recovers, one in a later layer only if the layers below it change. ${after}`,
    });
  }
  const sat = sum(satBy);
  if (sat > 0) {
    const hidden = widths[0]!;
    out.push({
      id: 'saturated',
      level: failing ? 'warn' : 'info',
      text:
        (deep
          ? `Saturated hidden units: ${layerCounts(satBy, widths)}. Their |z| is so large on every training point ` +
            'that f′(z) is nearly 0, '
          : `${sat} of ${hidden} hidden unit${hidden === 1 ? '' : 's'} ${sat === 1 ? 'is' : 'are'} saturated: ` +
            '|z1| is so large on every training point that f′(z1) is nearly 0, ') +
        'so almost no gradient passes back and its weights change very slowly. ' +
        'Unlike a dead ReLU it is not stuck for good; ' +
        'a smaller learning rate or inputs nearer [−1, 1] keep units out of saturation.',
    });
  }
  const vanishing = vanishingHint(r, widths.length, failing);
  if (vanishing) out.push(vanishing);
  if (stuck) {
    const why = vanishing
      ? 'Its first layers barely learn (see above); try ReLU or fewer layers.'
      : `${dead > 0 ? 'The units still alive are too few to separate the classes (see above)' : 'Its units do not yet bend the boundary'}; try another seed or more hidden units.`;
    out.push({
      id: 'stuck',
      level: 'warn',
      text: `ŷ is stuck near 0.5 on every point: the network gives the same guess everywhere, which is the best constant answer when the two labels are equally common. ${why}`,
    });
  }
  if (stalled && !classifies && !overshoots && !heavy) {
    out.push({
      id: 'stalled',
      level: 'warn',
      text:
        `The loss has stopped falling with R² = ${r.r2!.toFixed(2)} on the training points` +
        `${r.r2! < 0 ? ' (below 0: a constant guess, the labels’ mean, would fit better)' : ''}: ` +
        `the fit is stuck where it is. A smaller learning rate (such as ${Math.min(r.lr / 5, 0.1)}), tanh, or more ` +
        'or wider layers usually get a regression further.',
    });
  }
  if (heavy) {
    out.push({
      id: 'penalty',
      level: 'warn',
      text:
        `The penalty R = ${r.penalty!.toPrecision(3)} is larger than the data’s loss ${r.dataLoss!.toPrecision(3)}: ` +
        'the regularization rate λ pulls the weights toward 0 harder than the data pulls them anywhere, so the ' +
        'network fits little. Lower λ (0.001 to 0.01 is typical).',
    });
  }
  if (overshoots && !grew && since > 0) {
    // pinned since a change: the steps that pinned it may be the earlier rate's, and a smaller rate cannot unpin it soon
    out.push({
      id: 'grows',
      level: 'warn',
      text:
        `ŷ is pinned at 0 or 1 on every point, some of them wrong (the loss is ${r.loss.toPrecision(3)}): oversized ` +
        'steps pushed it into the flat tails of σ, where almost no gradient passes back, so it can stay pinned even at ' +
        `a smaller rate. Press Reset to start again with a smaller learning rate${classifies ? ' (0.5 works here)' : ''}.`,
    });
  } else if (overshoots) {
    const at = since > 0 ? `step ${since}${r.change ? ` (${r.change})` : ''}` : 'step 0';
    const what = grew
      ? `The loss grew from ${r.firstLoss.toPrecision(3)} at ${at} to ${r.loss.toPrecision(3)}`
      : `ŷ is pinned at 0 or 1 on every point, some of them wrong (the loss is ${r.loss.toPrecision(3)})`;
    out.push({
      id: 'grows',
      level: 'warn',
      text: `${what}: the learning rate ${r.lr} is too large, so each step overshoots${grew ? '' : ' into the flat tails of σ, where almost no gradient passes back'}. Lower the learning rate${heavy ? ' or λ' : classifies ? ' (0.5 works here)' : ''}.`,
    });
  }
  return out;
}

/** "3 of 8 in layer 1, 2 of 4 in layer 3": the layers with any. */
function layerCounts(counts: readonly number[], widths: readonly number[]): string {
  return counts
    .map((c, l) => (c > 0 ? `${c} of ${widths[l]} in layer ${l + 1}` : ''))
    .filter(Boolean)
    .join(', ');
}

/**
 * The first layer's weight gradients VANISHING_FACTOR or more times smaller than the last hidden layer's (L ≥ 2),
 * with the factor and, per activation, why. Nothing where either is 0 or not finite (a dead layer has its own hint).
 */
function vanishingHint(r: HintInput, L: number, failing: boolean): Hint | null {
  return vanishingAt(r.gradNorms, r, L, failing, '') ?? vanishingAt(r.startNorms, r, L, failing, 'At step 0, l');
}

function vanishingAt(
  g: readonly number[] | undefined,
  r: HintInput,
  L: number,
  failing: boolean,
  when: string,
): Hint | null {
  if (L < 2 || !g || g.length < L) return null;
  const [first, last] = [g[0]!, g[L - 1]!];
  if (!(first > 0) || !(last > 0) || !Number.isFinite(first) || !Number.isFinite(last)) return null;
  const factor = last / first;
  if (!(factor >= VANISHING_FACTOR) || !Number.isFinite(factor)) return null;
  const act = r.activation ?? 'relu';
  const sizes = g.map((v, l) => `W${l + 1} ${!Number.isFinite(v) ? 'not finite' : v > 0 ? decade(v) : '0'}`).join(', ');
  const fix =
    act === 'sigmoid' || act === 'tanh'
      ? 'ReLU, or fewer layers, keeps the gradient’s size.'
      : 'Fewer layers or another seed keep the gradient’s size.';
  return {
    id: 'vanishing',
    level: failing ? 'warn' : 'info',
    text:
      `${when ? `${when}ayer 1’s gradients were` : 'Layer 1’s gradients are'} at least ` +
      `${roundFactor(factor).toLocaleString('en-US')}× smaller than layer ${L}’s ` +
      `(‖∂L/∂W_l‖ per layer, to the nearest power of ten: ${sizes}; ${when ? 'now' : 'each exactly'} in the gradient ` +
      `panel’s table): ${SHRINK[act](L)}. So layer 1’s weights change that much more slowly. ${fix}`,
  };
}

/**
 * The banner for a run that stopped with an error: the error itself, and for a
 * divergence (TrainingDivergedError on either backend, or a GPU status error
 * saying NaN or infinite) what to do about it. `shownStep` is the step the page
 * still shows, when that is not the state the run kept.
 */
export function failureText(e: Error, shownStep?: number): string {
  // A divergence is named as the page names things, counted from 1 (W1[1][1], sample 1), as in the table and the graph.
  const said =
    e instanceof TrainingDivergedError
      ? describeFault(e.spec, e.fault, pageNames(e.model ?? { d: e.spec.d, hidden: [e.spec.H] }))
      : e.message;
  // A divergence message ends with its own short hint; the banner gives the longer one below.
  const message = `${said.replace(/; lower the learning rate or rescale the data$/, '').replace(/[.\s]+$/, '')}.`;
  const step = (e as { step?: unknown }).step;
  const diverged = e.name === 'TrainingDivergedError' || /diverged|NaN|infinite/i.test(e.message);
  if (!diverged) return `${message} Press Play or Reset to start a new run.`;
  const at = typeof step === 'number' && !message.startsWith(`step ${step}:`) ? ` at step ${step}` : ''; // said once
  const shown =
    typeof step === 'number' && shownStep !== undefined && shownStep !== step - 1
      ? ` The page still shows step ${shownStep}, the last state it read back.`
      : '';
  return `${message} Training blew up${at}: each step overshot until the numbers left the range of floating point. Lower the learning rate (0.5 works for XOR) or rescale the inputs to about [−1, 1], then press Play or Reset to start a new run.${shown}`;
}

/** Page names of a parameter and a sample, counted from 1 as in the gradient table, graph and network picture. */
export function pageNames(shape: ModelShape): FaultNames {
  const names = parameterNames(shape);
  return {
    element: (k) => names[k] ?? `parameter ${k + 1}`,
    sample: (n) => String(n + 1),
    value: (v) => (Number.isNaN(v) ? 'NaN (not a number)' : nonFiniteName(v)),
  };
}
