/**
 * A learner watches it learn (issue 23): the pace is a rate a learner can follow on any device, hints say only what
 * the current state supports, a setting changed mid-run is marked on the curve, the held-out points get their own
 * loss curve, and while a new run is built no picture passes the old network off as the new one. Each test acts as a
 * learner (clicks, keys, links) and waits for states.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, DESKTOP, open, setControl, setPlaying, text, waitForStepAbove } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('pace');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

const BACKENDS = [
  ['WebGPU', true],
  ['without WebGPU', false],
] as const;

/** Any word of learning but the name of the setting "learning rate". */
const LEARNING = /learn(?!ing rate)/i;

/** Keeps the boundary's pixels now, to compare later pictures with (`changedPixels`). */
const keepBoundary = (page: Page) =>
  page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('[data-testid="boundary"]')!;
    (window as unknown as { kept: Uint8ClampedArray }).kept = c
      .getContext('2d')!
      .getImageData(0, 0, c.width, c.height).data;
  });

describe('the pace: a rate a learner can follow', () => {
  it.each(BACKENDS)(
    '%s: Play at once on XOR with the default settings: 1.5 s later the boundary has visibly changed and XOR is not yet solved',
    async (_, webgpu) => {
      const { browser, page, errors, offLoopback } = await open(base, DESKTOP, webgpu);
      try {
        expect(await text(page, 'speed-words')).toBe('20 steps a second');
        await keepBoundary(page);
        await page.click('[data-testid="play"]');
        await page.evaluate(() => ((window as unknown as { t0: number }).t0 = performance.now()));
        await page.waitForFunction(() => performance.now() - (window as unknown as { t0: number }).t0 >= 1500, null, {
          polling: 'raf',
        });
        const at = await page.evaluate(() => {
          const c = document.querySelector<HTMLCanvasElement>('[data-testid="boundary"]')!;
          const now = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const kept = (window as unknown as { kept: Uint8ClampedArray }).kept;
          let changed = 0;
          for (let i = 0; i < now.length; i += 4)
            if (Math.max(...[0, 1, 2].map((k) => Math.abs(now[i + k]! - kept[i + k]!))) > 24) changed++;
          return {
            step: Number(document.querySelector('[data-testid="step"]')?.textContent),
            accuracy: document.querySelector('[data-testid="accuracy"]')?.textContent,
            changed: changed / (now.length / 4),
          };
        });
        console.log(
          `${_}: 1.5 s after Play: step ${at.step}, accuracy ${at.accuracy}, ${(100 * at.changed).toFixed(1)}% of the boundary's pixels changed`,
        );
        expect(at.step).toBeGreaterThan(0);
        expect(at.accuracy).not.toBe('100%');
        expect(at.changed, 'share of the picture visibly changed').toBeGreaterThan(0.02);
        // and it does get there, seconds later: every point right, and the finished look (loss below 0.01)
        await page.waitForFunction(
          () =>
            document.querySelector('[data-testid="accuracy"]')?.textContent === '100%' &&
            Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.01,
          null,
          { timeout: 90_000 },
        );
        const seconds = await page.evaluate(
          () => (performance.now() - (window as unknown as { t0: number }).t0) / 1000,
        );
        console.log(`${_}: XOR learned (loss < 0.01) after ${seconds.toFixed(1)} s at the default pace`);
        expect(seconds).toBeGreaterThan(5);
        expect(await text(page, 'speed')).toMatch(/^\d+ steps\/s$/);
        expect(Number((await text(page, 'speed')).replace(/\D/g, ''))).toBeLessThanOrEqual(22);
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    180_000,
  );

  it('slow motion by keyboard: Home on the speed slider is 1 step a second, and each step is drawn, one by one', async () => {
    const { browser, page, errors, offLoopback } = await open(base);
    try {
      await page.focus('[data-testid="input-speed"]');
      await page.keyboard.press('Home');
      expect(await text(page, 'speed-words')).toBe('1 step a second');
      expect(await page.locator('[data-testid="input-speed"]').getAttribute('aria-valuetext')).toBe('1 step a second');
      await page.waitForFunction(() => location.search.includes('speed=1&'));
      expect(await page.locator('label[for="speed"]').innerText()).toBe('speed');
      // every step shown, with the loss curve's text at that step
      await page.evaluate(() => {
        const w = window as unknown as { shown: { t: number; step: string; curve: string }[] };
        w.shown = [];
        const step = document.querySelector('[data-testid="step"]')!;
        const curve = document.querySelector('[data-testid="loss-curve"]')!;
        new MutationObserver(() =>
          w.shown.push({
            t: performance.now(),
            step: step.textContent ?? '',
            curve: curve.getAttribute('aria-label') ?? '',
          }),
        ).observe(step, { childList: true, characterData: true, subtree: true });
      });
      await page.keyboard.press('Tab'); // a learner leaves the slider for Play
      await page.click('[data-testid="play"]');
      await waitForStepAbove(page, 3, 30_000);
      await setPlaying(page, false);
      const shown = await page.evaluate(
        () => (window as unknown as { shown: { t: number; step: string; curve: string }[] }).shown,
      );
      const steps = shown.map((s) => s.step);
      expect(steps.slice(0, 4)).toEqual(['1', '2', '3', '4']);
      for (const s of shown) expect(s.curve).toMatch(new RegExp(`at step ${s.step}\\.$`));
      const gaps = shown.slice(1).map((s, i) => s.t - shown[i]!.t);
      console.log(`1 step a second: the steps came ${gaps.map((g) => Math.round(g)).join(', ')} ms apart`);
      for (const g of gaps) expect(g, 'ms between two steps at 1 step a second').toBeGreaterThan(700);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('speed=max trains far faster than the default; the rate shown says so', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?speed=max`);
    try {
      expect(await text(page, 'speed-words')).toBe('as fast as it goes');
      expect(await page.locator('[data-testid="input-speed"]').inputValue()).toBe('13');
      await page.click('[data-testid="play"]');
      const t0 = Date.now();
      await waitForStepAbove(page, 2000, 60_000);
      const seconds = (Date.now() - t0) / 1000;
      // the rate reached, once the page has measured it over a span of frames
      await page.waitForFunction(
        () => /^[\d,]+ steps\/s$/.test(document.querySelector('[data-testid="speed"]')?.textContent ?? ''),
        null,
        {
          timeout: 60_000,
        },
      );
      const speed = Number((await text(page, 'speed')).replace(/\D/g, ''));
      await setPlaying(page, false);
      console.log(`speed=max: past step 2,000 in ${seconds.toFixed(1)} s; the page says ${speed} steps/s`);
      // the default's 20 steps a second would take 100 s
      expect(seconds).toBeLessThan(20);
      expect(speed).toBeGreaterThan(1000);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('a bad speed in the link is refused naming the field and what it may be; an old perFrame link keeps working', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?speed=fast`);
    try {
      const refusal =
        "speed must be max (as fast as the device goes), or steps a second as an integer in [1, 10000], got 'fast'";
      expect(await text(page, 'banner')).toContain(refusal);
      expect(await text(page, 'error-speed')).toBe(`${refusal}; the default 20 is used`);
      expect(await page.locator('[data-testid="input-speed"]').getAttribute('aria-invalid')).toBe('true');
      expect(await text(page, 'speed-words')).toBe('20 steps a second');
      expect(page.url()).toContain('speed=20');
      await page.goto(`${base}?perFrame=20&seed=2`);
      await page.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–');
      expect(await text(page, 'speed-words')).toBe('1,200 steps a second');
      expect(page.url()).toContain('speed=1200');
      expect(page.url()).not.toContain('perFrame');
      expect(await page.locator('[data-testid="banner"]').isVisible()).toBe(false);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('hints from the current state only', () => {
  it('no hint speaks of learning at step 0; one live unit of three on XOR (seed 7) is said to fail, as the page says', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=3&seed=7`);
    try {
      const links = [
        '?hidden=3&seed=7',
        '?hidden=2&seed=0',
        '?hidden=8&seed=1',
        '?hidden=8&seed=4',
        '?hidden=4,4&seed=3',
      ];
      let said = 0;
      for (const link of links) {
        await page.goto(`${base}${link}`);
        await page.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–');
        expect(await text(page, 'step')).toBe('0');
        const hints = await page.locator('[data-testid="hints"] li').allInnerTexts();
        said += hints.length;
        for (const h of hints) expect(h, `${link}: ${h}`).not.toMatch(LEARNING);
        if (link === '?hidden=3&seed=7') {
          expect(await page.locator('[data-testid="network"]').getAttribute('aria-label')).toMatch(
            /2 of 3 hidden units dead/,
          );
          expect(hints.join('\n')).toMatch(/The other unit is all the network has left .*cannot separate XOR/);
          expect(hints.join('\n')).not.toMatch(/enough/);
          expect(await page.locator('[data-testid="hints"] li.hint-warn').count()).toBe(1);
        }
      }
      expect(said, 'some of these runs start with hints to check').toBeGreaterThan(1);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('a learning rate changed mid-run marks the curve at that step, and no hint cites a loss from before it', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=8&seed=1&lr=10&speed=200`);
    try {
      await setPlaying(page, true);
      await waitForStepAbove(page, 100);
      await setControl(page, 'lr', '1000');
      await page.waitForFunction(
        () =>
          /learning rate changed from 10 to 1000/.test(
            document.querySelector('[data-testid="loss-curve"]')?.getAttribute('aria-label') ?? '',
          ),
        null,
        { timeout: 30_000 },
      );
      const label = (await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label'))!;
      const at = Number(/At step (\d+) the learning rate changed from 10 to 1000/.exec(label)![1]);
      expect(at).toBeGreaterThan(100);
      await waitForStepAbove(page, at + 100).catch(() => undefined); // a run that blows up stops here, with a banner
      await setPlaying(page, false);
      const hints = await page.locator('[data-testid="hints"] li').allInnerTexts();
      console.log(
        `lr 10 → 1000 at step ${at}; hints: ${hints.join(' | ') || 'none'}; banner: ${await text(page, 'banner').catch(() => '')}`,
      );
      for (const h of hints) {
        for (const m of h.matchAll(/at step (\d+)/g)) expect(Number(m[1]), h).toBeGreaterThanOrEqual(at);
        expect(h).not.toMatch(/at step 0\b/);
      }
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('the loss plot and a new run being built', () => {
  it('with points held out, the test loss is a second, dashed curve, named in the text alternative', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?dataset=circle&test=0.2&speed=1000`);
    try {
      expect(await text(page, 'data-note')).toMatch(/held out/);
      await setPlaying(page, true);
      await waitForStepAbove(page, 100);
      await setPlaying(page, false);
      const label = (await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label'))!;
      expect(label).toMatch(
        /The test loss on the held-out points \(dashed orange\) goes from [\d.]+ at step 0 to [\d.]+ at step \d+\./,
      );
      const testStat = Number(await text(page, 'test-loss'));
      const end = Number(/held-out points .* to ([\d.]+) at step/.exec(label)![1]);
      expect(Math.abs(end - testStat) / testStat, 'the curve ends at the test loss shown').toBeLessThan(0.01);
      const orange = await page.locator('[data-testid="loss-curve"]').evaluate((c) => {
        const d = (c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 360, 260).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (Math.abs(d[i]! - 194) + Math.abs(d[i + 1]! - 65) + Math.abs(d[i + 2]! - 12) < 60) n++;
        return n;
      });
      expect(orange, 'orange pixels of the test curve and its legend').toBeGreaterThan(50);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('while a new run is built, every picture shows the new settings or is dimmed "building…"; never the old network', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=8&seed=1`);
    try {
      await page.evaluate(() => {
        const w = window as unknown as { labels: string[] };
        w.labels = [];
        const net = document.querySelector('[data-testid="network"]')!;
        new MutationObserver(() => w.labels.push(net.getAttribute('aria-label') ?? '')).observe(net, {
          attributes: true,
          attributeFilter: ['aria-label'],
        });
      });
      // the learner's three choices, and what the page shows in the same task as the last: before any new snapshot
      const now = await page.evaluate(() => {
        const choose = (name: string, value: string) => {
          const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${name}"]`)!;
          el.value = value;
          el.dispatchEvent(new Event('change'));
        };
        choose('dataset', 'spiral');
        choose('activation', 'tanh');
        choose('hidden', '16');
        const q = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;
        return {
          state: q('state').dataset.state,
          building: document.querySelector<HTMLElement>('#demo')!.dataset.building,
          network: q('network').getAttribute('aria-label'),
          boundary: q('boundary').getAttribute('aria-label'),
          curve: q('loss-curve').getAttribute('aria-label'),
          hints: q('hints').children.length,
          testLoss: q('test-loss').textContent,
          note: q('data-note').textContent,
          loss: q('loss').textContent,
          step: q('step').textContent,
        };
      });
      expect(now.state).toBe('resetting');
      expect(now.building).toBe('building');
      expect(now.network).toMatch(/^Network 2-16-1: .* of 16 hidden units dead/);
      expect(now.boundary).toMatch(/building the new run/);
      expect(now.curve).toMatch(/building the new run/);
      expect(now.hints).toBe(0);
      expect(now.note).toMatch(/\(40 held out for testing\)/);
      expect(now.testLoss, 'the test-loss field agrees with the data note').not.toBe('none held out');
      expect([now.loss, now.step], 'no number of a run until its first snapshot').toEqual(['–', '–']);
      const dimmed = await page.locator('#boundary').evaluate((c) => getComputedStyle(c).opacity);
      expect(Number(dimmed)).toBeLessThan(0.5);
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'idle',
        null,
        { timeout: 60_000 },
      );
      expect(await page.evaluate(() => document.querySelector<HTMLElement>('#demo')!.dataset.building)).toBeUndefined();
      const labels = await page.evaluate(() => (window as unknown as { labels: string[] }).labels);
      expect(labels.length).toBeGreaterThan(0);
      for (const l of labels) expect(l, 'every network picture since the change').toMatch(/^Network 2-16-1/);
      expect(await text(page, 'test-loss')).toMatch(/^\d/);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
