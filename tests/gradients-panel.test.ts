/**
 * The page's gradient panel (src/ui/gradients.ts) in headless Chromium, alone on a fixture page
 * served by Vite: the lead sentence, the folded details, and what survives a redraw (it is redrawn
 * every frame on the real page): the details' open state and the table's scroll position.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixturePage, openFixture } from './support/fixture.js';
import { FD_MAX_PARAMS } from '../src/ui/gradients.js';

let fixture: FixturePage;
let page: Page;

beforeAll(async () => {
  fixture = await openFixture('panel', 'draw');
  page = fixture.page;
}, 120_000);
afterAll(async () => fixture?.close());

const drawModel = (hidden: number[], options: { l1?: number; l2?: number; cpu?: boolean } = {}) =>
  page.evaluate(([h, o]) => (window as unknown as { drawModel: (h: number[], o: object) => void }).drawModel(h, o), [
    hidden,
    options,
  ] as const);

const draw = (H: number, slip = false) =>
  page.evaluate(([h, s]) => (window as unknown as { draw: (H: number, s: boolean) => void }).draw(h, s), [
    H,
    slip,
  ] as const);

describe('gradient panel', () => {
  it('leads with one plain sentence and folds the numbers away', async () => {
    await draw(8);
    const lead = await page.locator('.grad-summary').innerText();
    expect(lead).toMatch(
      /^The GPU and the CPU agree on all 33 gradients, each within its f32 error bound; the largest share of its bound any gradient used was \d+(\.\d+)?%\./,
    );
    expect(await page.locator('[data-testid="grad-verdict"]').innerText()).toBe('pass');
    expect(await page.locator('details.grad-more').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator('.grad-tensors tr').count()).toBe(5);
  });

  it('counts units and inputs from 1, like the graph and the network picture, and says so once', async () => {
    await draw(8);
    // folded away: text, not innerText
    const rows = await page.locator('.grad-detail tr td:first-child').allTextContents();
    expect(rows.slice(0, 3)).toEqual(['W1[1][1]', 'W1[1][2]', 'W1[2][1]']);
    expect(rows).toContain('b1[8]');
    expect(rows).toContain('W2[8]');
    expect(rows.at(-1)).toBe('b2');
    expect(rows.some((r) => /\[0\]/.test(r))).toBe(false);
    expect(await page.locator('.grad-naming').textContent()).toMatch(
      /counted from 1, as in the graph and the network picture/,
    );
  });

  it('says so, in the same place, when a gradient is outside its bound', async () => {
    await draw(8, true);
    expect(await page.locator('.grad-summary').innerText()).toMatch(/^The GPU and the CPU disagree: 1 of 4 tensors/);
    expect(await page.locator('[data-testid="grad-verdict"]').innerText()).toBe('FAIL');
  });

  it('keeps the details open and the table where the reader scrolled it across redraws', async () => {
    await draw(40);
    await page.locator('details.grad-more summary').click();
    await page.locator('.grad-scroll').evaluate((el) => (el.scrollTop = 120));
    const before = await page.locator('.grad-scroll').evaluate((el) => el.scrollTop);
    expect(before).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await draw(40);
    expect(await page.locator('details.grad-more').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    expect(await page.locator('.grad-scroll').evaluate((el) => el.scrollTop)).toBe(before);
  });

  it(`says why central differences are off above ${FD_MAX_PARAMS} parameters`, async () => {
    await draw(700); // 4·700 + 1 = 2,801 parameters
    expect(await page.locator('.grad-more').textContent()).toMatch(
      /Central differences are off: this network has 2,801 parameters, above 2,000/,
    );
    await draw(8);
    expect(await page.locator('.grad-more').textContent()).not.toMatch(/Central differences are off/);
  });

  it('lists every tensor of every layer with its shape, names every element, and compares a deep network', async () => {
    const hidden = [8, 6, 4];
    await drawModel(hidden);
    const P = 8 * 2 + 8 + 6 * 8 + 6 + 4 * 6 + 4 + 4 + 1;
    expect(await page.locator('.grad-summary').innerText()).toMatch(
      new RegExp(`^The GPU and the CPU agree on all ${P} gradients, each within its f32 error bound`),
    );
    expect(await page.locator('[data-testid="grad-verdict"]').innerText()).toBe('pass');
    const rows = await page
      .locator('.grad-tensors tr[data-testid]')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
    expect(rows).toEqual([
      ['W1', '8×2 (H1×d)'],
      ['b1', '8 (H1)'],
      ['W2', '6×8 (H2×H1)'],
      ['b2', '6 (H2)'],
      ['W3', '4×6 (H3×H2)'],
      ['b3', '4 (H3)'],
      ['W4', '1×4 (1×H3)'],
      ['b4', '1 (1)'],
    ]);
    const verdicts = await page.locator('.grad-tensors tr[data-testid] td:last-child').allTextContents();
    expect(verdicts).toEqual(Array(8).fill('pass'));
    const names = await page.locator('.grad-detail tr td:first-child').allTextContents();
    expect(names).toHaveLength(P);
    expect(names.slice(0, 2)).toEqual(['W1[1][1]', 'W1[1][2]']);
    expect(names).toContain('W2[6][8]');
    expect(names).toContain('b3[4]');
    expect(names.slice(-5)).toEqual(['W4[1]', 'W4[2]', 'W4[3]', 'W4[4]', 'b4']);
    expect(await page.locator('.grad-naming').textContent()).toMatch(
      /W_l\[j\]\[k\] \(l = 2\.\.3\) the weight from unit k of layer l − 1 into unit j of layer l.*W4\[j\] is the weight from unit j of the last hidden layer \(layer 3\) into the output/,
    );
    expect(await page.locator('.grad-penalty').count()).toBe(0);
  });

  it("says a penalty's term is in the gradients, and lists the tensors on the CPU backend too", async () => {
    await drawModel([8, 6, 4], { l2: 0.01 });
    expect(await page.locator('.grad-penalty').innerText()).toBe(
      'These are gradients of L_total = L_data + R: each weight’s includes the penalty’s term λ2·w (L2, λ2 = 0.01); ' +
        'the biases’ do not (the penalty counts weights only).',
    );
    expect(await page.locator('[data-testid="grad-verdict"]').innerText()).toBe('pass');
    await drawModel([5, 5], { l1: 0.002, cpu: true });
    expect(await page.locator('.grad-summary').innerText()).toMatch(/^No GPU side to compare/);
    expect(await page.locator('.grad-penalty').innerText()).toMatch(/term λ1·sign\(w\) \(L1, λ1 = 0\.002\)/);
    const rows = await page
      .locator('.grad-tensors tr[data-testid]')
      .evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td').length));
    expect(rows).toEqual(Array(6).fill(3)); // W1, b1, W2, b2, W3, b3: name, shape, the gradient's size
  });
});
