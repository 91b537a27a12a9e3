/**
 * SGD with the matrix form's arithmetic (src/mlp/reference.ts), written to be fast on a CPU: the CLI's
 * `--backend cpu`, the page's CPU fallback and the CPU map use it. Any depth, every hidden activation, either
 * output, L1/L2 and mini-batches (src/mlp/batches.ts), in f64.
 *
 * Every buffer is a Float64Array allocated once (θ, dL/dθ, the proposed θ′, one row's activations and δs, the
 * per-sample losses); a step allocates nothing but the mini-batch's row view. The batch is processed one row at a
 * time, forward then backward, each gradient element summed over the rows in batch order, so every number is the
 * one lossAndGradsModel computes, in the same order: the two agree to the last bit, not only to rounding.
 * f′ is read off the activation itself (tanh′ = 1 − a², σ′ = a(1 − a), a gate open where a > 0), as the matrix
 * form's f′(z) gives it exactly.
 *
 * Like every trainer it checks each step's per-sample losses, gradients and updated parameters, and stops at the
 * first non-finite one with a TrainingDivergedError, keeping the parameters of the step before. It touches neither
 * the DOM nor Node, so a Web Worker can run it.
 */
import { type HiddenActivation, LEAKY_SLOPE } from '../../engine/activation.js';
import { sigmoid, softplus } from '../../engine/value.js';
import type { BatchSchedule } from '../batches.js';
import { checkLearningRate, checkSteps } from '../checks.js';
import type { Dataset } from '../data/data.js';
import { firstFault, TrainingDivergedError } from '../divergence.js';
import { type Model, modelLayout } from '../model.js';
import type { Objective } from '../objective.js';
import { allRows, type LossTerms } from '../reference.js';
import type { Spec } from '../spec.js';
import { checkTrainingRun, type TrainingOptions } from './training-run.js';

/** The options every CPU trainer takes (./training-run.ts). */
export type FastTrainerOptions = TrainingOptions;

// The hidden activation as a small integer: the loops branch on it rather than call f through a table.
export const RELU = 0;
export const LEAKY = 1;
export const TANH = 2;
export const SIGMOID = 3;
const CODES: Readonly<Record<HiddenActivation, number>> = { relu: RELU, leaky: LEAKY, tanh: TANH, sigmoid: SIGMOID };

export class FastTrainer {
  /** d, N and H = H_1 (the whole network for one hidden layer; `model` describes any depth). */
  readonly spec: Spec;
  /** The whole network. */
  readonly model: Model;
  readonly objective: Required<Objective>;
  /** The mini-batch size B. */
  readonly batch: number;
  /** θ in the flat layout, live: each step writes it in place. */
  readonly params: Float64Array;
  /** Steps taken so far. */
  stepCount = 0;

  private rate: number;
  private readonly schedule: BatchSchedule | null;
  private readonly everyRow: Uint32Array;
  // Layer l = 0..L (L the output layer): W_{l+1} (nout × nin) at wOff[l], b_{l+1} at bOff[l]; it reads its input
  // at aOff[l] of `acts` (x itself for l = 0) and writes its output at aOff[l + 1].
  protected readonly nin: Int32Array;
  protected readonly nout: Int32Array;
  protected readonly wOff: Int32Array;
  protected readonly bOff: Int32Array;
  protected readonly aOff: Int32Array;
  /** One row's a_1, …, a_L (the first d entries, x's place, unused: x is read in place). */
  protected readonly acts: Float64Array;
  /** One row's Wᵀδ for the hidden layers below the last (f′ not yet applied), in the layout of `acts`. */
  protected readonly deltas: Float64Array;
  /** ∂L_total/∂θ of the current batch. */
  protected readonly grads: Float64Array;
  /** θ′ = θ − lr·dL/dθ, written to θ only when every value of the step is finite. */
  private readonly next: Float64Array;
  /** ℓ of each row of the current pass (N of them, for a pass over every point). */
  protected readonly rowLosses: Float64Array;
  protected readonly act: number;
  protected readonly sigmoidOut: boolean;
  protected readonly bce: boolean;
  protected readonly l1: number;
  protected readonly l2: number;
  private readonly penalized: boolean;
  /** The last step's loss terms, kept as numbers so that a step allocates nothing (NaN before the first). */
  private lastTotal = NaN;
  private lastData = NaN;
  private lastPenalty = NaN;

