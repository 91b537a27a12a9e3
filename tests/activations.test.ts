/**
 * The hidden activations f ∈ {relu, leaky, tanh, sigmoid} (src/engine/activation.ts) through every CPU
 * layer: known values of f and f′, the scalar engine against the matrix form against central
 * differences, the f32 error bounds against an f32 emulation, dead units, and one unit on XOR.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, checkActivation, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { LOSSES, lossFromLogits } from '../src/engine/losses.js';
import { MLP } from '../src/engine/nn.js';
import { Value } from '../src/engine/value.js';
import { shadowBounds, type Shadowed, U } from '../src/mlp/bounds/bounds.js';
import { compareArrayWithBounds, compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { checkConfig, DEFAULTS } from '../src/mlp/config.js';
import { makeDataset, randomDataset, xor } from '../src/mlp/data/data.js';
import { finiteDifferenceBounds } from '../src/mlp/bounds/fd-bounds.js';
import { engineGrads, engineModel, initParams } from '../src/mlp/init.js';
import { forward, lossAndGrads, type Net } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { paramLayout } from '../src/mlp/spec.js';
import { learned, sweepCpu, trainOneCpu } from '../src/mlp/map.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import { emulate } from './support/f32-emulation.js';
import { randomParams } from './support/random.js';

const { log } = Math;

describe('the table of activations: known values, not the same Math calls', () => {
  // tanh(ln 2) = (4 − 1)/(4 + 1) = 3/5; σ(ln 3) = 1/(1 + 1/3) = 3/4; f′ from f: 1 − t², σ(1 − σ).
  const cases: [HiddenActivation, number, number, number][] = [
    ['relu', -2, 0, 0],
    ['relu', 0, 0, 0], // ReLU′(0) = 0
    ['relu', 2.5, 2.5, 1],
    ['leaky', -2, -0.02, 0.01],
    ['leaky', 0, 0, 0.01], // leaky′(0) = 0.01
    ['leaky', 3, 3, 1],
    ['tanh', 0, 0, 1],
    ['tanh', log(2), 3 / 5, 16 / 25],
    ['tanh', -log(3), -4 / 5, 9 / 25], // (9 − 1)/(9 + 1)
    ['sigmoid', 0, 1 / 2, 1 / 4],
    ['sigmoid', log(3), 3 / 4, 3 / 16],
    ['sigmoid', -log(3), 1 / 4, 3 / 16],
  ];
  for (const [act, z, fz, dfz] of cases) {
    it(`${act}(${z.toFixed(4)}) = ${fz}, ${act}′ = ${dfz}, in the table and on the engine's edge`, () => {
      const f = ACTIVATIONS[act];
      expect(f.output(z)).toBeCloseTo(fz, 15);
      expect(f.der(z)).toBeCloseTo(dfz, 15);
      const v = f.apply(new Value(z));
      expect(v.data).toBeCloseTo(fz, 15);
      expect(v.local0).toBeCloseTo(dfz, 15); // the edge z → f(z) carries f′(z)
      expect(v.in0?.data).toBe(z);
    });
  }

  it('f′ is the derivative of f wherever f is smooth (a central difference, h = 1e-6)', () => {
    for (const act of HIDDEN_ACTIVATIONS) {
      for (const z of [-3.1, -0.7, 0.2, 1.9]) {
        const f = ACTIVATIONS[act].output;
        expect(ACTIVATIONS[act].der(z), `${act}′(${z})`).toBeCloseTo((f(z + 1e-6) - f(z - 1e-6)) / 2e-6, 8);
      }
    }
  });

  it('a bad name is refused, naming the field and the allowed values', () => {
    expect(() => checkActivation('activation', 'swish')).toThrow(
      'activation must be one of relu, leaky, tanh, sigmoid, got swish',
    );
    expect(() => checkConfig({ ...DEFAULTS, activation: 'gelu' as HiddenActivation })).toThrow(
      /^activation must be one of relu, leaky, tanh, sigmoid, got gelu$/,
    );
    expect(() => new MLP(2, [3, 1], { rng: Math.random, hidden: 'elu' as HiddenActivation })).toThrow(
      /hidden must be one of/,
    );
    expect(checkConfig({ ...DEFAULTS }).activation).toBe('relu');
  });
});

const shapes = [
  { d: 3, H: 1, N: 1 },
  { d: 2, H: 2, N: 4 },
  { d: 2, H: 8, N: 7 },
  { d: 5, H: 16, N: 7 },
  { d: 4, H: 33, N: 20 },
];

describe('engine = matrix form = central differences, for every activation', () => {
  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const loss of LOSSES) {
      it(`${activation}, ${loss}: on ${shapes.length} random shapes`, () => {
        shapes.forEach((s, k) => {
          const net: Net = { d: s.d, H: s.H, activation };
          const data = randomDataset(500 + k, s.d, s.N);
          const params = randomParams(600 + k, s.d, s.H);
          const ref = lossAndGrads(net, params, data, loss);
          // The scalar engine: f from its own Value ops, backward() through the graph.
          const model = engineModel(net, params, 'sigmoid', activation);
          const z2 = Array.from(
            { length: s.N },
            (_, n) => model.logits(Array.from(data.x.subarray(n * s.d, (n + 1) * s.d)))[0]!,
          );
          const L = lossFromLogits(loss, z2, Array.from(data.y));
          L.backward();
          expect(L.data).toBeCloseTo(ref.loss, 12);
          const cmp = compareFlat(net, engineGrads(net, model), ref.grads, TOLERANCES.engineVsReference);
          expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
          // Central differences, each within its own bound (kinks flagged, and only for relu and leaky).
          const fd = finiteDifferenceBounds(net, params, data, loss);
          const r = compareArrayWithBounds('fd', fd.value, ref.grads, fd.bound, fd.kink);
          expect(r.pass, `${JSON.stringify(s)}: ${JSON.stringify(r)}`).toBe(true);
          if (!ACTIVATIONS[activation].kink) expect(fd.kink.every((v) => v === 0)).toBe(true);
        });
      });
    }
  }

  it('the check can fail: the matrix form with another activation disagrees with the engine', () => {
    const s = shapes[2]!;
    const data = randomDataset(77, s.d, s.N);
    const params = randomParams(78, s.d, s.H);
    for (const [a, b] of [
      ['relu', 'leaky'],
      ['tanh', 'sigmoid'],
      ['leaky', 'tanh'],
    ] as const) {
      const engine = new CpuTrainer(data, params, { hidden: s.H, lr: 0.1, loss: 'bce', activation: a });
      const ref = lossAndGrads({ d: s.d, H: s.H, activation: b }, params, data, 'bce');
      expect(compareFlat(s, engine.gradients(), ref.grads, TOLERANCES.engineVsReference).pass, `${a} vs ${b}`).toBe(
        false,
      );
    }
  });

  it('the two CPU trainers follow the same trajectory for every activation (100 steps)', () => {
    for (const activation of HIDDEN_ACTIVATIONS) {
      const params = initParams({ d: 2, H: 4 }, 3);
      const options = { hidden: 4, lr: 0.5, loss: 'bce' as const, activation };
      const engine = new CpuTrainer(xor(), params, options);
      const matrix = new MatrixTrainer(xor(), params, options);
      engine.step(100);
      matrix.step(100);
      const cmp = compareFlat({ d: 2, H: 4 }, engine.parameters(), matrix.params, TOLERANCES.engineVsReference);
      expect(cmp.pass, `${activation}: ${JSON.stringify(cmp.tensors)}`).toBe(true);
    }
  });
});

describe('the f32 bounds hold for every activation, before any kernel computes it', () => {
  const worst: Record<string, number> = {};
  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const loss of LOSSES) {
      // The last scale puts |z1| up to ~100: tanh and σ saturate, exp(−2|z|) underflows, exp(|z|) would overflow.
      for (const [d, H, N, seed, scale] of [
        [1, 1, 1, 1, 1],
        [2, 8, 4, 2, 1],
        [3, 33, 7, 3, 1],
        [5, 16, 300, 4, 1],
        [2, 64, 50, 5, 1],
        [3, 16, 40, 6, 30],
      ] as const) {
        it(`${activation}, ${loss}, d=${d}, H=${H}, N=${N}${scale > 1 ? `, parameters ×${scale}` : ''}: z1, a1, z2, yHat, δ2, δ1, gradients`, () => {
          const net: Net = { d, H, activation };
          const data = randomDataset(700 + seed, d, N);
          const rng = makeRng(seed + 17);
          const x = data.x.map((v) => v + rng() * 1e-9); // not f32 values: the upload's rounding counts
          const params = Float64Array.from({ length: paramLayout(net).size }, () => scale * (3 * rng() - 1.5));
          const problem = { ...data, x };
          const b = shadowBounds(net, params, problem, loss, { perSample: true });
          const em = emulate(net, params, problem, loss);
          const s = b.samples!;
          const check = (name: string, got: Float64Array, t: Shadowed, mask?: Uint8Array) => {
            const r = compareArrayWithBounds(name, got, t.value, t.bound, mask);
            worst[`${activation} ${name}`] = Math.max(worst[`${activation} ${name}`] ?? 0, r.maxFraction);
            expect(r.pass, `${name}: ${JSON.stringify(r)}`).toBe(true);
          };
          check('z1', em.z1, s.z1);
          check('a1', em.a1, s.a1);
          check('z2', em.z2, s.z2);
          check('yHat', em.yHat, s.yHat);
          check('dz2', em.dz2, s.dz2);
          check('dz1', em.dz1, s.dz1, s.gateUncertain);
          check('grads', em.grads, b.grads, b.gateUncertain);
          if (!ACTIVATIONS[activation].kink) expect(b.uncertainUnits).toEqual([]);
        });
      }
    }
  }

  it('the bounds are not loose: tanh and σ use a fair share of them, none above 1000·u of its shadow', () => {
    console.log(
      `largest fraction of its bound used: ${Object.entries(worst)
        .map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`)
        .join(', ')}`,
    );
    for (const activation of ['tanh', 'sigmoid'] as const) {
      const net: Net = { d: 3, H: 16, activation };
      const data = randomDataset(41, 3, 20);
      const b = shadowBounds(net, randomParams(42, 3, 16), data, 'bce', { perSample: true });
      for (const name of ['a1', 'dz1'] as const) {
        b.samples![name].bound.forEach((e, k) =>
          expect(e, `${activation} ${name}[${k}]`).toBeLessThanOrEqual(
            1000 * U * Math.max(b.samples![name].mag[k]!, 1e-3),
          ),
        );
      }
    }
  });

  it('and they can fail: the bounds of leaky do not admit a ReLU kernel, nor those of tanh a kernel with tanh′ = 1 − a1', () => {
    const data = randomDataset(91, 2, 30);
    const params = randomParams(92, 2, 8);
    const leaky = shadowBounds({ d: 2, H: 8, activation: 'leaky' }, params, data, 'bce', { perSample: true });
    const relu = emulate({ d: 2, H: 8, activation: 'relu' }, params, data, 'bce');
    expect(compareArrayWithBounds('a1', relu.a1, leaky.samples!.a1.value, leaky.samples!.a1.bound).pass).toBe(false);
    const tanh = shadowBounds({ d: 2, H: 8, activation: 'tanh' }, params, data, 'bce', { perSample: true });
    const good = emulate({ d: 2, H: 8, activation: 'tanh' }, params, data, 'bce');
    expect(compareArrayWithBounds('dz1', good.dz1, tanh.samples!.dz1.value, tanh.samples!.dz1.bound).pass).toBe(true);
    const wrong = good.dz1.map((v, k) => (v === 0 ? 0 : Math.fround((v / (1 - good.a1[k]! ** 2)) * (1 - good.a1[k]!))));
    expect(compareArrayWithBounds('dz1', wrong, tanh.samples!.dz1.value, tanh.samples!.dz1.bound).pass).toBe(false);
  });

  it('"gate uncertain at f32" is flagged only where f′ jumps: z1 = 2^-46, which f32 may round to 0', () => {
    const c = 1 + 2 ** -23;
    const data = makeDataset([[c], [-1]], [1, 0]);
    const params = [c, 1, -(1 + 2 ** -22), 0.5, 1, -1, 0]; // z1 of unit 0 at sample 0 is 2^-46 in f64, 0 in f32 without an fma
    const uncertain = (activation: HiddenActivation) =>
      shadowBounds({ d: 1, H: 2, activation }, params, data, 'bce').uncertainUnits;
    expect(uncertain('relu')).toEqual([0]);
    expect(uncertain('leaky')).toEqual([0]);
    expect(uncertain('tanh')).toEqual([]);
    expect(uncertain('sigmoid')).toEqual([]);
  });
});

/** Units j with f′(z1) = 0 at every sample: no gradient reaches their weights, bias or outgoing weight. */
function deadUnits(net: Net, params: ArrayLike<number>): number[] {
  const { z1 } = forward(net, params, xor());
  const der = ACTIVATIONS[net.activation ?? 'relu'].der;
  return Array.from({ length: net.H }, (_, j) => j).filter((j) =>
    Array.from({ length: 4 }, (_, n) => der(z1[n * net.H + j]!)).every((v) => v === 0),
  );
}

