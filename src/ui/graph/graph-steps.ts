/**
 * The walk through the graph, forward then backward: one stage per node, the
 * numbers it reveals, and one sentence saying which rule produced them (on the
 * way back: the local Jacobian times the gradient arriving). Every hidden layer
 * has its own stages: z_l, a_l forward; da_l, δ_l (the recursion) and dW_l back.
 * Pure: no DOM.
 */
import { ACTIVATION_TEXT, fmt, fmtList, gateKey, type GraphState } from './graph-model.js';

export interface WalkStep {
  /** Stage id: numbers and nodes carrying it in data-reveal / data-walk belong to it. */
  id: string;
  direction: 'forward' | 'backward';
  sentence: string;
}

/** a + b and a − b in words, never "+ −" or "− −": 0.5 − 0.25 rather than 0.5 + −0.25. */
const plus = (a: number, b: number) => (b < 0 ? `${fmt(a)} − ${fmt(-b)}` : `${fmt(a)} + ${fmt(b)}`);
const minus = (a: number, b: number) => (b < 0 ? `${fmt(a)} + ${fmt(-b)}` : `${fmt(a)} − ${fmt(b)}`);

/** The stages in order for this network, loss, output and penalty. */
export function walkSteps(s: GraphState): WalkStep[] {
  const v = s.values;
  const g = s.input;
  const bce = g.loss === 'bce';
  const identity = g.output === 'identity';
  const N = g.N;
  const L = s.layers;
  const o = L + 1;
  const f = (d: 'forward' | 'backward', id: string, sentence: string): WalkStep => ({ id, direction: d, sentence });
  const first = (key: string) => fmt(v[key]![0]!);
  const zOut = first(`z${o}`);
  const dzOut = first(`dz${o}`);
  const names = Array.from({ length: o }, (_, k) => `W${k + 1}, b${k + 1}`).join(', ');
  const steps: WalkStep[] = [
    f(
      'forward',
      'leaves',
      `The leaves hold given values: sample ${g.n + 1} of ${N} (counted from 1, as the "follow sample" menu counts; a sample is one point of the data), x = (${fmtList(v.x!)}) with label y = ${fmt(g.y)}, and the parameters ${names}.`,
    ),
  ];
  for (let l = 1; l <= L; l++) {
    const input = l === 1 ? 'x' : `a${l - 1}`;
    const who = L === 1 ? 'each hidden unit j' : `each unit j of hidden layer ${l}`;
    steps.push(
      f(
        'forward',
        `z${l}`,
        `z${l} = W${l} ${input} + b${l}: ${who} takes the dot product of its row of W${l} with ${input} and adds b${l}_j (unit 1: ${first(`z${l}`)}).`,
      ),
      f('forward', `a${l}`, forwardGate(s, l)),
    );
  }
  const from = L === 1 ? 'the hidden units' : `the last hidden layer's units`;
  steps.push(
    f('forward', `z${o}`, `z${o} = W${o} a${L} + b${o} = ${zOut}: the weighted sum of ${from} plus the bias.`),
  );
  if (bce)
    steps.push(
      f(
        'forward',
        'out',
        `The fused node computes ŷ = σ(z${o}) = ${fmt(g.yHat)} and ℓ = BCE(ŷ, y) = softplus(z${o}) − y·z${o} = ${fmt(g.sampleLoss)}, straight from the logit so it never takes log 0.`,
      ),
    );
  else if (identity)
    steps.push(
      f(
        'forward',
        'out',
        `The output is the identity (regression, no σ): ŷ = z${o} = ${fmt(g.yHat)}, and ℓ = (ŷ − y)² = (${minus(g.yHat, g.y)})² = ${fmt(g.sampleLoss)}.`,
      ),
    );
  else
    steps.push(
      f('forward', 'out', `ŷ = σ(z${o}) = 1/(1 + e^(−z${o})) = ${fmt(g.yHat)}.`),
      f('forward', 'sq', `ℓ = (ŷ − y)² = (${minus(g.yHat, g.y)})² = ${fmt(g.sampleLoss)}.`),
    );
  if (!s.penalty)
    steps.push(
      f(
        'forward',
        'L',
        `L = (1/N) Σ_n ℓ_n = ${fmt(g.batchLoss)}: the mean of the ${N} samples' losses; this sample is one of them.`,
      ),
    );
  else {
    const { l1 = 0, l2 = 0 } = g;
    steps.push(
      f(
        'forward',
        'L',
        `L_data = (1/N) Σ_n ℓ_n = ${first('dataLoss')}: the mean of the ${N} samples' losses; this sample is one of them.`,
      ),
      f(
        'forward',
        'R',
        `The penalty R = λ1 Σ|w| + (λ2/2) Σ w² = ${first('R')} over every weight of W1 … W${o} (never the biases), with λ1 = ${fmt(l1)} and λ2 = ${fmt(l2)}; it does not depend on the samples.`,
      ),
      f('forward', 'total', `L = L_data + R = ${plus(v.dataLoss![0]!, v.R![0]!)} = ${fmt(g.batchLoss)}.`),
    );
  }
  steps.push(
    f(
      'backward',
      'seed',
      'The backward pass starts from the seed ∂L/∂L = 1: the loss is one scalar. From here each step multiplies two ' +
        "different things: a node's local Jacobian (how its output moves with its input, the node on its own, " +
        'written ∂output/∂input) and the arriving gradient (∂L/∂output, found by the steps before); the product is ' +
        '∂L/∂input, which arrives at the next node back.',
    ),
  );
  if (s.penalty) {
    const { l1 = 0, l2 = 0 } = g;
    const w = v.W1![0]!;
    steps.push(
      f(
        'backward',
        'dR',
        'Through the sum L = L_data + R: its local Jacobians ∂(L_data + R)/∂L_data and ∂(L_data + R)/∂R are both 1, ' +
          'times the arriving ∂L/∂L = 1, so ∂L/∂L_data = 1 and ∂L/∂R = 1.',
      ),
      f(
        'backward',
        'penW',
        `Through R to every weight: its local Jacobian ∂R/∂w = λ1 sign(w) + λ2 w times the arriving ∂L/∂R = 1 is the penalty's part R′ of each weight's gradient ` +
          `(W1's first: ${fmt(l1)}·sign(${fmt(w)}) + ${fmt(l2)}·${fmt(w)} = ${first('penW1')}); the data part, found by the rest of the walk, is added to it. Biases get none.`,
      ),
    );
  }
  steps.push(
    f(
      'backward',
      'dl',
      s.penalty
        ? `Through the mean: its local Jacobian ∂L_data/∂ℓ_n = 1/N times the arriving ∂L/∂L_data = 1 gives ∂L/∂ℓ_n = ${fmt(v.dl![0]!)}.`
        : `Through the mean: its local Jacobian ∂mean/∂ℓ_n = 1/N times the arriving ∂L/∂L = 1 (the mean is L) gives ∂L/∂ℓ_n = ${fmt(v.dl![0]!)}.`,
    ),
  );
  const j = s.jacobians;
  if (bce)
    steps.push(
      f(
        'backward',
        `dz${o}`,
        `Through the fused σ + BCE node: its local Jacobian ∂ℓ/∂z${o} = ŷ − y = ${fmt(j.dldz)} times the arriving ∂L/∂ℓ_n = ${fmt(v.dl![0]!)} gives δ${o} = ∂L/∂z${o} = ${dzOut}.`,
      ),
    );
  else if (identity)
    steps.push(
      f(
        'backward',
        `dz${o}`,
        `Through the squared error of the identity output: its local Jacobian ∂ℓ/∂ŷ = 2(ŷ − y) = ${fmt(j.dldyHat)}, times ∂ŷ/∂z${o} = 1 (ŷ is z${o} itself), times the arriving ∂L/∂ℓ_n = ${fmt(v.dl![0]!)} gives δ${o} = ∂L/∂z${o} = ${dzOut}.`,
      ),
    );
  else
    steps.push(
      f(
        'backward',
        'dyHat',
        `Through the squared error: its local Jacobian ∂ℓ/∂ŷ = 2(ŷ − y) = ${fmt(j.dldyHat)} times the arriving ∂L/∂ℓ_n = ${fmt(v.dl![0]!)} gives ∂L/∂ŷ = ${fmt(v.dyHat![0]!)}.`,
      ),
      f(
        'backward',
        `dz${o}`,
        `Through σ: its local Jacobian ∂ŷ/∂z${o} = σ′(z${o}) = ŷ(1 − ŷ) = ${fmt(j.dyHatdz)} times the arriving ∂L/∂ŷ = ${fmt(v.dyHat![0]!)} gives δ${o} = ∂L/∂z${o} = ${dzOut}.`,
      ),
    );
  for (let l = o; l >= 1; l--) {
    steps.push(f('backward', `dW${l}`, paramSentence(s, l)));
    if (l > 1)
      steps.push(f('backward', `da${l - 1}`, intoLayer(s, l - 1)), f('backward', `dz${l - 1}`, backwardGate(s, l - 1)));
  }
  return steps;
}

