/**
 * Exercise 14 on the page: `backpropLab.export()` gives a learner's script the network shown, and the solution printed
 * in docs/exercises.md (taken from the document, written from its formulas, nothing from src/) reproduces the page's
 * gradient panel number for number, at step 0 and after a step, on the CPU and on WebGPU.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, open, stepNow } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;

beforeAll(async () => {
  served = await servePage('export');
}, 180_000);
afterAll(async () => served?.close());

/** The answer's JavaScript, as a learner would paste it into the console. */
const SOLUTION = (() => {
  const text = readFileSync('docs/exercises.md', 'utf8');
  const at = text.indexOf('\n## 14. Build it');
  expect(at).toBeGreaterThan(0);
  return text.slice(at).match(/```js\n([\s\S]*?)```/)![1]!;
})();

/** Runs the solution in the page: its gradients by the page's names (counted from 1), what it printed, the export's step. */
function runSolution(page: Page) {
  return page.evaluate((code) => {
    const printed: unknown[][] = [];
    const lab = (window as unknown as { backpropLab: { export(): { step: number; hidden: number[] } } }).backpropLab;
    const net = lab.export();
    const backward = new Function('backpropLab', 'console', `${code}\nreturn backward;`)(lab, {
      log: (...a: unknown[]) => printed.push(a),
    }) as (n: unknown) => Record<string, number[][] | number[]>;
    const mine = backward(net);
    // the page's names: W_l[j][k] and b_l[j] from 1; the output layer's W_{L+1}[k] and b_{L+1} alone
    const out = net.hidden.length + 1;
    const named: Record<string, number> = {};
    for (const [name, v] of Object.entries(mine)) {
      const l = Number(name.slice(1));
      if (name.startsWith('W'))
        (v as number[][]).forEach((row, j) =>
          row.forEach((g, k) => (named[l === out ? `${name}[${k + 1}]` : `${name}[${j + 1}][${k + 1}]`] = g)),
        );
      else (v as number[]).forEach((g, j) => (named[l === out ? name : `${name}[${j + 1}]`] = g));
    }
    return { named, printed, step: net.step };
  }, SOLUTION);
}

/** The gradient panel's table: each parameter's CPU oracle gradient, as shown (6 digits). */
async function panel(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const table = document.querySelector('[data-testid="grad-panel"] .grad-detail')!;
    const head = [...table.querySelectorAll('tr th')].map((th) => th.textContent);
    // the exact side: 'CPU oracle' beside the GPU, 'exact (f64)' on its own
    const cpu = Math.max(head.indexOf('CPU oracle'), head.indexOf('exact (f64)'));
    const rows: Record<string, number> = {};
    for (const tr of table.querySelectorAll('tr')) {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent!);
      if (cells.length) rows[cells[0]!] = Number(cells[cpu]!.replaceAll('−', '-'));
    }
    return rows;
  });
}

/** Waits until the panel shows `count` parameters' rows for the given step. */
async function panelAt(page: Page, count: number, step: number): Promise<Record<string, number>> {
  await page
    .waitForFunction(
      ([n, s]) =>
        document.querySelectorAll('[data-testid="grad-panel"] .grad-detail tr td:first-child').length === n &&
        document.querySelector('[data-testid="step"]')?.textContent === String(s) &&
        document.querySelector('[data-testid="state"]')?.textContent?.startsWith('paused'),
      [count, step] as const,
      { timeout: 60_000 },
    )
    .catch(async (e: Error) => {
      const seen = await page.evaluate(() => ({
        rows: document.querySelectorAll('[data-testid="grad-panel"] .grad-detail tr td:first-child').length,
        step: document.querySelector('[data-testid="step"]')?.textContent,
        state: document.querySelector('[data-testid="state"]')?.textContent,
      }));
      throw new Error(`${e.message}: the page shows ${JSON.stringify(seen)}`);
    });
  return panel(page);
}

function expectSame(mine: Record<string, number>, shown: Record<string, number>): void {
  expect(Object.keys(mine).sort()).toEqual(Object.keys(shown).sort());
  for (const [name, g] of Object.entries(mine)) {
    // the panel shows 6 significant digits
    expect(Math.abs(g - shown[name]!), `${name}: mine ${g}, the panel's ${shown[name]}`).toBeLessThanOrEqual(
      5e-6 * Math.abs(g) + 1e-15,
    );
  }
}

// ?hidden=3,2: W1 3×2, b1 3, W2 2×3, b2 2, W3 1×2, b3 1
const PARAMS = 20;

describe("exercise 14: a learner's backward pass against the page", () => {
  for (const webgpu of [false, true]) {
    it(`${webgpu ? 'on WebGPU' : 'without WebGPU'}: at step 0 and after one step, every gradient is the panel's`, async () => {
      const { browser, page, errors } = await open(`${served.base}?hidden=3,2&seed=5`, DESKTOP, webgpu);
      try {
        const first = await runSolution(page);
        expect(first.step).toBe(0);
        expect(first.printed).toHaveLength(1);
        expect(first.printed[0]![0]).toBe('largest difference from the page:');
        expect(first.printed[0]![1] as number).toBeLessThan(1e-12);
        expectSame(first.named, await panelAt(page, PARAMS, 0));

        await page.click('[data-testid="step-once"]');
        const shown = await panelAt(page, PARAMS, 1);
        expect(await stepNow(page)).toBe(1);
        const next = await runSolution(page);
        expect(next.step).toBe(1);
        expect(next.printed[0]![1] as number).toBeLessThan(1e-12);
        expectSame(next.named, shown);
        // the step moved the gradients: the comparison above is not of step 0's numbers again
        expect(Object.keys(shown).some((k) => Math.abs(shown[k]! - first.named[k]!) > 1e-6)).toBe(true);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 180_000);
  }
});
