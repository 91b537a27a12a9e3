import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shadowBounds } from '../src/mlp/bounds/bounds.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { forward, lossAndGrads, lossValue, sgdUpdate } from '../src/mlp/reference.js';
import { sweepCpu } from '../src/mlp/map.js';
import { paramLayout } from '../src/mlp/spec.js';
import {
  axeViolations,
  DESKTOP,
  firstSnapshot,
  launch,
  newPage,
  open as openUrl,
  type Opened,
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
 * The built page in the system Chromium, driven by playwright-core: once with
 * WebGPU (SwiftShader where there is no GPU) and once without. Screenshots go to
 * test-artifacts/. Every request must stay on loopback.
 */
let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('page');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

/** Opens the built page with `query`, with or without WebGPU, and waits for its first numbers. */
const open = (webgpu: boolean, query: string, viewport = DESKTOP): Promise<Opened> =>
  openUrl(`${base}${query}`, viewport, webgpu);
const diagramValues = async (page: Page, id: string): Promise<number[]> =>
  JSON.parse((await page.locator(`[data-testid="diagram-${id}"]`).getAttribute('data-values')) ?? 'null') as number[];
const isPlaying = (page: Page) =>
  page
    .locator('[data-testid="play"]')
    .getAttribute('aria-pressed')
    .then((v) => v === 'true');

const liveSessions = (page: Page) =>
  page.evaluate(() => (window as unknown as { backpropLab: { liveSessions(): number } }).backpropLab.liveSessions());
const boundaryPixels = (page: Page) =>
  page.locator('[data-testid="boundary"]').evaluate((c) => (c as HTMLCanvasElement).toDataURL('image/png'));

async function waitForStep(page: Page, step: number): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid="step"]')?.textContent === String(s), step, {
    timeout: 30_000,
  });
}

/** Until the page shows XOR learned: loss below 0.01 and 100% accuracy. */
async function waitForLearned(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.01 &&
      document.querySelector('[data-testid="accuracy"]')?.textContent === '100%',
    null,
    { timeout: 90_000 },
  );
}

/**
 * The diagram's numbers for point n against the CPU oracle at the same parameters,
 * each within its own f32 error bound (src/mlp/bounds/bounds.ts); x is data, exact.
 */
async function expectDiagramMatches(page: Page, params: Float64Array, n: number): Promise<void> {
  const spec = { d: 2, H: 8 };
  const data = xor();
  const r = lossAndGrads(spec, params, data, 'bce');
  const b = shadowBounds(spec, params, data, 'bce', { perSample: true });
  const S = b.samples!;
  const L = paramLayout(spec);
  const H = 8;
  const unit = (a: ArrayLike<number>) => Array.from(a as Float64Array).slice(n * H, (n + 1) * H);
  const one = (a: ArrayLike<number>) => [a[n]!];
  const grad = (name: 'W1' | 'b1' | 'W2' | 'b2', a: ArrayLike<number>) =>
    Array.from(a as Float64Array).slice(L[name].offset, L[name].offset + L[name].length);
  const expected: Record<string, [number[], number[]]> = {
    x: [Array.from(data.x.subarray(2 * n, 2 * n + 2)), [0, 0]],
    z1: [unit(r.cache.z1), unit(S.z1.bound)],
    a1: [unit(r.cache.a1), unit(S.a1.bound)],
    z2: [one(r.cache.z2), one(S.z2.bound)],
    yHat: [one(r.cache.yHat), one(S.yHat.bound)],
    dz2: [one(r.dz2), one(S.dz2.bound)],
    da1: [unit(r.da1), unit(S.da1.bound)],
    dz1: [unit(r.dz1), unit(S.dz1.bound)],
    dW1: [grad('W1', r.grads), grad('W1', b.grads.bound)],
    db1: [grad('b1', r.grads), grad('b1', b.grads.bound)],
    dW2: [grad('W2', r.grads), grad('W2', b.grads.bound)],
    db2: [grad('b2', r.grads), grad('b2', b.grads.bound)],
  };
  for (const [id, [want, bound]] of Object.entries(expected)) {
    const got = await diagramValues(page, id);
    expect(got, `diagram-${id}`).toHaveLength(want.length);
    got.forEach((v, i) =>
      expect(
        Math.abs(v - want[i]!),
        `diagram-${id}[${i}]: page ${v}, CPU ${want[i]}, bound ${bound[i]}`,
      ).toBeLessThanOrEqual(bound[i]!),
    );
  }
}

