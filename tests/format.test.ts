import { describe, expect, it } from 'vitest';
import { formatNumber, NOT_FINITE } from '../src/ui/format.js';
import { logTickLabels } from '../src/ui/plots/plots.js';

describe('formatNumber', () => {
  it('plain decimals for ordinary values, three significant digits', () => {
    expect(formatNumber(0.7036)).toBe('0.704');
    expect(formatNumber(0.014321)).toBe('0.0143');
    expect(formatNumber(73.31)).toBe('73.3');
    expect(formatNumber(1234)).toBe('1230');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(1)).toBe('1');
  });

  it('exponent form only below 0.001 and from 10,000 on, without "+", zeros only where rounding made them', () => {
    expect(formatNumber(0.000143)).toBe('1.43e-4');
    expect(formatNumber(1e-4)).toBe('1e-4');
    expect(formatNumber(2.5e5)).toBe('2.5e5');
    expect(formatNumber(-3.14159e-7)).toBe('-3.14e-7');
    // rounding decides the form: 0.0009996 rounds to 0.00100, 9999.6 to 1.00e4 (zeros rounding made, kept)
    expect(formatNumber(0.0009996)).toBe('0.00100');
    expect(formatNumber(9999.6)).toBe('1.00e4');
  });

  it('more digits when asked (the gradient panel)', () => {
    expect(formatNumber(-0.620074123, 6)).toBe('-0.620074');
    expect(formatNumber(2.3e-11, 6)).toBe('2.3e-11');
  });

  it('keeps the trailing zeros rounding made, so a rounded value shows its digits; an exact short value stays short', () => {
    // the training loss after an edit: 0.70007 to 3 digits is 0.700, not "0.7" (which says 0.7 exactly)
    expect(formatNumber(0.70007)).toBe('0.700');
    expect(formatNumber(0.7)).toBe('0.7');
    expect(formatNumber(-0.0500001)).toBe('-0.0500');
    expect(formatNumber(1.00002, 6)).toBe('1.00002');
    expect(formatNumber(1.0000002, 6)).toBe('1.00000');
    expect(formatNumber(1.00002e-5)).toBe('1.00e-5');
    expect(formatNumber(1e-5)).toBe('1e-5');
    expect(formatNumber(1000.4)).toBe('1000');
    for (let k = 1; k < 500; k++) {
      const v = 0.3 + k * 1e-7;
      const text = formatNumber(v);
      expect(
        text
          .replace(/^-?0\.0*/, '')
          .replace(/e.*$/, '')
          .replace('.', '').length,
        `${v} → ${text}`,
      ).toBe(3);
    }
  });

  it('zero and −0 read "0"; NaN, ±Infinity say so in words', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-0)).toBe('0');
    for (const v of [NaN, Infinity, -Infinity]) expect(formatNumber(v)).toBe(NOT_FINITE);
    expect(NOT_FINITE).not.toMatch(/NaN|Infinity|null|undefined/);
  });

  it('reads back as the value to within half a unit in its last digit, for values across 40 decades', () => {
    for (let k = 0; k < 2000; k++) {
      const v = (k % 2 ? -1 : 1) * 10 ** (-20 + (40 * k) / 2000) * (1 + ((k * 7919) % 1000) / 1000);
      for (const digits of [3, 6]) {
        const text = formatNumber(v, digits);
        expect(text, String(v)).not.toMatch(/NaN|Infinity|\+|e0$|\.e|\.$/);
        expect(Math.abs(Number(text) - v) / Math.abs(v), `${v} → ${text}`).toBeLessThanOrEqual(
          0.5 * 10 ** (1 - digits),
        );
      }
    }
  });
});

describe('the loss axis', () => {
  it('labels one tick the same whatever the axis spans, as the stats write it', () => {
    const narrow = logTickLabels([0.01, 0.1, 1]);
    const wide = logTickLabels([1e-6, 1e-4, 0.01, 1, 100]);
    expect(narrow).toEqual(['0.01', '0.1', '1']);
    expect(wide).toEqual(['1e-6', '1e-4', '0.01', '1', '100']);
    expect(logTickLabels([0.001, 0.01, 0.1, 1])).toEqual(['0.001', '0.01', '0.1', '1']);
    expect(logTickLabels([0.004, 0.006])).toEqual(['0.004', '0.006']);
    for (const t of [1e-6, 1e-4, 0.004, 0.01, 0.3, 1, 100, 5e4]) expect(logTickLabels([t])[0]).toBe(formatNumber(t));
  });
});
