/**
 * What every trainer, CPU or GPU, checks before it makes anything, written
 * once so each refuses the same input with the same words: the data's shape,
 * labels and values, the width, the loss, the activation, the parameter
 * vector, the learning rate and a step count. Each error is a RangeError that
 * names the field, its value and the allowed range. The CPU trainers compute
 * in f64; the GPU trainers ask for `f32: true`, which also refuses values
 * beyond f32's range (src/gpu/gpu-checks.ts adds the device's own limits).
 */
import { checkActivation, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import type { Dataset } from './data/data.js';
import { makeSpec, paramLayout, SPEC_LIMITS, type Spec } from './spec.js';

/** The range a value must fit: f64 for the CPU trainers, f32 for the GPU's buffers. */
export interface Precision {
  f32?: boolean;
}

/** What every one-network trainer takes. */
export interface NetworkInput {
  data: Dataset;
  hidden: number;
  loss: LossKind;
  /** The hidden activation f (default 'relu'). */
  activation?: HiddenActivation | undefined;
}

const finite = (v: number, { f32 = false }: Precision) => Number.isFinite(f32 ? Math.fround(v) : v);

/** Refuses NaN and ±Infinity (and, with `f32`, values beyond f32's range, ±3.4e38); `note` ends the message. */
export function checkFinite(name: string, xs: ArrayLike<number>, precision: Precision = {}, note = ''): void {
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i]!;
    if (typeof v !== 'number' || !finite(v, precision)) {
      const want = precision.f32 ? 'a finite f32 (|v| < 3.4e38)' : 'a finite number';
      throw new RangeError(`${name}[${i}] is ${String(v)}, must be ${want}${note}`);
    }
  }
}

/** A learning rate must be a finite number above 0 (with `f32`, within f32's range). */
export function checkLearningRate(name: string, lr: number, precision: Precision = {}): void {
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) {
    throw new RangeError(`${name} must be a finite number > 0, got ${String(lr)}`);
  }
  if (!finite(lr, precision)) {
    throw new RangeError(`${name} must be a finite number > 0 within f32's range (< 3.4e38), got ${lr}`);
  }
}

/** A step count: an integer ≥ 0. */
export function checkSteps(name: string, steps: number): void {
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`${name} must be an integer ≥ 0, got ${String(steps)}`);
  }
}

/** An optional count (steps per dispatch, per submit, chunk): an integer ≥ 1. */
export function checkCount(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be an integer ≥ 1, got ${String(n)}`);
}

/** The loss is one the project defines. */
export function checkLoss(loss: unknown): LossKind {
  if (!(LOSSES as readonly unknown[]).includes(loss)) {
    throw new RangeError(`loss must be one of ${LOSSES.join(', ')}, got ${String(loss)}`);
  }
  return loss as LossKind;
}

/**
 * The fields every trainer takes, without the data's values: d, N and the
 * width in range, x with N·d values and y with N, each label in [0, 1], the
 * loss and the activation.
 */
export function checkNetworkFields({ data, hidden, loss, activation }: NetworkInput): void {
  const { d, N } = data;
  for (const [name, v, key] of [
    ['data.d', d, 'd'],
    ['data.N', N, 'N'],
    ['hidden', hidden, 'H'],
  ] as const) {
    const { min, max } = SPEC_LIMITS[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
    }
  }
  if (data.x?.length !== N * d) {
    throw new RangeError(`data.x must have N·d = ${N}·${d} = ${N * d} values, got ${data.x?.length}`);
  }
  if (data.y?.length !== N) throw new RangeError(`data.y must have N = ${N} labels, got ${data.y?.length}`);
  for (let n = 0; n < N; n++) {
    const t = data.y[n]!;
    if (!(t >= 0 && t <= 1)) throw new RangeError(`data.y[${n}] must be a label in [0, 1], got ${String(t)}`);
  }
  checkLoss(loss);
  if (activation !== undefined) checkActivation('activation', activation);
}

/** Initial parameters: P values for this d and H, each finite (with `f32`, within f32's range). */
export function checkParams(
  spec: Pick<Spec, 'd' | 'H'>,
  params: ArrayLike<number>,
  precision: Precision = {},
  note = '',
): void {
  const P = paramLayout(spec).size;
  if (params?.length !== P) {
    throw new RangeError(`params: expected ${P} values for d=${spec.d}, H=${spec.H}, got ${params?.length}`);
  }
  checkFinite('params', params, precision, note);
}

/**
 * Everything a one-network trainer checks before it makes anything, in this
 * order: the fields, P finite parameters for this d and H, the learning rate,
 * and finite data. Returns the network's shape.
 */
export function checkNetworkInput(
  input: NetworkInput & { params: ArrayLike<number>; lr: number },
  precision: Precision = {},
  note = '',
): Spec {
  const { data, params, hidden, lr } = input;
  checkNetworkFields(input);
  const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
  checkParams(spec, params, precision, note);
  checkLearningRate('lr', lr, precision);
  checkFinite('data.x', data.x, precision, note);
  checkFinite('data.y', data.y, precision, note);
  return spec;
}
