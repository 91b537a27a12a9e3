/**
 * One way of counting: the sample the graph follows is counted from 1 in the link (`sample=2`), as the page's menu
 * (#2), its caption ("sample 2") and the exercises count; a link or run file from before, with `point` counted from
 * 0, still opens the same sample.
 */
import { describe, expect, it } from 'vitest';
import { GEN_LIMITS } from '../src/mlp/data/datasets.js';
import { readRunFile, runFile, runFileText } from '../src/ui/run-file/run-file.js';
import { DEFAULT_SETTINGS, fromQuery, toQuery } from '../src/ui/state.js';

describe('the followed sample in the link, counted from 1', () => {
  it('sample=N is the N-th point, and the link writes sample, never point', () => {
    expect(fromQuery('?sample=1').settings.sample).toBe(1);
    expect(fromQuery('?sample=4').settings.sample).toBe(4);
    const q = toQuery({ ...DEFAULT_SETTINGS, sample: 3 });
    expect(new URLSearchParams(q).get('sample')).toBe('3');
    expect(new URLSearchParams(q).has('point')).toBe(false);
    // the default follows XOR's (0, 1), the second point
    expect(DEFAULT_SETTINGS.sample).toBe(2);
  });

  it('sample=0 is refused with the range, counted from 1', () => {
    const r = fromQuery('?sample=0');
    expect(r.errors).toEqual([`followed sample must be an integer in [1, ${GEN_LIMITS.N.max}], got '0'`]);
    expect(r.settings.sample).toBe(DEFAULT_SETTINGS.sample);
  });

  it('an old link with point=n (counted from 0) opens sample n + 1; sample wins where both are given', () => {
    expect(fromQuery('?point=0').settings.sample).toBe(1);
    expect(fromQuery('?point=3').settings.sample).toBe(4);
    expect(fromQuery('?point=3&sample=2').settings.sample).toBe(2);
    expect(fromQuery('?point=3').errors).toEqual([]);
  });

  it('a bad old point is refused naming the key, how it counts and its range', () => {
    for (const bad of ['-1', '1.5', 'two', String(GEN_LIMITS.N.max)]) {
      const r = fromQuery(`?point=${bad}`);
      expect(r.errors).toEqual([
        `followed point (point, counted from 0 and read as sample = point + 1) must be an integer in ` +
          `[0, ${GEN_LIMITS.N.max - 1}], got '${bad}'`,
      ]);
      expect(r.refused.sample).toBe(r.errors[0]);
      expect(r.settings.sample).toBe(DEFAULT_SETTINGS.sample);
    }
  });
});

describe('the followed sample in a run file', () => {
  const file = () =>
    JSON.parse(
      runFileText(
        runFile({ settings: { ...DEFAULT_SETTINGS, sample: 3 }, upload: null, step: 0, params: new Float64Array(33) }),
      ),
    ) as { settings: Record<string, string> };

  it('is written as sample, counted from 1', () => {
    const f = file();
    expect(f.settings.sample).toBe('3');
    expect('point' in f.settings).toBe(false);
    expect(readRunFile(JSON.stringify(f)).settings.sample).toBe(3);
  });

  it('a file from before, with "point" counted from 0, is read as sample point + 1; a bad one is refused', () => {
    const f = file();
    delete f.settings.sample;
    f.settings.point = '2';
    expect(readRunFile(JSON.stringify(f)).settings.sample).toBe(3);
    f.settings.point = '-1';
    expect(() => readRunFile(JSON.stringify(f))).toThrow(
      /^settings\.point: the followed point counted from 0 must be an integer in \[0, \d+\], got the string "-1"/,
    );
  });
});
