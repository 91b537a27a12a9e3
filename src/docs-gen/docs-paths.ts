/**
 * Blocks of docs/derivation.md and docs/explainer.md that read the spot-check as paths and gates: one gradient as a
 * product along its path, paths adding at a fork (∂L/∂x = W1ᵀ δ1), the counted cost of backprop against central
 * differences, the three gate patterns, saturation and small inputs. Every number is computed from the project's code.
 */
import { lossFromLogits } from '../engine/losses.js';
import { Value } from '../engine/value.js';
import { engineModel } from '../mlp/init.js';
import { makeDataset } from '../mlp/data/data.js';
import { backward, forward } from '../mlp/reference.js';
import { computeSpotCheck, SPOT } from '../mlp/spotcheck.js';
import { paramLayout } from '../mlp/spec.js';
import { computeBatchCheck, SPOT2 } from './docs-batch.js';
import { count, factor, num, num3 } from './docs-tex.js';

const L = paramLayout(SPOT.spec);
const P = SPOT.params;
const W1 = (j: number, k: number) => P[L.W1.offset + j * SPOT.spec.d + k]!;
const W2 = (j: number) => P[L.W2.offset + j]!;

/** ∂L/∂x of the spot-check from the scalar engine: x as leaves of the graph (an independent route to W1ᵀ δ1). */
export function inputGradient(): number[] {
  const xs = SPOT.x.map((v) => new Value(v, 'x'));
  const model = engineModel(SPOT.spec, P);
  lossFromLogits('bce', model.logits(xs), [SPOT.y]).backward();
  return xs.map((v) => v.grad);
}

/** Nodes and edges of the scalar engine's graph of the spot-check's loss: what a forward and a backward pass cost. */
export function graphCost(): { ops: number; leaves: number; edges: number; params: number } {
  const model = engineModel(SPOT.spec, P);
  const loss = lossFromLogits('bce', model.logits([...SPOT.x]), [SPOT.y]);
  const order = loss.topologicalOrder();
  const ops = order.filter((v) => v.op !== '').length;
  const edges = order.reduce((e, v) => e + (v.in0 ? 1 : 0) + (v.in1 ? 1 : 0), 0);
  return { ops, leaves: order.length - ops, edges, params: model.parameters().length };
}

