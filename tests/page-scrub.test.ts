/**
 * Scrub back through time (issue 24, item 4): the page keeps the run's moments while it trains; the "look back"
 * slider shows an earlier step exactly as the run had it (checked against a fresh run to that step on the f64 oracle,
 * computed here), Play goes on from the present, and "Play on from here" plays on from the step looked at. With and
 * without WebGPU.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel, type Model } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { formatNumber } from '../src/ui/format.js';
import { axeViolations, DESKTOP, open, setPlaying, stepNow, text, waitForStepAbove } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;

beforeAll(async () => {
  served = await servePage('scrub');
}, 120_000);
afterAll(async () => served?.close());

interface Shown {
  step: number;
  loss: number;
  params: number[];
  past: boolean;
}

type Lab = {
  shown(): Shown | null;
  timeline(): { steps: number[]; bytes: number };
  data(): { train: { d: number; N: number; x: number[]; y: number[] } };
  running(): { hidden: number[]; lr: number; seed: number; loss: 'bce' | 'mse'; activation: Model['activation'] };
};

const lab = <T>(page: Page, f: (lab: Lab) => T) => page.evaluate(`(${f.toString()})(window.backpropLab)`) as Promise<T>;

/** A fresh run of the page's settings stopped at each step up to `T`, on the f64 oracle: full-batch SGD. */
async function oracleRun(page: Page, T: number): Promise<{ params: Float64Array; loss: number }[]> {
  const run = await lab(page, (l) => l.running());
  const t = (await lab(page, (l) => l.data())).train;
  const data: Dataset = { d: t.d, N: t.N, x: Float64Array.from(t.x), y: Float64Array.from(t.y) };
  const model = makeModel({ d: t.d, hidden: run.hidden, activation: run.activation, output: 'sigmoid' });
  let params = Float64Array.from(initModelParams(model, run.seed));
  const out = [];
  for (let s = 0; s <= T; s++) {
    const r = lossAndGradsModel(model, params, data, { loss: run.loss });
    out.push({ params, loss: r.loss });
    params = params.map((p, i) => p - run.lr * r.grads[i]!);
  }
  return out;
}

