/**
 * Find the broken backprop (issue 24, item 2), on the built page: each planted bug makes the gradient panel fail for
 * the tensors its broken rule feeds, and only those, on the GPU (SwiftShader) and without WebGPU (the CPU trainer
 * against the f64 oracle), while the honest run passes; the learner's choice is graded right and wrong and only then
 * the changed line is shown; before the choice, nothing on the page or in the URL tells which bug was planted. By
 * keyboard, axe-clean. Which tensors break is written here from the math (as in tests/bugs.test.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUG_IDS, type BugId, BUGS, kernelLine } from '../src/gpu/bugs.js';
import { KERNEL_MUTANTS } from '../src/gpu/mutants.js';
import { axeViolations, DESKTOP, firstSnapshot, launch, newPage, PHONE, text } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;

beforeAll(async () => {
  served = await servePage('bug');
}, 120_000);
afterAll(async () => served?.close());

// Two hidden layers of tanh with the L2 penalty: every planted bug can show. W3, b3 are the output's.
const RUN = 'hidden=4,3&activation=tanh&reg=l2&lambda=0.01&seed=3';
const BREAKS: Record<Exclude<BugId, 'relu-kink'>, string[]> = {
  'one-over-n': ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'], // δ_out B times too large, in every gradient
  untransposed: ['W1', 'b1'], // W2ᵀ read untransposed feeds da_1; W3 is one row, the same read either way
  'one-sample-short': ['W1', 'W2', 'W3'], // dW short of a row, db not
  'tanh-square': ['W1', 'b1', 'W2', 'b2'], // the hidden layers' δ go through tanh′
  'l2-sign': ['W1', 'W2', 'W3'], // the penalty is on weights only
  'skip-gate': ['W1', 'b1', 'W2', 'b2'], // δ_2 without f′, and δ_1 from it
};

/** The tensors whose row in the gradient panel says FAIL, once the panel has a verdict. */
async function failing(page: Page): Promise<string[]> {
  await page.waitForFunction(
    () => ['pass', 'FAIL'].includes(document.querySelector('[data-testid="grad-verdict"]')?.textContent ?? ''),
    null,
    { timeout: 60_000 },
  );
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.grad-tensors tr[data-testid]')]
      .filter((tr) => tr.lastElementChild?.textContent === 'FAIL')
      .map((tr) => tr.dataset.testid!.replace('grad-tensor-', '')),
  );
}

async function load(browser: Browser, query: string, errors: string[]): Promise<Page> {
  const page = await newPage(browser, DESKTOP, { errors, offLoopback: [] });
  await page.goto(`${served.base}?${query}`);
  await firstSnapshot(page);
  return page;
}

/** What a learner (or a screen reader) can find of the planted bug before choosing: the panel, its labels, the URL. */
const visibleTrace = (page: Page) =>
  page.evaluate(() => ({
    panel: document.querySelector('[data-testid="bug-hunt"]')!.innerHTML,
    url: location.search,
    title: document.title,
  }));

