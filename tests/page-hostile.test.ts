import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launch,
  newPage,
  type Opened,
  setControl,
  setPlaying,
  stepNow,
  text,
  waitForStepAbove,
} from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

/**
 * Links and files too big for the page: the tab must keep answering whatever it is asked, and a run whose snapshots
 * the page cannot check against the oracle every frame is refused beside its field, naming the limit, instead of
 * freezing or crashing the tab, on either backend.
 */
let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('hostile');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

const THE_LINK = '?hidden=4096&dataset=spiral&points=2000';
const LIMIT =
  /The page checks every snapshot against the f64 oracle on its own thread, which keeps it answering up to 4,000,000 training points × parameters/;

type Lab = { backpropLab: { state(): string; running(): { hidden: number[] } | null } };
const state = (page: Page) => page.evaluate(() => (window as unknown as Lab).backpropLab.state());

/** Opens the page without waiting for numbers (a refused first run has none): until its first run is in or refused. */
async function openQuery(query: string, webgpu: boolean): Promise<Opened> {
  const browser = await launch(webgpu);
  const o = { browser, errors: [] as string[], offLoopback: [] as string[] };
  const page = await newPage(browser, { width: 1400, height: 900 }, o);
  await page.goto(`${base}${query}`);
  await page.waitForFunction(
    () => {
      const lab = (window as unknown as Partial<Lab>).backpropLab;
      return lab !== undefined && !['starting', 'resetting'].includes(lab.state());
    },
    null,
    { timeout: 120_000 },
  );
  return { ...o, page };
}

/**
 * Asks the page to evaluate a script every half second for `seconds`: each must be answered within 1 s
 * (a tab busy with one long step, or crashed, answers late or never). Returns the slowest answer, in ms.
 */
async function keepsAnswering(page: Page, seconds = 10): Promise<number> {
  const until = Date.now() + 1000 * seconds;
  let slowest = 0;
  while (Date.now() < until) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 1000)));
    const answer = await Promise.race([page.evaluate(() => document.readyState), late]).finally(() =>
      clearTimeout(timer),
    );
    expect(answer, `the page answered within 1 s, ${Math.round((Date.now() - until) / 1000 + seconds)} s in`).toBe(
      'complete',
    );
    slowest = Math.max(slowest, Date.now() - t0);
    await new Promise((r) => setTimeout(r, 500)); // the probe's interval
  }
  return slowest;
}

/** What the page says beside the fields and in the banner, joined. */
const said = async (page: Page) =>
  (
    await Promise.all(
      ['error-hidden', 'error-points', 'error-upload', 'banner'].map((id) => text(page, id).catch(() => '')),
    )
  ).join('\n');

