/**
 * Property tests of the flag parser and the data reader on random and adversarial input, from the project's seeded
 * PRNG (src/mlp/rng.ts), so every run sees the same cases and a failure names its case. Properties:
 * - nothing crashes: the only error is a UsageError (flags) or a RangeError (data) whose message names the flag, or
 *   the line (and column) of the file;
 * - what is accepted reads as a decimal reading gives it (an oracle written here, a character scanner, not the
 *   module's regex), and what the oracle finds valid is accepted;
 * - nothing hangs: each case parses within a bound of time.
 */
import { describe, expect, it } from 'vitest';
import { flagRange, type FlagSpec, parseArgs, UsageError } from '../src/cli/args.js';
import { SWEEP_FLAGS } from '../src/cli/sweep.js';
import { TRAIN_FLAGS } from '../src/cli/train.js';
import { parseDataset } from '../src/mlp/data/data-file.js';
import { makeRng } from '../src/mlp/rng.js';
import { train } from './support/cli.js';
import { sweep } from './support/cli-build.js';

/** The decimal reading of `raw`, or null when it is not a decimal number (sign, digits, point, exponent; trimmed). */
function decimalReading(raw: string): number | null {
  const s = raw.trim();
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let i = 0;
  if (s[i] === '+' || s[i] === '-') i++;
  let digits = 0;
  while (digit(s[i])) (i++, digits++);
  if (s[i] === '.') for (i++; digit(s[i]);) (i++, digits++);
  if (digits === 0) return null;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    let exponent = 0;
    while (digit(s[i])) (i++, exponent++);
    if (exponent === 0) return null;
  }
  return i === s.length ? Number(s) : null; // Number() of a decimal string is its correctly rounded value
}

/** Adversarial values: other notations, Unicode digits and dashes, huge exponents, blanks, the ranges' ends. */
const ODD = [
  '0x10',
  '0X1f',
  '-0x10',
  '0b11',
  '0o7',
  '0e0',
  'Infinity',
  '-Infinity',
  '+Infinity',
  'infinity',
  'NaN',
  'inf',
  '1_000',
  '1__0',
  '\u0661\u0662',
  '\u06f3',
  '\uff18',
  '\u2212' + '1',
  '\u2010' + '1',
  '\uff0b' + '1',
  '\ufe63' + '1',
  '1e999',
  '-1e999',
  '1e-999',
  '1e308',
  '1.7976931348623157e308',
  '5e-324',
  `1e${'9'.repeat(400)}`,
  '9'.repeat(400),
  '',
  ' ',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '1 2',
  '.',
  '+',
  '-',
  'e5',
  '1e',
  '1e+',
  '.e1',
  '0.',
  '.0',
  '00012',
  '-0',
  '+0',
  '1.5',
  '0',
  '1',
  '8',
  '1000',
  '1000.0000000000001',
  '4096',
  '4097',
  '65536',
  '65537',
  '1000000',
  '1000001',
  '100000000',
  '100000001',
  '4294967295',
  '4294967296',
  ' 8 ',
  '8\n',
  '1,2',
  ',',
  '1,,2',
  '\u0663,2',
  '0.5',
  '3',
  '1e3',
  '+20.',
  '.5e1',
  '--1',
  '1-',
  '1e1.5',
  '0x',
  '1ee2',
  'abc',
  '=',
  '==1',
];
const NAMES = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'prototype',
  'Hidden',
  'STEPS',
  '',
  '-',
  'x=y',
  '\u00e9',
  'help ',
];

