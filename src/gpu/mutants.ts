/**
 * Every known one-edit mutant of the kernels' text: a deliberate backprop mistake, written as the one place in the
 * real WGSL (SHADERS.mlp for shaders/steps.wgsl, SHADERS.layers for shaders/layers.wgsl) it changes. The mutation
 * tests (tests/mutants.test.ts, tests/gpu-layers.test.ts, tests/bugs.test.ts) prove that the per-element bound check
 * catches each; the page's "find the broken backprop" mode (./bugs.ts) plants some of them. One list, so a bug the
 * page plants is always one a test proves is caught.
 */
import { SHADERS } from './shaders.js';

export type MutantKernel = 'mlp' | 'layers';

export interface KernelMutant {
  /** The kernel text it edits. */
  kernel: MutantKernel;
  /** What the mistake is, in the math's words. */
  name: string;
  /** The text it replaces: exactly one occurrence in the kernel's text. */
  from: string;
  to: string;
}

export const KERNEL_MUTANTS = {
  // δ1 = da1 ⊙ ReLU′(z1) with ReLU′(0) = 1 instead of 0.
  'mlp-relu-kink': {
    kernel: 'mlp',
    name: 'ReLU′(0) = 1',
    from: 'select(0.0, da1, z1 > 0.0);',
    to: 'select(0.0, da1, z1 >= 0.0);',
  },
  // δ2 = (yHat − y) without the batch mean's 1/N.
  'mlp-one-over-n': {
    kernel: 'mlp',
    name: 'the 1/N dropped from δ2',
    from: 'return (yHat - t) / f32(N);',
    to: 'return (yHat - t);',
  },
  // da1 = W2ᵀ δ2 reading W2 (1×H, row-major) as W2[j][0], at j·H, instead of W2ᵀ[j][0] = W2[0][j] at j.
  'mlp-untransposed': {
    kernel: 'mlp',
    name: 'W2ᵀ read untransposed',
    from: 'let da1 = params[W2_OFF + j] * dz2;',
    to: 'let da1 = params[W2_OFF + j * H] * dz2;',
  },
  // dW1 = Σ_n δ1_n x_nᵀ over the first N − 1 samples only.
  'mlp-one-sample-short': {
    kernel: 'mlp',
    name: 'dW1 summed over one sample too few',
    from: 'n < N; n++) {\n      g += cache[DZ1_OFF + n * H + j] * x',
    to: 'n + 1u < N; n++) {\n      g += cache[DZ1_OFF + n * H + j] * x',
  },
  // tanh′ = 1 − a1 instead of 1 − a1·a1 (common.wgsl's f′ beside f).
  'mlp-tanh-square': {
    kernel: 'mlp',
    name: 'tanh′ with the square dropped',
    from: 'return 1.0 - a1 * a1;',
    to: 'return 1.0 - a1;',
  },
  // leaky′(0) = 1 instead of 0.01: the select on the z ≤ 0 side.
  'mlp-leaky-kink': {
    kernel: 'mlp',
    name: 'leaky′(0) = 1',
    from: 'return select(LEAKY_SLOPE, 1.0, z1 > 0.0);',
    to: 'return select(LEAKY_SLOPE, 1.0, z1 >= 0.0);',
  },
  // δ_out = (ŷ − y) without the batch mean's 1/B, for every loss and output: the caller passes B = 1.
  'layers-one-over-n': {
    kernel: 'layers',
    name: 'the 1/B dropped from δ_out',
    from: 'outputDelta(yHat, t, f32(batchSize()))',
    to: 'outputDelta(yHat, t, 1.0)',
  },
  // da_l = W_{l+1}ᵀ δ_{l+1} read as W_{l+1} stored transposed: element [k][j] at j·nout + k, not k·nin + j. In range
  // for every shape; the same for the last hidden layer (one output unit: nout = 1), wrong below it.
  'layers-untransposed': {
    kernel: 'layers',
    name: 'W_{l+1}ᵀ read untransposed',
    from:
      'var da = params[up.w + j] * cache[deltaUp];' +
      '                      // da_l[j] = Σ_k W_{l+1}[k][j] δ_{l+1}[k]\n' +
      '  for (var k = 1u; k < up.nout; k++) {\n' +
      '    da += params[up.w + k * up.nin + j] * cache[deltaUp + k];',
    to:
      'var da = params[up.w + j * up.nout] * cache[deltaUp];' +
      '                      // da_l[j] = Σ_k W_{l+1}[k][j] δ_{l+1}[k]\n' +
      '  for (var k = 1u; k < up.nout; k++) {\n' +
      '    da += params[up.w + j * up.nout + k] * cache[deltaUp + k];',
  },
  // dW_l = Σ_r δ_l a_{l−1}ᵀ over every row of the batch but the last (db_l keeps it).
  'layers-one-sample-short': {
    kernel: 'layers',
    name: 'dW summed over one sample too few',
    from: 'r < rowsNow; r++) {\n      g += cache[layer.delta + r * layer.nout + j] * layerInput',
    to: 'r + 1u < rowsNow; r++) {\n      g += cache[layer.delta + r * layer.nout + j] * layerInput',
  },
  // tanh′ = 1 − a instead of 1 − a² (common.wgsl, as the layers kernel includes it).
  'layers-tanh-square': {
    kernel: 'layers',
    name: 'tanh′ with the square dropped',
    from: 'return 1.0 - a1 * a1;',
    to: 'return 1.0 - a1;',
  },
  // ReLU′(0) = 1 in the general kernel's δ_l = da_l ⊙ f′(z_l).
  'layers-relu-kink': {
    kernel: 'layers',
    name: 'ReLU′(0) = 1',
    from: 'return select(0.0, da1, z1 > 0.0);',
    to: 'return select(0.0, da1, z1 >= 0.0);',
  },
  // δ_2 = da_2 with layer 2's f′ skipped (at.layer is counted from 0: 1 is the second hidden layer).
  'layers-skip-gate': {
    kernel: 'layers',
    name: 'δ recursion skipping layer 2’s f′',
    from: 'cache[layer.delta + c] = activationBackward(cache[layer.z + c], da);',
    to: 'cache[layer.delta + c] = select(activationBackward(cache[layer.z + c], da), da, at.layer == 1u);',
  },
  // The L2 term subtracted from the gradient: −λ2·w instead of +λ2·w.
  'layers-l2-sign': {
    kernel: 'layers',
    name: 'the L2 gradient with the wrong sign',
    from: 'out += L2 * w;',
    to: 'out -= L2 * w;',
  },
  // Row r of the batch read as row r + 1 of the epoch's order (mini-batches only).
  'layers-batch-row': {
    kernel: 'layers',
    name: 'a mini-batch row off by one',
    from: '(status.step % PER_EPOCH) * BATCH + r];',
    to: '(status.step % PER_EPOCH) * BATCH + r + 1u];',
  },
  // The identity output's δ keeping σ′ = ŷ(1 − ŷ).
  'layers-identity-sigma': {
    kernel: 'layers',
    name: 'the identity output keeping σ′',
    from: 'return 2.0 * (yHat - t) / B;',
    to: 'return 2.0 * (yHat - t) * yHat * (1.0 - yHat) / B;',
  },
  // L1's subgradient at w = 0 taken as +1 instead of 0.
  'layers-l1-zero': {
    kernel: 'layers',
    name: 'L1’s subgradient at 0 taken as +1',
    from: 'out += L1 * sign(w);',
    to: 'out += L1 * select(-1.0, 1.0, w >= 0.0);',
  },
} as const satisfies Record<string, KernelMutant>;

export type MutantId = keyof typeof KERNEL_MUTANTS;

/** The kernel text with the mutant's one edit; refuses if its `from` is absent or not unique there. */
export function mutantSource(id: MutantId): string {
  const m: KernelMutant = KERNEL_MUTANTS[id];
  const parts = SHADERS[m.kernel].split(m.from);
  if (parts.length !== 2)
    throw new Error(`mutant ${id}: expected exactly one "${m.from}" in the kernel text, found ${parts.length - 1}`);
  return parts.join(m.to);
}

/** The kernel line the mutant changes, before and after (the last line of its edit, trimmed). */
export function mutantLines(id: MutantId): { before: string; after: string } {
  const m: KernelMutant = KERNEL_MUTANTS[id];
  const source = SHADERS[m.kernel];
  // the whole lines the edit touches, from the line holding its start to the line holding its end
  const at = source.indexOf(m.from);
  const start = source.lastIndexOf('\n', at) + 1;
  const endAt = source.indexOf('\n', at + m.from.length);
  const end = endAt < 0 ? source.length : endAt;
  const before = source.slice(start, end);
  const after = before.replace(m.from, m.to);
  return { before, after };
}
