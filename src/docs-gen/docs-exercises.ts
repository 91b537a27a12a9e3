/**
 * The worked answers of docs/exercises.md, one generated block each, every number computed here: the XOR ones with
 * the seeded initialisation the page and the CLI use (so a learner can check them there), the activation ones with the
 * scalar engine's tanh, σ and ReLU.
 */
import { parseDataset } from '../mlp/data/data-file.js';
import { xor, type Dataset } from '../mlp/data/data.js';
import { initParams } from '../mlp/init.js';
import { backward, forward, lossAndGrads, numericGradient, sgdUpdate } from '../mlp/reference.js';
import { computeSpotCheck, SPOT } from '../mlp/spotcheck.js';
import { paramLayout } from '../mlp/spec.js';
import { oneLayerModel } from '../mlp/model.js';
import { samplePulls } from '../mlp/pull.js';
import { learned, sweepCpu, trainOneCpu, type SweepCell } from '../mlp/map.js';
import { accuracy } from '../mlp/accuracy.js';
import { MatrixTrainer } from '../mlp/train/train-matrix.js';
import { activationCase, ACTIVATIONS } from './docs-activations.js';
import { saturation } from './docs-paths.js';
import { col, factor, mat, num, num3, row, sci } from './docs-tex.js';

/**
 * The settings each exercise names; the page's URL and the CLI's flags take the same values. `sample` counts XOR's
 * points from 1, as the page does (its row in the data is sample − 1).
 */
export const EX = {
  predict: { hidden: 2, seed: 3, sample: 2 },
  column: { hidden: 2, seed: 17, csv: '0,1,1\n' },
  dead: { hidden: 2, seed: 1, steps: 2000, lr: 0.5 },
  widths: { seeds: 64, steps: 2000, lr: 0.5 },
  losses: { widths: [2, 4], rates: [0.1, 0.5], seeds: 64, steps: 2000 },
  twice: { hidden: 8, seed: 1 },
} as const;

const cli = (flags: string) => `\`npm run -s train -- --backend cpu ${flags} --json\``;
const xorAt = (H: number, seed: number, data: Dataset = xor()) => {
  const spec = { d: data.d, H };
  const params = initParams(spec, seed);
  const cache = forward(spec, params, data);
  return { spec, params, cache, L: paramLayout(spec), ...backward(spec, params, data, cache, 'bce') };
};
/** An XOR point by its coordinates, the way the page's labels and the exercises name it. */
const xyOf = (n: number) => `(${xor().x[2 * n]}, ${xor().x[2 * n + 1]})`;
const pick = (a: ArrayLike<number>, off: number, len: number) => Array.from(a).slice(off, off + len);

/** Exercise 1: δ1 at one XOR point, at step 0. */
export function predictAnswer(): string {
  const { hidden: H, seed, sample } = EX.predict;
  const n = sample - 1;
  const s = xorAt(H, seed);
  const z1 = pick(s.cache.z1, n * H, H);
  const gate = z1.map((z) => (z > 0 ? 1 : 0));
  const y = xor().y[n]!;
  return [
    `On the page at step 0 (the graph shows each weight and bias; "Touch a weight" reads any one), or with ${cli(`--hidden ${H} --seed ${seed} --steps 0`)}, the initial parameters are (to 6 digits) $W_1 = ${mat(pick(s.params, s.L.W1.offset, 2 * H), 2)}$, $b_1 = ${col(pick(s.params, s.L.b1.offset, H))}$, $W_2 = ${row(pick(s.params, s.L.W2.offset, H))}$, $b_2 = ${num(s.params[s.L.b2.offset]!)}$. At $x = (0, 1)$:`,
    '',
    `- $z_1 = W_1 x + b_1 = ${col(z1)}$, so unit ${gate[0] ? 1 : 2} is on and unit ${gate[0] ? 2 : 1} is off: $\\mathrm{ReLU}'(z_1) = ${col(gate)}$, $a_1 = ${col(pick(s.cache.a1, n * H, H))}$;`,
    `- $z_2 = ${num(s.cache.z2[n]!)}$, $\\hat y = ${num(s.cache.yHat[n]!)}$, and with the label $y = ${y}$ and the batch mean over $N = 4$: $\\delta_2 = (\\hat y - y)/4 = ${num(s.dz2[n]!)}$;`,
    `- $W_2^\\top \\delta_2 = ${col(pick(s.da1, n * H, H))}$, and the gate gives $\\delta_1 = ${col(pick(s.dz1, n * H, H))}$.`,
    '',
    `The page's graph at step 0 shows the same $\\delta_2$, $W_2^\\top \\delta_2$ and $\\delta_1$, with the blocked entry struck through.`,
  ].join('\n');
}

