/**
 * A user's own points, from the text of a file: CSV with columns x1..xd,y (an
 * optional header line), or JSON { "x": [[...], ...], "y": [...] }. Every
 * problem is refused with its place (line and column): an empty file, a ragged
 * row, a cell that is not a number (JSON names the type it found), a label
 * outside [0, 1], and, for the GPU (`f32: true`), a value beyond f32's range.
 * A byte-order mark is ignored in both formats.
 */
import { type Dataset, describeValue, makeDataset } from './data.js';

export type DataFormat = 'csv' | 'json';

export interface ParseOptions {
  /** Refuse values that round to ±Infinity in f32 (|v| > 3.4028235e38): the GPU computes in f32. */
  f32?: boolean;
}

/** The largest finite f32, (2 − 2⁻²³)·2¹²⁷. */
export const F32_MAX = 3.4028234663852886e38;

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

function parseCsv(text: string, options: ParseOptions): Dataset {
  const lines = text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, cells: line.split(',').map((c) => c.trim()) }))
    .filter((l) => l.cells.some((c) => c !== '') && !l.cells[0]!.startsWith('#'));
  if (lines.length === 0) throw new RangeError('data: the file has no rows');
  const header = lines[0]!.cells.every((c) => c !== '' && Number.isNaN(Number(c)));
  const rows = header ? lines.slice(1) : lines;
  if (rows.length === 0) throw new RangeError('data: the file has a header but no rows');
  const width = rows[0]!.cells.length;
  if (width < 2) throw new RangeError(`data: line ${rows[0]!.line} has ${width} column; need x1..xd and y (at least 2)`);
  if (header && lines[0]!.cells.length !== width) {
    throw new RangeError(`data: the header has ${lines[0]!.cells.length} columns but line ${rows[0]!.line} has ${width}`);
  }
  const x: number[][] = [];
  const y: number[] = [];
  for (const { line, cells } of rows) {
    if (cells.length !== width) throw new RangeError(`data: line ${line} has ${cells.length} columns, line ${rows[0]!.line} has ${width}`);
    const values = cells.map((c, col) => {
      const v = c === '' ? NaN : Number(c);
      if (!Number.isFinite(v)) throw new RangeError(`data: line ${line}, column ${col + 1}: '${c}' is not a finite number`);
      const problem = col < width - 1 ? rangeProblem(v, options) : null; // the label has its own check, [0, 1]
      if (problem) throw new RangeError(`data: line ${line}, column ${col + 1}: '${c}' ${problem}`);
      return v;
    });
    const label = values.pop()!;
    if (label < 0 || label > 1) throw new RangeError(`data: line ${line}: the label y = ${label} is outside [0, 1]`);
    x.push(values);
    y.push(label);
  }
  return makeDataset(x, y);
}

function parseJson(text: string, options: ParseOptions): Dataset {
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
    const name = `${path[0]}${path.slice(1).map((k) => `[${k}]`).join('')}`;
    throw new RangeError(`data: ${at ? `line ${at.line}, column ${at.column}: ` : ''}${name} ${what}`);
  };
  const { x, y } = obj as { x: unknown[]; y: unknown[] };
  x.forEach((row, n) => {
    if (!Array.isArray(row)) fail(['x', n], `is ${describeValue(row)}, must be an array of numbers`);
    (row as unknown[]).forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) fail(['x', n, i], `is ${describeValue(v)}, must be a finite number`);
      const problem = rangeProblem(v as number, options);
      if (problem) fail(['x', n, i], `= ${token(text, locate(text, ['x', n, i])) ?? v} ${problem}`);
    });
  });
  y.forEach((v, n) => {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(['y', n], `is ${describeValue(v)}, must be a number in [0, 1]`);
  });
  return makeDataset(x as number[][], y as number[]);
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
export function locate(text: string, path: readonly (string | number)[]): { line: number; column: number; offset: number } | null {
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
