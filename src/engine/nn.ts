/**
 * Neuron, Layer, MLP built from scalar `Value`s, micrograd-style: hidden layers
 * use one of the hidden activations (src/engine/activation.ts; ReLU by default),
 * the output layer σ or the identity.
 *
 * Initialisation (the one definition the whole project uses): every weight and
 * bias of a neuron with `nin` inputs is drawn as U(−1/√nin, 1/√nin) from the
 * caller's seeded `rng`, in `parameters()` order, and rounded to f32 so the GPU's
 * copy of the same parameters is exact and CPU and GPU runs start identical.
 *
 * @example
 * const model = new MLP(2, [8, 1], { rng: makeRng(1) });
 * const [z2] = model.logits([0, 1]);
 */
import { ACTIVATIONS, type HiddenActivation } from './activation.js';
import { Value, type Operand } from './value.js';
import { dot } from './vec.js';

/** A neuron's nonlinearity: a hidden activation (relu, leaky, tanh, sigmoid) or the identity. */
export type Activation = HiddenActivation | 'identity';

export interface NeuronOptions {
  /** Uniform random numbers in [0, 1), seeded by the caller. */
  rng: () => number;
  activation?: Activation;
}

export class Neuron {
  readonly w: Value[];
  readonly b: Value;
  readonly activation: Activation;

  constructor(nin: number, { rng, activation = 'relu' }: NeuronOptions) {
    checkWidth('nin', nin);
    const bound = Math.fround(1 / Math.sqrt(nin));
    const draw = (label: string) => new Value(Math.fround((2 * rng() - 1) * bound), label);
    this.w = Array.from({ length: nin }, (_, i) => draw(`w${i}`));
    this.b = draw('b');
    this.activation = activation;
  }

  /** The pre-activation w · x + b. */
  preActivation(x: readonly Operand[]): Value {
    return dot(this.w, x).add(this.b);
  }

  forward(x: readonly Operand[]): Value {
    return activate(this.preActivation(x), this.activation);
  }

  parameters(): Value[] {
    return [...this.w, this.b];
  }
}

export class Layer {
  readonly neurons: Neuron[];

  constructor(nin: number, nout: number, options: NeuronOptions) {
    checkWidth('nout', nout);
    this.neurons = Array.from({ length: nout }, () => new Neuron(nin, options));
  }

  preActivation(x: readonly Operand[]): Value[] {
    return this.neurons.map((n) => n.preActivation(x));
  }

  forward(x: readonly Operand[]): Value[] {
    return this.neurons.map((n) => n.forward(x));
  }

  parameters(): Value[] {
    return this.neurons.flatMap((n) => n.parameters());
  }
}

export interface MLPOptions {
  /** Uniform random numbers in [0, 1), seeded by the caller (see `makeRng` in src/mlp/rng.ts). */
  rng: () => number;
  /** Activation of the last layer: σ (the default) or the identity. */
  output?: 'sigmoid' | 'identity';
  /** Activation f of every hidden layer (default ReLU). */
  hidden?: HiddenActivation;
}

export class MLP {
  readonly layers: Layer[];
  readonly output: 'sigmoid' | 'identity';
  readonly hidden: HiddenActivation;

  /** `new MLP(nin, [h1, ..., nout], options)`: layer sizes after the input. */
  constructor(nin: number, sizes: readonly number[], { rng, output = 'sigmoid', hidden = 'relu' }: MLPOptions) {
    if (sizes.length === 0) throw new RangeError('MLP: sizes must list at least the output layer');
    if (!(hidden in ACTIVATIONS))
      throw new RangeError(`MLP: hidden must be one of ${Object.keys(ACTIVATIONS).join(', ')}, got ${String(hidden)}`);
    const dims = [nin, ...sizes];
    this.output = output;
    this.hidden = hidden;
    this.layers = sizes.map(
      (nout, i) => new Layer(dims[i]!, nout, { rng, activation: i === sizes.length - 1 ? output : hidden }),
    );
  }

  /** The last layer's pre-activations (for the 2-layer MLP: z2), the input to a loss from logits. */
  logits(x: readonly Operand[]): Value[] {
    let h: Value[] | readonly Operand[] = x;
    for (let i = 0; i < this.layers.length - 1; i++) h = this.layers[i]!.forward(h);
    return this.layers[this.layers.length - 1]!.preActivation(h);
  }

  /** The network's output (for the 2-layer MLP: yHat = σ(z2)). */
  forward(x: readonly Operand[]): Value[] {
    return this.logits(x).map((z) => activate(z, this.output));
  }

  /** Every weight and bias: layer by layer, neuron by neuron, each neuron's weights then its bias. */
  parameters(): Value[] {
    return this.layers.flatMap((l) => l.parameters());
  }

  /** The weights alone (no biases), layer by layer, neuron by neuron: what an L1/L2 penalty counts. */
  weights(): Value[] {
    return this.layers.flatMap((l) => l.neurons.flatMap((n) => n.w));
  }

  /** Overwrites the parameters, given in `parameters()` order. */
  load(values: ArrayLike<number>): void {
    const params = this.parameters();
    if (values.length !== params.length) {
      throw new RangeError(`MLP.load: expected ${params.length} values, got ${values.length}`);
    }
    params.forEach((p, i) => {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new RangeError(`MLP.load: value ${i} is ${v}, must be finite`);
      p.data = v;
    });
  }
}

/** θ ← θ − lr · dL/dθ, for gradients left by `loss.backward()`. */
export function sgdStep(params: readonly Value[], lr: number): void {
  for (const p of params) p.data -= lr * p.grad;
}

function activate(z: Value, activation: Activation): Value {
  return activation === 'identity' ? z : ACTIVATIONS[activation].apply(z);
}

function checkWidth(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${n}`);
}