for (const webgpu of [true, false]) {
  describe(webgpu ? 'with WebGPU (the general kernel, edited)' : 'without WebGPU (the CPU trainer, f64)', () => {
    let browser: Browser;
    const errors: string[] = [];
    beforeAll(async () => {
      browser = await launch(webgpu);
    });
    afterAll(async () => browser?.close());

    it('each planted bug fails exactly the tensors it breaks; the honest run passes them all', async () => {
      if (webgpu) {
        const honest = await load(browser, RUN, errors);
        expect(await failing(honest)).toEqual([]);
        expect(await text(honest, 'grad-verdict')).toBe('pass');
        await honest.close();
      }
      for (const [bug, breaks] of Object.entries(BREAKS)) {
        const page = await load(browser, `${RUN}&bug=${bug}`, errors);
        expect(await failing(page), bug).toEqual(breaks);
        expect(await text(page, 'grad-verdict')).toBe('FAIL');
        const summary = await page.locator('.grad-summary').innerText();
        expect(summary).toMatch(
          webgpu ? /^The GPU and the CPU disagree/ : /^The CPU trainer and the exact gradient disagree/,
        );
        expect(await text(page, 'grad-heading-what')).toBe(
          webgpu
            ? 'the GPU beside the CPU oracle'
            : 'the CPU trainer (with the planted bug) beside the exact gradient (f64)',
        );
        await page.close();
      }
      expect(errors).toEqual([]);
    });

    it('before the choice nothing tells the bug; a wrong choice and a right one are graded, then the line shown', async () => {
      // two different bugs, same run: the panel, its labels and the URL read the same
      const a = await load(browser, `${RUN}&bug=tanh-square`, errors);
      const b = await load(browser, `${RUN}&bug=skip-gate`, errors);
      const [ta, tb] = [await visibleTrace(a), await visibleTrace(b)];
      expect(ta.panel).toBe(tb.panel);
      expect(ta.title).toBe(tb.title);
      await b.close();
      // nowhere on the page before the choice: the changed line (kernel or CPU) or a verdict
      const html = await a.content();
      const line = kernelLine(BUGS['tanh-square']);
      expect(html).not.toContain(line.after);
      expect(html).not.toContain(BUGS['tanh-square'].cpuLine.after);
      expect(await a.locator('[data-testid="bug-diff"]').count()).toBe(0);
      expect(await text(a, 'bug-verdict')).toBe('');

      // a wrong choice, by keyboard: the first rule (the 1/B), then Check
      await a.locator('input[name="bug-guess"][value="one-over-n"]').focus();
      await a.keyboard.press('Space');
      await a.keyboard.press('Tab');
      expect(await a.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bug-check');
      await a.keyboard.press('Enter');
      const verdict = a.locator('[data-testid="bug-verdict"]');
      expect(await verdict.getAttribute('role')).toBe('status');
      expect(await verdict.getAttribute('data-right')).toBe('false');
      expect(await verdict.innerText()).toMatch(/^Not that one: .*The broken rule is “tanh′\(z\) = 1 − tanh²\(z\)/);
      expect(await a.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bug-verdict');
      const diff = await a.locator('[data-testid="bug-diff"]').innerText();
      if (webgpu) {
        expect(diff).toContain('shaders/lib/common.wgsl');
        expect(diff).toContain(`− ${line.before}`);
        expect(diff).toContain(`+ ${KERNEL_MUTANTS['layers-tanh-square'].to}`);
      } else {
        expect(diff).toContain('src/mlp/train/train-fast.ts');
        expect(diff).toContain('+ const fp = 1 - a;');
      }
      expect(await a.locator('input[name="bug-guess"]:not([disabled])').count()).toBe(0); // one choice a bug
      expect(await axeViolations(a)).toEqual([]);
      await a.setViewportSize(PHONE); // the changed line scrolls sideways there
      expect(await axeViolations(a)).toEqual([]);
      await a.close();

      // the right choice
      const c = await load(browser, `${RUN}&bug=skip-gate`, errors);
      await c.locator('input[name="bug-guess"][value="skip-gate"]').check();
      await c.click('[data-testid="bug-check"]');
      expect(await c.locator('[data-testid="bug-verdict"]').getAttribute('data-right')).toBe('true');
      expect(await text(c, 'bug-verdict')).toMatch(/^Right: the broken rule is “each hidden layer’s δ multiplies/);
      await c.close();
      expect(errors).toEqual([]);
    });

    it('the button plants a random bug the run can show, and the link keeps saying random', async () => {
      const page = await load(browser, 'seed=2', errors); // one hidden layer of relu: the 1/B or the short sum
      expect(await page.locator('input[name="bug-guess"]').count()).toBe(0);
      await page.click('[data-testid="bug-start"]');
      await page.waitForFunction(() => document.querySelectorAll('input[name="bug-guess"]').length > 0);
      expect(await page.locator('input[name="bug-guess"]').count()).toBe(BUG_IDS.length);
      expect(new URL(page.url()).searchParams.get('bug')).toBe('random');
      expect(await failing(page)).not.toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      // whichever was drawn: a guess names it, and it is one this run can show
      await page.locator('input[name="bug-guess"][value="one-over-n"]').check();
      await page.click('[data-testid="bug-check"]');
      const said = await text(page, 'bug-verdict');
      expect(said).toMatch(
        /(^Right: the broken rule is “δ at the output)|(The broken rule is “dW sums δ aₗ₋₁ᵀ over every sample)/,
      );
      expect(new URL(page.url()).searchParams.get('bug')).toBe('random');
      await page.click('[data-testid="bug-stop"]');
      await page.waitForFunction(() => new URL(location.href).searchParams.get('bug') === null);
      // the honest run's first snapshot: on the GPU every tensor passes; on the CPU there is nothing to compare
      await page.waitForFunction(
        (gpu) => {
          const verdict = document.querySelector('[data-testid="grad-verdict"]')?.textContent;
          return gpu ? verdict === 'pass' : verdict === 'n/a' && !document.querySelector('.grad-tensors td.fail');
        },
        webgpu,
        { timeout: 60_000 },
      );
      expect(await page.locator('.grad-tensors tr[data-testid] td:last-child', { hasText: 'FAIL' }).count()).toBe(0);
      expect(await page.locator('input[name="bug-guess"]').count()).toBe(0);
      await page.close();
      expect(errors).toEqual([]);
    });

    it('a named bug this run cannot show is refused, saying what it needs', async () => {
      const page = await newPage(browser, DESKTOP, { errors: [], offLoopback: [] });
      await page.goto(`${served.base}?bug=tanh-square&seed=2`);
      await page.waitForFunction(() =>
        /tanh-square/.test(document.querySelector('[data-testid="banner"]')?.textContent ?? ''),
      );
      expect(await text(page, 'banner')).toMatch(/needs the tanh activation \(this run uses relu\)/);
      const bad = await newPage(browser, DESKTOP, { errors: [], offLoopback: [] });
      await bad.goto(`${served.base}?bug=nonsense`);
      await firstSnapshot(bad);
      expect(await text(bad, 'banner')).toMatch(/planted bug must be one of off, random, one-over-n, .*got 'nonsense'/);
      await page.close();
      await bad.close();
    });
  });
}
