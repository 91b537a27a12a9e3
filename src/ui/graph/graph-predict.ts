/**
 * Predict, then reveal: at each backward stage of the walk that a learner can work out from numbers already shown
 * (δ at the output, da_l = W_{l+1}ᵀ δ_{l+1}, each gate's δ_l, each parameter gradient's share), the walk picks one
 * entry, asks for it before revealing it, grades the answer against the graph's own f64 numbers and, on a miss, names
 * the rule. Pure: no DOM.
 */
import { ACTIVATION_TEXT, fmt, gateKey, type GraphState, type NumberKey } from './graph-model.js';
import { layoutOf } from './graph-parts.js';

/** The kind of rule a stage applies, which picks its hint. */
export type PredictRule = 'output' | 'into' | 'gate' | 'param';

export interface Question {
  /** The walk's stage id (dz2, da1, dz1, dW1, …). */
  stage: string;
  rule: PredictRule;
  /** Where the answer is in GraphState.values, and its index there. */
  key: NumberKey;
  i: number;
  /** The entry in the page's words, counting units from 1 as the graph does. */
  label: string;
  /** The oracle's value (f64). */
  value: number;
  /** The rule named on a miss. */
  hint: string;
}

/** Answers within this share of the value are right: 3 significant digits are always enough. */
export const REL_TOL = 0.01;
/** A value of 0 (a closed gate) is matched within this, absolutely. */
export const ABS_TOL = 1e-9;
export const TOLERANCE_TEXT = 'within 1% of the value (or 1e−9 of a true 0)';

/** Whether `answer` counts as `value`. */
export function isRight(answer: number, value: number): boolean {
  if (!Number.isFinite(answer)) return false;
  // the 1e−12 keeps an answer typed exactly at the edge (0.505 for 0.5) from being lost to binary rounding
  return Math.abs(answer - value) <= Math.max(REL_TOL * (1 + 1e-12) * Math.abs(value), ABS_TOL);
}

/**
 * A typed number: the page's minus sign (−) as well as '-', exponents (1.2e−3), a decimal comma refused. Returns null
 * for anything else, so the caller can ask again without counting it as a try.
 */
