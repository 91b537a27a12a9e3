import { describe, expect, it } from 'vitest';
import { makeDataset, xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { initParams } from '../src/mlp/init.js';
import { forward } from '../src/mlp/reference.js';
import { planeExtent, unitOverGrid } from '../src/ui/plots/plane.js';
import { parameterCount } from '../src/mlp/model.js';
import { sizeRefusal } from '../src/ui/size-limit.js';
import { pageData } from '../src/ui/data-choice.js';
import {
  allowed,
  DEFAULT_SETTINGS,
  fromQuery,
  numericRange,
  parseSetting,
  SETTINGS,
  type Settings,
  toQuery,
} from '../src/ui/state.js';

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
    for (let r = 0; r < grid; r++)
      for (let c = 0; c < grid; c++) rows.push([centre(c), hi - ((r + 0.5) / grid) * (hi - lo)]);
    const cache = forward(
      spec,
      params,
      makeDataset(
        rows,
        rows.map(() => 0),
      ),
    );
    for (let j = 0; j < spec.H; j++) {
      const map = unitOverGrid(spec, params, j, [lo, hi], grid);
      map.forEach((v, i) => expect(v).toBeCloseTo(cache.a1[i * spec.H + j]!, 12));
    }
  });
});

describe('the data settings in the URL', () => {
  it('round-trip through the query string', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      dataset: 'spiral' as const,
      points: 300,
      noise: 0.35,
      test: 0.1,
      dataSeed: 42,
      sample: 250,
    };
    expect(fromQuery(toQuery(s))).toEqual({ settings: s, errors: [], refused: {} });
  });

  it('the general network round-trips too: hidden as a list, the problem, the batch size and the penalty', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      hidden: [8, 8, 4],
      problem: 'regression' as const,
      loss: 'mse' as const,
      dataset: 'reg-gauss' as const,
      batch: 10,
      reg: 'l1' as const,
      lambda: 0.003,
    };
    const q = toQuery(s);
    expect(q).toContain('hidden=8,8,4&');
    expect(q).toMatch(/&problem=regression&batch=10&reg=l1&lambda=0.003$/);
    expect(fromQuery(q)).toEqual({ settings: s, errors: [], refused: {} });
    expect(fromQuery('?batch=all').settings.batch).toBe('all');
  });

  it('a regression dataset brings its problem type and MSE; a link asking otherwise is refused by name', () => {
    const alone = fromQuery('?dataset=reg-plane');
    expect([alone.settings.problem, alone.settings.loss, alone.errors]).toEqual(['regression', 'mse', []]);
    const problemAlone = fromQuery('?problem=regression');
    expect([problemAlone.settings.dataset, problemAlone.settings.loss, problemAlone.errors]).toEqual([
      'reg-plane',
      'mse',
      [],
    ]);
    const asked = fromQuery('?dataset=reg-plane&problem=classification&loss=bce');
    expect(asked.settings.problem).toBe('regression');
    expect(asked.settings.loss).toBe('mse');
    expect(asked.errors[0]).toBe(
      'problem type classification cannot train on the dataset plane, whose labels are for regression, so the link trains it as regression',
    );
    expect(asked.errors[1]).toMatch(/^loss bce needs the σ output of classification.*trains this regression with mse$/);
    expect(
      asked.refused,
      'nothing beside a field: what trains differs from the defaults, and the banner says why',
    ).toEqual({});
  });

  it('refuses bad lists, batch sizes and penalties, naming the setting and the range', () => {
    expect(fromQuery('?hidden=8,,8').refused.hidden).toMatch(/layer 2's width is empty/);
    expect(fromQuery('?hidden=0,4').refused.hidden).toMatch(/layer 1's width must be an integer in \[1, 4096\]/);
    expect(fromQuery('?hidden=1,1,1,1,1,1,1').refused.hidden).toMatch(/has 7 layers/);
    expect(fromQuery('?batch=0').refused.batch).toBe(
      "batch size must be all, or an integer in [1, 2000] and at most the training points N, got '0'",
    );
    expect(fromQuery('?lambda=-1').refused.lambda).toMatch(/^regularization rate λ must be .*\[0, 1000\].*got '-1'/);
    expect(fromQuery('?reg=l3').refused.reg).toBe("regularization must be one of none, l1, l2, got 'l3'");
  });

  it('refuse bad values with the allowed range', () => {
    expect(parseSetting('dataset', 'moons')).toEqual({
      error: "dataset must be one of xor, circle, gauss, spiral, noisyxor, reg-plane, reg-gauss, got 'moons'",
    });
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
    const cells = await runner.run(
      spec,
      () => {},
      () => false,
    );
    const train = pageData(settings, null).train;
    expect(train.N).toBe(30);
    const verdicts = cells.map((c) => Array.from(c.verdicts));
    expect(verdicts).toEqual(sweepCpu(train, spec).map((c) => Array.from(c.verdicts)));
    expect(verdicts, 'XOR gives other verdicts here, so the check can tell the two apart').not.toEqual(
      sweepCpu(xor(), spec).map((c) => Array.from(c.verdicts)),
    );
    expect(runner.data()).toEqual({
      name: 'two Gaussians',
      label: 'two Gaussians (noise 0), 30 training points (10 held out for testing)',
    });
  });
});