  constructor(
    readonly data: Dataset,
    initial: ArrayLike<number>,
    options: FastTrainerOptions,
  ) {
    ({
      spec: this.spec,
      model: this.model,
      objective: this.objective,
      batch: this.batch,
      schedule: this.schedule,
    } = checkTrainingRun(data, initial, options));
    this.rate = options.lr;
    this.params = Float64Array.from(initial);
    this.everyRow = allRows(data.N);
    const { layers, size } = modelLayout(this.model);
    const n = layers.length;
    this.nin = Int32Array.from(layers, (s) => s.nin);
    this.nout = Int32Array.from(layers, (s) => s.nout);
    this.wOff = Int32Array.from(layers, (s) => s.W.offset);
    this.bOff = Int32Array.from(layers, (s) => s.b.offset);
    this.aOff = new Int32Array(n + 1);
    for (let l = 0; l < n; l++) this.aOff[l + 1] = this.aOff[l]! + layers[l]!.nin;
    this.acts = new Float64Array(this.aOff[n]!);
    this.deltas = new Float64Array(this.acts.length);
    this.grads = new Float64Array(size);
    this.next = new Float64Array(size);
    this.rowLosses = new Float64Array(data.N);
    this.act = CODES[this.model.activation];
    this.sigmoidOut = this.model.output === 'sigmoid';
    this.bce = this.objective.loss === 'bce';
    this.l1 = this.objective.l1;
    this.l2 = this.objective.l2;
    this.penalized = this.l1 !== 0 || this.l2 !== 0;
  }

  /** The SGD learning rate; may be changed between steps (a finite number > 0). */
  get lr(): number {
    return this.rate;
  }

  set lr(lr: number) {
    checkLearningRate('lr', lr);
    this.rate = lr;
  }

  /** The loss terms of the last step's batch, before its update (null before the first step). */
  get lastLoss(): LossTerms | null {
    if (Number.isNaN(this.lastTotal)) return null;
    return { loss: this.lastTotal, dataLoss: this.lastData, penalty: this.lastPenalty };
  }

  /** The dataset rows step t (from 0) uses: all of them in order for the full batch. */
  rowsAt(t: number): Uint32Array {
    return this.schedule ? this.schedule.at(t) : this.everyRow;
  }

  /** Runs k SGD steps, each on its batch; returns the loss (L_data + penalty) of the last step's batch before its update. */
  step(k = 1): number {
    checkSteps('steps', k);
    const { params, grads, next } = this;
    const P = params.length;
    let loss = NaN;
    for (let t = 0; t < k; t++) {
      const rows = this.rowsAt(this.stepCount);
      const B = rows.length;
      const sum = this.pass(rows, B, true);
      const dataLoss = sum / B;
      const penalty = this.penaltyValue();
      loss = dataLoss + penalty;
      if (this.penalized) this.addPenaltyGradient();
      // θ′ = θ − lr·dL/dθ; `bad` turns NaN on the first non-finite θ′ (a non-finite gradient makes one too)
      const lr = this.rate;
      let bad = 0;
      for (let j = 0; j < P; j++) {
        const v = params[j]! - lr * grads[j]!;
        next[j] = v;
        bad += v - v;
      }
      const step = this.stepCount + 1;
      if (bad !== 0 || !Number.isFinite(sum) || !Number.isFinite(loss)) this.fail(step, rows, loss);
      params.set(next);
      this.lastTotal = loss;
      this.lastData = dataLoss;
      this.lastPenalty = penalty;
      this.stepCount = step;
    }
    return loss;
  }

