/**
 * A small table-driven flag parser for the command-line tools: `--name value`
 * or `--name=value`, booleans as bare `--name`. Anything unknown or out of
 * range is a UsageError naming the flag and what it allows; tools exit 2 on it.
 */
import { describeRange, inRange, type NumericField } from '../mlp/config.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagSpec =
  | { kind: 'field'; field: NumericField; help: string }
  | { kind: 'list'; field: NumericField; max?: number; help: string }
  | { kind: 'int'; min: number; max: number; help: string }
  | { kind: 'choice'; choices: readonly string[]; help: string }
  | { kind: 'bool'; help: string }
  | { kind: 'string'; help: string };

export type FlagValues = Record<string, number | string | boolean | number[]>;

export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): FlagValues {
  const out: FlagValues = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument '${arg}'; flags look like --name value`);
    const name = m[1]!;
    const spec = flags[name];
    if (!spec) {
      throw new UsageError(`unknown flag --${name}; known flags: ${Object.keys(flags).map((f) => `--${f}`).join(', ')}`);
    }
    if (spec.kind === 'bool') {
      if (m[2] !== undefined) throw new UsageError(`--${name} takes no value`);
      out[name] = true;
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined || (m[2] === undefined && raw.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value (${allowed(spec)})`);
    }
    out[name] = parseValue(name, spec, raw);
  }
  return out;
}

function parseValue(name: string, spec: Exclude<FlagSpec, { kind: 'bool' }>, raw: string): number | string | number[] {
  if (spec.kind === 'string') return raw;
  if (spec.kind === 'list') {
    const items = raw.split(',').map((t) => t.trim());
    const values = items.map((t) => (t === '' ? NaN : Number(t)));
    const bad = values.findIndex((v) => !inRange(spec.field, v));
    if (bad >= 0) throw new UsageError(`--${name}: '${items[bad]}' is not ${describeRange(spec.field)} (in '${raw}')`);
    if (spec.max !== undefined && values.length > spec.max) throw new UsageError(`--${name} takes at most ${spec.max} values, got ${values.length}`);
    return values;
  }
  if (spec.kind === 'int') {
    const v = raw.trim() === '' ? NaN : Number(raw);
    if (!Number.isInteger(v) || v < spec.min || v > spec.max) throw new UsageError(`--${name} must be ${allowed(spec)}, got '${raw}'`);
    return v;
  }
  if (spec.kind === 'choice') {
    if (!spec.choices.includes(raw)) throw new UsageError(`--${name} must be ${allowed(spec)}, got '${raw}'`);
    return raw;
  }
  const v = raw.trim() === '' ? NaN : Number(raw);
  if (!inRange(spec.field, v)) throw new UsageError(`--${name} must be ${allowed(spec)}, got '${raw}'`);
  return v;
}

function allowed(spec: FlagSpec): string {
  switch (spec.kind) {
    case 'field':
      return describeRange(spec.field);
    case 'choice':
      return `one of ${spec.choices.join(', ')}`;
    case 'list':
      return `a comma-separated list, each ${describeRange(spec.field)}`;
    case 'int':
      return `an integer in [${spec.min}, ${spec.max}]`;
    default:
      return 'a value';
  }
}

/** The --help text, generated from the same table. */
export function usage(command: string, summary: string, flags: Readonly<Record<string, FlagSpec>>): string {
  const lines = Object.entries(flags).map(([name, spec]) => {
    const left = spec.kind === 'bool' ? `--${name}` : `--${name} <${spec.kind === 'field' ? describeRange(spec.field) : spec.kind === 'list' ? 'list' : allowed(spec)}>`;
    return `  ${left.padEnd(44)} ${spec.help}`;
  });
  return `${summary}\n\nUsage: ${command} [flags]\n\n${lines.join('\n')}\n`;
}
