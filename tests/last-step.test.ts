import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTrainer } from '../src/gpu/chooser.js';
import { FusedTrainer } from '../src/gpu/fused.js';
import { FusedSubgroupTrainer } from '../src/gpu/fused-subgroup.js';
import { LargeBatchTrainer } from '../bench/variants/large.js';
import { TiledLargeTrainer } from '../src/gpu/large-tiled.js';
import { SHADERS } from '../src/gpu/shaders.js';
import { StepTrainer } from '../src/gpu/steps.js';
import { type Dataset, makeDataset } from '../src/mlp/data/data.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { openGpu } from './support/gpu.js';
import { ramp, RAMP_PARAM_AT_1, sgdF32 } from './support/overflow.js';
import { bits } from './support/bits.js';

// The kernels' text, copied so a test can put a mutant in place (as tests/mutants.test.ts does through
// shaderSource, which only the step kernels take); every other test here runs the real text.
vi.mock('../src/gpu/shaders.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/gpu/shaders.js')>();
  return { ...real, SHADERS: { ...real.SHADERS } };
});

/**
 * A W2 update that overflows on the LAST step of a dispatch. A kernel that checks its work only
 * later (the subgroup kernel's fast path flags a bad z2 or θ′ and replays the dispatch exactly) sees
 * an overflow mid-dispatch again through the next step's z2; on the last step only θ′'s own flag
 * tells. So on every one-network kernel the run must stop naming that step and W2, and keep the
 * parameters of the step before, bit for bit, where the overflow is the dispatch's last step.
 */
let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu('tests.last-step')));
afterAll(() => device?.destroy());

interface Problem {
  data: Dataset;
  params: Float64Array;
  hidden: number;
  lr: number;
  /** The step whose W2 update overflows (nothing else is non-finite then). */
  at: number;
  /** The parameters after step `at` − 1, in f32. */
  kept: number[];
}

/** tests/support/overflow.ts's ramp at η = 2^60: W2 ← −2^-60 + 2^60·2^70 = 2^130 at step 1. */
const first = (): Problem => ({ ...ramp(), lr: RAMP_PARAM_AT_1, at: 1, kept: [1, 0, -(2 ** -60), 0] });

/**
 * x = 2^-10, y = 1, θ = [W1, b1, W2, b2] = [1, 0, 1, −2^120], η = 2^64; z2 stays near −2^120, so σ = 0 and δ2 = −1 at
 * both steps. Step 1: dW1 = −2^-10, db1 = −1, dW2 = −2^-10, db2 = −1, so θ1 = [2^54, 2^64, 2^54, −2^120] (1 + 2^54 and
 * −2^120 + 2^64 round, in f32 and f64 alike). Step 2: a1 = z1 = 2^44 + 2^64 and z2 = −2^120 + 2^118 + 2^98, finite;
 * W2 ← 2^54 + 2^64·(2^64 + 2^44) > 2^128 overflows, while W1 ← 2^54 + 2^108, b1 ← 2^64 + 2^118 and
 * b2 ← −2^120 + 2^65 stay finite, as do the loss and gradients.
 */
const second = (): Problem => ({
  data: makeDataset([[2 ** -10]], [1]),
  params: Float64Array.from([1, 0, 1, -(2 ** 120)]),
  hidden: 1,
  lr: 2 ** 64,
  at: 2,
  kept: [2 ** 54, 2 ** 64, 2 ** 54, -(2 ** 120)],
});

const PROBLEMS = { 'W2 overflows at step 1 (the ramp at η = 2^60)': first, 'W2 overflows at step 2': second };

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('the designed problems, checked by the f32 emulation', () => {
  it.each(Object.entries(PROBLEMS))('%s: W2 alone, at that step; the step before as stated', (_name, make) => {
    const p = make();
    const f32 = sgdF32({ d: 1, H: 1 }, p.params, p.data, p.lr, 'bce', p.at + 3);
    expect(f32.fault).toEqual({ step: p.at, kind: 'parameter', index: 2, value: Infinity, precision: 'f32' });
    expect(f32.history).toHaveLength(p.at);
    expect(bits(f32.history[p.at - 1]!)).toEqual(p.kept);
  });
});

interface Readable {
  readLoss(): Promise<unknown>;
  readParams(): Promise<Float64Array>;
  destroy(): void;
}

/** One way to run a problem so that step `at` ends a dispatch: the trainer, then the steps it is given. */
type Arrangement = (p: Problem) => Promise<Readable>;

const opts = (p: Problem) => ({ data: p.data, params: p.params, hidden: p.hidden, lr: p.lr, loss: 'bce' as const });
/** Records steps on a made trainer, destroying it if recording throws. */
async function made<T extends Readable>(t: T, record: (t: T) => void): Promise<T> {
  try {
    record(t);
    return t;
  } catch (e) {
    t.destroy();
    throw e;
  }
}

