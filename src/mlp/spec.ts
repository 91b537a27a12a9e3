/**
 * The one source of truth for shapes and the flat parameter layout, shared by
 * the CPU reference, the scalar engine bridge and the GPU host (which turns it
 * into the kernels' constants, src/gpu/layout.ts).
 *
 *   x ∈ R^d, W1 ∈ R^{H×d}, b1 ∈ R^H, W2 ∈ R^{1×H}, b2 ∈ R^1, batch of N samples.
 *
 * Flat layout, f32 on the GPU and f64 on the CPU, every matrix row-major:
 *   [ W1 (H·d) | b1 (H) | W2 (H) | b2 (1) ]
 */

export interface Spec {
  /** Input size. */
  readonly d: number;
  /** Hidden width. */
  readonly H: number;
  /** Batch size (number of samples). */
  readonly N: number;
}

/** Allowed ranges, stated once; errors quote them. The GPU may impose tighter ones from its limits. */
export const SPEC_LIMITS = {
  d: { min: 1, max: 1024 },
  H: { min: 1, max: 4096 },
  N: { min: 1, max: 16_777_216 },
} as const satisfies Record<keyof Spec, { min: number; max: number }>;

/** Checks every field and returns a frozen spec; the error names the field and its range. */
export function makeSpec(fields: Spec): Spec {
  for (const key of ['d', 'H', 'N'] as const) {
    const v = fields[key];
    const { min, max } = SPEC_LIMITS[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`spec.${key} must be an integer in [${min}, ${max}], got ${v}`);
    }
  }
  return Object.freeze({ d: fields.d, H: fields.H, N: fields.N });
}

export const TENSORS = ['W1', 'b1', 'W2', 'b2'] as const;
export type TensorName = (typeof TENSORS)[number];

export interface Slot {
  readonly name: TensorName;
  /** Index of the first element in the flat vector. */
  readonly offset: number;
  readonly length: number;
  /** [rows, cols] for matrices, [length] for vectors. */
  readonly shape: readonly number[];
}

export type Layout = { readonly [K in TensorName]: Slot } & { readonly size: number };

/** Offsets, lengths and shapes of W1, b1, W2, b2 in the flat vector. */
export function paramLayout({ d, H }: Pick<Spec, 'd' | 'H'>): Layout {
  const W1: Slot = { name: 'W1', offset: 0, length: H * d, shape: [H, d] };
  const b1: Slot = { name: 'b1', offset: H * d, length: H, shape: [H] };
  const W2: Slot = { name: 'W2', offset: H * d + H, length: H, shape: [1, H] };
  const b2: Slot = { name: 'b2', offset: H * d + 2 * H, length: 1, shape: [1] };
  return { W1, b1, W2, b2, size: H * d + 2 * H + 1 };
}

/** The parameters in the math's shapes: W1 as H rows of d, b1 of length H, W2 as 1 row of H, b2 of length 1. */
export interface NestedParams {
  W1: number[][];
  b1: number[];
  W2: number[][];
  b2: number[];
}

export function toNested(spec: Pick<Spec, 'd' | 'H'>, flat: ArrayLike<number>): NestedParams {
  const L = checkFlat(spec, flat);
  const slice = (s: Slot) => Array.from({ length: s.length }, (_, i) => flat[s.offset + i]);
  const rows = (s: Slot) => {
    const [r, c] = s.shape as [number, number];
    const v = slice(s);
    return Array.from({ length: r }, (_, i) => v.slice(i * c, (i + 1) * c));
  };
  return { W1: rows(L.W1), b1: slice(L.b1), W2: rows(L.W2), b2: slice(L.b2) };
}

/**
 * The scalar engine lists a 2-layer MLP's parameters neuron by neuron
 * (W1 row j, then b1[j], for each hidden unit j; then W2, then b2).
 * These two functions convert between that order and the flat layout.
 */
export function fromEngineOrder(spec: Pick<Spec, 'd' | 'H'>, engine: ArrayLike<number>): Float64Array {
  const { d, H } = spec;
  const L = paramLayout(spec);
  if (engine.length !== L.size) throw new RangeError(`expected ${L.size} parameters, got ${engine.length}`);
  const flat = new Float64Array(L.size);
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < d; i++) flat[L.W1.offset + j * d + i] = engine[j * (d + 1) + i];
    flat[L.b1.offset + j] = engine[j * (d + 1) + d];
  }
  for (let j = 0; j <= H; j++) flat[L.W2.offset + j] = engine[H * (d + 1) + j]; // W2 then b2, adjacent in both
  return flat;
}

export function toEngineOrder(spec: Pick<Spec, 'd' | 'H'>, flat: ArrayLike<number>): Float64Array {
  const { d, H } = spec;
  const L = checkFlat(spec, flat);
  const engine = new Float64Array(L.size);
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < d; i++) engine[j * (d + 1) + i] = flat[L.W1.offset + j * d + i];
    engine[j * (d + 1) + d] = flat[L.b1.offset + j];
  }
  for (let j = 0; j <= H; j++) engine[H * (d + 1) + j] = flat[L.W2.offset + j];
  return engine;
}

function checkFlat(spec: Pick<Spec, 'd' | 'H'>, flat: ArrayLike<number>): Layout {
  const L = paramLayout(spec);
  if (flat.length !== L.size) {
    throw new RangeError(`parameters: expected ${L.size} values for d=${spec.d}, H=${spec.H}, got ${flat.length}`);
  }
  return L;
}
