/**
 * The answers of the exercises that use the page's practice tools: "predict, then reveal" in the walk (the questions
 * the walk asks, and their values, computed as the page computes them: src/ui/graph/graph-predict.ts on the graph's
 * own numbers) and "look back" (a full-batch run of the page's default network, stepped here on the f64 matrix form,
 * read at the steps the slider reaches).
 */
import { accuracy } from '../mlp/accuracy.js';
import { xor } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { makeModel } from '../mlp/model.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import { snapshotInput } from '../ui/graph/diagram.js';
import { graphState } from '../ui/graph/graph-model.js';
import { questionFor } from '../ui/graph/graph-predict.js';
import { walkSteps } from '../ui/graph/graph-steps.js';
import { cpuSnapshot, runConfig } from '../ui/session.js';
import { DEFAULT_SETTINGS } from '../ui/state.js';
import { num, num3 } from './docs-tex.js';

/** The settings each exercise names; the page's link takes the same values. */
export const PRACTICE = {
  predict: { hidden: 2, seed: 3, sample: 4 },
  lookBack: { steps: 100 },
} as const;

/** `x` in the page's minus sign, as the walk writes it. */
const page = (v: number) => num(v).replace('-', '−');

/** The walk's questions at step 0 of the named network, with the answers and the rules the page names on a miss. */
export function predictQuestions(): { label: string; value: number; hint: string }[] {
  const { hidden, seed, sample } = PRACTICE.predict;
  const data = xor();
  const settings = { ...DEFAULT_SETTINGS, hidden: [hidden], seed };
  const config = runConfig(settings, data.N);
  const params = initModelParams({ d: data.d, hidden: [hidden] }, seed);
  const s = graphState(snapshotInput(cpuSnapshot(data, params, config, 0, 'cpu-fast'), sample - 1));
  return walkSteps(s)
    .map((step) => questionFor(s, step.id))
    .filter((q) => q !== null)
    .map((q) => ({ label: q.label, value: q.value, hint: q.hint }));
}

/** Exercise: predict, then reveal. */
export function predictWalkAnswer(): string {
  const qs = predictQuestions();
  const rows = qs.map((q) => `| ${q.label} | ${page(q.value)} | ${q.hint} |`);
  return [
    `The walk asks ${qs.length} questions, in this order (the numbers as the graph writes them, six digits; within 1% counts as right):`,
    '',
    '| the walk asks for | value | the rule (the hint a miss shows) |',
    '| --- | --- | --- |',
    ...rows,
    '',
    "Each comes from numbers already on the graph by the time it is asked: the output δ from ŷ and the label, the signal into a unit from the weight and the δ above it, the gate from that signal and the unit's own z, and a weight's share from the δ of the unit it feeds and the input it carries. A closed gate makes its δ exactly 0, and with it the unit's every share.",
  ].join('\n');
}

/** The page's default run (XOR, one hidden layer of 8 ReLU units, seed 1, rate 0.5, BCE, full batch), step by step. */
export function defaultRun(steps: number): { loss: number; correct: number }[] {
  const data = xor();
  const s = DEFAULT_SETTINGS;
  const config = runConfig(s, data.N);
  const model = makeModel({ d: data.d, hidden: s.hidden, activation: s.activation, output: config.output });
  let params = initModelParams(model, s.seed);
  const out: { loss: number; correct: number }[] = [];
  for (let k = 0; k <= steps; k++) {
    const r = lossAndGradsModel(model, params, data, { loss: config.loss, l1: 0, l2: 0 });
    out.push({ loss: r.loss, correct: Math.round(accuracy(r.cache.yHat, data.y) * data.N) });
    const next = Float64Array.from(params);
    for (let i = 0; i < next.length; i++) next[i] = params[i]! - config.lr * r.grads[i]!;
    params = next;
  }
  return out;
}

/** Exercise: look back. */
export function lookBackAnswer(): string {
  const run = defaultRun(PRACTICE.lookBack.steps);
  const first = (c: number) => run.findIndex((r) => r.correct >= c);
  const all = first(4);
  // from here on every step classifies all four
  let stays = run.length - 1;
  while (stays > 0 && run[stays - 1]!.correct === 4) stays--;
  const lost = run.map((_, k) => k).filter((k) => k > all && k < stays && run[k]!.correct < 4);
  const rises = run.map((_, k) => k).filter((k) => k > 0 && run[k]!.loss >= run[k - 1]!.loss);
  const firstRise = rises[0] ?? run.length;
  const at = (k: number) => `step ${k} (loss ${num(run[k]!.loss)})`;
  return [
    `At step 0 the run classifies ${run[0]!.correct} of 4 points, the loss at ${num(run[0]!.loss)}. Moving the slider from the left: 2 of 4 first at ${at(first(2))}, 3 of 4 at ${at(first(3))}, and 4 of 4 first at ${at(all)}. But not for good: at step${lost.length > 1 ? 's' : ''} ${lost.join(' and ')} the run is back at 3 of 4, and it classifies all four at every step only from step ${stays} on.`,
    '',
    `The loss, meanwhile, falls at every step up to step ${firstRise - 1}, straight through the steps where the count goes ${run
      .slice(all, stays + 1)
      .map((r) => r.correct)
      .join(
        ', ',
      )} (from ${num(run[all]!.loss)} at step ${all} to ${num(run[stays]!.loss)} at step ${stays}). Gradient descent lowers the loss, a smooth average of how far every ŷ is from its label; the accuracy only counts which side of 0.5 each ŷ is on. A point whose ŷ sits near 0.5 can cross back while the others gain more than it loses, so the count can drop while the loss falls. ${rises.length > 0 ? `Later the loss itself rises now and then (at steps ${rises.join(', ')} of the first ${run.length - 1}, at most by ${num3(Math.max(...rises.map((k) => run[k]!.loss / run[k - 1]!.loss - 1)) * 100)}%) and falls again: a rate of ${DEFAULT_SETTINGS.lr} overshoots a little along the steepest directions.` : ''}`,
    '',
    "These are the page's numbers without WebGPU, exactly (the run is deterministic: Reset and Play give the same steps again); on WebGPU the run trains in f32, its losses agree to about 5 digits, and a point this close to 0.5 may change side a step earlier or later.",
  ].join('\n');
}

export const PRACTICE_BLOCKS: Record<string, () => string> = {
  'exercise-predict-walk': predictWalkAnswer,
  'exercise-look-back': lookBackAnswer,
};