/** The largest |a − b| over two parameter vectors of one length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const scrubNote = (page: Page) => page.locator('[data-testid="scrub-note"]');

describe.each([
  // f32 on the GPU: its run drifts from the f64 oracle's by rounding; on the CPU the worker trains in f64
  { webgpu: true, tol: 2e-3 },
  { webgpu: false, tol: 1e-9 },
])('looking back (WebGPU $webgpu)', ({ webgpu, tol }) => {
  it('shows an earlier step exactly as the run had it; Play goes on from the present; Play on from here', async () => {
    const { browser, page, errors, offLoopback } = await open(served.base, DESKTOP, webgpu);
    try {
      expect(await text(page, 'backend')).toMatch(webgpu ? /^WebGPU/ : /^CPU/);
      expect(await text(page, 'scrub-words')).toBe('step 0 of 0 (now)');
      await setPlaying(page, true);
      await waitForStepAbove(page, 40);
      await setPlaying(page, false);
      const n = await stepNow(page);
      const { steps, bytes } = await lab(page, (l) => l.timeline());
      // the first steps are kept whole, one moment a snapshot drawn, up to the present
      expect(steps[0]).toBe(0);
      expect(steps.at(-1)).toBe(n);
      expect(await text(page, 'scrub-count')).toMatch(new RegExp(`^${steps.length} moments kept, steps 0 to ${n} `));
      const P = (await lab(page, (l) => l.shown()))!.params.length;
      expect(bytes).toBe(steps.length * P * 8);

      // the keyboard moves the slider: Home to the first moment, then right to the moment i
      const i = Math.max(1, Math.floor(steps.length / 3));
      const k = steps[i]!;
      const slider = page.locator('[data-testid="scrub-step"]');
      await slider.focus();
      await page.keyboard.press('Home');
      for (let j = 0; j < i; j++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction((k) => document.querySelector('[data-testid="step"]')?.textContent === String(k), k, {
        timeout: 30_000,
      });
      const oracle = await oracleRun(page, n + 400);
      const past = (await lab(page, (l) => l.shown()))!;
      expect(past.past).toBe(true);
      expect(past.step).toBe(k);
      expect(maxDiff(past.params, oracle[k]!.params)).toBeLessThan(tol);
      expect(Math.abs(past.loss - oracle[k]!.loss)).toBeLessThan(tol);
      expect(await text(page, 'loss')).toBe(formatNumber(past.loss));
      expect(await slider.getAttribute('aria-valuetext')).toBe(`step ${k} of ${n} (past)`);
      expect(await text(page, 'scrub-words')).toBe(`step ${k} of ${n} (past)`);
      expect(await scrubNote(page).innerText()).toMatch(
        new RegExp(`^The past, recomputed on the CPU from the parameters stored at step ${k}\\. Play goes on`),
      );
      // the gradient panel: the oracle's gradients at k, no GPU column
      expect(await text(page, 'grad-panel')).toMatch(
        new RegExp(`The past, recomputed on the CPU from the parameters stored at step ${k}`),
      );
      const heads = await page.locator('#gradients th').allInnerTexts();
      expect(heads.some((h) => /GPU/.test(h))).toBe(false);
      expect(await text(page, 'grad-heading')).toMatch(
        new RegExp(`the exact gradient at step ${k}, the past recomputed`),
      );
      // the loss curve: the cursor at k; the curve itself still runs to the present
      const curve = await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label');
      expect(curve).toMatch(new RegExp(`at step ${n}\\. .*the cursor .* marks step ${k}, loss `));
      // the weight panel reads the step looked at, and an edit waits for the present (it would change the live run)
      const read = await page
        .locator('[data-testid="weight-read"]')
        .evaluate((e) => ({ ...(e as HTMLElement).dataset }));
      expect(Number(read.step)).toBe(k);
      expect(Number(read.value)).toBe(past.params[Number(read.index)]);
      await page.click('[data-testid="weight-edit"]');
      expect(await page.locator('[data-testid="weight-editor"]').isHidden()).toBe(true);
      expect(await text(page, 'weight-error')).toMatch(new RegExp(`as it was at step ${k}, looked back at`));
      expect(await axeViolations(page)).toEqual([]);

      // Play goes on from the present, and the page is back in it at once
      await page.click('[data-testid="play"]');
      await expect.poll(() => scrubNote(page).isHidden()).toBe(true);
      await waitForStepAbove(page, n);
      await setPlaying(page, false);
      const now = (await lab(page, (l) => l.shown()))!;
      expect(now.past).toBe(false);
      expect(now.step).toBeGreaterThan(n);
      expect(now.step).toBeLessThanOrEqual(n + 400);
      expect(maxDiff(now.params, oracle[now.step]!.params)).toBeLessThan(tol);

      // Play on from here: slow, so the run is caught at the step looked at before it moves far
      await page.evaluate(() => {
        const speed = document.querySelector<HTMLInputElement>('[data-testid="input-speed"]')!;
        speed.value = '0'; // 1 step a second
        speed.dispatchEvent(new Event('input'));
      });
      // looked back at while training: the run pauses, and the note says so and how to resume
      await setPlaying(page, true);
      await slider.focus();
      await page.keyboard.press('Home');
      for (let j = 0; j < i; j++) await page.keyboard.press('ArrowRight');
      await page.waitForFunction((k) => document.querySelector('[data-testid="step"]')?.textContent === String(k), k, {
        timeout: 30_000,
      });
      expect(await page.locator('[data-testid="state"]').getAttribute('data-state')).not.toBe('playing');
      expect(await scrubNote(page).innerText()).toMatch(
        /Training was paused to look back: press Play to resume it\. .*"Play on from here" starts playing from step/,
      );
      expect(await page.locator('[data-testid="scrub-continue"]').innerText()).toBe('Play on from here');
      await page.click('[data-testid="scrub-continue"]');
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'playing',
        null,
        { timeout: 60_000 },
      );
      await waitForStepAbove(page, k);
      await setPlaying(page, false);
      const on = (await lab(page, (l) => l.shown()))!;
      expect(on.past).toBe(false);
      // it trained on from k (the present was at now.step): the same run, so the oracle's steps after k
      expect(on.step).toBeGreaterThan(k);
      expect(on.step).toBeLessThan(now.step);
      expect(maxDiff(on.params, oracle[on.step]!.params)).toBeLessThan(tol);
      // its past is the run's up to k, then the steps trained on since
      const after = (await lab(page, (l) => l.timeline())).steps;
      expect(after.slice(0, i + 1)).toEqual(steps.slice(0, i + 1));
      expect(after.at(-1)).toBe(on.step);
      expect(Math.max(...after)).toBe(on.step);
      expect(await text(page, 'scrub-words')).toBe(`step ${on.step} of ${on.step} (now)`);
      const curveAfter = await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label');
      expect(curveAfter).toMatch(new RegExp(`at step ${on.step}\\.`));

      // a new run clears the timeline
      await page.click('[data-testid="reset"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="scrub-words"]')?.textContent === 'step 0 of 0 (now)',
        null,
        {
          timeout: 60_000,
        },
      );
      expect((await lab(page, (l) => l.timeline())).steps).toEqual([0]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