  /** The loss (L_data + penalty) over the whole dataset at the current parameters. */
  loss(): number {
    return this.losses().loss;
  }

  /** Both terms of the loss over the whole dataset at the current parameters, and their sum. */
  losses(): LossTerms {
    const N = this.data.N;
    const dataLoss = this.pass(this.everyRow, N, false) / N;
    const penalty = this.penaltyValue();
    return { loss: dataLoss + penalty, dataLoss, penalty };
  }

  /** ∂L_total/∂θ over every training point at the current parameters, flat layout, without updating. */
  gradients(): Float64Array {
    this.pass(this.everyRow, this.data.N, true);
    if (this.penalized) this.addPenaltyGradient();
    return this.grads.slice();
  }

  /** ŷ for every training point at the current parameters. */
  predictions(): Float64Array {
    const yHat = new Float64Array(this.data.N);
    this.pass(this.everyRow, this.data.N, false, yHat);
    return yHat;
  }

  /**
   * One pass over `rows`: each row forward, its loss into rowLosses, and with `backward` its gradient added to
   * `grads` (zeroed first; the penalty's is not included), or with `yHatOut` its ŷ there. Returns Σ ℓ over the rows,
   * summed in their order.
   */
  protected pass(rows: Uint32Array, B: number, backward: boolean, yHatOut: Float64Array | null = null): number {
    if (this.nin.length === 2) return this.passOne(rows, B, backward, yHatOut);
    const { params: p, acts, deltas: dl, grads: g, nin, nout, wOff, bOff, aOff, act, rowLosses } = this;
    const { x, y, d } = this.data;
    const L = nin.length - 1; // hidden layers; layer L is the output
    const top = L - 1; // the last hidden layer
    const wOut = wOff[L]!;
    const bOut = bOff[L]!;
    const HL = nin[L]!;
    const aL = aOff[L]!;
    const sigmoidOut = this.sigmoidOut;
    const bce = this.bce;
    if (backward) g.fill(0);
    let sum = 0;
    for (let r = 0; r < B; r++) {
      const n = rows[r]!;
      const xb = n * d;
      // forward: a = f(W a_prev + b) for each hidden layer, a_0 = x read in place
      for (let l = 0; l < L; l++) {
        const ni = nin[l]!;
        const no = nout[l]!;
        const w0 = wOff[l]!;
        const b0 = bOff[l]!;
        const dst = aOff[l + 1]!;
        const v = l === 0 ? x : acts;
        const s = l === 0 ? xb : aOff[l]!;
        for (let j = 0; j < no; j++) {
          let acc = p[b0 + j]!;
          const w = w0 + j * ni;
          for (let i = 0; i < ni; i++) acc += p[w + i]! * v[s + i]!;
          acts[dst + j] = acc;
        }
        activate(acts, dst, no, act);
      }
      let z = p[bOut]!;
      for (let j = 0; j < HL; j++) z += p[wOut + j]! * acts[aL + j]!;
      const t = y[n]!;
      const yHat = sigmoidOut ? sigmoid(z) : z;
      if (yHatOut) yHatOut[r] = yHat;
      const e = yHat - t;
      // ℓ: BCE as softplus(z) − y·z from the logit (stable), MSE as (ŷ − y)²
      const loss = bce ? softplus(z) - t * z : e * e;
      rowLosses[r] = loss;
      sum += loss;
      if (!backward) continue;
      // δ_{L+1}: (ŷ − y)/B for BCE; 2(ŷ − y)/B for MSE, times σ′ = ŷ(1 − ŷ) for the σ output
      const dz = bce ? e / B : sigmoidOut ? (2 * e * yHat * (1 - yHat)) / B : (2 * e) / B;
      g[bOut] += dz;
      // the output layer's dW, and W_outᵀ δ_out left in `deltas` for the last hidden layer, as each layer leaves it
      for (let k = 0; k < HL; k++) {
        g[wOut + k] += dz * acts[aL + k]!;
        dl[aL + k] = p[wOut + k]! * dz;
      }
      // every hidden layer, from the top: δ = (Wᵀδ) ⊙ f′ from the sums the layer above left in `deltas`, a row of W
      // at a time, its db and dW, and Wᵀδ to the layer below
      for (let l = top; l >= 0; l--) {
        const ni = nin[l]!;
        const no = nout[l]!;
        const w0 = wOff[l]!;
        const b0 = bOff[l]!;
        const s = aOff[l]!;
        const dst = aOff[l + 1]!;
        for (let k = 0; k < no; k++) {
          const gk = gate(act, dl[dst + k]!, acts[dst + k]!);
          g[b0 + k] += gk;
          const w = w0 + k * ni;
          if (l === 0) {
            for (let i = 0; i < ni; i++) g[w + i] += gk * x[xb + i]!;
          } else if (k === 0) {
            for (let i = 0; i < ni; i++) {
              g[w + i] += gk * acts[s + i]!;
              dl[s + i] = p[w + i]! * gk;
            }
          } else {
            for (let i = 0; i < ni; i++) {
              g[w + i] += gk * acts[s + i]!;
              dl[s + i] += p[w + i]! * gk;
            }
          }
        }
      }
    }
    return sum;
  }

