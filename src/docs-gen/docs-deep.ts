/**
 * The derivation's three-layer check (two hidden layers): the four equations applied by hand to one sample, every
 * number computed by the general matrix form (forwardModel, backwardModel) and compared with central differences.
 */
import { makeDataset } from '../mlp/data/data.js';
import { makeModel, modelLayout } from '../mlp/model.js';
import { backwardModel, forwardModel, numericGradientModel } from '../mlp/reference.js';
import { col, mat, num, row, sci } from './docs-tex.js';

/** d = 2, two hidden layers of 2 ReLU units, σ output, BCE; layer 2's unit 2 is off, layer 1's units both on. */
export const DEEP_SPOT = {
  model: makeModel({ d: 2, hidden: [2, 2], activation: 'relu', output: 'sigmoid' }),
  x: [1, 2],
  y: 1,
  // flat layout [W1 (2×2) | b1 (2) | W2 (2×2) | b2 (2) | W3 (1×2) | b3 (1)]
  params: [0.5, -0.25, -0.5, -0.75, 0.1, 2.2, 1, 2, -1, -0.5, 0.1, 0.05, 1.5, -1, 0.2],
} as const;

/** Every quantity of the check, per layer l = 1, 2, 3 (index l − 1). */
export function deepCheck() {
  const { model, x, y, params } = DEEP_SPOT;
  const data = makeDataset([[...x]], [y]);
  const cache = forwardModel(model, params, data);
  const back = backwardModel(model, params, data, cache, { loss: 'bce' });
  const fd = numericGradientModel(model, params, data, { loss: 'bce' });
  const layout = modelLayout(model);
  const slot = (s: { offset: number; length: number }) => params.slice(s.offset, s.offset + s.length);
  const grad = (s: { offset: number; length: number }) => Array.from(back.grads.slice(s.offset, s.offset + s.length));
  return {
    layers: layout.layers.map((ly) => ({ W: slot(ly.W), b: slot(ly.b), dW: grad(ly.W), db: grad(ly.b), nin: ly.nin })),
    z: cache.z.map((v) => Array.from(v)),
    a: cache.a.map((v) => Array.from(v)),
    yHat: cache.yHat[0]!,
    delta: back.delta.map((v) => Array.from(v)),
    da: back.da.map((v) => Array.from(v)),
    grads: Array.from(back.grads),
    maxFdError: Math.max(...Array.from(back.grads, (g, k) => Math.abs(g - fd[k]!))),
  };
}

/** The block `deep-check`. */
export function deepCheckBlock(): string {
  const c = deepCheck();
  const [l1, l2, l3] = c.layers as [(typeof c.layers)[0], (typeof c.layers)[0], (typeof c.layers)[0]];
  const gate = (z: number[]) => z.map((v) => (v > 0 ? 1 : 0));
  const off = (z: number[]) => {
    const shut = z.map((v, j) => (v > 0 ? -1 : j + 1)).filter((j) => j > 0);
    return shut.length === 0 ? 'both units on' : `unit ${shut.join(' and ')} off`;
  };
  return [
    `Two hidden layers of two ReLU units ($K = 2$, $d = H_1 = H_2 = 2$), the $\\sigma$ output and BCE, on one sample $x = (${DEEP_SPOT.x.join(', ')})$ with label $y = ${DEEP_SPOT.y}$. The parameters: $W_1 = ${mat(l1.W, 2)}$, $b_1 = ${col(l1.b)}$, $W_2 = ${mat(l2.W, 2)}$, $b_2 = ${col(l2.b)}$, $W_3 = ${row(l3.W)}$, $b_3 = ${num(l3.b[0]!)}$.`,
    '',
    `- Forward: $z_1 = W_1 x + b_1 = ${col(c.z[0]!)}$ (${off(c.z[0]!)}), $a_1 = ${col(c.a[0]!)}$; $z_2 = W_2 a_1 + b_2 = ${col(c.z[1]!)}$ (${off(c.z[1]!)}), $a_2 = ${col(c.a[1]!)}$; $z_3 = W_3 a_2 + b_3 = ${num(c.z[2]![0]!)}$, $\\hat y = \\sigma(z_3) = ${num(c.yHat)}$.`,
    `- (BP1) $\\delta_3 = \\hat y - y = ${num(c.delta[2]![0]!)}$.`,
    `- (BP3, BP4) at layer 3: $\\partial L/\\partial b_3 = \\delta_3$, $\\partial L/\\partial W_3 = \\delta_3 a_2^\\top = ${row(l3.dW)}$.`,
    `- (BP2) into layer 2: $W_3^\\top \\delta_3 = ${col(c.da[1]!)}$, $\\delta_2 = (W_3^\\top \\delta_3) \\odot \\mathrm{ReLU}'(z_2) = ${col(c.da[1]!)} \\odot ${col(gate(c.z[1]!))} = ${col(c.delta[1]!)}$.`,
    `- (BP3, BP4) at layer 2: $\\partial L/\\partial b_2 = \\delta_2 = ${col(l2.db)}$, $\\partial L/\\partial W_2 = \\delta_2 a_1^\\top = ${mat(l2.dW, 2)}$: the row of the unit that is off is zero.`,
    `- (BP2) into layer 1: $W_2^\\top \\delta_2 = ${col(c.da[0]!)}$, $\\delta_1 = (W_2^\\top \\delta_2) \\odot \\mathrm{ReLU}'(z_1) = ${col(c.delta[0]!)}$. Layer 2's closed unit sends nothing back, so $\\delta_1$ is $\\delta_{2,1}$ times the first row of $W_2$.`,
    `- (BP3, BP4) at layer 1: $\\partial L/\\partial b_1 = \\delta_1 = ${col(l1.db)}$, $\\partial L/\\partial W_1 = \\delta_1 x^\\top = ${mat(l1.dW, 2)}$.`,
    `- Check: central differences agree with every one of these ${c.grads.length} gradients to within $${sci(c.maxFdError)}$.`,
  ].join('\n');
}
