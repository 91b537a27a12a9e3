/**
 * The network a learner builds on the page (issue 21): several hidden layers, regression, mini-batches and L1/L2, set
 * by the link or by the controls, on WebGPU and on the CPU engine. Each run is checked against the matrix form's run of
 * the same settings (src/mlp/train/train-matrix.ts), an independent implementation of the same steps.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, roundToF32 } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { penaltyValue } from '../src/mlp/objective.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import type { TrainingOptions } from '../src/mlp/train/training-run.js';
import {
  axeViolations,
  open,
  pastRightEdge,
  PHONE,
  setControl,
  setPlaying,
  text,
  waitForStepAbove,
} from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('model');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

interface PlainData {
  d: number;
  N: number;
  x: number[];
  y: number[];
}
interface Shown {
  step: number;
  params: number[];
  hidden: number[];
  batch: number;
  kernel: string;
}
type Lab = {
  backpropLab: {
    snapshot(): Shown | null;
    data(): { train: PlainData };
    running(): {
      hidden: number[];
      batch: unknown;
      reg: string;
      lambda: number;
      problem: string;
      loss: string;
      seed: number;
    } | null;
  };
};

const shown = (page: Page) => page.evaluate(() => (window as unknown as Lab).backpropLab.snapshot()!);
const running = (page: Page) => page.evaluate(() => (window as unknown as Lab).backpropLab.running()!);
const trainData = async (page: Page): Promise<Dataset> => {
  const t = await page.evaluate(() => (window as unknown as Lab).backpropLab.data().train);
  return { d: t.d, N: t.N, x: Float64Array.from(t.x), y: Float64Array.from(t.y) };
};

/** Plays until past `steps`, pauses, and returns the snapshot drawn then. */
async function trainPast(page: Page, steps: number): Promise<Shown> {
  await setPlaying(page, true);
  await waitForStepAbove(page, steps);
  await setPlaying(page, false);
  return shown(page);
}

/** The matrix form's run of the same settings from the same initial parameters, `steps` steps. */
function oracleRun(data: Dataset, options: TrainingOptions & { seed: number; hidden: number[] }, steps: number) {
  const params = initModelParams({ d: data.d, hidden: options.hidden }, options.seed);
  const trainer = new MatrixTrainer(data, params, options);
  trainer.step(steps);
  return trainer.params;
}

/** Largest |a − b| / (atol + rtol·|b|) over the elements: ≤ 1 means close. */
function worst(a: readonly number[] | Float64Array, b: Float64Array, atol: number, rtol: number): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let k = 0; k < b.length; k++) w = Math.max(w, Math.abs(a[k]! - b[k]!) / (atol + rtol * Math.abs(b[k]!)));
  return w;
}

