/**
 * Numbers and small matrices as TeX, for the generated blocks of docs/*.md.
 * Every number the docs show goes through `num` (6 significant digits) or
 * `sci` (2), so a regenerated document changes only where the code did.
 */

/** 6 significant digits; −0 shown as 0. */
export function num(v: number): string {
  return v === 0 ? '0' : Number(v.toPrecision(6)).toString();
}

/** 3 significant digits, for rounded figures quoted in prose. */
export function num3(v: number): string {
  return v === 0 ? '0' : Number(v.toPrecision(3)).toString();
}

/** `2.3 \times 10^{-11}`: 2 significant digits unless told. */
export function sci(v: number, digits = 2): string {
  if (v === 0) return '0';
  const [m, e] = v.toExponential(digits - 1).split('e');
  return `${m} \\times 10^{${Number(e)}}`;
}

/** A column vector. */
export function col(v: readonly number[]): string {
  return `\\begin{bmatrix}${v.map(num).join(' \\\\ ')}\\end{bmatrix}`;
}

/** A row vector. */
export function row(v: readonly number[]): string {
  return `\\begin{bmatrix}${v.map(num).join(' & ')}\\end{bmatrix}`;
}

/** A matrix given row-major with `cols` columns. */
export function mat(v: readonly number[], cols: number): string {
  const rows = Array.from({ length: v.length / cols }, (_, r) =>
    v
      .slice(r * cols, (r + 1) * cols)
      .map(num)
      .join(' & '),
  );
  return `\\begin{bmatrix}${rows.join(' \\\\ ')}\\end{bmatrix}`;
}

/** A number in parentheses when negative, for products written out: `1.5 \cdot (-0.4)`. */
export function factor(v: number): string {
  return v < 0 ? `(${num(v)})` : num(v);
}

/** "1,234". */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
