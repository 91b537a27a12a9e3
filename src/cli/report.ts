/**
 * What `npm run train` reports, for both backends: the JSON shape and its
 * text form. Parameters and gradients are nested in the math's shapes,
 * W1, b1, …, W_{L+1}, b_{L+1}; a classifier (σ output) reports its accuracy, a
 * regression (identity output) its RMSE and R² on the training set.
 */
import type { AdapterSummary } from '../gpu/device.js';
import { describeAdapter } from '../gpu/device.js';
import type { Fit } from '../mlp/accuracy.js';
import type { BoundedComparison } from '../mlp/bounds/compare.js';
import { checkBatchSize } from '../mlp/batches.js';
import { hiddenList, type TrainConfig } from '../mlp/config.js';
import type { Dataset } from '../mlp/data/data.js';
import { makeModel, type Model, modelLayout, type ModelShape, type Output, toNestedModel } from '../mlp/model.js';
import { checkObjective, type Objective } from '../mlp/objective.js';
import type { TrainingOptions } from '../mlp/train/training-run.js';
import type { NestedParams } from '../mlp/spec.js';

/** Every layer's W_l (H_l rows of H_{l−1}) and b_l (H_l), keyed W1, b1, …, W_{L+1}, b_{L+1}. */
export type ModelParams = NestedParams & { [W: `W${number}`]: number[][] } & { [b: `b${number}`]: number[] };

/** The flat layout in the math's shapes, keyed by tensor name. */
export function nestedModel(shape: ModelShape, flat: ArrayLike<number>): ModelParams {
  const out: Record<string, number[] | number[][]> = {};
  toNestedModel(shape, flat).forEach(({ W, b }, i) => {
    out[`W${i + 1}`] = W;
    out[`b${i + 1}`] = b;
  });
  return out as unknown as ModelParams;
}

export interface GradientCheck {
  /** How each element's bound is derived (no fixed tolerance). */
  tolerance: { method: 'per-element f32 error bound'; why: string };
  pass: boolean;
  /** Largest |gpu − cpu| / bound over all gradients (≤ 1 passes). */
  maxFraction: number;
  /** Gradients that depend on a ReLU gate f32 may set either way: checked against a bound admitting both. */
  gateUncertain: number;
  tensors: {
    /** W1, b1, …, W_{L+1}, b_{L+1}. */
    tensor: string;
    maxAbsError: number;
    maxFraction: number;
    /** Over the elements f32 resolves (|cpu| ≥ 100·bound); absent where none is. */
    maxRelError?: number;
    gateUncertain: number;
    pass: boolean;
  }[];
  /** Each gradient's bound on |gpu − cpu|, in the math's shapes. */
  bounds: ModelParams;
}

export interface Snapshot {
  params: ModelParams;
  grads: { cpu: ModelParams; gpu?: ModelParams };
  /** GPU against CPU gradients at these parameters (GPU backend only). */
  gradientCheck?: GradientCheck;
  /** L_data + penalty over every training point (the GPU's own on the GPU). */
  loss: number;
  /**
   * Where a penalty is set: L_data and R = λ1 Σ|w| + (λ2/2) Σ w² at these parameters, the CPU trainer's own on the
   * CPU backends and the f64 oracle's at the GPU's parameters on the GPU.
   */
  dataLoss?: number;
  penalty?: number;
}

/** How well the final network fits, over every training point. */

/** The report's config: the flags as trained, with the widths as a list and the batch as a number. */
export type ReportConfig = Omit<TrainConfig, 'hidden' | 'output' | 'batch' | 'l1' | 'l2'> & {
  hidden: number[];
  output: Output;
  /** B, N for the full batch. */
  batch: number;
  l1: number;
  l2: number;
  d: number;
  N: number;
  data: string;
};

export interface TrainReport {
  /** cpu: the fast trainer; engine: the scalar autograd engine; gpu: the WGSL kernels. */
  backend: 'cpu' | 'engine' | 'gpu';
  /** The GPU adapter; absent on the CPU backends. */
  adapter?: AdapterSummary;
  engine: string;
  /** The GPU kernel that trained (absent on the CPU backends) and why the chooser picked it. */
  kernel?: string;
  kernelWhy?: string;
  config: ReportConfig;
  initial: Snapshot;
  final: Snapshot & Fit & { predictions: number[] };
  seconds: number;
  stepsPerSecond: number;
}

/** JSON has no Infinity (it would print null): a difference over a zero bound reads as the largest double, still > 1. */
const finite = (v: number): number => (Number.isFinite(v) ? v : Number.MAX_VALUE);

