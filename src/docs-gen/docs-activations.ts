/**
 * The spot-check network with each hidden activation f, built from the scalar engine's Values, so
 * δ1 = (W2ᵀ δ2) ⊙ f′(z1) comes from `backward()` and f′ is read off the graph's own edge. f is the engine's op from
 * src/engine/activation.ts, with its conventions at the kink: ReLU′(0) = 0, leaky′(0) = 0.01.
 */
import { ACTIVATIONS as TABLE, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { lossFromLogits } from '../engine/losses.js';
import { Value } from '../engine/value.js';
import { dot } from '../engine/vec.js';
import { SPOT } from '../mlp/spotcheck.js';
import { paramLayout } from '../mlp/spec.js';

export interface Activation {
  name: HiddenActivation;
  /** How the exercise table names it (Markdown with math). */
  label: string;
  apply: (z: Value) => Value;
}

const LABELS: Record<HiddenActivation, string> = {
  relu: 'ReLU',
  leaky: 'leaky ReLU',
  tanh: 'tanh',
  sigmoid: '$\\sigma$',
};

export const ACTIVATIONS: readonly Activation[] = HIDDEN_ACTIVATIONS.map((name) => ({
  name,
  label: LABELS[name],
  apply: TABLE[name].apply,
}));

export interface ActivationCase {
  z1: number[];
  fPrime: number[];
  a1: number[];
  dz2: number;
  dz1: number[];
}

/** The spot-check (x = (1, 2), y = 1, BCE) with hidden activation f. */
export function activationCase(f: Activation): ActivationCase {
  const { spec, params, x, y } = SPOT;
  const L = paramLayout(spec);
  const p = Array.from(params, (v) => new Value(v));
  const z1 = Array.from({ length: spec.H }, (_, j) =>
    dot(p.slice(L.W1.offset + j * spec.d, L.W1.offset + (j + 1) * spec.d), [...x]).add(p[L.b1.offset + j]!),
  );
  const a1 = z1.map((z) => f.apply(z));
  a1.forEach((a, j) => {
    if (a.in0 !== z1[j]) throw new Error(`activation ${f.name}: expected one op on z1`);
  });
  const z2 = dot(p.slice(L.W2.offset, L.W2.offset + spec.H), a1).add(p[L.b2.offset]!);
  lossFromLogits('bce', [z2], [y]).backward();
  return {
    z1: z1.map((z) => z.data),
    fPrime: a1.map((a) => a.local0), // the edge z1 → a1 carries f′(z1)
    a1: a1.map((a) => a.data),
    dz2: z2.grad,
    dz1: z1.map((z) => z.grad),
  };
}
