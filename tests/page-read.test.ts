/**
 * A learner reads the page (issue 23): the explainer's way in and its defined terms, plain numbers on the stats and
 * the loss axis, the graph's two kinds of gradient told apart by colour, legends that do not wrap into sentences, no
 * dark sliver on a dead unit's map, the settings folded, the phone's guide beside Play and menus that fit, and without
 * WebGPU a banner in plain words and a first line true to where the network trains.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/mlp/config.js';
import { xor } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { axeViolations, DESKTOP, open, pastRightEdge, PHONE, setPlaying, text } from './support/browser.js';
import { ARTIFACTS, type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('read');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

/** Words a newcomer cannot be expected to know, which the explainer's first paragraph must not use. */
const JARGON = /reverse-mode|automatic differentiation|acyclic|jacobian|tensor|topological|oracle|chain rule|scalar/i;

/** Every number-like text drawn on the loss curve's canvas, recorded from the page's first frame. */
async function recordLossCurveText(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen = new Set<string>();
    (window as unknown as { lossCurveText: Set<string> }).lossCurveText = seen;
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (this: CanvasRenderingContext2D, t: string, ...rest) {
      if (this.canvas.dataset.testid === 'loss-curve') seen.add(t);
      return fillText.call(this, t, ...(rest as [number, number]));
    };
  });
}

