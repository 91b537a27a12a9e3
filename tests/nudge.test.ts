/**
 * A weight edited by hand (src/ui/touch/nudge.ts): the typed value's checks, and the first-order prediction beside
 * the actual change, against the oracle (src/mlp/reference.ts) at both parameter vectors.
 */
import { describe, expect, it } from 'vitest';
import { xor } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { lossDigits, missShare, nudgeOf, parseWeight, WEIGHT_EDIT_MAX } from '../src/ui/touch/nudge.js';

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
