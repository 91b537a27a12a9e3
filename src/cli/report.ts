/**
 * What `npm run train` reports, for both backends: the JSON shape and its
 * text form. Parameters and gradients are nested in the math's shapes.
 */
import type { AdapterSummary } from '../gpu/device.js';
import { describeAdapter } from '../gpu/device.js';
import type { Comparison } from '../mlp/compare.js';
import type { TrainConfig } from '../mlp/config.js';
import type { Dataset } from '../mlp/data.js';
import { type NestedParams, paramLayout, type TensorName } from '../mlp/spec.js';

export interface GradientCheck {
  tolerance: { atol: number; rtol: number; why: string };
  pass: boolean;
  tensors: { tensor: TensorName; maxAbsError: number; maxRelError: number; pass: boolean }[];
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
  config: TrainConfig & { d: number; N: number; data: string };
  initial: Snapshot;
  final: Snapshot & { accuracy: number; predictions: number[] };
  seconds: number;
  stepsPerSecond: number;
}

export function gradientCheck(c: Comparison): GradientCheck {
  const { atol, rtol, why } = c.tolerance;
  return {
    tolerance: { atol, rtol, why },
    pass: c.pass,
    tensors: c.tensors.map(({ tensor, maxAbsError, maxRelError, pass }) => ({ tensor, maxAbsError, maxRelError, pass })),
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
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) checkReportFinite(v, `${path}.${k}`);
  }
}

export class ReportValueError extends Error {
  constructor(what: string) {
    super(`${what}; a non-finite value is never printed as a result (see README, "Overflow: f32 on the GPU, f64 on the CPU")`);
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
    `Backprop Lab: ${c.d}-${c.hidden}-1 MLP on ${c.data} (N=${c.N}), ${c.loss}, lr ${c.lr}, seed ${c.seed}, ${c.steps} steps`,
    `backend: ${r.backend} (${r.engine})`,
  ];
  if (r.adapter) lines.push(`adapter: ${describeAdapter(r.adapter)}${r.adapter.source === 'swiftshader' ? ', a CPU implementation of Vulkan' : ''}`);
  if (r.initial.gradientCheck) lines.push('', `GPU vs CPU gradients at step 0:`, ...gradientTable(r.initial.gradientCheck, c));
  if (r.final.gradientCheck) lines.push('', `GPU vs CPU gradients at step ${c.steps}:`, ...gradientTable(r.final.gradientCheck, c));
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
  return [
    `  tensor  shape      max abs err  max rel err  verdict (|gpu − cpu| ≤ ${g.tolerance.atol.toExponential()} + ${g.tolerance.rtol.toExponential()}·|value|)`,
    ...g.tensors.map(
      (t) =>
        `  ${t.tensor.padEnd(6)}  ${L[t.tensor].shape.join('×').padEnd(9)}  ${e(t.maxAbsError)}   ${e(t.maxRelError)}   ${t.pass ? 'pass' : 'FAIL'}`,
    ),
  ];
}

function fmtCell(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
