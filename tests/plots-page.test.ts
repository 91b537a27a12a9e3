/**
 * The network picture, the unit maps and the picture over the plane for networks of any depth, in headless Chromium,
 * alone on a fixture page served by Vite (tests/fixtures/plots): columns, labelled groups, the highlight, and the
 * regression picture's pixels against the diverging scale computed here from ŷ.
 */
import { interpolateRdBu } from 'd3-scale-chromatic';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixturePage, openFixture } from './support/fixture.js';
import { type Dataset, makeDataset, xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel, modelLayout } from '../src/mlp/model.js';
import { forwardModel } from '../src/mlp/reference.js';
import { planeExtent } from '../src/ui/plots/plane.js';
import type { Net } from './fixtures/plots/plots.js';

let fixture: FixturePage;
let page: Page;

beforeAll(async () => {
  fixture = await openFixture('plots', 'drawPlane');
  page = fixture.page;
}, 120_000);
afterAll(async () => fixture?.close());

type Fixture = {
  drawNetwork(net: Net): string;
  highlightNetwork(u: { layer: number; unit: number } | number | null): void;
  drawMaps(net: Net): string;
  highlights(): ({ layer: number; unit: number } | null)[];
  drawPlane(net: Net): string;
  pixel(x: number, y: number): number[];
};
const call = <K extends keyof Fixture>(name: K, ...args: Parameters<Fixture[K]>) =>
  page.evaluate(
    ([n, a]) => (window as unknown as Record<string, (...x: unknown[]) => unknown>)[n as string]!(...(a as unknown[])),
    [name, args] as const,
  ) as Promise<ReturnType<Fixture[K]>>;

/** Each column's circle count, left to right, from the circles' x. */
async function columns(): Promise<number[]> {
  const xs = await page.locator('#network circle').evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('cx'))));
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
}

describe('the network picture', () => {
  it('draws L + 2 columns, the first 10 units of each, every edge between them, and names each column', async () => {
    const label = await call('drawNetwork', { hidden: [8, 6, 4] });
    expect(await columns()).toEqual([2, 8, 6, 4, 1]);
    expect(await page.locator('#network line.unit-edge').count()).toBe(2 * 8 + 8 * 6 + 6 * 4 + 4 * 1);
    const heads = await page.locator('#network > text').allTextContents();
    expect(heads.slice(0, 5)).toEqual(['x', 'ŷ', 'a1', 'a2', 'a3']);
    expect(label).toMatch(
      /^Network 2-8-6-4-1, 3 hidden layers: .*; hidden units dead: \d of 8 in layer 1, \d of 6 in layer 2, \d of 4 in layer 3\.$/,
    );
    // wide layers: a prefix and a count
    await call('drawNetwork', { hidden: [3, 20, 12] });
    expect(await columns()).toEqual([2, 3, 10, 10, 1]);
    expect(await page.locator('#network').textContent()).toContain('+10 more units');
    expect(await page.locator('#network').textContent()).toContain('+2 more units');
    expect(await page.locator('#network line.unit-edge').count()).toBe(2 * 3 + 3 * 10 + 10 * 10 + 10);
    // one hidden layer: the picture as before
    expect(await call('drawNetwork', { hidden: [8] })).toMatch(/^Network 2-8-1: .* \d of 8 hidden units dead\.$/);
    expect(await columns()).toEqual([2, 8, 1]);
    expect(await page.locator('#network g text').allTextContents()).toEqual([
      'x1',
      'x2',
      ...Array.from({ length: 8 }, (_, j) => `h${j + 1}`),
      'ŷ',
    ]);
  });

  it("dashes each layer's dead units, the ones the forward pass finds there", async () => {
    const net = { hidden: [5, 6, 4], seed: 4, pinned: { 2: [1, 4], 3: [0] } };
    await call('drawNetwork', net);
    // independently: z_l of every XOR point from the reference forward pass
    const model = makeModel({ d: 2, hidden: net.hidden });
    const params = initModelParams(model, 4);
    params[modelLayout(model).layers[1]!.b.offset + 1] = -50;
    params[modelLayout(model).layers[1]!.b.offset + 4] = -50;
    params[modelLayout(model).layers[2]!.b.offset] = -50;
    const { z } = forwardModel(model, params, xor());
    const dead = net.hidden.map((H, l) =>
      Array.from({ length: H }, (_, j) => j).filter((j) => [0, 1, 2, 3].every((n) => z[l]![n * H + j]! <= 0)),
    );
    expect(dead[1]).toEqual(expect.arrayContaining([1, 4]));
    expect(dead[2]).toContain(0);
    expect(await page.locator('#network').getAttribute('data-dead-layers')).toBe(dead.map((u) => u.length).join(','));
    // the dashed circles, by column: their x against the columns' x
    const xs = [
      ...new Set(await page.locator('#network circle').evaluateAll((cs) => cs.map((c) => c.getAttribute('cx')))),
    ];
    const dashed = await page
      .locator('#network g[data-dead="true"]')
      .evaluateAll((gs) =>
        gs.map((g) => [g.querySelector('circle')!.getAttribute('cx'), g.querySelector('text')!.textContent]),
      );
    expect(dashed).toEqual(dead.flatMap((units, l) => units.map((j) => [xs[l + 1], String(j + 1)])));
    const tips = await page.locator('#network g[data-dead="true"] title').allTextContents();
    expect(tips[0]).toMatch(/^layer \d, unit \d is dead: z\d ≤ 0 on every point/);
  });

  it("highlights a unit's edges in and out, in any layer; a number still means layer 1", async () => {
    await call('drawNetwork', { hidden: [8, 6, 4] });
    await call('highlightNetwork', { layer: 2, unit: 1 });
    const ends = await page
      .locator('#network line.unit-edge.highlight')
      .evaluateAll((es) => es.map((e) => e.getAttribute('data-ends')!.split(' ')));
    expect(ends.length).toBe(8 + 4); // from every unit of layer 1, to every unit of layer 3
    for (const e of ends) expect(e).toContain('2.1');
    await call('drawNetwork', { hidden: [8, 6, 4] }); // a redraw keeps it
    expect(await page.locator('#network line.unit-edge.highlight').count()).toBe(12);
    await call('highlightNetwork', 3);
    expect(await page.locator('#network line.unit-edge.highlight').count()).toBe(2 + 6); // two inputs, six units
    await call('highlightNetwork', null);
    expect(await page.locator('#network line.unit-edge.highlight').count()).toBe(0);
    await call('drawNetwork', { hidden: [8] });
    await call('highlightNetwork', { layer: 1, unit: 2 });
    const units = await page
      .locator('#network line.unit-edge.highlight')
      .evaluateAll((es) => es.map((e) => e.getAttribute('data-unit')));
    expect(units).toEqual(['2', '2', '2']); // two inputs and the output
  });
});

