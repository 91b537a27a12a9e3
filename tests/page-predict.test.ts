/**
 * Predict, then reveal, in the walk (issue 24, item 1): off by default; with `predict=on` each backward stage asks for
 * one entry before showing it, an answer is graded against the oracle's number (computed here from the run's seed,
 * independently of the page), a miss names the rule, Reveal shows it, and the score counts first tries. With and
 * without WebGPU (the graph is the same), by keyboard, axe-clean.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HiddenActivation } from '../src/engine/activation.js';
import { xor } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { axeViolations, DESKTOP, open, text } from './support/browser.js';
import { ARTIFACTS, type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('predict');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

/** The row of the page's followed point by default (settings.sample = 2: XOR's second point, row 1). */
const N_FOLLOWED = 1;

/** The oracle at step 0 of the page's run: XOR, the seed's initial parameters, BCE. */
function oracle(hidden: number[], activation: HiddenActivation, seed: number) {
  const model = makeModel({ d: 2, hidden, activation, output: 'sigmoid' });
  const data = xor();
  const r = lossAndGradsModel(model, initModelParams(model, seed), data, { loss: 'bce', l1: 0, l2: 0 });
  return { r, data, hidden };
}

/** The number a question names, in the page's words, read off the oracle's arrays for the followed sample. */
function expected(question: string, o: ReturnType<typeof oracle>): number {
  const { r, data, hidden } = o;
  const n = N_FOLLOWED;
  const L = hidden.length;
  const at = (l: number, j: number) => n * hidden[l - 1]! + j - 1; // unit j (from 1) of hidden layer l
  let m = /What is dz(\d+) \(δ\d+\), at the output\?/.exec(question);
  if (m) return r.delta[L]![n]!;
  m = /What is da(\d+) for unit (\d+)/.exec(question);
  if (m) return r.da[Number(m[1]) - 1]![at(Number(m[1]), Number(m[2]))]!;
  m = /What is dz(\d+) \(δ\d+\) for unit (\d+)/.exec(question);
  if (m) return r.delta[Number(m[1]) - 1]![at(Number(m[1]), Number(m[2]))]!;
  m = /share of dW(\d+)\[(\d+)\]\[(\d+)\]/.exec(question);
  if (m) {
    const [l, j, i] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const delta = l === L + 1 ? r.delta[L]![n]! : r.delta[l - 1]![at(l, j)]!;
    const input = l === 1 ? data.x[n * 2 + i - 1]! : r.cache.a[l - 2]![at(l - 1, i)]!;
    return delta * input;
  }
  throw new Error(`no oracle value for the question '${question}'`);
}

const asking = (page: Page) => page.locator('[data-testid="predict"]').isVisible();
const score = (page: Page) => text(page, 'predict-score');
const verdict = (page: Page) => text(page, 'predict-verdict');
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

/** Whether the graph hides the number the open question asks for. */
const askedHidden = (page: Page) =>
  page.evaluate(() => {
    const form = document.querySelector<HTMLElement>('[data-testid="predict"]')!;
    const key = form.dataset.key!;
    const els = [...document.querySelectorAll(`[data-testid="graph"] text[data-key="${key}"]`)];
    return els.length > 0 && els.every((e) => e.classList.contains('unrevealed'));
  });

/** Presses Next (focused or not) until a question opens, at most `limit` times; false at the walk's end. */
async function nextQuestion(page: Page, limit = 30): Promise<boolean> {
  for (let k = 0; k < limit; k++) {
    if (await asking(page)) return true;
    if ((await page.locator('[data-testid="walk-next"]').getAttribute('aria-disabled')) === 'true') return false;
    await page.click('[data-testid="walk-next"]');
  }
  return asking(page);
}

/** Types an answer and presses Enter, as a keyboard does. */
async function answer(page: Page, value: string): Promise<void> {
  await page.getByLabel('Your value').fill(value);
  await page.getByLabel('Your value').press('Enter');
}

/** The question's value as a learner would type it: 3 significant digits, the page's minus sign. */
const typed = (v: number) => (v === 0 ? '0' : v.toPrecision(3).replace('-', '−'));

