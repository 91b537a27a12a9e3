/**
 * A weight edited by hand (src/ui/touch/nudge.ts): the typed value's checks, and the first-order prediction beside
 * the actual change, against the oracle (src/mlp/reference.ts) at both parameter vectors.
 */
import { describe, expect, it } from 'vitest';
import { xor } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import {
  lossDigits,
  minus,
  missShare,
  nudgeOf,
  parseWeight,
  product,
  steepest,
  storedDigits,
  WEIGHT_EDIT_MAX,
} from '../src/ui/touch/nudge.js';

describe('a typed weight', () => {
  it('takes decimals within ±100 and refuses the rest naming the weight and the range', () => {
    expect(WEIGHT_EDIT_MAX).toBe(100);
    expect(parseWeight('W1[2][1]', ' -1.25 ')).toEqual({ value: -1.25 });
    expect(parseWeight('b2', '1e2')).toEqual({ value: 100 });
    expect(parseWeight('b2', '')).toEqual({
      error: expect.stringMatching(/^b2: type a new value, a number in \[−100, 100\]/),
    });
    for (const bad of ['abc', '100.5', '-1e3', 'Infinity', 'NaN', '0x10', '1_0', '−2'])
      expect(parseWeight('W2[3]', bad)).toEqual({
        error: `W2[3] must be a number in [−100, 100], written in decimal (like 0.5 or -1.25), got '${bad}'`,
      });
  });
});

describe('the nudge', () => {
  const data = xor();
  const model = makeModel({ d: 2, hidden: [4] });
  const objective = { loss: 'bce' } as const;
  const params = initModelParams(model, 3);
  const at = (p: Float64Array) => {
    const r = lossAndGradsModel(model, p, data, objective);
    return { step: 9, params: p, oracle: { loss: r.loss, grads: r.grads } };
  };
  const edited = (k: number, dw: number) => {
    const p = Float64Array.from(params);
    p[k] = p[k]! + dw;
    return p;
  };
  const before = at(params);

  it('a small Δw of the output bias: ΔL is the oracle difference, the prediction g·Δw agrees within 10%', () => {
    const after = at(edited(16, 1e-3));
    const n = nudgeOf('b2', 16, before, after);
    expect(n.actual).toBe(after.oracle.loss - before.oracle.loss);
    expect(n.predicted).toBe(before.oracle.grads[16]! * (after.params[16]! - params[16]!));
    expect(n.agrees).toBe(true);
    expect(n.step).toBe(9);
  });

  it('a large Δw: the loss curves away and the prediction is said to miss', () => {
    const n = nudgeOf('b2', 16, before, at(edited(16, 6)));
    expect(Math.abs(n.actual - n.predicted)).toBeGreaterThan(0.1 * Math.abs(n.actual));
    expect(n.agrees).toBe(false);
    expect(missShare(n)).toMatch(/^\d+(\.\d+)?%$/);
  });

  it('the losses get the digits that tell them apart', () => {
    expect(lossDigits(0.001764, 0.001764 - 6e-7)).toBe(6);
    expect(lossDigits(0.7, 0.5)).toBe(4);
    expect(lossDigits(0.5, 0.5)).toBe(4);
    expect(Number((0.001764).toPrecision(lossDigits(0.001764, 0.001764 - 6e-7)))).not.toBe(
      Number((0.001764 - 6e-7).toPrecision(lossDigits(0.001764, 0.001764 - 6e-7))),
    );
  });
});

describe('what the touch panel writes', () => {
  it('picks by default the parameter with the largest |∂L/∂w|, the lowest index among ties', () => {
    expect(steepest([0, -0.5, 0.5, 0.1])).toBe(1);
    expect(steepest([0, 0, 0])).toBe(0);
    // the page's default start (XOR, 2-8-1, seed 1): not W1[1][1] (flat 0), whose unit is dead there
    const model = makeModel({ d: 2, hidden: [8] });
    const { grads } = lossAndGradsModel(model, initModelParams(model, 1), xor(), { loss: 'bce' });
    const k = steepest(grads);
    for (let i = 0; i < grads.length; i++) {
      expect(Math.abs(grads[k]!)).toBeGreaterThanOrEqual(Math.abs(grads[i]!));
      if (i < k) expect(Math.abs(grads[i]!)).toBeLessThan(Math.abs(grads[k]!));
    }
    expect(grads[k]).not.toBe(0);
  });

  it('says the stored f32 to the first digit where it differs from the typed value, with a true minus', () => {
    expect(storedDigits(0.0068, Math.fround(0.0068))).toBe('0.0068000001');
    expect(storedDigits(-0.0068, Math.fround(-0.0068))).toBe('−0.0068000001');
    expect(storedDigits(0.1, Math.fround(0.1))).toBe('0.100000001');
    for (const typed of [0.3, 1.7, -12.345, 0.000123]) {
      const shown = storedDigits(typed, Math.fround(typed));
      expect(shown).not.toMatch(/-/);
      const v = Number(shown.replace('−', '-'));
      expect(v, shown).not.toBe(typed);
      expect(Math.abs(v - Math.fround(typed))).toBeLessThan(Math.abs(Math.fround(typed) - typed));
    }
  });

  it('writes a product with a negative factor in parentheses', () => {
    expect(product('0.03524', '−0.1')).toBe('0.03524 × (−0.1)');
    expect(product('−0.03524', '0.1')).toBe('−0.03524 × 0.1');
    expect(minus('-1e-5')).toBe('−1e−5');
  });
});