describe('dead units', () => {
  it('ReLU leaves dead units where leaky ReLU leaves none: same seeds, same start, 2,000 steps at rate 0.5', () => {
    let reluDead = 0;
    let deadAtStart = 0;
    for (let seed = 0; seed < 16; seed++) {
      const start = initParams({ d: 2, H: 2 }, seed);
      const after = (activation: HiddenActivation) => {
        const t = new MatrixTrainer(xor(), start, { hidden: 2, lr: 0.5, loss: 'bce', activation });
        t.step(2000);
        return t.params;
      };
      const relu = deadUnits({ d: 2, H: 2, activation: 'relu' }, after('relu'));
      reluDead += relu.length;
      expect(deadUnits({ d: 2, H: 2, activation: 'leaky' }, after('leaky')), `seed ${seed}`).toEqual([]);
      // A unit dead from the start stays exactly where it started under ReLU; under leaky ReLU it moves.
      const L = paramLayout({ d: 2, H: 2 });
      for (const j of deadUnits({ d: 2, H: 2, activation: 'relu' }, start)) {
        deadAtStart++;
        const row = (p: ArrayLike<number>) => [
          p[L.W1.offset + 2 * j]!,
          p[L.W1.offset + 2 * j + 1]!,
          p[L.b1.offset + j]!,
          p[L.W2.offset + j]!,
        ];
        expect(row(after('relu'))).toEqual(row(start));
        expect(row(after('leaky'))).not.toEqual(row(start));
      }
    }
    expect(reluDead, 'some seed must leave a dead ReLU unit, or this test shows nothing').toBeGreaterThan(0);
    expect(deadAtStart).toBeGreaterThan(0);
    console.log(
      `H = 2, seeds 0 to 15: ${reluDead} dead ReLU units after training (${deadAtStart} dead from the start), 0 with leaky ReLU`,
    );
  });
});

