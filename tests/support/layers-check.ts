/**
 * The 'layers' kernel against the f64 oracle (src/mlp/reference.ts), element by element: at the parameters it holds
 * (inspect: gradients and every layer's per-row values over all rows), and step by step (each θ_t against one oracle
 * step from the GPU's own θ_{t−1} on the batch MatrixTrainer draws for step t), then the whole trajectory.
 *
 * Every element within its own derived bound: the one-layer bounds (shadowBounds, sgdStepBounds, a mini-batch as the
 * dataset of its rows) where they apply, the general network's (shadowBoundsModel, sgdStepBoundsModel) elsewhere.
 */
import type { HiddenActivation } from '../../src/engine/activation.js';
import type { LossKind } from '../../src/engine/losses.js';
import type { Readout } from '../../src/gpu/contract.js';
import { type LayersOptions, LayersTrainer } from '../../src/gpu/layers.js';
import { shadowBounds } from '../../src/mlp/bounds/bounds.js';
import { compareArrayWithBounds, compareWithBounds } from '../../src/mlp/bounds/compare.js';
import { shadowBoundsModel } from '../../src/mlp/bounds/bounds-model.js';
import { sgdStepBounds, sgdStepBoundsModel } from '../../src/mlp/bounds/step-bounds.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import { makeModel, type Model, modelLayout, type Output } from '../../src/mlp/model.js';
import { lossAndGradsModel } from '../../src/mlp/reference.js';
import { makeRng } from '../../src/mlp/rng.js';
import { MatrixTrainer } from '../../src/mlp/train/train-matrix.js';

export interface LayersCase {
  name: string;
  data: Dataset;
  model: Model;
  loss: LossKind;
  l1: number;
  l2: number;
  batch: number;
  seed: number;
  params: Float64Array;
  lr: number;
}

/** What failed, one line each (empty: everything within its bound or tolerance). */
export type Failures = string[];

/** The largest fraction of its derived bound any element used so far. */
export const worst = { derived: { fraction: 0, where: '' } };

function note(fraction: number, where: string, kind: keyof typeof worst = 'derived'): void {
  const w = worst[kind];
  if (fraction > w.fraction) [w.fraction, w.where] = [fraction, where];
}

/** Whether the derived bounds (one hidden layer, σ, no penalty) cover this case. */
function derived(c: LayersCase): boolean {
  return c.model.hidden.length === 1 && c.model.output === 'sigmoid' && c.l1 === 0 && c.l2 === 0;
}

/** The rows of a dataset as a dataset of their own, in that order (a mini-batch for the 2-layer bounds). */
function subset(data: Dataset, rows: ArrayLike<number>): Dataset {
  const { d } = data;
  const x = new Float64Array(rows.length * d);
  const y = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    x.set(data.x.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
    y[r] = data.y[rows[r]!]!;
  }
  return { d, N: rows.length, x, y };
}

