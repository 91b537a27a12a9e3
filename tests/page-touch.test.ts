/**
 * A learner touches the run (issue 23), with WebGPU and without it: reads a weight's value and gradient by pointing at
 * an edge or choosing it with the keyboard, edits it while paused and sees the loss change as the page says (checked
 * against the CPU oracle, src/mlp/reference.ts, computed here) beside the gradient's first-order prediction; editing
 * while playing is refused in words; a bad value changes nothing; a downloaded run loads back to the same step, loss
 * and parameters, and a hostile run file is refused beside its field; the boundary's two toggles change the picture
 * and the URL; axe-core stays clean.
 */
import { interpolateRdBu } from 'd3-scale-chromatic';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, roundToF32 } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { rgbOf } from '../src/ui/plots/heatmap.js';
import { steepest, storedDigits } from '../src/ui/touch/nudge.js';
import { axeViolations, open, PHONE, setControl, setPlaying, text, waitForStepAbove } from './support/browser.js';
import { type Served, servePage } from './support/preview.js';

let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('touch');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

interface Shown {
  step: number;
  params: number[];
  hidden: number[];
  kernel: string;
}
interface PlainData {
  d: number;
  N: number;
  x: number[];
  y: number[];
}
type Lab = { backpropLab: { snapshot(): Shown | null; data(): { train: PlainData } } };

const shown = (page: Page) => page.evaluate(() => (window as unknown as Lab).backpropLab.snapshot()!);
const dataset = (page: Page) => page.evaluate(() => (window as unknown as Lab).backpropLab.data().train);
const testid = (id: string) => `[data-testid="${id}"]`;
const dataOf = (page: Page, id: string) =>
  page.locator(testid(id)).evaluate((e) => ({ ...(e as HTMLElement).dataset }) as Record<string, string>);

/** The run's settings in these tests: XOR, 2-4-1, ReLU, σ output, BCE, the full batch. */
const HIDDEN = 4;
const SEED = 3;
const URL_SETTINGS = `?hidden=${HIDDEN}&seed=${SEED}&lr=0.5`;
const model = makeModel({ d: 2, hidden: [HIDDEN] });
const OBJECTIVE = { loss: 'bce', l1: 0, l2: 0 } as const;

/** The data the page's oracle uses: the training points (as f32 on the GPU). */
async function oracleData(page: Page, gpu: boolean): Promise<Dataset> {
  const t = await dataset(page);
  const d = { d: t.d, N: t.N, x: Float64Array.from(t.x), y: Float64Array.from(t.y) };
  return gpu ? roundToF32(d) : d;
}

/**
 * The page's f64 oracle against this test's: the same matrix form, run by the browser's JavaScript engine and by
 * Node's, whose Math.exp and Math.log may differ in the last bit.
 */
function expectSame(got: string | undefined, want: number, what: string): void {
  const v = Number(got);
  expect(Math.abs(v - want), `${what}: ${v} against the oracle's ${want}`).toBeLessThanOrEqual(1e-12 * Math.abs(want));
}

/** Waits until the state line says `state` and the step shown is `step`. */
async function waitFor(page: Page, state: string, step?: number): Promise<void> {
  await page.waitForFunction(
    ([want, at]) =>
      document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === want &&
      (at === null || document.querySelector('[data-testid="step"]')?.textContent === String(at)),
    [state, step ?? null] as const,
    { timeout: 60_000 },
  );
}

/** Types a value into the open editor and commits it with Enter, as a keyboard does. */
async function typeValue(page: Page, value: string): Promise<void> {
  await page.locator(testid('weight-value')).fill('');
  await page.keyboard.type(value);
  await page.keyboard.press('Enter');
}

/** Edits weight `index` (already chosen) to `value` by keyboard; resolves once the page shows the result. */
async function edit(page: Page, value: string): Promise<Record<string, string>> {
  const before = (await dataOf(page, 'weight-result')).after;
  await page.locator(testid('weight-choice')).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.locator(testid('weight-editor')).isVisible()).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('weight-value');
  await typeValue(page, value);
  await page.waitForFunction(
    (was) => {
      const r = document.querySelector<HTMLElement>('[data-testid="weight-result"]');
      return (
        r?.dataset.after !== undefined &&
        r.dataset.after !== was &&
        document.activeElement?.getAttribute('data-testid') === 'weight-choice'
      );
    },
    before ?? null,
    { timeout: 30_000 },
  );
  return dataOf(page, 'weight-result');
}

