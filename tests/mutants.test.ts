/**
 * Mutation checks for the GPU-vs-CPU comparison itself: step kernels with one deliberate mistake each, a small edit of
 * the real shader text (shaders/steps.wgsl as the trainer loads it), must fail the per-element bound check on random
 * data, and the real kernels must pass it on the same data. This shows the bounds are tight enough to catch real bugs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HiddenActivation } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { KERNEL_MUTANTS, type MutantId, mutantSource } from '../src/gpu/mutants.js';
import { SHADERS } from '../src/gpu/shaders.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { type Dataset, randomDataset } from '../src/mlp/data/data.js';
import { makeRng } from '../src/mlp/rng.js';
import { paramLayout } from '../src/mlp/spec.js';
import { readoutAgainstBounds } from './support/bounds.js';
import { openGpu } from './support/gpu.js';
import { randomParams } from './support/random.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

interface Mutant {
  name: string;
  source: string;
  /** Data that exposes it: random, or with pre-activations exactly at ReLU's kink. */
  kink: boolean;
  /** The hidden activation the kernels run with (default relu). */
  activation?: HiddenActivation;
}

// The kernel edits live in src/gpu/mutants.ts, the one list the page's planted bugs come from; here, the data each
// needs to show: random, or pre-activations exactly at the kink, and the hidden activation it changes.
const MUTANTS: Mutant[] = (
  [
    ['mlp-relu-kink', true],
    ['mlp-one-over-n', false],
    ['mlp-untransposed', false],
    ['mlp-one-sample-short', false],
    ['mlp-tanh-square', false, 'tanh'],
    ['mlp-leaky-kink', true, 'leaky'],
  ] as const
).map(([id, kink, activation]: readonly [MutantId, boolean, HiddenActivation?]) => ({
  name: KERNEL_MUTANTS[id].name,
  source: mutantSource(id),
  kink,
  ...(activation ? { activation } : {}),
}));

/** Random shapes d ∈ {2, 3, 5}, H ∈ {3, 8, 33}, N ∈ {4, 7, 33}, three per mutant, from a fixed seed. */
function shapes(seed: number): { d: number; H: number; N: number }[] {
  const rng = makeRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  return Array.from({ length: 3 }, () => ({ d: pick([2, 3, 5]), H: pick([3, 8, 33]), N: pick([4, 7, 33]) }));
}

/** Random data and parameters; with `kink`, b1 = 0 and every third sample x = 0, so those z1 are exactly 0. */
function problem(
  d: number,
  H: number,
  N: number,
  seed: number,
  kink: boolean,
): { data: Dataset; params: Float64Array } {
  const data = randomDataset(seed, d, N, { binary: true });
  const params = randomParams(seed + 1, d, H);
  if (kink) {
    const L = paramLayout({ d, H });
    params.fill(0, L.b1.offset, L.b1.offset + H);
    for (let n = 0; n < N; n += 3) data.x.fill(0, n * d, (n + 1) * d);
  }
  return { data, params };
}

/** Runs one forward/backward on the GPU with the given kernel text; returns the tensors that failed their bounds. */
async function failures(
  source: string | undefined,
  d: number,
  H: number,
  N: number,
  seed: number,
  kink: boolean,
  loss: LossKind,
  activation: HiddenActivation = 'relu',
): Promise<string[]> {
  const { data, params } = problem(d, H, N, seed, kink);
  const trainer = await StepTrainer.create(device, {
    data,
    params,
    hidden: H,
    lr: 0.1,
    loss,
    activation,
    label: 'mutant',
    ...(source ? { shaderSource: source } : {}),
  });
  try {
    const gpu = await trainer.inspect({ cache: true });
    return readoutAgainstBounds({ d, H, activation }, params, data, loss, gpu)
      .filter((t) => !t.pass)
      .map((t) => `${t.tensor} (${t.maxFraction.toExponential(1)}× its bound)`);
  } finally {
    trainer.destroy();
  }
}

describe('mutant kernels fail the bound check; the real ones pass', () => {
  for (const [m, mutant] of MUTANTS.entries()) {
    it(`${mutant.name}: a real edit of the kernel text, caught on 3 random shapes`, async () => {
      expect(mutant.source).not.toBe(SHADERS.mlp);
      expect(mutant.source.length - SHADERS.mlp.length).toBeLessThan(10); // one small edit
      for (const [k, { d, H, N }] of shapes(100 + m).entries()) {
        const seed = 1000 * (m + 1) + k;
        expect(
          await failures(undefined, d, H, N, seed, mutant.kink, 'bce', mutant.activation),
          `real kernels, d=${d}, H=${H}, N=${N}`,
        ).toEqual([]);
        const failed = await failures(mutant.source, d, H, N, seed, mutant.kink, 'bce', mutant.activation);
        expect(failed.length, `${mutant.name} passed on d=${d}, H=${H}, N=${N}`).toBeGreaterThan(0);
      }
    });
  }
});
