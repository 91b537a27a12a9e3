/**
 * The page-test harness for test files beyond page.test.ts: the built page in
 * the system Chromium (playwright-core), each page recording console errors and
 * requests off loopback, axe-core, and the learner's moves (set a control,
 * play, wait for steps).
 */
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const BASE_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const DESKTOP = { width: 1400, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface Opened {
  browser: Browser;
  page: Page;
  errors: string[];
  offLoopback: string[];
}

export async function launch(webgpu: boolean): Promise<Browser> {
  return chromium
    .launch({ executablePath: CHROMIUM, args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS })
    .catch((e: Error) => {
      throw new Error(`cannot start ${CHROMIUM} (install it: apt-get install -y chromium): ${e.message}`);
    });
}

/** A new page that records console errors and requests off loopback into `o`. */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number },
  o: Pick<Opened, 'errors' | 'offLoopback'>,
): Promise<Page> {
  const phone = viewport.width === PHONE.width;
  const page = await browser.newPage({
    viewport,
    ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
  });
  page.on('console', (m) => m.type() === 'error' && o.errors.push(m.text()));
  page.on('pageerror', (e) => o.errors.push(String(e)));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== '127.0.0.1') o.offLoopback.push(r.url());
  });
  return page;
}

export const firstSnapshot = (page: Page) =>
  page.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–', null, {
    timeout: 60_000,
  });

export async function open(url: string, viewport = DESKTOP, webgpu = true): Promise<Opened> {
  const browser = await launch(webgpu);
  const o = { browser, errors: [] as string[], offLoopback: [] as string[] };
  const page = await newPage(browser, viewport, o);
  await page.goto(url);
  await firstSnapshot(page);
  return { ...o, page };
}

export const text = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`).first().innerText();
export const stepNow = async (page: Page) => Number(await text(page, 'step'));

export async function setPlaying(page: Page, playing: boolean): Promise<void> {
  const now = async () => (await page.locator('[data-testid="play"]').getAttribute('aria-pressed')) === 'true';
  if ((await now()) !== playing) await page.click('[data-testid="play"]');
  expect(await now()).toBe(playing);
  // Paused means the numbers stay: wait for the frame in flight, if any, to be drawn ("pausing" → "idle").
  if (!playing)
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state !== 'pausing',
      null,
      { timeout: 30_000 },
    );
}

export async function waitForStepAbove(page: Page, atLeast: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="step"]')?.textContent) > n, atLeast, {
    timeout,
  });
}

/** Sets a control as a learner does: choose, or type and commit (change). */
export async function setControl(page: Page, name: string, value: string): Promise<void> {
  const sel = `[data-testid="input-${name}"]`;
  // a control in a closed fold ("More settings"): open it, as a learner would
  const fold = page.locator(`details.fold:not([open]):has(${sel}) > summary`);
  if ((await fold.count()) > 0) await fold.first().click();
  if ((await page.locator(sel).evaluate((e) => e.tagName)) === 'SELECT') await page.selectOption(sel, value);
  else {
    await page.fill(sel, value);
    await page.dispatchEvent(sel, 'change');
  }
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

/** Elements past the right edge of the window, not inside a region that scrolls or clips sideways. */
export async function pastRightEdge(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const clipped = (e: Element) => {
      for (let p = e.parentElement; p; p = p.parentElement)
        if (
          ['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX) &&
          p !== document.body &&
          p !== document.documentElement
        )
          return true;
      return false;
    };
    return [...document.querySelectorAll('body *')]
      .filter(
        (e) => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > innerWidth + 0.5 && !clipped(e),
      )
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className} right=${Math.round(e.getBoundingClientRect().right)}`,
      );
  });
}