for (const gpu of [true, false]) {
  const backend = gpu ? 'WebGPU' : 'the CPU worker (no WebGPU)';
  describe(`touch a weight, on ${backend}`, () => {
    it('the value and gradient read by keyboard and by pointing match the oracle; an edit changes the loss as the page says, beside g·Δw; playing on continues from it; Reset goes back to the seed', async () => {
      const { browser, page, errors, offLoopback } = await open(`${base}${URL_SETTINGS}`, undefined, gpu);
      try {
        expect((await shown(page)).kernel === 'cpu-fast').toBe(!gpu);
        // shown first: the parameter with the steepest gradient at step 0 (W1[1][1] may be a dead unit's, reading 0)
        const start = await shown(page);
        expect(start.step).toBe(0);
        const first = steepest(lossAndGradsModel(model, start.params, await oracleData(page, gpu), OBJECTIVE).grads);
        await page.waitForFunction(
          (k) => document.querySelector<HTMLElement>('[data-testid="weight-read"]')?.dataset.index === String(k),
          first,
        );
        expect(await page.locator(testid('weight-choice')).inputValue()).toBe(String(first));
        await setPlaying(page, true);
        await waitForStepAbove(page, 15);
        await setPlaying(page, false);
        await waitFor(page, 'idle');
        const s0 = await shown(page);
        const data = await oracleData(page, gpu);
        const at0 = lossAndGradsModel(model, s0.params, data, OBJECTIVE);

        // keyboard: the list, one arrow down from W1[1][1] is W1[1][2] (flat index 1), as the gradient panel names it
        const choice = page.locator(testid('weight-choice'));
        await choice.focus();
        await choice.selectOption('0');
        await page.keyboard.press('ArrowDown');
        await page.waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid="weight-read"]')?.dataset.index === '1',
        );
        let read = await dataOf(page, 'weight-read');
        expect(read.name).toBe('W1[1][2]');
        expect(Number(read.value)).toBe(s0.params[1]);
        expectSame(read.grad, at0.grads[1]!, 'the gradient read by keyboard');
        expect(await text(page, 'weight-read')).toContain(`W1[1][2] = `);

        // pointing: the edge of W2[3] (flat index 12 + 3 − 1 = 14) in the network picture
        const edge = page.locator('#network .unit-edge[data-param="14"]');
        await edge.scrollIntoViewIfNeeded();
        const box = (await edge.boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid="weight-read"]')?.dataset.index === '14',
        );
        read = await dataOf(page, 'weight-read');
        expect(read.name).toBe('W2[3]');
        expect(Number(read.value)).toBe(s0.params[14]);
        expectSame(read.grad, at0.grads[14]!, 'the gradient read by pointing');
        expect(await edge.getAttribute('class')).toContain('touched');
        // beside the pointer, not only in the panel below: a readout, and the edge's own tooltip
        const tip = page.locator(testid('weight-tip'));
        await expect.poll(() => tip.isVisible()).toBe(true);
        expect(await tip.innerText()).toMatch(/^W2\[3\] = \S+, ∂L\/∂w = \S+$/);
        const tipBox = (await tip.boundingBox())!;
        const [px, py] = [box.x + box.width / 2, box.y + box.height / 2];
        expect(Math.hypot(tipBox.x - px, tipBox.y - py), 'the readout is by the pointer').toBeLessThan(60);
        expect(tipBox.y + tipBox.height).toBeLessThanOrEqual(900);
        expect(await edge.locator('title').textContent()).toMatch(/^W2\[3\] = \S+, ∂L\/∂w = \S+ at step \d+$/);

        // pointing at one weight in the computation graph: W2's entry for unit 2 (flat index 13)
        await choice.selectOption('0');
        await page.locator('#diagram [data-key="W2"][data-i="1"][data-len="1"]').first().hover();
        await page.waitForFunction(
          () => document.querySelector<HTMLElement>('[data-testid="weight-read"]')?.dataset.index === '13',
        );
        read = await dataOf(page, 'weight-read');
        expect(read.name).toBe('W2[2]');
        expectSame(read.grad, at0.grads[13]!, 'the gradient read in the graph');

        // a small edit of the output weight W2[j] with the steepest gradient (the loss is smooth in W2: no ReLU kink)
        const W = [12, 13, 14, 15].reduce((a, k) => (Math.abs(at0.grads[k]!) > Math.abs(at0.grads[a]!) ? k : a));
        await choice.selectOption(String(W));
        expect((await dataOf(page, 'weight-read')).name).toBe(`W2[${W - 11}]`);
        const small = String(Number((s0.params[W]! + 0.001).toPrecision(6)));
        const r = await edit(page, small);
        const s1 = await shown(page);
        expect(s1.step, 'the edit keeps the step').toBe(s0.step);
        const written = gpu ? Math.fround(Number(small)) : Number(small);
        expect(s1.params[W]).toBe(written);
        expect(s1.params.filter((_, k) => k !== W)).toEqual(s0.params.filter((_, k) => k !== W));
        const at1 = lossAndGradsModel(model, s1.params, data, OBJECTIVE);
        const dw = s1.params[W]! - s0.params[W]!;
        expectSame(r.before, at0.loss, 'the loss before');
        expectSame(r.after, at1.loss, 'the loss after');
        expect(Number(r.actual)).toBe(Number(r.after) - Number(r.before));
        expect(Number(r.dw)).toBe(dw);
        expectSame(r.predicted, at0.grads[W]! * dw, 'the first-order prediction g·Δw');
        expect(Number(r.predicted)).toBe(Number(r.grad) * Number(r.dw));
        expect(Math.abs(at1.loss - at0.loss - at0.grads[W]! * dw)).toBeLessThan(0.1 * Math.abs(at1.loss - at0.loss));
        expect(r.agrees).toBe('true');
        const said = await text(page, 'weight-result');
        expect(said).toMatch(/First-order prediction: ΔL ≈ ∂L\/∂w · Δw = /);
        expect(said).toMatch(/The gradient predicted it/);
        expect(said).not.toMatch(/NaN|Infinity|undefined|× −|× -/);
        if (gpu) expect(said).toContain(`stored as the nearest 32-bit float, ${storedDigits(Number(small), written)}`);
        expect(said).not.toMatch(/\d{12}/);
        // the curve marks the edit, as it marks a setting changed mid-run
        expect(await page.locator(testid('loss-curve')).getAttribute('aria-label')).toContain(
          `At step ${s0.step} the weight W2[${W - 11}] changed from `,
        );
        // the training loss to three digits, as the result's loss rounds to them (0.700, not 0.7)
        expect(Number(await text(page, 'loss'))).toBeCloseTo(Number(r.after), 2);
        expect((await text(page, 'loss')).replace(/^0\.0*/, '').replace('.', '')).toHaveLength(3);

        // a large edit: the prediction misses, and the page says so plainly
        const big = await edit(page, '4');
        const s2 = await shown(page);
        const at2 = lossAndGradsModel(model, s2.params, data, OBJECTIVE);
        const actual = at2.loss - at1.loss;
        const predicted = at1.grads[W]! * (s2.params[W]! - s1.params[W]!);
        expect(Math.abs(actual - predicted), 'Δw = 4 is past the straight line').toBeGreaterThan(
          0.1 * Math.abs(actual),
        );
        expectSame(big.after, at2.loss, 'the loss after the large edit');
        expectSame(big.predicted, predicted, 'the prediction of the large edit');
        expect(big.agrees).toBe('false');
        expect(await text(page, 'weight-result')).toMatch(/The prediction misses by .* the loss curves away/);
        expect(await text(page, 'loss')).not.toBe('–');

        // Step plays on from the edited parameters: one SGD step of the matrix form from them
        await page.click(testid('step-once'));
        await waitFor(page, 'idle', s2.step + 1);
        const s3 = await shown(page);
        // the last edit's numbers are of its step: said so once the run has moved on
        await expect
          .poll(() => text(page, 'weight-result'))
          .toMatch(new RegExp(`^From step ${s2.step}; the run has moved on since`));
        const cpu = new MatrixTrainer(data, s2.params, { hidden: [HIDDEN], lr: 0.5, loss: 'bce' });
        cpu.step(1);
        for (let k = 0; k < s3.params.length; k++)
          expect(Math.abs(s3.params[k]! - cpu.params[k]!)).toBeLessThan(gpu ? 1e-5 : 1e-12);

        expect(await axeViolations(page)).toEqual([]);

        // Reset: the seed's initial parameters again (as f32 on the GPU)
        await page.click(testid('reset'));
        await waitFor(page, 'idle', 0);
        const init = Array.from(
          initModelParams({ d: 2, hidden: [HIDDEN] }, SEED),
          gpu ? Math.fround : (v: number) => v,
        );
        expect((await shown(page)).params).toEqual(init);
        expect(await page.locator(testid('weight-result')).innerText()).toBe('');
        expect(errors).toEqual([]);
        expect(offLoopback).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);

    it('editing while playing is refused in words, and a bad value is refused naming the weight and the range, changing nothing', async () => {
      const { browser, page, errors } = await open(`${base}${URL_SETTINGS}`, undefined, gpu);
      try {
        await setPlaying(page, true);
        await waitForStepAbove(page, 2);
        await page.locator(testid('weight-choice')).focus();
        await page.keyboard.press('Enter');
        const chosen = (await dataOf(page, 'weight-read')).name!;
        await expect.poll(() => text(page, 'weight-error')).toMatch(/^pause to edit \S+: while training plays/);
        expect(await text(page, 'weight-error')).toContain(`pause to edit ${chosen}: `);
        expect(await page.locator(testid('weight-editor')).isVisible()).toBe(false);
        await page.click(testid('weight-edit'));
        expect(await text(page, 'weight-error')).toMatch(/^pause to edit/);
        await setPlaying(page, false);
        await waitFor(page, 'idle');
        const s0 = await shown(page);
        const url = page.url();
        await page.locator(testid('weight-choice')).selectOption('4'); // W1[3][1]: W1 is 4 × 2, row-major
        await page.locator(testid('weight-choice')).focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator(testid('weight-editor')).isVisible()).toBe(true);
        for (const [bad, said] of [
          ['', /^W1\[3\]\[1\]: type a new value, a number in \[−100, 100\]/],
          ['abc', /^W1\[3\]\[1\] must be a number in \[−100, 100\], written in decimal .*got 'abc'$/],
          ['1e5', /^W1\[3\]\[1\] must be a number in \[−100, 100\].*got '1e5'$/],
          ['Infinity', /got 'Infinity'$/],
          ['0x10', /got '0x10'$/],
        ] as const) {
          await typeValue(page, bad);
          await expect.poll(() => text(page, 'weight-error')).toMatch(said);
          expect(await page.locator(testid('weight-value')).getAttribute('aria-invalid')).toBe('true');
          const s = await shown(page);
          expect(s.step).toBe(s0.step);
          expect(s.params).toEqual(s0.params);
        }
        expect(page.url()).toBe(url);
        await page.keyboard.press('Escape');
        await expect.poll(() => page.locator(testid('weight-editor')).isVisible()).toBe(false);

        // a weight whose gradient is exactly 0 (a dead unit's, none of its inputs' gradient passing its closed gate),
        // moved far enough to open the gate: the page names the gate, not the curvature
        const data = await oracleData(page, gpu);
        const at0 = lossAndGradsModel(model, s0.params, data, OBJECTIVE);
        const bias = (j: number) => 2 * HIDDEN + j; // b1[j]: after W1's 2·H entries
        const dead = Array.from({ length: HIDDEN }, (_, j) => j).find((j) => at0.grads[bias(j)] === 0);
        expect(dead, 'the seed has a dead unit at this step').toBeDefined();
        await page.locator(testid('weight-choice')).selectOption(String(bias(dead!)));
        const r = await edit(page, '5'); // b1 = 5 turns the unit on for every point
        expect(Number(r.grad)).toBe(0);
        expect(Number(r.actual)).not.toBe(0);
        expect(await text(page, 'weight-result')).toMatch(
          /The gradient was 0, so it predicted no change, yet the loss/,
        );
        expect(await text(page, 'weight-result')).not.toMatch(/curves away/);
        expect(await axeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 180_000);

    it('a downloaded run loads back to the same step, loss and parameters; a hostile run file is refused beside its field and changes nothing', async () => {
      const { browser, page, errors } = await open(
        `${base}?hidden=5,3&seed=4&lr=0.3&activation=tanh&dataset=circle&points=60&test=0.25&batch=16&reg=l2&lambda=0.001`,
        undefined,
        gpu,
      );
      try {
        await setPlaying(page, true);
        await waitForStepAbove(page, 30);
        await setPlaying(page, false);
        await waitFor(page, 'idle');
        const saved = await shown(page);
        const loss = await text(page, 'loss');
        const url = page.url();
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(testid('run-download'))]);
        const file = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
          version: number;
          step: number;
          params: number[];
          settings: Record<string, string>;
        };
        expect(file.version).toBe(1);
        expect(file.step).toBe(saved.step);
        expect(file.params).toEqual(saved.params);
        expect(file.settings.dataset).toBe('circle');

        // another run, then the file
        await setControl(page, 'seed', '9');
        await waitFor(page, 'idle', 0);
        expect((await shown(page)).params).not.toEqual(saved.params);
        const other = page.url();
        await page.setInputFiles(testid('run-load'), {
          name: 'run.json',
          mimeType: 'application/json',
          buffer: readFileSync((await download.path())!),
        });
        await waitFor(page, 'idle', saved.step);
        const back = await shown(page);
        expect(back.params, 'the parameters, bit for bit').toEqual(saved.params);
        expect(back.hidden).toEqual([5, 3]);
        expect(await text(page, 'loss')).toBe(loss);
        expect(page.url()).toBe(url);
        expect(await page.locator(testid('input-seed')).inputValue()).toBe('4');
        expect(await text(page, 'run-load-error')).toBe('');

        // hostile files: refused beside the field with the JSON path, nothing changed
        await setControl(page, 'seed', '9');
        await waitFor(page, 'idle', 0);
        const before = await shown(page);
        for (const [name, body, said] of [
          ['v2.json', { ...file, version: 2 }, /^v2\.json: version: this page reads version 1 run files, got 2$/],
          [
            'short.json',
            { ...file, params: file.params.slice(1) },
            /^short\.json: params: must be 37 numbers for the network 2-5-3-1, got 36$/,
          ],
          [
            'lr.json',
            { ...file, settings: { ...file.settings, lr: '-1' } },
            /^lr\.json: settings\.lr: learning rate must be/,
          ],
          [
            'nan.json',
            { ...file, params: [null, ...file.params.slice(1)] },
            /^nan\.json: params\[0\]: is null, must be a finite number/,
          ],
          ['text.json', 'step 31, loss 0.2', /^text\.json: not a run file: it is not JSON/],
        ] as const) {
          await page.setInputFiles(testid('run-load'), {
            name,
            mimeType: 'application/json',
            buffer: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
          });
          await expect.poll(() => text(page, 'run-load-error')).toMatch(said);
          expect(await page.locator(testid('run-load')).getAttribute('aria-invalid')).toBe('true');
          expect(page.url()).toBe(other);
          const now = await shown(page);
          expect(now.step).toBe(0);
          expect(now.params).toEqual(before.params);
        }
        expect(await axeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 240_000);

    it('a run on uploaded points keeps the points in its file: loaded after another dataset, the same points, step and parameters', async () => {
      const { browser, page, errors } = await open(`${base}?hidden=3&seed=2&lr=0.5`, undefined, gpu);
      try {
        const rows = Array.from({ length: 12 }, (_, n) => {
          const [a, b] = [Math.cos(n * 1.7) * 0.9, Math.sin(n * 2.3) * 0.8];
          return `${a.toFixed(6)},${b.toFixed(6)},${a * b > 0 ? 1 : 0}`;
        });
        await page.setInputFiles(testid('input-upload'), {
          name: 'mine.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from(`${rows.join('\n')}\n`),
        });
        await page.waitForFunction(() =>
          document.querySelector('[data-testid="data-note"]')?.textContent?.includes('mine.csv'),
        );
        await waitFor(page, 'idle', 0);
        await page.click(testid('step-once'));
        await waitFor(page, 'idle', 1);
        await page.click(testid('step-once'));
        await waitFor(page, 'idle', 2);
        const saved = await shown(page);
        const points = await dataset(page);
        const [download] = await Promise.all([page.waitForEvent('download'), page.click(testid('run-download'))]);
        const body = readFileSync((await download.path())!);
        expect(JSON.parse(body.toString()).data.name).toBe('mine.csv');
        await setControl(page, 'dataset', 'circle');
        await waitFor(page, 'idle', 0);
        expect((await dataset(page)).N).not.toBe(points.N);
        await page.setInputFiles(testid('run-load'), { name: 'run.json', mimeType: 'application/json', buffer: body });
        await waitFor(page, 'idle', 2);
        expect(await dataset(page)).toEqual(points);
        expect((await shown(page)).params).toEqual(saved.params);
        expect(await page.locator(testid('input-dataset')).inputValue()).toBe('file');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 180_000);

    it('the boundary toggles: "show test points" and "discretize output" change the picture and the URL; discretize is off, saying why, for regression', async () => {
      const { browser, page, errors } = await open(`${base}?dataset=gauss&points=80&test=0.5&hidden=4`, undefined, gpu);
      const pixels = () => page.locator(testid('boundary')).evaluate((c) => (c as HTMLCanvasElement).toDataURL());
      try {
        await waitFor(page, 'idle', 0);
        const plain = await pixels();
        expect(await page.locator(testid('toggle-showTest')).isChecked()).toBe(true);
        await page.locator(testid('toggle-showTest')).focus();
        await page.keyboard.press('Space');
        await expect.poll(() => new URL(page.url()).searchParams.get('showTest')).toBe('off');
        await expect.poll(pixels).not.toBe(plain);
        expect(await page.locator(testid('boundary')).getAttribute('aria-label')).toMatch(
          /The 40 held-out test points are hidden\./,
        );
        await page.keyboard.press('Space');
        await expect.poll(pixels).toBe(plain);

        await page.locator(testid('toggle-discretize')).check();
        await expect.poll(() => new URL(page.url()).searchParams.get('discretize')).toBe('on');
        await expect.poll(pixels).not.toBe(plain);
        // the plane's cells are two colours only: RdBu a quarter in from each end
        const classes = [rgbOf(interpolateRdBu(0.25)), rgbOf(interpolateRdBu(0.75))];
        const cells = await page.locator(testid('boundary')).evaluate((c) => {
          const ctx = (c as HTMLCanvasElement).getContext('2d')!;
          const out: number[][] = [];
          for (let y = 20; y < 200; y += 9)
            for (let x = 60; x < 240; x += 9) out.push([...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]);
          return out;
        });
        const inClass = cells.filter((p) => classes.some((k) => k.every((v, i) => Math.abs(v - p[i]!) <= 1)));
        expect(
          inClass.length / cells.length,
          'most sampled pixels are a class colour (the rest: points)',
        ).toBeGreaterThan(0.8);
        expect(await page.locator(testid('boundary')).getAttribute('aria-label')).toMatch(
          /Painted by class: blue where ŷ ≥ 0\.5/,
        );

        // reloading the link keeps both
        await page.reload();
        await waitFor(page, 'idle', 0);
        expect(await page.locator(testid('toggle-discretize')).isChecked()).toBe(true);
        expect(await page.locator(testid('toggle-showTest')).isChecked()).toBe(true);

        await setControl(page, 'problem', 'regression');
        await waitFor(page, 'idle', 0);
        expect(await page.locator(testid('toggle-discretize')).isDisabled()).toBe(true);
        expect(await text(page, 'discretize-why')).toMatch(/needs classification/);
        expect(await page.locator(testid('boundary')).getAttribute('aria-label')).not.toMatch(/Painted by class/);
        expect(await axeViolations(page)).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }, 180_000);
  });
}

describe('touch a weight on the phone', () => {
  it('a tap on an edge selects it and shows its value by the finger, without opening the editor or scrolling away; Edit opens it', async () => {
    const { browser, page, errors } = await open(`${base}${URL_SETTINGS}`, PHONE, false);
    try {
      await waitFor(page, 'idle', 0);
      const k = (await dataOf(page, 'weight-read')).index === '14' ? 13 : 14;
      const edge = page.locator(`#network .unit-edge[data-param="${k}"]`);
      await edge.scrollIntoViewIfNeeded();
      const box = (await edge.boundingBox())!;
      const scrolled = await page.evaluate(() => window.scrollY);
      await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForFunction(
        (want) => document.querySelector<HTMLElement>('[data-testid="weight-read"]')?.dataset.index === String(want),
        k,
      );
      expect(await page.locator(testid('weight-tip')).innerText()).toMatch(new RegExp(`^W2\\[${k - 11}\\] = `));
      expect(await page.locator(testid('weight-editor')).isVisible()).toBe(false);
      expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
      expect(await edge.isVisible()).toBe(true);
      await page.locator(testid('weight-edit')).tap();
      await expect.poll(() => page.locator(testid('weight-editor')).isVisible()).toBe(true);
      expect(await text(page, 'weight-editing')).toBe(`W2[${k - 11}]`);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
