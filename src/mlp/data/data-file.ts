/**
 * A user's own points, from the text of a file: CSV with columns x1..xd,y (an
 * optional header line), or JSON { "x": [[...], ...], "y": [...] }. Every
 * problem is refused with its place (line and column): an empty file, a ragged
 * row, a cell that is not a decimal number (src/mlp/decimal.ts; JSON names the
 * type it found), a label outside [0, 1] (any finite label with `output: 'identity'`,
 * regression), a file past MAX_ROWS rows or
 * MAX_VALUES numbers, and, for the GPU (`f32: true`), a value beyond f32's range.
 * The sizes are checked by a scan that allocates nothing, before any number is
 * parsed, so a file too large is refused in about a second with flat memory.
 * A byte-order mark is ignored in both formats.
 */
import { type Dataset, describeValue, makeDataset } from './data.js';
import { notDecimal, parseDecimal, whyNotDecimal } from '../decimal.js';
import type { Output } from '../model.js';
import { SPEC_LIMITS } from '../spec.js';

export type DataFormat = 'csv' | 'json';

export interface ParseOptions {
  /** Refuse values that round to ±Infinity in f32 (|v| > 3.4028235e38): the GPU computes in f32. */
  f32?: boolean;
  /**
   * The output the labels are for: 'sigmoid' (the default) needs each label in [0, 1], since ŷ = σ(z) is a
   * probability; 'identity' (regression) takes any finite label (with `f32`, within f32's range too).
   */
  output?: Output;
}

/** The largest finite f32, (2 − 2⁻²³)·2¹²⁷. */
export const F32_MAX = 3.4028234663852886e38;

/** The most rows (samples) a data file may have: the largest batch N of every backend (SPEC_LIMITS.N, spec.ts). */
export const MAX_ROWS = SPEC_LIMITS.N.max;

/**
 * The most numbers a data file may have, x and y together (N·(d + 1)): 2²⁵, what a 128 MiB buffer holds in f32
 * (the largest storage buffer a default WebGPU device binds); 256 MiB in f64 here.
 */
export const MAX_VALUES = 2 ** 25;

const count = (n: number) => n.toLocaleString('en-US');
const ROWS_LIMIT = `more than ${count(MAX_ROWS)} rows; the batch size N is at most ${count(MAX_ROWS)} on every backend`;
const VALUES_LIMIT =
  `more than ${count(MAX_VALUES)} numbers (rows × columns); a data file may have at most ${count(MAX_VALUES)}, ` +
  'what a 128 MiB buffer holds in f32 (the largest a default WebGPU device binds)';

/** JSON when the name ends in .json or the text starts with '{', CSV otherwise. */
export function detectFormat(name: string, text: string): DataFormat {
  return /\.json$/i.test(name) || stripBom(text).trimStart().startsWith('{') ? 'json' : 'csv';
}

export function parseDataset(text: string, format: DataFormat, options: ParseOptions = {}): Dataset {
  const body = stripBom(text);
  if (body.trim() === '') throw new RangeError('data: the file is empty');
  return format === 'json' ? parseJson(body, options) : parseCsv(body, options);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Why a finite number cannot be used (null if it can). */
function rangeProblem(v: number, { f32 }: ParseOptions): string | null {
  if (f32 && !Number.isFinite(Math.fround(v))) {
    return `is beyond f32's range (|v| ≤ 3.4028235e38), which the GPU computes in; rescale the data, or use --backend cpu (f64)`;
  }
  return null;
}

/** What String.prototype.trim removes: JavaScript's white space and line terminators. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Whether text[start, end) is a row: not blank (only white space and commas) and not a comment (its first cell
 * starts with '#'). Looks at characters only: a scan of 10⁷ lines allocates nothing.
 */
function isRow(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (i === end || text.charCodeAt(i) === 35 /* # */) return false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 44 /* , */ && !isSpace(c)) return true;
  }
  return false;
}

/** Calls `row(line, start, end)` for each row of CSV text, in order, until it returns false. */
function eachRow(text: string, row: (line: number, start: number, end: number) => boolean): void {
  for (let start = 0, line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (isRow(text, start, end) && !row(line, start, end)) return;
    start = end + 1;
  }
}

const cellsOf = (text: string, start: number, end: number) =>
  text
    .slice(start, end)
    .split(',')
    .map((c) => c.trim());

