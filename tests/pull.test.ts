/**
 * Each sample's pull (src/mlp/pull.ts, issue 24 item 3): the per-sample gradient ∂ℓ_n/∂θ_k it reads off the δ
 * recursion equals the scalar engine's gradient of that one sample's loss, on random networks of depth 1 to 3 and
 * every hidden activation; the training points' shares (1/N)·∂ℓ_n/∂θ_k sum, with the penalty's term, to the oracle's
 * full-batch gradient; the plane's points carry their nearest training point's label.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { readFileSync } from 'node:fs';
import { PULL_EXERCISE, pullUnit } from '../src/docs-gen/docs-exercises.js';
import { randomDataset, xor } from '../src/mlp/data/data.js';
import { engineGradsOf, engineLoss, engineModelOf, initModelParams } from '../src/mlp/init.js';
import { makeModel, modelLayout } from '../src/mlp/model.js';
import {
  nearestLabels,
  paramRef,
  penaltyGradientAt,
  planePoints,
  pullFrom,
  pullOf,
  rasterCentres,
  samplePulls,
  sampleSignals,
} from '../src/mlp/pull.js';
import { forwardModel, lossAndGradsModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';

const CASES = [1, 2, 3].flatMap((L) =>
  HIDDEN_ACTIVATIONS.map((activation, i) => ({ L, activation, seed: 10 * L + i })),
);

function problem(L: number, activation: (typeof HIDDEN_ACTIVATIONS)[number], seed: number, output = 'sigmoid') {
  const rng = makeRng(seed);
  const hidden = Array.from({ length: L }, () => 2 + Math.floor(rng() * 4));
  const model = makeModel({ d: 2, hidden, activation, output: output as 'sigmoid' | 'identity' });
  const params = Float64Array.from({ length: modelLayout(model).size }, () => 2 * rng() - 1);
  const data = randomDataset(seed + 1, 2, 7, { binary: output === 'sigmoid' && seed % 2 === 0 });
  return { model, params, data };
}

describe('per-sample gradients against the scalar engine', () => {
  it.each(CASES)('depth $L, $activation: ∂ℓ_n/∂θ_k for every sample and parameter', ({ L, activation, seed }) => {
    for (const [output, loss] of [
      ['sigmoid', 'bce'],
      ['sigmoid', 'mse'],
      ['identity', 'mse'],
    ] as const) {
      const { model, params, data } = problem(L, activation, seed, output);
      const P = params.length;
      // the engine's gradient of one sample's loss alone (a batch of one row: ℓ_n itself)
      const engine = Array.from({ length: data.N }, (_, n) => {
        const mlp = engineModelOf(model, params);
        engineLoss(model, mlp, data, { loss }, [n]).loss.backward();
        return engineGradsOf(model, mlp);
      });
      for (let k = 0; k < P; k++) {
        const { grad, share } = samplePulls(model, params, data, loss, k);
        for (let n = 0; n < data.N; n++) {
          const want = engine[n]![k]!;
          expect(Math.abs(grad[n]! - want)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
          expect(Math.abs(share[n]! - want / data.N)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(want)));
        }
      }
    }
  });

  it.each(CASES)(
    'depth $L, $activation: the shares and the penalty sum to the oracle’s batch gradient',
    ({ L, activation, seed }) => {
      const { model, params, data } = problem(L, activation, seed);
      for (const objective of [
        { loss: 'bce' as LossKind },
        { loss: 'mse' as LossKind, l1: 0.03 },
        { loss: 'bce' as LossKind, l2: 0.2 },
      ]) {
        const oracle = lossAndGradsModel(model, params, data, objective).grads;
        const plane = planePoints(data, [-2.5, 2.5], 5);
        for (let k = 0; k < params.length; k++) {
          const pull = pullOf(model, params, data, plane, objective, k);
          let sum = 0;
          for (const v of pull.shares) sum += v;
          expect(pull.dataGrad).toBe(sum);
          expect(pull.total).toBe(pull.dataGrad + pull.penalty);
          expect(Math.abs(pull.total - oracle[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(oracle[k]!)));
          // without the penalty the shares alone are the data term: the oracle with λ = 0
          const dataOnly = lossAndGradsModel(model, params, data, { loss: objective.loss }).grads[k]!;
          expect(Math.abs(pull.dataGrad - dataOnly)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(dataOnly)));
          const weight = paramRef(model, k).weight;
          const w = params[k]!;
          const want = weight ? (objective.l1 ?? 0) * Math.sign(w) + (objective.l2 ?? 0) * w : 0;
          expect(penaltyGradientAt(model, params, objective, k) - want).toBe(0);
        }
      }
    },
  );
});

describe('the plane’s would-be training points', () => {
  it('sit at the raster centres, row 0 at the top, and take the nearest training point’s label', () => {
    const x = rasterCentres([0, 4], 2);
    expect(Array.from(x)).toEqual([1, 3, 3, 3, 1, 1, 3, 1]);
    const data = { d: 2, N: 3, x: Float64Array.from([0, 0, 4, 4, 0, 4]), y: Float64Array.from([0.1, 0.9, 0.5]) };
    // (1, 3) is nearest (0, 4); (3, 3) nearest (4, 4); (1, 1) nearest (0, 0); (3, 1): (0, 0) and (4, 4) tie, first
    expect(Array.from(nearestLabels(x, data))).toEqual([0.5, 0.9, 0.1, 0.1]);
    const plane = planePoints(data, [0, 4], 2);
    expect(plane.N).toBe(4);
    expect(Array.from(plane.y)).toEqual([0.5, 0.9, 0.1, 0.1]);
  });

  it('the nearest-label search finds what checking every training point finds, ties to the first listed', () => {
    const rng = makeRng(7);
    for (const N of [1, 2, 9, 200]) {
      // coordinates on a coarse lattice, so ties and equal first coordinates are common
      const data = {
        d: 2,
        N,
        x: Float64Array.from({ length: 2 * N }, () => Math.floor(rng() * 5) / 2),
        y: Float64Array.from({ length: N }, () => rng()),
      };
      const x = rasterCentres([-0.5, 2.5], 12);
      const brute = Float64Array.from({ length: x.length / 2 }, (_, m) => {
        let [best, label] = [Infinity, NaN];
        for (let n = 0; n < N; n++) {
          const s = (x[2 * m]! - data.x[2 * n]!) ** 2 + (x[2 * m + 1]! - data.x[2 * n + 1]!) ** 2;
          if (s < best) [best, label] = [s, data.y[n]!];
        }
        return label;
      });
      expect(Array.from(nearestLabels(x, data))).toEqual(Array.from(brute));
      // the lattice itself: every query sits on (or between) training points
      const onPoints = Float64Array.from(data.x);
      const self = nearestLabels(onPoints, data);
      for (let n = 0; n < N; n++) {
        const first = Array.from({ length: N }, (_, m) => m).find(
          (m) => data.x[2 * m] === data.x[2 * n] && data.x[2 * m + 1] === data.x[2 * n + 1],
        )!;
        expect(self[n]).toBe(data.y[first]);
      }
    }
  });

  it('a plane point on a training point pulls as that training point does (its share times N)', () => {
    const { model, params } = problem(2, 'tanh', 5);
    // training points at raster centres of [−1, 1]² on a 4 × 4 grid
    const centres = rasterCentres([-1, 1], 4);
    const picks = [0, 5, 10, 15];
    const data = {
      d: 2,
      N: 4,
      x: Float64Array.from(picks.flatMap((c) => [centres[2 * c]!, centres[2 * c + 1]!])),
      y: Float64Array.from([0, 1, 1, 0]),
    };
    const plane = planePoints(data, [-1, 1], 4);
    for (let k = 0; k < params.length; k++) {
      const pull = pullOf(model, params, data, plane, { loss: 'bce' }, k);
      picks.forEach((c, n) => expect(pull.plane[c]).toBeCloseTo(data.N * pull.shares[n]!, 12));
    }
  });

  it('off the plane (d = 3) the training points’ pulls alone, their sum still the oracle’s', () => {
    const model = makeModel({ d: 3, hidden: [4, 2], activation: 'leaky', output: 'sigmoid' });
    const params = Float64Array.from({ length: modelLayout(model).size }, (_, i) => Math.sin(i + 1));
    const data = randomDataset(4, 3, 6, { binary: true });
    const oracle = lossAndGradsModel(model, params, data, { loss: 'bce', l2: 0.5 }).grads;
    const train = sampleSignals(model, params, data, 'bce');
    for (let k = 0; k < params.length; k++) {
      const pull = pullFrom(train, null, params, { loss: 'bce', l2: 0.5 }, k);
      expect(pull.plane.length).toBe(0);
      expect(Math.abs(pull.total - oracle[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(oracle[k]!)));
    }
  });

  it('refuses a parameter outside the network and data off the plane, naming why', () => {
    const { model, params, data } = problem(1, 'relu', 3);
    expect(() => paramRef(model, params.length)).toThrow(/parameter index \d+ is outside 0\.\./);
    expect(() => paramRef(model, 1.5)).toThrow(/integer/);
    expect(() => planePoints(randomDataset(1, 3, 4), [0, 1], 4)).toThrow(/needs d = 2, got d = 3/);
    expect(() => samplePulls(model, params, data, 'bce', -1)).toThrow(/outside/);
  });
});

describe('the exercise on each sample’s pull: its premises hold', () => {
  const { hidden, seed } = PULL_EXERCISE;
  const model = makeModel({ d: 2, hidden: [hidden], activation: 'relu', output: 'sigmoid' });
  const params = initModelParams(model, seed);
  const data = xor();
  const j = pullUnit();
  const k = modelLayout(model).layers[1]!.W.offset + j;

  it('the question names the unit the answer works on, one open at some points and closed at others', () => {
    const text = readFileSync('docs/exercises.md', 'utf8');
    const question = text.slice(text.indexOf('## 18. Each sample'), text.indexOf('<!-- generated:exercise-pull -->'));
    expect(question).toContain(`choose \`W2[${j + 1}]\``);
    expect(question).toContain(`?hidden=${hidden}&seed=${seed}`);
    const z = forwardModel(model, params, data).z[0]!;
    const open = [0, 1, 2, 3].map((n) => z[n * hidden + j]! > 0);
    expect(open).toContain(true);
    expect(open).toContain(false);
  });

  it('the map is 0 exactly where the unit is off, and elsewhere teal for label 0, brown for label 1', () => {
    const extent: [number, number] = [-0.5, 1.5];
    const plane = planePoints(data, extent, 40);
    const pull = pullOf(model, params, data, plane, { loss: 'bce' }, k);
    const z = forwardModel(model, params, plane).z[0]!;
    let on = 0;
    for (let c = 0; c < plane.N; c++) {
      const [x1, x2] = [plane.x[2 * c]!, plane.x[2 * c + 1]!];
      // the nearest XOR corner: label 1 where exactly one coordinate is above 0.5
      const y = x1 > 0.5 !== x2 > 0.5 ? 1 : 0;
      expect(plane.y[c]).toBe(y);
      if (z[c * hidden + j]! <= 0) expect(Math.abs(pull.plane[c]!)).toBe(0);
      else {
        on++;
        expect(Math.sign(pull.plane[c]!)).toBe(y === 0 ? 1 : -1);
      }
    }
    expect(on).toBeGreaterThan(0);
    expect(on).toBeLessThan(plane.N);
  });
});

describe('the δ chips beside the unit maps: readable on every colour of their scale', () => {
  it('the ink chosen for each brown–teal background contrasts with it at least 4.5:1 (WCAG AA)', async () => {
    const { inkOn } = await import('../src/ui/plots/pull-map.js');
    const { interpolateBrBG } = await import('d3-scale-chromatic');
    // WCAG 2's contrast ratio, written out here from its definition
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    const lum = (r: number, g: number, b: number) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2).padEnd(2, h[i]!), 16));
    let worst = Infinity;
    for (let k = 0; k <= 200; k++) {
      const bg = interpolateBrBG(k / 200);
      const [r, g, b] = bg.match(/\d+/g)!.map(Number) as [number, number, number];
      const ink = inkOn(bg);
      const [ir, ig, ib] = hex(ink === '#fff' ? '#ffffff' : '#000000');
      const [hi, lo] = [lum(r, g, b), lum(ir!, ig!, ib!)].sort((a, b) => b - a) as [number, number];
      worst = Math.min(worst, (hi + 0.05) / (lo + 0.05));
    }
    expect(worst).toBeGreaterThanOrEqual(4.5);
  });
});
