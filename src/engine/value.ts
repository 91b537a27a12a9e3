/**
 * A scalar that remembers how it was made, so reverse mode can run through it.
 *
 * Every op returns a new `Value` holding its result and, beside it, the local
 * derivative of that result with respect to each input: the entries of the
 * op's local Jacobian, one number per edge of the computation graph. `backward()`
 * then needs no per-op code at all: it walks the graph in reverse topological
 * order and pushes `grad` along each edge, multiplied by that edge's local
 * derivative (a vector-Jacobian product, one scalar at a time).
 *
 * @example
 * const a = new Value(2), b = new Value(-3);
 * const c = a.mul(b).add(a.pow(2)); // c = ab + a² = -2
 * c.backward();                     // a.grad = b + 2a = 1, b.grad = a = 2
 */
export type Operand = Value | number;

/** Bumped once per `backward()`, so visited marks never need clearing. */
let generation = 0;

export class Value {
  /** The forward value, f64. */
  data: number;
  /** d(root)/d(this), where root is the last Value `backward()` was called on. 0 until then. */
  grad = 0;
  /** The op that made this value ('' for a leaf), for printing graphs. */
  readonly op: string;
  /** Inputs of the op (null where the op has fewer), and d(this)/d(input) on each edge. */
  readonly in0: Value | null;
  readonly in1: Value | null;
  readonly local0: number;
  readonly local1: number;
  /** Optional name for diagrams and error messages. */
  label: string;
  private visited = 0;

  /**
   * `new Value(x)` makes a leaf: an input or a parameter. The remaining
   * arguments are for the ops below, which record their inputs and local
   * derivatives; only leaves are checked for finiteness, since an op's result
   * may legitimately overflow (exp(1000)) and training checks its loss instead.
   */
  constructor(
    data: number,
    label = '',
    op = '',
    in0: Value | null = null,
    local0 = 0,
    in1: Value | null = null,
    local1 = 0,
  ) {
    if (op === '' && !Number.isFinite(data)) {
      throw new RangeError(`Value: data must be a finite number, got ${data}${label ? ` (${label})` : ''}`);
    }
    this.data = data;
    this.label = label;
    this.op = op;
    this.in0 = in0;
    this.local0 = local0;
    this.in1 = in1;
    this.local1 = local1;
  }

  add(other: Operand): Value {
    const o = lift(other);
    return node(this.data + o.data, '+', this, 1, o, 1); // d(a+b)/da = 1, d(a+b)/db = 1
  }

  mul(other: Operand): Value {
    const o = lift(other);
    return node(this.data * o.data, '*', this, o.data, o, this.data); // d(ab)/da = b, d(ab)/db = a
  }

  /** this^n for a constant exponent n. */
  pow(n: number): Value {
    const x = this.data;
    if (!Number.isFinite(n)) throw new RangeError(`pow: exponent must be a finite number, got ${n}`);
    if (x < 0 && !Number.isInteger(n)) {
      throw new RangeError(`pow: negative base ${x} with fractional exponent ${n} has no real value`);
    }
    if (x === 0 && n < 0) throw new RangeError(`pow: base 0 with negative exponent ${n} divides by zero`);
    // d(x^n)/dx = n x^(n-1); written so that n = 0 gives 0, not 0 * Infinity.
    const local = n === 0 ? 0 : n * x ** (n - 1);
    return node(x ** n, `^${n}`, this, local);
  }

  neg(): Value {
    return this.mul(-1);
  }

  sub(other: Operand): Value {
    return this.add(lift(other).neg());
  }

  div(other: Operand): Value {
    return this.mul(lift(other).pow(-1));
  }

  exp(): Value {
    const e = Math.exp(this.data);
    return node(e, 'exp', this, e); // d(e^x)/dx = e^x
  }