/** The readout of inspect({ cache: true }) against the oracle at the same parameters, over every row. */
export function checkReadout(c: LayersCase, r: Readout, label: string): Failures {
  const out: Failures = [];
  const all = Uint32Array.from({ length: c.data.N }, (_, i) => i);
  const objective = { loss: c.loss, l1: c.l1, l2: c.l2 };
  const o = lossAndGradsModel(c.model, r.params, c.data, objective, all);
  if (derived(c)) {
    const spec = { d: c.model.d, H: c.model.hidden[0]!, activation: c.model.activation };
    const b = shadowBounds(spec, r.params, c.data, c.loss, { perSample: true });
    const tensors = [...compareWithBounds(spec, r.grads, b).tensors];
    if (r.cache && b.samples) {
      for (const name of ['z1', 'a1', 'z2', 'yHat', 'dz2', 'da1'] as const)
        tensors.push(compareArrayWithBounds(name, r.cache[name], b.samples[name].value, b.samples[name].bound));
      const dz1 = b.samples.dz1;
      tensors.push(compareArrayWithBounds('dz1', r.cache.dz1, dz1.value, dz1.bound, b.samples.gateUncertain));
    }
    for (const t of tensors) {
      note(t.maxFraction, `${label} ${t.tensor}`, 'derived');
      if (!t.pass) out.push(`${label} ${t.tensor}: ${t.maxFraction.toExponential(1)}× its derived bound`);
    }
  } else {
    // the general network: every element within its own derived bound (src/mlp/bounds/bounds-model.ts)
    const b = shadowBoundsModel(c.model, r.params, c.data, objective, { rows: all, perSample: true });
    const tensors = [compareArrayWithBounds('dL/dθ', r.grads, b.grads.value, b.grads.bound, b.gateUncertain)];
    const v = r.layers;
    if (!v || !b.samples) return [...out, `${label}: no per-row values`];
    b.samples.hidden.forEach((h, l) => {
      tensors.push(compareArrayWithBounds(`z${l + 1}`, v.z[l]!, h.z.value, h.z.bound));
      tensors.push(compareArrayWithBounds(`a${l + 1}`, v.a[l]!, h.a.value, h.a.bound, h.gateUncertain));
      tensors.push(compareArrayWithBounds(`da${l + 1}`, v.da[l]!, h.da.value, h.da.bound, h.daUncertain));
      tensors.push(compareArrayWithBounds(`δ${l + 1}`, v.delta[l]!, h.delta.value, h.delta.bound, h.deltaUncertain));
    });
    const { output } = b.samples;
    const L = b.samples.hidden.length;
    tensors.push(compareArrayWithBounds(`z${L + 1}`, v.z[L]!, output.z.value, output.z.bound));
    tensors.push(compareArrayWithBounds('ŷ', v.yHat, output.yHat.value, output.yHat.bound));
    for (const t of tensors) {
      note(t.maxFraction, `${label} ${t.tensor}`, 'derived');
      if (!t.pass) out.push(`${label} ${t.tensor}: ${t.maxFraction.toExponential(1)}× its derived bound`);
    }
  }
  if (!(Math.abs(r.loss - o.loss) <= 1e-5 * (1 + Math.abs(o.loss))))
    out.push(`${label} loss: GPU ${r.loss}, oracle ${o.loss}`);
  return out;
}

/** θ_t against one oracle step θ_{t−1} − lr·g(θ_{t−1}, batch t) from the GPU's own θ_{t−1}. */
export function checkStep(
  c: LayersCase,
  before: Float64Array,
  after: Float64Array,
  rows: ArrayLike<number>,
  label: string,
) {
  const lr = Math.fround(c.lr);
  if (derived(c)) {
    const spec = { d: c.model.d, H: c.model.hidden[0]!, activation: c.model.activation };
    const one = sgdStepBounds(spec, before, new Float64Array(before.length), subset(c.data, rows), c.loss, lr);
    const t = compareArrayWithBounds('θ', after, one.params, one.error);
    note(t.maxFraction, label, 'derived');
    return t.pass ? null : `${label}: ${t.maxFraction.toExponential(1)}× the derived one-step bound`;
  }
  const objective = { loss: c.loss, l1: c.l1, l2: c.l2 };
  const paramError = new Float64Array(before.length); // θ_{t−1} is the GPU's own, exactly
  const one = sgdStepBoundsModel(c.model, before, paramError, c.data, objective, lr, rows);
  const t = compareArrayWithBounds('θ', after, one.params, one.error, one.gateUncertain);
  note(t.maxFraction, label, 'derived');
  return t.pass ? null : `${label}: ${t.maxFraction.toExponential(1)}× the derived one-step bound`;
}

