/**
 * Each sample's pull on the page (issue 24, item 3): a parameter is chosen by clicking its edge in the network picture
 * and by the keyboard in the pull's list; the training points' shares (1/N)·∂ℓ_n/∂θ the page lists, with the
 * penalty's term, sum to the gradient panel's number for θ, and each share, the total and δ at the followed point
 * agree with the f64 oracle computed here (lossAndGradsModel) from the page's own parameters and data. Looking back
 * shows the step looked at. With and without WebGPU, at depths 1 and 2.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../src/mlp/data/data.js';
import { makeModel, modelLayout } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { parameterNames } from '../src/ui/gradients.js';
import { axeViolations, DESKTOP, open, setPlaying, waitForStepAbove } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;

beforeAll(async () => {
  served = await servePage('pull');
}, 120_000);
afterAll(async () => served?.close());

type Settings = {
  hidden: number[];
  loss: 'bce' | 'mse';
  activation: 'relu' | 'leaky' | 'tanh' | 'sigmoid';
  reg: 'none' | 'l1' | 'l2';
  lambda: number;
  /** The followed sample, counted from 1. */
  sample: number;
};
type Lab = {
  shown(): { step: number; params: number[]; past: boolean } | null;
  data(): { train: { d: number; N: number; x: number[]; y: number[] } };
  running(): Settings;
};
const lab = <T>(page: Page, f: (lab: Lab) => T) => page.evaluate(`(${f.toString()})(window.backpropLab)`) as Promise<T>;

/** A number as the page writes it (a true minus sign, exponent form allowed). */
const read = (t: string) => Number(t.trim().replaceAll('−', '-'));

/** What the pull shows now: the parameter, each listed share, the data term, the penalty, the total, the δ chips. */
async function pullShown(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector<HTMLElement>('[data-testid="pull-numbers"]')!;
    const txt = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.textContent ?? '';
    return {
      k: Number(root.dataset.k),
      name: root.dataset.name ?? '',
      step: Number(root.dataset.step),
      shares: [...root.querySelectorAll<HTMLElement>('[data-testid="pull-share"]')].map((tr) => ({
        n: Number(tr.dataset.n),
        text: tr.lastElementChild!.textContent ?? '',
      })),
      dataGrad: txt('pull-data-grad'),
      penalty: txt('pull-penalty'),
      total: txt('pull-total'),
      deltas: [...document.querySelectorAll<HTMLElement>('[data-testid="pull-deltas"] .pull-delta')].map(
        (c) => c.textContent ?? '',
      ),
      point: Number(document.querySelector<HTMLElement>('[data-testid="pull-deltas"]')!.dataset.point),
      map: document.querySelector('[data-testid="pull-map"]')!.getAttribute('aria-label') ?? '',
      range: Number(document.querySelector<HTMLElement>('[data-testid="pull-map"]')!.dataset.range),
    };
  });
}

/** The gradient panel's CPU oracle number for the parameter named `name`, as written in its table. */
async function panelGradient(page: Page, name: string): Promise<string> {
  return page.evaluate((name) => {
    const table = document.querySelector('#gradients table.grad-detail')!;
    const heads = [...table.querySelectorAll('th')].map((th) => th.textContent);
    const col = Math.max(heads.indexOf('CPU oracle'), heads.indexOf('exact (f64)'));
    const row = [...table.querySelectorAll('tr')].find((tr) => tr.firstElementChild?.textContent === name);
    return row?.children[col]?.textContent ?? 'missing';
  }, name);
}

/** The f64 oracle at the page's shown parameters: the full-batch gradient, each sample's share, δ at point n. */
async function oracle(page: Page) {
  const s = await lab(page, (l) => l.running());
  const t = (await lab(page, (l) => l.data())).train;
  const shown = (await lab(page, (l) => l.shown()))!;
  const data: Dataset = { d: t.d, N: t.N, x: Float64Array.from(t.x), y: Float64Array.from(t.y) };
  const model = makeModel({ d: t.d, hidden: s.hidden, activation: s.activation, output: 'sigmoid' });
  const objective = {
    loss: s.loss,
    l1: s.reg === 'l1' ? s.lambda : 0,
    l2: s.reg === 'l2' ? s.lambda : 0,
  };
  const full = lossAndGradsModel(model, shown.params, data, objective);
  // one sample alone (a batch of one row) gives ∂ℓ_n/∂θ; its share of the full batch is that over N
  const own = Array.from(
    { length: data.N },
    (_, n) => lossAndGradsModel(model, shown.params, data, { loss: s.loss }, [n]).grads,
  );
  return { model, data, shown, full, own, point: s.sample - 1 };
}

/** |shown − want| within the rounding of `digits` significant digits, and a little more for f32 on the GPU. */
function near(shown: string, want: number, digits = 6): void {
  const v = read(shown);
  expect(Number.isFinite(v), `${shown} is a number`).toBe(true);
  expect(Math.abs(v - want)).toBeLessThanOrEqual(5 * 10 ** -digits * Math.abs(want) + 1e-12);
}

