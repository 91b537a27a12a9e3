/**
 * A small table-driven flag parser for the command-line tools: `--name value`
 * or `--name=value`, booleans as bare `--name`. Anything unknown or out of
 * range is a UsageError naming the flag and what it allows; tools exit 2 on it.
 */
import { describeRange, inRange, LIMITS, type NumericField } from '../mlp/config.js';
import { notDecimal, parseDecimal } from '../mlp/decimal.js';

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

/** The range a numeric flag allows (null for the others), as its checks and its help text use it. */
export function flagRange(
  spec: FlagSpec,
): { min: number; max: number; integer: boolean; exclusiveMin: boolean } | null {
  if (spec.kind === 'int') return { min: spec.min, max: spec.max, integer: true, exclusiveMin: false };
  if (spec.kind !== 'field' && spec.kind !== 'list') return null;
  const r: { min: number; max: number; integer: boolean; exclusiveMin?: boolean } = LIMITS[spec.field];
  return { min: r.min, max: r.max, integer: r.integer, exclusiveMin: r.exclusiveMin === true };
}

export function parseArgs(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>): FlagValues {
  const out: FlagValues = Object.create(null) as FlagValues;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) throw new UsageError(`unexpected argument '${arg}'; flags look like --name value`);
    const name = m[1]!;
    // Own keys only: 'constructor', 'toString' or '__proto__' are an object's, not flags.
    const spec = Object.hasOwn(flags, name) ? flags[name] : undefined;
    if (!spec) {
      throw new UsageError(
        `unknown flag --${name}; known flags: ${Object.keys(flags)
          .map((f) => `--${f}`)
          .join(', ')}`,
      );
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
  if (spec.kind === 'choice') {
    if (!spec.choices.includes(raw)) throw new UsageError(`--${name} must be ${allowed(spec)}, got '${raw}'`);
    return raw;
  }
  const integer = flagRange(spec)!.integer;
  // A list of one value reads, and is refused, as a single value is: `--hidden 0` says what `--lr 0` would.
  if (spec.kind === 'list' && raw.includes(',')) {
    const items = raw.split(',');
    if (spec.max !== undefined && items.length > spec.max) {
      throw new UsageError(`--${name} takes at most ${spec.max} values, got ${items.length}`);
    }
    return items.map((item) => {
      const problem = notDecimal(item, integer);
      const v = parseDecimal(item);
      if (problem || !inRange(spec.field, v)) {
        const why = problem ? ` (${problem})` : '';
        throw new UsageError(`--${name}: '${item.trim()}' is not ${describeRange(spec.field)}${why}, in '${raw}'`);
      }
      return v;
    });
  }
  const range = spec.kind === 'list' ? describeRange(spec.field) : allowed(spec);
  const problem = notDecimal(raw, integer);
  if (problem) throw new UsageError(`--${name} must be ${range}, got '${raw}' (${problem})`);
  const v = parseDecimal(raw);
  const ok = spec.kind === 'int' ? Number.isInteger(v) && v >= spec.min && v <= spec.max : inRange(spec.field, v);
  if (!ok) throw new UsageError(`--${name} must be ${range}, got '${raw}'`);
  return spec.kind === 'list' ? [v] : v;
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
    const left =
      spec.kind === 'bool'
        ? `--${name}`
        : `--${name} <${spec.kind === 'field' ? describeRange(spec.field) : spec.kind === 'list' ? 'list' : allowed(spec)}>`;
    return `  ${left.padEnd(44)} ${spec.help}`;
  });
  return `${summary}\n\nUsage: ${command} [flags]\n\n${lines.join('\n')}\n`;
}
