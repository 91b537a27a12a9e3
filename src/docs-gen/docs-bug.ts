/**
 * The bug hunt's exercise (docs/exercises.md, "Find the planted bug"): for each bug the page can plant in that run, the
 * tensors whose gradients fail the panel's check at step 0 and the numbers that tell look-alikes apart, computed with
 * the CPU trainer that carries the mistake (src/mlp/train/train-mistaken.ts) against the f64 oracle, as the page's
 * panel does without WebGPU.
 */
import { compareWithBoundsModel } from '../mlp/bounds/compare.js';
import { f64BoundsModel } from '../mlp/bounds/bounds-f64.js';
import { xor } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { makeModel, modelLayout } from '../mlp/model.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import { type Mistake, MistakenTrainer } from '../mlp/train/train-mistaken.js';
import { num, sci } from './docs-tex.js';

/** The run the exercise names; the page's link takes the same values. */
export const BUG_RUN = { hidden: [5, 4, 4, 3], activation: 'tanh', lambda: 0.01, seed: 3, lr: 0.5 } as const;

/** The page's link for that run, with a bug drawn at random among those it can show. */
export const BUG_LINK = `?hidden=${BUG_RUN.hidden.join(',')}&activation=${BUG_RUN.activation}&reg=l2&lambda=${BUG_RUN.lambda}&seed=${BUG_RUN.seed}&bug=random`;

/** The bugs that run can show (every one but ReLU′(0) = 1), in the page's list order, with the rule each breaks. */
const RULES: [Mistake, string][] = [
  ['one-over-n', 'the $1/B$ in $\\delta$ at the output'],
  ['untransposed', 'the transpose in $W_{l+1}^\\top \\delta_{l+1}$'],
  ['one-sample-short', 'the sum over every sample in $\\partial L/\\partial W$'],
  ['tanh-square', "the square in $\\tanh' = 1 - \\tanh^2$"],
  ['l2-sign', 'the sign of the L2 term $+\\lambda_2 w$'],
  ['skip-gate', "the $f'(z_2)$ in layer 2's $\\delta$"],
];

export interface BugRow {
  mistake: Mistake;
  failing: string[];
  /** Over every weight: the largest |(trainer − oracle)/w + 2λ2|, 0 where the difference is exactly −2λ2·w. */
  l2Fit: number;
  /** The output bias's gradient, trainer ÷ oracle. */
  biasRatio: number;
}

export function bugRows(): BugRow[] {
  const data = xor();
  const { hidden, activation, lambda, seed, lr } = BUG_RUN;
  const model = makeModel({ d: 2, hidden, activation, output: 'sigmoid' });
  const objective = { loss: 'bce', l1: 0, l2: lambda } as const;
  const params = initModelParams(model, seed);
  const oracle = lossAndGradsModel(model, params, data, objective).grads;
  const bounds = f64BoundsModel(model, params, data, objective);
  const layout = modelLayout(model);
  const bOut = layout.slots[layout.slots.length - 1]!.offset;
  return RULES.map(([mistake]) => {
    const config = { hidden, activation, lr, loss: 'bce', l2: lambda, seed } as const;
    const g = new MistakenTrainer(data, params, config, mistake).gradients();
    const failing = compareWithBoundsModel(model, g, bounds)
      .tensors.filter((t) => !t.pass)
      .map((t) => t.tensor);
    let l2Fit = 0;
    for (const s of layout.slots.filter((t) => t.name.startsWith('W')))
      for (let k = s.offset; k < s.offset + s.length; k++)
        l2Fit = Math.max(l2Fit, Math.abs((g[k]! - oracle[k]!) / params[k]! + 2 * lambda));
    return { mistake, failing, l2Fit, biasRatio: g[bOut]! / oracle[bOut]! };
  });
}

const list = (names: string[]) => names.map((n) => `$${n[0]}_${n.slice(1)}$`).join(', ');

/** The exercise's answer. */
export function bugAnswer(): string {
  const rows = bugRows();
  const by = (m: Mistake) => rows.find((r) => r.mistake === m)!;
  const L = BUG_RUN.hidden.length;
  const table = [
    '| broken rule | tensors that fail at step 0 | output bias, trainer ÷ exact | largest $\\lvert (\\text{trainer} - \\text{exact})/w + 2\\lambda_2 \\rvert$ over the weights |',
    '| --- | --- | --- | --- |',
    ...RULES.map(([m, rule]) => {
      const r = by(m);
      return `| ${rule} | ${list(r.failing)} | ${num(r.biasRatio)} | $${sci(r.l2Fit)}$ |`;
    }),
  ];
  const l2 = by('l2-sign');
  const short = by('one-sample-short');
  return [
    ...table,
    '',
    `(XOR, hidden layers of ${BUG_RUN.hidden.join(', ')} tanh units, the $\\sigma$ output, BCE, $\\lambda_2 = ${BUG_RUN.lambda}$, seed ${BUG_RUN.seed}, step 0; the CPU trainer with the bug against the exact gradient, computed in double precision, as the panel shows them without WebGPU (its columns \"CPU trainer\" and \"exact (f64)\"). $W_${L + 1}$, $b_${L + 1}$ are the output layer's.)`,
    '',
    `Where the failures start says which rule broke, because each gradient is built from the $\\delta$ of its own layer and every layer below takes its $\\delta$ from the one above. With the $1/B$ dropped, $\\delta$ at the output is wrong, so everything is: every data gradient is $B = 4$ times the exact one (the output bias, which carries no penalty, shows it: its ratio is ${num(by('one-over-n').biasRatio)}). The transpose is read wrong from layer ${L - 1} down: the last hidden layer's $\\delta$ comes through $W_${L + 1}^\\top$, a single row, the same read either way. The skipped $f'$ is layer 2's, so layers 2 and 1 fail; tanh′ without its square is in every hidden layer's $\\delta$, so all ${L} fail and only the output layer passes. The L2 sign and the short sum both break every weight and no bias (the penalty counts weights only; $\\partial L/\\partial b$ keeps every sample), and the last column parts them: only with the L2 sign is the difference exactly $-2\\lambda_2 w$ for every weight (off by at most $${sci(l2.l2Fit)}$, against ${num(short.l2Fit)} with the short sum). The finite-difference column agrees with the exact gradient in every case: it is the true gradient, so the side that disagrees with both is the broken one. On the page: open \`${BUG_LINK}\`, choose the rule, and read the changed line.`,
  ].join('\n');
}

export const BUG_BLOCKS: Record<string, () => string> = { 'exercise-bug': bugAnswer };
