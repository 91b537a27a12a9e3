/**
 * The hidden activations f and their derivatives f′, stated once for the whole
 * project (TensorFlow Playground keeps the same kind of table of {output, der}
 * pairs). The matrix form (src/mlp/reference.ts) computes a1 = f(z1) and
 * δ1 = (W2ᵀ δ2) ⊙ f′(z1) from `output` and `der`; the scalar engine builds f from
 * its own `Value` ops (`apply`), whose local derivatives the tests hold to `der`.
 *
 * Conventions where f′ jumps (at 0): ReLU′(0) = 0 and leaky′(0) = LEAKY_SLOPE,
 * i.e. the left slope, the same on the CPU, the GPU, in the docs and on the page.
 */
import { sigmoid, type Value } from './value.js';

export const HIDDEN_ACTIVATIONS = ['relu', 'leaky', 'tanh', 'sigmoid'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

/** Leaky ReLU's slope for z ≤ 0. Not an f32 value: a kernel holds fround(0.01), and the bounds count the difference. */
export const LEAKY_SLOPE = 0.01;

export interface ActivationFn {
  /** f(z). */
  output: (z: number) => number;
  /** f′(z), with the conventions above at z = 0. */
  der: (z: number) => number;
  /** f′ is discontinuous at 0 (a "gate"): f32 may land on the other side of it. */
  kink: boolean;
  /** f′ at the two sides of the kink, z ≤ 0 and z > 0 (only where `kink`). */
  slopes?: readonly [number, number];
  /** f as the scalar engine's op on a Value (its edge z → f(z) carries f′(z)). */
  apply: (z: Value) => Value;
}

export const ACTIVATIONS: Readonly<Record<HiddenActivation, ActivationFn>> = {
  // max(z, 0); ReLU′(0) = 0
  relu: {
    output: (z) => (z > 0 ? z : 0),
    der: (z) => (z > 0 ? 1 : 0),
    kink: true,
    slopes: [0, 1],
    apply: (z) => z.relu(),
  },
  // z for z > 0, else 0.01 z; leaky′(0) = 0.01
  leaky: {
    output: (z) => (z > 0 ? z : LEAKY_SLOPE * z),
    der: (z) => (z > 0 ? 1 : LEAKY_SLOPE),
    kink: true,
    slopes: [LEAKY_SLOPE, 1],
    apply: (z) => z.leakyRelu(LEAKY_SLOPE),
  },
  // tanh z; tanh′ = 1 − tanh²
  tanh: { output: Math.tanh, der: (z) => 1 - Math.tanh(z) ** 2, kink: false, apply: (z) => z.tanh() },
  // σ(z) = 1/(1 + e^−z); σ′ = σ(1 − σ)
  sigmoid: { output: sigmoid, der: (z) => sigmoid(z) * (1 - sigmoid(z)), kink: false, apply: (z) => z.sigmoid() },
};

/** The error for a bad name, naming the field and the allowed values. */
export function checkActivation(field: string, name: unknown): HiddenActivation {
  if (typeof name !== 'string' || !(HIDDEN_ACTIVATIONS as readonly string[]).includes(name)) {
    throw new RangeError(`${field} must be one of ${HIDDEN_ACTIVATIONS.join(', ')}, got ${String(name)}`);
  }
  return name as HiddenActivation;
}
