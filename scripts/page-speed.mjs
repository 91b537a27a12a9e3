/**
 * The page without WebGPU against the command line, on one network: the speed stat the page shows while playing, the
 * main thread's longest task (the Long Tasks API, which reports only tasks over 50 ms) and the longest gap between two
 * animation frames (every task on the main thread is shorter than it), and the CLI's fast trainer on the same training
 * points (`npm run train -- --backend cpu --data <them>`). Prints one JSON object; the figures are medians of --runs.
 *
 *   npm run build:cli && node scripts/page-speed.mjs [--query '?dataset=spiral&points=200&hidden=16&activation=tanh']
 *     [--runs 3] [--seconds 8]
 *
 * Needs the system Chromium (scripts/install-system-deps.sh). Headless Chromium without --enable-unsafe-webgpu has no
 * navigator.gpu, so the page trains in its Web Worker, as in a browser without WebGPU.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const { values: flags } = parseArgs({
  options: {
    query: { type: 'string', default: '?dataset=spiral&points=200&hidden=16&activation=tanh' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '8' },
  },
});
const runs = Number(flags.runs);
const seconds = Number(flags.seconds);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new RangeError(`--runs must be an integer in [1, 20]`);
if (!(seconds >= 2 && seconds <= 60)) throw new RangeError(`--seconds must be in [2, 60]`);
// as fast as it goes: the worker's time budget, not a rate, then sets the pace
const query = `${flags.query}${flags.query.includes('?') ? '&' : '?'}speed=max`;

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const outDir = 'dist/page-speed';
await build({ logLevel: 'silent', build: { outDir } });
const server = await preview({ logLevel: 'silent', build: { outDir }, preview: { host: '127.0.0.1', port: 0 } });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = { speed: [], longestTask: [], longestFrameGap: [] };
let settings;
let data;
try {
  for (let run = 0; run < runs; run++) {
    const tab = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await tab.goto(server.resolvedUrls.local[0] + query);
    await tab.waitForFunction(() => document.querySelector('[data-testid="loss"]')?.textContent !== '–', null, {
      timeout: 60_000,
    });
    const backend = await tab.locator('[data-testid="backend"]').innerText();
    if (!backend.startsWith('CPU')) throw new Error(`the page trains on "${backend}": not the case measured`);
    await tab.evaluate(() => {
      const w = window;
      w.speedProbe = { tasks: [], gaps: [], last: performance.now() };
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.speedProbe.tasks.push(e.duration))).observe({
        type: 'longtask',
      });
      const tick = (t) => {
        w.speedProbe.gaps.push(t - w.speedProbe.last);
        w.speedProbe.last = t;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await tab.click('[data-testid="play"]');
    await tab.waitForTimeout(seconds * 1000);
    const probe = await tab.evaluate(() => {
      const lab = window.backpropLab;
      return {
        ...window.speedProbe,
        speed: document.querySelector('[data-testid="speed"]').textContent,
        running: lab.running(),
        data: lab.data(),
      };
    });
    await tab.close();
    page.speed.push(Number(probe.speed.replace(/[^0-9]/g, '')));
    page.longestTask.push(Math.round(Math.max(0, ...probe.tasks)));
    // the first second holds the start (the first frames, the worker's first batch); the gaps after it are playing
    page.longestFrameGap.push(Math.round(Math.max(...probe.gaps.slice(60))));
    settings = probe.running;
    data = probe.data.train;
  }
} finally {
  await browser.close();
  await server.close();
}

// The same network on the same training points, on the command line's fast trainer.
const dir = mkdtempSync(join(tmpdir(), 'page-speed-'));
const cli = [];
try {
  const file = join(dir, 'train.json');
  const rows = Array.from({ length: data.N }, (_, n) => data.x.slice(n * data.d, (n + 1) * data.d));
  writeFileSync(file, JSON.stringify({ x: rows, y: data.y }));
  const args = ['dist/cli/train.js', '--backend', 'cpu', '--data', file, '--json', '--steps', '20000'];
  args.push('--hidden', settings.hidden.join(','), '--activation', settings.activation, '--loss', settings.loss);
  args.push('--lr', String(settings.lr), '--seed', String(settings.seed));
  for (let run = 0; run < runs; run++) {
    const out = JSON.parse(execFileSync('node', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    cli.push(Math.round(out.stepsPerSecond));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const result = {
  case: `no WebGPU, ${query}, ${data.N} training points`,
  network: `2-${settings.hidden.join('-')}-1 ${settings.activation}, ${settings.loss}`,
  pageStepsPerSecond: { median: median(page.speed), runs: page.speed },
  cliStepsPerSecond: { median: median(cli), runs: cli },
  cliOverPage: Number((median(cli) / median(page.speed)).toFixed(2)),
  longestTaskMs: {
    median: median(page.longestTask),
    runs: page.longestTask,
    note: 'Long Tasks API: 0 means no task over 50 ms',
  },
  longestFrameGapMs: { median: median(page.longestFrameGap), runs: page.longestFrameGap },
};
console.log(JSON.stringify(result, null, 2));