  /**
   * pass() for one hidden layer, the network most runs train (XOR, the spiral, every network of the map): the same
   * arithmetic in the same order, without the loops over layers (measured about 15% faster).
   */
  private passOne(rows: Uint32Array, B: number, backward: boolean, yHatOut: Float64Array | null): number {
    const { params: p, acts, grads: g, act, rowLosses } = this;
    const { x, y, d } = this.data;
    const H = this.nout[0]!;
    const b1 = this.bOff[0]!;
    const w2 = this.wOff[1]!;
    const b2 = this.bOff[1]!;
    const sigmoidOut = this.sigmoidOut;
    const bce = this.bce;
    if (backward) g.fill(0);
    let sum = 0;
    for (let r = 0; r < B; r++) {
      const n = rows[r]!;
      const xb = n * d;
      // every dataset of the page is a set of points in the plane: for d = 2 the loops over x are written out
      // (measured 20–40% faster on the spiral), the sums in the same order
      const x0 = x[xb]!;
      const x1 = d === 2 ? x[xb + 1]! : 0;
      // z1 = W1 x + b1, a1 = f(z1)
      for (let j = 0; j < H; j++) {
        let acc = p[b1 + j]!;
        const w = j * d;
        if (d === 2) acc = acc + p[w]! * x0 + p[w + 1]! * x1;
        else for (let i = 0; i < d; i++) acc += p[w + i]! * x[xb + i]!;
        acts[j] = acc;
      }
      activate(acts, 0, H, act);
      let z = p[b2]!;
      for (let j = 0; j < H; j++) z += p[w2 + j]! * acts[j]!;
      const t = y[n]!;
      const yHat = sigmoidOut ? sigmoid(z) : z;
      if (yHatOut) yHatOut[r] = yHat;
      const e = yHat - t;
      const loss = bce ? softplus(z) - t * z : e * e; // as pass()
      rowLosses[r] = loss;
      sum += loss;
      if (!backward) continue;
      const dz2 = bce ? e / B : sigmoidOut ? (2 * e * yHat * (1 - yHat)) / B : (2 * e) / B;
      g[b2] += dz2;
      // dW2 += δ2 a1, δ1 = (W2ᵀ δ2) ⊙ f′(z1), db1 += δ1, dW1 += δ1 xᵀ, a hidden unit at a time
      for (let k = 0; k < H; k++) {
        const a = acts[k]!;
        g[w2 + k] += dz2 * a;
        const dz1 = gate(act, p[w2 + k]! * dz2, a);
        g[b1 + k] += dz1;
        const w = k * d;
        if (d === 2) {
          g[w] += dz1 * x0;
          g[w + 1] += dz1 * x1;
        } else for (let i = 0; i < d; i++) g[w + i] += dz1 * x[xb + i]!;
      }
    }
    return sum;
  }

