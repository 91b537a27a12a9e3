/**
 * The page's settings: one declarative table says each setting's URL key, its
 * default and how it is checked, so every control is shareable as a link and a
 * bad value is refused with the allowed range. Pure: no DOM.
 */
import { LOSSES, type LossKind } from '../engine/losses.js';
import { DEFAULTS, describeRange, inRange, type NumericField } from '../mlp/config.js';

export interface Settings {
  hidden: number;
  lr: number;
  loss: LossKind;
  seed: number;
  /** SGD steps recorded per animation frame (one submit, one readback). */
  perFrame: number;
  /** Which XOR point the diagram follows (0..3). */
  point: number;
}

type Field =
  | { kind: 'config'; field: NumericField; label: string }
  | { kind: 'int'; min: number; max: number; label: string }
  | { kind: 'choice'; choices: readonly string[]; label: string };

/** Every setting, by its URL key. Hyperparameters share their ranges with the CLI (src/mlp/config.ts). */
export const SETTINGS: { readonly [K in keyof Settings]: Field } = {
  hidden: { kind: 'config', field: 'hidden', label: 'hidden width H' },
  lr: { kind: 'config', field: 'lr', label: 'learning rate' },
  loss: { kind: 'choice', choices: LOSSES, label: 'loss' },
  seed: { kind: 'config', field: 'seed', label: 'seed' },
  perFrame: { kind: 'int', min: 1, max: 2000, label: 'steps per frame' },
  point: { kind: 'int', min: 0, max: 3, label: 'diagram point' },
};

export const DEFAULT_SETTINGS: Settings = {
  hidden: DEFAULTS.hidden,
  lr: DEFAULTS.lr,
  loss: DEFAULTS.loss,
  seed: DEFAULTS.seed,
  perFrame: 20,
  point: 1,
};

/** A decimal number: digits, an optional point and exponent; no hex, binary, octal, Infinity or blanks. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** "an integer in [1, 4096]", "one of bce, mse". */
export function allowed(key: keyof Settings): string {
  const f = SETTINGS[key];
  if (f.kind === 'config') return describeRange(f.field);
  if (f.kind === 'int') return `an integer in [${f.min}, ${f.max}]`;
  return `one of ${f.choices.join(', ')}`;
}

/** Parses one raw value; returns the value or an error naming the setting and its range. */
export function parseSetting<K extends keyof Settings>(key: K, raw: string): { value: Settings[K] } | { error: string } {
  const f = SETTINGS[key];
  const bad = { error: `${f.label} must be ${allowed(key)}, got '${raw}'` };
  if (f.kind === 'choice') return f.choices.includes(raw) ? { value: raw as Settings[K] } : bad;
  if (!DECIMAL.test(raw.trim())) return { error: `${f.label} must be ${allowed(key)}, written as a decimal number (like 0.5 or 1e-3), got '${raw}'` };
  const v = Number(raw.trim());
  const ok = f.kind === 'config' ? inRange(f.field, v) : Number.isInteger(v) && v >= f.min && v <= f.max;
  return ok ? { value: v as Settings[K] } : bad;
}

/** Settings from a query string; unknown keys are ignored, bad values fall back to defaults and are reported. */
export function fromQuery(query: string): { settings: Settings; errors: string[] } {
  const params = new URLSearchParams(query);
  const settings = { ...DEFAULT_SETTINGS };
  const errors: string[] = [];
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    const r = parseSetting(key, raw);
    if ('error' in r) errors.push(r.error);
    else (settings as Record<string, unknown>)[key] = r.value;
  }
  return { settings, errors };
}

/** The query string for settings: every key, so a link reproduces the run exactly. */
export function toQuery(s: Settings): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) params.set(key, String(s[key]));
  return `?${params.toString()}`;
}