describe('the network a learner builds, from the link', () => {
  it('hidden=4,4 with tanh on the spiral trains two hidden layers on the GPU, as the matrix form does', async () => {
    const { browser, page, errors, offLoopback } = await open(
      `${base}?hidden=4,4&activation=tanh&dataset=spiral&lr=0.3&seed=3&perFrame=10`,
    );
    try {
      const s = await trainPast(page, 30);
      expect(s.hidden).toEqual([4, 4]);
      expect(s.kernel, 'two layers train on the general kernel').toBe('layers');
      expect(await text(page, 'banner')).toBe('');
      const data = roundToF32(await trainData(page));
      const want = oracleRun(data, { hidden: [4, 4], lr: 0.3, loss: 'bce', activation: 'tanh', seed: 3 }, s.step);
      // GPU (f32) against the matrix form (f64) after s.step chained steps: tests/gpu-layers.test.ts bounds each step
      expect(worst(s.params, want, 2e-6, 1e-4)).toBeLessThanOrEqual(1);
      expect(Number(await text(page, 'loss'))).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(offLoopback).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('batch=3&reg=l2&lambda=0.01: the epoch, both loss terms and every parameter are those of that run', async () => {
    const { browser, page, errors } = await open(`${base}?batch=3&reg=l2&lambda=0.01&seed=2&perFrame=7`);
    try {
      const s = await trainPast(page, 20);
      expect(s.batch).toBe(3);
      const data = roundToF32(await trainData(page));
      const options = { hidden: [8], lr: 0.5, loss: 'bce' as const, seed: 2, batch: 3, l2: 0.01 };
      const want = oracleRun(data, options, s.step);
      expect(worst(s.params, want, 2e-6, 1e-4)).toBeLessThanOrEqual(1);
      // the same steps on the full batch without the penalty end elsewhere: the check can tell the runs apart
      const plain = oracleRun(data, { ...options, batch: 4, l2: 0 }, s.step);
      expect(worst(s.params, plain, 2e-6, 1e-4)).toBeGreaterThan(10);
      // XOR's 4 points in batches of 3: 2 steps an epoch
      expect(Number(await text(page, 'epoch'))).toBe(Math.floor(s.step / 2));
      expect(await page.locator('[data-testid="loss-terms-stat"]').isVisible()).toBe(true);
      const R = penaltyValue(makeModel({ d: 2, hidden: [8] }), Float64Array.from(s.params), 0, 0.01);
      // shown to three significant digits
      expect(Math.abs(Number(await text(page, 'penalty')) - R) / R).toBeLessThanOrEqual(5e-3);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('a regression dataset trains with the identity output and MSE, and shows RMSE and R² where accuracy was', async () => {
    const { browser, page, errors } = await open(`${base}?dataset=reg-plane&lr=0.1&perFrame=20`);
    try {
      expect(await page.locator('[data-testid="input-problem"]').inputValue()).toBe('regression');
      expect(await page.locator('[data-testid="input-loss"]').inputValue()).toBe('mse');
      expect(await page.locator('[data-testid="accuracy-stat"]').isVisible()).toBe(false);
      const r2At0 = Number(await text(page, 'r2'));
      await trainPast(page, 200);
      const [rmse, r2] = [Number(await text(page, 'rmse')), Number(await text(page, 'r2'))];
      expect(Number.isFinite(rmse) && rmse > 0).toBe(true);
      expect(r2, 'the fit improved').toBeGreaterThan(Math.max(0.5, r2At0));
      expect(await text(page, 'test-metric-name')).toBe('test RMSE');
      expect(Number(await text(page, 'test-accuracy'))).toBeGreaterThan(0);
      // RMSE and R² as defined, from the labels and the network's predictions at the parameters shown
      const data = roundToF32(await trainData(page));
      const s = await shown(page);
      const model = makeModel({ d: 2, hidden: [8], output: 'identity' });
      const { forwardModel } = await import('../src/mlp/reference.js');
      const yHat = forwardModel(model, s.params, data).yHat;
      const mean = data.y.reduce((a, b) => a + b, 0) / data.N;
      let res = 0;
      let tot = 0;
      data.y.forEach((y, n) => ((res += (y - yHat[n]!) ** 2), (tot += (y - mean) ** 2)));
      expect(rmse).toBeCloseTo(Math.sqrt(res / data.N), 3);
      expect(r2).toBeCloseTo(1 - res / tot, 3);
      // the map classifies: it says it cannot map regression data, and nothing runs
      await page.click('[data-testid="sweep-run"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="sweep-time"]')?.textContent !== '');
      expect(await text(page, 'sweep-time')).toMatch(/^The map cannot train on plane: it classifies/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('the network a learner builds, with the controls', () => {
  it('adds and removes a layer, switches to regression and back, each a new run the URL keeps', async () => {
    const { browser, page, errors } = await open(`${base}?perFrame=20`);
    try {
      await setPlaying(page, true); // settings change while it plays
      await page.click('[data-testid="add-layer"]');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.snapshot()?.hidden.length === 2);
      expect(page.url()).toContain('hidden=8,8&');
      expect(await page.locator('[data-testid="input-hidden"]').inputValue()).toBe('8,8');
      await setControl(page, 'hidden', '8,4,2');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.snapshot()?.hidden.join() === '8,4,2');
      await page.click('[data-testid="remove-layer"]');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.snapshot()?.hidden.join() === '8,4');
      // a bad list is refused beside the field, naming the layer, and the run goes on
      await setControl(page, 'hidden', '8,,4');
      expect(await text(page, 'error-hidden')).toMatch(/layer 2's width is empty/);
      expect((await running(page)).hidden).toEqual([8, 4]);
      // regression brings its datasets and MSE; BCE cannot be chosen with it
      await setControl(page, 'problem', 'regression');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.running()?.problem === 'regression');
      expect(await page.locator('[data-testid="input-dataset"]').inputValue()).toBe('reg-plane');
      expect(await page.locator('[data-testid="input-loss"]').inputValue()).toBe('mse');
      expect(await page.locator('[data-testid="input-loss"] option[value="bce"]').isDisabled()).toBe(true);
      expect(page.url()).toMatch(/dataset=reg-plane/);
      expect(page.url()).toMatch(/problem=regression/);
      // and back: the dataset chosen for classification before returns
      await setControl(page, 'problem', 'classification');
      await page.waitForFunction(() => (window as unknown as Lab).backpropLab.running()?.problem === 'classification');
      expect(await page.locator('[data-testid="input-dataset"]').inputValue()).toBe('xor');
      // batch size and L1 from the controls
      await setControl(page, 'batch', '3');
      await setControl(page, 'reg', 'l1');
      await setControl(page, 'lambda', '0.001');
      await page.waitForFunction(() => {
        const r = (window as unknown as Lab).backpropLab.running();
        return r?.batch === 3 && r.reg === 'l1' && r.lambda === 0.001;
      });
      expect(page.url()).toMatch(/batch=3&reg=l1&lambda=0.001/);
      await waitForStepAbove(page, (await shown(page)).step + 10);
      expect(await page.locator('[data-testid="loss-terms-stat"]').isVisible()).toBe(true);
      expect(await text(page, 'banner')).toBe('');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('without WebGPU, a deep regression net with mini-batches and L1 trains on the CPU (in a Web Worker) as the matrix form does', async () => {
    const query = '?hidden=6,5&activation=tanh&dataset=reg-gauss&points=60&batch=10&reg=l1&lambda=0.001&lr=0.2&seed=4';
    const { browser, page, errors } = await open(`${base}${query}&perFrame=5`, undefined, false);
    try {
      const s = await trainPast(page, 12);
      expect(s.kernel).toBe('cpu-fast');
      const data = await trainData(page);
      const options = { hidden: [6, 5], lr: 0.2, loss: 'mse' as const, activation: 'tanh' as const, seed: 4 };
      const want = oracleRun(data, { ...options, output: 'identity', batch: 10, l1: 0.001 }, s.step);
      // both f64: the fast trainer sums in the matrix form's order
      expect(worst(s.params, want, 1e-12, 1e-9)).toBeLessThanOrEqual(1);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("without WebGPU the worker keeps playback's guarantees: paused is still, Step is one step, the last of six resets wins", async () => {
    const { browser, page, errors } = await open(`${base}?hidden=8,8&perFrame=50`, undefined, false);
    const live = () =>
      page.evaluate(() =>
        (window as unknown as { backpropLab: { liveSessions(): number } }).backpropLab.liveSessions(),
      );
    try {
      const s = await trainPast(page, 100);
      expect(s.kernel).toBe('cpu-fast');
      // paused: nothing changes, on the page or in the worker (the next snapshot is the same step and parameters)
      const shownStep = await text(page, 'step');
      await page.waitForTimeout(600);
      expect(await text(page, 'step')).toBe(shownStep);
      await page.click('[data-testid="step-once"]');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="step"]')?.textContent === String(n),
        s.step + 1,
      );
      const one = await shown(page);
      expect(one.step).toBe(s.step + 1);
      // that one step is the matrix form's next step from the parameters shown before it
      const data = await trainData(page);
      const trainer = new MatrixTrainer(data, Float64Array.from(s.params), {
        hidden: [8, 8],
        lr: 0.5,
        loss: 'bce',
        seed: 1,
      });
      trainer.stepCount = s.step;
      trainer.step(1);
      expect(worst(one.params, trainer.params, 1e-12, 1e-9)).toBeLessThanOrEqual(1);
      // six seed changes while playing: one worker afterwards, the last seed's run, still training
      await setPlaying(page, true);
      for (let seed = 10; seed < 16; seed++) await setControl(page, 'seed', String(seed));
      await page.waitForFunction(
        () =>
          (window as unknown as Lab & { backpropLab: { running(): { seed: number } } }).backpropLab.running()?.seed ===
          15,
      );
      const after = (await shown(page)).step;
      await waitForStepAbove(page, after + 20);
      await page.waitForFunction(
        () => (window as unknown as { backpropLab: { liveSessions(): number } }).backpropLab.liveSessions() === 1,
      );
      expect(await live()).toBe(1);
      await setPlaying(page, false);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("walking a deep network's graph scrolls each step's part into the graph's box", async () => {
    const { browser, page, errors } = await open(`${base}?hidden=4,3&activation=tanh&perFrame=5`);
    try {
      await page.click('[data-testid="step-once"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="step"]')?.textContent === '1');
      await page.click('[data-testid="walk-start"]');
      const scroll = page.locator('#diagram .graph-scroll');
      const box = (await scroll.boundingBox())!;
      const [scrollWidth, clientWidth] = await scroll.evaluate((e) => [e.scrollWidth, e.clientWidth]);
      expect(scrollWidth, 'the two-layer graph is wider than its box').toBeGreaterThan(clientWidth + 1);
      let moved = false;
      for (let k = 0; k < 40; k++) {
        const parts = await page.locator('#diagram .walk-current, #diagram .walk-new').evaluateAll((els) =>
          els.map((e) => {
            const r = e.getBoundingClientRect();
            return { left: r.left, right: r.right };
          }),
        );
        if (parts.length > 0) {
          const left = Math.min(...parts.map((p) => p.left));
          const right = Math.max(...parts.map((p) => p.right));
          const seen = Math.min(right, box.x + box.width) - Math.max(left, box.x);
          expect(
            seen,
            `walk step ${k + 1}: part at ${left}..${right}, box ${box.x}..${box.x + box.width}`,
          ).toBeGreaterThan(0);
        }
        moved ||= (await scroll.evaluate((e) => e.scrollLeft)) > 0;
        if ((await page.locator('[data-testid="walk-next"]').getAttribute('aria-disabled')) === 'true') break;
        await page.click('[data-testid="walk-next"]');
      }
      expect(moved, 'the walk scrolled the graph sideways at least once').toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('holds at phone width and passes axe-core with every new control and stat showing', async () => {
    const query = '?hidden=8,8,4&dataset=reg-gauss&batch=10&reg=l2&lambda=0.01&perFrame=5';
    const { browser, page, errors } = await open(`${base}${query}`, PHONE);
    try {
      await trainPast(page, 10);
      expect(await pastRightEdge(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
