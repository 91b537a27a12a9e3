/**
 * Every numeric flag of train and sweep, driven from their flag tables (a new flag is covered without a new test):
 * both ends of its range, decimal numbers only, and flag names that are an object's own keys.
 */
import { describe, expect, it } from 'vitest';
import { flagRange, parseArgs, type FlagSpec, UsageError } from '../src/cli/args.js';
import { SWEEP_FLAGS } from '../src/cli/sweep.js';
import { TRAIN_FLAGS } from '../src/cli/train.js';
import { checkConfig, DEFAULTS, type TrainConfig } from '../src/mlp/config.js';
import { train } from './support/cli.js';
import { sweep } from './support/cli-build.js';

type Run = (...argv: string[]) => Promise<{ code: number; out: string; err: string }>;
const COMMANDS: [string, Record<string, FlagSpec>, Run][] = [
  ['train', TRAIN_FLAGS, train],
  ['sweep', SWEEP_FLAGS, sweep],
];

/** The next double above v. */
function nextUp(v: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  b.setBigUint64(0, b.getBigUint64(0) + 1n);
  return b.getFloat64(0);
}

/** [value refused below the range, lowest accepted, highest accepted, refused above], as decimal text. */
function ends(spec: FlagSpec): [string, string, string, string[]] {
  const r = flagRange(spec)!;
  const lowest = r.exclusiveMin ? (r.integer ? r.min + 1 : Number.MIN_VALUE) : r.min;
  const above = r.integer ? [String(r.max + 1)] : [String(r.max + 1), String(nextUp(r.max))];
  return [String(r.exclusiveMin ? r.min : r.min - 1), String(lowest), String(r.max), above];
}

describe.each(COMMANDS)('%s: both ends of every numeric flag', (command, flags, run) => {
  const numeric = Object.entries(flags).filter(([, spec]) => flagRange(spec) !== null);

  it('has numeric flags to check', () => {
    expect(numeric.map(([name]) => name)).toEqual(
      command === 'train'
        ? ['hidden', 'lr', 'steps', 'seed', 'batch', 'l1', 'l2']
        : ['widths', 'rates', 'seeds', 'steps', 'seed-base'],
    );
  });

  for (const [name, spec] of numeric) {
    const [below, lowest, highest, above] = ends(spec);
    const parsed = (text: string) => parseArgs([`--${name}`, text], flags)[name];
    it(`--${name}: ${lowest} and ${highest} are taken`, () => {
      for (const text of [lowest, highest])
        expect(parsed(text)).toEqual(spec.kind === 'list' ? [Number(text)] : Number(text));
      if (command === 'train') {
        // and the command's own check of the config agrees
        for (const text of [lowest, highest])
          expect(() => checkConfig({ ...DEFAULTS, [name as keyof TrainConfig]: Number(text) })).not.toThrow();
      }
    });

    it(`--${name}: ${below} and ${above.join(', ')} exit 2, naming the flag and its range`, async () => {
      for (const text of [below, ...above]) {
        expect(() => parsed(text)).toThrow(UsageError);
        const r = await run(`--${name}`, text);
        expect(r.code, `--${name} ${text}: ${r.err}`).toBe(2);
        expect(r.err).toMatch(
          new RegExp(`^${command}: --${name}\\b.* (an integer|a finite number) in [[(]-?\\d+, \\d+\\]`),
        );
        expect(r.out).toBe('');
      }
    });
  }

  it('the list flags take at most their number of values', () => {
    for (const [name, spec] of numeric) {
      if (spec.kind !== 'list') continue;
      const value = String(flagRange(spec)!.max);
      expect(parseArgs([`--${name}`, Array(spec.max).fill(value).join(',')], flags)[name]).toHaveLength(spec.max!);
      expect(() =>
        parseArgs(
          [
            `--${name}`,
            Array(spec.max! + 1)
              .fill(value)
              .join(','),
          ],
          flags,
        ),
      ).toThrow(`--${name} takes at most ${spec.max} values, got ${spec.max! + 1}`);
    }
  });
});

