/**
 * The network a learner builds, stated once: its description (`Model`), the flat
 * parameter layout, the math's names of every element and the checks every entry
 * point uses (errors name the field and its range).
 *
 *   x ∈ R^d, L hidden layers (1 to 6) of widths H_1..H_L, one hidden activation f,
 *   z_l = W_l a_{l−1} + b_l,  a_l = f(z_l)        for l = 1..L, with a_0 = x,
 *   z_{L+1} = W_{L+1} a_L + b_{L+1} ∈ R,
 *   ŷ = σ(z_{L+1})  (output 'sigmoid': classification, labels in [0, 1]), or
 *   ŷ = z_{L+1}     (output 'identity': regression, labels any finite number).
 *
 * W_l ∈ R^{H_l × H_{l−1}} and b_l ∈ R^{H_l}, with H_0 = d and H_{L+1} = 1. Flat layout,
 * f32 on the GPU and f64 on the CPU, every matrix row-major:
 *   [ W1 | b1 | W2 | b2 | … | W_{L+1} | b_{L+1} ]
 * For L = 1 this is spec.ts's [ W1 (H·d) | b1 (H) | W2 (H) | b2 (1) ] exactly, and
 * the names (W1, b1, W2, b2, z1, a1, z2, yHat) are the 2-layer network's.
 */
import { checkActivation, type HiddenActivation } from '../engine/activation.js';
import { SPEC_LIMITS, type Spec } from './spec.js';

export const OUTPUTS = ['sigmoid', 'identity'] as const;
/** The output unit: σ for classification, the identity for regression. */
export type Output = (typeof OUTPUTS)[number];

export interface Model {
  /** Input size. */
  readonly d: number;
  /** The hidden widths H_1..H_L, input side first. */
  readonly hidden: readonly number[];
  /** The hidden activation f of every hidden layer. */
  readonly activation: HiddenActivation;
  readonly output: Output;
}

/** What fixes the layout: the sizes alone. */
export type ModelShape = Pick<Model, 'd' | 'hidden'>;

/** Allowed ranges, stated once; errors quote them. The GPU may impose tighter ones from its limits. */
export const MODEL_LIMITS = {
  d: SPEC_LIMITS.d,
  /** Number of hidden layers L. */
  layers: { min: 1, max: 6 },
  /** Each hidden width H_l. */
  width: SPEC_LIMITS.H,
} as const;

/** Checks every field and returns a frozen model (activation ReLU and output σ where none is given). */
export function makeModel(fields: {
  d: number;
  hidden: readonly number[];
  activation?: HiddenActivation;
  output?: Output;
}): Model {
  const { d } = fields;
  if (!Number.isInteger(d) || d < MODEL_LIMITS.d.min || d > MODEL_LIMITS.d.max) {
    throw new RangeError(`d must be an integer in [${MODEL_LIMITS.d.min}, ${MODEL_LIMITS.d.max}], got ${d}`);
  }
  const hidden = checkHidden(fields.hidden);
  const activation = checkActivation('activation', fields.activation ?? 'relu');
  const output = checkOutput(fields.output ?? 'sigmoid');
  return Object.freeze({ d, hidden: Object.freeze([...hidden]), activation, output });
}

/** The 2-layer network of spec.ts (one hidden layer of width H, σ output) as a Model. */
export function oneLayerModel(
  spec: Pick<Spec, 'd' | 'H'> & { readonly activation?: HiddenActivation },
  output: Output = 'sigmoid',
): Model {
  const activation = spec.activation ?? 'relu';
  const last = lastOneLayer;
  if (
    last &&
    last.d === spec.d &&
    last.hidden[0] === spec.H &&
    last.activation === activation &&
    last.output === output
  ) {
    return last;
  }
  const key = `${spec.d} ${spec.H} ${activation} ${output}`;
  let model = oneLayerModels.get(key);
  if (!model) {
    model = makeModel({ d: spec.d, hidden: [spec.H], activation, output });
    if (oneLayerModels.size >= 1024) oneLayerModels.clear();
    oneLayerModels.set(key, model);
  }
  lastOneLayer = model;
  return model;
}

/** The same frozen Model for the same 2-layer network, so its layout is computed once. */
const oneLayerModels = new Map<string, Model>();
let lastOneLayer: Model | undefined;

/** Checks a list of hidden widths: 1 to 6 layers, each an integer in [1, 4096]. */
export function checkHidden(hidden: unknown, field = 'hidden'): readonly number[] {
  const { layers, width } = MODEL_LIMITS;
  if (!Array.isArray(hidden) || hidden.length < layers.min || hidden.length > layers.max) {
    const got = Array.isArray(hidden) ? `${hidden.length} layers` : String(hidden);
    throw new RangeError(`${field} must list ${layers.min} to ${layers.max} hidden layers, got ${got}`);
  }
  hidden.forEach((h: unknown, i) => {
    if (typeof h !== 'number' || !Number.isInteger(h) || h < width.min || h > width.max) {
      throw new RangeError(
        `${field}: layer ${i + 1}'s width must be an integer in [${width.min}, ${width.max}], got ${String(h)}`,
      );
    }
  });
  return hidden as readonly number[];
}

