/**
 * What `npm run train` reports, for both backends: the JSON shape and its
 * text form. Parameters and gradients are nested in the math's shapes.
 */
import type { AdapterSummary } from '../gpu/device.js';
import { describeAdapter } from '../gpu/device.js';
import type { BoundedComparison } from '../mlp/bounds/compare.js';
import type { TrainConfig } from '../mlp/config.js';
import type { Dataset } from '../mlp/data/data.js';
import { type NestedParams, paramLayout, type TensorName } from '../mlp/spec.js';

export interface GradientCheck {
  /** How each element's bound is derived (no fixed tolerance). */
  tolerance: { method: 'per-element f32 error bound'; why: string };
  pass: boolean;
  /** Largest |gpu − cpu| / bound over all gradients (≤ 1 passes). */
  maxFraction: number;
  /** Gradients that depend on a ReLU gate f32 may set either way: checked against a bound admitting both. */
  gateUncertain: number;
  tensors: {
    tensor: TensorName;
    maxAbsError: number;
    maxFraction: number;
    /** Over the elements f32 resolves (|cpu| ≥ 100·bound); absent where none is. */
    maxRelError?: number;
    gateUncertain: number;
    pass: boolean;
  }[];
  /** Each gradient's bound on |gpu − cpu|, in the math's shapes. */
  bounds: NestedParams;
}

export interface Snapshot {
  params: NestedParams;
  grads: { cpu: NestedParams; gpu?: NestedParams };
  /** GPU against CPU gradients at these parameters (GPU backend only). */
  gradientCheck?: GradientCheck;
  loss: number;
}

export interface TrainReport {
  backend: 'cpu' | 'gpu';
  /** The GPU adapter; absent on the CPU backend. */
  adapter?: AdapterSummary;
  engine: string;
  /** The GPU kernel that trained (absent on the CPU backend) and why the chooser picked it. */
  kernel?: string;
  kernelWhy?: string;
  config: TrainConfig & { d: number; N: number; data: string };
  initial: Snapshot;
  final: Snapshot & { accuracy: number; predictions: number[] };
  seconds: number;
  stepsPerSecond: number;
}

/** JSON has no Infinity (it would print null): a difference over a zero bound reads as the largest double, still > 1. */
const finite = (v: number): number => (Number.isFinite(v) ? v : Number.MAX_VALUE);

export function gradientCheck(c: BoundedComparison, bounds: NestedParams): GradientCheck {
  return {
    tolerance: { method: 'per-element f32 error bound', why: c.method },
    pass: c.pass,
    maxFraction: finite(c.maxFraction),
    gateUncertain: c.gateUncertain,
    tensors: c.tensors.map(({ tensor, maxAbsError, maxFraction, maxRelError, gateUncertain, pass }) => ({
      tensor: tensor as TensorName,
      maxAbsError: finite(maxAbsError),
      maxFraction: finite(maxFraction),
      ...(maxRelError === null ? {} : { maxRelError: finite(maxRelError) }),
      gateUncertain,
      pass,
    })),
    bounds,
  };
}

/**
 * Refuses to let a non-finite number (NaN, ±Infinity, which JSON would print as
 * null) or a null reach the output as a result: throws naming the first such
 * field, e.g. `final.params.W1[0][0] is -Infinity`. Every report passes through here.
 */
export function checkReportFinite(value: unknown, path = 'report'): void {
  if (value === null) throw new ReportValueError(`${path} is null`);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ReportValueError(`${path} is ${value}`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkReportFinite(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && value !== undefined) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      if (v !== undefined) checkReportFinite(v, `${path}.${k}`);
  }
}

export class ReportValueError extends Error {
  constructor(what: string) {
    super(
      `${what}; a non-finite value is never printed as a result (see README, "Overflow: f32 on the GPU, f64 on the CPU")`,
    );
    this.name = 'ReportValueError';
  }
}

/** The JSON form, one line, after checkReportFinite. */
export function reportJson(r: TrainReport): string {
  checkReportFinite(r);
  return `${JSON.stringify(r)}\n`;
}

/** The text form: config, adapter, losses, accuracy, predictions, and the gradient tables (after checkReportFinite). */
export function describeReport(r: TrainReport, data: Dataset): string {
  checkReportFinite(r);
  const c = r.config;
  const maxRows = 16;
  const rows = r.final.predictions.slice(0, maxRows).map((p, n) => {
    const x = Array.from(data.x.subarray(n * data.d, (n + 1) * data.d)).map((v) => fmtCell(v).padStart(8));
    return `  ${x.join('')}  ${fmtCell(data.y[n]!).padStart(6)}  ${p.toFixed(4)}`;
  });
  if (r.final.predictions.length > maxRows) rows.push(`  ... ${r.final.predictions.length - maxRows} more`);
  const header = `  ${Array.from({ length: data.d }, (_, i) => `x${i + 1}`.padStart(8)).join('')}       y  yHat`;
  const correct = Math.round(r.final.accuracy * c.N);
  const lines = [
    `Backprop Lab: ${c.d}-${c.hidden}-1 MLP on ${c.data} (N=${c.N}), ${c.loss}, lr ${c.lr}, seed ${c.seed}, ${c.steps} steps, hidden activation ${c.activation}`,
    `backend: ${r.backend} (${r.engine})`,
    ...(r.kernel ? [`kernel:  ${r.kernel}, ${r.kernelWhy}`] : []),
  ];
  if (r.adapter)
    lines.push(
      `adapter: ${describeAdapter(r.adapter)}${r.adapter.source === 'swiftshader' ? ', a CPU implementation of Vulkan' : ''}`,
    );
  if (r.initial.gradientCheck)
    lines.push('', `GPU vs CPU gradients at step 0:`, ...gradientTable(r.initial.gradientCheck, c));
  if (r.final.gradientCheck)
    lines.push('', `GPU vs CPU gradients at step ${c.steps}:`, ...gradientTable(r.final.gradientCheck, c));
  lines.push(
    '',
    `initial loss ${r.initial.loss.toFixed(6)}`,
    `final loss   ${r.final.loss.toFixed(6)}`,
    `accuracy     ${(100 * r.final.accuracy).toFixed(1).replace(/\.0$/, '')}% (${correct}/${c.N})`,
    header,
    ...rows,
    `${c.steps} steps in ${r.seconds.toFixed(3)} s (${Math.round(r.stepsPerSecond).toLocaleString('en-US')} steps/s)`,
    '',
  );
  return lines.join('\n');
}

function gradientTable(g: GradientCheck, spec: { d: number; hidden: number }): string[] {
  const L = paramLayout({ d: spec.d, H: spec.hidden });
  const e = (x: number) => x.toExponential(2).padStart(10);
  const pct = (f: number) =>
    (f >= 100 ? `${f >= 1e6 ? '>1e6' : Math.round(f)}×` : `${(100 * f).toFixed(f < 0.1 ? 2 : 1)}%`).padStart(9);
  const lines = [
    `  tensor  shape      max abs err  bound used  verdict (each |gpu − cpu| within its own f32 error bound)`,
    ...g.tensors.map(
      (t) =>
        `  ${t.tensor.padEnd(6)}  ${L[t.tensor].shape.join('×').padEnd(9)}  ${e(t.maxAbsError)}   ${pct(t.maxFraction)}   ${t.pass ? 'pass' : 'FAIL'}`,
    ),
  ];
  if (g.gateUncertain > 0)
    lines.push(
      `  ${g.gateUncertain} gradients depend on a gate uncertain at f32 (|z1| within its bound of 0): checked against a bound admitting either side`,
    );
  return lines;
}

function fmtCell(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