describe('the ends named in the issue, by value', () => {
  it.each([
    ['train', '--hidden', '4097', /^train: --hidden must be an integer in \[1, 4096\], got '4097'\n$/],
    ['train', '--lr', '1001', /^train: --lr must be a finite number in \(0, 1000\], got '1001'\n$/],
    ['train', '--batch', '0', /^train: --batch must be an integer in \[1, 16777216\], got '0'\n$/],
    ['train', '--l1', '-1', /^train: --l1 must be a finite number in \[0, 1000\], got '-1'\n$/],
    ['train', '--l2', '1001', /^train: --l2 must be a finite number in \[0, 1000\], got '1001'\n$/],
    ['sweep', '--seeds', '65537', /^sweep: --seeds must be an integer in \[1, 65536\], got '65537'\n$/],
    ['sweep', '--steps', '1000001', /^sweep: --steps must be an integer in \[0, 1000000\], got '1000001'\n$/],
  ])('%s %s %s exits 2', async (command, flag, value, message) => {
    const r = await (command === 'train' ? train : sweep)(flag, value);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe.each(COMMANDS)('%s: numbers in decimal only', (command, flags, run) => {
  const numeric = Object.entries(flags).filter(([, spec]) => flagRange(spec) !== null);
  it.each([
    ['0x10', 'hexadecimal'],
    ['0b11', 'binary'],
    ['0o7', 'octal'],
    ['Infinity', 'not a finite number'],
    ['1_0', "a digit separator '_'"],
    ['\u0663', "the digit '\u0663' (U+0663); digits are 0-9"],
    ['\u22121', "the dash '\u2212' (U+2212); a minus sign is '-'"],
    ['1 0', 'a blank inside'],
    ['', 'empty'],
    [' ', 'empty'],
  ])("'%s' is refused by every numeric flag (%s)", async (text, why) => {
    for (const [name, spec] of numeric) {
      const r = await run(`--${name}=${text}`);
      expect(r.code, `--${name}=${text}: ${r.err}`).toBe(2);
      const integer = flagRange(spec)!.integer;
      const how = `${why}; write ${integer ? 'decimal digits, like 8' : 'a decimal number, like 0.5 or 1e-3'}`;
      // one value reads as a single value does, for a list flag too
      const expected = `${command}: --${name} must be ${integer ? 'an integer' : 'a finite number'} in `;
      expect(r.err.startsWith(expected), r.err).toBe(true);
      expect(r.err).toContain(`(${how})`);
      if (spec.kind !== 'list') continue;
      // within a list, the entry is named with the list
      const listed = await run(`--${name}=1,${text}`);
      expect(listed.code).toBe(2);
      expect(listed.err).toBe(
        `${command}: --${name}: '${text.trim()}' is not ${integer ? 'an integer' : 'a finite number'} in ` +
          `${flagRange(spec)!.exclusiveMin ? '(' : '['}${flagRange(spec)!.min}, ${flagRange(spec)!.max}] (${how}), in '1,${text}'\n`,
      );
    }
  });

  it('a decimal number in any of its forms reads as its value', () => {
    expect(parseArgs(['--steps', '1e3'], flags).steps).toBe(1000);
    expect(parseArgs(['--steps', '+20.'], flags).steps).toBe(20);
    expect(parseArgs(['--steps', ' 7 '], flags).steps).toBe(7);
    expect(parseArgs(['--steps', '.5e1'], flags).steps).toBe(5);
  });
});

describe.each(COMMANDS)("%s: an object's own keys are not flags", (command, flags, run) => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'])(
    '--%s exits 2: unknown flag',
    async (name) => {
      for (const argv of [[`--${name}`, '1'], [`--${name}=1`], [`--${name}`]]) {
        const r = await run(...argv);
        expect(r.code, `${argv.join(' ')}: ${r.err}`).toBe(2);
        expect(r.err).toMatch(
          new RegExp(`^${command}: unknown flag --${name}; known flags: --${Object.keys(flags)[0]}, `),
        );
        expect(r.out).toBe('');
      }
    },
  );

  it('a flag name in any case or with other characters is unknown, not unexpected', () => {
    for (const name of ['Hidden', 'STEPS', 'x_y', '-steps', '\u00e9']) {
      expect(() => parseArgs([`--${name}`, '1'], flags)).toThrow(`unknown flag --${name}; known flags: `);
    }
    expect(() => parseArgs(['--', '1'], flags)).toThrow("unexpected argument '--'; flags look like --name value");
  });
});
