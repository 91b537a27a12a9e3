/**
 * The pace as a rate (src/ui/pace.ts, src/ui/state.ts): the steps each frame owes from the time passed, the rate
 * measured, the speed setting in a link (old perFrame links included), and the run's timeline of changes
 * (src/ui/history.ts) that the hints judge the loss by.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK, MAX_GAP_MS, Pacer, RateMeter } from '../src/ui/pace.js';
import { LossHistory } from '../src/ui/history.js';
import { DEFAULT_SETTINGS, fromQuery, SPEEDS, speedPosition, speedWords, toQuery } from '../src/ui/state.js';

/** Frames at `fps` for `seconds` at `speed`: the steps each frame was asked for. */
function frames(speed: number | 'max', fps: number, seconds: number, start = 1000): number[] {
  const p = new Pacer();
  const out: number[] = [];
  for (let i = 0; i <= Math.round(fps * seconds); i++) out.push(p.due(speed, start + (1000 * i) / fps));
  return out;
}
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

describe('the pace: steps a frame from a rate in steps a second', () => {
  it('gives the rate whatever the frame rate: 50 steps a second for 10 s is 500 steps (+ the one at once)', () => {
    for (const fps of [30, 60, 144, 7]) expect(sum(frames(50, fps, 10)), `${fps} frames a second`).toBe(501);
  });

  it('at 1 step a second, one frame in about 60 steps, and the others owe none (nothing new to draw)', () => {
    const f = frames(1, 60, 5);
    expect(f[0]).toBe(1); // Play shows a step at once
    const stepping = f.map((k, i) => [k, i] as const).filter(([k]) => k > 0);
    expect(stepping.map(([k]) => k)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(stepping.map(([, i]) => i)).toEqual([0, 60, 120, 180, 240, 300]);
  });

  it('carries the fraction: 45 steps a second at 60 frames gives 3 steps every 4 frames, exactly', () => {
    const f = frames(45, 60, 4).slice(1);
    expect(sum(f)).toBe(180);
    expect(Math.max(...f)).toBe(1);
  });

  it('a frame late by seconds owes only MAX_GAP_MS of steps; max is MAX_CHUNK a frame', () => {
    const p = new Pacer();
    expect(p.due(1000, 0), "the first frame: a frame's worth at 60 frames a second").toBe(17);
    expect(p.due(1000, 5000)).toBe((1000 * MAX_GAP_MS) / 1000);
    expect(p.due('max', 5016)).toBe(MAX_CHUNK);
    expect(p.due(1000, 5016 + 1000 / 60)).toBe(16); // back from max: the time since the last frame, not since Play
    p.restart();
    expect(p.due(10, 99_999)).toBe(1); // playing again: a step at once, the pause owed nothing
    expect(p.due(10, 99_999 + 50)).toBe(0);
  });
});

describe('the rate shown', () => {
  it('is the steps done over the wall-clock time, not counting the step taken at once', () => {
    const m = new RateMeter();
    const p = new Pacer();
    let done = 0;
    for (let i = 0; i <= 300; i++) {
      const t = (1000 * i) / 60;
      m.frame(t, done);
      done = p.due(2, t);
    }
    expect(m.perSecond()).toBeCloseTo(2, 1);
    m.clear();
    expect(m.perSecond()).toBe(0);
    m.frame(0, 5);
    m.frame(100, 5);
    expect(m.perSecond(), 'a span too short to say').toBe(0);
  });
});

describe('the speed setting', () => {
  it('is a rate in a link: any integer in [1, 10000], or max; the default lets XOR take seconds', () => {
    expect(fromQuery('?speed=1').settings.speed).toBe(1);
    expect(fromQuery('?speed=1200').settings.speed).toBe(1200);
    expect(fromQuery('?speed=max').settings.speed).toBe('max');
    // XOR classifies its 4 points from about step 40: 1.5 s of the default must hold fewer steps, and a second more
    expect(DEFAULT_SETTINGS.speed).toBeGreaterThanOrEqual(10);
    expect(DEFAULT_SETTINGS.speed).toBeLessThanOrEqual(25);
    for (const bad of ['0', '10001', 'fast', '2.5', '']) {
      const r = fromQuery(`?speed=${bad}`);
      expect(r.settings.speed, bad).toBe(DEFAULT_SETTINGS.speed);
      expect(r.refused.speed, bad).toBe(
        `speed must be max (as fast as the device goes), or steps a second as an integer in [1, 10000], got '${bad}'`,
      );
    }
    expect(toQuery({ ...DEFAULT_SETTINGS, speed: 'max' })).toContain('speed=max');
  });

  it('reads an old link: perFrame=N is 60·N steps a second, max above the slider; a bad one is refused', () => {
    expect(fromQuery('?perFrame=20').settings.speed).toBe(1200);
    expect(fromQuery('?perFrame=5').settings.speed).toBe(300);
    expect(fromQuery('?perFrame=166').settings.speed).toBe(9960);
    expect(fromQuery('?perFrame=167').settings.speed).toBe('max');
    expect(fromQuery('?perFrame=20000').settings.speed).toBe('max');
    expect(fromQuery('?perFrame=20&speed=7').settings.speed).toBe(7); // the new key wins
    const bad = fromQuery('?perFrame=0');
    expect(bad.settings.speed).toBe(DEFAULT_SETTINGS.speed);
    expect(bad.refused.speed).toMatch(/^steps per frame \(perFrame, .*\) must be an integer in \[1, 20000\], got '0'$/);
  });

  it('the slider: log-spaced positions from 1 a second to max, each said in words', () => {
    expect(SPEEDS[0]).toBe(1);
    expect(SPEEDS.at(-1)).toBe('max');
    expect(SPEEDS.map((s) => speedPosition(s))).toEqual(SPEEDS.map((_, i) => i));
    expect(speedPosition(1200)).toBe(SPEEDS.indexOf(1000));
    expect(speedPosition(300)).toBe(SPEEDS.indexOf(200)); // log-nearest: 300/200 < 500/300
    expect(speedWords(1)).toBe('1 step a second');
    expect(speedWords(1200)).toBe('1,200 steps a second');
    expect(speedWords('max')).toBe('as fast as it goes');
  });
});

describe("the run's timeline: a setting changed mid-run", () => {
  const lr = { what: 'learning rate', from: '10', to: '1000' };
  it('marks the step, and the segment since it starts there', () => {
    const h = new LossHistory();
    for (let s = 0; s <= 100; s++) h.add({ step: s, loss: 0.7 + s });
    h.change(lr);
    expect(h.changes).toEqual([{ ...lr, step: 100 }]);
    for (let s = 101; s <= 300; s++) h.add({ step: s, loss: 1000 - s });
    const seg = h.segment(300);
    expect(seg.since).toBe(100);
    expect(seg.firstLoss).toBeCloseTo(100.7);
    expect(seg.pastLoss).toBe(1000 - 200); // halfway from 100 to 300
    expect(seg.minLoss).toBeCloseTo(100.7); // the point at the change is the segment's first
    expect(h.segment(50).since, 'before the change: the run from step 0').toBe(0);
  });

  it('a change while a frame is in flight lands at the step that frame reads back; none before step 1', () => {
    const h = new LossHistory();
    h.add({ step: 0, loss: 1 });
    h.change(lr);
    expect(h.changes, 'at step 0 the whole run trains at the new rate: nothing to mark').toEqual([]);
    h.add({ step: 20, loss: 1 });
    h.change(lr, true);
    expect(h.changes).toEqual([]);
    h.add({ step: 40, loss: 1 });
    expect(h.changes).toEqual([{ ...lr, step: 40 }]);
    h.change({ what: 'learning rate', from: '1000', to: '5' });
    expect(h.changes, 'two changes at one step are one').toEqual([{ ...lr, to: '5', step: 40 }]);
    h.change({ what: 'learning rate', from: '5', to: '10' });
    expect(h.changes, 'changed back: nothing trained otherwise').toEqual([]);
  });

  it('thinning keeps the point at a change', () => {
    const h = new LossHistory(100);
    for (let s = 0; s <= 51; s++) h.add({ step: s, loss: 1 });
    h.change(lr);
    for (let s = 52; s <= 5000; s++) h.add({ step: s, loss: 1 });
    expect(h.points.length).toBeLessThan(100);
    expect(h.points.some((p) => p.step === 51)).toBe(true);
    expect(h.segment(5000).firstLoss).toBe(1);
  });
});
