/**
 * The drawing's geometry and the few markup helpers the graph's files share.
 * Pure strings: no DOM.
 */
import type { GraphState, NumberKey } from './graph-model.js';

/**
 * Columns (x) and row geometry, in px at natural size, for one hidden layer: unit numbers, the parameter leaves, the
 * Σₙ forks, the input's bus, z1, the gate, W2's leaf and fork, z2 and the output chain.
 */
export const X = {
  unit: 6,
  leaf: 50,
  fork: 175,
  bus: 300,
  z1: 312,
  a1: 460,
  w2: 384,
  fork2: 492,
  z2: 612,
  out: 744,
} as const;
export type Columns = { readonly [K in keyof typeof X]: number };
/**
 * Each hidden layer's block when there are several, a little wider than X so that a row of W_l (H_{l−1} entries, not
 * d) shows two of them between leaf and fork; a hidden layer before the last ends in a column gathering a_l.
 */
export const X_DEEP: Columns & { gather: number } = {
  unit: 6,
  leaf: 50,
  fork: 205,
  bus: 360,
  z1: 372,
  a1: 520,
  w2: 444,
  fork2: 552,
  z2: 672,
  out: 804,
  gather: 630,
};
/** The gathering column's width. */
export const GATHER_W = 12;
/** From one hidden layer's block to the next's. */
export const STRIDE = 680;
export const CELL = 32;
export const R = 74;
export const Y0 = 132;
export const WIDTH = 920;
/** How much of a vector a number shows: 3 entries with one hidden layer, 2 in the narrower spans of a deep one. */
export const LIST_MAX = 3;
export const LIST_MAX_DEEP = 2;

/** A row's lines: A (W_l, z → gate → a) and B (b_l, W_{L+1}); with a penalty two more under each weight's total. */
export interface RowGeometry {
  /** Row pitch. */
  R: number;
  /** y of line B and of the bus's feed into z, from the row's top (line A is at 20). */
  B: number;
  mid: number;
}

/** Where everything goes for a state: blocks, rows, the output chain, the size. */
export interface Layout {
  /** Hidden layers L; several of them use X_DEEP. */
  layers: number;
  cols: Columns & { gather?: number };
  /** Block origin (x) of hidden layer l at [l − 1]. */
  ox: number[];
  /** Rows drawn and rows not drawn per hidden layer. */
  rows: number[];
  more: number[];
  row: RowGeometry;
  /** Bottom of the tallest block's rows, and the y of b_{L+1}'s wire under the last block. */
  rowsEnd: number;
  b2Y: number;
  /** Absolute x of the last block's W_{L+1} leaf and fork, of z_{L+1} and of the output chain. */
  w2: number;
  fork2: number;
  z2: number;
  out: number;
  width: number;
  /** Entries a vector's number shows. */
  listMax: number;
}

export function layoutOf(s: GraphState, maxRows = 8): Layout {
  const layers = s.layers;
  const deep = layers > 1;
  const cols = deep ? X_DEEP : X;
  const ox = Array.from({ length: layers }, (_, l) => l * STRIDE);
  const rows = s.input.hidden.map((h) => Math.min(h, maxRows));
  const more = s.input.hidden.map((h, l) => h - rows[l]!);
  const row: RowGeometry = s.penalty ? { R: 128, B: 80, mid: 50 } : { R, B: 54, mid: 37 };
  const rowsEnd = Y0 + Math.max(...rows) * row.R;
  const last = ox[layers - 1]!;
  const out = last + cols.out;
  // the penalty's node R, its name and Jacobian sit right of the chain
  const width = (s.penalty ? out + 380 : last + WIDTH + (deep ? X_DEEP.out - X.out : 0)) as number;
  return {
    layers,
    cols,
    ox,
    rows,
    more,
    row,
    rowsEnd,
    b2Y: rowsEnd + (more.some((m) => m > 0) ? 40 : 18),
    w2: last + cols.w2,
    fork2: last + cols.fork2,
    z2: last + cols.z2,
    out,
    width,
    listMax: deep ? LIST_MAX_DEEP : LIST_MAX,
  };
}

export interface Item {
  key: NumberKey;
  i: number;
  len: number;
  x: number;
  y: number;
  cls: string;
  reveal: string;
  anchor?: 'start' | 'middle' | 'end';
  /** Entries shown of a vector (default LIST_MAX). */
  max?: number | undefined;
}

export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function tag(name: string, attrs: Record<string, string | number | undefined>, body?: string): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${esc(String(v))}"`)
    .join('');
  return body === undefined ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`;
}

export const line = (
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  cls = 'wire',
  extra: Record<string, string> = {},
) => tag('line', { x1, y1, x2, y2, class: cls, ...extra });