/** The penalty's words on a weight's gradient: its first entry as data part + R′. */
function penaltyNote(s: GraphState, l: number): string {
  if (!s.penalty) return '';
  const v = s.values;
  return ` With the penalty, each of W${l}'s gradients is its data part plus R′ (the first: ${plus(v[`dataW${l}`]![0]!, v[`penW${l}`]![0]!)} = ${fmt(v[`dW${l}`]![0]!)}).`;
}

/** dW_l and db_l: the local Jacobians at z_l's parameter inputs, and the sum over the batch. */
function paramSentence(s: GraphState, l: number): string {
  const N = s.input.N;
  const L = s.layers;
  const v = s.values;
  if (l === L + 1)
    return (
      `At z${l}'s parameter inputs, the local Jacobians ∂z${l}/∂W${l} = a${L}ᵀ and ∂z${l}/∂b${l} = 1 times the arriving δ${l} = ∂L/∂z${l} give what this sample adds: δ${l} a${L}ᵀ to ∂L/∂W${l} and δ${l} to ∂L/∂b${l}. W${l} and b${l} are shared by all ${N} samples, so their gradients are the sums over the batch (∂L/∂b${l} = ${fmt(v[`db${l}`]![0]!)}).` +
      penaltyNote(s, l)
    );
  if (l === 1)
    return (
      `At the first layer's parameters, the local Jacobians ∂z1_j/∂W1_j = xᵀ and ∂z1/∂b1 = I times the arriving δ1 = ∂L/∂z1 give what this sample adds: δ1 xᵀ to ∂L/∂W1 and δ1 to ∂L/∂b1; ` +
      `summed over the ${N} samples, these shares are ∂L/∂W1 and ∂L/∂b1, ready for θ ← θ − η ∂L/∂θ.` +
      penaltyNote(s, l)
    );
  return (
    `At layer ${l}'s parameters, the local Jacobians ∂z${l}_j/∂W${l}_j = a${l - 1}ᵀ and ∂z${l}/∂b${l} = I times the arriving δ${l} = ∂L/∂z${l} give what this sample adds: δ${l} a${l - 1}ᵀ to ∂L/∂W${l} and δ${l} to ∂L/∂b${l}; ` +
    `summed over the ${N} samples, these shares are ∂L/∂W${l} and ∂L/∂b${l} (∂L/∂b${l}_1 = ${fmt(v[`db${l}`]![0]!)}).` +
    penaltyNote(s, l)
  );
}