/** Exercise 2: the sums over the batch, from the four points' δ2. */
export function sumAnswer(): string {
  const { hidden: H, seed } = EX.predict;
  const s = xorAt(H, seed);
  const d2 = Array.from(s.dz2);
  return [
    `The four points' signals are $\\delta_2 = ${row(d2)}$ (points 1 to 4). $b_2$ is shared by all four, so $\\partial L/\\partial b_2 = ${d2.map(factor).join(' + ')} = ${num(s.grads[s.L.b2.offset]!)}$.`,
    `For $W_2$ each point adds $\\delta_2^{(n)} a_1^{(n)\\top}$, with $A_1 = ${mat(Array.from(s.cache.a1), H)}$ (one row per point): $\\partial L/\\partial W_2 = \\delta_2^\\top A_1 = ${row(pick(s.grads, s.L.W2.offset, H))}$.`,
    `A point where a unit is off adds nothing to that unit's entries, which is why a sum can be small even when single points send large signals.`,
  ].join('\n');
}

/** For each step 0..steps of full-batch SGD (BCE) on XOR: at how many of the four points each hidden unit is open. */
export function openThroughRun(H: number, seed: number, lr: number, steps: number): number[][] {
  const data = xor();
  const spec = { d: 2, H };
  const theta = Float64Array.from(initParams(spec, seed));
  const counts: number[][] = [];
  for (let t = 0; ; t++) {
    const r = lossAndGrads(spec, theta, data, 'bce');
    counts.push(Array.from({ length: H }, (_, j) => [0, 1, 2, 3].filter((n) => r.cache.z1[n * H + j]! > 0).length));
    if (t === steps) return counts;
    sgdUpdate(theta, r.grads, lr);
  }
}

/** Exercise 3: one SGD step. */
export function stepAnswer(): string {
  const { hidden: H, seed } = EX.predict;
  const s = xorAt(H, seed);
  const lr = EX.dead.lr;
  const theta = Float64Array.from(s.params);
  sgdUpdate(theta, s.grads, lr);
  const b2 = s.L.b2.offset;
  const stuck = [...s.grads.keys()].filter((k) => s.grads[k] === 0);
  // a weight W1[j][k] gets 0 when unit j is open only at points where x_k = 0
  const w1Name = (k: number) => `W_{1,${Math.floor(k / 2) + 1}${(k % 2) + 1}}`;
  const stuckSaid =
    stuck.length === 0
      ? `, and all ${s.grads.length} gradients are non-zero, so every parameter moves`
      : `. In this first step, though, ${stuck.length === 1 ? 'one gradient is' : `${stuck.length} gradients are`} exactly $0$: ` +
        stuck
          .map((k) => {
            if (k >= 2 * H) throw new Error('exercise 3: a zero gradient outside W1 needs its own words');
            const j = Math.floor(k / 2);
            return `$${w1Name(k)}$, unit ${j + 1}'s weight on $x_${(k % 2) + 1}$, an input that is $0$ at every point where unit ${j + 1} is open`;
          })
          .join('; ') +
        `. ${stuck.length === 1 ? 'It stays' : 'They stay'} put for this step only: unlike a dead unit's parameters, ` +
        `${stuck.length === 1 ? 'it' : 'they'} can move once the gate opens at a point where that input is not $0$`;
  const openAt = (j: number) => {
    const at = [0, 1, 2, 3].filter((n) => s.cache.z1[n * H + j]! > 0).map((n) => xyOf(n));
    return at.length === 1
      ? `$x = ${at[0]}$`
      : `${at
          .slice(0, -1)
          .map((p) => `$${p}$`)
          .join(', ')} and $${at.at(-1)}$`;
  };
  const run = openThroughRun(H, seed, lr, EX.dead.steps);
  const fewest = Math.min(...run.flat());
  if (fewest < 1)
    throw new Error('exercise 3: a unit closes at all four points during the run; the answer needs new words');
  const half = Math.floor(EX.dead.steps / 2);
  const late = run.slice(half + 1).filter((open) => open.every((k) => k === 1)).length;
  const steps = EX.dead.steps.toLocaleString('en-US');
  const during =
    `nor at any of the ${steps} steps that follow at rate ${lr}: each unit stays open at one point or more at every step. ` +
    `Later in the run each is open at only one point most of the time (at ${late} of the last ${half.toLocaleString('en-US')} steps both are), ` +
    `while a second point's gate flickers open now and then`;
  return `$b_2 \\leftarrow b_2 - \\eta\\, \\partial L/\\partial b_2 = ${num(s.params[b2]!)} - ${lr} \\cdot ${factor(s.grads[b2]!)} = ${num(theta[b2]!)}$. Every parameter moves against its own gradient, scaled by $\\eta$, so the ones that cannot move are those whose gradient is exactly $0$: the parameters of a unit whose gate is closed at all four points (exercise 5 has one). For this network the answer is none: no unit is closed at all four points at the start (unit 1 is open at ${openAt(0)}, unit 2 at ${openAt(1)}), ${during}${stuckSaid}. On the page, press Step once and read $b_2$ in the graph or under "Touch a weight"; or with ${cli(`--hidden ${H} --seed ${seed} --steps 1`)}, \`final.params.b2\` shows the new value.`;
}

