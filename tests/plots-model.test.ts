/**
 * The pictures' and the hints' numbers for networks of any depth, without a DOM: dead and saturated units per layer,
 * the plane's rasters against the scalar engine, the regression picture's colour scale, and the hints (the per-layer
 * gradient size among them) against gradients the scalar engine computes on its own.
 */
import { interpolateRdBu } from 'd3-scale-chromatic';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { type Dataset, makeDataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { engineLoss, engineModelOf, initModelParams } from '../src/mlp/init.js';
import { makeModel, type Model, modelLayout } from '../src/mlp/model.js';
import { hintInputOf, hints, layerGradientNorms, VANISHING_FACTOR } from '../src/ui/hints.js';
import { deadUnits, saturatedUnits } from '../src/ui/plots/network.js';
import { MIN_GRID, RASTER_BUDGET, rasterForward, rasterGrid, unitOverGrid } from '../src/ui/plots/plane.js';
import { outputColour, regressionColour, regressionRange, yHatColour } from '../src/ui/plots/plots.js';
import { randomParams } from './support/random.js';
import { oracleSnapshot } from './support/snapshot.js';

const run = { firstLoss: NaN, minLoss: NaN, pastLoss: NaN, lr: 0.5 };

/** Each hidden layer's values for one sample, from the scalar engine alone: z_l (pre-activations) and a_l. */
function engineLayers(model: Model, params: ArrayLike<number>, x: readonly number[]) {
  const mlp = engineModelOf(model, params);
  const z: number[][] = [];
  const a: number[][] = [];
  let h: readonly number[] = x;
  for (let l = 0; l < model.hidden.length; l++) {
    const layer = mlp.layers[l]!;
    z.push(layer.preActivation(h).map((v) => v.data));
    h = layer.forward(h).map((v) => v.data);
    a.push([...h]);
  }
  const yHat = mlp.forward(x)[0]!.data;
  return { z, a, yHat };
}

/** ‖∂L_data/∂W_l‖ per layer from the scalar engine's own backward pass (no penalty in the graph). */
function engineWeightNorms(model: Model, params: ArrayLike<number>, data: Dataset): number[] {
  const mlp = engineModelOf(model, params);
  engineLoss(model, mlp, data, { loss: 'bce' }).loss.backward();
  return mlp.layers.map((layer) =>
    Math.sqrt(layer.neurons.reduce((s, n) => s + n.w.reduce((t, w) => t + w.grad ** 2, 0), 0)),
  );
}

describe('dead and saturated units, per layer', () => {
  it("dead is ReLU's alone; tanh and σ units pinned far from 0 are saturated, and the hints say which", () => {
    for (const activation of HIDDEN_ACTIVATIONS) {
      const data = randomDataset(5, 2, 6, { binary: true });
      const params = randomParams(6, 2, 8);
      const b1 = modelLayout({ d: 2, hidden: [8] }).layers[0]!.b;
      params.fill(-50, b1.offset, b1.offset + 3); // units 0, 1, 2: z1 ≈ −50 on every point
      const s = oracleSnapshot(data, params, { hidden: [8], activation }, { loss: 'bce' }, 10);
      const [dead, saturated] = [deadUnits(s), saturatedUnits(s)];
      const z1 = (n: number, j: number) =>
        engineLayers(s.model, params, [data.x[2 * n]!, data.x[2 * n + 1]!]).z[0]![j]!;
      const every = (test: (z: number) => boolean) =>
        Array.from({ length: 8 }, (_, j) => j).filter((j) => [0, 1, 2, 3, 4, 5].every((n) => test(z1(n, j))));
      if (activation === 'relu') {
        expect(dead).toEqual([every((z) => z <= 0)]);
        expect(dead[0]!.slice(0, 3)).toEqual([0, 1, 2]);
      } else expect(dead, activation).toEqual([[]]);
      if (activation === 'tanh' || activation === 'sigmoid') {
        const f = ACTIVATIONS[activation];
        expect(saturated, activation).toEqual([every((z) => f.der(z) < 0.01 * f.der(0))]);
        expect(saturated[0]!.slice(0, 3), activation).toEqual([0, 1, 2]);
        const ids = hints(hintInputOf(s, run)).map((h) => h.id);
        expect(ids).toContain('saturated');
        expect(ids).not.toContain('dead');
      } else expect(saturated, activation).toEqual([[]]);
    }
  });

  it('finds the dead units of every layer of a deep ReLU net, and the hint counts them per layer', () => {
    const model = makeModel({ d: 2, hidden: [5, 6, 4] });
    const data = randomDataset(3, 2, 7, { binary: true });
    const params = initModelParams(model, 4);
    const { b } = modelLayout(model).layers[1]!;
    params[b.offset + 1] = -50; // layer 2, units 1 and 4: z2 far below 0 on every point
    params[b.offset + 4] = -50;
    const s = oracleSnapshot(data, params, { hidden: [5, 6, 4] }, { loss: 'bce' }, 10);
    const z = Array.from(
      { length: data.N },
      (_, n) => engineLayers(model, params, [data.x[2 * n]!, data.x[2 * n + 1]!]).z,
    );
    const want = model.hidden.map((H, l) =>
      Array.from({ length: H }, (_, j) => j).filter((j) => z.every((zn) => zn[l]![j]! <= 0)),
    );
    const dead = deadUnits(s);
    expect(dead).toEqual(want);
    expect(dead[1]).toEqual(expect.arrayContaining([1, 4]));
    const dh = hints(hintInputOf(s, run)).find((h) => h.id === 'dead')!;
    const counts = dead
      .map((u, l) => (u.length ? `${u.length} of ${model.hidden[l]} in layer ${l + 1}` : ''))
      .filter(Boolean)
      .join(', ');
    expect(dh.text).toContain(`Dead hidden units: ${counts}.`);
    expect(dh.text).toMatch(/a dead unit in layer 1 never recovers, one in a later layer only if the layers below/);
  });

  it('warns when a whole deeper layer is dead: ŷ is then the same for every training point', () => {
    const h = hints({
      step: 50,
      hidden: [8, 8, 4],
      dead: [1, 0, 4],
      ...run,
      yHat: [0.5, 0.5],
      accuracy: 0.5,
      loss: 0.7,
    });
    const dead = h.find((x) => x.id === 'dead')!;
    expect(dead.level).toBe('warn');
    expect(dead.text).toMatch(/^Dead hidden units: 1 of 8 in layer 1, 4 of 4 in layer 3\./);
    expect(dead.text).toMatch(/every unit of layer 3 dead, ŷ is the same for every training point/);
  });
});

describe('the plane for any depth', () => {
  it("each unit map is a_l from the scalar engine at the raster's centres, every layer, and ŷ too", () => {
    for (const activation of ['relu', 'tanh'] as const) {
      const model = makeModel({ d: 2, hidden: [3, 5, 2], activation, output: 'identity' });
      const params = initModelParams(model, 11).map((v, i) => v * (1 + (i % 3)));
      const [lo, hi] = [-1.5, 2];
      const grid = 9; // not a multiple of the chunk of rows: the last chunk is short
      const raster = rasterForward(model, params, [lo, hi], grid, 4);
      expect(raster.units.map((u) => u.length)).toEqual([3, 4, 2]); // at most `keep` units of each layer
      for (let r = 0; r < grid; r++) {
        for (let c = 0; c < grid; c++) {
          const x = [lo + ((c + 0.5) / grid) * (hi - lo), hi - ((r + 0.5) / grid) * (hi - lo)];
          const want = engineLayers(model, params, x);
          const i = r * grid + c;
          raster.units.forEach((maps, l) => maps.forEach((map, j) => expect(map[i]).toBeCloseTo(want.a[l]![j]!, 12)));
          expect(raster.yHat[i]).toBeCloseTo(want.yHat, 12);
        }
      }
      // one unit alone, any layer: the same numbers
      expect(Array.from(unitOverGrid(model, params, 1, [lo, hi], grid, 3))).toEqual(Array.from(raster.units[2]![1]!));
      expect(() => unitOverGrid(model, params, 5, [lo, hi], grid, 2)).toThrow(/layer 2, unit 5 is not in the network/);
    }
  });

  it('draws 50 × 50 up to the frame budget (10,000 parameters) and fewer cells beyond it, never under MIN_GRID', () => {
    expect(rasterGrid(makeModel({ d: 2, hidden: [8, 8] }), 50)).toBe(50);
    const tenThousand = makeModel({ d: 2, hidden: [2500] }); // 4·2500 + 1 = 10,001 parameters
    expect(rasterGrid(tenThousand, 50)).toBe(49);
    expect(rasterGrid(makeModel({ d: 2, hidden: [2499] }), 50)).toBe(50);
    for (const hidden of [[4096], [256, 256, 256]]) {
      const model = makeModel({ d: 2, hidden });
      const P = modelLayout(model).size;
      const g = rasterGrid(model, 50);
      expect(g).toBeLessThan(50);
      expect(g).toBeGreaterThan(MIN_GRID);
      expect(g * g * P).toBeLessThanOrEqual(RASTER_BUDGET);
      expect((g + 1) * (g + 1) * P).toBeGreaterThan(RASTER_BUDGET);
    }
    expect(rasterGrid(makeModel({ d: 2, hidden: [1024, 1024, 1024] }), 50)).toBe(MIN_GRID);
    expect(rasterGrid(makeModel({ d: 2, hidden: [1024, 1024, 1024] }), 6)).toBe(6); // never more than asked
  });

  it('without ŷ, computes only what the unit maps keep, with the same numbers', () => {
    const model = makeModel({ d: 2, hidden: [6, 5], activation: 'sigmoid' });
    const params = initModelParams(model, 2);
    const all = rasterForward(model, params, [-1, 1], 7, 3);
    const maps = rasterForward(model, params, [-1, 1], 7, 3, { yHat: false });
    expect(maps.yHat.length).toBe(0);
    expect(maps.units.map((u) => u.map((m) => Array.from(m)))).toEqual(
      all.units.map((u) => u.map((m) => Array.from(m))),
    );
  });
});

describe("the regression picture's colours", () => {
  it('run from red at −m through white at 0 to blue at +m, m the largest |label|, clamped beyond', () => {
    const data = generate({ kind: 'reg-gauss', N: 60, noise: 0, seed: 2 });
    let m = 0;
    for (const y of data.y) m = Math.max(m, Math.abs(y));
    expect(regressionRange(data)).toBe(m);
    const test = makeDataset([[0, 0]], [-3], { output: 'identity' });
    expect(regressionRange(data, test)).toBe(3);
    expect(regressionRange(makeDataset([[0, 0]], [0], { output: 'identity' }))).toBe(1); // all 0: a scale still
    const colour = regressionColour(m);
    for (const v of [-m, -m / 2, 0, m / 3, m]) expect(colour(v), `ŷ = ${v}`).toBe(interpolateRdBu(0.5 + v / (2 * m)));
    expect(colour(5 * m)).toBe(interpolateRdBu(1));
    expect(colour(-5 * m)).toBe(interpolateRdBu(0));
    const rgb = (s: string) => s.match(/\d+/g)!.map(Number);
    const [r1, , b1] = rgb(colour(0.8 * m));
    const [r2, , b2] = rgb(colour(-0.8 * m));
    expect(b1).toBeGreaterThan(r1!); // positive blue
    expect(r2).toBeGreaterThan(b2!); // negative red
    // the σ output keeps ŷ's 0-to-1 scale
    expect(outputColour('sigmoid', data)).toBe(yHatColour);
    expect(outputColour('identity', data)(m)).toBe(interpolateRdBu(1));
  });
});

describe('the per-layer gradient size', () => {
  const sigmoidNet = { hidden: [8, 8, 8, 8, 8], activation: 'sigmoid' as HiddenActivation };

  it('‖∂L/∂W_l‖ per layer equals the scalar engine’s, the penalty’s term taken off', () => {
    const data = xor();
    const model = makeModel({ d: 2, ...sigmoidNet });
    const params = initModelParams(model, 3);
    const want = engineWeightNorms(model, params, data);
    const s = oracleSnapshot(data, params, sigmoidNet, { loss: 'bce', l1: 0.003, l2: 0.02 });
    const got = layerGradientNorms(model, params, s.oracle.grads, s.objective);
    got.forEach((g, l) => expect(Math.abs(g - want[l]!), `layer ${l + 1}`).toBeLessThan(1e-12 * (1 + want[l]!)));
    // with the penalty left in they differ: the snapshot's gradients are of L_total
    const total = layerGradientNorms(model, params, s.oracle.grads);
    expect(Math.abs(total[0]! - want[0]!)).toBeGreaterThan(1e-4);
  });

  it('fires for a deep σ net at init on XOR, with the factor and why, and not for one hidden layer', () => {
    const data = xor();
    const model = makeModel({ d: 2, ...sigmoidNet });
    const params = initModelParams(model, 1);
    const norms = engineWeightNorms(model, params, data);
    const factor = norms[4]! / norms[0]!; // the last hidden layer's (W5) over the first's
    expect(factor).toBeGreaterThan(VANISHING_FACTOR);
    const s = oracleSnapshot(data, params, sigmoidNet, { loss: 'bce' });
    const h = hints(hintInputOf(s, run)).find((x) => x.id === 'vanishing');
    expect(h, 'the hint').toBeDefined();
    // the factor rounded down to one significant digit (a live region: the text must not change every frame)
    const lead = 10 ** Math.floor(Math.log10(factor));
    const shown = (Math.floor(factor / lead) * lead).toLocaleString('en-US');
    expect(h!.text).toContain(`Layer 1’s gradients are at least ${shown}× smaller than layer 5’s`);
    const powers = norms.map((v, l) => `W${l + 1} 1e${Math.round(Math.log10(v))}`.replace('-', '−')).join(', ');
    expect(h!.text).toContain(`to the nearest power of ten: ${powers};`);
    expect(h!.text).toMatch(/σ′\(z\) ≤ 1\/4 .* once per layer, 4 times: σ′ alone shrinks it at least 256×/);
    expect(h!.level).toBe('info');
    // one hidden layer: nothing to compare
    const one = oracleSnapshot(
      data,
      initModelParams(makeModel({ d: 2, hidden: [8] }), 1),
      { hidden: [8] },
      { loss: 'bce' },
    );
    expect(hints(hintInputOf(one, run)).map((x) => x.id)).not.toContain('vanishing');
    // below the factor: nothing; a zero or non-finite size: nothing (never "Infinity×")
    const base = { step: 1, hidden: [8, 8], dead: [0, 0], yHat: [0.2, 0.8], accuracy: 1, loss: 0.1, ...run };
    expect(hints({ ...base, gradNorms: [0.011, 1, 1] }).map((x) => x.id)).toEqual([]);
    expect(hints({ ...base, gradNorms: [0.0099, 1, 1] }).map((x) => x.id)).toEqual(['vanishing']);
    expect(hints({ ...base, gradNorms: [0, 1, 1] })).toEqual([]);
    expect(hints({ ...base, gradNorms: [1e-300, Infinity, 1] })).toEqual([]);
  });

  it('the threshold: 5 × 8 ReLU and tanh nets at init on XOR stay under it at 20 seeds, σ nets pass it at nearly all', () => {
    const ratio = (activation: HiddenActivation, seed: number) => {
      const model = makeModel({ d: 2, hidden: [8, 8, 8, 8, 8], activation });
      const n = engineWeightNorms(model, initModelParams(model, seed), xor());
      return n[4]! / n[0]!;
    };
    const seeds = Array.from({ length: 20 }, (_, s) => s);
    for (const act of ['relu', 'leaky', 'tanh'] as const)
      expect(Math.max(...seeds.map((s) => ratio(act, s))), act).toBeLessThan(VANISHING_FACTOR);
    expect(seeds.filter((s) => ratio('sigmoid', s) >= VANISHING_FACTOR).length).toBeGreaterThanOrEqual(18);
  });
});

describe('hints for the identity output (regression)', () => {
  it('never speak of ŷ stuck at 0.5, pinned at 0 or 1, or accuracy; a growing loss still gets its hint', () => {
    const flat = {
      step: 5000,
      hidden: [8, 8],
      dead: [0, 0],
      output: 'identity' as const,
      yHat: [0.5, 0.5, 0.5, 0.5],
      accuracy: 0,
      firstLoss: 0.3,
      minLoss: 0.3,
      loss: 0.3,
      pastLoss: 0.3,
      lr: 0.1,
    };
    expect(hints(flat)).toEqual([]);
    expect(hints({ ...flat, yHat: [0, 1, 0, 1] })).toEqual([]); // "pinned" is σ's
    expect(hints({ ...flat, output: 'sigmoid' }).map((h) => h.id)).toEqual(['stuck']); // the same numbers, σ output
    const grew = hints({ ...flat, loss: 3 });
    expect(grew.map((h) => h.id)).toEqual(['grows']);
    expect(grew[0]!.text).toMatch(
      /grew from 0\.300 at step 0 to 3\.00: the learning rate 0\.1 is too large.*Lower the learning rate\.$/,
    );
    // dead units in a regression run that learns: a note, not a failure
    const dead = hints({ ...flat, dead: [2, 0] });
    expect(dead.map((h) => [h.id, h.level])).toEqual([['dead', 'info']]);
  });

  it("from a regression snapshot: the page's own input gives no σ hint", () => {
    const data = generate({ kind: 'reg-plane', N: 30, noise: 0, seed: 1 });
    const net = { hidden: [4, 4], output: 'identity' as const, activation: 'tanh' as const };
    const params = initModelParams(makeModel({ d: 2, ...net }), 2);
    const s = oracleSnapshot(data, params, net, { loss: 'mse' }, 4000);
    const input = hintInputOf(s, { firstLoss: s.loss, minLoss: s.loss, pastLoss: s.loss, lr: 0.1 });
    expect(input.output).toBe('identity');
    expect(hints(input).filter((h) => h.id === 'stuck' || h.id === 'grows')).toEqual([]);
  });
});

describe('hints that last, and hints for the penalty and a stalled regression', () => {
  const base = { step: 2000, hidden: [8, 8], dead: [0, 0], yHat: [0.2, 0.8], accuracy: 1, ...run, lr: 0.5 };

  it('a gradient that vanished at step 0 is still said later, in the past tense, when it no longer does now', () => {
    const now = hints({ ...base, loss: 0.1, gradNorms: [0.5, 1, 1] });
    expect(now.map((h) => h.id)).toEqual([]);
    const later = hints({ ...base, loss: 0.1, gradNorms: [0.5, 1, 1], startNorms: [0.001, 1, 1] });
    expect(later.map((h) => h.id)).toEqual(['vanishing']);
    expect(later[0]!.text).toMatch(/^At step 0, layer 1’s gradients were at least 1,000× smaller than layer 2’s/);
    // when it holds now, the present is said
    const both = hints({ ...base, loss: 0.1, gradNorms: [0.002, 1, 1], startNorms: [0.001, 1, 1] });
    expect(both[0]!.text).toMatch(/^Layer 1’s gradients are at least 500× smaller/);
  });

  it('ŷ stuck at 0.5 in a deep net whose first layer barely learns points at depth, not at more units', () => {
    const stuck = { ...base, loss: 0.69, yHat: [0.5, 0.5, 0.5, 0.5], accuracy: 0.5, activation: 'sigmoid' as const };
    const deep = hints({ ...stuck, gradNorms: [1e-5, 1e-2, 1], startNorms: [1e-5, 1e-2, 1] });
    expect(deep.map((h) => h.id)).toEqual(['vanishing', 'stuck']);
    expect(deep[1]!.text).toMatch(/try ReLU or fewer layers\.$/);
    expect(deep[1]!.text).not.toMatch(/XOR|more hidden units/);
    expect(hints({ ...stuck, gradNorms: [1, 1, 1] }).find((h) => h.id === 'stuck')!.text).toMatch(
      /more hidden units\.$/,
    );
  });

  it('a penalty larger than the data loss names λ, also beside the learning rate when the loss grew', () => {
    const heavy = hints({ ...base, loss: 5, dataLoss: 0.5, penalty: 4.5 });
    expect(heavy.map((h) => h.id)).toEqual(['penalty']);
    expect(heavy[0]!.text).toMatch(/^The penalty R = 4\.50 is larger than the data’s loss 0\.500: .* Lower λ/);
    const grew = hints({ ...base, firstLoss: 1, loss: 5, dataLoss: 0.5, penalty: 4.5 });
    expect(grew.map((h) => h.id)).toEqual(['penalty', 'grows']);
    expect(grew[1]!.text).toMatch(/Lower the learning rate or λ\.$/);
    expect(hints({ ...base, loss: 1, dataLoss: 0.9, penalty: 0.1 })).toEqual([]);
  });

  it('a regression whose loss stopped falling below R² 0.9 is said to have stalled, with R² and what to try', () => {
    const flat = { ...base, output: 'identity' as const, loss: 0.2, pastLoss: 0.2, step: 4000 };
    const h = hints({ ...flat, r2: 0.23 });
    expect(h.map((x) => [x.id, x.level])).toEqual([['stalled', 'warn']]);
    expect(h[0]!.text).toMatch(
      /^The loss has stopped falling with R² = 0\.23 .* smaller learning rate \(such as 0\.1\)/,
    );
    expect(hints({ ...flat, r2: -0.3 })[0]!.text).toMatch(
      /below 0: a constant guess, the labels’ mean, would fit better/,
    );
    expect(hints({ ...flat, r2: 0.95 })).toEqual([]); // fits well: nothing to say
    expect(hints({ ...flat, r2: 0.23, loss: 0.1 })).toEqual([]); // still falling (0.1 < 0.98 · 0.2)
  });
});
