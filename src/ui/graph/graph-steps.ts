/**
 * The walk through the graph, forward then backward: one stage per node, the
 * numbers it reveals, and one sentence saying which rule produced them (on the
 * way back: the local Jacobian times the gradient arriving). Pure: no DOM.
 */
import { ACTIVATION_TEXT, fmt, fmtList, type GraphState } from './graph-model.js';

export interface WalkStep {
  /** Stage id: numbers and nodes carrying it in data-reveal / data-walk belong to it. */
  id: string;
  direction: 'forward' | 'backward';
  sentence: string;
}

/** The stages in order for this loss; ids not listed for a loss (MSE's ŷ stages under BCE) are skipped. */
export function walkSteps(s: GraphState): WalkStep[] {
  const v = s.values;
  const g = s.input;
  const bce = g.loss === 'bce';
  const N = g.N;
  const closed = v.gate.filter((k) => k === 0).length;
  const f = (d: 'forward' | 'backward', id: string, sentence: string): WalkStep => ({ id, direction: d, sentence });
  const steps: WalkStep[] = [
    f(
      'forward',
      'leaves',
      `The leaves hold given values: the sample x = (${fmtList(v.x)}) with label y = ${fmt(g.y)}, and the parameters W1, b1, W2, b2.`,
    ),
    f(
      'forward',
      'z1',
      `z1 = W1 x + b1: each hidden unit j takes the dot product of its row of W1 with x and adds b1_j (unit 1: ${fmt(v.z1[0]!)}).`,
    ),
    f('forward', 'a1', forwardGate(s, closed)),
    f('forward', 'z2', `z2 = W2 a1 + b2 = ${fmt(g.z2)}: the weighted sum of the hidden units plus the bias.`),
    bce
      ? f(
          'forward',
          'out',
          `The fused node computes ŷ = σ(z2) = ${fmt(g.yHat)} and ℓ = BCE(ŷ, y) = softplus(z2) − y·z2 = ${fmt(g.sampleLoss)}, straight from the logit so it never takes log 0.`,
        )
      : f('forward', 'out', `ŷ = σ(z2) = 1/(1 + e^(−z2)) = ${fmt(g.yHat)}.`),
    ...(bce ? [] : [f('forward', 'sq', `ℓ = (ŷ − y)² = (${fmt(g.yHat)} − ${fmt(g.y)})² = ${fmt(g.sampleLoss)}.`)]),
    f(
      'forward',
      'L',
      `L = (1/N) Σ_n ℓ_n = ${fmt(g.batchLoss)}: the mean of the ${N} samples' losses; this sample is one of them.`,
    ),
    f('backward', 'seed', 'The backward pass starts from the seed ∂L/∂L = 1: the loss is one scalar.'),
    f(
      'backward',
      'dl',
      `Through the mean: the local Jacobian ∂L/∂ℓ_n = 1/N times the arriving 1 gives ∂L/∂ℓ_n = ${fmt(v.dl[0]!)}.`,
    ),
    ...(bce
      ? [
          f(
            'backward',
            'dz2',
            `Through the fused σ + BCE node: its local Jacobian ∂ℓ/∂z2 = ŷ − y = ${fmt(s.jacobians.dldz2)} times the arriving ${fmt(v.dl[0]!)} gives δ2 = ∂L/∂z2 = ${fmt(g.dz2)}.`,
          ),
        ]
      : [
          f(
            'backward',
            'dyHat',
            `Through the squared error: its local Jacobian ∂ℓ/∂ŷ = 2(ŷ − y) = ${fmt(s.jacobians.dldyHat)} times the arriving ${fmt(v.dl[0]!)} gives ∂L/∂ŷ = ${fmt(v.dyHat[0]!)}.`,
          ),
          f(
            'backward',
            'dz2',
            `Through σ: its local Jacobian σ′(z2) = ŷ(1 − ŷ) = ${fmt(s.jacobians.dyHatdz2)} times the arriving ${fmt(v.dyHat[0]!)} gives δ2 = ∂L/∂z2 = ${fmt(g.dz2)}.`,
          ),
        ]),
    f(
      'backward',
      'dW2',
      `At z2's parameter inputs: ∂z2/∂W2 = a1ᵀ and ∂z2/∂b2 = 1, so this sample adds δ2 a1ᵀ and δ2; W2 and b2 are shared by all ${N} samples, so their gradients are the sums over the batch (∂L/∂b2 = ${fmt(v.db2[0]!)}).`,
    ),
    f(
      'backward',
      'da1',
      `Into the hidden layer: the local Jacobian ∂z2/∂a1 = W2 gives da1 = W2ᵀ δ2, one number per unit (unit 1: ${fmt(v.W2[0]!)} × ${fmt(g.dz2)} = ${fmt(v.da1[0]!)}).`,
    ),
    f('backward', 'dz1', backwardGate(s, closed)),
    f(
      'backward',
      'dW1',
      `At the first layer's parameters: ∂z1_j/∂W1_j = xᵀ and ∂z1/∂b1 = I, so this sample adds δ1 xᵀ and δ1; ` +
        `summed over the ${N} samples they are ∂L/∂W1 and ∂L/∂b1, ready for θ ← θ − η ∂L/∂θ.`,
    ),
  ];
  return steps;
}

/** The forward sentence at the activation: what f does, and how many gates are closed (f′ = 0) or how open. */
function forwardGate(s: GraphState, closed: number): string {
  const g = s.input;
  switch (g.activation ?? 'relu') {
    case 'relu':
      return `a1 = ReLU(z1) = max(0, z1): ${closed} of ${g.H} units have z1 ≤ 0, output 0, and their gates close.`;
    case 'leaky':
      return `a1 = leaky ReLU(z1): z1 where z1 > 0, else 0.01·z1; no gate closes completely (f′ is 1 or 0.01).`;
    case 'tanh':
      return `a1 = tanh(z1), between −1 and 1; where |z1| is large the unit saturates and f′ = 1 − a1² is small.`;
    case 'sigmoid':
      return `a1 = σ(z1), between 0 and 1; f′ = a1(1 − a1) is at most 0.25, and small where the unit saturates.`;
  }
}

/** The backward sentence at the activation: δ1 = da1 ⊙ f′(z1), with f′'s actual range. */
function backwardGate(s: GraphState, closed: number): string {
  const act = s.input.activation ?? 'relu';
  const f = ACTIVATION_TEXT[act].f;
  const head = `Through the ${f} gates: ∂a1/∂z1 = diag(${f}′(z1)), so δ1 = da1 ⊙ ${f}′(z1)`;
  if (act === 'relu')
    return `${head}; the ${closed} closed gate${closed === 1 ? '' : 's'} pass${closed === 1 ? 'es' : ''} 0.`;
  const gate = s.values.gate;
  return `${head}; f′ here runs from ${fmt(Math.min(...gate))} to ${fmt(Math.max(...gate))}: ${closed === 0 ? 'no gate is closed, each' : `${closed} closed, the others each`} scales the gradient passing back.`;
}