/** Exercise 4: x1 = 0 zeroes a column of ∂L/∂W1. */
export function columnAnswer(): string {
  const { hidden: H, seed, csv } = EX.column;
  const data = parseDataset(csv, 'csv');
  const s = xorAt(H, seed, data);
  return [
    `With one point $x = (0, 1)$, $y = 1$ (the file \`one.csv\` holding the line \`${csv.trim()}\`, uploaded on the page at \`?hidden=${H}&seed=${seed}&test=0\` under More data settings, your own data; or with ${cli(`--hidden ${H} --seed ${seed} --steps 0 --data one.csv`)}): $\\delta_1 = ${col(Array.from(s.dz1))}$ (both units are on) and`,
    '',
    '$$',
    `\\frac{\\partial L}{\\partial W_1} = \\delta_1 x^\\top = ${col(Array.from(s.dz1))} \\begin{bmatrix} 0 & 1 \\end{bmatrix} = ${mat(pick(s.grads, s.L.W1.offset, 2 * H), 2)}.`,
    '$$',
    '',
    `The first column, the weights that multiply $x_1$, is exactly $0$: in $\\partial L/\\partial W_{1,j1} = \\delta_{1,j}\\, x_1$ the input is the multiply gate's other factor. The second column equals $\\partial L/\\partial b_1 = ${col(pick(s.grads, s.L.b1.offset, H))}$ because $x_2 = 1$, the bias's own input. The gradient panel shows all of them: W1[1][1] and W1[2][1] are $0$. In XOR the point $(0, 0)$ contributes nothing to $\\partial L/\\partial W_1$ at all: among the first layer's parameters, only to $b_1$.`,
  ].join('\n');
}

/** Exercise 5: a dead unit at the default seed with H = 2 stays dead. */
export function deadAnswer(): string {
  const { hidden: H, seed, steps, lr } = EX.dead;
  const data = xor();
  const spec = { d: 2, H };
  const s = xorAt(H, seed);
  const theta = Float64Array.from(s.params);
  for (let t = 0; t < steps; t++) sgdUpdate(theta, lossAndGrads(spec, theta, data, 'bce').grads, lr);
  const unit1 = (p: ArrayLike<number>) => [
    p[s.L.W1.offset]!,
    p[s.L.W1.offset + 1]!,
    p[s.L.b1.offset]!,
    p[s.L.W2.offset]!,
  ];
  const moved = Math.max(...unit1(theta).map((v, i) => Math.abs(v - unit1(s.params)[i]!)));
  const z1unit1 = Array.from({ length: 4 }, (_, n) => s.cache.z1[n * H]!);
  const acc = accuracy(forward(spec, theta, data).yHat, data.y);
  return [
    `Unit 1's pre-activation at the four points is $${row(z1unit1)}$: negative everywhere, so $\\mathrm{ReLU}'(z_{1,1}) = 0$ at every point, $\\delta_{1,1} = 0$ at every point, and each of its gradients (row 1 of $\\partial L/\\partial W_1$, $\\partial L/\\partial b_{1,1}$, and $\\partial L/\\partial W_{2,1} = \\sum_n \\delta_2^{(n)} a_{1,1}^{(n)}$ with $a_{1,1} = 0$) is a sum of zeros.`,
    `Nothing that feeds $z_{1,1}$ ever changes, so it stays negative: after ${steps.toLocaleString('en-US')} steps at rate ${lr} its four parameters have moved by ${moved === 0 ? 'exactly $0$' : `$${sci(moved)}$`}, and the network, one unit short, ends at ${Math.round(100 * acc)}% accuracy.`,
    `Check on the page: \`?hidden=${H}&seed=${seed}\` draws the unit hollow; read W1[1][1], W1[1][2], b1[1] and W2[1] under "Touch a weight" at step 0, play past step ${steps.toLocaleString('en-US')}, pause, and read them again. Or with the command line: ${cli(`--hidden ${H} --seed ${seed}`)} gives the same \`W1[0]\`, \`b1[0]\` and \`W2[0][0]\` in \`initial\` and \`final\` (arrays there count from 0). A leaky ReLU would pass $0.01$ of the signal through the closed gate, so the unit's parameters would move, slowly.`,
  ].join('\n');
}

