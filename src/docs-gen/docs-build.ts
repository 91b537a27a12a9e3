/**
 * The answers of the exercises on the page's deeper networks and on writing the backward pass yourself
 * (docs/exercises.md, "Deeper, and built by hand"), every number from the general matrix form at the page's seeded
 * start, so a learner can read the same numbers off the page.
 */
import { xor } from '../mlp/data/data.js';
import { initModelParams } from '../mlp/init.js';
import { formatHidden, makeModel, modelLayout } from '../mlp/model.js';
import { lossAndGradsModel } from '../mlp/reference.js';
import { col, mat, num, row } from './docs-tex.js';

/** The settings each of these exercises names; the page's link takes the same values. */
export const EX_DEEP = { hidden: [3, 2], seed: 5, at: [1, 0] } as const;
export const EX_BUILD = { hidden: [3, 2], seed: 5 } as const;

const url = (hidden: readonly number[], seed: number) => `\`?hidden=${formatHidden(hidden)}&seed=${seed}\``;
const cli = (hidden: readonly number[], seed: number) =>
  `\`npm run -s train -- --backend cpu --hidden ${formatHidden(hidden)} --seed ${seed} --steps 0 --json\``;

/** The page's run at step 0: XOR, the seed's parameters, ReLU, σ output, BCE. */
function atStart(hidden: readonly number[], seed: number) {
  const model = makeModel({ d: 2, hidden, activation: 'relu', output: 'sigmoid' });
  const params = initModelParams(model, seed);
  const r = lossAndGradsModel(model, params, xor(), { loss: 'bce', l1: 0, l2: 0 });
  return { model, params, r, layout: modelLayout(model) };
}

/** The point of XOR at the given coordinates: its row. */
function rowOf(at: readonly number[]): number {
  const data = xor();
  const n = Array.from({ length: data.N }, (_, i) => i).find(
    (i) => data.x[2 * i] === at[0] && data.x[2 * i + 1] === at[1],
  );
  if (n === undefined) throw new RangeError(`XOR has no point (${at.join(', ')})`);
  return n;
}

/** Exercise "deeper": the four equations at one point of a network with two hidden layers, at step 0. */
export function deeperAnswer(): string {
  const { hidden, seed, at } = EX_DEEP;
  const { params, r, layout } = atStart(hidden, seed);
  const n = rowOf(at);
  const y = xor().y[n]!;
  const [H1, H2] = hidden;
  const slice = (a: ArrayLike<number>, off: number, len: number) => Array.from(a).slice(off, off + len);
  const [L1, L2, L3] = layout.layers as [
    (typeof layout.layers)[0],
    (typeof layout.layers)[0],
    (typeof layout.layers)[0],
  ];
  const z1 = slice(r.cache.z[0]!, n * H1, H1);
  const z2 = slice(r.cache.z[1]!, n * H2, H2);
  const a1 = slice(r.cache.a[0]!, n * H1, H1);
  const a2 = slice(r.cache.a[1]!, n * H2, H2);
  const d3 = r.delta[2]![n]!;
  const d2 = slice(r.delta[1]!, n * H2, H2);
  const d1 = slice(r.delta[0]!, n * H1, H1);
  const gates = (z: number[]) => z.map((v) => (v > 0 ? 1 : 0));
  const closed = (z: number[]) => {
    const shut = z.map((v, j) => (v > 0 ? 0 : j + 1)).filter((j) => j > 0);
    if (shut.length === 0) return 'every unit open';
    if (shut.length === z.length) return 'every unit closed';
    return shut.length === 1
      ? `unit ${shut[0]} closed`
      : `units ${shut.slice(0, -1).join(', ')} and ${shut.at(-1)} closed`;
  };
  return [
    `At step 0 of ${url(hidden, seed)} the parameters are (to 6 digits) $W_1 = ${mat(slice(params, L1.W.offset, L1.W.length), 2)}$, $b_1 = ${col(slice(params, L1.b.offset, H1))}$, $W_2 = ${mat(slice(params, L2.W.offset, L2.W.length), H1)}$, $b_2 = ${col(slice(params, L2.b.offset, H2))}$, $W_3 = ${row(slice(params, L3.W.offset, H2))}$, $b_3 = ${num(params[L3.b.offset]!)}$. At $x = (${at.join(', ')})$, label $y = ${y}$:`,
    '',
    `- Forward: $z_1 = ${col(z1)}$ (${closed(z1)}), $a_1 = ${col(a1)}$; $z_2 = ${col(z2)}$ (${closed(z2)}), $a_2 = ${col(a2)}$; $z_3 = ${num(r.cache.z[2]![n]!)}$, $\\hat y = ${num(r.cache.yHat[n]!)}$.`,
    `- BP1, with the mean over the 4 points: $\\delta_3 = (\\hat y - y)/4 = ${num(d3)}$.`,
    `- BP2 into layer 2: $W_3^\\top \\delta_3 = ${col(slice(r.da[1]!, n * H2, H2))}$, times $\\mathrm{ReLU}'(z_2) = ${col(gates(z2))}$: $\\delta_2 = ${col(d2)}$.`,
    `- BP2 into layer 1: $W_2^\\top \\delta_2 = ${col(slice(r.da[0]!, n * H1, H1))}$, times $\\mathrm{ReLU}'(z_1) = ${col(gates(z1))}$: $\\delta_1 = ${col(d1)}$.`,
    `- BP4, this point's share: $\\delta_3 a_2^\\top = ${row(a2.map((v) => d3 * v))}$ of $\\partial L/\\partial W_3$, and $\\delta_1 x^\\top = ${mat(
      d1.flatMap((d) => at.map((v) => d * v)),
      2,
    )}$ of $\\partial L/\\partial W_1$. Summed over the four points (the gradient panel's numbers), $\\partial L/\\partial W_3 = ${row(Array.from(r.grads).slice(L3.W.offset, L3.W.offset + H2))}$.`,
    '',
    `${gateWords(z1, z2)} The graph shows each of these at the point $x = (${at.join(', ')})$, layer by layer. Or with the command line: ${cli(hidden, seed)}.`,
  ].join('\n');
}

