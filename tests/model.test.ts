/**
 * The general network: layout, names and checks (model.ts), the objective (objective.ts),
 * mini-batches (rng.ts, batches.ts), and the matrix form for L hidden layers against the
 * scalar engine and against central differences, step 0 and along a mini-batch trajectory.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { gradcheck } from '../src/engine/gradcheck.js';
import { lossFromLogits, type LossKind, penalty } from '../src/engine/losses.js';
import { sgdStep } from '../src/engine/nn.js';
import { sigmoid, Value } from '../src/engine/value.js';
import { batchesPerEpoch, batchIndices, BatchSchedule, checkBatchSize, epochOrder } from '../src/mlp/batches.js';
import { type Dataset, makeDataset, randomDataset } from '../src/mlp/data/data.js';
import { elementName } from '../src/mlp/divergence.js';
import {
  engineGradsOf,
  engineLoss,
  engineModelOf,
  engineParamsOf,
  initModelParams,
  initParams,
} from '../src/mlp/init.js';
import {
  checkLabels,
  fromEngineOrderModel,
  fromNestedModel,
  makeModel,
  type Model,
  modelElementName,
  modelLayout,
  parseHidden,
  toEngineOrderModel,
  toNestedModel,
  weightMask,
} from '../src/mlp/model.js';
import { checkObjective, penaltyValue } from '../src/mlp/objective.js';
import { forwardModel, lossAndGrads, lossAndGradsModel, numericGradientModel } from '../src/mlp/reference.js';
import { makeRng, permutation } from '../src/mlp/rng.js';
import { paramLayout, toEngineOrder, toNested } from '../src/mlp/spec.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';

/** |a − b| ≤ atol + rtol·|b| for every element; the message names the worst one. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  expect(a.length, `${what}: lengths`).toBe(b.length);
  let worst = -1;
  let excess = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (!(e <= excess)) [worst, excess] = [i, Number.isNaN(e) ? Infinity : e];
  }
  expect(worst, worst < 0 ? '' : `${what}: element ${worst} is ${a[worst]} vs ${b[worst]}`).toBe(-1);
}

/** Parameters with every weight at least 0.05 from 0 (L1's kink, 5,000 h away) and biases anywhere in [−1, 1). */
function paramsAwayFromZero(model: Model, seed: number): Float64Array {
  const rng = makeRng(seed);
  const mask = weightMask(model);
  return Float64Array.from(mask, (isW) => {
    const u = rng();
    const s = rng() < 0.5 ? -1 : 1;
    return isW ? s * (0.05 + 0.95 * u) : 2 * u - 1;
  });
}

/** N points with labels that fit the output: soft labels in [0, 1] for σ, targets in [−3, 3) for the identity. */
function dataFor(model: Model, N: number, seed: number): Dataset {
  const rng = makeRng(seed);
  const rows = Array.from({ length: N }, () => Array.from({ length: model.d }, () => 4 * rng() - 2));
  const y = Array.from({ length: N }, () => (model.output === 'sigmoid' ? rng() : 6 * rng() - 3));
  return makeDataset(rows, y, { output: model.output });
}

/** The smallest |z| over every layer and sample: how far the batch is from a ReLU kink. */
function minAbsPreActivation(model: Model, params: Float64Array, data: Dataset): number {
  const c = forwardModel(model, params, data);
  return Math.min(...c.z.slice(0, -1).flatMap((z) => Array.from(z, Math.abs)));
}

const DEPTHS: readonly (readonly number[])[] = [[3], [4, 2], [2, 5, 3], [3, 1, 4, 2]];
const HEADS: readonly { output: Model['output']; loss: LossKind }[] = [
  { output: 'sigmoid', loss: 'bce' },
  { output: 'sigmoid', loss: 'mse' },
  { output: 'identity', loss: 'mse' },
];
const PENALTIES = [
  { l1: 0, l2: 0 },
  { l1: 0.03, l2: 0 },
  { l1: 0, l2: 0.07 },
  { l1: 0.03, l2: 0.07 },
];
const N = 7;