/** Exercise 6: one hidden unit never learns XOR. */
export function widthAnswer(): string {
  const { seeds, steps, lr } = EX.widths;
  const runs = Array.from({ length: seeds }, (_, s) => trainOneCpu(xor(), 1, lr, s, steps, 'bce'));
  const wins = runs.filter((r) => learned(r.loss, r.accuracy)).length;
  const best = Math.max(...runs.map((r) => r.accuracy));
  const at75 = runs.filter((r) => r.accuracy === 0.75).length;
  return [
    `With one unit, $z_2 = W_{2,1}\\,\\mathrm{ReLU}(w^\\top x + b_1) + b_2$ is a monotone function of the single number $w^\\top x + b_1$, so the set where $\\hat y > 1/2$ is one side of a line (or the whole plane, or nothing). XOR's two positive points $(0,1), (1,0)$ and two negative points $(0,0), (1,1)$ have the same midpoint $(1/2, 1/2)$, so no line puts both pairs on opposite sides: at most three of the four points can be right.`,
    `Measured: out of seeds 0 to ${seeds - 1} at rate ${lr} and ${steps.toLocaleString('en-US')} steps, ${wins} learn XOR, the best accuracy is ${Math.round(100 * best)}%, reached by ${at75} seeds. Check on the page: in the map below the explainer (${steps.toLocaleString('en-US')} steps, BCE), set "seeds per cell" to ${seeds} (its starting value depends on the machine) and press "Train the whole map": it shows no seed learning in its row H = 1 at any of its rates, and \`?hidden=1&seed=0\` (then 1, 2, …) trains one seed at rate ${lr}, to at best 75%; or with the command line, \`npm run -s sweep -- --backend cpu --widths 1 --rates ${lr} --seeds ${seeds}\`.`,
  ].join('\n');
}

/** Exercise 7: the spot-check with each hidden activation. */
export function activationAnswer(): string {
  const lines = ["| $f$ | $f'(z_1)$ | $a_1$ | $\\delta_2$ | $\\delta_1$ |", '| --- | --- | --- | --- | --- |'];
  for (const f of ACTIVATIONS) {
    const c = activationCase(f);
    lines.push(`| ${f.label} | $${col(c.fPrime)}$ | $${col(c.a1)}$ | $${num(c.dz2)}$ | $${col(c.dz1)}$ |`);
  }
  const tanh = activationCase(ACTIVATIONS.find((f) => f.name === 'tanh')!);
  lines.push(
    '',
    `With $z_1 = ${col(computeSpotCheck().z1)}$ fixed, only ReLU closes unit 2's gate completely. Leaky ReLU lets $0.01$ through; tanh lets $f'(${num(computeSpotCheck().z1[1]!)}) = ${num(tanh.fPrime[1]!)}$ through, so unit 2 still learns, ${num3(1 / tanh.fPrime[1]!)} times more slowly than a unit at $z = 0$, where $\\tanh' = 1$; $\\sigma$ never passes more than $1/4$, even at $z = 0$, which is one reason it is a poor hidden activation. $\\delta_2$ changes too, because $a_1$ and so $z_2$ change. These numbers come from the project's code, with the spot-check's parameters.`,
    '',
    trainedWithEach(),
  );
  return lines.join('\n');
}