describe('the page in headless Chromium', () => {
  it('with WebGPU: trains XOR, its diagram matches the CPU oracle, its gradient panel passes', async () => {
    const { browser, page, errors, offLoopback } = await open(
      true,
      '?seed=1&hidden=8&lr=0.5&loss=bce&perFrame=50&point=1',
    );
    try {
      expect(await text(page, 'backend')).toMatch(/^WebGPU: /);
      expect(await page.locator('[data-testid="banner"]').isHidden()).toBe(true);
      expect(await text(page, 'explainer')).toContain('Backprop as a computation graph + local Jacobians');

      // The kernel stat names the chooser's pick: the subgroup kernel where the adapter offers subgroups.
      const subgroups = await page.evaluate(
        async () => (await navigator.gpu.requestAdapter())?.features.has('subgroups') ?? false,
      );
      await page.waitForFunction(() => document.querySelector('[data-testid="kernel"]')?.textContent !== '–');
      expect(await text(page, 'kernel')).toBe(subgroups ? 'fused-subgroup' : 'fused-workgroup');

      // Step 0, then three single steps: the diagram shows the running network's numbers.
      const theta = initParams({ d: 2, H: 8 }, 1);
      await expectDiagramMatches(page, theta, 1);
      for (let k = 1; k <= 3; k++) {
        await page.click('[data-testid="step-once"]');
        await waitForStep(page, k);
      }
      for (let t = 0; t < 3; t++) sgdUpdate(theta, lossAndGrads({ d: 2, H: 8 }, theta, xor(), 'bce').grads, 0.5);
      await expectDiagramMatches(page, theta, 1);
      // the menu and the link count from 1: #4 is row 3
      await page.selectOption('[data-testid="input-point"]', '4');
      await expectDiagramMatches(page, theta, 3);
      expect(page.url()).toContain('sample=4');

      // A bad value is refused beside its control, and the run goes on.
      await page.fill('[data-testid="input-lr"]', '-1');
      await page.dispatchEvent('[data-testid="input-lr"]', 'change');
      expect(await text(page, 'error-lr')).toMatch(/learning rate must be a finite number in \(0, 1000\], got '-1'/);
      expect(await text(page, 'step')).toBe('3');
      await page.fill('[data-testid="input-lr"]', '0.5');
      await page.dispatchEvent('[data-testid="input-lr"]', 'change');
      expect(await text(page, 'error-lr')).toBe('');

      await setPlaying(page, true);
      await waitForLearned(page);
      await setPlaying(page, false);
      expect(await text(page, 'grad-verdict')).toBe('pass');
      // written with a true minus sign
      expect(Number((await text(page, 'grad-max-rel-error')).replace('−', '-'))).toBeLessThan(1e-2);
      await page.click('[data-testid="fd"]');
      await page.waitForSelector('text=finite differences');
      await page.screenshot({ path: `${ARTIFACTS}/page-webgpu.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it("&kernel= forces a kernel where it fits, and where it does not the banner says why and the chooser's pick trains", async () => {
    const { browser, page, errors, offLoopback } = await open(
      true,
      '?seed=1&hidden=8&lr=0.5&loss=bce&perFrame=50&point=1&kernel=steps',
    );
    try {
      await page.waitForFunction(() => document.querySelector('[data-testid="kernel"]')?.textContent !== '–');
      expect(await text(page, 'kernel')).toBe('steps');
      await expectDiagramMatches(page, initParams({ d: 2, H: 8 }, 1), 1);
      await browser.close();
      const second = await open(true, '?dataset=spiral&points=200&hidden=8&kernel=fused-subgroup');
      try {
        await second.page.waitForFunction(() => document.querySelector('[data-testid="kernel"]')?.textContent !== '–');
        expect(await text(second.page, 'banner')).toMatch(
          /^The link asks for the GPU kernel fused-subgroup, which cannot train this run \(N = 160 > 16; N counts the training points, the held-out ones aside\)\. The page's own pick trains instead, the fastest that can\./,
        );
        expect(await text(second.page, 'kernel')).not.toBe('fused-subgroup');
        expect(second.errors).toEqual([]);
      } finally {
        await second.browser.close();
      }
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('while it trains, the gradient panel opens with a mouse press and keeps keyboard focus (it is not rebuilt under them)', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?perFrame=20');
    try {
      await setPlaying(page, true);
      await waitForStepAbove(page, 20);
      const summary = page.locator('details.grad-more > summary');
      await page.locator('#gradients').scrollIntoViewIfNeeded();
      await summary.click({ delay: 90 }); // the pointer moves onto it, then a real press: down, 90 ms, up
      await page.waitForFunction(() => document.querySelector<HTMLDetailsElement>('details.grad-more')?.open === true);
      await summary.focus();
      const s0 = await stepNow(page);
      await waitForStepAbove(page, s0 + 40); // several frames go by
      expect(await page.evaluate(() => document.activeElement?.closest('#gradients') !== null)).toBe(true);
      expect(await text(page, 'play')).toMatch(/Pause/); // still playing
      await setPlaying(page, false); // paused: the panel shows the last step's numbers
      expect(await text(page, 'grad-verdict')).toMatch(/^(pass|fail)$/);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('without WebGPU: a banner says so, the CPU trains XOR in a Web Worker, and 20,000 steps a frame never block the page', async () => {
    const { browser, page, errors, offLoopback } = await open(false, '?perFrame=100');
    try {
      expect(await page.locator('[data-testid="banner"]').isVisible()).toBe(true);
      expect(await text(page, 'banner')).toMatch(
        /^This browser gives the page no WebGPU, so training runs on the CPU instead: it runs in the background \(a Web Worker\)/,
      );
      // plain words shown; the trainer's file only in the tooltip
      expect(await text(page, 'backend')).toBe('CPU, in the background');
      expect(await page.getByTestId('backend').getAttribute('title')).toContain('src/mlp/train/train-fast.ts');
      expect(await text(page, 'grad-panel')).not.toMatch(/src\/|oracle/);
      expect(await text(page, 'grad-panel')).toMatch(/No GPU side to compare/);
      await setPlaying(page, true);
      await waitForLearned(page);
      await setPlaying(page, false);
      await page.screenshot({ path: `${ARTIFACTS}/page-cpu-fallback.png`, fullPage: true });
      // 20,000 steps a frame of a 2-64-1 network would take seconds: the worker does what fits in its time budget a
      // frame, off the page's thread, and the page only draws.
      await setControl(page, 'hidden', '64');
      await page.focus('[data-testid="input-speed"]');
      await page.keyboard.press('End'); // the speed slider's top: as fast as it goes, 20,000 steps asked a frame
      await page.waitForFunction(() => document.querySelector('[data-testid="step"]')?.textContent === '0');
      await page.evaluate(() => {
        const w = window as unknown as { longestTask: number };
        w.longestTask = 0;
        new PerformanceObserver((l) =>
          l.getEntries().forEach((e) => (w.longestTask = Math.max(w.longestTask, e.duration))),
        ).observe({ type: 'longtask' });
      });
      await setPlaying(page, true);
      await waitForStepAbove(page, 50);
      await page.waitForTimeout(1500);
      const t0 = Date.now();
      await setPlaying(page, false);
      // uncapped, a frame is 20,000 steps (seconds here) and Pause waits for it; capped, ~30 ms of steps and a drawing
      expect(Date.now() - t0, 'ms from Pause clicked to paused').toBeLessThan(5000);
      const longest = await page.evaluate(() => (window as unknown as { longestTask: number }).longestTask);
      // the Long Tasks API reports only tasks over 50 ms: 0 means none was
      console.log(
        `without WebGPU, 2-64-1 at 20,000 steps a frame: longest main-thread task over 50 ms: ${longest ? `${Math.round(longest)} ms` : 'none'}`,
      );
      expect(longest, 'longest main-thread task, ms').toBeLessThan(250);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('after the GPU device is lost: a banner says so and the CPU engine carries on from the last state', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?perFrame=20');
    try {
      expect(await text(page, 'backend')).toMatch(/^WebGPU: /);
      await setPlaying(page, true);
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 100,
        null,
        { timeout: 60_000 },
      );
      const cdp = await browser.newBrowserCDPSession();
      await cdp.send('Browser.crashGpuProcess'); // a real device loss: Chromium's GPU process dies
      await page.waitForFunction(
        () => document.querySelector('[data-testid="backend"]')?.textContent?.startsWith('CPU'),
        null,
        { timeout: 60_000 },
      );
      expect(await text(page, 'banner')).toMatch(
        /GPU device was lost.*The run continues from step \d+, the last state read back\. Training runs on the CPU instead/,
      );
      expect(Number(await text(page, 'step'))).toBeGreaterThanOrEqual(100);
      expect(await text(page, 'grad-panel')).toMatch(/No GPU side to compare/);
      await setPlaying(page, true);
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.01,
        null,
        { timeout: 60_000 },
      );
      await page.screenshot({ path: `${ARTIFACTS}/page-device-lost.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('the map "Which networks learn XOR?" trains on WebGPU and a seed clicked in it loads into the live demo', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?seed=1');
    try {
      // The adapter the page names is the one Chromium reports, and the map's note follows from it.
      const info = await page.evaluate(async () => {
        const a = await navigator.gpu.requestAdapter();
        return a
          ? {
              vendor: a.info.vendor,
              architecture: a.info.architecture,
              device: a.info.device,
              description: a.info.description,
            }
          : null;
      });
      expect(info, 'Chromium offered no WebGPU adapter').not.toBeNull();
      const name = [info!.vendor, info!.architecture].filter(Boolean).join(' ');
      expect(await text(page, 'backend')).toBe(
        `WebGPU: ${name}${info!.description || info!.device ? ` (${info!.description || info!.device})` : ''}`,
      );
      const swiftshader =
        info!.architecture === 'swiftshader' || /swiftshader/i.test(`${info!.description} ${info!.device}`);
      expect(await text(page, 'sweep-note')).toMatch(
        swiftshader
          ? /^WebGPU runs on SwiftShader here.*capped at 256 here\.$/
          : /on the GPU at once.*capped at 4,096 here\.$/,
      );
      expect(await page.locator('[data-testid="sweep-seeds"] option:disabled').count()).toBe(swiftshader ? 2 : 0);

      // The estimate comes first, from a trial, and nothing long runs until the learner confirms it.
      const time = () => page.locator('[data-testid="sweep-time"]').innerText();
      const phase = () => page.locator('[data-testid="sweep-time"]').getAttribute('data-phase');
      await page.selectOption('[data-testid="sweep-seeds"]', '64');
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="sweep-time"]')?.getAttribute('data-phase') === 'confirm',
        null,
        { timeout: 60_000 },
      );
      expect(await time()).toMatch(/^about \d+ (s|min) for 8,192 networks × 2000 steps on .*Press Start, or Cancel\.$/);
      expect(await page.locator('[data-testid="sweep-run"]').innerText()).toMatch(/^Start \(about \d+ (s|min)\)$/);
      expect(await page.locator('[data-testid^="sweep-cell-"]').count()).toBe(0); // the trial draws nothing
      // Cancel at the question: not started, and the status says so
      await page.click('[data-testid="sweep-cancel"]');
      expect(await time()).toMatch(/^not started \(the estimate was about \d+ (s|min)\)$/);
      expect(await page.locator('[data-testid="sweep-run"]').innerText()).toBe('Train the whole map');
      // Cancel while training: at once "cancelling", then how far it got; never "running…" after
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="sweep-time"]')?.getAttribute('data-phase') === 'confirm',
        null,
        { timeout: 60_000 },
      );
      await page.click('[data-testid="sweep-run"]'); // Start
      expect(await phase()).toBe('running');
      await page.click('[data-testid="sweep-cancel"]');
      expect(await time()).toMatch(/^cancelling/);
      await page.waitForFunction(
        () =>
          /^cancelled after [\d.]+ s: \d+ of 128 cells done$/.test(
            document.querySelector('[data-testid="sweep-time"]')?.textContent ?? '',
          ),
        null,
        { timeout: 120_000 },
      );
      expect(await page.locator('[data-testid="sweep-run"]').isEnabled()).toBe(true);
      await page.selectOption('[data-testid="sweep-seeds"]', '16');
      expect(await time()).not.toMatch(/running/);

      // A small map, run to the end. How close the estimate came is printed, not asserted: both are wall
      // times on a machine other work shares, and speed is for the bench to measure, not for a test to time.
      // (The estimate's arithmetic, a + b·H fitted to the trial and scaled by seeds, is tested in tests/ui.test.ts.)
      await page.selectOption('[data-testid="sweep-seeds"]', '8');
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="sweep-time"]')?.getAttribute('data-phase') === 'confirm',
        null,
        { timeout: 60_000 },
      );
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(
        () =>
          /networks × 2000 steps in [\d.]+ s on /.test(
            document.querySelector('[data-testid="sweep-time"]')?.textContent ?? '',
          ),
        null,
        {
          timeout: 150_000,
        },
      );
      const estimate = Number(await page.locator('[data-testid="sweep-time"]').getAttribute('data-estimate'));
      const actual = Number(await page.locator('[data-testid="sweep-time"]').getAttribute('data-actual'));
      expect(estimate).toBeGreaterThan(0);
      expect(actual).toBeGreaterThan(0);
      console.log(`page map: estimated ${estimate.toFixed(1)} s, took ${actual.toFixed(1)} s`);
      expect(await text(page, 'sweep-time')).toMatch(/^1,024 networks × 2000 steps/);
      const cells = await page.$$eval('[data-testid^="sweep-cell-"]', (els) =>
        els.map((c) => ({
          id: c.getAttribute('data-testid')!,
          learned: Number((c as HTMLElement).dataset.learned),
          f: Number((c as HTMLElement).dataset.fraction),
        })),
      );
      expect(cells).toHaveLength(16 * 8);
      expect(cells.filter((c) => c.id.endsWith('-0.5'))).toHaveLength(16); // the demo's default rate has its column
      for (const c of cells)
        if (c.id.startsWith('sweep-cell-1-')) expect(c.learned, `${c.id}: one ReLU unit cannot separate XOR`).toBe(0);
      // A few cells against the CPU trained alone (f64, seeds 0..7): the same verdicts, give or take one edge seed.
      const cpu = sweepCpu(xor(), {
        widths: [2, 4, 8],
        rates: [0.5, 1],
        seeds: 8,
        seedBase: 0,
        steps: 2000,
        loss: 'bce',
      });
      for (const c of cpu) {
        const gpu = cells.find((g) => g.id === `sweep-cell-${c.hidden}-${c.lr}`)!;
        expect(
          Math.abs(gpu.learned - c.learned),
          `H = ${c.hidden}, lr = ${c.lr}: GPU ${gpu.learned}, CPU ${c.learned} of 8`,
        ).toBeLessThanOrEqual(1);
        expect(gpu.f).toBe(gpu.learned / 8);
      }
      expect(Math.max(...cells.map((c) => c.f))).toBeGreaterThan(0.5);
      expect(
        await page.locator('[data-testid="sweep-progress"]').evaluate((p) => (p as HTMLProgressElement).value),
      ).toBe(1);

      await page.click('[data-testid="sweep-cell-2-1"]');
      const seedButtons = page.locator('[data-testid="sweep-detail"] button.seed');
      expect(await seedButtons.count()).toBeGreaterThan(0);
      const seed = Number(await seedButtons.first().innerText());
      await seedButtons.first().click();
      await page.waitForFunction((s) => location.search.includes(`seed=${s}`), seed);
      expect(page.url()).toMatch(new RegExp(`hidden=2&lr=1&loss=bce&activation=relu&seed=${seed}&`));
      await page.waitForFunction(
        () =>
          JSON.parse(document.querySelector('[data-testid="diagram-z1"]')?.getAttribute('data-values') ?? '[]')
            .length === 2,
      );
      expect(await text(page, 'step')).toBe('0');
      expect(await page.inputValue('[data-testid="input-hidden"]')).toBe('2');
      expect(await page.inputValue('[data-testid="input-seed"]')).toBe(String(seed));
      const z1 = await diagramValues(page, 'z1');
      expect(z1).toHaveLength(2);
      await page.screenshot({ path: `${ARTIFACTS}/page-sweep.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 300_000);

  it('Play clicked as soon as the button exists trains, and the first screen shows Play and the boundary', async () => {
    const browser = await launch(true);
    const errors: string[] = [];
    const offLoopback: string[] = [];
    try {
      const page = await newPage(browser, DESKTOP, { errors, offLoopback });
      // WebGPU that takes three seconds to answer, as a cold GPU process can: Play lands while the page is starting.
      await page.addInitScript(() => {
        const gpu = navigator.gpu;
        const request = gpu.requestAdapter.bind(gpu);
        gpu.requestAdapter = (o) => new Promise((r) => setTimeout(r, 3000)).then(() => request(o));
      });
      await page.goto(`${base}?seed=2&hidden=8&perFrame=20`, { waitUntil: 'commit' });
      await page.click('[data-testid="play"]'); // as soon as it is there and enabled
      expect(
        await page.evaluate(() => (window as unknown as { backpropLab: { state(): string } }).backpropLab.state()),
      ).toBe('starting');
      expect(await isPlaying(page)).toBe(true);
      await waitForStepAbove(page, 20, 30_000);
      expect(await isPlaying(page)).toBe(true);
      // the toggle keeps focus
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('play');
      expect(await page.locator('[data-testid="step-once"]').isDisabled()).toBe(true);
      // Above the fold at 1400×900, without scrolling.
      // (Playwright may have scrolled to click Play before the styles arrived: look at the top of the page)
      await page.evaluate(() => scrollTo(0, 0));
      for (const id of ['play', 'boundary']) {
        const box = (await page.locator(`[data-testid="${id}"]`).boundingBox())!;
        expect(box.y + box.height, `${id} ends below the first screen`).toBeLessThanOrEqual(900);
      }
      // The pictures explain themselves: text alternatives that say what they show.
      expect(await page.locator('[data-testid="boundary"]').getAttribute('aria-label')).toMatch(
        /^Decision boundary: [0-4] of 4 points classified correctly/,
      );
      expect(await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label')).toMatch(
        /^Loss curve: [\d.e+-]+ at step 0, [\d.e+-]+ at step \d+\.$/,
      );
      expect(await page.locator('[data-testid="network"]').getAttribute('aria-label')).toMatch(
        /^Network 2-8-1: .* \d of 8 hidden units dead\.$/,
      );
      await page.screenshot({ path: `${ARTIFACTS}/first-screen-1400x900.png` });
      expect(await axeViolations(page)).toEqual([]);
      await setPlaying(page, false);
      expect(await axeViolations(page)).toEqual([]); // after training, with hints and panels filled
      // Keyboard only: Tab from the top reaches Play with a visible focus ring; Space plays, Space pauses, focus stays.
      await page.mouse.click(3, 3); // the top of the page: Tab starts from here
      const seen: string[] = [];
      while ((await page.evaluate(() => document.activeElement?.id)) !== 'play' && seen.length < 12) {
        await page.keyboard.press('Tab');
        seen.push(await page.evaluate(() => document.activeElement?.textContent?.trim() ?? ''));
      }
      expect(seen).toEqual([
        'Skip to the live demo',
        'Try it',
        'A warm-up',
        'The explainer',
        'The derivation',
        'Reading notes',
        'The source',
        'Play',
      ]);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('play');
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
      const before = await stepNow(page);
      await page.keyboard.press('Space');
      await waitForStepAbove(page, before + 20);
      await page.keyboard.press('Space');
      expect(await isPlaying(page)).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('play');
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  // Playback's guarantees hold on both backends: WebGPU, and the CPU trainer in its Web Worker where there is none.
  const BACKENDS = [
    ['with WebGPU', true],
    ['without WebGPU (the Web Worker)', false],
  ] as const;

  it.each(BACKENDS)(
    '%s: hidden width, seed and loss changed while playing: training goes on at the new settings, the URL follows, one trainer stays',
    async (_, webgpu) => {
      // 200 steps a second: a new run stays under step 40 for a few frames, long enough for the waits below to see it
      const { browser, page, errors, offLoopback } = await open(webgpu, '?seed=1&hidden=8&lr=0.5&loss=bce&speed=200');
      try {
        await setPlaying(page, true);
        await waitForStepAbove(page, 40);
        await setControl(page, 'hidden', '4');
        await page.waitForFunction(() =>
          /^Network 2-4-1/.test(document.querySelector('[data-testid="network"]')?.getAttribute('aria-label') ?? ''),
        );
        await waitForStepAbove(page, 40);
        expect(page.url()).toContain('hidden=4');

        await setControl(page, 'seed', '5');
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid="step"]')?.textContent) < 40,
          null,
          {
            timeout: 30_000,
          },
        );
        await waitForStepAbove(page, 40);
        expect(page.url()).toContain('seed=5');

        await setControl(page, 'loss', 'mse');
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid="step"]')?.textContent) < 40,
          null,
          {
            timeout: 30_000,
          },
        );
        await waitForStepAbove(page, 60);
        expect(page.url()).toContain('loss=mse');
        expect(await isPlaying(page)).toBe(true);
        // The run now on screen is H = 4, seed 5, MSE: its loss is the CPU's after as many steps.
        await setPlaying(page, false);
        await page.waitForTimeout(300);
        const k = await stepNow(page);
        const spec = { d: 2, H: 4 };
        const theta = initParams(spec, 5);
        for (let t = 0; t < k; t++) sgdUpdate(theta, lossAndGrads(spec, theta, xor(), 'mse').grads, 0.5);
        const want = lossValue('mse', forward(spec, theta, xor()), xor().y);
        expect(
          Math.abs(Number(await text(page, 'loss')) - want) / want,
          `loss at step ${k}: page ${await text(page, 'loss')}, CPU ${want}`,
        ).toBeLessThan(1e-2);

        // Six seed changes in a row while playing: one live trainer afterwards, no error, still training.
        await setPlaying(page, true);
        for (let seed = 10; seed < 16; seed++) await setControl(page, 'seed', String(seed));
        expect(page.url()).toContain('seed=15');
        await page.waitForFunction(
          () =>
            (window as unknown as { backpropLab: { running(): { seed: number } | null } }).backpropLab.running()
              ?.seed === 15,
          null,
          { timeout: 30_000 },
        );
        await page.waitForFunction(
          () => Number(document.querySelector('[data-testid="step"]')?.textContent) < 40,
          null,
          {
            timeout: 30_000,
          },
        ); // the new run is on screen
        await waitForStepAbove(page, 40);
        await page.waitForFunction(
          () => (window as unknown as { backpropLab: { liveSessions(): number } }).backpropLab.liveSessions() === 1,
          null,
          { timeout: 30_000 },
        );
        await page.waitForTimeout(500); // any straggling build would have landed by now
        expect(await liveSessions(page)).toBe(1);
        expect(
          await page.evaluate(
            () =>
              (window as unknown as { backpropLab: { running(): { seed: number } | null } }).backpropLab.running()
                ?.seed,
          ),
        ).toBe(15);
        if (webgpu) expect(await page.locator('[data-testid="banner"]').isHidden()).toBe(true);
        else expect(await text(page, 'banner')).toMatch(/^This browser gives the page no WebGPU/); // and nothing about the settings
        expect(await isPlaying(page)).toBe(true);

        // Only decimal numbers: hex is refused beside its field, and the run goes on.
        await setControl(page, 'hidden', '0x10');
        expect(await text(page, 'error-hidden')).toMatch(
          /hidden layers: layer 1's width must be an integer in \[1, 4096\], got "0x10"/,
        );
        expect(page.url()).toContain('hidden=4');
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    240_000,
  );

  it.each(BACKENDS)(
    "%s: the decision boundary after a reset equals a fresh load of the same URL, pixel for pixel; the guide's failing runs get hints",
    async (_, webgpu) => {
      const query = '?seed=3&hidden=8&lr=0.5&loss=bce&perFrame=50&point=1';
      const { browser, page, errors, offLoopback } = await open(webgpu, query);
      try {
        const fresh = await boundaryPixels(page);
        await setPlaying(page, true);
        await waitForStepAbove(page, 300);
        await setPlaying(page, false);
        expect(await boundaryPixels(page)).not.toBe(fresh); // training changed the picture
        await page.click('[data-testid="reset"]');
        await waitForStep(page, 0);
        expect(await boundaryPixels(page)).toBe(fresh);
        expect(await page.locator('[data-testid="loss-curve"]').getAttribute('aria-label')).toMatch(
          /^Loss curve: [\d.]+ at step 0, [\d.]+ at step 0\.$/,
        ); // the old run's history is gone
        const again = await newPage(browser, DESKTOP, { errors, offLoopback });
        await again.goto(`${base}${query}`);
        await firstSnapshot(again);
        expect(await boundaryPixels(again)).toBe(fresh);

        // The guide's failing runs, one click each, explained in plain words beside the stats.
        await again.click('[data-testid="try-fail"]');
        await again.waitForFunction(() => location.search.includes('hidden=2') && location.search.includes('seed=0'));
        await again.waitForSelector('[data-testid="hints"] li.hint-stuck', { timeout: 60_000 });
        expect(await again.locator('[data-testid="hints"]').innerText()).toMatch(
          /1 of 2 hidden units is dead: .*\nŷ is stuck near 0\.5 on every point/,
        );
        await again.click('a[data-pick="8,1000,1"]');
        await again.waitForSelector('[data-testid="hints"] li.hint-grows', { timeout: 60_000 });
        expect(await again.locator('li.hint-grows').innerText()).toMatch(
          /^The loss grew from 0\.\d+ at step 0 to \d+.*the learning rate 1000 is too large.*Lower the learning rate/,
        );
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    180_000,
  );

  it('a link with a bad setting: the banner names it and the default used; the next run no longer says so', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?hidden=0&seed=3');
    try {
      expect(await text(page, 'banner')).toMatch(
        /^Some settings in the link were refused and replaced by defaults: .*hidden.*\[1, 4096\]/,
      );
      expect(await page.locator('[data-testid="input-hidden"]').inputValue()).toBe('8');
      expect(page.url()).toContain('hidden=8');
      await setControl(page, 'seed', '4'); // a new run from settings the page itself chose
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="banner"]')?.hidden === true,
        null,
        { timeout: 30_000 },
      );
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('every link between the docs opens the document in the page, offline: none goes to a .md path the server answers with the page', async () => {
    const { browser, page, errors, offLoopback } = await open(false, '?seed=1');
    try {
      const titles: Record<string, RegExp> = {
        derivation: /^The derivation, line by line/,
        exercises: /^Exercises with worked answers/,
        checking: /^Appendix: how we know the numbers are right/,
        'reading-notes': /^Reading notes/,
        philosophy: /^A note on method/,
      };
      // the explainer's own links, by their words, then the links inside the documents they open
      const links: [string, string][] = [
        ['[data-testid="explainer"] a:text-is("the derivation")', 'derivation'],
        ['[data-testid="explainer"] a:text-is("Exercises with worked answers")', 'exercises'],
        ['[data-testid="explainer"] a:text-is("an appendix")', 'checking'],
        ['#doc-derivation .doc-body a[href="#doc-checking"]', 'checking'],
        ['#doc-exercises .doc-body a[href="#doc-derivation"]', 'derivation'],
        ['#doc-derivation .doc-body a[href="#doc-exercises"]', 'exercises'],
        ['#doc-reading-notes .doc-body a[href="#doc-derivation"]', 'derivation'],
      ];
      // the notes are opened from the header; their link is checked below
      await page.locator('#doc-reading-notes > summary').click();
      await page.waitForSelector('#doc-reading-notes .doc-body h2');
      for (const [selector, name] of links) {
        // the link must open it
        await page.evaluate((n) => ((document.querySelector(`#doc-${n}`) as HTMLDetailsElement).open = false), name);
        const link = page.locator(selector).first();
        expect(await link.getAttribute('href'), selector).toBe(`#doc-${name}`);
        await link.click();
        await page.waitForFunction(
          (n) => (document.querySelector(`#doc-${n}`) as HTMLDetailsElement | null)?.open === true,
          name,
        );
        await page.waitForSelector(`#doc-${name} .doc-body h2`); // its Markdown rendered
        const summary = page.locator(`#doc-${name} > summary`);
        expect(await summary.innerText()).toMatch(titles[name]!);
        await expect
          .poll(() =>
            summary.evaluate((e) => e.getBoundingClientRect().top >= -1 && e.getBoundingClientRect().top < innerHeight),
          )
          .toBe(true); // scrolled to its heading
        expect(new URL(page.url()).pathname).toBe('/');
      }
      // at 1400 px the explainer's diagram steps out of the 46rem column and shows whole: nothing to scroll, no hint
      const fig = await page.locator('[data-testid="explainer-diagram"]').evaluate((f) => {
        const sc = f.querySelector('.graph-scroll')!;
        return {
          overflow: sc.scrollWidth - sc.clientWidth,
          hint: (f.querySelector('.graph-hint') as HTMLElement).hidden,
          wider: f.getBoundingClientRect().width > f.parentElement!.getBoundingClientRect().width,
        };
      });
      expect(fig).toEqual({ overflow: 0, hint: true, wider: true });
      await page.locator('#doc-philosophy > summary').click();
      await page.waitForSelector('#doc-philosophy .doc-body p');
      const mdLinks = await page.evaluate(() =>
        [...document.querySelectorAll('a[href]')]
          .map((a) => a.getAttribute('href')!)
          .filter((h) => /\.md(#|$)/.test(h)),
      );
      expect(mdLinks, 'links to a .md path').toEqual([]);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('on a phone (390×844): the demo one tap away, nothing wider than the screen, 44 px targets, axe-clean', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?seed=1&hidden=8&perFrame=20', PHONE);
    try {
      await page.screenshot({ path: `${ARTIFACTS}/first-screen-390x844.png` });
      const tryIt = page.locator('[data-testid="try-it"]');
      expect((await tryIt.boundingBox())!.y + (await tryIt.boundingBox())!.height).toBeLessThanOrEqual(844);
      await tryIt.tap();
      await page.waitForFunction(
        () =>
          (document.querySelector('#play')?.getBoundingClientRect().top ?? -1) >= 0 &&
          (document.querySelector('#play')?.getBoundingClientRect().bottom ?? 1e9) <= innerHeight,
      );
      // the picture Play changes is on the same screen, whole, hints or not (they follow the pictures on a phone)
      const boundary = await page
        .locator('[data-testid="boundary"]')
        .evaluate((c) => [c.getBoundingClientRect().top, c.getBoundingClientRect().bottom, innerHeight]);
      expect(boundary[0]!, 'boundary top').toBeGreaterThanOrEqual(0);
      expect(boundary[1]!, 'boundary bottom').toBeLessThanOrEqual(boundary[2]!);
      expect(
        await page.evaluate(
          () =>
            document.querySelector('.hints')!.getBoundingClientRect().top >=
            document.querySelector('.panels')!.getBoundingClientRect().bottom,
        ),
      ).toBe(true);
      await setPlaying(page, true);
      await waitForStepAbove(page, 40);
      await setPlaying(page, false);
      expect(await pastRightEdge(page), 'elements past the right edge').toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const small = await page.evaluate(() =>
        [
          ...document.querySelectorAll(
            '.lead a, .guide a, article a, #demo button, #demo input, #demo select, #sweep .toolbar button, #sweep select',
          ),
        ]
          .filter((e) => e.checkVisibility() && e.getBoundingClientRect().height < 44) // a hidden control is no target
          .map(
            (e) =>
              `${e.tagName.toLowerCase()}[${e.getAttribute('data-testid') ?? e.textContent}] ${Math.round(e.getBoundingClientRect().height)} px`,
          ),
      );
      expect(small, 'tap targets under 44 px').toEqual([]);
      // the explainer's diagram must scroll here, and says so
      expect(await page.locator('[data-testid="explainer-diagram"] .graph-hint').isVisible()).toBe(true);
      const canvas = await page.locator('[data-testid="loss-curve"]').boundingBox();
      expect(canvas!.width).toBeLessThanOrEqual(390);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: `${ARTIFACTS}/demo-390x844.png` });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
