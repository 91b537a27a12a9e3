/**
 * The bugs the page's "find the broken backprop" mode can plant: each one rule of backprop broken, as one edit of the
 * general kernel's text (./mutants.ts, the list the mutation tests prove is caught) and the same mistake in the CPU's
 * f64 trainer (src/mlp/train/train-mistaken.ts) for a page without WebGPU. A bug run pins the general kernel
 * ('layers', any depth and every setting), because that is the text the mutation edits.
 *
 * A bug must show in the run it is planted in. `unfindable` says why it cannot under a run's settings, or null:
 * `bug=random` draws only among the bugs findable under the current settings, and a named bug that is not findable
 * is refused with that reason. ReLU′(0) = 1 is kept for the mutation tests but never planted nor offered as a guess
 * (HUNT_IDS): it changes a gradient only where a pre-activation is exactly 0, which the page's data and a trained
 * bias (no longer 0 after the first step) essentially never give, so it could not be found.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { type Mistake, MISTAKES } from '../mlp/train/train-mistaken.js';
import { chooseKernel, specOf } from './chooser.js';
import type { Trainer, TrainerConfig } from './contract.js';
import { LayersTrainer } from './layers.js';
import { KERNEL_MUTANTS, mutantLines, type MutantId, mutantSource } from './mutants.js';

/** What decides whether a bug can show: the network and the objective's settings. */
export interface BugRun {
  hidden: readonly number[];
  activation: HiddenActivation;
  /** Mini-batch size B (N for the full batch). */
  batch: number;
  l2: number;
}

export interface PlantedBug {
  /** Its name in a link: `&bug=tanh-square`. */
  id: BugId;
  /** The broken rule, as the list a learner chooses from words it. */
  rule: string;
  /** The general kernel's edit (./mutants.ts). */
  mutant: MutantId;
  /** The CPU trainer's mistake. */
  mistake: Mistake;
  /** The equivalent line of the CPU trainer (src/mlp/train/train-fast.ts), before and after. */
  cpuLine: { before: string; after: string };
  /** Which gradients it breaks, in words, for the reveal. */
  breaks: string;
  /** Why it cannot show under `run`, or null where it can. */
  unfindable(run: BugRun): string | null;
}

/** A bug for each mistake the CPU trainer can make, named alike (each also one edit of the GPU kernel's text). */
export const BUG_IDS = MISTAKES;
export type BugId = Mistake;

/** The bugs a hunt can plant, and so the rules a learner chooses among: every one but the unfindable ReLU′(0). */
export const HUNT_IDS: readonly BugId[] = BUG_IDS.filter((id) => id !== 'relu-kink');

const twoLayers = (run: BugRun) =>
  run.hidden.length >= 2 ? null : `it needs at least 2 hidden layers (this run has ${run.hidden.length})`;

export const BUGS: Readonly<Record<BugId, PlantedBug>> = {
  'one-over-n': {
    id: 'one-over-n',
    rule: 'δ at the output is the mean’s: (ŷ − y)/B, with the 1/B',
    mutant: 'layers-one-over-n',
    mistake: 'one-over-n',
    cpuLine: {
      before: 'const dz = bce ? e / B : sigmoidOut ? (2 * e * yHat * (1 - yHat)) / B : (2 * e) / B;',
      after: 'const dz = bce ? e : sigmoidOut ? 2 * e * yHat * (1 - yHat) : 2 * e;',
    },
    breaks: 'every gradient, each B times too large',
    unfindable: (run) => (run.batch >= 2 ? null : 'it needs a batch of at least 2 (with B = 1, 1/B is 1)'),
  },
  untransposed: {
    id: 'untransposed',
    rule: 'the error flows back through Wₗ₊₁ᵀ, the transpose',
    mutant: 'layers-untransposed',
    mistake: 'untransposed',
    cpuLine: {
      before: 'dl[s + i] += p[w + i]! * gk; // w = w0 + k * ni',
      after: 'dl[s + i] += p[w0 + i * no + k]! * gk;',
    },
    breaks:
      'the gradients of every hidden layer below the last (the output’s W is a single row, read the same either way)',
    unfindable: (run) =>
      run.hidden.some((h, l) => l > 0 && h >= 2 && run.hidden[l - 1]! >= 2)
        ? null
        : 'it needs two hidden layers in a row, each at least 2 wide (W_{l+1} read either way is the same otherwise)',
  },
  'one-sample-short': {
    id: 'one-sample-short',
    rule: 'dW sums δ aₗ₋₁ᵀ over every sample of the batch',
    mutant: 'layers-one-sample-short',
    mistake: 'one-sample-short',
    cpuLine: {
      before: 'g[w + i] += gk * acts[s + i]!; // for r = 0 … B − 1',
      after: 'g[w + i] += gk * acts[s + i]!; // for r = 0 … B − 2',
    },
    breaks: 'every weight’s gradient (the biases’ keep every sample)',
    unfindable: () => null,
  },
  'tanh-square': {
    id: 'tanh-square',
    rule: 'tanh′(z) = 1 − tanh²(z), with the square',
    mutant: 'layers-tanh-square',
    mistake: 'tanh-square',
    cpuLine: { before: 'const fp = 1 - a * a;', after: 'const fp = 1 - a;' },
    breaks: 'every hidden layer’s gradients (the output layer’s do not pass through tanh′)',
    unfindable: (run) =>
      run.activation === 'tanh' ? null : `it needs the tanh activation (this run uses ${run.activation})`,
  },
  'l2-sign': {
    id: 'l2-sign',
    rule: 'the L2 penalty adds +λ2·w to each weight’s gradient',
    mutant: 'layers-l2-sign',
    mistake: 'l2-sign',
    cpuLine: { before: 'g[k] += l1 * Math.sign(w) + l2 * w;', after: 'g[k] += l1 * Math.sign(w) - l2 * w;' },
    breaks: 'every weight’s gradient (the penalty counts weights only, so the biases’ are right)',
    unfindable: (run) => (run.l2 > 0 ? null : 'it needs the L2 penalty (regularization l2 with λ > 0)'),
  },
  'skip-gate': {
    id: 'skip-gate',
    rule: 'each hidden layer’s δ multiplies by its own f′(z)',
    mutant: 'layers-skip-gate',
    mistake: 'skip-gate',
    cpuLine: {
      before: 'const gk = gate(act, dl[dst + k]!, acts[dst + k]!);',
      after: 'const gk = l === 1 ? dl[dst + k]! : gate(act, dl[dst + k]!, acts[dst + k]!);',
    },
    breaks: 'the gradients of hidden layers 1 and 2 (layer 2’s δ, and everything below it)',
    unfindable: twoLayers,
  },
  'relu-kink': {
    id: 'relu-kink',
    rule: 'ReLU′(0) = 0: a gate at exactly z = 0 is closed',
    mutant: 'layers-relu-kink',
    mistake: 'relu-kink',
    cpuLine: { before: 'return a > 0 ? g : 0;', after: 'return z >= 0 ? g : 0;' },
    breaks: 'only gradients through a unit whose pre-activation is exactly 0',
    unfindable: () =>
      'it changes a gradient only where a pre-activation is exactly 0, which this page’s runs essentially never give',
  },
};