/** What the closed gates of a two-hidden-layer network do at one point, in words that follow the numbers. */
function gateWords(z1: number[], z2: number[]): string {
  const shut = (z: number[]) => z.map((v, j) => (v > 0 ? 0 : j + 1)).filter((j) => j > 0);
  const [s1, s2] = [shut(z1), shut(z2)];
  const said: string[] = [];
  if (s2.length === 1 && z2.length === 2) {
    const open = s2[0] === 1 ? 2 : 1;
    said.push(
      `Layer 2's unit ${s2[0]} is closed, so its $\\delta_{2,${s2[0]}}$ is $0$ and BP2 carries only $\\delta_{2,${open}}$ back: $W_2^\\top \\delta_2$ is $\\delta_{2,${open}}$ times row ${open} of $W_2$, and every unit of layer 1 hears the loss through that one unit.`,
    );
  }
  if (s1.length > 0)
    said.push(
      `Layer 1's ${s1.length === 1 ? `unit ${s1[0]} is` : `units ${s1.join(' and ')} are`} closed, so ${s1.length === 1 ? 'its' : 'their'} $\\delta_1$ is $0$ whatever arrives, and so ${s1.length === 1 ? 'is its row' : 'are their rows'} of this point's share of $\\partial L/\\partial W_1$.`,
    );
  return said.join(' ');
}

/** Exercise "build": the numbers a learner's backward pass must reproduce at the page's start. */
export function buildAnswer(): string {
  const { hidden, seed } = EX_BUILD;
  const { r, layout } = atStart(hidden, seed);
  const g = Array.from(r.grads);
  const out = layout.layers.at(-1)!;
  const first = layout.layers[0]!;
  const exactZeros = r.cache.z.reduce((k, z) => k + Array.from(z).filter((v) => v === 0).length, 0);
  return `At step 0 of ${url(hidden, seed)} (XOR, ReLU, BCE, no penalty) a correct solution prints a largest difference from the page of about $10^{-17}$ (the page's numbers are computed in double precision from the same parameters, so only the order of the additions differs); among its numbers, \`grads.b3\` is \`[${num(g[out.b.offset]!)}]\`, \`grads.W3\` is \`[[${g
    .slice(out.W.offset, out.W.offset + out.W.length)
    .map(num)
    .join(', ')}]]\` and \`grads.W1[0]\` is \`[${g
    .slice(first.W.offset, first.W.offset + first.nin)
    .map(num)
    .join(
      ', ',
    )}]\`. A wrong factor shows at once: without the $1/N$ every gradient is 4 times too large; with \`W[j][k]\` read as \`W[k][j]\` in BP2 the code asks for rows that do not exist (here $W_3$ has one row and $W_2$ two, while their rows are 2 and 3 long) and stops at once with \`TypeError: Cannot read properties of undefined\`${exactZeros === 0 ? ", and $\\mathrm{ReLU}'(0) = 1$ would change nothing here, as no $z$ is exactly $0$ at this start" : ''}.`;
}
