import { describe, expect, it } from 'vitest';
import { makeDataset, xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { initParams } from '../src/mlp/init.js';
import { forward } from '../src/mlp/reference.js';
import { planeExtent, unitOverGrid } from '../src/ui/plots/plane.js';
import { DEFAULT_SETTINGS, fromQuery, parseSetting, toQuery } from '../src/ui/state.js';

describe('the plane the pictures show', () => {
  it("is XOR's [−0.5, 1.5]², and covers every training and test point with room around it", () => {
    expect(planeExtent(xor())).toEqual([-0.5, 1.5]);
    const train = generate({ kind: 'spiral', N: 100, noise: 0.5, seed: 3 });
    const test = makeDataset([[3, -4]], [1]);
    const [lo, hi] = planeExtent(train, test);
    expect(lo).toBeLessThan(-4);
    expect(hi).toBeGreaterThan(3);
    for (const v of train.x) expect(v > lo && v < hi).toBe(true);
  });

  it("each unit's map is its a1 from the reference forward pass at the raster's centres", () => {
    const spec = { d: 2, H: 5 };
    const params = initParams(spec, 7);
    const grid = 6;
    const [lo, hi] = [-1, 2];
    const centre = (k: number) => lo + ((k + 0.5) / grid) * (hi - lo);
    const rows: number[][] = [];
    for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) rows.push([centre(c), hi - ((r + 0.5) / grid) * (hi - lo)]);
    const cache = forward(spec, params, makeDataset(rows, rows.map(() => 0)));
    for (let j = 0; j < spec.H; j++) {
      const map = unitOverGrid(spec, params, j, [lo, hi], grid);
      map.forEach((v, i) => expect(v).toBeCloseTo(cache.a1[i * spec.H + j]!, 12));
    }
  });
});

describe('the data settings in the URL', () => {
  it('round-trip through the query string', () => {
    const s = { ...DEFAULT_SETTINGS, dataset: 'spiral' as const, points: 300, noise: 0.35, test: 0.1, dataSeed: 42, point: 250 };
    expect(fromQuery(toQuery(s))).toEqual({ settings: s, errors: [] });
  });

  it('refuse bad values with the allowed range', () => {
    expect(parseSetting('dataset', 'moons')).toEqual({ error: "dataset must be one of xor, circle, gauss, spiral, noisyxor, got 'moons'" });
    expect(parseSetting('noise', '1.5')).toEqual({ error: "noise must be a number in [0, 1], got '1.5'" });
    expect(parseSetting('noise', '0.25')).toEqual({ value: 0.25 });
    expect(parseSetting('test', '0.6')).toEqual({ error: "test fraction must be a number in [0, 0.5], got '0.6'" });
    expect(parseSetting('points', '2.5')).toEqual({ error: "points N must be an integer in [4, 2000], got '2.5'" });
    expect('error' in parseSetting('noise', '0x1')).toBe(true);
  });
});

describe("the map's CPU runner", () => {
  it('trains on the data the demo holds when it runs, not the data it was made with', async () => {
    const { cpuRunner } = await import('../src/ui/map/map-runners.js');
    const { pageData } = await import('../src/ui/data-choice.js');
    const { sweepCpu } = await import('../src/mlp/map.js');
    let settings = { ...DEFAULT_SETTINGS };
    const runner = cpuRunner(() => pageData(settings, null));
    settings = { ...settings, dataset: 'gauss', points: 40, noise: 0, test: 0.25 };
    const spec = { widths: [2], rates: [0.5], seeds: 4, seedBase: 0, steps: 300, loss: 'bce' as const };
    const cells = await runner.run(spec, () => {}, () => false);
    const train = pageData(settings, null).train;
    expect(train.N).toBe(30);
    const verdicts = cells.map((c) => Array.from(c.verdicts));
    expect(verdicts).toEqual(sweepCpu(train, spec).map((c) => Array.from(c.verdicts)));
    expect(verdicts, 'XOR gives other verdicts here, so the check can tell the two apart').not.toEqual(sweepCpu(xor(), spec).map((c) => Array.from(c.verdicts)));
    expect(runner.data()).toEqual({ name: 'two Gaussians', label: 'two Gaussians (noise 0), 30 training points (10 held out for testing)' });
  });
});
