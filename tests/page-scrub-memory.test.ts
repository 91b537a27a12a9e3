/**
 * Looking back keeps bounded memory (issue 24, item 4): over a 100,000-step run on the page, the moments kept for the
 * "look back" slider stay at or under the timeline's cap, their parameters take exactly what that many moments take,
 * step 0 and the present stay kept, and the kept steps are denser towards now. The page's live JavaScript heap (after a
 * full collection, over the DevTools protocol) is measured at the start, at step 50,000 and at 100,000, and printed;
 * the second half of the run must not grow it by more than 2 MiB. The speed is
 * 5,000 steps a second, one snapshot a frame: at `max` a frame takes thousands of steps and 100,000 pass in a few
 * frames, which would not fill the timeline.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, open, setPlaying } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;

beforeAll(async () => {
  served = await servePage('scrub-memory');
}, 120_000);
afterAll(async () => served?.close());

type Lab = {
  shown(): { step: number; params: number[] } | null;
  timeline(): { steps: number[]; bytes: number };
};
const lab = <T>(page: Page, f: (lab: Lab) => T) => page.evaluate(`(${f.toString()})(window.backpropLab)`) as Promise<T>;
/** The page's live JavaScript heap after a full garbage collection (asked over the DevTools protocol). */
async function heap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize;
}

const STEPS = 100_000;
/** The timeline's cap at this size (src/ui/timeline.ts: 500 moments, fewer only past 64 MiB of parameters). */
const CAP = 500;

describe.each([{ webgpu: true }, { webgpu: false }])('a 100,000-step run (WebGPU $webgpu)', ({ webgpu }) => {
  it('keeps at most 500 moments, their bytes exactly theirs, step 0 and now kept, denser towards now', async () => {
    const { browser, page, errors, offLoopback } = await open(`${served.base}?speed=5000`, DESKTOP, webgpu);
    try {
      const before = await heap(page);
      await setPlaying(page, true);
      const stepAbove = (n: number) =>
        page.waitForFunction(
          (n) => ((window as unknown as { backpropLab: Lab }).backpropLab.shown()?.step ?? 0) > n,
          n,
          { timeout: 240_000, polling: 250 },
        );
      await stepAbove(STEPS / 2);
      const half = await heap(page);
      await page.waitForFunction(
        (n) => ((window as unknown as { backpropLab: Lab }).backpropLab.shown()?.step ?? 0) > n,
        STEPS,
        { timeout: 240_000, polling: 250 },
      );
      await setPlaying(page, false);
      const shown = (await lab(page, (l) => l.shown()))!;
      const { steps, bytes } = await lab(page, (l) => l.timeline());
      const after = await heap(page);
      const P = shown.params.length;
      expect(steps.length).toBeLessThanOrEqual(CAP);
      // at 5,000 steps a second the run draws far more than 500 snapshots before step 100,000, so the timeline has
      // thinned: its older half every other moment, never fewer than half the cap
      expect(steps.length).toBeGreaterThanOrEqual(CAP / 2);
      expect(bytes).toBe(steps.length * P * 8);
      expect(steps[0]).toBe(0);
      expect(steps.at(-1)).toBe(shown.step);
      expect(shown.step).toBeGreaterThan(STEPS);
      // denser towards now: the gaps between kept steps never shrink going back in time
      const gaps = steps.slice(1).map((s, i) => s - steps[i]!);
      const mid = Math.floor(gaps.length / 2);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(mean(gaps.slice(0, mid))).toBeGreaterThan(1.5 * mean(gaps.slice(mid)));
      console.log(
        `${webgpu ? 'WebGPU' : 'CPU'}: ${shown.step.toLocaleString('en-US')} steps, ${steps.length} moments kept ` +
          `(${bytes.toLocaleString('en-US')} bytes of parameters, ${P} each); JS heap ${(before / 2 ** 20).toFixed(1)} ` +
          `→ ${(half / 2 ** 20).toFixed(1)} at step 50,000 → ${(after / 2 ** 20).toFixed(1)} MiB`,
      );
      // the second 50,000 steps add no more than noise to the live heap (after a full collection each time)
      expect(after - half).toBeLessThan(2 * 2 ** 20);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