describe('predict, then reveal, in the walk', () => {
  it('without WebGPU, 1 hidden layer: off by default; on, right and wrong answers graded against the oracle', async () => {
    const { browser, page, errors } = await open(`${base}?hidden=2&seed=2`, DESKTOP, false);
    try {
      const toggle = page.locator('[data-testid="predict-toggle"]');
      // off by default: the walk asks nothing, shows no score, and the link says so
      expect(await toggle.isChecked()).toBe(false);
      expect(await text(page, 'graph-caption')).toMatch(/^Numbers at step 0 for sample 2, .* from the CPU engine\./);
      expect(new URL(page.url()).searchParams.get('predict')).toBe('off');
      await page.click('[data-testid="walk-start"]');
      expect(await nextQuestion(page)).toBe(false);
      expect(await page.locator('[data-testid="predict-score"]').isVisible()).toBe(false);
      await page.click('[data-testid="walk-start"]'); // stop the walk

      // switched on by its labelled checkbox: the link keeps it
      await page.getByLabel('predict each gradient before it is shown').check();
      expect(new URL(page.url()).searchParams.get('predict')).toBe('on');
      const o = oracle([2], 'relu', 2);
      await page.click('[data-testid="walk-start"]');
      expect(await score(page)).toBe('Score: 0 of 0 right at the first try');

      // δ2 at the output: hidden until answered; a right answer (the oracle's, to 3 digits) reveals it
      expect(await nextQuestion(page)).toBe(true);
      let q = await text(page, 'predict-question');
      expect(q).toMatch(/^What is dz2 \(δ2\), at the output\? .*within 1%/);
      expect(await askedHidden(page)).toBe(true);
      expect(await focused(page)).toBe('predict-input');
      expect(await page.locator('[data-testid="walk-sentence"]').innerText()).not.toMatch(/δ2 = ∂L\/∂z2 =/);
      await answer(page, 'not a number');
      expect(await verdict(page)).toMatch(/^Type a number/);
      expect(await score(page)).toBe('Score: 0 of 0 right at the first try');
      await answer(page, typed(expected(q, o)));
      expect(await verdict(page)).toMatch(/^Right: dz2 \(δ2\), at the output is /);
      expect(await score(page)).toBe('Score: 1 of 1 right at the first try');
      expect(await asking(page)).toBe(false);
      expect(await page.locator('[data-testid="walk-sentence"]').innerText()).toMatch(/δ2 = ∂L\/∂z2 =/);
      expect(await focused(page)).toBe('walk-next');

      // dW2's share: a wrong answer names the rule; Reveal shows it and scores it as not right
      expect(await nextQuestion(page)).toBe(true);
      q = await text(page, 'predict-question');
      expect(q).toMatch(/share of dW2\[1\]\[\d\]/);
      await answer(page, typed(expected(q, o) * 3 + 1));
      expect(await verdict(page)).toMatch(/Hint: dW2 = dz2 a1ᵀ summed over the batch/);
      expect(await askedHidden(page)).toBe(true);
      expect(await axeViolations(page)).toEqual([]); // question, field, verdict and hint shown
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-predict.png` });
      await page.click('[data-testid="predict-reveal"]');
      expect(await verdict(page)).toMatch(/^Revealed: this sample's share of dW2/);
      expect(await score(page)).toBe('Score: 1 of 2 right at the first try');

      // da1 = W2ᵀ δ2: wrong, then the hint
      expect(await nextQuestion(page)).toBe(true);
      q = await text(page, 'predict-question');
      // asked at the unit whose da1 is largest in size (the oracle's, for the followed sample)
      const big = (a: Float64Array, units: number[]) =>
        units.reduce((b, j) => (Math.abs(a[N_FOLLOWED * 2 + j]!) > Math.abs(a[N_FOLLOWED * 2 + b]!) ? j : b));
      expect(q).toBe(
        `What is da1 for unit ${big(o.r.da[0]!, [0, 1]) + 1}? Type it and press Enter; right is within 1% of the ` +
          'value (or 1e−9 of a true 0).',
      );
      await answer(page, typed(expected(q, o) + 1));
      expect(await verdict(page)).toMatch(/Hint: da1 = W2ᵀ dz2: the weight times the δ arriving/);
      await page.click('[data-testid="walk-next"]'); // Next reveals an open question too
      expect(await score(page)).toBe('Score: 1 of 3 right at the first try');

      // the gate: seed 2's unit 1 is off at every XOR point, so the walk asks for a closed gate's δ1, a true 0
      // (of the closed ones, the gate that blocks the largest |da1|)
      expect(await nextQuestion(page)).toBe(true);
      q = await text(page, 'predict-question');
      const closed = [0, 1].filter((j) => o.r.cache.z[0]![N_FOLLOWED * 2 + j]! <= 0);
      expect(closed).toContain(0);
      expect(q).toMatch(new RegExp(`^What is dz1 \\(δ1\\) for unit ${big(o.r.da[0]!, closed) + 1}\\?`));
      expect(expected(q, o)).toBe(0);
      await answer(page, '0.5');
      expect(await verdict(page)).toMatch(/Hint: the gate is closed: ReLU′\(z\) = 0 for z ≤ 0, so dz1 = 0\./);
      await answer(page, '0'); // right after a miss: shown as right, scored as a miss
      expect(await verdict(page)).toMatch(/^Right/);
      expect(await score(page)).toBe('Score: 1 of 4 right at the first try');

      // dW1's share: right at the first try
      expect(await nextQuestion(page)).toBe(true);
      q = await text(page, 'predict-question');
      expect(q).toMatch(/share of dW1\[\d\]\[\d\] \(unit \d, from x\d\)/);
      await answer(page, typed(expected(q, o)));
      expect(await verdict(page)).toMatch(/^Right/);
      expect(await score(page)).toBe('Score: 2 of 5 right at the first try');
      expect(await nextQuestion(page)).toBe(false); // the walk's end
      expect(await axeViolations(page)).toEqual([]);

      // switched off again: the link says so
      await page.getByLabel('predict each gradient before it is shown').uncheck();
      expect(new URL(page.url()).searchParams.get('predict')).toBe('off');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('with WebGPU, 2 hidden layers of tanh: every stage asked, each graded against the oracle', async () => {
    const { browser, page, errors } = await open(`${base}?hidden=3,2&activation=tanh&seed=3&predict=on`, DESKTOP);
    try {
      expect(await page.locator('[data-testid="predict-toggle"]').isChecked()).toBe(true);
      const o = oracle([3, 2], 'tanh', 3);
      // the graph's gradients are the GPU's here; the oracle grades them all the same
      expect(await text(page, 'graph-caption')).toMatch(/^Numbers at step 0 for sample 2, .* from the GPU\./);
      await page.focus('[data-testid="walk-start"]');
      await page.keyboard.press('Enter');
      const stages: string[] = [];
      while (await nextQuestion(page)) {
        const q = await text(page, 'predict-question');
        stages.push(/What is (this sample's share of )?(d[zaW]\d)/.exec(q)![2]!);
        if (stages.length === 4) {
          // the gate of layer 2, answered wrong first: tanh′ = 1 − a²
          // tanh closes no gate: the unit of layer 2 whose δ2 is largest in size
          const d2 = o.r.delta[1]!;
          const j = Math.abs(d2[N_FOLLOWED * 2 + 1]!) > Math.abs(d2[N_FOLLOWED * 2]!) ? 2 : 1;
          expect(q).toMatch(new RegExp(`^What is dz2 \\(δ2\\) for unit ${j} of hidden layer 2\\?`));
          await answer(page, typed(-expected(q, o) - 1));
          expect(await verdict(page)).toMatch(/Hint: tanh′\(z\) = 1 − a²: dz2 = da2 × \(1 − a2²\)\./);
        }
        await answer(page, typed(expected(q, o)));
        expect(await verdict(page), q).toMatch(/^Right/);
      }
      expect(stages).toEqual(['dz3', 'dW3', 'da2', 'dz2', 'dW2', 'da1', 'dz1', 'dW1']);
      expect(await score(page)).toBe('Score: 7 of 8 right at the first try');
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});