let deadRuns: ReturnType<typeof trainDeadUnit> | undefined;

/** Exercise 5's network trained with each hidden activation: loss, accuracy, and at how many points unit 1 is open. */
export function deadUnitRuns() {
  deadRuns ??= trainDeadUnit();
  return deadRuns;
}

function trainDeadUnit() {
  const { hidden: H, seed, steps, lr } = EX.dead;
  const data = xor();
  return ACTIVATIONS.map((f) => {
    const t = new MatrixTrainer(data, initParams({ d: 2, H }, seed), {
      hidden: H,
      lr,
      loss: 'bce',
      activation: f.name,
    });
    t.step(steps);
    const cache = forward(t.net, t.params, data);
    // unit 1's z1 > 0
    const open = Array.from({ length: data.N }, (_, n) => cache.z1[n * H]!).filter((z) => z > 0).length;
    return { f, loss: t.loss(), acc: accuracy(cache.yHat, data.y), open };
  });
}

/** Steps of the long leaky-ReLU run on exercise 5's network: long enough to learn XOR through the leak. */
export const LEAKY_LONG_STEPS = 50_000;
let leakyLong: { z11: number[]; acc: number; loss: number } | undefined;

/** Exercise 5's network under leaky ReLU, trained LEAKY_LONG_STEPS steps: unit 1's z at the four points, accuracy. */
export function leakyLongRun(): { z11: number[]; acc: number; loss: number } {
  if (leakyLong) return leakyLong;
  const { hidden: H, seed, lr } = EX.dead;
  const data = xor();
  const t = new MatrixTrainer(data, initParams({ d: 2, H }, seed), { hidden: H, lr, loss: 'bce', activation: 'leaky' });
  t.step(LEAKY_LONG_STEPS);
  const cache = forward(t.net, t.params, data);
  const z11 = Array.from({ length: data.N }, (_, n) => cache.z1[n * H]!);
  leakyLong = { z11, acc: accuracy(cache.yHat, data.y), loss: t.loss() };
  return leakyLong;
}

/** The long leaky run in words: it learns, and whether unit 1 ever opened by its end. */
export function leakyLongSaid(): string {
  const r = leakyLongRun();
  const open = r.z11.filter((z) => z > 0).length;
  const steps = LEAKY_LONG_STEPS.toLocaleString('en-US');
  return (
    `Given ${steps} steps, leaky ReLU ${r.acc === 1 ? 'does learn XOR' : 'still does not learn XOR'} ` +
    `(${Math.round(100 * r.acc)}% accuracy, loss ${num3(r.loss)}), ` +
    (open === 0
      ? `but not by opening unit 1: its $z_{1,1}$ at the four points is then $${row(r.z11.map((z) => Number(z.toPrecision(3))))}$, ` +
        `${r.z11.every((z) => z < 0) ? 'below' : 'at or below'} $0$ at every one. The network learns through the $0.01$ slope of the closed unit, not by reopening it`
      : `and unit 1 is open at ${open} of 4 points by then`)
  );
}

/** Exercise 7, on XOR: exercise 5's network (unit 1 dead from the start under ReLU) trained with each activation. */
function trainedWithEach(): string {
  const { hidden: H, seed, steps, lr } = EX.dead;
  const data = xor();
  const runs = deadUnitRuns();
  const said = runs.map(
    ({ f, loss, acc, open }) =>
      `${f.label} ends at loss ${num3(loss)} with ${Math.round(100 * acc)}% accuracy, $z_{1,1} > 0$ at ${open} of ${data.N} points`,
  );
  return `On XOR, exercise 5's network (H = ${H}, seed ${seed}, rate ${lr}, ${steps.toLocaleString('en-US')} steps), whose unit 1 starts negative at all ${data.N} points: ${said.join('; ')}. Under leaky ReLU the unit's gradients are $1/100$ of what an open unit would get, so it moves about a hundred times more slowly. ${leakyLongSaid()}. Tanh and $\\sigma$ pass far more. Check each on the page with \`?hidden=${H}&seed=${seed}&activation=tanh\` (or \`leaky\`, \`sigmoid\`, \`relu\`), playing to step ${steps.toLocaleString('en-US')}; or with the command line, ${cli(`--hidden ${H} --seed ${seed} --activation tanh`)}.`;
}