/** Everything at step 0 and through `steps` steps, one by one, then the trajectory against MatrixTrainer's. */
export async function checkLayers(
  device: GPUDevice,
  c: LayersCase,
  steps: number,
  extra: Partial<LayersOptions> = {},
): Promise<Failures> {
  const trainer = await LayersTrainer.create(device, {
    data: c.data,
    params: c.params,
    hidden: c.model.hidden,
    activation: c.model.activation,
    output: c.model.output,
    loss: c.loss,
    l1: c.l1,
    l2: c.l2,
    batch: c.batch,
    seed: c.seed,
    lr: c.lr,
    label: `test.${c.name}`,
    ...extra,
  });
  const cpu = new MatrixTrainer(c.data, c.params, {
    hidden: c.model.hidden,
    activation: c.model.activation,
    output: c.model.output,
    loss: c.loss,
    l1: c.l1,
    l2: c.l2,
    batch: c.batch,
    seed: c.seed,
    lr: Math.fround(c.lr),
  });
  const out: Failures = [];
  const real = structuredClone(worst); // a mutant's misses are not the real kernel's record
  try {
    out.push(...checkReadout(c, await trainer.inspect({ cache: true }), `${c.name} step 0`));
    let before = await trainer.readParams();
    for (let t = 1; t <= steps; t++) {
      trainer.step(1);
      const after = await trainer.readParams();
      const f = checkStep(c, before, after, cpu.rowsAt(t - 1), `${c.name} step ${t}`);
      if (f) out.push(f);
      cpu.step(1);
      before = after;
    }
    const r = await trainer.inspect({ cache: true });
    if (r.step !== steps) out.push(`${c.name}: ${r.step} steps done, expected ${steps}`);
    out.push(...checkReadout(c, r, `${c.name} step ${steps}`));
    // The whole trajectory: chained f32 steps drift, so this is the looser, relative check of TOLERANCES.trajectory.
    const size = Math.max(...Array.from(cpu.params, Math.abs));
    for (let k = 0; k < r.params.length; k++) {
      if (!(Math.abs(r.params[k]! - cpu.params[k]!) <= 2e-6 + 1e-4 * size)) {
        out.push(`${c.name} trajectory θ[${k}]: GPU ${r.params[k]}, MatrixTrainer ${cpu.params[k]}`);
        break;
      }
    }
  } finally {
    trainer.destroy();
    if (extra.shaderSource !== undefined) Object.assign(worst, real);
  }
  return out;
}

/** Parameters in [−1, 1)·(2/√nin) exact in f32, every fifth weight exactly 0 (where L1's subgradient is 0). */
export function layersParams(seed: number, model: Model): Float64Array {
  const rng = makeRng(seed);
  const layout = modelLayout(model);
  const p = new Float64Array(layout.size);
  for (const { W, b, nin } of layout.layers) {
    const scale = 2 / Math.sqrt(nin);
    for (let k = 0; k < W.length; k++) p[W.offset + k] = k % 5 === 2 ? 0 : Math.fround(scale * (2 * rng() - 1));
    for (let k = 0; k < b.length; k++) p[b.offset + k] = Math.fround(0.5 * (2 * rng() - 1));
  }
  return p;
}

/** x in [−2, 2)^d and labels for the output: 0/1 for BCE, [0, 1] for σ with MSE, [−2, 2) for the identity. */
export function layersData(seed: number, d: number, N: number, output: Output, loss: LossKind): Dataset {
  const rng = makeRng(seed);
  const x = Float64Array.from({ length: N * d }, () => Math.fround(4 * rng() - 2));
  const y = Float64Array.from({ length: N }, () =>
    Math.fround(output === 'identity' ? 4 * rng() - 2 : loss === 'bce' ? (rng() < 0.5 ? 0 : 1) : rng()),
  );
  return { d, N, x, y };
}

/** A case from its settings, data and parameters drawn from `seed`. */
export function layersCase(
  seed: number,
  fields: {
    d: number;
    N: number;
    hidden: number[];
    activation: HiddenActivation;
    output: Output;
    loss: LossKind;
    batch?: number;
    l1?: number;
    l2?: number;
    lr?: number;
  },
): LayersCase {
  const { d, N, hidden, activation, output, loss, l1 = 0, l2 = 0 } = fields;
  const model = makeModel({ d, hidden, activation, output });
  const batch = fields.batch ?? N;
  const name = `d=${d} hidden=${hidden.join(',')} ${activation} ${output} ${loss} N=${N} B=${batch} l1=${l1} l2=${l2}`;
  return {
    name,
    data: layersData(seed, d, N, output, loss),
    model,
    loss,
    l1,
    l2,
    batch,
    seed: seed + 7,
    params: layersParams(seed + 1, model),
    lr: fields.lr ?? 0.25,
  };
}