/** da_l = W_{l+1}ᵀ δ_{l+1}: the local Jacobian ∂z_{l+1}/∂a_l = W_{l+1}, with unit 1's numbers. */
function intoLayer(s: GraphState, l: number): string {
  const v = s.values;
  const next = l + 1;
  const W = v[`W${next}`]!;
  const delta = v[`dz${next}`]!;
  const da = fmt(v[`da${l}`]![0]!);
  const into = s.layers === 1 ? 'Into the hidden layer' : `Into hidden layer ${l}`;
  const head = `${into}: the local Jacobian ∂z${next}/∂a${l} = W${next} against the arriving δ${next} = ∂L/∂z${next} gives da${l} = ∂L/∂a${l} = W${next}ᵀ δ${next}, one number per unit`;
  if (delta.length === 1) return `${head} (unit 1: ${fmt(W[0]!)} × ${fmt(delta[0]!)} = ${da}).`;
  // unit 1 of layer l takes column 1 of W_{l+1}: Σ_k W_{l+1}[k][1] δ_{l+1,k}
  const H = v[`a${l}`]!.length;
  const terms = delta.slice(0, 2).map((d, k) => `${fmt(W[k * H]!)}·${fmt(d)}`);
  return `${head} (unit 1, column 1 of W${next} against δ${next}: ${terms.join(' + ')}${delta.length > 2 ? ' + …' : ''} = ${da}).`;
}