/** Exercise 8's setting: the spot-check with b1,2 = 2, which puts z1,2 exactly on ReLU's kink. */
export function kinkSetting() {
  const spec = SPOT.spec;
  const L = paramLayout(spec);
  const params = Float64Array.from(SPOT.params);
  params[L.b1.offset + 1] = 2; // z1,2 = −0.5·1 − 0.75·2 + 2 = 0 exactly
  const data = parseDataset(`${SPOT.x.join(',')},${SPOT.y}\n`, 'csv');
  return { spec, L, params, data, k: L.b1.offset + 1 };
}

/**
 * L's one-sided slopes in b1,2 at the kink, by one-sided differences of the loss (no derivative rule): a convex kink
 * has left ≤ right. With h = 1e-7 both the truncation (σ's curvature times h) and the rounding (1e-16 / h) stay
 * below 1e-7, well under the 6 digits quoted.
 */
export function kinkSlopes(h = 1e-7): { left: number; right: number } {
  const { spec, params, data, k } = kinkSetting();
  const at = (b: number) => {
    const p = Float64Array.from(params);
    p[k] = b;
    return lossAndGrads(spec, p, data, 'bce').loss;
  };
  const b = params[k]!;
  return { left: (at(b) - at(b - h)) / h, right: (at(b + h) - at(b)) / h };
}

/** Exercise 8: what ReLU′(0) = 1 would change, on the spot-check with b1,2 moved to sit on the kink. */
export function kinkAnswer(): string {
  const { spec, params, data, k } = kinkSetting();
  const cache = forward(spec, params, data);
  const b = backward(spec, params, data, cache, 'bce');
  const fd = numericGradient(spec, params, data, 'bce', { indices: [k] })[k]!;
  const { left, right } = kinkSlopes();
  return [
    `Move $b_{1,2}$ of the spot-check to $2$: then $z_{1,2} = -0.5 - 1.5 + 2 = ${num(cache.z1[1]!)}$ exactly, on the kink. The forward pass does not care ($a_{1,2} = 0$ either way, $z_2 = ${num(cache.z2[0]!)}$, $\\delta_2 = ${num(b.dz2[0]!)}$).`,
    `With the project's $\\mathrm{ReLU}'(0) = 0$, $\\delta_{1,2} = ${num(b.dz1[1]!)}$ and $\\partial L/\\partial b_{1,2} = ${num(b.grads[k]!)}$. With $\\mathrm{ReLU}'(0) = 1$ it would be $W_{2,2}\\,\\delta_2 = ${num(b.da1[1]!)}$, and row 2 of $\\partial L/\\partial W_1$ would be $${num(b.da1[1]!)}\\, x^\\top$. Here both are subgradients of $L$ as a function of $b_{1,2}$ alone, but only because this kink is convex: $L$'s slope in $b_{1,2}$ is $${num(left)}$ just below $2$ and $${num(right)}$ just above, so it jumps up, and every value between the two one-sided slopes is a subgradient. That is luck, not a rule: as the derivation's sanity checks warn, what backprop returns at a kink need not be a subgradient of $L$ when the kink is not convex. Neither value is "the" derivative, and central differences, which straddle the kink, measure the average of the two one-sided slopes: $${num(fd)}$.`,
    `So the choice matters exactly when some $z_{1,j}$ is exactly $0$, and then it decides whether the unit learns from that point. It must be the same in every implementation in the project, or the implementations disagree on exactly those points. In the demo, $z_1 = b_1$ at the point $(0, 0)$, so it would matter if a bias were exactly $0$; the seeded initialisation never draws one.`,
  ].join('\n');
}

let lossCells: { bce: SweepCell[]; mse: SweepCell[] } | undefined;

/** Exercise 9's two sweeps (a few seconds of training), computed once per process. */
export function lossSweeps(): { bce: SweepCell[]; mse: SweepCell[] } {
  const { widths, rates, seeds, steps } = EX.losses;
  const run = (loss: 'bce' | 'mse') =>
    sweepCpu(xor(), { widths: [...widths], rates: [...rates], seeds, seedBase: 0, steps, loss });
  lossCells ??= { bce: run('bce'), mse: run('mse') };
  return lossCells;
}

