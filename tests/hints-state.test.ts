/**
 * Hints from the current state only (src/ui/hints.ts): nothing said of learning before the first step, one live ReLU
 * unit on data no line separates said as the failure it is (as the map and the explainer say), and a loss judged only
 * since the last setting changed mid-run.
 */
import { describe, expect, it } from 'vitest';
import { hints, type HintInput, NO_LINE } from '../src/ui/hints.js';

const lineless: HintInput = {
  step: 0,
  hidden: 3,
  dead: 0,
  yHat: [0.5, 0.52, 0.49, 0.5],
  accuracy: 0.5,
  firstLoss: 0.7,
  minLoss: 0.7,
  loss: 0.7,
  pastLoss: NaN,
  lr: 0.5,
};
const xor: HintInput = { ...lineless, noLine: NO_LINE.xor! };
/** Any word of learning but the name of the setting "learning rate". */
const LEARNING = /learn(?!ing rate)/i;
const said = (h: HintInput) =>
  hints(h)
    .map((x) => x.text)
    .join('\n');

describe('hints at step 0', () => {
  it('say nothing about learning, for dead, saturated and vanishing alike', () => {
    const cases: Partial<HintInput>[] = [
      { hidden: 8, dead: 3 },
      { hidden: 8, dead: 8 },
      { hidden: [8, 8], dead: [2, 1] },
      { hidden: 8, saturated: 2, activation: 'tanh' },
      { hidden: [4, 4, 4], activation: 'sigmoid', gradNorms: [1e-5, 1e-3, 1e-1, 1] },
    ];
    for (const c of cases) {
      const t = said({ ...xor, ...c });
      expect(t, JSON.stringify(c)).not.toBe('');
      expect(t, JSON.stringify(c)).not.toMatch(LEARNING);
    }
  });

  it('one live unit of three on XOR (H = 3, seed 7) is a failure from step 0, as the page says elsewhere', () => {
    const h = hints({ ...xor, dead: 2 });
    expect(h.map((x) => [x.id, x.level])).toEqual([['dead', 'warn']]);
    expect(h[0]!.text).toMatch(/The other unit is all the network has left .*single line, which cannot separate XOR/);
    expect(h[0]!.text).not.toMatch(/enough/);
    // later in the run, short of failing by the other rules, it says the same
    const later = hints({ ...xor, dead: 2, step: 150, accuracy: 0.75, loss: 0.5, pastLoss: 0.6 });
    expect(later[0]!.level).toBe('warn');
    expect(later[0]!.text).not.toMatch(/enough|still learning/);
    // on data one line can separate (no noLine: two Gaussians, a file) it is not called a failure
    const line = hints({ ...lineless, dead: 2, step: 150, accuracy: 0.75, loss: 0.5, pastLoss: 0.6 });
    expect(line[0]!.level).toBe('info');
  });

  it('dead units of a run that has not started: left to bend the boundary, Play will tell', () => {
    const h = hints({ ...xor, hidden: 8, dead: 4 });
    expect(h.map((x) => [x.id, x.level])).toEqual([['dead', 'info']]);
    expect(h[0]!.text).toMatch(/The other 4 units are left to bend the boundary with; press Play to see/);
  });
});

describe('a loss judged since the last change', () => {
  const run: HintInput = { ...lineless, hidden: 8, step: 400, yHat: [0.3, 0.6, 0.7, 0.4], accuracy: 1 };
  it('a rise before the change is not blamed on the new rate', () => {
    // lr 10 raised the loss from 0.704 to 70 by step 200; then lr became 1000, and since then it fell to 60
    const before = { ...run, lr: 1000, firstLoss: 0.704, loss: 60, pastLoss: 65, accuracy: 0.5 };
    expect(said(before), 'judged from step 0 it blames the new rate').toMatch(/0\.704 at step 0.*1000 is too large/);
    const since = { ...before, since: 200, firstLoss: 70, change: 'where the learning rate became 1000' };
    expect(hints(since).filter((x) => x.id === 'grows')).toEqual([]);
    expect(said(since)).not.toMatch(/0\.704/);
  });

  it('a rise since the change is named with the step and the change', () => {
    const h = hints({
      ...run,
      lr: 1000,
      since: 200,
      firstLoss: 0.3,
      loss: 50,
      accuracy: 0.5,
      change: 'where the learning rate became 1000',
    });
    expect(h.map((x) => x.id)).toEqual(['grows']);
    expect(h[0]!.text).toMatch(
      /^The loss grew from 0\.300 at step 200 \(where the learning rate became 1000\) to 50\.0: the learning rate 1000 is too large/,
    );
  });

  it('ŷ pinned since a change is not blamed on the rate now; a stall is timed from the change', () => {
    const pinned = hints({ ...run, lr: 0.5, since: 390, firstLoss: 9, loss: 9, yHat: [0, 1, 1, 1e-9], accuracy: 0.75 });
    expect(pinned.map((x) => x.id)).toEqual(['grows']);
    expect(pinned[0]!.text).toMatch(/^ŷ is pinned at 0 or 1.*Press Reset/);
    expect(pinned[0]!.text).not.toMatch(/0\.5 is too large/);
    const regression = { ...run, output: 'identity' as const, r2: 0.3, loss: 0.2, pastLoss: 0.2, firstLoss: 0.2 };
    expect(hints({ ...regression, step: 1500 }).map((x) => x.id)).toEqual(['stalled']);
    expect(hints({ ...regression, step: 1500, since: 1000 }), 'only 500 steps since the change').toEqual([]);
  });
});

describe('hints that never contradict each other', () => {
  it('H = 2, seed 0 stuck after training: the stuck hint does not say the live unit cannot bend the boundary', () => {
    const stuck = {
      ...xor,
      hidden: 2,
      dead: 1,
      step: 5000,
      yHat: [0.5, 0.51, 0.49, 0.5],
      accuracy: 0.5,
      loss: 0.693,
      pastLoss: 0.693,
    };
    const h = hints(stuck);
    expect(h.map((x) => x.id)).toEqual(['dead', 'stuck']);
    // the dead-unit hint says the live unit bends it along one line; the stuck hint must agree
    expect(h[0]!.text).toMatch(/one ReLU unit bends it along a single line/);
    expect(h[1]!.text).not.toMatch(/cannot bend/);
    expect(h[1]!.text).toMatch(/too few to separate the classes/);
  });
});