function parseCsv(text: string, options: ParseOptions): Dataset {
  // First the shape, from the first two rows and a count of the rest that parses nothing.
  let header: { line: number; cells: string[] } | null = null;
  let first: { line: number; width: number } | null = null;
  let N = 0;
  eachRow(text, (line, start, end) => {
    if (!first) {
      const cells = cellsOf(text, start, end);
      if (!header && N === 0 && cells.every((c) => c !== '' && notDecimal(c, false) !== null)) {
        header = { line, cells };
        return true;
      }
      first = { line, width: cells.length };
      if (first.width < 2) {
        throw new RangeError(`data: line ${line} has ${first.width} column; need x1..xd and y (at least 2)`);
      }
      const most = SPEC_LIMITS.d.max + 1;
      if (first.width > most) {
        const columns = `${count(first.width)} columns; at most ${count(most)} (x1..x${most - 1} and y)`;
        throw new RangeError(`data: line ${line} has ${columns}`);
      }
    }
    N++;
    if (N > MAX_ROWS) throw new RangeError(`data: line ${line}: ${ROWS_LIMIT}`);
    if (N * first.width > MAX_VALUES) throw new RangeError(`data: line ${line}: ${VALUES_LIMIT}`);
    return true;
  });
  const h = header as { line: number; cells: string[] } | null;
  if (!first) throw new RangeError(h ? 'data: the file has a header but no rows' : 'data: the file has no rows');
  const { line: firstLine, width } = first as { line: number; width: number };
  if (h && h.cells.length !== width) {
    throw new RangeError(`data: the header has ${h.cells.length} columns but line ${firstLine} has ${width}`);
  }
  // Then the numbers, straight into the dataset's arrays.
  const d = width - 1;
  const x = new Float64Array(N * d);
  const y = new Float64Array(N);
  let n = 0;
  eachRow(text, (line, start, end) => {
    if (line === h?.line) return true;
    let columns = 1;
    for (let c = text.indexOf(',', start); c >= 0 && c < end; c = text.indexOf(',', c + 1)) columns++;
    if (columns !== width) {
      throw new RangeError(`data: line ${line} has ${columns} columns, line ${firstLine} has ${width}`);
    }
    for (let col = 0, a = start; col < width; col++) {
      const b = col < d ? text.indexOf(',', a) : end;
      const c = text.slice(a, b).trim();
      const v = parseDecimal(c);
      if (!Number.isFinite(v)) {
        // Named when it is a number in another notation (0x10, Infinity, 1_000, −1); else, like 'abc', not a number.
        const problem = whyNotDecimal(c) && notDecimal(c, false);
        const what = problem ? `decimal number (${problem})` : 'finite number';
        throw new RangeError(`data: line ${line}, column ${col + 1}: '${c}' is not a ${what}`);
      }
      if (col < d) {
        const range = rangeProblem(v, options); // the label has its own check, [0, 1]
        if (range) throw new RangeError(`data: line ${line}, column ${col + 1}: '${c}' ${range}`);
        x[n * d + col] = v;
      } else {
        if (options.output === 'identity') {
          const range = rangeProblem(v, options);
          if (range) throw new RangeError(`data: line ${line}, column ${col + 1}: the label '${c}' ${range}`);
        } else if (v < 0 || v > 1) {
          throw new RangeError(`data: line ${line}: the label y = ${v} is outside [0, 1]`);
        }
        y[n] = v;
      }
      a = b + 1;
    }
    n++;
    return true;
  });
  // Every check of makeDataset is made above, with the line and column.
  return { d, N, x, y };
}

/**
 * Refuses JSON with more than MAX_ROWS rows in x or MAX_VALUES numbers, at the first one past the limit, before
 * JSON.parse builds them: a scan of characters that tracks strings, nesting and the top-level key.
 */
function checkJsonSize(text: string): void {
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  let key = '';
  let rows = 0;
  let values = 0;
  const at = (i: number) => `data: line ${line}, column ${i - lineStart + 1}:`;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 34 /* " */) {
      const s = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92 /* \\ */) i++;
      if (depth === 1) key = keyName(text.slice(s, i + 1)); // a key, or a value that is no array of rows
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (c === 91 && depth === 3 && key === 'x' && ++rows > MAX_ROWS) {
        throw new RangeError(`${at(i)} x has ${ROWS_LIMIT}`);
      }
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    } else if ((c === 45 /* - */ || (c >= 48 && c <= 57)) && startsToken(text.charCodeAt(i - 1))) {
      if (++values > MAX_VALUES) throw new RangeError(`${at(i)} the file has ${VALUES_LIMIT}`);
    }
  }
}

