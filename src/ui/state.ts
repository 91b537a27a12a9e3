/**
 * The page's settings: one declarative table says each setting's URL key, its
 * default and how it is checked, so every control is shareable as a link and a
 * bad value is refused with the allowed range. Pure: no DOM.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import { LOSSES, type LossKind } from '../engine/losses.js';
import { BUG_IDS, type BugId } from '../gpu/bugs.js';
import { KERNEL_NAMES, type KernelName } from '../gpu/contract.js';
import { DEFAULTS, describeRange, inRange, LIMITS, type NumericField } from '../mlp/config.js';
import {
  DATASET_KINDS,
  DATASET_NAMES,
  type DatasetKind,
  GEN_LIMITS,
  problemOf,
  PROBLEMS,
  type Problem,
} from '../mlp/data/datasets.js';
import { DECIMAL } from '../mlp/decimal.js';
import { formatHidden, MODEL_LIMITS, parseHidden } from '../mlp/model.js';

export interface Settings {
  /** The hidden widths H_1..H_L, input side first (1 to 6 layers); in the URL as "8,8,4". */
  hidden: readonly number[];
  /** Classification (σ output, labels in [0, 1]) or regression (identity output, MSE, any finite label). */
  problem: Problem;
  lr: number;
  loss: LossKind;
  /** The mini-batch size B, or 'all' for the full batch (every training point each step). */
  batch: 'all' | number;
  /** The penalty on the weights (none, λ Σ|w| or (λ/2) Σ w²) and its rate λ. */
  reg: 'none' | 'l1' | 'l2';
  lambda: number;
  /** The hidden activation f (src/engine/activation.ts). */
  activation: HiddenActivation;
  seed: number;
  /** The pace: SGD steps a second, or 'max' (as fast as this device goes); the controller turns it into steps a frame. */
  speed: Speed;
  /**
   * Which training sample the graph follows, counted from 1 as the page, the exercises and the walk count (1..N;
   * clamped to the data). Only arrays (JSON, code) index from 0. Links from before said `point=n` counted from 0:
   * read as sample n + 1 (LEGACY_POINT).
   */
  sample: number;
  /** The data (src/mlp/data/datasets.ts): which set, how many points, how noisy, its seed, the share held out. */
  dataset: DatasetKind;
  points: number;
  noise: number;
  dataSeed: number;
  test: number;
  /** The GPU kernel: 'auto' lets the chooser pick (src/gpu/chooser.ts); a name forces it where it fits. */
  kernel: 'auto' | KernelName;
  /** The decision boundary's view: the held-out test points drawn as rings, and ŷ painted as its class. */
  showTest: 'on' | 'off';
  discretize: 'on' | 'off';
  /** The graph's walk asks for one entry of each backward stage before revealing it (./graph/graph-predict.ts). */
  predict: 'on' | 'off';
  /** The bug hunt (./bug/bug-hunt.ts): no bug, one drawn among those this run can show, or one named by a teacher. */
  bug: 'off' | 'random' | BugId;
}

/** Steps a second, or as fast as the device goes. */
export type Speed = number | 'max';

/**
 * The speed slider's positions, log-spaced from slow motion (one step a second: each step drawn and readable) to as
 * fast as the device goes; a link may name any rate in [1, 10,000] between them.
 */
export const SPEEDS: readonly Speed[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 'max'];

/** "1 step a second", "1,200 steps a second", "as fast as it goes". */
export function speedWords(speed: Speed): string {
  if (speed === 'max') return 'as fast as it goes';
  return `${speed.toLocaleString('en-US')} step${speed === 1 ? '' : 's'} a second`;
}

/** The slider position nearest a speed (on a log scale). */
export function speedPosition(speed: Speed): number {
  if (speed === 'max') return SPEEDS.length - 1;
  let best = 0;
  SPEEDS.forEach((v, i) => {
    if (v !== 'max' && Math.abs(Math.log(v / speed)) < Math.abs(Math.log((SPEEDS[best] as number) / speed))) best = i;
  });
  return best;
}