describe('model.ts: the layout, names and conversions', () => {
  it('one hidden layer is spec.ts’s layout exactly: offsets, lengths and shapes of W1, b1, W2, b2', () => {
    for (const [d, H] of [
      [1, 1],
      [2, 8],
      [3, 5],
      [7, 33],
    ] as const) {
      const old = paramLayout({ d, H });
      const L = modelLayout({ d, hidden: [H] });
      expect(L.size).toBe(old.size);
      const [W1, b1, W2, b2] = L.slots;
      for (const [got, want] of [
        [W1, old.W1],
        [b1, old.b1],
        [W2, old.W2],
        [b2, old.b2],
      ] as const) {
        expect({ name: got!.name, offset: got!.offset, length: got!.length, shape: got!.shape }).toEqual({ ...want });
      }
    }
  });

  it('lays out W1 [4×3], b1, W2 [2×4], b2, W3 [1×2], b3 back to back for d = 3, hidden 4,2', () => {
    const L = modelLayout({ d: 3, hidden: [4, 2] });
    expect(L.slots.map((s) => [s.name, s.offset, s.length, ...s.shape])).toEqual([
      ['W1', 0, 12, 4, 3],
      ['b1', 12, 4, 4],
      ['W2', 16, 8, 2, 4],
      ['b2', 24, 2, 2],
      ['W3', 26, 2, 1, 2],
      ['b3', 28, 1, 1],
    ]);
    expect(L.size).toBe(29);
    expect(
      Array.from(weightMask({ d: 3, hidden: [4, 2] }))
        .map((m, k) => (m ? k : -1))
        .filter((k) => k >= 0),
    ).toEqual([...Array.from({ length: 12 }, (_, k) => k), ...Array.from({ length: 8 }, (_, k) => 16 + k), 26, 27]);
  });

  it('names every element as the 2-layer network does for L = 1, and W3[0][1], b2[1] deeper', () => {
    for (const [d, H] of [
      [2, 3],
      [5, 4],
    ] as const) {
      for (let k = 0; k < paramLayout({ d, H }).size; k++) {
        expect(modelElementName({ d, hidden: [H] }, k)).toBe(elementName({ d, H }, k));
      }
    }
    const shape = { d: 3, hidden: [4, 2] };
    expect([0, 5, 12, 16, 23, 25, 27, 28].map((k) => modelElementName(shape, k))).toEqual([
      'W1[0][0]',
      'W1[1][2]',
      'b1[0]',
      'W2[0][0]',
      'W2[1][3]',
      'b2[1]',
      'W3[0][1]',
      'b3[0]',
    ]);
    expect(() => modelElementName(shape, 29)).toThrow(/outside 0\.\.28/);
    expect([0, 5, 12, 27].map((k) => modelElementName(shape, k, 1))).toEqual([
      'W1[1][1]',
      'W1[2][3]',
      'b1[1]',
      'W3[1][2]',
    ]);
  });

  it('nests the flat vector in the math’s shapes (the 2-layer nesting for L = 1) and back', () => {
    const one = Array.from({ length: paramLayout({ d: 2, H: 3 }).size }, (_, i) => i);
    const [l1, l2] = toNestedModel({ d: 2, hidden: [3] }, one);
    const old = toNested({ d: 2, H: 3 }, one);
    expect({ W1: l1!.W, b1: l1!.b, W2: l2!.W, b2: l2!.b }).toEqual(old);
    const shape = { d: 3, hidden: [4, 2] };
    const flat = Float64Array.from({ length: 29 }, (_, i) => i + 0.5);
    const nested = toNestedModel(shape, flat);
    expect(nested[1]!.W).toEqual([
      [16.5, 17.5, 18.5, 19.5],
      [20.5, 21.5, 22.5, 23.5],
    ]);
    expect(nested[2]).toEqual({ W: [[26.5, 27.5]], b: [28.5] });
    expect(Array.from(fromNestedModel(shape, nested))).toEqual(Array.from(flat));
    expect(() => toNestedModel(shape, flat.subarray(1))).toThrow(
      'parameters: expected 29 values for d=3, hidden=4,2, got 28',
    );
    expect(() => fromNestedModel(shape, [nested[0]!, { W: [[1, 2, 3, 4]], b: [0] }, nested[2]!])).toThrow(
      /W2 must have 2 rows, got 1/,
    );
  });

  it('converts to and from the engine’s neuron order: the L = 1 case as spec.ts does, any depth as MLP.parameters() lists', () => {
    const flat1 = Float64Array.from({ length: paramLayout({ d: 3, H: 5 }).size }, (_, i) => i * 1.5);
    expect(Array.from(toEngineOrderModel({ d: 3, hidden: [5] }, flat1))).toEqual(
      Array.from(toEngineOrder({ d: 3, H: 5 }, flat1)),
    );
    const model = makeModel({ d: 3, hidden: [4, 2, 3] });
    const flat = Float64Array.from({ length: modelLayout(model).size }, (_, i) => i);
    const mlp = engineModelOf(model, flat);
    const nested = toNestedModel(model, flat);
    // the engine's layer l, neuron j holds row j of W_l and b_l[j]
    mlp.layers.forEach((layer, l) =>
      layer.neurons.forEach((n, j) => {
        expect(n.w.map((w) => w.data)).toEqual(nested[l]!.W[j]);
        expect(n.b.data).toBe(nested[l]!.b[j]);
      }),
    );
    expect(Array.from(engineParamsOf(model, mlp))).toEqual(Array.from(flat));
    expect(Array.from(fromEngineOrderModel(model, toEngineOrderModel(model, flat)))).toEqual(Array.from(flat));
  });

  it('initialises one hidden layer as initParams does, and every layer of a deep one from U(±1/√nin) in exact f32', () => {
    for (const [H, seed] of [
      [1, 0],
      [8, 1],
      [13, 99],
    ] as const) {
      expect(Array.from(initModelParams({ d: 2, hidden: [H] }, seed))).toEqual(
        Array.from(initParams({ d: 2, H }, seed)),
      );
    }
    const shape = { d: 3, hidden: [16, 4, 9] };
    const p = initModelParams(shape, 5);
    expect(Array.from(p)).toEqual(Array.from(initModelParams(shape, 5)));
    expect(Array.from(p)).not.toEqual(Array.from(initModelParams(shape, 6)));
    for (const { W, b, nin } of modelLayout(shape).layers) {
      const bound = Math.fround(1 / Math.sqrt(nin));
      for (const s of [W, b]) {
        const v = Array.from(p.subarray(s.offset, s.offset + s.length));
        expect(
          v.every((x) => Math.abs(x) <= bound && Math.fround(x) === x),
          s.name,
        ).toBe(true);
        if (v.length >= 9) expect(Math.max(...v.map(Math.abs)), `${s.name} spans its range`).toBeGreaterThan(bound / 2);
      }
    }
  });
});