/** The block `path-product`. */
export function pathBlock(): string {
  const s = computeSpotCheck();
  const b = computeBatchCheck();
  const x = SPOT.x;
  const gate = s.z1.map((z) => (z > 0 ? 1 : 0));
  const d2 = s.dz2.bce;
  const viaUnit = (j: number, k: number) => W1(j, k) * gate[j]! * W2(j) * d2;
  const dx = inputGradient();
  const c = graphCost();
  const fdOps = 2 * c.params * c.ops;
  const bp = c.ops + c.edges;
  const batchTerm = (n: number) => SPOT2.x[n]![0]! * b.gate[n]![0]! * W2(0) * b.dz2[n]!;
  return [
    `**One path.** $W_{1,11}$ reaches the loss along one path, $W_{1,11} \\to z_{1,1} \\to a_{1,1} \\to z_2 \\to L$, and its gradient is the product of the local derivatives along it:`,
    '',
    '$$',
    `\\frac{\\partial L}{\\partial W_{1,11}} = \\underbrace{x_1}_{\\partial z_{1,1}/\\partial W_{1,11}} \\cdot \\underbrace{\\mathrm{ReLU}'(z_{1,1})}_{\\partial a_{1,1}/\\partial z_{1,1}} \\cdot \\underbrace{W_{2,1}}_{\\partial z_2/\\partial a_{1,1}} \\cdot \\underbrace{\\delta_2}_{\\partial L/\\partial z_2} = ${num(x[0])} \\cdot ${num(gate[0]!)} \\cdot ${factor(W2(0))} \\cdot ${factor(d2)} = ${num(x[0] * gate[0]! * W2(0) * d2)},`,
    '$$',
    '',
    `the entry of $\\delta_1 x^\\top$ in the table. The same path through unit 2 has the factor $\\mathrm{ReLU}'(z_{1,2}) = ${gate[1]}$, so every parameter behind that gate gets $0$.`,
    '',
    `**Paths add.** The input $x_1$ reaches $z_2$ along two paths, one through each hidden unit, and its gradient is their sum: $\\partial L/\\partial x_1 = ${factor(W1(0, 0))} \\cdot ${gate[0]} \\cdot ${factor(W2(0))} \\cdot ${factor(d2)} + ${factor(W1(1, 0))} \\cdot ${gate[1]} \\cdot ${factor(W2(1))} \\cdot ${factor(d2)} = ${num(viaUnit(0, 0) + viaUnit(1, 0))}$. Summing over every path at once is the matrix product $\\partial L/\\partial x = W_1^\\top \\delta_1 = ${num(viaUnit(0, 0) + viaUnit(1, 0))}, ${num(viaUnit(0, 1) + viaUnit(1, 1))}$, and the operation-by-operation computation, given $x$ as leaves of its graph, reports $${num(dx[0]!)}, ${num(dx[1]!)}$. The batch is the other place paths meet: in the two-sample spot-check $W_{1,11}$ reaches $L$ once through each sample, and $\\partial L/\\partial W_{1,11} = ${num(batchTerm(0))} + ${num(batchTerm(1))} = ${num(b.grads[L.W1.offset]!)}$, the first entry of $\\Delta_1^\\top X$.`,
    '',
    `**What it costs, counted.** Backprop does not enumerate paths: it factors them, multiplying each edge's local derivative once into the gradient flowing back. For the spot-check network the operation-by-operation graph of the loss has ${c.ops} operations on ${c.leaves} leaves and ${c.edges} edges. One forward pass evaluates the ${c.ops} operations (and, beside each, its local derivatives); one backward pass does one multiply-add per edge, ${c.edges} of them. So all ${c.params} gradients cost about ${count(bp)} operations, ${num3(bp / c.ops)} forward passes. Central differences need two forward passes per parameter, $2 \\cdot ${c.params} = ${2 * c.params}$ passes or ${count(fdOps)} operations, ${num3(fdOps / bp)} times as many; with $n$ parameters the ratio grows like $2n/c$, where $c \\approx 2$ to $3$ is the cost of forward plus backward in forward passes.`,
  ].join('\n');
}

/** BCE's and MSE's δ2 at a confidently wrong output: the spot-check network with b2 moved so that z2 = −5, label 1. */
export function saturation(z2 = -5): {
  b2: number;
  yHat: number;
  bce: number;
  mse: number;
  dW1bce: number;
  dW1mse: number;
} {
  const spec = SPOT.spec;
  const params = Float64Array.from(P);
  const s = computeSpotCheck();
  params[L.b2.offset] = z2 - (s.z2 - P[L.b2.offset]!); // z2 = W2 a1 + b2, so b2 = z2 − W2 a1
  const data = makeDataset([[...SPOT.x]], [SPOT.y]);
  const cache = forward(spec, params, data);
  const bce = backward(spec, params, data, cache, 'bce');
  const mse = backward(spec, params, data, cache, 'mse');
  return {
    b2: params[L.b2.offset]!,
    yHat: cache.yHat[0]!,
    bce: bce.dz2[0]!,
    mse: mse.dz2[0]!,
    dW1bce: bce.grads[L.W1.offset]!,
    dW1mse: mse.grads[L.W1.offset]!,
  };
}