describe('one hidden unit never learns XOR, with any activation', () => {
  const rates = [0.1, 0.5, 2];
  for (const activation of HIDDEN_ACTIVATIONS) {
    it(`${activation}: no seed at rates ${rates.join(', ')} learns, none gets all four points, and the decision region is a half-plane`, () => {
      const cells = sweepCpu(xor(), {
        widths: [1],
        rates,
        seeds: 12,
        seedBase: 0,
        steps: 1000,
        loss: 'bce',
        activation,
      });
      expect(cells.map((c) => c.learned)).toEqual(rates.map(() => 0));
      for (const lr of rates) {
        for (let seed = 0; seed < 12; seed++) {
          const r = trainOneCpu(xor(), 1, lr, seed, 1000, 'bce', activation);
          expect(learned(r.loss, r.accuracy)).toBe(false);
          expect(r.accuracy).toBeLessThanOrEqual(0.75);
        }
      }
      // yHat is monotone in z1 = w·x + b1 (f is monotone, z2 affine in a1): on a grid, sorted by z1, the
      // predicted class changes at most once, i.e. the region yHat ≥ 1/2 is one side of a line.
      const net: Net = { d: 2, H: 1, activation };
      const t = new MatrixTrainer(xor(), initParams(net, 5), { hidden: 1, lr: 0.5, loss: 'bce', activation });
      t.step(500);
      const grid = Array.from({ length: 21 * 21 }, (_, k) => [(k % 21) / 10 - 0.5, Math.floor(k / 21) / 10 - 0.5]);
      const cache = forward(
        net,
        t.params,
        makeDataset(
          grid,
          grid.map(() => 0),
        ),
      );
      const order = Array.from(cache.z1.keys()).sort((a, b) => cache.z1[a]! - cache.z1[b]!);
      const classes = order.map((k) => (cache.yHat[k]! >= 0.5 ? 1 : 0));
      expect(classes.filter((c, i) => i > 0 && c !== classes[i - 1]).length).toBeLessThanOrEqual(1);
    });
  }
});