export function gradientCheck(c: BoundedComparison, bounds: ModelParams): GradientCheck {
  return {
    tolerance: { method: 'per-element f32 error bound', why: c.method },
    pass: c.pass,
    maxFraction: finite(c.maxFraction),
    gateUncertain: c.gateUncertain,
    tensors: c.tensors.map(({ tensor, maxAbsError, maxFraction, maxRelError, gateUncertain, pass }) => ({
      tensor,
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

/** "2-8-8-1": the widths from the input to the output. */
export function networkName(c: Pick<ReportConfig, 'd' | 'hidden'>): string {
  return [c.d, ...c.hidden, 1].join('-');
}

/** The text form: config, adapter, losses, the fit, predictions, and the gradient tables (after checkReportFinite). */
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
  // Only what differs from the defaults, so the default run's first line reads as it always has.
  const settings = [
    ...(c.output === 'sigmoid' ? [] : [`${c.output} output`]),
    ...(c.batch < c.N ? [`batch ${c.batch}`] : []),
    ...(c.l1 !== 0 ? [`l1 ${c.l1}`] : []),
    ...(c.l2 !== 0 ? [`l2 ${c.l2}`] : []),
  ];
  const lines = [
    `Backprop Lab: ${networkName(c)} MLP on ${c.data} (N=${c.N}), ${c.loss}, lr ${c.lr}, seed ${c.seed}, ${c.steps} steps, hidden activation ${c.activation}${settings.map((s) => `, ${s}`).join('')}`,
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
  const terms = (s: Snapshot) =>
    s.penalty === undefined || s.dataLoss === undefined
      ? []
      : [
          `  data term  ${s.dataLoss.toFixed(6)}`,
          `  penalty    ${s.penalty.toFixed(6)} (λ1 Σ|w| + (λ2/2) Σ w² over the weights, l1 ${c.l1}, l2 ${c.l2})`,
        ];
  const f = r.final;
  const fit =
    f.accuracy !== undefined
      ? [`accuracy     ${(100 * f.accuracy).toFixed(1).replace(/\.0$/, '')}% (${Math.round(f.accuracy * c.N)}/${c.N})`]
      : [
          `RMSE         ${fmtFit(f.rmse!)} (√(mean (ŷ − y)²) over the training set)`,
          f.r2 !== undefined
            ? `R²           ${fmtFit(f.r2)} (1 − SS_res/SS_tot over the training set)`
            : 'R²           undefined: every label is the same (SS_tot = 0)',
        ];
  lines.push(
    '',
    `initial loss ${r.initial.loss.toFixed(6)}`,
    ...terms(r.initial),
    `final loss   ${f.loss.toFixed(6)}`,
    ...terms(f),
    ...fit,
    header,
    ...rows,
    `${c.steps} steps in ${r.seconds.toFixed(3)} s (${Math.round(r.stepsPerSecond).toLocaleString('en-US')} steps/s)`,
    '',
  );
  return lines.join('\n');
}

function gradientTable(g: GradientCheck, c: Pick<ReportConfig, 'd' | 'hidden' | 'l1'>): string[] {
  const shapes = new Map(modelLayout({ d: c.d, hidden: c.hidden }).slots.map((s) => [s.name, s.shape.join('×')]));
  const e = (x: number) => x.toExponential(2).padStart(10);
  const pct = (f: number) =>
    (f >= 100 ? `${f >= 1e6 ? '>1e6' : Math.round(f)}×` : `${(100 * f).toFixed(f < 0.1 ? 2 : 1)}%`).padStart(9);
  const lines = [
    `  tensor  shape      max abs err  bound used  verdict (each |gpu − cpu| within its own f32 error bound)`,
    ...g.tensors.map(
      (t) =>
        `  ${t.tensor.padEnd(6)}  ${shapes.get(t.tensor)!.padEnd(9)}  ${e(t.maxAbsError)}   ${pct(t.maxFraction)}   ${t.pass ? 'pass' : 'FAIL'}`,
    ),
  ];
  const z = c.hidden.length === 1 ? 'z1' : 'z_l';
  const sign = c.l1 > 0 ? `, or under L1 a weight's sign (|w| within its bound of 0)` : '';
  if (g.gateUncertain > 0)
    lines.push(
      `  ${g.gateUncertain} gradients depend on a gate uncertain at f32 (|${z}| within its bound of 0)${sign}: checked against a bound admitting either side`,
    );
  return lines;
}

/** RMSE and R² with four significant digits past the point where they are small. */
function fmtFit(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3);
}

function fmtCell(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

/**
 * What a run trains, from its config and data: the network, the objective, B, the report's config, and the options
 * every trainer takes (the seed also draws each epoch's order where B < N).
 */
export function runOf(
  config: TrainConfig,
  data: Dataset,
  dataName: string,
): {
  network: Model;
  objective: Required<Objective>;
  batch: number;
  config: ReportConfig;
  options: TrainingOptions;
} {
  const hidden = [...hiddenList(config.hidden)];
  const output = config.output ?? 'sigmoid';
  const network = makeModel({ d: data.d, hidden, activation: config.activation, output });
  const objective = checkObjective(output, { loss: config.loss, l1: config.l1 ?? 0, l2: config.l2 ?? 0 });
  const batch = checkBatchSize(config.batch ?? data.N, data.N);
  const { lr, steps, seed, loss, activation } = config;
  const options: TrainingOptions = {
    hidden: network.hidden,
    lr,
    loss: objective.loss,
    activation: network.activation,
    output,
    l1: objective.l1,
    l2: objective.l2,
    batch,
    seed,
  };
  return {
    network,
    objective,
    batch,
    options,
    config: {
      hidden,
      lr,
      steps,
      seed,
      loss,
      activation,
      output,
      batch,
      l1: objective.l1,
      l2: objective.l2,
      d: data.d,
      N: data.N,
      data: dataName,
    },
  };
}
