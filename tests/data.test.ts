import { describe, expect, it } from 'vitest';
import { makeDataset, randomDataset, sampleX, xor } from '../src/mlp/data/data.js';

describe('data.ts', () => {
  it('XOR is the 4 points of {0,1}² labelled x1 XOR x2', () => {
    const data = xor();
    expect([data.d, data.N]).toEqual([2, 4]);
    for (let n = 0; n < 4; n++) {
      const [a, b] = sampleX(data, n);
      expect(data.y[n]).toBe(a! !== b! ? 1 : 0);
    }
  });

  it('refuses ragged rows, non-finite values, bad labels and empty data, naming the place', () => {
    expect(() => makeDataset([], [])).toThrow(/no samples/);
    expect(() => makeDataset([[1, 2], [3]], [0, 1])).toThrow(/row 1 has 1 features, row 0 has 2/);
    expect(() => makeDataset([[1, Number.NaN]], [0])).toThrow(/x\[0\]\[1\] is NaN/);
    expect(() => makeDataset([[Infinity]], [0])).toThrow(/x\[0\]\[0\] is Infinity/);
    expect(() => makeDataset([[1], [2]], [0, 1.5])).toThrow(/y\[1\] is 1\.5, must be a number in \[0, 1\]/);
    expect(() => makeDataset([[1], [2]], [0])).toThrow(/2 rows of x but 1 labels/);
  });

  it('random data is seeded and in range', () => {
    const a = randomDataset(3, 4, 10);
    expect(Array.from(a.x)).toEqual(Array.from(randomDataset(3, 4, 10).x));
    expect(a.x.every((v) => v >= -2 && v < 2)).toBe(true);
    expect(randomDataset(3, 4, 10, { binary: true }).y.every((v) => v === 0 || v === 1)).toBe(true);
  });
});
