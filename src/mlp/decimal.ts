/**
 * Numbers as people type them into a flag, a page field or a data file: decimal only, one rule everywhere, so a
 * value means the same thing on the page, on the command line and in a file. JavaScript's Number() is not that
 * rule: it reads '0x10' as 16, '0b11' as 3, '0o7' as 7, takes 'Infinity', and reads ' ' as 0.
 *
 * Accepted: an optional sign (+ or -), digits with an optional point ('1', '1.', '.5', '1.5'), then an optional
 * exponent ('e' or 'E', an optional sign, digits). Surrounding whitespace is ignored (what String.trim removes).
 * Refused: hexadecimal, binary and octal prefixes, Infinity and NaN, digit separators ('1_000'), blanks inside,
 * digits other than ASCII 0-9, and dashes other than '-' (the Unicode minus U+2212 included: it would be the only
 * non-ASCII character taken, and a page that prints '−2' should not suggest that its output is input).
 * A decimal number too large for f64 reads as ±Infinity ('1e999') and one too small as 0 ('1e-999'): the caller's
 * range check refuses the first.
 */

/** The accepted form, without surrounding whitespace. */
export const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The number `raw` is in decimal (possibly ±Infinity past f64's range), or NaN when it is not written in decimal. */
export function parseDecimal(raw: string): number {
  const s = raw.trim();
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/** How to write a number, for a message: 'decimal digits, like 8' or 'a decimal number, like 0.5 or 1e-3'. */
export function decimalExample(integer: boolean): string {
  return integer ? 'decimal digits, like 8' : 'a decimal number, like 0.5 or 1e-3';
}

/**
 * Null when `raw` is a decimal number; else, for a message, what is wrong with it (when that can be named) and
 * how to write one: "hexadecimal; write decimal digits, like 8".
 */
export function notDecimal(raw: string, integer: boolean): string | null {
  if (DECIMAL.test(raw.trim())) return null;
  const reason = whyNotDecimal(raw);
  return `${reason ? `${reason}; ` : ''}write ${decimalExample(integer)}`;
}

/** What makes `raw` a number in some other notation ('hexadecimal', 'empty'), or null when nothing can be named. */
export function whyNotDecimal(raw: string): string | null {
  const s = raw.trim();
  if (DECIMAL.test(s)) return null;
  if (s === '') return 'empty';
  if (/^[+-]?0[xX]/.test(s)) return 'hexadecimal';
  if (/^[+-]?0[bB]/.test(s)) return 'binary';
  if (/^[+-]?0[oO]/.test(s)) return 'octal';
  if (/^[+-]?(?:infinity|inf|nan)$/i.test(s)) return 'not a finite number';
  if (s.includes('_')) return "a digit separator '_'";
  const dash = /[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/.exec(s);
  if (dash) return `the dash '${dash[0]}' (${codePoint(dash[0])}); a minus sign is '-'`;
  const digit = /(?![0-9])\p{Nd}/u.exec(s);
  if (digit) return `the digit '${digit[0]}' (${codePoint(digit[0])}); digits are 0-9`;
  if (/\s/.test(s)) return 'a blank inside';
  return null;
}

function codePoint(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