/** The block `interpretations`: saturation and small inputs, with numbers. */
export function interpretationsBlock(): string {
  const t = saturation();
  const sp = t.yHat * (1 - t.yHat); // σ′(z2)
  const s = computeSpotCheck();
  const g = s.grads;
  return [
    `- **A saturated output learns slowly under MSE, not under BCE.** Move the spot-check's $b_2$ to $${num(t.b2)}$, so that $z_2 = -5$ and $\\hat y = ${num(t.yHat)}$ while the label is $y = 1$: the network is confidently wrong. BCE sends back $\\delta_2 = \\hat y - y = ${num(t.bce)}$, almost the full error. MSE sends back $\\delta_2 = 2(\\hat y - y)\\,\\sigma'(z_2) = ${num(t.mse)}$, two factors on the same error $\\hat y - y$: MSE's $2$ doubles it, and $\\sigma'(z_2) = \\hat y(1 - \\hat y) = ${num(sp)}$ shrinks it ${num3(1 / sp)} times, so MSE's $\\delta_2$ is $1/(2\\sigma'(z_2)) = ${num3(t.bce / t.mse)}$ times smaller than BCE's. Every gradient nearer the input inherits the shrinking ($\\partial L/\\partial W_{1,11}$ is $${num(t.dW1bce)}$ under BCE and $${num(t.dW1mse)}$ under MSE). This is the usual reason to pair a $\\sigma$ output with BCE; exercise 9 shows why, on XOR's unsaturated start, it matters less than this suggests.`,
    `- **A weight whose input is small learns slowly.** Each weight's gradient is the signal at its output times the value at its input. In the spot-check, $W_{2,1}$ is fed by $a_{1,1} = ${num(s.a1[0]!)}$ and gets $\\partial L/\\partial W_{2,1} = \\delta_2 a_{1,1} = ${num(g[L.W2.offset]!)}$, while $b_2$, whose input is the constant $1$, gets the whole $\\delta_2 = ${num(g[L.b2.offset]!)}$; $W_{1,12}$, fed by $x_2 = ${num(SPOT.x[1])}$, gets twice what $W_{1,11}$, fed by $x_1 = ${num(SPOT.x[0])}$, gets ($${num(g[1]!)}$ against $${num(g[0]!)}$). An input of exactly $0$ gives its weights no gradient from that sample at all.`,
    `- **A closed gate learns nothing.** With ReLU, $\\delta_{1,j} = 0$ wherever $z_{1,j} \\le 0$; a unit closed for every sample is dead: no gradient reaches its weights, its bias or its outgoing weight, so gradient descent never reopens it. An activation with $f' > 0$ everywhere (leaky ReLU, tanh, $\\sigma$) never closes the gate completely, but where it saturates ($|z|$ large for tanh and $\\sigma$) $f'$ is tiny and the unit learns slowly instead.`,
  ].join('\n');
}

/** The block `gate-patterns` of docs/explainer.md: add, multiply and ReLU on the spot-check's numbers. */
export function gatesBlock(): string {
  const s = computeSpotCheck();
  const g = s.grads;
  const d2 = s.dz2.bce;
  return [
    `- **Add distributes.** $z_2 = W_2 a_1 + b_2$ ends in an add, and an add passes the gradient at its output to every input unchanged: $b_2$ gets $\\delta_2 = ${num(d2)}$ as it is, which is the boxed $\\partial L/\\partial b_2 = \\sum_n \\delta_2^{(n)}$ for one sample. The same holds for $b_1$ and $\\delta_1$.`,
    `- **Multiply swaps.** A product $W_{2,1}\\, a_{1,1}$ sends each input the gradient times the *other* input: $W_{2,1}$ gets $\\delta_2 \\cdot a_{1,1} = ${factor(d2)} \\cdot ${num(s.a1[0]!)} = ${num(g[L.W2.offset]!)}$ and $a_{1,1}$ gets $\\delta_2 \\cdot W_{2,1} = ${factor(d2)} \\cdot ${num(W2(0))} = ${num(s.da1[0]!)}$. Over a whole layer that swap is $\\partial L/\\partial W_2 = \\delta_2 a_1^\\top$ and $\\partial L/\\partial a_1 = W_2^\\top \\delta_2$, and the same pattern one layer nearer the input gives $\\partial L/\\partial W_1 = \\delta_1 x^\\top$.`,
    `- **ReLU routes or blocks.** $\\max(z, 0)$ passes the gradient through where $z > 0$ and stops it elsewhere: unit 1 ($z_{1,1} = ${num(s.z1[0]!)}$) passes $${num(s.da1[0]!)}$ on to $\\delta_{1,1}$, unit 2 ($z_{1,2} = ${num(s.z1[1]!)}$) blocks its $${num(s.da1[1]!)}$. That is $\\delta_1 = (W_2^\\top \\delta_2) \\odot \\mathrm{ReLU}'(z_1)$; a smooth activation scales by $f'(z_1)$ instead of choosing between $0$ and $1$.`,
  ].join('\n');
}