export function checkOutput(output: unknown, field = 'output'): Output {
  if (typeof output !== 'string' || !(OUTPUTS as readonly string[]).includes(output)) {
    throw new RangeError(`${field} must be one of ${OUTPUTS.join(', ')}, got ${String(output)}`);
  }
  return output as Output;
}

/**
 * Parses a list of hidden widths as the CLI (`--hidden 8,8,4`) and the page
 * (`&hidden=8,8,4`) write it: 1 to 6 integers separated by commas, spaces
 * around them allowed. "8,,8", "0,4", "8.5" and seven layers are refused, naming why.
 */
export function parseHidden(text: string, field = 'hidden'): number[] {
  const { layers, width } = MODEL_LIMITS;
  const entries = text.split(',').map((s) => s.trim());
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const form = `${layers.min} to ${layers.max} widths separated by commas, e.g. 8,8,4`;
  if (entries.length > layers.max) {
    throw new RangeError(`${field} must list ${form}; ${shown} has ${entries.length} layers`);
  }
  return entries.map((s, i) => {
    if (s === '') throw new RangeError(`${field} must list ${form}; in ${shown} layer ${i + 1}'s width is empty`);
    const h = /^\d+$/.test(s) ? Number(s) : NaN;
    if (!Number.isInteger(h) || h < width.min || h > width.max) {
      throw new RangeError(
        `${field}: layer ${i + 1}'s width must be an integer in [${width.min}, ${width.max}], got ${JSON.stringify(s)}`,
      );
    }
    return h;
  });
}

/** The hidden widths as parseHidden reads them: "8,8,4". */
export function formatHidden(hidden: readonly number[]): string {
  return hidden.join(',');
}

/** Labels fit the output: in [0, 1] for σ (ŷ is a probability), any finite number for the identity. */
export function checkLabels(output: Output, y: ArrayLike<number>, field = 'y'): void {
  for (let n = 0; n < y.length; n++) {
    const v = y[n]!;
    if (!Number.isFinite(v)) throw new RangeError(`${field}[${n}] is ${v}, must be a finite number`);
    if (output === 'sigmoid' && !(v >= 0 && v <= 1)) {
      throw new RangeError(
        `${field}[${n}] is ${v}, must be in [0, 1] with the sigmoid output (ŷ = σ(z) is a probability); ` +
          'regression labels need output identity',
      );
    }
  }
}

/** One tensor's place in the flat vector. */
export interface ModelSlot {
  /** W1, b1, W2, …: the math's name. */
  readonly name: string;
  /** Index of the first element in the flat vector. */
  readonly offset: number;
  readonly length: number;
  /** [rows, cols] for a matrix, [length] for a vector. */
  readonly shape: readonly number[];
}

/** Layer l (1-based, l = 1..L+1): W_l [H_l × H_{l−1}] and b_l [H_l]. */
export interface LayerSlots {
  readonly l: number;
  /** H_{l−1}: the layer's inputs. */
  readonly nin: number;
  /** H_l: the layer's units (1 for the output layer). */
  readonly nout: number;
  readonly W: ModelSlot;
  readonly b: ModelSlot;
}

export interface ModelLayout {
  /** layers[l − 1] holds W_l and b_l, l = 1..L+1; the last is the output layer. */
  readonly layers: readonly LayerSlots[];
  /** Every slot in flat order: W1, b1, W2, b2, … */
  readonly slots: readonly ModelSlot[];
  /** Number of parameters. */
  readonly size: number;
}

/** H_0 = d, H_1..H_L, H_{L+1} = 1. */
export function widths({ d, hidden }: ModelShape): number[] {
  return [d, ...hidden, 1];
}

/** Layouts of frozen shapes (every Model from makeModel), computed once: the matrix form asks for one each pass. */
const layouts = new WeakMap<ModelShape, ModelLayout>();

/** Offsets, lengths and shapes of W1, b1, …, W_{L+1}, b_{L+1} in the flat vector. */
export function modelLayout(shape: ModelShape): ModelLayout {
  const frozen = Object.isFrozen(shape) && Object.isFrozen(shape.hidden);
  const known = frozen ? layouts.get(shape) : undefined;
  if (known) return known;
  const layout = computeLayout(shape);
  if (frozen) layouts.set(shape, layout);
  return layout;
}

function computeLayout(shape: ModelShape): ModelLayout {
  const dims = widths(shape);
  const layers: LayerSlots[] = [];
  let offset = 0;
  for (let l = 1; l < dims.length; l++) {
    const nin = dims[l - 1]!;
    const nout = dims[l]!;
    const W: ModelSlot = { name: `W${l}`, offset, length: nout * nin, shape: [nout, nin] };
    offset += nout * nin;
    const b: ModelSlot = { name: `b${l}`, offset, length: nout, shape: [nout] };
    offset += nout;
    layers.push({ l, nin, nout, W, b });
  }
  return Object.freeze({ layers, slots: layers.flatMap((s) => [s.W, s.b]), size: offset });
}