describe('the page as a learner reads it', () => {
  it('without WebGPU: a plain banner and first line, the way into the explainer, plain numbers, calm legends', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=2&seed=2`, DESKTOP, false);
    try {
      // the banner: plain words, which browsers have WebGPU, what differs; the technical reason folded away
      const banner = await text(page, 'banner');
      expect(banner).toMatch(/^This browser gives the page no WebGPU, so training runs on the CPU instead/);
      expect(banner).not.toMatch(/requestAdapter/);
      // short, so Play and the pictures stay on a phone's first screen: which browsers have WebGPU, folded
      expect(banner.length).toBeLessThan(250);
      await page.click('[data-testid="banner"] summary');
      const opened = await text(page, 'banner');
      expect(opened).toMatch(/Chrome and Edge on desktop, Safari 26 and later, and Firefox on Windows/);
      expect(opened).toMatch(/requestAdapter/); // still there for whoever wants it
      expect(opened).toMatch(/no GPU column/);
      // the first line says where the network trains, without jargon
      const lede = await page.locator('.lede').innerText();
      expect(lede).not.toMatch(/GPU|oracle/);
      expect(lede).toMatch(/on your CPU/);
      // so does the gradient panel's heading: there is no GPU side to put beside the CPU's
      expect(await text(page, 'grad-heading')).toMatch(
        /^Gradients: the exact gradient, f64 \(no GPU here to compare with\)$/,
      );
      // XOR holds no point out: "show test points" has nothing to show, and says so
      expect(await page.locator('[data-testid="toggle-showTest"]').isDisabled()).toBe(true);
      expect(await text(page, 'discretize-why')).toMatch(/no test points: none are held out/);

      // the explainer: its first paragraph in plain words, then the nudge, then the terms, each defined
      const paragraphs = await page.locator('[data-testid="explainer"] > p').allInnerTexts();
      expect(paragraphs[0]).toMatch(/^A neural network is/);
      expect(paragraphs[0]).not.toMatch(JARGON);
      expect(paragraphs[1]).toMatch(/One nudge.*ΔL/s);
      const terms = page.locator('[data-testid="explainer"] dfn');
      expect(await terms.count()).toBeGreaterThanOrEqual(10);
      const defined = await terms.evaluateAll((dfns) =>
        dfns.map((d) => ({
          term: d.textContent ?? '',
          tabIndex: (d as HTMLElement).tabIndex,
          meaning: document.getElementById(d.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
        })),
      );
      for (const d of defined) {
        expect(d.tabIndex, d.term).toBe(0);
        expect(d.meaning.length, `the meaning of "${d.term}"`).toBeGreaterThan(20);
      }
      expect(defined.map((d) => d.term)).toEqual(
        expect.arrayContaining(['reverse-mode automatic differentiation', 'local Jacobian', 'vector-Jacobian product']),
      );
      // by keyboard: Tab from the element before the first term reaches it, and its meaning shows
      const first = terms.first();
      await first.evaluate((d) => {
        const before = document.createElement('button');
        before.id = 'before-first-term';
        d.closest('p')!.prepend(before);
        before.focus();
      });
      await page.keyboard.press('Tab');
      expect(await first.evaluate((d) => d === document.activeElement)).toBe(true);
      const meaning = page.locator('[data-testid="explainer"] .term-meaning').first();
      expect(await meaning.isVisible()).toBe(true);
      expect((await meaning.boundingBox())!.x + (await meaning.boundingBox())!.width).toBeLessThanOrEqual(
        DESKTOP.width,
      );
      // Escape hides it (it may cover the text below) until the focus leaves the term
      await page.keyboard.press('Escape');
      expect(await meaning.isVisible()).toBe(false);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      expect(await meaning.isVisible()).toBe(true);
      await page.locator('#before-first-term').evaluate((b) => b.remove());
      // the map's findings as a table
      expect(await page.locator('[data-testid="explainer"] table').count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator('[data-testid="explainer"] table').first().innerText()).toMatch(
        /2-2-1\s+2\s+\d+ of 64/,
      );

      // stats in plain decimals: the loss at step 0 is the network's, to three significant digits
      const model = makeModel({ d: 2, hidden: [2], activation: DEFAULTS.activation, output: 'sigmoid' });
      const want = lossAndGradsModel(model, initModelParams(model, 2), xor(), { loss: DEFAULTS.loss }).loss;
      expect(await text(page, 'loss')).toBe(String(Number(want.toPrecision(3))));
      expect(await text(page, 'loss')).toMatch(/^0\.\d{2,3}$/);

      // the unit maps' colour bar: the label after the bar is one short run on the bar's line, not a wrapped sentence
      const legend = await page.evaluate(() => {
        const bar = document.querySelector<HTMLElement>('[data-testid="unit-maps"] .legend-bar')!;
        const after = bar.nextSibling!;
        const range = document.createRange();
        range.selectNodeContents(after);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        const b = bar.getBoundingClientRect();
        return { lines: rects.length, top: rects[0]!.top, bottom: rects[0]!.bottom, barMid: (b.top + b.bottom) / 2 };
      });
      expect(legend.lines, 'lines of the label right of the colour bar').toBe(1);
      expect(legend.barMid).toBeGreaterThan(legend.top);
      expect(legend.barMid).toBeLessThan(legend.bottom);

      // a dead unit's map (seed 2's unit 1: off on all four points, on in a corner of the plane): no dark sliver
      const dead = page.locator('[data-testid="unit-maps"] .unit-map.dead canvas');
      expect(await dead.count()).toBe(1);
      const darkest = await dead.evaluate((c: HTMLCanvasElement) => {
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let min = 255;
        let on = 0;
        for (let i = 0; i < px.length; i += 4) {
          const [r, g, b] = [px[i]!, px[i + 1]!, px[i + 2]!];
          if (Math.abs(r - g) > 4 || Math.abs(g - b) > 4) continue; // the dots are coloured; the map is grey
          min = Math.min(min, r);
          if (r < 250) on++;
        }
        return { min, on };
      });
      expect(darkest.on, 'the corner where the dead unit is on is still drawn').toBeGreaterThan(0);
      expect(darkest.min, 'darkest grey on the dead unit’s map (0 black, 255 white)').toBeGreaterThan(170);

      // the less used settings are folded; the most used are not
      const fold = page.locator('[data-testid="more-settings"]');
      expect(await fold.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
      for (const name of ['problem', 'loss', 'batch', 'reg', 'lambda'])
        expect(await fold.locator(`[name="${name}"]`).count(), name).toBe(1);
      for (const name of ['hidden', 'activation', 'lr', 'dataset'])
        expect(await page.locator(`[data-testid="input-${name}"]`).isVisible(), name).toBe(true);
      // by keyboard: its summary opens it
      await fold.locator('summary').focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('[data-testid="input-batch"]').isVisible()).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}/read-cpu-1400x900.png` });
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('a link with a bad folded setting: its fold is open, the error and the control in view; a plain link folds', async () => {
    const { browser, page, errors } = await open(`${base}?lambda=-1`, DESKTOP, false);
    try {
      const fold = page.locator('[data-testid="more-settings"]');
      await page.waitForFunction(
        () => document.querySelector<HTMLDetailsElement>('[data-testid="more-settings"]')?.open,
      );
      expect(await text(page, 'error-lambda')).toMatch(/λ|lambda/);
      expect(await page.locator('[data-testid="input-lambda"]').isVisible()).toBe(true);
      // an error said while the learner works: the fold closed, then a refused value arrives beside a folded field
      await fold.evaluate((d: HTMLDetailsElement) => (d.open = false));
      await page.locator('[data-testid="input-batch"]').evaluate((input: HTMLInputElement) => {
        input.value = '0';
        input.dispatchEvent(new Event('change'));
      });
      await page.waitForFunction(
        () => document.querySelector<HTMLDetailsElement>('[data-testid="more-settings"]')?.open,
      );
      expect(await text(page, 'error-batch')).toMatch(/batch/);
      expect(await page.locator('[data-testid="input-batch"]').isVisible()).toBe(true);
      await page.goto(base);
      await page.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–');
      expect(await fold.evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('on WebGPU: the first line says GPU; the graph tells a sample’s share from the batch’s sum by colour', async () => {
    const { browser, page, errors } = await open(base, DESKTOP, true);
    try {
      expect(await text(page, 'backend')).toMatch(/^WebGPU/);
      expect(await page.locator('.lede').innerText()).toMatch(/on your GPU/);
      expect(await text(page, 'grad-heading')).toBe('Gradients: the GPU beside the CPU oracle');
      for (const graph of ['graph']) {
        const fills = await page.locator(`[data-testid="${graph}"]`).evaluate((svg) => {
          const fill = (sel: string) => getComputedStyle(svg.querySelector(sel)!).fill;
          return { share: fill('.num.grad.share'), total: fill('.num.grad:not(.share)') };
        });
        expect(fills.share, graph).not.toBe(fills.total);
      }
      const legend = await page.locator('[data-testid="graph"] .legend').textContent();
      expect(legend).toMatch(/violet italics: this sample’s share.*plain: summed over the batch/);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('the loss axis: a tick reads the same before and after the axis rescales', async () => {
    const { launch, newPage, firstSnapshot } = await import('./support/browser.js');
    const browser = await launch(false);
    const o = { errors: [] as string[], offLoopback: [] as string[] };
    try {
      const page = await newPage(browser, DESKTOP, o);
      await recordLossCurveText(page);
      await page.goto(`${base}?lr=2`);
      await firstSnapshot(page);
      await setPlaying(page, true);
      // the loss falls past 0.01 and 0.001: the axis grows decades below its first ones
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.002,
        null,
        {
          timeout: 120_000,
        },
      );
      await setPlaying(page, false);
      const drawn = await page.evaluate(() => [...(window as unknown as { lossCurveText: Set<string> }).lossCurveText]);
      const byValue = new Map<number, Set<string>>();
      for (const t of drawn) {
        const v = Number(t);
        if (!Number.isFinite(v) || t.trim() === '') continue;
        byValue.set(v, (byValue.get(v) ?? new Set()).add(t));
      }
      expect(byValue.size, 'ticks drawn').toBeGreaterThanOrEqual(3);
      for (const [v, labels] of byValue) expect([...labels], `the tick at ${v}`).toHaveLength(1);
      expect([...byValue.get(0.1)!]).toEqual(['0.1']);
      expect(o.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('on a 390×844 phone: the guide beside Play, menus that fit their text, nothing wider than the screen', async () => {
    // regression: its dataset menu holds the longest entry, "mixture of Gaussians"
    const { browser, page, errors, offLoopback } = await open(`${base}?problem=regression`, PHONE, false);
    try {
      const box = async (sel: string) => (await page.locator(sel).first().boundingBox())!;
      const toolbar = await box('.demo > .toolbar');
      const guide = await box('.guide');
      expect(guide.y, 'the guide below the toolbar').toBeGreaterThanOrEqual(toolbar.y + toolbar.height - 1);
      expect(guide.y - (toolbar.y + toolbar.height), 'px between Play’s row and the guide').toBeLessThan(40);
      expect(guide.y, 'the guide above the pictures').toBeLessThan((await box('.panels')).y);
      // open the folds as a learner would, so every menu is shown
      for (const summary of await page.locator('details.fold:not([open]) > summary').all()) await summary.click();
      const cut = await page.evaluate(() => {
        const ctx = document.createElement('canvas').getContext('2d')!;
        const out: string[] = [];
        for (const select of document.querySelectorAll('select')) {
          if (!select.checkVisibility()) continue;
          const style = getComputedStyle(select);
          ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
          const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
          for (const option of select.options) {
            if (option.hidden) continue;
            const need = ctx.measureText(option.text).width;
            if (need > room)
              out.push(`${select.name || select.id}: "${option.text}" needs ${Math.ceil(need)} px of ${room}`);
          }
        }
        return out;
      });
      expect(cut).toEqual([]);
      expect(await pastRightEdge(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: `${ARTIFACTS}/read-phone-390x844.png` });
      // a defined term's meaning, shown on focus, stays on the screen wherever the term sits in its line
      const terms = page.locator('[data-testid="explainer"] dfn');
      for (let i = 0; i < Math.min(8, await terms.count()); i++) {
        await terms.nth(i).focus();
        const shown = (await page.locator('[data-testid="explainer"] .term-meaning').nth(i).boundingBox())!;
        expect(shown.x, `term ${i + 1}`).toBeGreaterThanOrEqual(0);
        expect(shown.x + shown.width, `term ${i + 1}`).toBeLessThanOrEqual(PHONE.width);
        expect(shown.y + shown.height, `term ${i + 1}`).toBeLessThanOrEqual(PHONE.height);
      }
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