/** The forward sentence at layer l's activation: what f does, and how many gates are closed (f′ = 0) or how open. */
function forwardGate(s: GraphState, l: number): string {
  const H = s.input.hidden[l - 1]!;
  const closed = s.values[gateKey(l)]!.filter((k) => k === 0).length;
  const [z, a] = [`z${l}`, `a${l}`];
  switch (s.input.activation ?? 'relu') {
    case 'relu':
      if (closed === 0) return `${a} = ReLU(${z}) = max(0, ${z}): no unit has ${z} ≤ 0: every gate is open.`;
      return closed === 1
        ? `${a} = ReLU(${z}) = max(0, ${z}): 1 of ${H} units has ${z} ≤ 0, outputs 0, and its gate closes.`
        : `${a} = ReLU(${z}) = max(0, ${z}): ${closed} of ${H} units have ${z} ≤ 0, output 0, and their gates close.`;
    case 'leaky':
      return `${a} = leaky ReLU(${z}): ${z} where ${z} > 0, else 0.01·${z}; no gate closes completely (f′ is 1 or 0.01).`;
    case 'tanh':
      return `${a} = tanh(${z}), between −1 and 1; where |${z}| is large the unit saturates and f′ = 1 − ${a}² is small.`;
    case 'sigmoid':
      return `${a} = σ(${z}), between 0 and 1; f′ = ${a}(1 − ${a}) is at most 0.25, and small where the unit saturates.`;
  }
}

/** The backward sentence at layer l's activation: δ_l = da_l ⊙ f′(z_l) = (W_{l+1}ᵀ δ_{l+1}) ⊙ f′(z_l), with numbers. */
function backwardGate(s: GraphState, l: number): string {
  const act = s.input.activation ?? 'relu';
  const f = ACTIVATION_TEXT[act].f;
  const gate = s.values[gateKey(l)]!;
  const closed = gate.filter((k) => k === 0).length;
  const where = s.layers === 1 ? '' : ` of layer ${l}`;
  const unit = `unit 1: ${fmt(s.values[`da${l}`]![0]!)} × ${fmt(gate[0]!)} = ${fmt(s.values[`dz${l}`]![0]!)}`;
  const head =
    `Through the ${f} gates${where}: the local Jacobian ∂a${l}/∂z${l} = diag(${f}′(z${l})) times the arriving da${l} gives δ${l} = da${l} ⊙ ${f}′(z${l}) = ` +
    `(W${l + 1}ᵀ δ${l + 1}) ⊙ ${f}′(z${l}) (${unit})`;
  if (act === 'relu')
    return `${head}; the ${closed} closed gate${closed === 1 ? '' : 's'} pass${closed === 1 ? 'es' : ''} 0.`;
  return `${head}; f′ here runs from ${fmt(Math.min(...gate))} to ${fmt(Math.max(...gate))}: ${closed === 0 ? 'no gate is closed, each' : `${closed} closed, the others each`} scales the gradient passing back.`;
}