/** The bugs findable under `run`, in the list's order. */
export function findableBugs(run: BugRun): PlantedBug[] {
  return BUG_IDS.map((id) => BUGS[id]).filter((b) => b.unfindable(run) === null);
}

/** One bug drawn uniformly among those findable under `run` (`random` in [0, 1)), none of `avoid` where another is. */
export function drawBug(
  run: BugRun,
  random: () => number = Math.random,
  avoid: ReadonlySet<BugId> = new Set(),
): PlantedBug {
  const findable = findableBugs(run);
  const fresh = findable.filter((b) => !avoid.has(b.id));
  // one-sample-short is findable under every run, so the pool is never empty
  const pool = fresh.length > 0 ? fresh : findable;
  return pool[Math.min(pool.length - 1, Math.floor(random() * pool.length))]!;
}

/** A uniform number in [0, 1) from the platform's cryptographic source: unseeded, unlike the run's seed. */
export function unseededRandom(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32;
}

/**
 * Draws for "find the broken backprop" over a page's session: without replacement, so each findable bug comes once
 * before any comes again, and never the bug drawn last twice in a row where the run can show another.
 */
export class BugDeck {
  private readonly drawn = new Set<BugId>();
  private last: BugId | null = null;

  constructor(private readonly random: () => number = unseededRandom) {}

  draw(run: BugRun): PlantedBug {
    const findable = findableBugs(run);
    // all drawn: a new round, which still avoids the one just drawn
    if (findable.every((b) => this.drawn.has(b.id))) {
      this.drawn.clear();
      if (this.last !== null && findable.length > 1) this.drawn.add(this.last);
    }
    const bug = drawBug(run, this.random, this.drawn);
    this.drawn.add(bug.id);
    this.last = bug.id;
    return bug;
  }
}

/** The general kernel's lines the bug changes, before and after (trimmed, without their comments). */
export function kernelLine(bug: PlantedBug): { before: string; after: string; file: string } {
  const { before, after } = mutantLines(bug.mutant);
  const lines = (t: string) => t.split('\n').map((l) => l.replace(/\s+\/\/.*$/, '').trim());
  const [b, a] = [lines(before), lines(after)];
  // an edit over several lines shows only those it changes
  const changed = (_: string, i: number) => b[i] !== a[i];
  // f and f′ live in the shared library the general kernel includes
  const file = /return 1\.0 - a1|select\(0\.0, da1/.test(KERNEL_MUTANTS[bug.mutant].from)
    ? 'shaders/lib/common.wgsl'
    : 'shaders/layers.wgsl';
  return { before: b.filter(changed).join('\n'), after: a.filter(changed).join('\n'), file };
}

/** Why the kernel is the general one in a bug run, as the panel states it. */
export const BUG_KERNEL_WHY =
  'the general kernel, pinned for this run: it carries the planted bug (one edit of the text it compiles, ' +
  'shaders/layers.wgsl with the shared shaders/lib/common.wgsl)';

/** A trainer on the general kernel with `bug` planted in its text; refused as createTrainer refuses what cannot fit. */
export async function createBuggedTrainer(
  device: GPUDevice,
  config: TrainerConfig,
  bug: PlantedBug,
): Promise<Trainer & { readonly choice: { why: string } }> {
  chooseKernel(device, specOf(config), 'layers');
  const trainer = await LayersTrainer.create(device, { ...config, shaderSource: mutantSource(bug.mutant) });
  return Object.assign(trainer, { choice: { why: BUG_KERNEL_WHY } });
}
