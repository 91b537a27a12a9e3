/**
 * FastTrainer with one planted backprop mistake, for exercises that ask a learner to find it: the same f64 arithmetic
 * in the same order (so without the mistake its gradients are the oracle's to the last bit), with one rule broken.
 * FastTrainer itself is untouched: the mistakes live only in this subclass's copy of its general pass, so the honest
 * trainer's code and speed are what they were. Each mistake mirrors one kernel mutant of the GPU's general kernel
 * (src/gpu/mutants.ts); the page pairs them in src/gpu/bugs.ts.
 */
import { sigmoid, softplus } from '../../engine/value.js';
import { type Dataset } from '../data/data.js';
import { activate, FastTrainer, type FastTrainerOptions, gate, RELU, TANH } from './train-fast.js';

/** The mistakes this trainer can plant. */
export const MISTAKES = [
  'one-over-n',
  'untransposed',
  'one-sample-short',
  'tanh-square',
  'l2-sign',
  'skip-gate',
  'relu-kink',
] as const;
export type Mistake = (typeof MISTAKES)[number];

export class MistakenTrainer extends FastTrainer {
  constructor(
    data: Dataset,
    initial: ArrayLike<number>,
    options: FastTrainerOptions,
    /** The one rule this trainer breaks. */
    readonly mistake: Mistake,
  ) {
    super(data, initial, options);
    if (!MISTAKES.includes(mistake))
      throw new RangeError(`mistake must be one of ${MISTAKES.join(', ')}, got '${mistake}'`);
  }

  /** FastTrainer's general pass (any depth), line for line, with the planted mistake where `this.mistake` says. */
  protected override pass(
    rows: Uint32Array,
    B: number,
    backward: boolean,
    yHatOut: Float64Array | null = null,
  ): number {
    const { params: p, acts, deltas: dl, grads: g, nin, nout, wOff, bOff, aOff, act, rowLosses, mistake } = this;
    const { x, y, d } = this.data;
    const L = nin.length - 1;
    const top = L - 1;
    const wOut = wOff[L]!;
    const bOut = bOff[L]!;
    const HL = nin[L]!;
    const aL = aOff[L]!;
    const sigmoidOut = this.sigmoidOut;
    const bce = this.bce;
    // δ_out's batch mean: 1/B, or 1 with the 1/B dropped
    const Bd = mistake === 'one-over-n' ? 1 : B;
    // the rows whose δ a_{l−1}ᵀ enters dW: all of them, or one too few
    const dwRows = mistake === 'one-sample-short' ? B - 1 : B;
    if (backward) g.fill(0);
    let sum = 0;
    for (let r = 0; r < B; r++) {
      const n = rows[r]!;
      const xb = n * d;
      const zs = mistake === 'relu-kink' ? this.zs : null;
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
        if (zs) zs.set(acts.subarray(dst, dst + no), dst);
        activate(acts, dst, no, act);
      }
      let z = p[bOut]!;
      for (let j = 0; j < HL; j++) z += p[wOut + j]! * acts[aL + j]!;
      const t = y[n]!;
      const yHat = sigmoidOut ? sigmoid(z) : z;
      if (yHatOut) yHatOut[r] = yHat;
      const e = yHat - t;
      const loss = bce ? softplus(z) - t * z : e * e;
      rowLosses[r] = loss;
      sum += loss;
      if (!backward) continue;
      const inDw = r < dwRows;
      const dz = bce ? e / Bd : sigmoidOut ? (2 * e * yHat * (1 - yHat)) / Bd : (2 * e) / Bd;
      g[bOut] += dz;
      for (let k = 0; k < HL; k++) {
        if (inDw) g[wOut + k] += dz * acts[aL + k]!;
        dl[aL + k] = p[wOut + k]! * dz; // one output unit: W_out read either way is the same row
      }
      for (let l = top; l >= 0; l--) {
        const ni = nin[l]!;
        const no = nout[l]!;
        const w0 = wOff[l]!;
        const b0 = bOff[l]!;
        const s = aOff[l]!;
        const dst = aOff[l + 1]!;
        for (let k = 0; k < no; k++) {
          const gk = this.gateOf(l, dl[dst + k]!, acts[dst + k]!, zs ? zs[dst + k]! : 0);
          g[b0 + k] += gk;
          const w = w0 + k * ni;
          if (l === 0) {
            if (inDw) for (let i = 0; i < ni; i++) g[w + i] += gk * x[xb + i]!;
            continue;
          }
          for (let i = 0; i < ni; i++) {
            if (inDw) g[w + i] += gk * acts[s + i]!;
            // W_lᵀ δ_l to the layer below: W_l[k][i] at k·ni + i, or, untransposed, at i·no + k
            const wki = mistake === 'untransposed' ? p[w0 + i * no + k]! : p[w + i]!;
            dl[s + i] = k === 0 ? wki * gk : dl[s + i]! + wki * gk;
          }
        }
      }
    }
    return sum;
  }

  /** grads += λ1·sign(w) + λ2·w, or − λ2·w with the L2 sign flipped. */
  protected override addPenaltyGradient(): void {
    if (this.mistake !== 'l2-sign') return super.addPenaltyGradient();
    const { params: p, grads: g, nin, nout, wOff, l1, l2 } = this;
    for (let l = 0; l < nin.length; l++) {
      const end = wOff[l]! + nin[l]! * nout[l]!;
      for (let k = wOff[l]!; k < end; k++) {
        const w = p[k]!;
        g[k] += l1 * Math.sign(w) - l2 * w;
      }
    }
  }

  /** One row's pre-activations, kept only to find ReLU's kink (f(z) = 0 cannot tell z = 0 from z < 0). */
  private readonly zs = new Float64Array(this.acts.length);

  /** δ = g·f′ for hidden layer l (from 0), with the planted mistake where it is one of f′. */
  private gateOf(l: number, gi: number, a: number, z: number): number {
    const { act, mistake } = this;
    if (mistake === 'skip-gate' && l === 1) return gi;
    if (mistake === 'tanh-square' && act === TANH) {
      const fp = 1 - a;
      return fp === 0 ? 0 : gi * fp;
    }
    if (mistake === 'relu-kink' && act === RELU) return z >= 0 ? gi : 0;
    return gate(act, gi, a);
  }
}
