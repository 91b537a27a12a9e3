/**
 * What stops a training run: the first step at which a loss, a gradient or an
 * updated parameter is NaN or ±Infinity. Every trainer (the scalar engine, the
 * matrix form, each GPU kernel) reports it the same way, as a `Fault`, and the
 * message names the step and the element in the math's names:
 *
 *   "step 2: W1[0][0] became −Infinity (the update θ − lr·dL/dθ overflowed f32); ..."
 *
 * The parameters a stopped run keeps are exactly those after step − 1.
 */
import { modelElementName, type ModelShape } from './model.js';
import { paramLayout, type Spec } from './spec.js';

/** What went non-finite, in the order the checks run within a step. */
export const FAULT_KINDS = ['loss', 'gradient', 'parameter'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault {
  /** The SGD step (1-based) that failed; the parameters kept are those after step − 1. */
  step: number;
  kind: FaultKind;
  /** The sample n for a loss, the flat-layout index for a gradient or a parameter. */
  index: number;
  /** NaN, Infinity or −Infinity. */
  value: number;
  /** The arithmetic it happened in. */
  precision: 'f32' | 'f64';
}

/** The math's name of a flat-layout element: W1[j][i], b1[j], W2[0][j] or b2[0]. */
export function elementName(spec: Pick<Spec, 'd' | 'H'>, k: number): string {
  const L = paramLayout(spec);
  if (k < L.b1.offset) return `W1[${Math.floor(k / spec.d)}][${k % spec.d}]`;
  if (k < L.W2.offset) return `b1[${k - L.b1.offset}]`;
  if (k < L.b2.offset) return `W2[0][${k - L.W2.offset}]`;
  return `b2[${k - L.b2.offset}]`;
}

/** NaN, Infinity or −Infinity as words (the minus sign is U+2212, as in the docs). */
export function nonFiniteName(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '−Infinity';
}

/** How a message names a flat-layout element and a sample. */
export interface FaultNames {
  element(k: number): string;
  sample(n: number): string;
  /** NaN, Infinity or −Infinity in words (default nonFiniteName). */
  value?(v: number): string;
}

/** The names of code and JSON, counted from 0: W1[0][0], sample 0 (the page counts from 1 and passes its own). */
export function codeNames(spec: Pick<Spec, 'd' | 'H'>): FaultNames {
  return { element: (k) => elementName(spec, k), sample: (n) => String(n) };
}

/** One line: the step, what became non-finite, why, and what was kept. */
export function describeFault(spec: Pick<Spec, 'd' | 'H'>, f: Fault, names: FaultNames = codeNames(spec)): string {
  const became = (names.value ?? nonFiniteName)(f.value);
  const what =
    f.kind === 'loss'
      ? `the loss of sample ${names.sample(f.index)} became ${became} (the forward pass overflowed ${f.precision})`
      : f.kind === 'gradient'
        ? `d${names.element(f.index)} became ${became} (the backward pass overflowed ${f.precision})`
        : `${names.element(f.index)} became ${became} (${Number.isNaN(f.value) ? 'the update was NaN' : `the update overflowed ${f.precision}`})`;
  const kept = f.step <= 1 ? 'the initial parameters' : `the parameters after step ${f.step - 1}`;
  return `step ${f.step}: ${what}; training stopped and kept ${kept}; lower the learning rate or rescale the data`;
}

/** codeNames for any depth: W3[0][2], b2[1], … (the same names as codeNames for one hidden layer). */
export function modelCodeNames(shape: ModelShape): FaultNames {
  return { element: (k) => modelElementName(shape, k), sample: (n) => String(n) };
}

export class TrainingDivergedError extends Error {
  readonly step: number;
  constructor(
    readonly fault: Fault,
    /** The network's shape, to name the element again in other words (the page counts from 1); H is H_1. */
    readonly spec: Pick<Spec, 'd' | 'H'>,
    /** The whole network, for any depth (the message names its elements; for one hidden layer as `spec` does). */
    readonly model?: ModelShape,
  ) {
    super(describeFault(spec, fault, model ? modelCodeNames(model) : codeNames(spec)));
    this.name = 'TrainingDivergedError';
    this.step = fault.step;
  }
}

/**
 * The first non-finite value of one step, checked in the kernels' order: the
 * per-sample losses, then the gradients, then the updated parameters (each in
 * flat-layout order). Null when all are finite.
 */
export function firstFault(
  step: number,
  precision: Fault['precision'],
  losses: ArrayLike<number>,
  grads: ArrayLike<number>,
  updated: ArrayLike<number> | null,
): Fault | null {
  const groups: [FaultKind, ArrayLike<number> | null][] = [
    ['loss', losses],
    ['gradient', grads],
    ['parameter', updated],
  ];
  for (const [kind, xs] of groups) {
    if (!xs) continue;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]!)) return { step, kind, index: i, value: xs[i]!, precision };
    }
  }
  return null;
}