/**
 * Links from before the pace was a rate say `perFrame=N` (N steps each animation frame, at about 60 frames a second):
 * read as speed = 60·N steps a second, and as 'max' where that is above the slider's largest rate.
 */
export const LEGACY_PER_FRAME = { min: 1, max: 20_000, framesPerSecond: 60 } as const;
export function speedOfPerFrame(n: number): Speed {
  const rate = n * LEGACY_PER_FRAME.framesPerSecond;
  return rate > (SPEEDS[SPEEDS.length - 2] as number) ? 'max' : rate;
}

/** The legacy key `point`: the followed sample counted from 0, read as `sample` = point + 1 where `sample` is absent. */
export const LEGACY_POINT = { key: 'point', min: 0, max: GEN_LIMITS.N.max - 1 } as const;

type Field =
  | { kind: 'hidden'; label: string }
  | { kind: 'speed'; min: number; max: number; label: string }
  | { kind: 'batch'; min: number; max: number; label: string }
  | { kind: 'config'; field: NumericField; label: string }
  | { kind: 'int'; min: number; max: number; label: string }
  | { kind: 'real'; min: number; max: number; label: string }
  | { kind: 'choice'; choices: readonly string[]; label: string };

export const REGULARIZERS = ['none', 'l1', 'l2'] as const;

/** The dataset a problem type starts on. */
export const FIRST_DATASET: Record<Problem, DatasetKind> = { classification: 'xor', regression: 'reg-plane' };

/** Every setting, by its URL key. Hyperparameters share their ranges with the CLI (src/mlp/config.ts). */
export const SETTINGS: { readonly [K in keyof Settings]: Field } = {
  hidden: { kind: 'hidden', label: 'hidden layers' },
  lr: { kind: 'config', field: 'lr', label: 'learning rate' },
  loss: { kind: 'choice', choices: LOSSES, label: 'loss' },
  activation: { kind: 'choice', choices: HIDDEN_ACTIVATIONS, label: 'activation' },
  seed: { kind: 'config', field: 'seed', label: 'seed' },
  speed: { kind: 'speed', min: 1, max: SPEEDS[SPEEDS.length - 2] as number, label: 'speed' },
  sample: { kind: 'int', min: 1, max: GEN_LIMITS.N.max, label: 'followed sample' },
  dataset: { kind: 'choice', choices: DATASET_KINDS, label: 'dataset' },
  points: { kind: 'int', min: GEN_LIMITS.N.min, max: GEN_LIMITS.N.max, label: 'points N' },
  noise: { kind: 'real', min: GEN_LIMITS.noise.min, max: GEN_LIMITS.noise.max, label: 'noise' },
  dataSeed: { kind: 'config', field: 'seed', label: 'data seed' },
  test: { kind: 'real', min: GEN_LIMITS.testFraction.min, max: GEN_LIMITS.testFraction.max, label: 'test fraction' },
  kernel: { kind: 'choice', choices: ['auto', ...KERNEL_NAMES], label: 'GPU kernel' },
  showTest: { kind: 'choice', choices: ['on', 'off'], label: 'show test points' },
  discretize: { kind: 'choice', choices: ['on', 'off'], label: 'discretize output' },
  predict: { kind: 'choice', choices: ['on', 'off'], label: 'predict in the walk' },
  problem: { kind: 'choice', choices: PROBLEMS, label: 'problem type' },
  batch: { kind: 'batch', min: LIMITS.batch.min, max: GEN_LIMITS.N.max, label: 'batch size' },
  reg: { kind: 'choice', choices: REGULARIZERS, label: 'regularization' },
  lambda: { kind: 'config', field: 'l2', label: 'regularization rate λ' },
  bug: { kind: 'choice', choices: ['off', 'random', ...BUG_IDS], label: 'planted bug' },
};