/** The number of parameters. */
export function parameterCount(shape: ModelShape): number {
  return modelLayout(shape).size;
}

/** Whether flat element k is a weight (an entry of some W_l), the elements the L1/L2 penalty counts. */
export function weightMask(shape: ModelShape): Uint8Array {
  const L = modelLayout(shape);
  const mask = new Uint8Array(L.size);
  for (const { W } of L.layers) mask.fill(1, W.offset, W.offset + W.length);
  return mask;
}

/**
 * The math's name of a flat-layout element, indices from 0 as code and JSON count
 * (W2[3][1], b1[0], W3[0][2], b3[0]) or from `from` = 1 as the page counts; layers are numbered from 1 either way.
 */
export function modelElementName(shape: ModelShape, k: number, from: 0 | 1 = 0): string {
  for (const { W, b } of modelLayout(shape).layers) {
    if (k >= W.offset && k < W.offset + W.length) {
      const i = k - W.offset;
      return `${W.name}[${Math.floor(i / W.shape[1]!) + from}][${(i % W.shape[1]!) + from}]`;
    }
    if (k >= b.offset && k < b.offset + b.length) return `${b.name}[${k - b.offset + from}]`;
  }
  throw new RangeError(`parameter index ${k} is outside 0..${parameterCount(shape) - 1}`);
}

/** One layer in the math's shapes: W_l as H_l rows of H_{l−1}, b_l of length H_l. */
export interface NestedLayer {
  W: number[][];
  b: number[];
}

/** The parameters in the math's shapes: entry l − 1 holds W_l and b_l. */
export function toNestedModel(shape: ModelShape, flat: ArrayLike<number>): NestedLayer[] {
  const L = checkModelParams(shape, flat);
  const slice = (s: ModelSlot) => Array.from({ length: s.length }, (_, i) => flat[s.offset + i]!);
  return L.layers.map(({ W, b, nin, nout }) => {
    const v = slice(W);
    return { W: Array.from({ length: nout }, (_, j) => v.slice(j * nin, (j + 1) * nin)), b: slice(b) };
  });
}

/** The flat vector of nested parameters (the inverse of toNestedModel); the error names the tensor and row. */
export function fromNestedModel(shape: ModelShape, nested: readonly NestedLayer[]): Float64Array {
  const L = modelLayout(shape);
  if (nested.length !== L.layers.length) {
    throw new RangeError(`parameters: expected ${L.layers.length} layers, got ${nested.length}`);
  }
  const flat = new Float64Array(L.size);
  L.layers.forEach(({ W, b, nin, nout }, i) => {
    const { W: rows, b: bias } = nested[i]!;
    if (rows.length !== nout) throw new RangeError(`parameters: ${W.name} must have ${nout} rows, got ${rows.length}`);
    rows.forEach((row, j) => {
      if (row.length !== nin) {
        throw new RangeError(`parameters: ${W.name}[${j}] must have ${nin} entries, got ${row.length}`);
      }
      flat.set(row, W.offset + j * nin);
    });
    if (bias.length !== nout)
      throw new RangeError(`parameters: ${b.name} must have ${nout} entries, got ${bias.length}`);
    flat.set(bias, b.offset);
  });
  return flat;
}

/**
 * The scalar engine lists an MLP's parameters neuron by neuron, layer by layer
 * (for each unit j of layer l: row j of W_l, then b_l[j]). These two functions
 * convert between that order and the flat layout.
 */
export function fromEngineOrderModel(shape: ModelShape, engine: ArrayLike<number>): Float64Array {
  const L = modelLayout(shape);
  if (engine.length !== L.size) throw new RangeError(`expected ${L.size} parameters, got ${engine.length}`);
  const flat = new Float64Array(L.size);
  let e = 0;
  for (const { W, b, nin, nout } of L.layers) {
    for (let j = 0; j < nout; j++) {
      for (let i = 0; i < nin; i++) flat[W.offset + j * nin + i] = engine[e++]!;
      flat[b.offset + j] = engine[e++]!;
    }
  }
  return flat;
}

export function toEngineOrderModel(shape: ModelShape, flat: ArrayLike<number>): Float64Array {
  const L = checkModelParams(shape, flat);
  const engine = new Float64Array(L.size);
  let e = 0;
  for (const { W, b, nin, nout } of L.layers) {
    for (let j = 0; j < nout; j++) {
      for (let i = 0; i < nin; i++) engine[e++] = flat[W.offset + j * nin + i]!;
      engine[e++] = flat[b.offset + j]!;
    }
  }
  return engine;
}

/** The layout, after checking that `flat` has its size; the error names the shape. */
export function checkModelParams(shape: ModelShape, flat: ArrayLike<number>): ModelLayout {
  const L = modelLayout(shape);
  if (flat.length !== L.size) {
    throw new RangeError(
      `parameters: expected ${L.size} values for d=${shape.d}, hidden=${formatHidden(shape.hidden)}, got ${flat.length}`,
    );
  }
  return L;
}