describe('model.ts: checks and the hidden-list parser', () => {
  it('parses "8,8,4", spaces allowed, one layer as one width', () => {
    expect(parseHidden('8,8,4')).toEqual([8, 8, 4]);
    expect(parseHidden(' 16 , 2 ')).toEqual([16, 2]);
    expect(parseHidden('4096')).toEqual([4096]);
    expect(parseHidden('1,1,1,1,1,1')).toHaveLength(6);
  });

  it('refuses empty entries, widths outside [1, 4096], non-integers and seven layers, saying which and why', () => {
    expect(() => parseHidden('8,,8')).toThrow(
      `hidden must list 1 to 6 widths separated by commas, e.g. 8,8,4; in "8,,8" layer 2's width is empty`,
    );
    expect(() => parseHidden('')).toThrow(/layer 1's width is empty/);
    expect(() => parseHidden('8,')).toThrow(/layer 2's width is empty/);
    expect(() => parseHidden('0,4')).toThrow(`hidden: layer 1's width must be an integer in [1, 4096], got "0"`);
    expect(() => parseHidden('4,4097')).toThrow(/layer 2's width must be an integer in \[1, 4096\], got "4097"/);
    expect(() => parseHidden('8.5')).toThrow(/got "8\.5"/);
    expect(() => parseHidden('-2')).toThrow(/got "-2"/);
    expect(() => parseHidden('8;8')).toThrow(/got "8;8"/);
    expect(() => parseHidden('1,2,3,4,5,6,7')).toThrow(/hidden must list 1 to 6 widths .*"1,2,3,4,5,6,7" has 7 layers/);
    expect(() => parseHidden('0', '--hidden')).toThrow(/^--hidden: layer 1/);
  });

  it('makeModel names the field and its range', () => {
    expect(makeModel({ d: 2, hidden: [8] })).toEqual({ d: 2, hidden: [8], activation: 'relu', output: 'sigmoid' });
    expect(() => makeModel({ d: 0, hidden: [8] })).toThrow('d must be an integer in [1, 1024], got 0');
    expect(() => makeModel({ d: 2, hidden: [] })).toThrow('hidden must list 1 to 6 hidden layers, got 0 layers');
    expect(() => makeModel({ d: 2, hidden: [1, 1, 1, 1, 1, 1, 1] })).toThrow(/got 7 layers/);
    expect(() => makeModel({ d: 2, hidden: [4, 0] })).toThrow(
      "hidden: layer 2's width must be an integer in [1, 4096], got 0",
    );
    expect(() => makeModel({ d: 2, hidden: [1.5] })).toThrow(/got 1\.5/);
    expect(() => makeModel({ d: 2, hidden: [8], output: 'softmax' as never })).toThrow(
      'output must be one of sigmoid, identity, got softmax',
    );
    expect(() => makeModel({ d: 2, hidden: [8], activation: 'elu' as never })).toThrow(
      /activation must be one of relu, leaky, tanh, sigmoid/,
    );
  });

  it('refuses BCE with the identity output, saying why, everywhere a loss is built', () => {
    const why = /loss bce needs .*sigmoid.*probabilit/;
    expect(() => checkObjective('identity', { loss: 'bce' })).toThrow(why);
    expect(() => lossFromLogits('bce', [new Value(0.5)], [2], 'identity')).toThrow(why);
    const model = makeModel({ d: 2, hidden: [3], output: 'identity' });
    const data = dataFor(model, 4, 1);
    const params = paramsAwayFromZero(model, 2);
    expect(() => lossAndGradsModel(model, params, data, { loss: 'bce' })).toThrow(why);
    expect(() => new MatrixTrainer(data, params, { hidden: 3, lr: 0.1, loss: 'bce', output: 'identity' })).toThrow(why);
    expect(() => engineLoss(model, engineModelOf(model, params), data, { loss: 'bce' })).toThrow(why);
    expect(checkObjective('identity', { loss: 'mse' })).toEqual({ loss: 'mse', l1: 0, l2: 0 });
  });

  it('refuses λ1, λ2 below 0 or not finite, naming the field and the range', () => {
    for (const [field, v] of [
      ['l1', -0.01],
      ['l2', -1],
      ['l1', NaN],
      ['l2', Infinity],
      ['l1', 1001],
    ] as const) {
      expect(() => checkObjective('sigmoid', { loss: 'bce', [field]: v })).toThrow(
        `${field} must be a finite number in [0, 1000], got ${v}`,
      );
    }
    const data = randomDataset(1, 2, 4);
    const start = initParams({ d: 2, H: 2 }, 1);
    expect(() => new MatrixTrainer(data, start, { hidden: 2, lr: 0.1, loss: 'bce', l2: -0.5 })).toThrow(/l2 must be/);
    expect(() => penalty([new Value(1)], -1, 0)).toThrow(/l1 must be a finite number ≥ 0/);
  });

  it('refuses labels outside [0, 1] with the σ output and takes any finite label with the identity', () => {
    expect(() => checkLabels('sigmoid', [0, 1, 1.5])).toThrow(
      /y\[2\] is 1\.5, must be in \[0, 1\] with the sigmoid output.*output identity/,
    );
    expect(() => checkLabels('sigmoid', [-0.1])).toThrow(/y\[0\] is -0\.1/);
    expect(() => checkLabels('identity', [0, Infinity])).toThrow('y[1] is Infinity, must be a finite number');
    expect(() => checkLabels('identity', [-1e6, 3.5, 0, 42])).not.toThrow();
    const rows = [[0], [1], [2]];
    expect(() => makeDataset(rows, [0, 2.5, -7])).toThrow(/y\[1\] is 2\.5, must be a number in \[0, 1\]/);
    const reg = makeDataset(rows, [0, 2.5, -7], { output: 'identity' });
    expect(Array.from(reg.y)).toEqual([0, 2.5, -7]);
    expect(() => makeDataset(rows, [0, NaN, 1], { output: 'identity' })).toThrow(
      'data: y[1] is NaN, must be a finite number',
    );
    const params = initParams({ d: 1, H: 2 }, 1);
    // the one-layer σ network: every trainer's own words (src/mlp/checks.ts)
    expect(() => new MatrixTrainer(reg, params, { hidden: 2, lr: 0.1, loss: 'mse' })).toThrow(
      'data.y[1] must be a label in [0, 1], got 2.5',
    );
    const deep = new Float64Array(2 + 2 + 6 + 3 + 3 + 1); // W1 2×1, b1, W2 3×2, b2, W3 1×3, b3
    expect(() => new MatrixTrainer(reg, deep, { hidden: [2, 3], lr: 0.1, loss: 'mse' })).toThrow(
      /labels y\[1\] is 2\.5, must be in \[0, 1\]/,
    );
    const t = new MatrixTrainer(reg, params, { hidden: 2, lr: 0.01, loss: 'mse', output: 'identity' });
    const before = t.loss();
    t.step(50);
    expect(t.loss()).toBeLessThan(before);
    const sigmoid = makeModel({ d: 1, hidden: [2] });
    expect(() => lossAndGradsModel(sigmoid, params, reg, { loss: 'mse' })).toThrow(/y\[1\] is 2\.5/);
  });

  it('refuses a batch size of 0, above N or fractional, and B < N without a seed', () => {
    expect(() => checkBatchSize(0, 7)).toThrow(
      'batch must be an integer in [1, 7] (the number of training points), got 0',
    );
    expect(() => checkBatchSize(8, 7)).toThrow(/in \[1, 7\].*got 8/);
    expect(() => checkBatchSize(2.5, 7)).toThrow(/got 2\.5/);
    const data = randomDataset(1, 2, 7);
    const p = initParams({ d: 2, H: 2 }, 1);
    expect(() => new MatrixTrainer(data, p, { hidden: 2, lr: 0.1, loss: 'bce', batch: 0, seed: 1 })).toThrow(
      /batch must be/,
    );
    expect(() => new MatrixTrainer(data, p, { hidden: 2, lr: 0.1, loss: 'bce', batch: 8, seed: 1 })).toThrow(
      /batch must be/,
    );
    expect(() => new MatrixTrainer(data, p, { hidden: 2, lr: 0.1, loss: 'bce', batch: 3 })).toThrow(
      /seed: a batch of 3 < N = 7 needs the run's seed/,
    );
    expect(() => new MatrixTrainer(data, p, { hidden: 2, lr: 0.1, loss: 'bce', batch: 7 })).not.toThrow();
    expect(() => new MatrixTrainer(data, p, { hidden: [2, 0], lr: 0.1, loss: 'bce' })).toThrow(/layer 2's width/);
    expect(() => new MatrixTrainer(data, p, { hidden: [2, 2], lr: 0.1, loss: 'bce' })).toThrow(
      'params: expected 15 values for d=2, hidden=2,2, got 9',
    );
  });
});

/** The draws and the shuffle written again from their definitions, with BigInt arithmetic and another loop. */
function independentHash32(seed: number, k: number): number {
  const M = (1n << 32n) - 1n;
  const fmix = (h: bigint) => {
    h ^= h >> 16n;
    h = (h * 0x85ebca6bn) & M;
    h ^= h >> 13n;
    h = (h * 0xc2b2ae35n) & M;
    return h ^ (h >> 16n);
  };
  return Number(fmix(fmix(BigInt(seed)) ^ ((BigInt(k + 1) * 0x9e3779b9n) & M)));
}
function independentUniform(seed: number, k: number): number {
  return Math.floor(independentHash32(seed, k) / 256) / 2 ** 24;
}
function independentShuffle(n: number, seed: number): number[] {
  const items = Array.from({ length: n }, (_, i) => i);
  let k = 0;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(independentUniform(seed, k++) * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('rng.ts and batches.ts: the seeded permutation and the mini-batch sequence', () => {
  it('the permutation is Fisher–Yates driven by the seed’s draws 0, 1, 2, …, as an independent BigInt reimplementation draws it', () => {
    for (const [n, seed] of [
      [0, 1],
      [1, 1],
      [2, 7],
      [7, 0],
      [10, 4294967295],
      [100, 12345],
      [1000, 3],
    ] as const) {
      expect(Array.from(permutation(n, seed)), `n=${n}, seed=${seed}`).toEqual(independentShuffle(n, seed));
    }
  });

  it('is a permutation, and every item lands in every place about equally often', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const S = 4000;
    for (let seed = 0; seed < S; seed++) {
      const p = permutation(n, seed);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      p.forEach((item, place) => counts[item]![place]!++);
    }
    // χ² with 16 degrees of freedom (25 cells, rows and columns fixed): above 40 has p < 0.001
    const e = S / n;
    const chi2 = counts.flat().reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(40);
    expect(chi2).toBeGreaterThan(2); // not suspiciously uniform either (p > 0.999 below 5.8, say)
  });

  it('step t’s batch is slice t mod ⌈N/B⌉ of epoch ⌊t/⌈N/B⌉⌋’s shuffle, epoch e shuffled with hash32(seed, e)', () => {
    const [n, B, seed] = [7, 3, 42];
    expect(batchesPerEpoch(n, B)).toBe(3);
    for (let t = 0; t < 12; t++) {
      const e = Math.floor(t / 3);
      const order = independentShuffle(n, independentHash32(seed, e));
      const s = t % 3;
      expect(Array.from(batchIndices(n, B, seed, t)), `t=${t}`).toEqual(order.slice(s * B, Math.min(s * B + B, n)));
    }
    expect(batchIndices(n, B, seed, 2)).toHaveLength(1); // the epoch's last batch is the remainder
  });

  it('each epoch visits every point once, epochs differ, the full batch is every point in order, and the schedule draws the same', () => {
    const [n, B, seed] = [10, 4, 9];
    const schedule = new BatchSchedule(n, B, seed);
    const epochs: number[][] = [];
    for (let e = 0; e < 4; e++) {
      const visited = [0, 1, 2].flatMap((s) => Array.from(batchIndices(n, B, seed, 3 * e + s)));
      expect([...visited].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(visited).toEqual(Array.from(epochOrder(n, B, seed, e)));
      epochs.push(visited);
    }
    expect(new Set(epochs.map((e) => e.join())).size).toBe(4);
    for (let t = 0; t < 20; t++) expect(Array.from(schedule.at(t))).toEqual(Array.from(batchIndices(n, B, seed, t)));
    expect(Array.from(batchIndices(n, n, seed, 5))).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(batchIndices(n, 4, seed + 1, 0))).not.toEqual(Array.from(batchIndices(n, 4, seed, 0)));
  });
});

/** The scalar engine's run: batchIndices picks each step's rows, engineLoss builds the graph, sgdStep updates. */
function engineRun(
  model: Model,
  params: Float64Array,
  data: Dataset,
  objective: { loss: LossKind; l1: number; l2: number },
  { B, steps, lr, seed }: { B: number; steps: number; lr: number; seed: number },
) {
  const mlp = engineModelOf(model, params);
  for (let t = 0; t < steps; t++) {
    engineLoss(model, mlp, data, objective, batchIndices(data.N, B, seed, t)).loss.backward();
    sgdStep(mlp.parameters(), lr);
  }
  return mlp;
}

describe('the matrix form for L hidden layers against the scalar engine (≤ 1e-12)', () => {
  for (const hidden of DEPTHS) {
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const head of HEADS) {
        it(`hidden ${hidden.join(',')}, ${activation}, ${head.output} + ${head.loss}: batch 1, 3, N; no penalty, L1, L2, both; step 0 and 5 steps`, () => {
          const model = makeModel({ d: 3, hidden, activation, output: head.output });
          const data = dataFor(model, N, 10 * hidden.length + HIDDEN_ACTIVATIONS.indexOf(activation));
          const start = paramsAwayFromZero(model, 77 + hidden.length);
          for (const B of [1, 3, N]) {
            for (const pen of PENALTIES) {
              const objective = { loss: head.loss, ...pen };
              const what = `B=${B}, l1=${pen.l1}, l2=${pen.l2}`;
              // step 0, on step 1's batch (t = 1: not the first rows, so a batch that ignored its indices is caught)
              const rows = batchIndices(N, B, 5, 1);
              const ref = lossAndGradsModel(model, start, data, objective, rows);
              const mlp = engineModelOf(model, start);
              const e = engineLoss(model, mlp, data, objective, rows);
              e.loss.backward();
              expect(Math.abs(e.loss.data - ref.loss), `${what}: loss`).toBeLessThan(1e-12);
              expect(Math.abs(e.penalty.data - ref.penalty), `${what}: penalty`).toBeLessThan(1e-12);
              expect(Math.abs(e.dataLoss.data - ref.dataLoss), `${what}: data loss`).toBeLessThan(1e-12);
              expectClose(engineGradsOf(model, mlp), ref.grads, 1e-12, 1e-12, `${what}: gradients`);
              // 5 SGD steps along the mini-batch sequence of seed 5
              const options = { hidden, activation, lr: 0.1, ...objective, output: head.output, batch: B, seed: 5 };
              const trainer = new MatrixTrainer(data, start, options);
              trainer.step(5);
              const engine = engineParamsOf(
                model,
                engineRun(model, start, data, objective, { B, steps: 5, lr: 0.1, seed: 5 }),
              );
              expectClose(trainer.params, engine, 1e-12, 1e-12, `${what}: parameters after 5 steps`);
              expect(trainer.params.some((p, k) => p !== start[k])).toBe(true);
            }
          }
        });
      }
    }
  }

  it('the loss reported is L_data + R, both terms kept, with R over the weights alone', () => {
    const model = makeModel({ d: 2, hidden: [3, 2] });
    const data = dataFor(model, 5, 3);
    const params = paramsAwayFromZero(model, 4);
    const r = lossAndGradsModel(model, params, data, { loss: 'bce', l1: 0.5, l2: 0.25 });
    const mask = weightMask(model);
    let abs = 0;
    let sq = 0;
    params.forEach((w, k) => {
      if (mask[k]) [abs, sq] = [abs + Math.abs(w), sq + w * w];
    });
    expect(r.penalty).toBeCloseTo(0.5 * abs + 0.125 * sq, 14);
    expect(r.loss).toBe(r.dataLoss + r.penalty);
    expect(r.dataLoss).toBe(lossAndGradsModel(model, params, data, { loss: 'bce' }).loss);
    const t = new MatrixTrainer(data, params, { hidden: [3, 2], lr: 0.1, loss: 'bce', l1: 0.5, l2: 0.25 });
    expect(t.losses()).toEqual({ loss: r.loss, dataLoss: r.dataLoss, penalty: r.penalty });
    t.step();
    expect(t.lastLoss).toEqual({ loss: r.loss, dataLoss: r.dataLoss, penalty: r.penalty });
  });
});

describe('central differences agree with both, the penalty included', () => {
  for (const hidden of DEPTHS) {
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const head of HEADS) {
        it(`hidden ${hidden.join(',')}, ${activation}, ${head.output} + ${head.loss}, batch 3, L1 + L2`, () => {
          const model = makeModel({ d: 3, hidden, activation, output: head.output });
          // a draw that keeps every pre-activation 1e-3 (100 h) from a ReLU kink, found deterministically
          let seed = 500;
          while (minAbsPreActivation(model, paramsAwayFromZero(model, seed), dataFor(model, N, seed)) < 1e-3) seed++;
          const params = paramsAwayFromZero(model, seed);
          const data = dataFor(model, N, seed);
          const objective = { loss: head.loss, l1: 0.03, l2: 0.07 };
          const rows = batchIndices(N, 3, 8, 0);
          const ref = lossAndGradsModel(model, params, data, objective, rows);
          const numeric = numericGradientModel(model, params, data, objective, { rows });
          expectClose(ref.grads, numeric, 1e-7, 1e-6, 'matrix form vs central differences');
          // the engine against its own central differences (src/engine/gradcheck.ts)
          const mlp = engineModelOf(model, params);
          const check = gradcheck(mlp.parameters(), () => engineLoss(model, mlp, data, objective, rows).loss);
          expect(check.maxAbsError).toBeLessThan(1e-7);
          expect(Math.max(...check.entries.map((e) => Math.abs(e.analytic)))).toBeGreaterThan(1e-3); // not vacuous
          expectClose(engineGradsOf(model, mlp), numeric, 1e-7, 1e-6, 'engine vs central differences');
        });
      }
    }
  }

  it('the penalty’s gradient alone: λ1 sign(w) + λ2 w on the weights, 0 on the biases, as central differences of R', () => {
    const model = makeModel({ d: 2, hidden: [3, 2] });
    const params = paramsAwayFromZero(model, 6);
    const data = dataFor(model, 4, 6);
    const withR = lossAndGradsModel(model, params, data, { loss: 'bce', l1: 0.3, l2: 0.2 }).grads;
    const without = lossAndGradsModel(model, params, data, { loss: 'bce' }).grads;
    const mask = weightMask(model);
    const h = 1e-5;
    params.forEach((w, k) => {
      const plus = Float64Array.from(params);
      const minus = Float64Array.from(params);
      plus[k] = w + h;
      minus[k] = w - h;
      const fd = (penaltyValue(model, plus, 0.3, 0.2) - penaltyValue(model, minus, 0.3, 0.2)) / (2 * h);
      expect(Math.abs(withR[k]! - without[k]! - fd), `element ${k}`).toBeLessThan(1e-9);
      expect(withR[k]! - without[k]!).toBeCloseTo(mask[k] ? 0.3 * Math.sign(w) + 0.2 * w : 0, 14);
    });
  });

  it('L1’s subgradient at a weight of exactly 0 is 0, in the matrix form and in the engine', () => {
    const model = makeModel({ d: 2, hidden: [3, 2] });
    const params = paramsAwayFromZero(model, 7);
    const L = modelLayout(model);
    const zeros = [L.layers[0]!.W.offset + 1, L.layers[1]!.W.offset + 4, L.layers[2]!.W.offset];
    for (const k of zeros) params[k] = 0;
    const data = dataFor(model, 5, 7);
    const plain = lossAndGradsModel(model, params, data, { loss: 'mse' }).grads;
    const l1 = lossAndGradsModel(model, params, data, { loss: 'mse', l1: 0.5 }).grads;
    const mlp = engineModelOf(model, params);
    engineLoss(model, mlp, data, { loss: 'mse', l1: 0.5 }).loss.backward();
    const engine = engineGradsOf(model, mlp);
    for (const k of zeros) {
      expect(l1[k], `matrix, element ${k}`).toBe(plain[k]);
      expect(Math.abs(engine[k]! - plain[k]!), `engine, element ${k}`).toBeLessThan(1e-15);
    }
    // elsewhere L1 does push: the test is not vacuous
    expect(Math.abs(l1[L.layers[0]!.W.offset]! - plain[L.layers[0]!.W.offset]!)).toBeCloseTo(0.5, 12);
    const w = new Value(0);
    w.abs().backward();
    expect(w.grad).toBe(0);
  });
});

describe('one hidden layer: the general code gives the 2-layer network’s numbers bit for bit', () => {
  /** The 2-layer forward and backward written out directly, loops in the order the docs derive them. */
  function twoLayer(d: number, H: number, act: HiddenActivation, params: Float64Array, data: Dataset, kind: LossKind) {
    const relu = (z: number) => (z > 0 ? z : 0);
    const leaky = (z: number) => (z > 0 ? z : 0.01 * z);
    const f = (z: number) =>
      act === 'relu' ? relu(z) : act === 'leaky' ? leaky(z) : act === 'tanh' ? Math.tanh(z) : sigmoid(z);
    const fp = (z: number) =>
      act === 'relu'
        ? z > 0
          ? 1
          : 0
        : act === 'leaky'
          ? z > 0
            ? 1
            : 0.01
          : act === 'tanh'
            ? 1 - Math.tanh(z) ** 2
            : f(z) * (1 - f(z));
    const [W1, b1, W2, b2] = [0, H * d, H * d + H, H * d + 2 * H];
    const g = new Float64Array(params.length);
    for (let n = 0; n < data.N; n++) {
      const z1 = Array.from({ length: H }, (_, j) => {
        let acc = params[b1 + j]!;
        for (let i = 0; i < d; i++) acc += params[W1 + j * d + i]! * data.x[n * d + i]!;
        return acc;
      });
      let z2 = params[b2]!;
      for (let j = 0; j < H; j++) z2 += params[W2 + j]! * f(z1[j]!);
      const p = sigmoid(z2);
      const y = data.y[n]!;
      const d2 = kind === 'bce' ? (p - y) / data.N : (2 * (p - y) * p * (1 - p)) / data.N;
      g[b2] += d2;
      for (let j = 0; j < H; j++) {
        g[W2 + j] += d2 * f(z1[j]!);
        const s = fp(z1[j]!);
        const d1 = s === 0 ? 0 : params[W2 + j]! * d2 * s;
        g[b1 + j] += d1;
        for (let i = 0; i < d; i++) g[W1 + j * d + i] += d1 * data.x[n * d + i]!;
      }
    }
    return g;
  }

  for (const activation of HIDDEN_ACTIVATIONS) {
    it(`lossAndGrads and MatrixTrainer (hidden as a number) equal the direct 2-layer loops exactly, ${activation}`, () => {
      for (const [d, H, Nn, seed] of [
        [2, 8, 4, 1],
        [3, 5, 9, 2],
        [1, 1, 3, 3],
        [4, 16, 20, 4],
      ] as const) {
        const data = randomDataset(seed, d, Nn);
        const params = initParams({ d, H }, seed);
        for (const kind of ['bce', 'mse'] as const) {
          const direct = twoLayer(d, H, activation, params, data, kind);
          expect(Array.from(lossAndGrads({ d, H, activation }, params, data, kind).grads)).toEqual(Array.from(direct));
          const t = new MatrixTrainer(data, params, { hidden: H, lr: 0.5, loss: kind, activation });
          t.step();
          expect(Array.from(t.params)).toEqual(Array.from(params, (p, k) => p - 0.5 * direct[k]!));
        }
      }
    });
  }

  it('a full batch ignores the seed: B = N with or without one is the same run', () => {
    const data = randomDataset(3, 2, 6);
    const params = initParams({ d: 2, H: 4 }, 3);
    const a = new MatrixTrainer(data, params, { hidden: 4, lr: 0.5, loss: 'bce' });
    const b = new MatrixTrainer(data, params, { hidden: 4, lr: 0.5, loss: 'bce', batch: 6, seed: 99 });
    a.step(20);
    b.step(20);
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
  });
});

describe('MatrixTrainer: divergence in a deep network and on a mini-batch', () => {
  it('names a deep element (W3[0][0]) when its update overflows, and keeps the parameters of the step before', () => {
    // x = 1: a1 = 1e76, a2 = 1e153, ŷ = z3 = 1, y = 1e153: the loss (≈1e306) and every gradient are finite,
    // dW3 = δ3·a2 ≈ −2e306, and W3 − 100·dW3 ≈ 2e308 overflows; sample 1 (x = 0) is harmless
    const data = makeDataset([[1], [0]], [1e153, 0], { output: 'identity' });
    const params = Float64Array.from([1e76, 0, 1e77, 0, 1e-153, 0]); // W1 b1 W2 b2 W3 b3
    const options = { hidden: [1, 1], lr: 100, loss: 'mse', output: 'identity', batch: 1, seed: 2 } as const;
    const t = new MatrixTrainer(data, params, options);
    const first = [0, 1].find((s) => batchIndices(2, 1, 2, s)[0] === 0)!;
    t.step(first);
    const kept = Float64Array.from(t.params);
    expect(() => t.step()).toThrow(
      `step ${first + 1}: W3[0][0] became Infinity (the update overflowed f64); training stopped and kept ` +
        `${first === 0 ? 'the initial parameters' : `the parameters after step ${first}`}; ` +
        'lower the learning rate or rescale the data',
    );
    expect(Array.from(t.params)).toEqual(Array.from(kept));
    expect(t.stepCount).toBe(first);
  });

  it('a sample’s loss overflowing on a mini-batch is named by its dataset index', () => {
    const model = makeModel({ d: 1, hidden: [2], output: 'identity' });
    const data = makeDataset([[0], [1], [2], [3], [4]], [0, 0, 0, 1e200, 0], { output: 'identity' });
    const params = paramsAwayFromZero(model, 3);
    const B = 2;
    const options = { hidden: [2], lr: 1e-9, loss: 'mse', output: 'identity', batch: B, seed: 11 } as const;
    const t = new MatrixTrainer(data, params, options);
    const firstWith3 = [0, 1, 2, 3, 4, 5].find((s) => Array.from(batchIndices(5, B, 11, s)).includes(3))!;
    expect(() => t.step(firstWith3 + 1)).toThrow(
      new RegExp(`^step ${firstWith3 + 1}: the loss of sample 3 became Infinity`),
    );
  });
});