  /** R = λ1 Σ|w| + (λ2/2) Σ w² over the weights (0 without a penalty). */
  private penaltyValue(): number {
    if (!this.penalized) return 0;
    const { params: p, nin, nout, wOff } = this;
    let abs = 0;
    let sq = 0;
    for (let l = 0; l < nin.length; l++) {
      const end = wOff[l]! + nin[l]! * nout[l]!;
      for (let k = wOff[l]!; k < end; k++) {
        const w = p[k]!;
        abs += Math.abs(w);
        sq += w * w;
      }
    }
    return this.l1 * abs + (this.l2 / 2) * sq;
  }

  /** grads += λ1·sign(w) + λ2·w on every weight (sign(0) = 0); biases untouched. */
  protected addPenaltyGradient(): void {
    const { params: p, grads: g, nin, nout, wOff, l1, l2 } = this;
    for (let l = 0; l < nin.length; l++) {
      const end = wOff[l]! + nin[l]! * nout[l]!;
      for (let k = wOff[l]!; k < end; k++) {
        const w = p[k]!;
        g[k] += l1 * Math.sign(w) + l2 * w;
      }
    }
  }

  /** Names the first non-finite loss, gradient or θ′ of `step` and throws; θ is left as it was. */
  private fail(step: number, rows: Uint32Array, total: number): never {
    const losses = this.rowLosses.subarray(0, rows.length);
    // every per-sample loss finite but the total not (the mean or the penalty overflowed): the total is the loss
    const fault = (firstFault(step, 'f64', losses, this.grads, this.next) ??
      firstFault(step, 'f64', [total], [], null))!;
    // a sample is named by its index in the dataset, not its place in the batch
    const ofSample = fault.kind === 'loss' && !Number.isFinite(losses[fault.index] ?? 0);
    throw new TrainingDivergedError(ofSample ? { ...fault, index: rows[fault.index]! } : fault, this.spec, this.model);
  }
}

/**
 * δ = g·f′(z), with f′ read off a = f(z): ReLU and leaky open where a > 0 (exactly where z > 0), tanh′ = 1 − a²,
 * σ′ = a(1 − a). A closed gate (f′ = 0) gives exactly 0, as in the matrix form.
 */
export function gate(act: number, g: number, a: number): number {
  switch (act) {
    case RELU:
      return a > 0 ? g : 0;
    case LEAKY:
      return a > 0 ? g : g * LEAKY_SLOPE;
    case TANH: {
      const fp = 1 - a * a;
      return fp === 0 ? 0 : g * fp;
    }
    default: {
      const fp = a * (1 - a);
      return fp === 0 ? 0 : g * fp;
    }
  }
}

/** v[from .. from + n) ← f(v[…]) in place, one loop per activation. */
export function activate(v: Float64Array, from: number, n: number, act: number): void {
  const end = from + n;
  switch (act) {
    case RELU:
      for (let j = from; j < end; j++) {
        const z = v[j]!;
        v[j] = z > 0 ? z : 0;
      }
      break;
    case LEAKY:
      for (let j = from; j < end; j++) {
        const z = v[j]!;
        v[j] = z > 0 ? z : LEAKY_SLOPE * z;
      }
      break;
    case TANH:
      for (let j = from; j < end; j++) v[j] = Math.tanh(v[j]!);
      break;
    default:
      for (let j = from; j < end; j++) v[j] = sigmoid(v[j]!);
  }
}