const ARRANGEMENTS: Record<string, Arrangement> = {
  'step kernels (StepTrainer), the run ending at that step': async (p) =>
    made(await StepTrainer.create(device, opts(p)), (t) => t.step(p.at)),
  'fused (FusedTrainer), the run ending at that step': async (p) =>
    made(await FusedTrainer.create(device, opts(p)), (t) => t.step(p.at, { stepsPerDispatch: p.at })),
  'fused (FusedTrainer), the first dispatch ending at that step, two more after': async (p) =>
    made(await FusedTrainer.create(device, opts(p)), (t) => t.step(p.at + 2, { stepsPerDispatch: p.at })),
  'fused subgroup (FusedSubgroupTrainer), the run ending at that step': async (p) =>
    made(await FusedSubgroupTrainer.create(device, opts(p)), (t) => t.step(p.at, { stepsPerDispatch: p.at })),
  'fused subgroup (FusedSubgroupTrainer), the first dispatch ending at that step, two more after': async (p) =>
    made(await FusedSubgroupTrainer.create(device, opts(p)), (t) => t.step(p.at + 2, { stepsPerDispatch: p.at })),
  'large-batch (LargeBatchTrainer), the run ending at that step': async (p) =>
    made(await LargeBatchTrainer.create(device, opts(p)), (t) => t.step(p.at)),
  'large-batch tiles with subgroups (TiledLargeTrainer), the run ending at that step': async (p) =>
    made(await TiledLargeTrainer.create(device, opts(p)), (t) => t.step(p.at)),
  'large-batch tiles without subgroups (TiledLargeTrainer), the run ending at that step': async (p) =>
    made(await TiledLargeTrainer.create(device, { ...opts(p), subgroups: false }), (t) => t.step(p.at)),
  // The page's and the CLI's trainer: the chooser's pick for this network.
  "the chooser's pick (createTrainer), the run ending at that step": async (p) =>
    made(await createTrainer(device, opts(p)), (t) => t.step(p.at)),
};

/** The verdict and the parameters kept, the trainer destroyed. */
async function outcome(t: Readable): Promise<{ error: unknown; kept: Float64Array }> {
  try {
    return { error: await errorOf(t.readLoss()), kept: await t.readParams() };
  } finally {
    t.destroy();
  }
}

function expectStopped({ error, kept }: { error: unknown; kept: Float64Array }, p: Problem): void {
  expect(error, 'the run stopped').toBeInstanceOf(TrainingDivergedError);
  const e = error as TrainingDivergedError;
  expect([e.fault.step, e.fault.kind, e.fault.index, e.fault.value]).toEqual([p.at, 'parameter', 2, Infinity]);
  expect(e.message.startsWith(`step ${p.at}: W2[0][0] became Infinity (the update overflowed f32)`), e.message).toBe(
    true,
  );
  expect(bits(kept), 'the parameters of the step before, bit for bit').toEqual(p.kept);
}

describe.each(Object.entries(PROBLEMS))('%s, the last step of a dispatch', (_problem, make) => {
  it.each(Object.entries(ARRANGEMENTS))(
    '%s: stops naming that step and W2, keeps the step before',
    async (_, arrange) => {
      const p = make();
      expectStopped(await outcome(await arrange(p)), p);
    },
  );
});

/** The real kernel text with one edit; refuses if `from` is absent or not unique. */
function mutate(code: string, from: string, to: string): string {
  const parts = code.split(from);
  if (parts.length !== 2) throw new Error(`mutant: expected exactly one "${from}", found ${parts.length - 1}`);
  return parts.join(to);
}

describe('the check can fail: a kernel that ignores the W2 update’s non-finite flag is caught', () => {
  const shaders = SHADERS as Record<keyof typeof SHADERS, string>;
  const MUTANTS = [
    {
      name: 'fused subgroup: the fast path drops propose()’s verdict for W2',
      kernel: 'fusedSubgroup' as const,
      from: 'bad = propose(W2_OFF + j, &gw2[u], w2[u], lr, exact, &code) || bad;',
      to: '_ = propose(W2_OFF + j, &gw2[u], w2[u], lr, exact, &code);',
      arrangement: 'fused subgroup (FusedSubgroupTrainer), the run ending at that step',
    },
    {
      name: 'fused: a non-finite θ′ of W2 not flagged',
      kernel: 'fused' as const,
      from: '  if (code != NO_FAULT) {\n    atomicMin(&badCode, code);',
      to: '  if (code != NO_FAULT && (k < W2_OFF || k >= B2_OFF)) {\n    atomicMin(&badCode, code);',
      arrangement: 'fused (FusedTrainer), the run ending at that step',
    },
  ];

  it.each(MUTANTS)('$name', async ({ kernel, from, to, arrangement }) => {
    const real = shaders[kernel];
    shaders[kernel] = mutate(real, from, to);
    try {
      for (const make of Object.values(PROBLEMS)) {
        const p = make();
        const { error, kept } = await outcome(await ARRANGEMENTS[arrangement]!(p));
        // No verdict, or the wrong one, and the overflowed W2 kept.
        const f = error instanceof TrainingDivergedError ? error.fault : null;
        const named = f ? `step ${f.step}, ${f.kind} ${f.index}` : null;
        expect(named, `${kernel}: the mutant still stops at step ${p.at}`).not.toBe(`step ${p.at}, parameter 2`);
        expect(bits(kept)).not.toEqual(p.kept);
      }
    } finally {
      shaders[kernel] = real;
    }
  });

  it('the fused subgroup mutant passes when the overflow is mid-dispatch (3 steps, 2 per dispatch): why the last step is tested', async () => {
    const real = shaders.fusedSubgroup;
    shaders.fusedSubgroup = mutate(real, MUTANTS[0]!.from, MUTANTS[0]!.to);
    try {
      const p = first();
      const t = await FusedSubgroupTrainer.create(device, opts(p));
      t.step(3, { stepsPerDispatch: 2 }); // step 1's overflow is seen again through step 2's z2, and replayed exactly
      expectStopped(await outcome(t), p);
    } finally {
      shaders.fusedSubgroup = real;
    }
  });
});