describe('the unit maps', () => {
  it('give one labelled group per hidden layer, its first 16 units each, and say which unit is pointed at', async () => {
    const summary = await call('drawMaps', { hidden: [3, 20], activation: 'tanh' });
    expect(summary).toMatch(/^Hidden units: layer 1: 3 of 3 drawn, 0 dead(, \d+ saturated)?; layer 2: 16 of 20 drawn/);
    const groups = page.locator('#maps .unit-map-layer');
    expect(await groups.count()).toBe(2);
    expect(await groups.evaluateAll((gs) => gs.map((g) => g.getAttribute('aria-label')))).toEqual([
      'Layer 1: a1 = tanh(z1) over the plane, 3 units',
      'Layer 2: a2 = tanh(z2) over the plane, 20 units',
    ]);
    expect(await page.locator('#maps .unit-layer-name').allInnerTexts()).toEqual([
      'Layer 1: a1 = tanh(z1) over the plane, 3 units',
      'Layer 2: a2 = tanh(z2) over the plane, 20 units',
    ]);
    expect(await groups.nth(0).locator('.unit-map').count()).toBe(3);
    expect(await groups.nth(1).locator('.unit-map').count()).toBe(16);
    expect(await groups.nth(1).locator('.unit-more').innerText()).toBe('+4 more units');
    const map = page.locator('#maps .unit-map[data-layer="2"][data-unit="2"]');
    expect(await map.locator('canvas').getAttribute('aria-label')).toMatch(
      /^layer 2, unit 3: a2 over the plane, a2 > 0 on \d+% of the plane shown, largest \|a2\| there /,
    );
    expect(await map.locator('.unit-name').innerText()).toBe('3');
    await map.hover();
    expect((await call('highlights')).at(-1)).toEqual({ layer: 2, unit: 2 });
    await map.click();
    await page.mouse.move(0, 0);
    expect((await call('highlights')).at(-1)).toEqual({ layer: 2, unit: 2 }); // pinned
    expect(await map.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('#maps .legend').innerText()).toMatch(/tanh never closes a gate/);
  });

  it('keep the one-layer maps as they were: no layer heading, units named h1, h2, …', async () => {
    const summary = await call('drawMaps', { hidden: [8] });
    expect(summary).toMatch(/^Hidden units: 8 of 8 drawn, \d dead\.$/);
    expect(await page.locator('#maps .unit-map-layer').count()).toBe(1);
    expect(await page.locator('#maps .unit-layer-name').count()).toBe(0);
    expect(await page.locator('#maps .unit-name').allInnerTexts()).toEqual(
      Array.from({ length: 8 }, (_, j) => `h${j + 1}`),
    );
    expect(await page.locator('#maps .unit-map').nth(4).locator('canvas').getAttribute('aria-label')).toMatch(
      /^unit h5( is dead|: a1 over the plane, a1 > 0 on \d+% of the plane shown \(a half-plane\))/,
    );
  });
});

/** The picture's geometry (plots.ts): the square's left and top, its side, and the raster's cells. */
const PAD = { l: 46, t: 8 };
const SIDE = 260 - 44;
const GRID = 50;
const rgb = (colour: string) => colour.match(/\d+/g)!.map(Number);