/** Exercise 9: BCE against MSE on the map's test. */
export function lossAnswer(): string {
  const { widths, seeds, steps } = EX.losses;
  const { bce, mse } = lossSweeps();
  const maxZ2 = Math.max(
    ...Array.from({ length: seeds }, (_, s) =>
      Math.max(
        ...Array.from(forward({ d: 2, H: widths[0] }, initParams({ d: 2, H: widths[0] }, s), xor()).z2, Math.abs),
      ),
    ),
  );
  const p = 1 / (1 + Math.exp(maxZ2));
  const sat = saturation();
  return [
    '| H | rate | BCE learns | MSE learns |',
    '| --- | --- | --- | --- |',
    ...bce.map((c, i) => `| ${c.hidden} | ${c.lr} | ${c.learned} of ${seeds} | ${mse[i]!.learned} of ${seeds} |`),
    '',
    `(seeds 0 to ${seeds - 1}, ${steps.toLocaleString('en-US')} steps.) MSE does as well as BCE or better here, for two reasons. XOR's start is not saturated: at H = ${widths[0]} no seed starts with $|z_2| > ${num3(maxZ2)}$ at any point, where $\\sigma'(z_2) \\ge ${num3(p * (1 - p))}$; MSE's $\\delta_2 = 2(\\hat y - y)\\,\\sigma'(z_2)$ is BCE's $\\hat y - y$ times $2\\sigma'(z_2)$, which lies between $${num3(2 * p * (1 - p))}$ and $0.5$, so MSE's signals are at most ${num3(1 / (2 * p * (1 - p)))} times smaller than BCE's at the start, far from the derivation's saturated $z_2 = -5$, where BCE's $\\delta_2$ is ${num3(sat.bce / sat.mse)} times MSE's. And the test's bar is not the same height for both: a mean BCE of 0.01 means $\\hat y$ is typically within 0.01 of its label ($-\\log 0.99 \\approx 0.01$), a mean MSE of 0.01 only within 0.1 ($0.1^2 = 0.01$). The saturation argument is about a network that is confidently wrong, like that one; a test that compares losses must use one yardstick (accuracy alone, or the same threshold on $|\\hat y - y|$). Check on the page: the map trains BCE with these steps, and with these seeds once its "seeds per cell" menu is set to ${seeds} (its cells at H = ${widths.join(' and ')} and rate ${EX.losses.rates[0]} are this table's BCE column); for MSE, train a few seeds by hand with \`?hidden=2&lr=0.1&loss=mse&seed=0\` (then seeds 1, 2, …) and compare with the same seeds under BCE. The full count is one command: \`npm run -s sweep -- --backend cpu --widths ${widths.join(',')} --rates ${EX.losses.rates.join(',')} --seeds ${seeds} --loss mse\`, and again with \`--loss bce\`.`,
  ].join('\n');
}

/** Exercise 10: each point twice leaves the gradient unchanged (the mean's 1/N). */
export function twiceAnswer(): string {
  const { hidden: H, seed } = EX.twice;
  const csv = '0,0,0\n0,1,1\n1,0,1\n1,1,0\n';
  const once = xorAt(H, seed, parseDataset(csv, 'csv'));
  const twice = xorAt(H, seed, parseDataset(csv + csv, 'csv'));
  const diff = Math.max(...Array.from(once.grads, (g, i) => Math.abs(g - twice.grads[i]!)));
  return `Nothing changes, up to rounding: each $\\delta_2^{(n)}$ halves (the $1/N$ with $N = 8$ instead of $4$) and each point now appears twice in every sum, so the two effects cancel. At H = ${H}, seed ${seed} the largest difference over all ${once.grads.length} gradients is $${sci(diff)}$, and $\\partial L/\\partial b_2$ is $${num(once.grads[once.L.b2.offset]!)}$ both times. With a summed loss instead of a mean every gradient would double, and so would the effective learning rate. Check on the page: write XOR twice into \`xor8.csv\` (eight lines \`x1,x2,y\`), open \`?hidden=${H}&seed=${seed}&test=0\` (so no point is held out), note the gradient panel's numbers, upload the file under More data settings, your own data, and compare. Or with the command line: compare \`initial.grads\` of ${cli(`--hidden ${H} --seed ${seed} --steps 0 --data xor8.csv`)} with the run without \`--data\`.`;
}

