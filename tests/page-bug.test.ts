/**
 * Find the broken backprop (issue 24, item 2), on the built page: each planted bug makes the gradient panel fail for
 * the tensors its broken rule feeds, and only those, on the GPU (SwiftShader) and without WebGPU (the CPU trainer
 * against the f64 oracle), while the honest run passes; the learner's choice is graded right and wrong and only then
 * the changed line is shown; before the choice, nothing on the page or in the URL tells which bug was planted. By
 * keyboard, axe-clean. Which tensors break is written here from the math (as in tests/bugs.test.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BugId, BUGS, HUNT_IDS, kernelLine } from '../src/gpu/bugs.js';
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
        // the summary names the failing tensors; far past a bound, the table says how many times, not a percent
        expect(summary).toContain(`${breaks.length} of 6 tensors (${breaks.join(', ')}) have a gradient outside`);
        const used = await page.locator('.grad-tensors tr[data-testid] td:nth-child(5)').allTextContents();
        for (const u of used)
          expect(u).toMatch(
            /^(\d{1,4}%|0\.\d+%|\d+ times its bound|\d(\.\d)? × 10[⁰¹²³⁴⁵⁶⁷⁸⁹]+ times its bound|all \(.*\))$/,
          );
        // a hunt's detail table has the signed difference, which tells the L2 sign (−2λ2·w) from the short sum
        const heads = await page.locator('.grad-detail th').allTextContents(); // in the closed fold
        expect(heads).toContain(webgpu ? 'GPU − CPU (signed)' : 'CPU trainer − exact gradient (signed)');
        if (bug === 'l2-sign') {
          const col = heads.indexOf(webgpu ? 'GPU − CPU (signed)' : 'CPU trainer − exact gradient (signed)');
          const shown = (await page.evaluate('window.backpropLab.shown()')) as { params: number[] };
          const row = page.locator('.grad-detail tr').nth(1); // W1[0,0], the first parameter
          const diff = Number(((await row.locator('td').nth(col).textContent()) ?? '').replaceAll('−', '-'));
          expect(diff / (-2 * 0.01 * shown.params[0]!)).toBeCloseTo(1, 2);
        }
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
      // not that one: try again, the bug still hidden, the rule ruled out no longer choosable
      expect(await verdict.innerText()).toMatch(
        /^Not that one: “δ at the output.*” holds in this run \(1 try so far\)/,
      );
      expect(await a.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('bug-verdict');
      expect(await a.locator('[data-testid="bug-diff"]').count()).toBe(0);
      expect(await a.content()).not.toContain(line.after);
      expect(await a.locator('input[name="bug-guess"][value="one-over-n"]').isDisabled()).toBe(true);
      const ruledOut = a.locator('label:has(input[name="bug-guess"][value="one-over-n"])');
      expect(await ruledOut.innerText()).toMatch(/\(ruled out\)$/);
      expect(await a.locator('input[name="bug-guess"]:not([disabled])').count()).toBe(HUNT_IDS.length - 1);
      // a second wrong try is counted
      await a.locator('input[name="bug-guess"][value="l2-sign"]').check();
      await a.click('[data-testid="bug-check"]');
      expect(await verdict.innerText()).toMatch(/^Not that one: “the L2 penalty.*\(2 tries so far\)/);
      // Show me gives up: the rule and the line; the rules guessed wrong stay marked with every choice locked
      await a.click('[data-testid="bug-show"]');
      expect(await ruledOut.innerText()).toMatch(/\(ruled out\)$/);
      expect(await verdict.innerText()).toMatch(
        /^Shown after 2 tries: the broken rule is “tanh′\(z\) = 1 − tanh²\(z\)/,
      );
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
      await a.setViewportSize(PHONE); // the changed line wraps there, none of it hidden
      const pre = await a.locator('[data-testid="bug-diff"] pre').evaluate((e) => ({
        wrap: getComputedStyle(e).whiteSpace,
        over: e.scrollWidth - e.clientWidth,
      }));
      expect(pre.wrap).toBe('pre-wrap');
      expect(pre.over).toBeLessThanOrEqual(1);
      expect(await axeViolations(a)).toEqual([]);
      await a.close();

      // the right choice
      const c = await load(browser, `${RUN}&bug=skip-gate`, errors);
      await c.locator('input[name="bug-guess"][value="skip-gate"]').check();
      await c.click('[data-testid="bug-check"]');
      expect(await c.locator('[data-testid="bug-verdict"]').getAttribute('data-right')).toBe('true');
      expect(await text(c, 'bug-verdict')).toMatch(
        /^Right, in 1 try: the broken rule is “each hidden layer’s δ multiplies/,
      );
      expect(await c.locator('[data-testid="bug-diff"]').count()).toBe(1);
      await c.close();
      expect(errors).toEqual([]);
    });

    it('the button plants a random bug the run can show, and the link keeps saying random', async () => {
      const page = await load(browser, 'seed=2', errors); // one hidden layer of relu: the 1/B or the short sum
      expect(await page.locator('input[name="bug-guess"]').count()).toBe(0);
      await page.click('[data-testid="bug-start"]');
      await page.waitForFunction(() => document.querySelectorAll('input[name="bug-guess"]').length > 0);
      // six rules: ReLU′(0), never planted, is not offered
      expect(await page.locator('input[name="bug-guess"]').count()).toBe(HUNT_IDS.length);
      expect(await page.locator('input[name="bug-guess"][value="relu-kink"]').count()).toBe(0);
      expect(new URL(page.url()).searchParams.get('bug')).toBe('random');
      expect(await failing(page)).not.toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      // whichever was drawn: a guess names it, and it is one this run can show
      await page.locator('input[name="bug-guess"][value="one-over-n"]').check();
      await page.click('[data-testid="bug-check"]');
      const said = await text(page, 'bug-verdict');
      expect(said).toMatch(/(^Right, in 1 try: the broken rule is “δ at the output)|(^Not that one: “δ at the output)/);
      const first = said.startsWith('Right') ? 'one-over-n' : 'one-sample-short';
      expect(new URL(page.url()).searchParams.get('bug')).toBe('random');
      // another bug: of the two this run can show, the other one (never the same twice in a row)
      await page.click('[data-testid="bug-again"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="bug-verdict"]')?.textContent === '');
      await page.locator('input[name="bug-guess"][value="one-over-n"]').check();
      await page.click('[data-testid="bug-check"]');
      expect(await text(page, 'bug-verdict')).toMatch(first === 'one-over-n' ? /^Not that one/ : /^Right, in 1 try/);
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

    it('a named bug gets the settings it needs and says so; ReLU′(0) is refused, saying why', async () => {
      const page = await newPage(browser, DESKTOP, { errors: [], offLoopback: [] });
      await page.goto(`${served.base}?bug=l2-sign&seed=2`);
      await firstSnapshot(page);
      expect(await text(page, 'bug-needs')).toBe(
        'The link’s bug (l2-sign) needs the L2 penalty: the run uses L2 with λ = 0.01.',
      );
      const url = new URL(page.url()).searchParams;
      expect([url.get('reg'), url.get('lambda'), url.get('bug')]).toEqual(['l2', '0.01', 'l2-sign']);
      expect(await failing(page)).toEqual(['W1', 'W2']); // one hidden layer: the weights, not the biases
      const kink = await newPage(browser, DESKTOP, { errors: [], offLoopback: [] });
      await kink.goto(`${served.base}?bug=relu-kink`);
      await firstSnapshot(kink); // the page draws: the run trains honestly
      expect(await text(kink, 'banner')).toMatch(/relu-kink, which no run of this page can show: .*exactly 0/);
      expect(new URL(kink.url()).searchParams.get('bug')).toBe(null);
      expect(await kink.locator('input[name="bug-guess"]').count()).toBe(0);
      await kink.close();
      const bad = await newPage(browser, DESKTOP, { errors: [], offLoopback: [] });
      await bad.goto(`${served.base}?bug=nonsense`);
      await firstSnapshot(bad);
      expect(await text(bad, 'banner')).toMatch(/planted bug must be one of off, random, one-over-n, .*got 'nonsense'/);
      await page.close();
      await bad.close();
    });
  });
}