export function parseAnswer(text: string): number | null {
  const t = text.trim().replaceAll('−', '-').replaceAll(' ', '');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** Units drawn as rows in hidden layer l (the rest are folded into "… more"). */
const shownUnits = (s: GraphState, l: number) => layoutOf(s).rows[l - 1]!;

/** The first of `units` (indices) whose |value| is largest: 0 where there are none. */
function largest(values: ArrayLike<number>, units: number[]): number {
  let best = units[0] ?? 0;
  for (const j of units) if (Math.abs(values[j]!) > Math.abs(values[best]!)) best = j;
  return best;
}

/** Layer l's drawn units, as indices. */
const drawn = (s: GraphState, l: number) => Array.from({ length: shownUnits(s, l) }, (_, j) => j);

/** Layer l's unit for da_l: the drawn unit with the largest |da_l|, where W_{l+1}ᵀ δ_{l+1} is not a mere 0. */
export function intoUnit(s: GraphState, l: number): number {
  return largest(s.values[`da${l}`]!, drawn(s, l));
}

/**
 * Layer l's unit for δ_l: a closed gate where the drawing shows one (the gate's lesson), the one that blocks the
 * largest |da_l|; else the drawn unit with the largest |δ_l|. Either way not always unit 1.
 */
export function gateUnit(s: GraphState, l: number): number {
  const gate = s.values[gateKey(l)]!;
  const closed = drawn(s, l).filter((j) => gate[j] === 0);
  return closed.length > 0 ? largest(s.values[`da${l}`]!, closed) : largest(s.values[`dz${l}`]!, drawn(s, l));
}

/** Layer l's unit for a weight's share: the first drawn unit whose gate is open, so the number is not a mere 0. */
export function openUnit(s: GraphState, l: number): number {
  const gate = s.values[gateKey(l)]!;
  const k = gate.slice(0, shownUnits(s, l)).findIndex((g) => g !== 0);
  return Math.max(k, 0);
}

/** The question for a walk stage, or null where the stage asks nothing (the forward pass, the seed, the mean, R). */
export function questionFor(s: GraphState, stage: string): Question | null {
  const L = s.layers;
  const o = L + 1;
  const v = s.values;
  const act = s.input.activation ?? 'relu';
  const m = /^(dz|da|dW)(\d+)$/.exec(stage);
  if (!m) return null;
  const l = Number(m[2]);
  const q = (rule: PredictRule, key: NumberKey, i: number, label: string): Question => ({
    stage,
    rule,
    key,
    i,
    label,
    value: v[key]![i]!,
    hint: hintFor(s, rule, l, act),
  });
  if (m[1] === 'dz' && l === o) return q('output', `dz${o}`, 0, `dz${o} (δ${o}), at the output`);
  if (m[1] === 'da' && l >= 1 && l <= L) {
    const j = intoUnit(s, l);
    return q('into', `da${l}`, j, `da${l} for unit ${j + 1}${where(s, l)}`);
  }
  if (m[1] === 'dz' && l >= 1 && l <= L) {
    const j = gateUnit(s, l);
    return q('gate', `dz${l}`, j, `dz${l} (δ${l}) for unit ${j + 1}${where(s, l)}`);
  }
  if (m[1] === 'dW' && l === o) {
    const j = openUnit(s, L);
    return q(
      'param',
      `cW${o}`,
      j,
      `this sample's share of dW${o}[1][${j + 1}] (the weight from unit ${j + 1}${where(s, L)})`,
    );
  }
  if (m[1] === 'dW' && l >= 1 && l <= L) {
    const j = openUnit(s, l);
    const nin = l === 1 ? s.input.d : s.input.hidden[l - 2]!;
    // the first input that is not 0 (x = (0, 1) would make x1's share a mere 0 too)
    const i =
      l === 1
        ? Math.max(
            0,
            v.x!.findIndex((x) => x !== 0),
          )
        : openUnit(s, l - 1);
    const from = l === 1 ? `x${i + 1}` : `unit ${i + 1} of a${l - 1}`;
    return q(
      'param',
      `cW${l}`,
      j * nin + i,
      `this sample's share of dW${l}[${j + 1}][${i + 1}] (unit ${j + 1}, from ${from})`,
    );
  }
  return null;
}

/** " of hidden layer l" where there are several. */
const where = (s: GraphState, l: number) => (s.layers === 1 ? '' : ` of hidden layer ${l}`);

/** The rule a stage applies, in words, for the hint on a miss. */
function hintFor(s: GraphState, rule: PredictRule, l: number, act: keyof typeof ACTIVATION_TEXT): string {
  const o = s.layers + 1;
  const g = s.input;
  switch (rule) {
    case 'output':
      if (g.loss === 'bce')
        return `δ at the output with σ and BCE is ŷ − y, times the 1/N of the mean: dz${o} = (ŷ − y)/N.`;
      if (g.output === 'identity')
        return `δ at the output with the identity output and squared error is 2(ŷ − y), times 1/N: dz${o} = 2(ŷ − y)/N.`;
      return `δ at the output with σ and squared error is 2(ŷ − y) · ŷ(1 − ŷ), times 1/N: dz${o} = ∂L/∂ŷ · ŷ(1 − ŷ).`;
    case 'into':
      return (
        `da${l} = W${l + 1}ᵀ dz${l + 1}: the weight times the δ arriving, summed over the units unit j feeds ` +
        `(column j of W${l + 1} against δ${l + 1}).`
      );
    case 'gate':
      return gateHint(s, l, act);
    case 'param':
      return l === 1
        ? "dW1 = dz1 xᵀ summed over the batch: this sample's share of dW1[j][i] is δ1_j · x_i (δ already holds the 1/N)."
        : `dW${l} = dz${l} a${l - 1}ᵀ summed over the batch: this sample's share of dW${l}[j][i] is ` +
            `δ${l}_j · a${l - 1}_i (δ already holds the 1/N).`;
  }
}

function gateHint(s: GraphState, l: number, act: keyof typeof ACTIVATION_TEXT): string {
  const j = gateUnit(s, l);
  const closed = s.values[gateKey(l)]![j] === 0;
  const [z, a, da, dz] = [`z${l}`, `a${l}`, `da${l}`, `dz${l}`];
  switch (act) {
    case 'relu':
      return closed
        ? `the gate is closed: ReLU′(z) = 0 for z ≤ 0, so ${dz} = 0.`
        : `the gate is open: ReLU′(z) = 1 for z > 0, so ${dz} = ${da}.`;
    case 'leaky':
      return `leaky ReLU′(z) is 1 for z > 0 and 0.01 otherwise: ${dz} = ${da} × f′(${z}).`;
    case 'tanh':
      return `tanh′(z) = 1 − a²: ${dz} = ${da} × (1 − ${a}²).`;
    case 'sigmoid':
      return `σ′(z) = a(1 − a): ${dz} = ${da} × ${a}(1 − ${a}).`;
  }
}

/** What the walk says after an answer. */
export function verdict(q: Question, answer: number): { right: boolean; text: string } {
  if (isRight(answer, q.value))
    return { right: true, text: `Right: ${q.label} is ${fmt(q.value)} (you said ${fmt(answer)}).` };
  return { right: false, text: `Not quite (you said ${fmt(answer)}). Hint: ${q.hint} Try again, or reveal it.` };
}

/** "3 of 5 right at the first try": first tries that were right, of the questions answered or revealed. */
export function scoreText(right: number, asked: number): string {
  return `Score: ${right} of ${asked} right at the first try`;
}
