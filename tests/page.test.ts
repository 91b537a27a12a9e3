import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { excess, TOLERANCES } from '../src/mlp/compare.js';
import { xor } from '../src/mlp/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { paramLayout } from '../src/mlp/spec.js';

/**
 * The built page in the system Chromium, driven by playwright-core: once with
 * WebGPU (SwiftShader where there is no GPU) and once without. Screenshots go to
 * test-artifacts/. Every request must stay on loopback.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = 'test-artifacts';

let server: PreviewServer;
let base: string;

beforeAll(async () => {
  await build({ logLevel: 'silent' });
  server = await preview({ logLevel: 'silent', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  base = server.resolvedUrls?.local[0] ?? '';
  expect(base, 'vite preview did not report a loopback URL').toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);
afterAll(async () => server?.close());

interface Opened {
  browser: Browser;
  page: Page;
  errors: string[];
  offLoopback: string[];
}

async function open(webgpu: boolean, query: string): Promise<Opened> {
  const browser = await chromium
    .launch({ executablePath: CHROMIUM, args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS })
    .catch((e: Error) => {
      throw new Error(`cannot start ${CHROMIUM} (install it: apt-get install -y chromium): ${e.message}`);
    });
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const errors: string[] = [];
  const offLoopback: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== '127.0.0.1') offLoopback.push(r.url());
  });
  await page.goto(`${base}${query}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–', null, { timeout: 60_000 });
  return { browser, page, errors, offLoopback };
}

const text = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`).first().innerText();
const diagramValues = async (page: Page, id: string): Promise<number[]> =>
  JSON.parse((await page.locator(`[data-testid="diagram-${id}"]`).getAttribute('data-values')) ?? 'null') as number[];

async function waitForStep(page: Page, step: number): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('[data-testid="step"]')?.textContent === String(s), step, { timeout: 30_000 });
}

/** Until the page shows XOR learned: loss below 0.01 and 100% accuracy. */
async function waitForLearned(page: Page): Promise<void> {
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.01 && document.querySelector('[data-testid="accuracy"]')?.textContent === '100%',
    null,
    { timeout: 90_000 },
  );
}

/** The diagram's numbers for point n against the CPU oracle at the same parameters. */
async function expectDiagramMatches(page: Page, params: Float64Array, n: number): Promise<void> {
  const spec = { d: 2, H: 8 };
  const data = xor();
  const r = lossAndGrads(spec, params, data, 'bce');
  const L = paramLayout(spec);
  const H = 8;
  const expected: Record<string, number[]> = {
    x: Array.from(data.x.subarray(2 * n, 2 * n + 2)),
    z1: Array.from(r.cache.z1.subarray(n * H, (n + 1) * H)),
    a1: Array.from(r.cache.a1.subarray(n * H, (n + 1) * H)),
    z2: [r.cache.z2[n]!],
    yHat: [r.cache.yHat[n]!],
    dz2: [r.dz2[n]!],
    da1: Array.from(r.da1.subarray(n * H, (n + 1) * H)),
    dz1: Array.from(r.dz1.subarray(n * H, (n + 1) * H)),
    dW1: Array.from(r.grads.subarray(L.W1.offset, L.W1.offset + L.W1.length)),
    db1: Array.from(r.grads.subarray(L.b1.offset, L.b1.offset + H)),
    dW2: Array.from(r.grads.subarray(L.W2.offset, L.W2.offset + H)),
    db2: [r.grads[L.b2.offset]!],
  };
  for (const [id, want] of Object.entries(expected)) {
    const got = await diagramValues(page, id);
    expect(got, `diagram-${id}`).toHaveLength(want.length);
    got.forEach((v, i) => expect(excess(v, want[i]!, TOLERANCES.gpuVsCpu), `diagram-${id}[${i}]: page ${v}, CPU ${want[i]}`).toBeLessThanOrEqual(1));
  }
}