  log(): Value {
    const x = this.data;
    if (!(x > 0)) throw new RangeError(`log: argument must be > 0, got ${x}`);
    return node(Math.log(x), 'log', this, 1 / x); // d(ln x)/dx = 1/x
  }

  tanh(): Value {
    const t = Math.tanh(this.data); // Math.tanh saturates to ±1, never (e^2x - 1)/(e^2x + 1) = NaN
    return node(t, 'tanh', this, 1 - t * t); // d tanh/dx = 1 − tanh²
  }

  sigmoid(): Value {
    const s = sigmoid(this.data);
    return node(s, 'σ', this, s * (1 - s)); // dσ/dx = σ(1 − σ)
  }

  /** log(1 + e^x), computed without overflow; the building block of BCE from a logit. */
  softplus(): Value {
    return node(softplus(this.data), 'softplus', this, sigmoid(this.data)); // d softplus/dx = σ(x)
  }

  relu(): Value {
    const x = this.data;
    // NOTE: ReLU'(0) = 0 by convention, the same on the CPU, the GPU and in the docs.
    return node(x > 0 ? x : 0, 'ReLU', this, x > 0 ? 1 : 0);
  }

  /** |x|, with d|x|/dx = sign(x) and 0 at x = 0 (the subgradient the L1 penalty uses). */
  abs(): Value {
    const x = this.data;
    return node(Math.abs(x), 'abs', this, x > 0 ? 1 : x < 0 ? -1 : 0);
  }

  /** z for z > 0, slope·z otherwise (leaky ReLU). */
  leakyRelu(slope = 0.01): Value {
    const x = this.data;
    // NOTE: leaky′(0) = slope by convention, the left side, as ReLU′(0) = 0.
    return node(x > 0 ? x : slope * x, 'leaky', this, x > 0 ? 1 : slope);
  }

  /**
   * Fills `grad` of every Value this one depends on with d(this)/d(that Value).
   *
   * Gradients are reset first, so each call gives the gradients of this call's
   * root, never a sum with an earlier call's: there is no separate zero-grad
   * step to forget. Within one call they accumulate with `+=`, so a Value used
   * twice receives both contributions.
   */
  backward(): void {
    const order = this.topologicalOrder();
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i]!;
      if (v.in0 !== null) v.in0.grad += v.local0 * v.grad;
      if (v.in1 !== null) v.in1.grad += v.local1 * v.grad;
    }
  }

  /**
   * Every Value this one depends on, inputs before the ops that use them, this one last.
   * Iterative depth-first search with an explicit stack, so a chain of any length
   * works (a recursive walk overflows the call stack near 10,000 nodes).
   */
  topologicalOrder(): Value[] {
    const entered = ++generation; // mark for "children pushed"
    const done = ++generation; // mark for "placed in order"
    const order: Value[] = [];
    const stack: Value[] = [this];
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      if (v.visited === done) {
        stack.pop();
      } else if (v.visited === entered) {
        stack.pop();
        v.visited = done;
        order.push(v);
      } else {
        v.visited = entered;
        if (v.in1 !== null && v.in1.visited !== entered && v.in1.visited !== done) stack.push(v.in1);
        if (v.in0 !== null && v.in0.visited !== entered && v.in0.visited !== done) stack.push(v.in0);
      }
    }
    return order;
  }

  toString(): string {
    return `Value(data=${this.data}, grad=${this.grad}${this.label ? `, label=${this.label}` : ''})`;
  }
}

/** A plain number becomes a constant leaf; a Value passes through. */
export function lift(x: Operand): Value {
  return x instanceof Value ? x : new Value(x);
}

/** σ(x) = 1 / (1 + e^−x), evaluated on the side where the exponential cannot overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log(1 + e^−|x|). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** The result of an op: its value, its inputs, and d(result)/d(input) on each edge. */
function node(data: number, op: string, in0: Value, local0: number, in1: Value | null = null, local1 = 0): Value {
  return new Value(data, '', op, in0, local0, in1, local1);
}
