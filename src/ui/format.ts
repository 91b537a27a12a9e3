/**
 * Numbers as the page shows them: plain decimals where they fit (0.704, 0.0143, 73.3), exponent form only for very
 * small or large values (1.2e-5, 3.4e6), never "NaN", "Infinity" or "null". One function for the stats, the loss axis
 * and the gradient panel, so one value reads the same wherever it appears. The minus sign is ASCII, so what is shown
 * can be read back by Number(); the panel and the graph swap in a true minus (U+2212) themselves.
 */

/** Plain decimals from this size up to PLAIN_MAX; below it (and from PLAIN_MAX on) exponent form. */
export const PLAIN_MIN = 1e-3;
export const PLAIN_MAX = 1e4;

/** Said in place of a number that is not finite. */
export const NOT_FINITE = 'not a finite number';

/**
 * `v` to `digits` significant digits (3 unless told): "0.704", "0.0143", "1230"; "1.43e-4" and "2.5e5" outside
 * [PLAIN_MIN, PLAIN_MAX). Trailing zeros are kept where rounding made them (0.70007 reads "0.700": three digits, as
 * its neighbours 0.704 and 0.697 read) and dropped where the value is that short decimal (0.7 reads "0.7", a tick at
 * 0.01 "0.01"). −0 reads "0".
 */
export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return NOT_FINITE;
  if (v === 0) return '0';
  const exact = (text: string) => Number(text) === v;
  const a = Math.abs(Number(v.toPrecision(digits)));
  if (a >= PLAIN_MIN && a < PLAIN_MAX) {
    const text = v.toPrecision(digits);
    return exact(text) || !text.includes('.') || text.includes('e') ? String(Number(text)) : text;
  }
  const [mantissa, exponent] = v.toExponential(digits - 1).split('e') as [string, string];
  const m = exact(v.toExponential(digits - 1)) ? String(Number(mantissa)) : mantissa;
  return `${m}e${Number(exponent)}`;
}