describe('the page in headless Chromium', () => {
  it('with WebGPU: trains XOR, its diagram matches the CPU oracle, its gradient panel passes', async () => {
    const { browser, page, errors, offLoopback } = await open(true, '?seed=1&hidden=8&lr=0.5&loss=bce&perFrame=50&point=1');
    try {
      expect(await text(page, 'backend')).toMatch(/^WebGPU: /);
      expect(await page.locator('[data-testid="banner"]').isHidden()).toBe(true);
      expect(await text(page, 'explainer')).toContain('Backprop as a computation graph + local Jacobians');

      // Step 0, then three single steps: the diagram shows the running network's numbers.
      const theta = initParams({ d: 2, H: 8 }, 1);
      await expectDiagramMatches(page, theta, 1);
      for (let k = 1; k <= 3; k++) {
        await page.click('[data-testid="step-once"]');
        await waitForStep(page, k);
      }
      for (let t = 0; t < 3; t++) sgdUpdate(theta, lossAndGrads({ d: 2, H: 8 }, theta, xor(), 'bce').grads, 0.5);
      await expectDiagramMatches(page, theta, 1);
      await page.selectOption('[data-testid="input-point"]', '3');
      await expectDiagramMatches(page, theta, 3);
      expect(page.url()).toContain('point=3');

      // A bad value is refused beside its control, and the run goes on.
      await page.fill('[data-testid="input-lr"]', '-1');
      await page.dispatchEvent('[data-testid="input-lr"]', 'change');
      expect(await text(page, 'error-lr')).toMatch(/learning rate must be a finite number in \(0, 1000\], got '-1'/);
      expect(await text(page, 'step')).toBe('3');
      await page.fill('[data-testid="input-lr"]', '0.5');
      await page.dispatchEvent('[data-testid="input-lr"]', 'change');
      expect(await text(page, 'error-lr')).toBe('');

      await page.click('[data-testid="play"]');
      await waitForLearned(page);
      await page.click('[data-testid="pause"]');
      expect(await text(page, 'grad-verdict')).toBe('pass');
      expect(Number(await text(page, 'grad-max-rel-error'))).toBeLessThan(1e-2);
      await page.click('[data-testid="fd"]');
      await page.waitForSelector('text=finite differences');
      await page.screenshot({ path: `${ARTIFACTS}/page-webgpu.png`, fullPage: true });
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('without WebGPU: a banner says so and the CPU engine trains XOR', async () => {
    const { browser, page, errors, offLoopback } = await open(false, '?perFrame=100');
    try {
      expect(await page.locator('[data-testid="banner"]').isVisible()).toBe(true);
      expect(await text(page, 'banner')).toMatch(/No WebGPU here: .*Training runs on the CPU engine instead/);
      expect(await text(page, 'backend')).toMatch(/^CPU: scalar autograd engine/);
      expect(await text(page, 'grad-panel')).toMatch(/No GPU side to compare/);
      await page.click('[data-testid="play"]');
      await waitForLearned(page);
      await page.click('[data-testid="pause"]');
      await page.screenshot({ path: `${ARTIFACTS}/page-cpu-fallback.png`, fullPage: true });
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
      await page.click('[data-testid="play"]');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 100, null, { timeout: 60_000 });
      const cdp = await browser.newBrowserCDPSession();
      await cdp.send('Browser.crashGpuProcess'); // a real device loss: Chromium's GPU process dies
      await page.waitForFunction(() => document.querySelector('[data-testid="backend"]')?.textContent?.startsWith('CPU'), null, { timeout: 60_000 });
      expect(await text(page, 'banner')).toMatch(/GPU device was lost.*The run continues from step \d+, the last state read back\. Training runs on the CPU engine instead/);
      expect(Number(await text(page, 'step'))).toBeGreaterThanOrEqual(100);
      expect(await text(page, 'grad-panel')).toMatch(/No GPU side to compare/);
      await page.click('[data-testid="play"]');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="loss"]')?.textContent) < 0.01, null, { timeout: 60_000 });
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
      expect(await text(page, 'sweep-note')).toMatch(/SwiftShader|GPU/);
      await page.selectOption('[data-testid="sweep-seeds"]', '8');
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(() => /networks × 2000 steps in [\d.]+ s on /.test(document.querySelector('[data-testid="sweep-time"]')?.textContent ?? ''), null, {
        timeout: 150_000,
      });
      expect(await text(page, 'sweep-time')).toMatch(/^896 networks × 2000 steps/);
      const fractions = await page.$$eval('[data-testid^="sweep-cell-"]', (cells) => cells.map((c) => [c.getAttribute('data-testid'), Number((c as HTMLElement).dataset.fraction)] as const));
      expect(fractions).toHaveLength(16 * 7);
      for (const [, f] of fractions) expect(f >= 0 && f <= 1).toBe(true);
      for (const [id, f] of fractions) if (id!.startsWith('sweep-cell-1-')) expect(f, `${id}: one ReLU unit cannot separate XOR`).toBe(0);
      expect(Math.max(...fractions.map(([, f]) => f))).toBeGreaterThan(0.5);
      expect(await page.locator('[data-testid="sweep-progress"]').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);

      await page.click('[data-testid="sweep-cell-2-1"]');
      const seedButtons = page.locator('[data-testid="sweep-detail"] button.seed');
      expect(await seedButtons.count()).toBeGreaterThan(0);
      const seed = Number(await seedButtons.first().innerText());
      await seedButtons.first().click();
      await page.waitForFunction((s) => location.search.includes(`seed=${s}`), seed);
      expect(page.url()).toMatch(new RegExp(`hidden=2&lr=1&loss=bce&seed=${seed}&`));
      await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="diagram-z1"]')?.getAttribute('data-values') ?? '[]').length === 2);
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
  }, 240_000);
});
