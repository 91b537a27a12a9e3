/**
 * A fixture page (tests/fixtures/NAME/index.html) served by Vite's dev server and opened in headless Chromium, for
 * tests of one part of the page alone. `ready` names the global the fixture sets once it can draw.
 */
import { type Browser, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface FixturePage {
  page: Page;
  close(): Promise<void>;
}

export async function openFixture(name: string, ready: string): Promise<FixturePage> {
  const server: ViteDevServer = await createServer({
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const base = server.resolvedUrls?.local[0] ?? '';
  const browser: Browser = await chromium
    .launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    .catch((e: Error) => {
      throw new Error(`cannot start ${CHROMIUM} (install it: apt-get install -y chromium): ${e.message}`);
    });
  const page = await browser.newPage();
  await page.goto(`${base}tests/fixtures/${name}/index.html`);
  await page.waitForFunction((g) => g in window, ready, { timeout: 60_000 });
  return {
    page,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
