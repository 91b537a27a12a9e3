/**
 * A user's own points, from the text of a file: CSV with columns x1..xd,y (an
 * optional header line), or JSON { "x": [[...], ...], "y": [...] }. Every
 * problem is refused with its place: an empty file, a ragged row, a cell that
 * is not a number, a label outside [0, 1].
 */
import { type Dataset, makeDataset } from './data.js';

export type DataFormat = 'csv' | 'json';

/** JSON when the name ends in .json or the text starts with '{', CSV otherwise. */
export function detectFormat(name: string, text: string): DataFormat {
  return /\.json$/i.test(name) || text.trimStart().startsWith('{') ? 'json' : 'csv';
}

export function parseDataset(text: string, format: DataFormat): Dataset {
  if (text.trim() === '') throw new RangeError('data: the file is empty');
  return format === 'json' ? parseJson(text) : parseCsv(text);
}

function parseCsv(text: string): Dataset {
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
      return v;
    });
    const label = values.pop()!;
    if (label < 0 || label > 1) throw new RangeError(`data: line ${line}: the label y = ${label} is outside [0, 1]`);
    x.push(values);
    y.push(label);
  }
  return makeDataset(x, y);
}

function parseJson(text: string): Dataset {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`data: not valid JSON (${(e as Error).message})`);
  }
  const obj = parsed as { x?: unknown; y?: unknown } | null;
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.x) || !Array.isArray(obj.y)) {
    throw new RangeError('data: JSON must be an object { "x": [[x1, ..., xd], ...], "y": [y, ...] }');
  }
  obj.x.forEach((row, n) => {
    if (!Array.isArray(row)) throw new RangeError(`data: x[${n}] must be an array of numbers`);
  });
  return makeDataset(obj.x as number[][], obj.y as number[]);
}