/** A CSV of `rows` points with d = 2, labels 0 and 1 alternating. */
function bigCsv(rows: number): Buffer {
  const lines = ['x1,x2,y'];
  for (let n = 0; n < rows; n++) lines.push(`${((n * 37) % 1000) / 500 - 1},${((n * 53) % 1000) / 500 - 1},${n % 2}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('without WebGPU: the page refuses what it cannot check every frame, and the CPU trains the rest off its thread', () => {
  for (const extra of ['', '&perFrame=20000&lr=1000']) {
    it(`${THE_LINK}${extra}, then Play: refused beside the hidden field naming the limit; the tab keeps answering`, async () => {
      const { browser, page, errors, offLoopback } = await openQuery(`${THE_LINK}${extra}`, false);
      try {
        expect(await state(page)).toBe('failed');
        await page.click('[data-testid="play"]');
        const slowest = await keepsAnswering(page);
        expect(await state(page)).toBe('failed');
        const beside = await text(page, 'error-hidden');
        expect(beside).toMatch(LIMIT);
        expect(beside).toMatch(
          /1,600 training points at hidden width 4096 make 26,216,000\. To train here, lower the hidden width H to at most 624, or lower the points N to at most 305 /,
        );
        expect(await page.locator('[data-testid="input-hidden"]').getAttribute('aria-invalid')).toBe('true');
        expect(await text(page, 'banner')).toMatch(LIMIT);
        expect(await text(page, 'step'), 'Play tried a new run, refused: no run, so no step').toBe('–');
        // the learner follows the advice: H = 624 on the 1,600 points fits, and it trains in the worker
        await setControl(page, 'hidden', '624');
        await page.waitForFunction(
          () => (window as unknown as Lab).backpropLab.running()?.hidden.join() === '624',
          null,
          { timeout: 60_000 },
        );
        expect(await text(page, 'error-hidden')).toBe('');
        expect(await text(page, 'error-points')).toBe('');
        expect(await page.locator('.banner-failure').count()).toBe(0);
        await setPlaying(page, true);
        await waitForStepAbove(page, 5);
        await setPlaying(page, false);
        console.log(`${THE_LINK}${extra} without WebGPU: slowest answer ${slowest} ms`);
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);
  }

  it('while XOR plays: H = 4096 on a big set and a 200,000-row file are refused beside their fields, and the run goes on', async () => {
    const { browser, page, errors, offLoopback } = await openQuery('?perFrame=20&dataset=spiral&points=2000', false);
    try {
      await setPlaying(page, true);
      await waitForStepAbove(page, 5);
      await setControl(page, 'hidden', '4096');
      expect(await text(page, 'error-hidden')).toMatch(LIMIT);
      expect(await text(page, 'error-hidden')).toMatch(
        /1,600 training points at hidden width 4096 make 26,216,000\. To train here, lower the hidden width H to at most 624/,
      );
      expect(page.url()).toContain('hidden=8');
      const s0 = await stepNow(page);
      await waitForStepAbove(page, s0 + 5);
      await page.setInputFiles('[data-testid="input-upload"]', {
        name: 'rows.csv',
        mimeType: 'text/csv',
        buffer: bigCsv(200_000),
      });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="error-upload"]')?.textContent !== '',
        null,
        { timeout: 60_000 },
      );
      expect(await text(page, 'error-upload')).toMatch(
        /^rows\.csv: The page checks every snapshot .*160,000 training points at hidden width 8 make 5,280,000\. .*use a file of at most 151,515 rows/,
      );
      expect(await keepsAnswering(page, 5)).toBeLessThan(1000);
      const s1 = await stepNow(page);
      await waitForStepAbove(page, s1 + 5);
      expect(await state(page)).toBe('playing');
      expect(await page.locator('[data-testid="data-note"]').innerText()).toMatch(/spiral/);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});

describe('with WebGPU (SwiftShader): a run the GPU cannot start is refused, or trains on the GPU', () => {
  it('with WebGPU, while XOR plays: H = 4096 on 1,600 spiral points is refused beside H, and the run goes on', async () => {
    const { browser, page, errors, offLoopback } = await openQuery(
      '?perFrame=20&dataset=spiral&points=2000&hidden=8',
      true,
    );
    try {
      expect(await text(page, 'backend')).toMatch(/^WebGPU/);
      await setPlaying(page, true);
      await waitForStepAbove(page, 5);
      await setControl(page, 'hidden', '4096');
      expect(await text(page, 'error-hidden')).toMatch(
        /^The page checks every snapshot against the f64 oracle on its own thread, .*1,600 training points at hidden width 4096 make 26,216,000\. To train here, lower the hidden width H to at most 624/,
      );
      expect(page.url()).toContain('hidden=8');
      const s0 = await stepNow(page);
      await waitForStepAbove(page, s0 + 5);
      expect(await state(page)).toBe('playing');
      expect(await keepsAnswering(page, 3)).toBeLessThan(1000);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  /**
   * The GPU trains it (the backend line says WebGPU and steps go by), or a refusal names its limit beside a field:
   * the page's per-frame oracle check (src/ui/session.ts's ORACLE_FRAME_MAX).
   */
  async function trainsOnGpuOrRefuses(page: Page, field: 'error-points' | 'error-upload'): Promise<string> {
    if ((await state(page)) !== 'failed' && (await text(page, 'backend')).startsWith('WebGPU')) {
      await setPlaying(page, true);
      await waitForStepAbove(page, 1, 120_000);
      return 'trained on the GPU';
    }
    expect(await state(page)).toBe('failed');
    const said = (await text(page, field)) || (await text(page, 'error-hidden'));
    expect(said).toMatch(
      /^(rows\.csv: )?The page checks every snapshot against the f64 oracle on its own thread, .*up to 4,000,000 training points × parameters; .* To train here, lower the hidden width H to at most \d+/,
    );
    return `refused: ${said}`;
  }

  for (const extra of ['', '&perFrame=20000&lr=1000']) {
    it(`${THE_LINK}${extra}, then Play: the tab keeps answering`, async () => {
      const { browser, page, errors, offLoopback } = await openQuery(`${THE_LINK}${extra}`, true);
      try {
        await page.click('[data-testid="play"]');
        const slowest = await keepsAnswering(page);
        console.log(
          `${THE_LINK}${extra} with WebGPU: slowest answer ${slowest} ms; ${await trainsOnGpuOrRefuses(page, 'error-points')}`,
        );
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);
  }

  it('a 100,000-row file through the file input: the tab keeps answering', async () => {
    const { browser, page, errors, offLoopback } = await openQuery('?perFrame=20', true);
    try {
      await page.setInputFiles('[data-testid="input-upload"]', {
        name: 'rows.csv',
        mimeType: 'text/csv',
        buffer: bigCsv(100_000),
      });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="data-note"]')?.textContent?.includes('rows.csv'),
        null,
        { timeout: 60_000 },
      );
      await page.click('[data-testid="play"]');
      const slowest = await keepsAnswering(page);
      await page.waitForFunction(
        () => !['starting', 'resetting'].includes((window as unknown as Lab).backpropLab.state()),
        null,
        { timeout: 120_000 },
      );
      const verdict = await trainsOnGpuOrRefuses(page, 'error-upload');
      console.log(`100,000 rows with WebGPU: slowest answer ${slowest} ms; ${verdict}`);
      if (verdict.startsWith('trained')) {
        // Pause answers within about a frame: a frame asks for no more steps than the last ones took 200 ms for
        const t0 = Date.now();
        await setPlaying(page, false);
        expect(Date.now() - t0, 'ms from Pause to paused').toBeLessThan(10_000);
        // 80,000 training points and 20,000 held out: a sample of each drawn, every one counted, and said so
        const label = (await page.locator('[data-testid="boundary"]').getAttribute('aria-label')) ?? '';
        expect(label).toMatch(/of 80000 points classified correctly/);
        expect(label).toMatch(/One training point in 40 is drawn; all 80,000 are counted\./);
        expect(label).toMatch(/One test point in 10 is drawn; all 20,000 are counted\./);
      }
      expect(await said(page)).not.toMatch(/NaN|undefined|null/);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('a size the GPU cannot hold but the CPU can (XOR, H = 700) trains on the CPU for that run only; the next run is back on the GPU', async () => {
    const { browser, page, errors, offLoopback } = await openQuery('?hidden=700&perFrame=20', true);
    try {
      expect(await state(page)).toBe('idle');
      const backend = await text(page, 'backend');
      if (backend.startsWith('CPU')) {
        expect(await text(page, 'banner')).toMatch(
          /^The GPU could not start this run: .*This run trains on the CPU instead, and the next one the GPU can hold goes back to it/,
        );
        await setPlaying(page, true);
        await waitForStepAbove(page, 3);
        await setPlaying(page, false);
      }
      await setControl(page, 'hidden', '8');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.running()?.hidden.join() === '8', null, {
        timeout: 60_000,
      });
      expect(await text(page, 'backend')).toMatch(/^WebGPU: /);
      expect(await page.locator('[data-testid="banner"]').isVisible()).toBe(false);
      console.log(`H = 700 with WebGPU ran on the ${backend.startsWith('CPU') ? 'CPU' : 'GPU'}; H = 8 on the GPU`);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('hidden=4097 (one over the maximum) is refused beside its field with the default used; perFrame=20000 (the old maximum) is read as speed=max', async () => {
    const { browser, page, errors, offLoopback } = await openQuery(
      '?hidden=4097&perFrame=20000&points=3&dataset=circle',
      true,
    );
    try {
      expect(await text(page, 'error-hidden')).toBe(
        'hidden layers: layer 1\'s width must be an integer in [1, 4096], got "4097"; the default 8 is used',
      );
      expect(await text(page, 'error-points')).toBe(
        "points N must be an integer in [4, 2000], got '3'; the default 200 is used",
      );
      expect(await page.locator('[data-testid="input-hidden"]').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('[data-testid="input-hidden"]').inputValue()).toBe('8');
      expect(await text(page, 'speed-words')).toBe('as fast as it goes');
      expect(await text(page, 'error-speed')).toBe('');
      expect(page.url()).toMatch(/hidden=8&.*speed=max&.*points=200&/);
      // the next run no longer says so, as the banner does not
      await setControl(page, 'seed', '2');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="error-hidden"]')?.textContent === '',
        null,
        { timeout: 60_000 },
      );
      expect(await text(page, 'error-points')).toBe('');
      expect(await page.locator('[data-testid="input-hidden"]').getAttribute('aria-invalid')).toBeNull();
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);
});