export const DEFAULT_SETTINGS: Settings = {
  hidden: [DEFAULTS.hidden],
  lr: DEFAULTS.lr,
  loss: DEFAULTS.loss,
  activation: DEFAULTS.activation,
  seed: DEFAULTS.seed,
  // XOR (H = 8, lr 0.5) classifies all 4 points from about step 40 and has its finished look (loss < 0.01) near step
  // 250: at 20 steps a second a learner sees 2 of 4, 3 of 4, 4 of 4 over two seconds, and the band settle over ten
  speed: 20,
  sample: 2,
  dataset: 'xor',
  points: 200,
  noise: 0.1,
  dataSeed: 1,
  test: 0.2,
  kernel: 'auto',
  problem: 'classification',
  batch: 'all',
  reg: 'none',
  lambda: 0.001,
  showTest: 'on',
  discretize: 'off',
  predict: 'off',
  bug: 'off',
};

/** A numeric setting's range (a choice has none); `exclusiveMin`: the minimum itself is not allowed. */
export function numericRange(
  key: keyof Settings,
): { min: number; max: number; integer: boolean; exclusiveMin: boolean } | null {
  const f = SETTINGS[key];
  if (f.kind === 'choice' || f.kind === 'hidden') return null;
  if (f.kind === 'config') {
    const r: { min: number; max: number; integer: boolean; exclusiveMin?: boolean } = LIMITS[f.field];
    return { min: r.min, max: r.max, integer: r.integer, exclusiveMin: r.exclusiveMin === true };
  }
  return { min: f.min, max: f.max, integer: f.kind === 'int' || f.kind === 'speed', exclusiveMin: false };
}

/** "an integer in [1, 4096]", "one of bce, mse". */
export function allowed(key: keyof Settings): string {
  const f = SETTINGS[key];
  if (f.kind === 'hidden') {
    const { layers, width } = MODEL_LIMITS;
    return `${layers.min} to ${layers.max} widths separated by commas, each an integer in [${width.min}, ${width.max}]`;
  }
  if (f.kind === 'batch') return `all, or an integer in [${f.min}, ${f.max}] and at most the training points N`;
  if (f.kind === 'speed')
    return `max (as fast as the device goes), or steps a second as an integer in [${f.min}, ${f.max}]`;
  if (f.kind === 'config') return describeRange(f.field);
  if (f.kind === 'int') return `an integer in [${f.min}, ${f.max}]`;
  if (f.kind === 'real') return `a number in [${f.min}, ${f.max}]`;
  return `one of ${f.choices.join(', ')}`;
}

/** How to write a value: an integer field gets an integer example (8, or the nearest allowed), a real one decimals. */
function example(key: keyof Settings): string {
  const m = /^an integer in \[(\d+), (\d+)\]/.exec(allowed(key));
  if (!m) return 'a decimal number (like 0.5 or 1e-3)';
  return `decimal digits (like ${Math.min(Number(m[2]), Math.max(Number(m[1]), 8))})`;
}