describe('every numeric setting in a link, at both ends of its range', () => {
  const numeric = (Object.keys(SETTINGS) as (keyof Settings)[]).filter((k) => numericRange(k) !== null);

  it('covers the table: every setting but the choices', () => {
    expect(numeric).toEqual(
      (Object.keys(SETTINGS) as (keyof Settings)[]).filter((k) => !['choice', 'hidden'].includes(SETTINGS[k].kind)),
    );
    expect(numeric).toContain('batch');
    expect(numericRange('hidden'), 'a list: its own test below').toBeNull();
  });

  for (const key of numeric) {
    it(`${key}: just below the minimum and just above the maximum are refused (the default used), both ends accepted`, () => {
      const r = numericRange(key)!;
      // the nearest values outside: one below/above for an integer, a millionth of the range for a real
      const ulp = r.integer ? 1 : (r.max - r.min) * 1e-6;
      const lowest = r.exclusiveMin ? r.min + ulp : r.min; // (0, 1000]: 0 itself is out
      const cases: [number, boolean][] = [
        [r.min - ulp, false],
        ...(r.exclusiveMin ? ([[r.min, false]] as [number, boolean][]) : []),
        [lowest, true],
        [r.max, true],
        [r.max + ulp, false],
      ];
      for (const [v, ok] of cases) {
        const raw = String(v);
        const { settings, errors, refused } = fromQuery(`?${key}=${encodeURIComponent(raw)}`);
        if (ok) {
          expect(settings[key], `${key}=${raw}`).toBe(v);
          expect(errors, `${key}=${raw}`).toEqual([]);
        } else {
          expect(settings[key], `${key}=${raw}: the default is used`).toBe(DEFAULT_SETTINGS[key]);
          expect(refused[key], `${key}=${raw}`).toBe(`${SETTINGS[key].label} must be ${allowed(key)}, got '${raw}'`);
          expect(errors).toEqual([refused[key]]);
        }
      }
    });
  }

  it('says the range as the table holds it: hidden=4097 names [1, 4096]', () => {
    expect(fromQuery('?hidden=4097').refused.hidden).toBe(
      'hidden layers: layer 1\'s width must be an integer in [1, 4096], got "4097"',
    );
    expect(fromQuery('?points=3').refused.points).toBe("points N must be an integer in [4, 2000], got '3'");
  });
});

describe('the page takes only runs whose snapshots it can check against the oracle every frame, on either backend', () => {
  const spiral = (over: Partial<Settings>) => {
    const settings = { ...DEFAULT_SETTINGS, dataset: 'spiral' as const, ...over };
    return { settings, data: pageData(settings, null) };
  };
  /** N·P: the oracle's multiply-adds a frame, from the model's own layout. */
  const cost = (s: ReturnType<typeof spiral>) =>
    s.data.train.N * parameterCount({ d: s.data.train.d, hidden: s.settings.hidden });

  it("names the limit, the run's cost, and the largest width and number of points that fit, exactly", () => {
    const big = spiral({ hidden: [4096], points: 2000 });
    const r = sizeRefusal(big.settings, big.data, null)!;
    expect(cost(big)).toBe(26_216_000);
    expect(r.text).toMatch(
      /^The page checks every snapshot against the f64 oracle on its own thread, which keeps it answering up to 4,000,000 training points × parameters; 1,600 training points at hidden width 4096 make 26,216,000\. To train here, lower the hidden width H to at most (\d+), or lower the points N to at most (\d+) /,
    );
    const [, h, n] = /at most (\d+), or lower the points N to at most (\d+)/.exec(r.text)!.map(Number);
    const fits = (over: Partial<Settings>) => sizeRefusal(spiral(over).settings, spiral(over).data, null) === null;
    expect([fits({ hidden: [h!], points: 2000 }), fits({ hidden: [h! + 1], points: 2000 })]).toEqual([true, false]);
    expect([fits({ hidden: [4096], points: n! }), fits({ hidden: [4096], points: n! + 1 })]).toEqual([true, false]);
    expect(r.field).toBe('hidden');
    // a deep network is told to use fewer or narrower layers; the default XOR run fits
    const deep = spiral({ hidden: [512, 512, 512], points: 2000 });
    expect(sizeRefusal(deep.settings, deep.data, null)!.text).toMatch(/use fewer or narrower hidden layers/);
    expect(sizeRefusal(DEFAULT_SETTINGS, pageData(DEFAULT_SETTINGS, null), null), 'XOR at H = 8').toBeNull();
  });

  it('refuses a 200,000-row file at H = 8 and says how many rows fit', () => {
    const rows = Array.from({ length: 200_000 }, (_, n) => [(n % 97) / 97, (n % 89) / 89]);
    const file = (k: number) => ({
      fileName: 'big.csv',
      data: makeDataset(
        rows.slice(0, k),
        rows.slice(0, k).map((_, n) => n % 2),
      ),
    });
    const upload = file(200_000);
    const r = sizeRefusal(DEFAULT_SETTINGS, pageData(DEFAULT_SETTINGS, upload), upload)!;
    expect(r.field).toBe('upload');
    expect(r.text).toMatch(
      /160,000 training points at hidden width 8 make 5,280,000\. .*use a file of at most ([\d,]+) rows/,
    );
    const most = Number(/at most ([\d,]+) rows/.exec(r.text)![1]!.replaceAll(',', ''));
    expect(sizeRefusal(DEFAULT_SETTINGS, pageData(DEFAULT_SETTINGS, file(most)), file(most))).toBeNull();
    expect(sizeRefusal(DEFAULT_SETTINGS, pageData(DEFAULT_SETTINGS, file(most + 1)), file(most + 1))).not.toBeNull();
  });
});