function generator(seed: number) {
  const rng = makeRng(seed);
  const int = (n: number) => Math.floor(rng() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chars = (alphabet: string, max: number) =>
    Array.from({ length: int(max + 1) }, () => alphabet[int(alphabet.length)]).join('');
  const decimal = () =>
    `${pick(['', '+', '-'])}${chars('0123456789', 5) || '0'}${pick(['', '.', `.${chars('0123456789', 4)}`])}${pick(['', `e${pick(['', '+', '-'])}${chars('0123456789', 3) || '0'}`])}`;
  const value = () =>
    pick([decimal, decimal, () => pick(ODD), () => pick(ODD), () => chars('0123456789.eE+-xbo_ ,\u2212\u0663In', 8)])();
  return { rng, int, pick, value };
}

function checkFlags(table: Readonly<Record<string, FlagSpec>>, seed: number, cases: number): string[][] {
  const g = generator(seed);
  const names = [...Object.keys(table), ...NAMES];
  const refused: string[][] = [];
  for (let c = 0; c < cases; c++) {
    const argv: string[] = [];
    const given = new Map<string, string | true>();
    for (let k = g.int(4); k > 0; k--) {
      const name = g.pick(names);
      const raw = g.value();
      const form = g.int(5);
      const bool = Object.hasOwn(table, name) && table[name]!.kind === 'bool';
      if (form === 0) (argv.push(`--${name}=${raw}`), given.set(name, raw));
      else if (form === 1 && bool) (argv.push(`--${name}`), given.set(name, true));
      else if (form === 2) argv.push(raw);
      else (argv.push(`--${name}`, raw), given.set(name, bool ? true : raw));
    }
    const where = `case ${c}: ${JSON.stringify(argv)}`;
    const t0 = performance.now();
    let flags: ReturnType<typeof parseArgs>;
    try {
      flags = parseArgs(argv, table);
    } catch (e) {
      expect(e, where).toBeInstanceOf(UsageError);
      const m = (e as Error).message;
      const named =
        /^unknown flag --[\s\S]*; known flags: /.test(m) ||
        /^unexpected argument '/.test(m) ||
        Object.keys(table).some((f) => m.startsWith(`--${f}`));
      expect(named, `${where}: ${m}`).toBe(true);
      refused.push(argv);
      continue;
    } finally {
      expect(performance.now() - t0, where).toBeLessThan(50);
    }
    // Accepted: every flag given is a real one, and every numeric value is its decimal reading, in range.
    for (const [name, raw] of given) {
      expect(Object.hasOwn(table, name), where).toBe(true);
      const spec = table[name]!;
      const got = flags[name];
      const range = flagRange(spec);
      if (range) {
        const texts = spec.kind === 'list' ? (raw as string).split(',') : [raw as string];
        const expected = texts.map(decimalReading);
        for (const v of expected) {
          expect(v, where).not.toBeNull();
          const inRange =
            (range.exclusiveMin ? v! > range.min : v! >= range.min) &&
            v! <= range.max &&
            (!range.integer || Number.isInteger(v));
          expect(inRange, where).toBe(true);
        }
        expect(got, where).toEqual(spec.kind === 'list' ? expected : expected[0]);
      } else {
        expect(got, where).toBe(spec.kind === 'bool' ? true : raw);
      }
    }
  }
  return refused;
}

describe('the flag parser on random and adversarial argv (seeded)', () => {
  it.each([
    ['train', TRAIN_FLAGS, 1],
    ['sweep', SWEEP_FLAGS, 2],
  ] as const)('%s: a UsageError naming the flag, or the decimal reading of every value', (_, table, seed) => {
    const refused = checkFlags(table, seed, 4000);
    expect(refused.length).toBeGreaterThan(1000); // the cases reach both outcomes
    expect(refused.length).toBeLessThan(3900);
  });

  it('a decimal value the oracle reads in range is always taken (single flags)', () => {
    const g = generator(3);
    for (let c = 0; c < 3000; c++) {
      const raw = g.value();
      for (const [name, spec] of Object.entries(TRAIN_FLAGS)) {
        const range = flagRange(spec);
        if (!range) continue;
        const v = decimalReading(raw);
        const ok =
          v !== null &&
          (range.exclusiveMin ? v > range.min : v >= range.min) &&
          v <= range.max &&
          (!range.integer || Number.isInteger(v));
        const argv = [`--${name}=${raw}`];
        if (spec.kind === 'list' && raw.includes(',')) continue; // a list of values: checkFlags' cases
        if (ok)
          expect(parseArgs(argv, TRAIN_FLAGS)[name], JSON.stringify(argv)).toEqual(spec.kind === 'list' ? [v] : v);
        else
          expect(() => parseArgs(argv, TRAIN_FLAGS), JSON.stringify(argv)).toThrow(new RegExp(`^--${name} must be `));
      }
    }
  });

  it('the commands exit 2 with the same message for refused argv, and never throw', async () => {
    for (const [command, table, run, seed] of [
      ['train', TRAIN_FLAGS, train, 4],
      ['sweep', SWEEP_FLAGS, sweep, 5],
    ] as const) {
      for (const argv of checkFlags(table, seed, 400)) {
        let message = '';
        try {
          parseArgs(argv, table);
        } catch (e) {
          message = (e as Error).message;
        }
        const r = await run(...argv);
        expect({ code: r.code, err: r.err, out: r.out }, JSON.stringify(argv)).toEqual({
          code: 2,
          err: `${command}: ${message}\n`,
          out: '',
        });
      }
    }
  });
});

/** What the documented CSV rules make of a text: the dataset's numbers, or null when the file must be refused. */
function csvOracle(text: string): { x: number[]; y: number[] } | null {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') return null;
  const lines = body.split('\n').map((l) => l.split(',').map((c) => c.trim()));
  const data = lines.filter((cells) => cells.some((c) => c !== '') && !cells[0]!.startsWith('#'));
  if (data.length === 0) return null;
  const header = data[0]!.every((c) => c !== '' && decimalReading(c) === null);
  const rows = header ? data.slice(1) : data;
  if (rows.length === 0) return null;
  const width = rows[0]!.length;
  if (width < 2 || (header && data[0]!.length !== width)) return null;
  const x: number[] = [];
  const y: number[] = [];
  for (const cells of rows) {
    if (cells.length !== width) return null;
    const values = cells.map(decimalReading);
    if (values.some((v) => v === null || !Number.isFinite(v))) return null;
    const label = values.pop()!;
    if (label < 0 || label > 1) return null;
    x.push(...(values as number[]));
    y.push(label);
  }
  return { x, y };
}

describe('the data reader on random and adversarial files (seeded)', () => {
  it('CSV: the oracle’s numbers, or a RangeError naming the line (and column)', () => {
    const g = generator(6);
    let parsed = 0;
    for (let c = 0; c < 3000; c++) {
      const width = 2 + g.int(3);
      const lines: string[] = [];
      if (g.int(3) === 0)
        lines.push(Array.from({ length: width }, (_, i) => (i < width - 1 ? `x${i + 1}` : 'y')).join(','));
      for (let r = 1 + g.int(5); r > 0; r--) {
        const kind = g.int(12);
        if (kind === 0) lines.push(g.pick(['', '  ', ',,', '# a comment', ' #x,1']));
        else {
          const n = kind === 1 ? width + g.pick([-1, 1]) : width;
          const cell = (i: number) =>
            g.int(3) === 0
              ? g.value()
              : i === n - 1
                ? g.pick(['0', '1', '0.5', ' 1 ', '2', '-0'])
                : g.pick(['0', '-1.5', '2e3', '.25', '1e39']);
          lines.push(Array.from({ length: n }, (_, i) => cell(i)).join(','));
        }
      }
      const text = `${g.int(8) === 0 ? '\ufeff' : ''}${lines.join(g.int(4) === 0 ? '\r\n' : '\n')}${g.int(2) ? '\n' : ''}`;
      const where = `case ${c}: ${JSON.stringify(text)}`;
      const expected = csvOracle(text);
      const t0 = performance.now();
      try {
        const data = parseDataset(text, 'csv');
        expect(expected, where).not.toBeNull();
        expect([Array.from(data.x), Array.from(data.y)], where).toEqual([expected!.x, expected!.y]);
        parsed++;
      } catch (e) {
        expect(e, where).toBeInstanceOf(RangeError);
        const m = (e as Error).message;
        expect(m, where).toMatch(
          /^data: (line \d+(, column \d+)?[:, ]|the file is empty$|the file has no rows$|the file has a header but no rows$|the header has \d+ columns but line \d+ has \d+$)/,
        );
        expect(expected, `${where}: refused with ${m}`).toBeNull();
        // a cell named by its place is the cell at that place, and the oracle refuses it
        const at = /^data: line (\d+), column (\d+): '([\s\S]*?)' is not a /.exec(m);
        if (at) {
          const body = text.replace(/^\ufeff/, '').split('\n');
          const cell = body[Number(at[1]) - 1]!.split(',')[Number(at[2]) - 1]!.trim();
          expect(cell, where).toBe(at[3]);
          const v = decimalReading(cell);
          expect(v === null || !Number.isFinite(v), where).toBe(true);
        }
      } finally {
        expect(performance.now() - t0, where).toBeLessThan(50);
      }
    }
    expect(parsed).toBeGreaterThan(300); // the cases reach both outcomes
    expect(parsed).toBeLessThan(2700);
  });

  it('JSON: a dataset when the rules hold, else a RangeError naming the line and column of the value', () => {
    const g = generator(7);
    const literal = () => g.pick(['0', '1', '-2.5', '1e3', '1e999', '"1"', 'null', 'true', '[1]', '{}', '0.5']);
    let parsed = 0;
    for (let c = 0; c < 2000; c++) {
      const d = 1 + g.int(3);
      const N = g.int(4);
      const row = () =>
        `[${Array.from({ length: g.int(8) === 0 ? d + g.pick([-1, 1]) : d }, () => (g.int(6) === 0 ? literal() : g.pick(['0', '1', '-0.5', '2e2']))).join(', ')}]`;
      const rows = Array.from({ length: N }, () => (g.int(20) === 0 ? literal() : row()));
      const labels = Array.from({ length: g.int(10) === 0 ? N + 1 : N }, () =>
        g.int(8) === 0 ? literal() : g.pick(['0', '1', '0.25']),
      );
      const nl = g.int(2) ? '\n  ' : ' ';
      const text =
        g.int(30) === 0
          ? g.pick(['[1]', '{"x": [[1]]', 'null', '{"x": 1, "y": []}'])
          : `{${nl}"x": [${rows.join(`,${nl}`)}],${nl}"y": [${labels.join(', ')}]}`;
      const where = `case ${c}: ${JSON.stringify(text)}`;
      // The rules, on JSON.parse's value
      let valid = false;
      try {
        const o = JSON.parse(text) as { x: unknown; y: unknown };
        const x = o.x as unknown[];
        const y = o.y as unknown[];
        valid =
          Array.isArray(x) &&
          Array.isArray(y) &&
          x.length > 0 &&
          x.length === y.length &&
          x.every(
            (r) =>
              Array.isArray(r) &&
              r.length === (x[0] as unknown[]).length &&
              r.length >= 1 &&
              r.every((v) => typeof v === 'number' && Number.isFinite(v)),
          ) &&
          y.every((v) => typeof v === 'number' && v >= 0 && v <= 1);
      } catch {
        valid = false;
      }
      const t0 = performance.now();
      try {
        const data = parseDataset(text, 'json');
        expect(valid, where).toBe(true);
        expect(data.N, where).toBe((JSON.parse(text) as { y: unknown[] }).y.length);
        parsed++;
      } catch (e) {
        expect(e, where).toBeInstanceOf(RangeError);
        const m = (e as Error).message;
        expect(valid, `${where}: refused with ${m}`).toBe(false);
        expect(m, where).toMatch(
          /^data: (line \d+, column \d+: [xy](\[\d+\])+ |not valid JSON|JSON must be an object|\d+ rows of x but \d+ labels$|no samples)/,
        );
        const at = /^data: line (\d+), column (\d+): ([xy])((?:\[\d+\])+) /.exec(m);
        if (at) {
          // the place is where that value starts: '[' for a row named whole, a value's first character otherwise
          const c0 = text.split('\n')[Number(at[1]) - 1]![Number(at[2]) - 1];
          const depth = at[4]!.split('[').length - 1;
          if (at[3] === 'x' && depth === 1 && /has \d+ values?/.test(m)) expect(c0, where).toBe('[');
          else expect(c0, where).toMatch(/^[-0-9"[{nt]$/);
        }
      } finally {
        expect(performance.now() - t0, where).toBeLessThan(50);
      }
    }
    expect(parsed).toBeGreaterThan(100);
    expect(parsed).toBeLessThan(1900);
  });
});