/** The last exercise: each sample's pull on W2[j], the weight from a hidden unit open at some points, shut at others. */
export const PULL_EXERCISE = { hidden: 2, seed: 3 } as const;

/** The unit (from 0) of PULL_EXERCISE's network whose gate is open at some XOR points and closed at others. */
export function pullUnit(): number {
  const { hidden: H, seed } = PULL_EXERCISE;
  const s = xorAt(H, seed);
  const open = (j: number) => Array.from({ length: 4 }, (_, n) => s.cache.z1[n * H + j]! > 0);
  const j = Array.from({ length: H }, (_, j) => j).find((j) => new Set(open(j)).size === 2);
  if (j === undefined) throw new Error(`exercise pull: no unit of H = ${H}, seed ${seed} is open at some points only`);
  return j;
}

/** The last exercise's answer: the shares (1/N)·∂ℓ_n/∂W2[j], their sum, and where the map is white. */
export function pullAnswer(): string {
  const { hidden: H, seed } = PULL_EXERCISE;
  const data = xor();
  const s = xorAt(H, seed);
  const j = pullUnit();
  const k = s.L.W2.offset + j;
  const { share } = samplePulls(oneLayerModel(s.spec), s.params, data, 'bce', k);
  const at = (n: number) => `(${data.x[2 * n]}, ${data.x[2 * n + 1]})`;
  const points = [0, 1, 2, 3];
  const on = points.filter((n) => s.cache.z1[n * H + j]! > 0);
  const off = points.filter((n) => s.cache.z1[n * H + j]! <= 0);
  const list = (ns: number[]) => ns.map(at).join(', ');
  const sum = Array.from(share).reduce((a, v) => a + v, 0);
  const w = pick(s.params, s.L.W1.offset + 2 * j, 2);
  const b = s.params[s.L.b1.offset + j]!;
  const name = `W2[${j + 1}]`;
  const plus = (v: number) => (v < 0 ? `- ${num(-v)}` : `+ ${num(v)}`);
  return [
    `$\\partial \\ell_n/\\partial W_{2,${j + 1}} = N \\delta_2^{(n)} a_{1,${j + 1}}^{(n)} = (\\hat y_n - y_n)\\, a_{1,${j + 1}}^{(n)}$, so a point where unit ${j + 1} is off ($a_{1,${j + 1}} = 0$) does not pull on \`${name}\` at all. At step 0 the unit's gate is open at ${list(on)} and closed at ${list(off)}.`,
    `The shares $(1/N)\\,\\partial \\ell_n/\\partial W_{2,${j + 1}}$ at $(0, 0), (0, 1), (1, 0), (1, 1)$ are $${row(points.map((n) => share[n]!))}$; their sum, $${num(sum)}$, is the gradient panel's \`${name}\`: $\\partial L/\\partial W_{2,${j + 1}} = ${num(s.grads[k]!)}$ (no penalty here, so nothing is added).`,
    `The map is white wherever the unit is off: the half-plane $${num(w[0]!)}\\, x_1 ${plus(w[1]!)}\\, x_2 ${plus(b)} \\le 0$, the white part of unit h${j + 1}'s picture among the hidden units. Where it is on, the sign is that of $\\hat y - y$ with $y$ the nearest XOR point's label: with BCE and $0 < \\hat y < 1$ that is positive (teal) for label 0 and negative (brown) for label 1, so the colour flips across the lines $x_1 = 0.5$ and $x_2 = 0.5$, where the nearest point changes, not where $\\hat y$ crosses 0.5. Check on the page: \`?hidden=${H}&seed=${seed}\`, choose \`${name}\` in "Each sample's pull", and compare its list with the panel's row.`,
  ].join('\n');
}

/** Every exercise answer, by its block name. */
export const EXERCISE_BLOCKS: Record<string, () => string> = {
  'exercise-predict': predictAnswer,
  'exercise-sum': sumAnswer,
  'exercise-step': stepAnswer,
  'exercise-column': columnAnswer,
  'exercise-dead': deadAnswer,
  'exercise-width': widthAnswer,
  'exercise-activation': activationAnswer,
  'exercise-kink': kinkAnswer,
  'exercise-loss': lossAnswer,
  'exercise-twice': twiceAnswer,
  'exercise-pull': pullAnswer,
};