/** Parses one raw value; returns the value or an error naming the setting and its range. */
export function parseSetting<K extends keyof Settings>(
  key: K,
  raw: string,
): { value: Settings[K] } | { error: string } {
  const f = SETTINGS[key];
  const bad = { error: `${f.label} must be ${allowed(key)}, got '${raw}'` };
  if (f.kind === 'choice') return f.choices.includes(raw) ? { value: raw as Settings[K] } : bad;
  if (f.kind === 'hidden') {
    try {
      return { value: parseHidden(raw, f.label) as unknown as Settings[K] };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  if (f.kind === 'batch' && raw.trim().toLowerCase() === 'all') return { value: 'all' as Settings[K] };
  if (f.kind === 'speed' && raw.trim().toLowerCase() === 'max') return { value: 'max' as Settings[K] };
  if ((f.kind === 'batch' || f.kind === 'speed') && !DECIMAL.test(raw.trim())) return bad;
  if (!DECIMAL.test(raw.trim()))
    return { error: `${f.label} must be ${allowed(key)}, written as ${example(key)}, got '${raw}'` };
  const v = Number(raw.trim());
  const ok =
    f.kind === 'config' ? inRange(f.field, v) : (f.kind === 'real' || Number.isInteger(v)) && v >= f.min && v <= f.max;
  if ((f.kind === 'batch' || f.kind === 'speed') && !ok) return bad;
  return ok ? { value: v as Settings[K] } : bad;
}

/**
 * Settings from a query string; unknown keys are ignored, bad values fall back to defaults and are reported,
 * in order (`errors`) and by the setting refused (`refused`, to say beside its field).
 */
export function fromQuery(query: string): {
  settings: Settings;
  errors: string[];
  refused: Partial<Record<keyof Settings, string>>;
} {
  const params = new URLSearchParams(query);
  const settings = { ...DEFAULT_SETTINGS };
  const errors: string[] = [];
  const refused: Partial<Record<keyof Settings, string>> = {};
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const r = parseSetting(key, raw);
    if ('error' in r) {
      errors.push(r.error);
      refused[key] = r.error;
    } else (settings as Record<string, unknown>)[key] = r.value;
  }
  const perFrame = params.get('perFrame');
  if (perFrame !== null && params.get('speed') === null) {
    const { min, max, framesPerSecond } = LEGACY_PER_FRAME;
    const n = Number(perFrame.trim());
    if (DECIMAL.test(perFrame.trim()) && Number.isInteger(n) && n >= min && n <= max)
      settings.speed = speedOfPerFrame(n);
    else {
      const error =
        `steps per frame (perFrame, read as speed = ${framesPerSecond} × it steps a second) must be an integer in ` +
        `[${min}, ${max}], got '${perFrame}'`;
      errors.push(error);
      refused.speed = error;
    }
  }
  const point = params.get(LEGACY_POINT.key);
  if (point !== null && params.get('sample') === null) {
    const n = Number(point.trim());
    const { min, max } = LEGACY_POINT;
    if (DECIMAL.test(point.trim()) && Number.isInteger(n) && n >= min && n <= max) settings.sample = n + 1;
    else {
      const error =
        `followed point (point, counted from 0 and read as sample = point + 1) must be an integer in ` +
        `[${min}, ${max}], got '${point}'`;
      errors.push(error);
      refused.sample = error;
    }
  }
  // each problem type has its datasets: a link naming only one of the two means the other follows (the problem alone
  // brings its first dataset); a link naming two that disagree keeps the dataset and says so in the banner
  const family = problemOf(settings.dataset);
  if (settings.problem !== family) {
    if (params.get('dataset') === null) settings.dataset = FIRST_DATASET[settings.problem];
    else {
      if (params.get('problem') !== null)
        errors.push(
          `problem type ${settings.problem} cannot train on the dataset ${DATASET_NAMES[settings.dataset]}, ` +
            `whose labels are for ${family}, so the link trains it as ${family}`,
        );
      settings.problem = family;
    }
  }
  if (settings.problem === 'regression' && settings.loss !== 'mse') {
    if (params.get('loss') !== null) {
      errors.push(
        'loss bce needs the σ output of classification (a probability), so the link trains this regression with mse',
      );
    }
    settings.loss = 'mse';
  }
  return { settings, errors, refused };
}

/** The query string for settings: every key, so a link reproduces the run exactly. */
export function toQuery(s: Settings): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    // the bug hunt is off in every link that does not ask for it; `random` stays `random`, never the bug it drew
    if (key === 'bug' && s.bug === 'off') continue;
    params.set(key, formatSetting(key, s[key]));
  }
  return `?${params.toString()}`.replaceAll('%2C', ',');
}

/** A setting as its control and the URL write it: the hidden widths as "8,8,4". */
export function formatSetting<K extends keyof Settings>(key: K, value: Settings[K]): string {
  return key === 'hidden' ? formatHidden(value as readonly number[]) : String(value);
}
