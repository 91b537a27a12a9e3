/**
 * The drawing's geometry and the few markup helpers the graph's files share.
 * Pure strings: no DOM.
 */
import type { NumberKey } from './graph-model.js';

/** Columns (x) and row geometry, in px at natural size. */
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
export const CELL = 32;
export const R = 74;
export const Y0 = 132;
export const WIDTH = 920;

export interface Item {
  key: NumberKey;
  i: number;
  len: number;
  x: number;
  y: number;
  cls: string;
  reveal: string;
  anchor?: 'start' | 'middle' | 'end';
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
