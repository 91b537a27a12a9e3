import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset, roundToF32 } from '../src/mlp/data/data.js';
import { generate, split } from '../src/mlp/data/datasets.js';
import { shadowBounds } from '../src/mlp/bounds/bounds.js';
import { lossAndGrads } from '../src/mlp/reference.js';
import {
  axeViolations,
  DESKTOP,
  open,
  pastRightEdge,
  PHONE,
  setControl,
  setPlaying,
  stepNow,
  text,
  waitForStepAbove,
} from './support/browser.js';
import { ARTIFACTS, type Served, servePage } from './support/preview.js';

/**
 * Datasets on the page: choosing a generated set, the held-out test loss, a picture per hidden unit that points into
 * the graph and the network, uploads with the CLI's errors, and links that reproduce the points.
 */
let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('datasets');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

interface PlainData {
  d: number;
  N: number;
  x: number[];
  y: number[];
}
const pageData = (page: Page) =>
  page.evaluate(() =>
    (
      window as unknown as { backpropLab: { data(): { label: string; train: PlainData; test: PlainData | null } } }
    ).backpropLab.data(),
  );
const lossNow = async (page: Page) => Number(await text(page, 'loss'));

describe('datasets on the page', () => {
  it('spiral with H = 16 trains, shows the test loss and one map per hidden unit that finds its row and edges', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=16&seed=2&lr=0.5&perFrame=20`);
    try {
      await setControl(page, 'dataset', 'spiral');
      await page.waitForFunction(
        () => /^\d/.test(document.querySelector('[data-testid="test-loss"]')?.textContent ?? ''),
        null,
        { timeout: 60_000 },
      );
      expect(page.url()).toContain('dataset=spiral');
      const data = await pageData(page);
      expect([data.train.N, data.test?.N]).toEqual([160, 40]);
      const loss0 = await lossNow(page);
      await setPlaying(page, true);
      await waitForStepAbove(page, 200, 120_000);
      await setPlaying(page, false);
      expect(await lossNow(page)).toBeLessThan(loss0);
      const testLoss = Number(await text(page, 'test-loss'));
      expect(Number.isFinite(testLoss) && testLoss > 0).toBe(true);
      expect(await text(page, 'test-accuracy')).toMatch(/^\d+%$/);
      const maps = page.locator('[data-testid="unit-maps"] .unit-map');
      expect(await maps.count()).toBe(16);
      for (let j = 0; j < 16; j++)
        expect(await maps.nth(j).locator('canvas').getAttribute('aria-label')).toMatch(new RegExp(`^unit h${j + 1}`));
      // dead units are marked, the same ones the network picture dashes (its first 10 units are drawn)
      const deadMaps = await page
        .locator('[data-testid="unit-maps"] .unit-map.dead')
        .evaluateAll((es) => es.map((e) => Number((e as HTMLElement).dataset.unit)));
      expect(await page.locator('#network').getAttribute('data-dead')).toBe(String(deadMaps.length));
      const deadNodes = await page
        .locator('#network g[data-dead="true"] text')
        .evaluateAll((es) => es.map((e) => e.textContent));
      expect(deadNodes).toEqual(deadMaps.filter((j) => j < 10).map((j) => `h${j + 1}`));
      for (const j of deadMaps) expect(await maps.nth(j).innerText()).toContain('dead');
      // pointing at unit 3 highlights its row in the graph and only its edges in the network
      await maps.nth(2).hover();
      expect(await page.locator('[data-testid="graph"] g.row.highlight').getAttribute('data-row')).toBe('2');
      const hl = await page
        .locator('#network .unit-edge.highlight')
        .evaluateAll((es) => es.map((e) => e.getAttribute('data-unit')));
      expect(hl.length).toBe(3); // two inputs and the output
      expect(new Set(hl)).toEqual(new Set(['2']));
      await maps.nth(5).click();
      await page.mouse.move(0, 0);
      expect(await page.locator('[data-testid="graph"] g.row.highlight').getAttribute('data-row')).toBe('5');
      // the graph's "follow point" lists the spiral's training points
      const options = await page.locator('[data-testid="input-point"] option').allInnerTexts();
      expect(options[0]).toBe(
        `#1 (${data.train.x[0]!.toFixed(2)}, ${data.train.x[1]!.toFixed(2)}) → ${data.train.y[0]}`,
      );
      expect(options.at(-1)).toMatch(/first 40 of 160 points/);
      expect(await page.locator('[data-testid="boundary"]').getAttribute('aria-label')).toMatch(
        /^Decision boundary: \d+ of 160 points classified correctly \(training\) and \d+ of 40 held-out test points/,
      );
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}/datasets-spiral-1400x900.png` });
      await page.locator('[data-testid="unit-maps"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/datasets-unit-maps-1400x900.png` });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it("spiral with tanh and H = 16 trains, keeps tanh in the URL, and the graph's gate edge shows f′(z1) = 1 − tanh²(z1) as the oracle gives it", async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=16&seed=2&lr=0.5&perFrame=20`);
    try {
      await setControl(page, 'dataset', 'spiral');
      await setControl(page, 'activation', 'tanh');
      await page.waitForFunction(
        () => /^\d/.test(document.querySelector('[data-testid="test-loss"]')?.textContent ?? ''),
        null,
        { timeout: 60_000 },
      );
      expect(page.url()).toContain('activation=tanh');
      const loss0 = await lossNow(page);
      await setPlaying(page, true);
      await waitForStepAbove(page, 200, 120_000);
      await setPlaying(page, false);
      expect(await lossNow(page)).toBeLessThan(loss0);
      expect(Number(await text(page, 'test-loss'))).toBeGreaterThan(0);
      const maps = page.locator('[data-testid="unit-maps"] .unit-map');
      expect(await maps.count()).toBe(16);
      expect(await page.locator('[data-testid="unit-maps"] .legend').innerText()).toMatch(/tanh never closes a gate/);
      expect(await page.locator('#network').getAttribute('data-dead')).toBe('0'); // "dead" is ReLU's alone
      // The gate edge: diag(tanh′(z1)) at the shown sample, against the oracle at the page's own parameters.
      const graph = page.locator('[data-testid="graph"]');
      expect(await graph.locator('.headers').textContent()).toContain('a1 = tanh(z1)');
      const vals = async (key: string) =>
        JSON.parse(
          (await page.locator(`[data-testid="diagram-${key}"]`).getAttribute('data-values')) ?? 'null',
        ) as number[];
      const [W1, b1, W2, b2] = [await vals('W1'), await vals('b1'), await vals('W2'), await vals('b2')];
      const params = Float64Array.from([...W1, ...b1, ...W2, ...b2]);
      const data = await pageData(page);
      const train = makeDataset(
        Array.from({ length: data.train.N }, (_, n) => data.train.x.slice(2 * n, 2 * n + 2)),
        data.train.y,
      );
      const x = await vals('x');
      // the page shows the f32 values the GPU holds, of the point the graph follows (the link's sample, counted from 1)
      const shown = Array.from({ length: train.N }, (_, k) => k).filter(
        (k) => Math.fround(train.x[2 * k]!) === x[0] && Math.fround(train.x[2 * k + 1]!) === x[1],
      );
      expect(shown, 'the training points at the x the graph shows').toEqual([
        Number(new URL(page.url()).searchParams.get('sample')) - 1,
      ]);
      const n = shown[0]!;
      const net = { d: 2, H: 16, activation: 'tanh' as const };
      const r = lossAndGrads(net, params, roundToF32(train), 'bce');
      const B = shadowBounds(net, params, roundToF32(train), 'bce', { perSample: true }).samples!;
      const gate = JSON.parse(
        (await page.locator('[data-testid="diagram-jac-gate"]').getAttribute('data-jacobian')) ?? 'null',
      ) as number[];
      expect(gate).toHaveLength(16);
      expect(await page.locator('[data-testid="diagram-jac-gate"]').textContent()).toMatch(/tanh/);
      gate.forEach((g, j) => {
        const z = r.cache.z1[n * 16 + j]!;
        const want = 1 - Math.tanh(z) ** 2;
        // the page's f′ is 1 − tanh² of the GPU's z1, off by at most max|tanh″| = 4/(3√3) < 0.77 times z1's f32 bound
        expect(Math.abs(g - want), `f′(z1_${j}): page ${g}, oracle ${want}`).toBeLessThanOrEqual(
          0.77 * B.z1.bound[n * 16 + j]! + 1e-15,
        );
        expect(g > 0 && g <= 1, `tanh′ never closes a gate: ${g}`).toBe(true);
      });
      expect(await graph.locator('g.row.closed').count()).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}/activations-spiral-tanh-1400x900.png` });
      await graph.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/activations-graph-tanh-1400x900.png` });
      // A fresh load of the link trains with tanh again.
      const link = page.url();
      const again = await browser.newPage();
      await again.goto(link);
      await again.waitForFunction(
        () => /^\d/.test(document.querySelector('[data-testid="test-loss"]')?.textContent ?? ''),
        null,
        { timeout: 60_000 },
      );
      expect(await again.locator('[data-testid="input-activation"]').inputValue()).toBe('tanh');
      expect(await again.locator('[data-testid="graph"] .headers').textContent()).toContain('a1 = tanh(z1)');
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('a run that blows up: the banner names the element counted from 1, the hints stand down, Play starts a new run, a new run clears the banner', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=8&lr=1000&seed=1&perFrame=5`);
    const state = () =>
      page.evaluate(() => (window as unknown as { backpropLab: { state(): string } }).backpropLab.state());
    try {
      // inputs near 1e18 (beyond what the page generates): a step of lr = 1000 overflows f32
      const rows = Array.from(
        { length: 10 },
        (_, n) => `${(n % 2) * 1e18},${(n >> 1) % 2 ? 1e18 : 0},${(n % 2) ^ ((n >> 1) % 2)}`,
      ).join('\n');
      await page.setInputFiles('[data-testid="input-upload"]', {
        name: 'big.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`x1,x2,y\n${rows}\n`),
      });
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="data-note"]')?.textContent?.includes('big.csv'),
      );
      await setPlaying(page, true);
      await page.waitForFunction(
        () => (window as unknown as { backpropLab: { state(): string } }).backpropLab.state() === 'failed',
        null,
        { timeout: 60_000 },
      );
      const said = await text(page, 'banner');
      expect(said).toMatch(/^step \d+: .* became .*Training blew up: .*press Play or Reset to start a new run\./);
      expect(said, 'counted from 1, as the gradient table counts').not.toMatch(/\[0\]|sample 0\b/);
      expect(said).not.toMatch(/\bnull\b|undefined/);
      expect(
        await page.locator('[data-testid="hints"] li').count(),
        'no hint may call the failed run "still learning"',
      ).toBe(0);
      expect(await page.locator('[data-testid="play"]').innerText()).toBe('Play');
      await page.screenshot({ path: `${ARTIFACTS}/blow-up-1400x900.png` });
      // Play after a failure is a new run (the state passes through "resetting"), on the same settings
      await page.evaluate(() => {
        const w = window as unknown as { seen: string[] };
        w.seen = [];
        const el = document.querySelector<HTMLElement>('[data-testid="state"]')!;
        new MutationObserver(() => w.seen.push(el.dataset.state ?? '')).observe(el, {
          attributes: true,
          attributeFilter: ['data-state'],
        });
      });
      await page.click('[data-testid="play"]');
      await page.waitForFunction(() => (window as unknown as { seen: string[] }).seen.includes('resetting'));
      await page.waitForFunction(
        () => (window as unknown as { backpropLab: { state(): string } }).backpropLab.state() !== 'resetting',
        null,
        { timeout: 60_000 },
      );
      // a new run on XOR at lr 0.5: the old failure is no longer said, and it trains
      await setControl(page, 'lr', '0.5');
      await setControl(page, 'dataset', 'xor');
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="banner"]')?.hidden === true,
        null,
        { timeout: 60_000 },
      );
      await setPlaying(page, true);
      await waitForStepAbove(page, 100, 120_000);
      expect(await state()).toBe('playing');
      expect(await page.locator('[data-testid="banner"]').isVisible()).toBe(false);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('an uploaded CSV with a bad cell is refused with its line and column, and the run goes on; a 3-input file trains without plane pictures', async () => {
    const { browser, page, errors, offLoopback } = await open(`${base}?hidden=4&seed=1&perFrame=5`);
    try {
      const url = page.url();
      await setPlaying(page, true);
      await waitForStepAbove(page, 5);
      await page.setInputFiles('[data-testid="input-upload"]', {
        name: 'bad.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('x1,x2,y\n0,0,0\n0,abc,1\n'),
      });
      await page.waitForFunction(() => document.querySelector('[data-testid="error-upload"]')?.textContent !== '');
      expect(await text(page, 'error-upload')).toBe("bad.csv: data: line 3, column 2: 'abc' is not a finite number");
      await page.locator('[data-testid="input-upload"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/datasets-upload-error-1400x900.png` });
      const before = await stepNow(page);
      await waitForStepAbove(page, before + 5);
      expect(page.url()).toBe(url);
      expect((await pageData(page)).label).toMatch(/^XOR/);
      // a good file with three inputs: trains, and the plane pictures say why they are not drawn
      const rows = Array.from({ length: 20 }, (_, n) => `${n % 3},${(n * 7) % 5},${n % 2},${n % 2}`).join('\n');
      await page.setInputFiles('[data-testid="input-upload"]', {
        name: 'three.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`a,b,c,y\n${rows}\n`),
      });
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="data-note"]')?.textContent?.includes('three.csv'),
      );
      expect(await text(page, 'error-upload')).toBe('');
      await page.waitForFunction(
        () =>
          (window as unknown as { backpropLab: { liveSessions(): number; state(): string } }).backpropLab.state() ===
          'playing',
      );
      const s0 = await stepNow(page);
      await waitForStepAbove(page, s0 + 10);
      const data = await pageData(page);
      expect([data.train.d, data.train.N + (data.test?.N ?? 0)]).toEqual([3, 20]);
      expect(await page.locator('[data-testid="boundary"]').getAttribute('aria-label')).toMatch(
        /not drawn, the data has 3 inputs/,
      );
      expect(await text(page, 'unit-maps')).toMatch(/the data has 3 inputs/);
      expect(await text(page, 'test-loss')).toMatch(/^\d/); // a number, not "none held out"
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('the URL reproduces dataset, noise and split: a fresh load holds the same points', async () => {
    const query = '?dataset=circle&points=120&noise=0.3&test=0.25&dataSeed=5&hidden=4';
    const first = await open(`${base}${query}`);
    let held: Awaited<ReturnType<typeof pageData>>;
    try {
      held = await pageData(first.page);
      // changing the noise on the page moves the points and the link
      await setControl(first.page, 'noise', '0.6');
      expect(first.page.url()).toContain('noise=0.6');
      const noisier = await pageData(first.page);
      await first.page.waitForFunction(() => {
        const lab = (window as unknown as { backpropLab: { running(): { noise: number } | null; state(): string } })
          .backpropLab;
        return lab.running()?.noise === 0.6 && lab.state() === 'idle';
      });
      expect(noisier.train.x).not.toEqual(held.train.x);
      const pixels = await first.page
        .locator('[data-testid="boundary"]')
        .evaluate((c) => (c as HTMLCanvasElement).toDataURL());
      const same = (a: string, b: string) => a === b; // compared as a boolean: a failure should not print two PNGs
      const again = await open(first.page.url());
      try {
        expect(await pageData(again.page)).toEqual(noisier);
        await again.page.waitForFunction(() => document.querySelector('[data-testid="step"]')?.textContent === '0');
        expect(
          same(
            await again.page.locator('[data-testid="boundary"]').evaluate((c) => (c as HTMLCanvasElement).toDataURL()),
            pixels,
          ),
          'the boundary after a fresh load of the link',
        ).toBe(true);
        expect(again.errors).toEqual([]);
      } finally {
        await again.browser.close();
      }
      expect(first.errors).toEqual([]);
      expect(first.offLoopback).toEqual([]);
    } finally {
      await first.browser.close();
    }
    const second = await open(`${base}${query}`);
    try {
      expect(await pageData(second.page)).toEqual(held);
      // and the points are the generator's in Node, split as src/mlp/data/datasets.ts says; Math.cos and Math.log
      // may differ in the last bit between JavaScript engines (Node's V8 and Chromium's here), so x agrees to 1e-12
      const all = generate({ kind: 'circle', N: 120, noise: 0.3, seed: 5 });
      const { train, test } = split(all, 0.25, (5 + 0x9e3779b9) >>> 0);
      expect(held.train.y).toEqual(Array.from(train.y));
      expect(held.test!.y).toEqual(Array.from(test!.y));
      expect(held.train.x).toHaveLength(train.x.length);
      held.train.x.forEach((v, i) => expect(Math.abs(v - train.x[i]!), `x[${i}]`).toBeLessThan(1e-12));
    } finally {
      await second.browser.close();
    }
  }, 240_000);

  it('on a phone (390×844) with a generated set: nothing past the right edge, axe-clean', async () => {
    const { browser, page, errors } = await open(`${base}?dataset=gauss&hidden=12&perFrame=10`, PHONE);
    try {
      await setPlaying(page, true);
      await waitForStepAbove(page, 30);
      await setPlaying(page, false);
      expect(await pastRightEdge(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      expect(await axeViolations(page)).toEqual([]);
      await page.locator('[data-testid="input-dataset"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/datasets-controls-390x844.png` });
      await page.locator('[data-testid="unit-maps"]').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}/datasets-unit-maps-390x844.png` });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});

void DESKTOP;