/** Whether a number can start after this character in JSON ('[', ',', ':', white space, or the start). */
function startsToken(prev: number): boolean {
  if (Number.isNaN(prev)) return true;
  return prev === 91 || prev === 44 || prev === 58 || prev === 32 || prev === 9 || prev === 10 || prev === 13;
}

function keyName(quoted: string): string {
  if (!quoted.includes('\\')) return quoted.slice(1, -1);
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return '';
  }
}

function parseJson(text: string, options: ParseOptions): Dataset {
  checkJsonSize(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`data: not valid JSON (${(e as Error).message})`);
  }
  const obj = parsed as { x?: unknown; y?: unknown } | null;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj) || !Array.isArray(obj.x) || !Array.isArray(obj.y)) {
    throw new RangeError('data: JSON must be an object { "x": [[x1, ..., xd], ...], "y": [y, ...] }');
  }
  const fail = (path: (string | number)[], what: string): never => {
    const at = locate(text, path);
    const name = `${path[0]}${path
      .slice(1)
      .map((k) => `[${k}]`)
      .join('')}`;
    throw new RangeError(`data: ${at ? `line ${at.line}, column ${at.column}: ` : ''}${name} ${what}`);
  };
  const { x, y } = obj as { x: unknown[]; y: unknown[] };
  const d = Array.isArray(x[0]) ? x[0].length : 0;
  x.forEach((row, n) => {
    if (!Array.isArray(row)) fail(['x', n], `is ${describeValue(row)}, must be an array of numbers`);
    const len = (row as unknown[]).length;
    if (n === 0 && (len < SPEC_LIMITS.d.min || len > SPEC_LIMITS.d.max)) {
      fail(['x', 0], `has ${len} values; a row has ${SPEC_LIMITS.d.min} to ${SPEC_LIMITS.d.max} features`);
    }
    if (len !== d) fail(['x', n], `has ${len} value${len === 1 ? '' : 's'}, x[0] has ${d}`);
    (row as unknown[]).forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(['x', n, i], `is ${describeValue(v)}, must be a finite number`);
      const problem = rangeProblem(v as number, options);
      if (problem) fail(['x', n, i], `= ${token(text, locate(text, ['x', n, i])) ?? v} ${problem}`);
    });
  });
  const identity = options.output === 'identity';
  y.forEach((v, n) => {
    if (identity) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        fail(['y', n], `is ${describeValue(v)}, must be a finite number`);
      const problem = rangeProblem(v as number, options);
      if (problem) fail(['y', n], `= ${token(text, locate(text, ['y', n])) ?? v} ${problem}`);
    } else if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      fail(['y', n], `is ${describeValue(v)}, must be a number in [0, 1]`);
    }
  });
  return makeDataset(x as number[][], y as number[], { output: identity ? 'identity' : 'sigmoid' });
}

/** The number as written at a place in the text ('1e39'), if there is one. */
function token(text: string, at: { offset: number } | null): string | null {
  return at ? (/^-?[0-9.eE+-]+/.exec(text.slice(at.offset, at.offset + 40))?.[0] ?? null) : null;
}

/**
 * Where the value at `path` (keys and indices) starts in valid JSON text, as
 * 1-based line and column; for error messages only, so it runs after
 * JSON.parse has accepted the text. For a repeated key, the last one counts,
 * as in JSON.parse.
 */
export function locate(
  text: string,
  path: readonly (string | number)[],
): { line: number; column: number; offset: number } | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  const skipValue = () => {
    ws();
    if (text[i] === '"') return skipString();
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        skipString();
        continue;
      }
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') {
        if (depth === 0) return;
        depth--;
      } else if (c === ',' && depth === 0) return;
      i++;
      if (depth === 0 && (c === ']' || c === '}')) return;
    }
  };
  for (const key of path) {
    ws();
    if (typeof key === 'number') {
      if (text[i] !== '[') return null;
      i++;
      for (let k = 0; k < key; k++) {
        skipValue();
        ws();
        if (text[i] !== ',') return null;
        i++;
      }
      ws();
      if (text[i] === ']') return null;
    } else {
      if (text[i] !== '{') return null;
      i++;
      let found = -1;
      for (;;) {
        ws();
        if (text[i] !== '"') break;
        const s = i;
        skipString();
        const name = JSON.parse(text.slice(s, i)) as string;
        ws();
        i++; // the ':'
        ws();
        if (name === key) found = i;
        skipValue();
        ws();
        if (text[i] !== ',') break;
        i++;
      }
      if (found < 0) return null;
      i = found;
    }
  }
  ws();
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  return { line, column: i - before.lastIndexOf('\n'), offset: i };
}
