/**
 * The page's first steps (issue 26): the warm-up walk before the network, by keyboard, its numbers checked against
 * the scalar engine (built here afresh, not read from the page's module), and no GPU or tooling words in it; and one
 * way of counting the followed point (from 1) across the point menu, the caption, the walk, the link and the
 * exercises. Without WebGPU: neither depends on where the network trains.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from '../src/engine/value.js';
import { xor } from '../src/mlp/data/data.js';
import { SPOT } from '../src/mlp/spotcheck.js';
import { axeViolations, DESKTOP, open, PHONE, pastRightEdge, text } from './support/browser.js';
import { ARTIFACTS, type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('warmup');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

/** Every wire of both expressions: its value and ∂f/∂(it), by the engine, keyed as the page's testids. */
function engineNumbers(): Map<string, { value: number; grad: number }> {
  const out = new Map<string, { value: number; grad: number }>();
  const put = (expr: string, vs: Record<string, Value>) => {
    for (const [name, v] of Object.entries(vs)) out.set(`${expr}-${name}`, { value: v.data, grad: v.grad });
  };
  {
    const [x, y, z] = [new Value(-2), new Value(5), new Value(-4)];
    const q = x.add(y);
    const f = q.mul(z);
    f.backward();
    put('add-mul', { x, y, z, q, f });
  }
  {
    const [w1, x1, w2, x2, b] = [new Value(2), new Value(-1), new Value(-3), new Value(-2), new Value(-3)];
    const p1 = w1.mul(x1);
    const p2 = w2.mul(x2);
    const z = p1.add(p2).add(b);
    const f = z.sigmoid();
    f.backward();
    put('neuron', { w1, x1, w2, x2, b, p1, p2, z, f });
  }
  return out;
}

/** The warm-up's numbers as the page shows them: data-value, visible or not. */
const shown = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<SVGTextElement>('svg.warmup-svg text[data-value]')].map((e) => ({
      id: e.dataset.testid!,
      value: Number(e.dataset.value),
      text: e.textContent ?? '',
      hidden: getComputedStyle(e).visibility === 'hidden',
    })),
  );

/**
 * Pairs of text in one warm-up drawing closer than 6 px (their boxes grown by 3 px overlap): hidden ones too, as each
 * shows by the walk's end. Two numbers that touch read as one pair, and then which wire each belongs to is unclear.
 */
const overlaps = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll<SVGSVGElement>('svg.warmup-svg')].flatMap((svg) => {
      // a wire's name, value and gradient are stacked on purpose: only text of different wires must keep apart
      const texts = [...svg.querySelectorAll<SVGTextElement>('text')].map((t) => ({
        what: `${t.dataset.testid ?? t.getAttribute('class')} "${t.textContent}"`,
        wire: t.dataset.testid ? /-(\w+)-(?:fwd|grad)$/.exec(t.dataset.testid)![1] : t.textContent,
        r: t.getBoundingClientRect(),
      }));
      const hit: string[] = [];
      texts.forEach((a, i) =>
        texts.slice(i + 1).forEach((b) => {
          if (a.wire === b.wire) return;
          const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left) + 6;
          const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top) + 6;
          if (w > 0 && h > 0) hit.push(`${a.what} / ${b.what}`);
        }),
      );
      return hit;
    }),
  );

/** The smallest height, in CSS pixels, of a number drawn on a warm-up wire. */
const smallestNumber = (page: Page) =>
  page.evaluate(() =>
    Math.min(
      ...[...document.querySelectorAll<SVGTextElement>('svg.warmup-svg text.num')].map(
        (t) => t.getBoundingClientRect().height,
      ),
    ),
  );

const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid'));