async function checkSums(page: Page): Promise<void> {
  const p = await pullShown(page);
  const o = await oracle(page);
  const N = o.data.N;
  expect(p.step).toBe(o.shown.step);
  expect(p.name).toBe(parameterNames(o.model)[p.k]);
  // every point is listed (N ≤ 16 here); each share is the oracle's (1/N)·∂ℓ_n/∂θ
  expect(p.shares.map((r) => r.n)).toEqual(Array.from({ length: N }, (_, n) => n));
  for (const r of p.shares) near(r.text, o.own[r.n]![p.k]! / N);
  // the shown shares and the penalty's term sum to the panel's number, within the rounding of what is shown
  const panel = await panelGradient(page, p.name);
  const sum = p.shares.reduce((s, r) => s + read(r.text), 0) + read(p.penalty);
  const slack = 5e-6 * (p.shares.reduce((s, r) => s + Math.abs(read(r.text)), 0) + Math.abs(read(p.penalty)));
  expect(Math.abs(sum - read(panel))).toBeLessThanOrEqual(slack + 5e-6 * Math.abs(read(panel)) + 1e-12);
  near(p.total, o.full.grads[p.k]!);
  expect(read(panel)).toBe(read(p.total));
  // the penalty's term apart: λ2·w or λ1·sign(w) on a weight, 0 on a bias
  near(p.penalty, o.full.grads[p.k]! - o.own.reduce((s, g) => s + g[p.k]! / N, 0));
  // δ at the followed point: the oracle's ∂L/∂z_l (1/N included), unit by unit, 3 significant digits
  expect(p.point).toBe(o.point);
  const deltas = o.full.delta.flatMap((dl, l) => {
    const H = [...o.model.hidden, 1][l]!;
    return Array.from(dl.slice(o.point * H, (o.point + 1) * H));
  });
  expect(p.deltas.length).toBe(deltas.length);
  p.deltas.forEach((t, i) => near(t, deltas[i]!, 3));
  expect(p.range).toBeGreaterThan(0);
  expect(p.map).toContain(`Each sample’s pull on ${p.name}`);
  expect(p.map).not.toMatch(/NaN|Infinity|undefined/);
}

describe.each([
  { webgpu: true, query: '?seed=3', hidden: [4] },
  { webgpu: false, query: '?hidden=4,3&activation=tanh&reg=l2&lambda=0.01&sample=3', hidden: [4, 3] },
])('each sample’s pull (WebGPU $webgpu, hidden $hidden)', ({ webgpu, query }) => {
  it('a parameter chosen by click and by keyboard; the shares sum to the panel’s gradient', async () => {
    const { browser, page, errors, offLoopback } = await open(served.base + query, DESKTOP, webgpu);
    try {
      // while training plays, the pull follows the steps (at its own pace)
      await setPlaying(page, true);
      await waitForStepAbove(page, 20);
      await expect.poll(async () => (await pullShown(page)).step, { timeout: 30_000 }).toBeGreaterThan(0);
      await setPlaying(page, false);
      const { model } = await oracle(page);
      const out = modelLayout(model).layers.at(-1)!.W.offset;

      // by click: an edge into the output (no two of them cross) in the network picture
      const k = out + 1;
      // a level edge has no height, so playwright calls it invisible: click its middle as the learner would
      await page.locator('#network').scrollIntoViewIfNeeded();
      const box = (await page.locator(`#network .unit-edge[data-param="${k}"]`).boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      await expect.poll(async () => (await pullShown(page)).k).toBe(k);
      expect(await page.locator('[data-testid="pull-choice"]').inputValue()).toBe(String(k));
      await checkSums(page);

      // by click in the graph: one weight it shows on its own (the output layer's, as the walk's first stage has it)
      const item = page.locator('#diagram [data-key^="W"][data-len="1"]').first();
      const [key, i] = [await item.getAttribute('data-key'), Number(await item.getAttribute('data-i'))];
      const layer = modelLayout(model).layers[Number(key!.slice(1)) - 1]!;
      expect(layer.W.offset + i).not.toBe(k); // a change to see
      await item.scrollIntoViewIfNeeded();
      await item.click();
      await expect.poll(async () => (await pullShown(page)).k).toBe(layer.W.offset + i);

      // by keyboard: the pull's own list, Home then one down (W1[1][2]); the weight reader follows
      await page.locator('[data-testid="pull-choice"]').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      await expect.poll(async () => (await pullShown(page)).k).toBe(1);
      expect(await page.locator('[data-testid="weight-choice"]').inputValue()).toBe('1');
      await checkSums(page);

      // a bias too (the penalty never counts it)
      const b = modelLayout(model).layers[0]!.b.offset;
      await page.selectOption('[data-testid="pull-choice"]', String(b));
      await expect.poll(async () => (await pullShown(page)).k).toBe(b);
      expect(read((await pullShown(page)).penalty)).toBe(0);
      await checkSums(page);

      // looking back: the pull of the step looked at, recomputed from its parameters
      const slider = page.locator('[data-testid="scrub-step"]');
      await slider.focus();
      await page.keyboard.press('Home');
      await expect.poll(async () => (await pullShown(page)).step).toBe(0);
      expect((await lab(page, (l) => l.shown()))!.past).toBe(true);
      await checkSums(page);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
