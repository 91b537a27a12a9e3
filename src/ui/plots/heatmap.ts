/**
 * A raster of numbers painted as one image: each cell's colour read from a table that samples the colour scale once
 * (TABLE_SIZE entries, kept per scale), written into an ImageData of one pixel per cell and drawn scaled up without
 * smoothing. Setting a fill style and filling a rectangle per cell, which it replaces, made the unit maps of a 2-16-1
 * network (16 maps of 40 × 40 cells) the longest part of a frame on the page.
 */

/** Entries per colour table: a cell's colour is within about a tenth of a level of the scale's own at any t. */
export const TABLE_SIZE = 4096;

/** Where a cell's value sits on the colour scale, in [0, 1]; NaN for a value with no colour (drawn grey). */
export type Position = (v: number) => number;

const tables = new WeakMap<(t: number) => string, Uint8ClampedArray>();

/** The scale `interpolate` (t in [0, 1] to a CSS colour, d3-scale-chromatic's) as TABLE_SIZE RGB triples. */
export function colourTable(interpolate: (t: number) => string): Uint8ClampedArray {
  let table = tables.get(interpolate);
  if (table) return table;
  table = new Uint8ClampedArray(3 * TABLE_SIZE);
  for (let i = 0; i < TABLE_SIZE; i++) table.set(rgbOf(interpolate(i / (TABLE_SIZE - 1))), 3 * i);
  tables.set(interpolate, table);
  return table;
}

/** The red, green and blue of a colour written `rgb(r, g, b)` or `#rrggbb`, as d3's interpolators give them. */
export function rgbOf(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const rgb = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)/.exec(colour);
  if (!rgb) throw new RangeError(`colour table: cannot read the colour "${colour}"`);
  return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
}

/** The grey of a cell whose value has no place on the scale (not a finite number). */
const NO_VALUE = [156, 163, 175] as const;

/** A canvas of grid × grid pixels per size, reused by every picture. */
let scratch: HTMLCanvasElement | null = null;

/**
 * Paints `values` (grid × grid cells, row 0 at the top) into the square at (left, top) of side `size`, the cell of
 * value v in the colour `interpolate(position(v))`, position clamped to [0, 1].
 */
export function paintCells(
  ctx: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  grid: number,
  [left, top, size]: [number, number, number],
  interpolate: (t: number) => string,
  position: Position,
): void {
  const table = colourTable(interpolate);
  const image = ctx.createImageData(grid, grid);
  const px = image.data;
  for (let i = 0; i < grid * grid; i++) {
    const t = position(values[i]!);
    const o = 4 * i;
    if (Number.isNaN(t)) {
      [px[o], px[o + 1], px[o + 2]] = NO_VALUE;
    } else {
      const k = 3 * Math.round(Math.min(1, Math.max(0, t)) * (TABLE_SIZE - 1));
      px[o] = table[k]!;
      px[o + 1] = table[k + 1]!;
      px[o + 2] = table[k + 2]!;
    }
    px[o + 3] = 255;
  }
  scratch ??= document.createElement('canvas');
  if (scratch.width < grid || scratch.height < grid) [scratch.width, scratch.height] = [grid, grid];
  const sctx = scratch.getContext('2d');
  if (!sctx) return;
  sctx.putImageData(image, 0, 0);
  const smooth = ctx.imageSmoothingEnabled;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, grid, grid, left, top, size, size);
  ctx.imageSmoothingEnabled = smooth;
}
