/**
 * The bug hunt's planted bugs (src/gpu/bugs.ts), as the page's gradient panel checks them: each makes the panel's
 * comparison fail for exactly the tensors the broken rule feeds, and pass for the rest, while the honest trainer
 * passes on the same run, on the GPU (the general kernel with the mutant's edit, f32 bounds) and on the CPU (the f64
 * trainer with the same mistake, f64 bounds). Which tensors break is written here from the math, not read from code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HiddenActivation } from '../src/engine/activation.js';
import {
  BUG_IDS,
  BugDeck,
  type BugId,
  BUGS,
  createBuggedTrainer,
  drawBug,
  findableBugs,
  HUNT_IDS,
  kernelLine,
} from '../src/gpu/bugs.js';
import { BugRefusedError, plantFor, settingsForBug } from '../src/ui/bug/bug-hunt.js';
import { runConfig } from '../src/ui/session.js';
import { pct } from '../src/ui/gradients.js';
import { createTrainer } from '../src/gpu/chooser.js';
import { KERNEL_MUTANTS } from '../src/gpu/mutants.js';
import { SHADERS } from '../src/gpu/shaders.js';
import { compareWithBoundsModel } from '../src/mlp/bounds/compare.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { modelLayout } from '../src/mlp/model.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';
import { MistakenTrainer } from '../src/mlp/train/train-mistaken.js';
import { cpuSnapshot, gpuSession, type RunConfig, type Snapshot } from '../src/ui/session.js';
import { DEFAULT_SETTINGS, fromQuery } from '../src/ui/state.js';
import { BUG_LINK, BUG_RUN, bugRows } from '../src/docs-gen/docs-bug.js';
import { xor } from '../src/mlp/data/data.js';
import { openGpu } from './support/gpu.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

const HIDDEN = [5, 4, 3]; // three hidden layers: W1..W3, b1..b3, then the output's W4, b4
const ALL = ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4'];
const WEIGHTS = ['W1', 'W2', 'W3', 'W4'];

/** Each planted bug, the run that shows it, and the tensors whose gradients it breaks (from the broken rule). */
const CASES: Record<Exclude<BugId, 'relu-kink'>, { activation?: HiddenActivation; l2?: number; breaks: string[] }> = {
  // δ_out is B times too large, and every gradient is a product with it
  'one-over-n': { breaks: ALL },
  // W2ᵀ and W3ᵀ read untransposed feed da_1 and da_2; W4ᵀ (one row) is the same read either way
  untransposed: { breaks: ['W1', 'b1', 'W2', 'b2'] },
  // dW leaves out the last row; db keeps it
  'one-sample-short': { breaks: WEIGHTS },
  // every hidden layer's δ goes through tanh′; the output layer's gradients do not
  'tanh-square': { activation: 'tanh', breaks: ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'] },
  // −λ2·w on every weight; the biases carry no penalty
  'l2-sign': { l2: 0.0625, breaks: WEIGHTS },
  // δ_2 without f′(z_2), and δ_1 computed from it
  'skip-gate': { breaks: ['W1', 'b1', 'W2', 'b2'] },
};

function problem(bug: keyof typeof CASES, seed: number) {
  const c = CASES[bug];
  const data = randomDataset(seed, 2, 13, { binary: true });
  const config: RunConfig = {
    hidden: HIDDEN,
    lr: 0.1,
    loss: 'bce',
    activation: c.activation ?? 'relu',
    output: 'sigmoid',
    batch: data.N,
    l1: 0,
    l2: c.l2 ?? 0,
    seed,
  };
  return { data, config, params: initModelParams({ d: 2, hidden: HIDDEN }, seed) };
}

/** The tensors that fail the panel's comparison (compareWithBoundsModel, as src/ui/gradients.ts runs it). */
function failing(s: Snapshot): string[] {
  expect(s.gpuGrads, 'a checked snapshot').not.toBeNull();
  expect(s.bounds, 'with bounds').toBeDefined();
  return compareWithBoundsModel(s.model, s.gpuGrads!, s.bounds!)
    .tensors.filter((t) => !t.pass)
    .map((t) => t.tensor);
}

describe('each planted bug fails the panel for the tensors it breaks, and only those; the honest run passes', () => {
  for (const [bug, c] of Object.entries(CASES) as [keyof typeof CASES, (typeof CASES)[keyof typeof CASES]][]) {
    it(`${bug}: GPU, the general kernel with the edit (f32 bounds)`, async () => {
      expect(
        BUGS[bug].unfindable({ hidden: HIDDEN, activation: c.activation ?? 'relu', batch: 13, l2: c.l2 ?? 0 }),
      ).toBe(null);
      for (const seed of [1, 2]) {
        const { data, config, params } = problem(bug, seed);
        const full = { data, params, ...config, label: 'bug test' };
        const honest = await createTrainer(device, full, { kernel: 'layers' });
        const planted = await createBuggedTrainer(device, full, BUGS[bug]);
        try {
          expect(planted.kernel).toBe('layers');
          for (const steps of [0, 3]) {
            if (steps) await honest.run(steps);
            if (steps) await planted.run(steps);
            expect(failing(await gpuSession(honest, data, config).snapshot()), `honest, seed ${seed}`).toEqual([]);
            // the planted run has its own parameters by now: its gradients are checked at them, as the page does
            expect(failing(await gpuSession(planted, data, config).snapshot()), `planted, seed ${seed}`).toEqual(
              c.breaks,
            );
          }
        } finally {
          honest.destroy();
          planted.destroy();
        }
      }
    });

    it(`${bug}: CPU, the f64 trainer with the same mistake (f64 bounds)`, () => {
      for (const seed of [1, 2]) {
        const { data, config, params } = problem(bug, seed);
        const honest = new FastTrainer(data, params, config);
        const planted = new MistakenTrainer(data, params, config, BUGS[bug].mistake);
        for (const steps of [0, 3]) {
          if (steps) {
            honest.step(steps);
            planted.step(steps);
          }
          const h = cpuSnapshot(data, honest.params, config, steps, 'cpu-fast', honest.gradients());
          expect(failing(h), `honest, seed ${seed}`).toEqual([]);
          const p = cpuSnapshot(data, planted.params, config, steps, 'cpu-fast', planted.gradients());
          expect(failing(p), `planted, seed ${seed}`).toEqual(c.breaks);
        }
      }
    });
  }

  it('without a planted mistake the subclass is FastTrainer to the last bit (every network depth)', () => {
    // a mistake that never fires here (the ReLU kink, on random data) leaves the copied pass honest
    for (const hidden of [[6], [5, 4, 3]]) {
      const data = randomDataset(7, 2, 11, { binary: true });
      const params = initModelParams({ d: 2, hidden }, 7);
      const config = { hidden, lr: 0.3, loss: 'bce', activation: 'relu', batch: 4, seed: 7 } as const;
      const a = new FastTrainer(data, params, config);
      const b = new MistakenTrainer(data, params, config, 'relu-kink');
      a.step(20);
      b.step(20);
      expect(Array.from(b.params)).toEqual(Array.from(a.params));
    }
  });
});

describe('ReLU′(0) = 1, on the list but never planted: caught where a pre-activation is exactly 0', () => {
  it('a point at the origin and zero biases: the GPU edit and the CPU mistake fail b1; honest runs pass', async () => {
    const hidden = [4, 3];
    const data = randomDataset(5, 2, 9, { binary: true });
    data.x.fill(0, 0, 2); // point 1 at the origin: with b = 0, z_1 = 0 there, and a_1 = 0 makes z_2 = 0 too
    const params = initModelParams({ d: 2, hidden }, 5);
    const { layers } = modelLayout({ d: 2, hidden });
    for (const { b } of layers) params.fill(0, b.offset, b.offset + b.length);
    const config: RunConfig = {
      hidden,
      lr: 0.1,
      loss: 'bce',
      activation: 'relu',
      output: 'sigmoid',
      batch: 9,
      l1: 0,
      l2: 0,
      seed: 5,
    };
    const full = { data, params, ...config, label: 'kink' };
    const honest = await createTrainer(device, full, { kernel: 'layers' });
    const planted = await createBuggedTrainer(device, full, BUGS['relu-kink']);
    try {
      expect(failing(await gpuSession(honest, data, config).snapshot())).toEqual([]);
      expect(failing(await gpuSession(planted, data, config).snapshot())).toContain('b1');
    } finally {
      honest.destroy();
      planted.destroy();
    }
    const cpuHonest = new FastTrainer(data, params, config);
    expect(failing(cpuSnapshot(data, params, config, 0, 'cpu-fast', cpuHonest.gradients()))).toEqual([]);
    const cpuPlanted = new MistakenTrainer(data, params, config, 'relu-kink');
    expect(failing(cpuSnapshot(data, params, config, 0, 'cpu-fast', cpuPlanted.gradients()))).toContain('b1');
  });
});

describe("exercise 15's run (docs/exercises.md)", () => {
  it('the GPU panel fails the same tensors as the answer’s table (computed on the CPU), for each bug', async () => {
    const { settings, errors } = fromQuery(BUG_LINK);
    expect(errors).toEqual([]);
    const data = xor();
    const config: RunConfig = {
      hidden: settings.hidden,
      lr: settings.lr,
      loss: settings.loss,
      activation: settings.activation,
      output: 'sigmoid',
      batch: data.N,
      l1: 0,
      l2: settings.lambda,
      seed: settings.seed,
    };
    expect([config.hidden, config.activation, config.l2, config.seed]).toEqual([
      BUG_RUN.hidden,
      BUG_RUN.activation,
      BUG_RUN.lambda,
      BUG_RUN.seed,
    ]);
    const params = initModelParams({ d: 2, hidden: config.hidden }, config.seed);
    const rows = bugRows();
    expect(rows.map((r) => r.mistake).sort()).toEqual(
      findableBugs(config)
        .map((b) => b.mistake)
        .sort(),
    );
    for (const row of rows) {
      const bug = findableBugs(config).find((b) => b.mistake === row.mistake)!;
      const t = await createBuggedTrainer(device, { data, params, ...config, label: 'exercise' }, bug);
      try {
        expect(failing(await gpuSession(t, data, config).snapshot()), bug.id).toEqual(row.failing);
      } finally {
        t.destroy();
      }
    }
  });
});

describe('which bugs a run can show, and the draw', () => {
  const base = { hidden: [8], activation: 'relu', batch: 200, l2: 0 } as const;

  it('a one-layer relu run without a penalty can show only the 1/B and the short sum', () => {
    expect(findableBugs(base).map((b) => b.id)).toEqual(['one-over-n', 'one-sample-short']);
    expect(findableBugs({ ...base, batch: 1 }).map((b) => b.id)).toEqual(['one-sample-short']);
  });

  it('each need, and every bug on a run that has them all but ReLU′(0)', () => {
    const all = { hidden: [4, 4], activation: 'tanh', batch: 10, l2: 0.01 } as const;
    expect(findableBugs(all).map((b) => b.id)).toEqual(BUG_IDS.filter((id) => id !== 'relu-kink'));
    expect(BUGS['tanh-square'].unfindable(base)).toMatch(/needs the tanh activation \(this run uses relu\)/);
    expect(BUGS['l2-sign'].unfindable(base)).toMatch(/needs the L2 penalty/);
    expect(BUGS['skip-gate'].unfindable(base)).toMatch(/needs at least 2 hidden layers \(this run has 1\)/);
    expect(BUGS.untransposed.unfindable({ ...all, hidden: [4, 1] })).toMatch(/two hidden layers in a row/);
    expect(BUGS['relu-kink'].unfindable(all)).toMatch(/exactly 0/);
  });

  it('draws every findable bug, and only those', () => {
    const all = { hidden: [4, 4], activation: 'tanh', batch: 10, l2: 0.01 } as const;
    const seen = new Set<string>();
    for (let k = 0; k < 60; k++) seen.add(drawBug(all, () => k / 60).id);
    expect([...seen].sort()).toEqual(
      findableBugs(all)
        .map((b) => b.id)
        .sort(),
    );
    for (let k = 0; k < 20; k++) expect(drawBug(base, () => k / 20).id).toMatch(/^(one-over-n|one-sample-short)$/);
  });

  it('a hunt draws unseeded, without replacement, never the bug just drawn twice in a row', () => {
    const all = { hidden: [4, 4], activation: 'tanh', batch: 10, l2: 0.01 } as const;
    const findable = findableBugs(all).map((b) => b.id);
    // even a source that always says 0 (a seeded draw that repeats) gives each findable bug once per round
    const stuck = new BugDeck(() => 0);
    const round = findable.map(() => stuck.draw(all).id);
    expect([...round].sort()).toEqual([...findable].sort());
    const next = stuck.draw(all).id;
    expect(next).not.toBe(round.at(-1));
    // the page's own source: several draws, more than one bug, never the same twice in a row
    for (const run of [all, base]) {
      const deck = new BugDeck();
      const ids = Array.from({ length: 12 }, () => deck.draw(run).id);
      expect(new Set(ids).size).toBeGreaterThan(1);
      for (let i = 1; i < ids.length; i++) expect(ids[i]).not.toBe(ids[i - 1]);
      for (const id of ids) expect(findableBugs(run).map((b) => b.id)).toContain(id);
    }
    // with one findable bug, that one, again
    const one = new BugDeck();
    for (let k = 0; k < 3; k++) expect(one.draw({ ...base, batch: 1 }).id).toBe('one-sample-short');
    // the random setting draws from the deck it is given, a fresh one each time it is not kept
    const deck = new BugDeck(() => 0);
    const first = plantFor('random', base, null, deck)!.id;
    expect(plantFor('random', base, null, deck)!.id).not.toBe(first);
  });

  it('ReLU′(0) is never offered as a guess, and a link naming it is refused, saying why', () => {
    expect(HUNT_IDS).toEqual(BUG_IDS.filter((id) => id !== 'relu-kink'));
    const all = { hidden: [4, 4], activation: 'relu', batch: 10, l2: 0.01 } as const;
    expect(() => plantFor('relu-kink', all, null)).toThrow(BugRefusedError);
    expect(() => plantFor('relu-kink', all, null)).toThrow(/only where a pre-activation is exactly 0/);
    const { settings, refused, note } = settingsForBug({ ...DEFAULT_SETTINGS, bug: 'relu-kink' });
    expect(settings.bug).toBe('off');
    expect(note).toBeNull();
    expect(refused).toMatch(/relu-kink, which no run of this page can show: .*pre-activation is exactly 0/);
  });

  it('a link naming a bug gets the settings it needs, and says so; one that fits is left alone', () => {
    const N = DEFAULT_SETTINGS.points;
    const fit = (over: Partial<typeof DEFAULT_SETTINGS>) => settingsForBug({ ...DEFAULT_SETTINGS, ...over });
    // the defaults: one hidden layer of 8, relu, full batch, no penalty
    const cases: [BugId, Partial<typeof DEFAULT_SETTINGS>, Partial<typeof DEFAULT_SETTINGS>, RegExp][] = [
      ['tanh-square', {}, { activation: 'tanh' }, /needs the tanh activation: the run uses tanh\.$/],
      ['l2-sign', {}, { reg: 'l2', lambda: 0.01 }, /needs the L2 penalty: the run uses L2 with λ = 0\.01\.$/],
      ['skip-gate', {}, { hidden: [8, 8] }, /needs two hidden layers: the run uses hidden layers 8, 8\.$/],
      ['untransposed', { hidden: [4, 1] }, { hidden: [8, 8] }, /two hidden layers in a row, each at least 2 wide/],
      ['one-over-n', { batch: 1 }, { batch: 'all' }, /needs a batch of at least 2: the run uses the full batch\.$/],
    ];
    for (const [bug, over, want, words] of cases) {
      const before = { ...DEFAULT_SETTINGS, ...over, bug };
      expect(BUGS[bug].unfindable(runConfig(before, N)), bug).not.toBeNull();
      const { settings, note, refused } = fit({ ...over, bug });
      expect(settings, bug).toEqual({ ...before, ...want });
      expect(BUGS[bug].unfindable(runConfig(settings, N)), bug).toBeNull();
      expect(note, bug).toMatch(new RegExp(`^The link’s bug \\(${bug}\\) `));
      expect(note, bug).toMatch(words);
      expect(refused).toBeNull();
    }
    // already fitting, random, or off: unchanged, nothing said
    for (const over of [
      { bug: 'tanh-square', activation: 'tanh' },
      { bug: 'one-sample-short' },
      { bug: 'random' },
      { bug: 'off' },
    ] as const) {
      const s = { ...DEFAULT_SETTINGS, ...over };
      expect(settingsForBug(s)).toEqual({ settings: s, note: null, refused: null });
    }
  });

  it('each bug’s kernel line is a real line of the general kernel, changed by its edit', () => {
    for (const id of BUG_IDS) {
      const { before, after, file } = kernelLine(BUGS[id]);
      expect(before).not.toBe(after);
      for (const line of before.split('\n')) expect(SHADERS.layers).toContain(line);
      expect(KERNEL_MUTANTS[BUGS[id].mutant].kernel).toBe('layers');
      expect(file).toMatch(/^shaders\/(layers|lib\/common)\.wgsl$/);
    }
  });
});

describe('the bug setting in a link', () => {
  it('random, a name, or off; anything else refused naming the field and the values', () => {
    expect(fromQuery('?bug=random').settings.bug).toBe('random');
    expect(fromQuery('?bug=tanh-square').settings.bug).toBe('tanh-square');
    expect(fromQuery('').settings.bug).toBe('off');
    const { settings, errors } = fromQuery('?bug=typo');
    expect(settings.bug).toBe('off');
    expect(errors).toEqual([`planted bug must be one of off, random, ${BUG_IDS.join(', ')}, got 'typo'`]);
  });
});

describe('how far past its bound a gradient is, in the panel', () => {
  it('a share in percent up to 100 times, then times its bound in powers of ten', () => {
    expect(pct(0.5)).toBe('50%');
    expect(pct(99.4)).toBe('9940%');
    expect(pct(100)).toBe('100 times its bound');
    expect(pct(999.6)).toBe('1.0 × 10³ times its bound'.replace('1.0', '1'));
    expect(pct(14114066.63)).toBe('1.4 × 10⁷ times its bound');
    expect(pct(2.5e12)).toBe('2.5 × 10¹² times its bound');
  });
});