describe('the warm-up walk', () => {
  it('opens from the head of the page, walks by keyboard, and every number is the engine’s', async () => {
    const { browser, page, errors } = await open(base, DESKTOP, false);
    try {
      const fold = page.locator('[data-testid="warmup"]');
      expect(await fold.getAttribute('open')).toBeNull();
      await page.click('[data-testid="warmup-link"]');
      expect(await fold.getAttribute('open')).not.toBeNull();

      // by keyboard: Tab to Next, then Enter and the arrow keys
      await page.focus('[data-testid="warmup-back"]');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('warmup-next');
      const count = () => text(page, 'warmup-count');
      const sentence = () => text(page, 'warmup-sentence');
      expect(await count()).toBe('f = (x + y) · z: forward pass, step 1 of 14');
      expect(await page.locator('[data-testid="warmup-sentence"]').getAttribute('aria-live')).toBe('polite');
      const want = engineNumbers();
      const fmtMinus = (v: number) => String(v).replace('-', '−');

      // step 1: the leaves' values shown, every gradient hidden
      let nums = await shown(page);
      expect(nums).toHaveLength(2 * want.size);
      for (const n of nums) expect(n.hidden, n.id).toBe(!/^warmup-add-mul-[xyz]-fwd$/.test(n.id));
      expect(await sentence()).toBe('The inputs hold given values: x = −2, y = 5, z = −4.');

      const sentences = [await sentence()];
      await page.keyboard.press('Enter'); // Next, focused
      sentences.push(await sentence());
      for (let k = 2; k < 14; k++) {
        await page.keyboard.press('ArrowRight');
        sentences.push(await sentence());
      }
      expect(await count()).toBe('f = σ(w1·x1 + w2·x2 + b): backward pass, step 14 of 14');
      expect(await page.locator('[data-testid="warmup-next"]').getAttribute('aria-disabled')).toBe('true');
      await page.keyboard.press('ArrowRight'); // at the end: stays
      expect(await count()).toMatch(/step 14 of 14$/);
      expect(await focused(page)).toBe('warmup-next');
      // a click on the walk's sentence, then the arrow keys: they step there too
      await page.click('[data-testid="warmup-sentence"]');
      await page.keyboard.press('ArrowLeft');
      expect(await count()).toMatch(/step 13 of 14$/);
      await page.keyboard.press('ArrowRight');
      expect(await count()).toMatch(/step 14 of 14$/);

      // the walk's words carry the engine's numbers, local derivatives apart from arriving gradients
      const all = sentences.join('\n');
      expect(all).toContain('q = x + y = −2 + 5 = 3');
      expect(all).toContain('f = q · z = 3 · (−4) = −12');
      expect(all).toContain('∂(q·z)/∂q = z = −4 and ∂(q·z)/∂z = q = 3');
      expect(all).toContain(`∂f/∂x = ${fmtMinus(want.get('add-mul-x')!.grad)} and ∂f/∂y = −4`);
      const sig = want.get('neuron-f')!.value;
      expect(all).toContain(`= ${(sig * (1 - sig)).toPrecision(4)}`);
      expect(all).not.toMatch(/GPU|f32|src\/|npm|oracle|WGSL|shader/i);
      expect(all).not.toMatch(/NaN|Infinity|undefined/);

      // at the end every number shows, each the engine's value or gradient to the last bit
      nums = await shown(page);
      for (const n of nums) {
        const m = /^warmup-(add-mul|neuron)-(\w+)-(fwd|grad)$/.exec(n.id)!;
        const w = want.get(`${m[1]}-${m[2]}`)!;
        expect(n.hidden, n.id).toBe(false);
        expect(n.value, n.id).toBe(m[3] === 'fwd' ? w.value : w.grad);
        expect(n.text, n.id).not.toMatch(/NaN|Infinity|^$/);
      }
      expect(nums.find((n) => n.id === 'warmup-neuron-x2-grad')!.text).toBe('−0.5898');
      // which number belongs to which wire is never in doubt: no two labels overlap
      expect(await overlaps(page)).toEqual([]);

      // back by keyboard: the neuron's gradients hide again, one stage at a time
      for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowLeft');
      expect(await count()).toBe('f = σ(w1·x1 + w2·x2 + b): forward pass, step 10 of 14');
      nums = await shown(page);
      expect(
        nums.filter((n) => n.id.startsWith('warmup-neuron') && n.id.endsWith('-grad')).every((n) => n.hidden),
      ).toBe(true);
      expect(nums.filter((n) => n.id.startsWith('warmup-add-mul')).every((n) => !n.hidden)).toBe(true);

      await page.locator('[data-testid="warmup"]').screenshot({ path: `${ARTIFACTS}/warmup.png` });
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('fits a phone: nothing past the right edge, the buttons large enough to tap', async () => {
    const { browser, page, errors } = await open(base, PHONE, false);
    try {
      await page.click('[data-testid="warmup"] > summary');
      expect(await pastRightEdge(page)).toEqual([]);
      // the drawings keep their natural size (numbers as tall as on a desktop) and scroll sideways, by keyboard too
      expect(await smallestNumber(page)).toBeGreaterThanOrEqual(11);
      expect(await overlaps(page)).toEqual([]);
      const frames = page.locator('[data-testid="warmup"] .warmup-scroll');
      expect(await frames.count()).toBe(2);
      for (const frame of await frames.all()) {
        expect(await frame.getAttribute('tabindex')).toBe('0');
        expect(await frame.getAttribute('role')).toBe('region');
        expect(await frame.getAttribute('aria-label')).toMatch(/scrolls sideways/);
        expect(await frame.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
      }
      const frame = frames.last();
      await frame.focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(
        () => document.querySelectorAll<HTMLElement>('[data-testid="warmup"] .warmup-scroll')[1]!.scrollLeft > 0,
      );
      expect(await axeViolations(page)).toEqual([]);
      const box = await page.locator('[data-testid="warmup-next"]').boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

describe('one way of counting the followed point: from 1', () => {
  it('the point menu, the caption, the walk and the link agree; an old point= link opens the same point', async () => {
    // exercise 1's link and the point it names, from the document itself
    const exercises = readFileSync('docs/exercises.md', 'utf8');
    const link = /`\?(hidden=2&seed=3&sample=(\d))`/.exec(exercises)!;
    const named = /at point (\d), \$x = \((\d), (\d)\)\$/.exec(exercises)!;
    expect(named[1]).toBe(link[2]);
    const { browser, page, errors } = await open(`${base}?${link[1]}`, DESKTOP, false);
    try {
      const menu = page.locator('[data-testid="input-point"]');
      const check = async (k: number) => {
        const [x1, x2] = [xor().x[2 * (k - 1)], xor().x[2 * (k - 1) + 1]];
        expect(await menu.locator('option:checked').innerText()).toMatch(new RegExp(`^#${k} \\(${x1}, ${x2}\\)`));
        expect(await page.locator('label.point').innerText()).toMatch(/^follow sample \(a point of the data\)/);
        expect(await text(page, 'graph-caption')).toMatch(new RegExp(`for sample ${k}, x = \\(${x1}, ${x2}\\)`));
        expect(new URL(page.url()).searchParams.get('sample')).toBe(String(k));
        expect(new URL(page.url()).searchParams.has('point')).toBe(false);
        // the walk's first step names the same sample
        await page.click('[data-testid="walk-start"]');
        expect(await text(page, 'walk-sentence')).toContain(`sample ${k} of 4 (counted from 1`);
        await page.click('[data-testid="walk-start"]');
      };
      await check(Number(named[1]));
      expect(named.slice(2)).toEqual(['0', '1']);
      // choosing #4 in the menu: the link says sample=4
      await menu.selectOption({ label: '#4 (1, 1) → 0' });
      await page.waitForFunction(() => new URL(location.href).searchParams.get('sample') === '4');
      await check(4);
      // an old link, counted from 0, still opens the point it meant
      await page.goto(`${base}?hidden=2&seed=3&point=2`);
      await page.waitForFunction(() =>
        /for sample/.test(document.querySelector('[data-testid="graph-caption"]')?.textContent ?? ''),
      );
      await check(3);
      expect(await page.locator('[data-testid="banner"]').textContent()).not.toMatch(/refused/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});

describe('the live walk on a small network', () => {
  it('while H = 8 trains, the walk can take the worked example (H = 2, one sample), its δs the engine’s', async () => {
    const { browser, page, errors } = await open(`${base}?hidden=8&seed=1`, DESKTOP, false);
    try {
      const rows = () => page.locator('[data-testid="graph"] g.row').count();
      const values = async (key: string) =>
        JSON.parse(
          (await page.locator(`[data-testid="diagram-${key}"]`).getAttribute('data-values')) ?? 'null',
        ) as number[];
      expect(await rows()).toBe(8);
      await page.getByLabel('walk the worked example (H = 2, one sample) instead').check();
      expect(await rows()).toBe(2);
      expect(await text(page, 'graph-caption')).toMatch(/^The explainer's worked example, not the network training/);
      // the engine on the worked example: x = (1, 2), y = 1, BCE from the logit
      const P = SPOT.params.map((v) => new Value(v));
      const [x1, x2] = SPOT.x;
      const a = [0, 1].map((j) =>
        P[2 * j]!.mul(x1)
          .add(P[2 * j + 1]!.mul(x2))
          .add(P[4 + j]!),
      );
      const z2 = a[0]!.relu().mul(P[6]!).add(a[1]!.relu().mul(P[7]!)).add(P[8]!);
      z2.softplus().sub(z2.mul(SPOT.y)).backward();
      const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-12);
      near((await values('dz2'))[0]!, z2.grad);
      (await values('dz1')).forEach((v, j) => near(v, a[j]!.grad));
      // its walk by keyboard: the first step names the one sample
      await page.click('[data-testid="walk-start"]');
      expect(await text(page, 'walk-sentence')).toContain('sample 1 of 1 (counted from 1');
      await page.keyboard.press('ArrowRight');
      expect(await text(page, 'walk-count')).toMatch(/step 2 of/);
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-worked-example.png` });
      await page.keyboard.press('Escape');
      expect(await axeViolations(page)).toEqual([]);
      // back to the network training
      await page.getByLabel('walk the worked example (H = 2, one sample) instead').uncheck();
      expect(await rows()).toBe(8);
      expect(await text(page, 'graph-caption')).toMatch(/^Numbers at step 0 for sample 2, x = \(0, 1\)/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