/** Raster cells whose centre pixel lies at least `clear` px from every training point (points are drawn on top). */
function clearCells(data: Dataset, [lo, hi]: [number, number], clear: number) {
  const px = (v: number) => ((v - lo) / (hi - lo)) * SIDE;
  const cells: { r: number; c: number; x: number[]; at: [number, number] }[] = [];
  for (let r = 1; r < GRID; r += 6) {
    for (let c = 2; c < GRID; c += 6) {
      const at: [number, number] = [PAD.l + ((c + 0.5) * SIDE) / GRID, PAD.t + ((r + 0.5) * SIDE) / GRID];
      const near = Array.from({ length: data.N }, (_, n) => n).some(
        (n) => Math.hypot(PAD.l + px(data.x[2 * n]!) - at[0], PAD.t + SIDE - px(data.x[2 * n + 1]!) - at[1]) < clear,
      );
      const x = [lo + ((c + 0.5) / GRID) * (hi - lo), hi - ((r + 0.5) / GRID) * (hi - lo)];
      if (!near) cells.push({ r, c, x, at });
    }
  }
  return cells;
}

describe('the picture over the plane', () => {
  it('regression: ŷ on the diverging scale, red at −m, white at 0, blue at +m, m the largest |label|, with its bar', async () => {
    // ŷ = x1 + x2 exactly: a1 = (ReLU(s), ReLU(−s)) for s = x1 + x2, a2 = a1, ŷ = a2_1 − a2_2
    const params = [1, 1, -1, -1, 0, 0, 1, 0, 0, 1, 0, 0, 1, -1, 0];
    const label = await call('drawPlane', { hidden: [2, 2], output: 'identity', params });
    const data = generate({ kind: 'reg-plane', N: 30, noise: 0, seed: 1 });
    const m = Math.max(...Array.from(data.y, Math.abs));
    const [lo, hi] = planeExtent(data);
    const cells = clearCells(data, [lo, hi], 8);
    expect(cells.length).toBeGreaterThan(40);
    let [blue, red] = [0, 0];
    for (const { x, at } of cells) {
      const yHat = x[0]! + x[1]!;
      const want = rgb(interpolateRdBu(0.5 + Math.max(-1, Math.min(1, yHat / m)) / 2));
      const got = await call('pixel', at[0], at[1]);
      got.forEach((v, k) =>
        expect(Math.abs(v - want[k]!), `ŷ = ${yHat} at ${at}: ${got} vs ${want}`).toBeLessThanOrEqual(1),
      );
      if (yHat > 0.3 * m) {
        expect(got[2]).toBeGreaterThan(got[0]!); // blue
        blue++;
      }
      if (yHat < -0.3 * m) {
        expect(got[0]).toBeGreaterThan(got[2]!); // red
        red++;
      }
    }
    expect(Math.min(blue, red)).toBeGreaterThan(5);
    // the colour bar beside it: blue at the top (+m), red at the bottom (−m)
    const bar = PAD.l + SIDE + 18 + 7;
    const [top, bottom] = [await call('pixel', bar, PAD.t + 1), await call('pixel', bar, PAD.t + SIDE - 2)];
    expect(top[2]! - top[0]!).toBeGreaterThan(50); // RdBu ends: rgb(5, 48, 97) and rgb(103, 0, 31)
    expect(bottom[0]! - bottom[2]!).toBeGreaterThan(50);
    const mm = m.toFixed(2);
    expect(label).toMatch(
      new RegExp(
        `^Regression surface: ŷ over the plane ranges from −\\d\\.\\d\\d to \\d\\.\\d\\d, on a diverging colour scale from red \\(−${mm}\\) through white \\(0\\) to blue \\(\\+${mm}\\)`,
      ),
    );
    expect(label).toMatch(
      /the 30 training points are coloured by their label on the same scale; root-mean-square error/,
    );
    expect(label).not.toMatch(/classified/);
  });

  it('classification: unchanged, ŷ from 0 red to 1 blue, at any depth', async () => {
    const net = { hidden: [4, 4], seed: 3, activation: 'tanh' as const };
    const label = await call('drawPlane', net);
    expect(label).toMatch(/^Decision boundary: \d of 4 points classified correctly; ŷ over the plane ranges from /);
    const model = makeModel({ d: 2, hidden: net.hidden, activation: 'tanh' });
    const params = initModelParams(model, 3);
    const cells = clearCells(xor(), [-0.5, 1.5], 16);
    const rows = cells.map(({ x }) => x);
    const yHat = forwardModel(
      model,
      params,
      makeDataset(
        rows,
        rows.map(() => 0),
      ),
    ).yHat;
    expect(Math.max(...yHat) - Math.min(...yHat)).toBeGreaterThan(0.02); // not a flat picture
    for (const [i, { at }] of cells.entries()) {
      const want = rgb(interpolateRdBu(yHat[i]!));
      const got = await call('pixel', at[0], at[1]);
      got.forEach((v, k) => expect(Math.abs(v - want[k]!), `ŷ = ${yHat[i]}`).toBeLessThanOrEqual(1));
    }
  });
});
