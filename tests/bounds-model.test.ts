/**
 * The general network's per-element f32 bounds (src/mlp/bounds/bounds-model.ts): the 2-layer numbers kept bit
 * for bit, the shadow against independent computations, every bound against f32 emulations of the kernels in
 * three summation orders (HOLDS), each at most a cap in units of u times its magnitude with an error just
 * beyond it caught (TIGHT), the one-step SGD bound both ways, and uncertain gates and signs flagged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { batchIndices } from '../src/mlp/batches.js';
import { shadowBounds } from '../src/mlp/bounds/bounds.js';
import { type ModelBounds, type Shadowed, shadowBoundsModel } from '../src/mlp/bounds/bounds-model.js';
import { compareArrayWithBounds, compareWithBoundsModel } from '../src/mlp/bounds/compare.js';
import { ETA, f32Error, SLACK, U } from '../src/mlp/bounds/f32-error.js';
import { sgdStepBounds, sgdStepBoundsModel } from '../src/mlp/bounds/step-bounds.js';
import { type Dataset, randomDataset } from '../src/mlp/data/data.js';
import { makeModel, type Model, modelLayout, type Output, parameterCount, widths } from '../src/mlp/model.js';
import type { Objective } from '../src/mlp/objective.js';
import { forwardModel, lossAndGradsModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { paramLayout } from '../src/mlp/spec.js';
import { emulate } from './support/f32-emulation.js';
import { emulateModel, sgdStep32, type SumOrder } from './support/f32-emulation-model.js';
import { sgdStepBoundsOneLayer, shadowBoundsOneLayer } from './support/shadow-one-layer.js';

type Values = ArrayLike<number>;

/** Every number of a result, keys sorted and arrays flattened, for a bit-for-bit comparison. */
function numbers(o: unknown): number[] {
  if (typeof o === 'number') return [o];
  if (ArrayBuffer.isView(o)) return Array.from(o as unknown as ArrayLike<number>);
  if (Array.isArray(o)) return o.flatMap(numbers);
  if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    return Object.keys(r)
      .sort()
      .flatMap((k) => numbers(r[k]));
  }
  return [];
}

function expectSameBits(a: unknown, b: unknown, what: string): void {
  const [x, y] = [numbers(a), numbers(b)];
  expect(x.length, `${what}: count`).toBe(y.length);
  const i = x.findIndex((v, k) => !Object.is(v, y[k]));
  expect(i, i < 0 ? '' : `${what}: number ${i} is ${x[i]}, was ${y[i]}`).toBe(-1);
}

/** d and the hidden widths: depth 1 to 4, mixed widths, one wide pair. */
const ARCHS: readonly [number, number[]][] = [
  [3, [5]],
  [2, [7, 3]],
  [4, [4, 9, 2]],
  [1, [3, 6, 8, 5]],
  [5, [33, 16]],
];
const HEADS: readonly [Output, LossKind][] = [
  ['sigmoid', 'bce'],
  ['sigmoid', 'mse'],
  ['identity', 'mse'],
];
const PENALTIES: readonly { l1?: number; l2?: number }[] = [{}, { l1: 0.013 }, { l2: 0.07 }, { l1: 0.013, l2: 0.07 }];
const N = 20;
const BATCHES = [1, 3, N];

/**
 * Parameters in [−1.5, 1.5) (f32 values with `f32Params`, so an SGD step starts without error), inputs in
 * [−2, 2) and labels in [0, 1) for σ or [−2, 2) for the identity, none of them f32: the upload's rounding counts.
 */
function problem(model: Model, seed: number, f32Params: boolean): { params: Float64Array; data: Dataset } {
  const rng = makeRng(seed);
  const params = Float64Array.from({ length: parameterCount(model) }, () => {
    const v = 3 * rng() - 1.5 + 1e-9 * rng();
    return f32Params ? Math.fround(v) : v;
  });
  const x = Float64Array.from({ length: N * model.d }, () => 4 * rng() - 2 + 1e-9 * rng());
  const label = () => (model.output === 'sigmoid' ? 0.999 * rng() : 4 * rng() - 2);
  const y = Float64Array.from({ length: N }, () => label() + 1e-9 * rng());
  return { params, data: { d: model.d, N, x, y } };
}

/** Each case of the random sweep, with its batch (step 1 of a seeded schedule: a shuffled epoch for B < N). */
function* cases(activation: HiddenActivation, output: Output, loss: LossKind) {
  const head = HEADS.findIndex(([o, l]) => o === output && l === loss);
  let seed = 1000 * HIDDEN_ACTIVATIONS.indexOf(activation) + 100 * head;
  for (const [d, hidden] of ARCHS) {
    const model = makeModel({ d, hidden, activation, output });
    for (const B of BATCHES) {
      for (const penalty of PENALTIES) {
        seed++;
        const objective: Objective = { loss, ...penalty };
        const at = `hidden=${hidden}, d=${d}, B=${B}, ${JSON.stringify(penalty)}`;
        yield { model, B, seed, objective, rows: batchIndices(N, B, seed, 1), at };
      }
    }
  }
}

describe('L = 1, σ output, no penalty, the full batch: the same numbers as before', () => {
  it('shadowBounds and sgdStepBounds, bit for bit against the 2-layer code they replace, for every activation', () => {
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const loss of ['bce', 'mse'] as const) {
        for (const [d, H, n, seed] of [
          [1, 1, 1, 1],
          [2, 8, 4, 2],
          [3, 33, 7, 3],
          [5, 16, 300, 4],
        ] as const) {
          const net = { d, H, activation };
          const data = randomDataset(seed, d, n);
          const rng = makeRng(seed + 7);
          const params = Float64Array.from({ length: paramLayout(net).size }, () => 3 * rng() - 1.5);
          const problem = { ...data, x: data.x.map((v) => v + rng() * 1e-9) };
          const at = `${activation} ${loss} d=${d} H=${H} N=${n}`;
          const paramError = params.map((p) => f32Error(p) + 1e-9 * rng());
          for (const opts of [{ perSample: true }, { paramError, perSample: true }]) {
            const was = shadowBoundsOneLayer(net, params, problem, loss, opts);
            expectSameBits(shadowBounds(net, params, problem, loss, opts), was, at);
          }
          expectSameBits(
            sgdStepBounds(net, params, paramError, problem, loss, 0.3),
            sgdStepBoundsOneLayer(net, params, paramError, problem, loss, 0.3),
            `${at} SGD step`,
          );
        }
      }
    }
  });

  it('the general emulation in the kernel order is the 2-layer emulation, bit for bit', () => {
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const loss of ['bce', 'mse'] as const) {
        const data = randomDataset(9, 3, 11);
        const params = Float64Array.from({ length: paramLayout({ d: 3, H: 6 }).size }, (_, k) => Math.sin(k + 1));
        const one = emulate({ d: 3, H: 6, activation }, params, data, loss);
        const general = emulateModel(makeModel({ d: 3, hidden: [6], activation }), params, data, { loss });
        const pairs = [
          [general.z[0], one.z1],
          [general.a[0], one.a1],
          [general.z[1], one.z2],
          [general.yHat, one.yHat],
          [general.delta[1], one.dz2],
          [general.delta[0], one.dz1],
          [general.grads, one.grads],
        ] as const;
        for (const [a, b] of pairs) expectSameBits(a, b, `${activation} ${loss}`);
      }
    }
  });
});

describe('the shadow and the batch', () => {
  it('a batch of B rows is bounded as the dataset of those rows alone: the mean divides by B, not N', () => {
    for (const [output, loss] of HEADS) {
      for (const [d, hidden] of ARCHS.slice(0, 4)) {
        const model = makeModel({ d, hidden, activation: 'tanh', output });
        const { params, data } = problem(model, 7 + d, false);
        const rows = batchIndices(N, 3, 5, 2);
        const sub: Dataset = {
          d,
          N: rows.length,
          x: Float64Array.from(Array.from(rows).flatMap((n) => Array.from(data.x.subarray(n * d, (n + 1) * d)))),
          y: Float64Array.from(rows, (n) => data.y[n]!),
        };
        const objective = { loss, l1: 0.01, l2: 0.1 };
        const batch = shadowBoundsModel(model, params, data, objective, { rows, perSample: true });
        const alone = shadowBoundsModel(model, params, sub, objective, { perSample: true });
        expectSameBits(batch, alone, `${output} ${loss} ${hidden}`);
        const oracle = lossAndGradsModel(model, params, data, objective, rows).grads;
        expect(Array.from(batch.grads.value)).toEqual(Array.from(oracle));
        const full = shadowBoundsModel(model, params, data, objective);
        const inOrder = shadowBoundsModel(model, params, data, objective, { rows: batchIndices(N, N, 5, 2) });
        expectSameBits(full, inOrder, 'rows 0..N−1');
      }
    }
  });

  it("forward, a deep ReLU network's shadow is the oracle run on |θ| and |x|, surely closed units dropped", () => {
    for (const [d, hidden] of ARCHS) {
      const model = makeModel({ d, hidden, activation: 'relu', output: 'identity' });
      const { params, data } = problem(model, 40 + d, false);
      const s = shadowBoundsModel(model, params, data, { loss: 'mse' }, { perSample: true }).samples!;
      const { layers } = modelLayout(model);
      for (let r = 0; r < N; r++) {
        const abs = params.map(Math.abs);
        hidden.forEach((h, i) => {
          const { W, nin } = layers[i + 1]!; // W_{l+1}: the closed unit's outgoing weights are its column
          for (let j = 0; j < h; j++) {
            const z = s.hidden[i]!.z;
            if (z.value[r * h + j]! + z.bound[r * h + j]! / SLACK > 0) continue;
            for (let k = 0; k < layers[i + 1]!.nout; k++) abs[W.offset + k * nin + j] = 0;
          }
        });
        const one: Dataset = { d, N: 1, x: data.x.subarray(r * d, (r + 1) * d).map(Math.abs), y: new Float64Array(1) };
        const ref = forwardModel(model, abs, one);
        hidden.forEach((h, i) => {
          for (let j = 0; j < h; j++) expect(s.hidden[i]!.z.mag[r * h + j]! / ref.z[i]![j]!).toBeCloseTo(1, 12);
        });
        expect(s.output.z.mag[r]! / ref.z[hidden.length]![0]!).toBeCloseTo(1, 12);
      }
    }
  });
});

/** Every per-sample tensor and the gradients of one case, against one emulation; returns the largest fraction used. */
function expectHolds(model: Model, b: ModelBounds, em: ReturnType<typeof emulateModel>, at: string): number {
  const s = b.samples!;
  let worst = 0;
  const check = (name: string, got: Values, t: Shadowed, mask?: Values) => {
    const r = compareArrayWithBounds(name, got, t.value, t.bound, mask);
    worst = Math.max(worst, r.maxFraction, r.uncertainMaxFraction);
    expect(r.pass, `${at} ${name}: ${JSON.stringify(r)}`).toBe(true);
  };
  s.hidden.forEach((h, i) => {
    check(`z${i + 1}`, em.z[i]!, h.z);
    check(`a${i + 1}`, em.a[i]!, h.a);
    check(`da${i + 1}`, em.da[i]!, h.da, h.daUncertain);
    check(`delta${i + 1}`, em.delta[i]!, h.delta, h.deltaUncertain);
  });
  const L = s.hidden.length;
  check('z_out', em.z[L]!, s.output.z);
  check('yHat', em.yHat, s.output.yHat);
  check('delta_out', em.delta[L]!, s.output.delta);
  for (const t of compareWithBoundsModel(model, em.grads, b).tensors) {
    worst = Math.max(worst, t.maxFraction, t.uncertainMaxFraction);
    expect(t.pass, `${at} ${t.tensor}: ${JSON.stringify(t)}`).toBe(true);
  }
  return worst;
}

function bounds(model: Model, params: Values, data: Dataset, objective: Objective, rows: Values): ModelBounds {
  return shadowBoundsModel(model, params, data, objective, { rows, perSample: true });
}

describe('HOLDS: every element of f32 emulations (three summation orders, a 2-ulp division) within its bound', () => {
  const worst = { fraction: 0, where: '' };
  afterAll(() => {
    const used = worst.fraction.toFixed(3);
    console.log(`general network, f32 emulations: largest |f32 − f64| / bound: ${used} (${worst.where})`);
  });
  const emulations: { order: SumOrder; division?: 'worst' }[] = [
    { order: 'kernel' },
    { order: 'reversed' },
    { order: 'pairwise' },
    { order: 'kernel', division: 'worst' },
  ];
  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const [output, loss] of HEADS) {
      const sweep = `${ARCHS.length} shapes × batches ${BATCHES} × ${PENALTIES.length} penalties`;
      it(`${activation}, ${output} output, ${loss}: ${sweep}`, () => {
        for (const { model, seed, objective, rows, at } of cases(activation, output, loss)) {
          const { params, data } = problem(model, seed, false);
          const b = bounds(model, params, data, objective, rows);
          for (const e of emulations) {
            const how = `${e.order}${e.division ? ', division 2 ulp off' : ''}`;
            const where = `${activation} ${output} ${loss} ${at} ${how}`;
            const used = expectHolds(model, b, emulateModel(model, params, data, objective, { rows, ...e }), where);
            if (used > worst.fraction) [worst.fraction, worst.where] = [used, where];
          }
        }
      });
    }
  }

  it('three chained SGD steps on mini-batches of 3, from θ off the f32 grid, every activation and output', () => {
    const lr = 0.1; // not an f32 value: its rounding counts
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const [output, loss] of HEADS) {
        for (const [d, hidden] of ARCHS) {
          const model = makeModel({ d, hidden, activation, output });
          const { params, data } = problem(model, 77 + d, false);
          const objective = { loss, l1: 0.013, l2: 0.07 };
          let [theta, error, theta32]: Float64Array[] = [params, params.map(f32Error), params.map(Math.fround)];
          for (let t = 0; t < 3; t++) {
            const rows = batchIndices(N, 3, 11, t);
            const step = sgdStepBoundsModel(model, theta, error, data, objective, lr, rows);
            theta32 = sgdStep32(theta32, emulateModel(model, theta32, data, objective, { rows }).grads, lr);
            const r = compareArrayWithBounds('θ', theta32, step.params, step.error, step.gateUncertain);
            const at = `${activation} ${output} ${loss} hidden=${hidden} step ${t}`;
            expect(r.pass, `${at}: ${JSON.stringify(r)}`).toBe(true);
            [theta, error] = [step.params, step.error];
          }
        }
      }
    }
  });
});

/** Roundings on the longest path to each quantity, by layer l (1-based; z[0] is x's): the caps' k. */
function pathRoundings(model: Model, B: number) {
  const w = widths(model);
  const L = model.hidden.length;
  const z = [0];
  for (let l = 1; l <= L + 1; l++) z[l] = z[l - 1]! + w[l - 1]! + 1;
  const out = z[L + 1]! + 2; // σ (or nothing) and δ's few operations
  const delta: number[] = [];
  const da: number[] = [];
  delta[L + 1] = out;
  for (let l = L; l >= 1; l--) [da[l], delta[l]] = [delta[l + 1]! + w[l + 1]!, delta[l + 1]! + w[l + 1]! + 1];
  // δ·a_{l−1} in a sum over B terms (B + 1 roundings), then the penalty's two additions
  const grads = Array.from({ length: L + 2 }, (_, l) => (l === 0 ? 0 : delta[l]! + z[l - 1]! + B + 3));
  return { z, out, da, delta, grads };
}

/**
 * The backward magnitudes for the caps, recomputed here from the code's forward shadow: the sum of |terms| of each
 * product and sum, with f′ counted by the terms the kernels compute it from (1 and a² for tanh's 1 − a·a, |a| and a²
 * for σ's a·(1 − a)), since near saturation the f32 f′ is mostly rounding, plus |f″|·shadow(z), what z's error moves
 * it by. For ReLU and leaky this is the code's own shadow.
 */
function termMagnitudes(
  model: Model,
  params: Values,
  data: Dataset,
  objective: Objective,
  rows: Values,
  b: ModelBounds,
): { da: Float64Array[]; delta: Float64Array[]; grads: Float64Array } {
  const s = b.samples!;
  const { layers, size } = modelLayout(model);
  const L = model.hidden.length;
  const B = rows.length;
  // f′'s shadow as a's is f's: its terms, plus how far z's terms could move it (|f″|·shadow(z)).
  const fTerms = (z: number, a: number, mz: number): number => {
    const m = Math.abs(a);
    const tanh = 1 + m * m + 2 * m * (1 - m * m) * mz;
    const sigmoid = m * (1 + m) + m * (1 - m) * Math.abs(1 - 2 * m) * mz;
    return { relu: z > 0 ? 1 : 0, leaky: z > 0 ? 1 : 0.01, tanh, sigmoid }[model.activation];
  };
  const delta = [...model.hidden.map((h) => new Float64Array(B * h)), Float64Array.from(s.output.delta.mag)];
  const da = model.hidden.map((h) => new Float64Array(B * h));
  for (let l = L; l >= 1; l--) {
    const { W, nin, nout } = layers[l]!;
    const { z, a } = s.hidden[l - 1]!;
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < nin; j++) {
        let m = 0;
        for (let k = 0; k < nout; k++) m += Math.abs(params[W.offset + k * nin + j]!) * delta[l]![r * nout + k]!;
        const i = r * nin + j;
        da[l - 1]![i] = m;
        delta[l - 1]![i] = m * fTerms(z.value[i]!, a.value[i]!, z.mag[i]!);
      }
    }
  }
  const grads = new Float64Array(size);
  for (const { l, W, b: bias, nin, nout } of layers) {
    const inMag = (r: number, i: number) =>
      l === 1 ? Math.abs(data.x[rows[r]! * model.d + i]!) : s.hidden[l - 2]!.a.mag[r * nin + i]!;
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < nout; j++) {
        const g = delta[l - 1]![r * nout + j]!;
        grads[bias.offset + j] += g;
        for (let i = 0; i < nin; i++) grads[W.offset + j * nin + i] += g * inMag(r, i);
      }
    }
    for (let k = W.offset; k < W.offset + W.length; k++) {
      grads[k] += (objective.l1 ?? 0) * Math.abs(Math.sign(params[k]!)) + (objective.l2 ?? 0) * Math.abs(params[k]!);
    }
  }
  return { da, delta, grads };
}

/**
 * A bound that holds can still be too loose to catch anything: each element's bound must be at most C·u·magnitude
 * (plus a few flushed subnormals, η each), C = 2k + 40 for the k roundings on its longest path (the 40 covers exp,
 * the division and the uploads), and the emulated value moved by just over that on the element of largest
 * magnitude must fail. The largest bound / (u·magnitude) measured is printed beside k's.
 */
describe('TIGHT: every bound at most C·u·magnitude, and an error just beyond is caught', () => {
  const cap = (k: number) => 2 * k + 40;
  const seen = { ofCap: 0, ratio: 0, where: '' };
  afterAll(() =>
    console.log(
      `general network, tightness: largest bound / (C·u·magnitude) ${seen.ofCap.toFixed(3)}, ` +
        'largest bound / (u·magnitude) ' +
        `${seen.ratio.toFixed(1)} (${seen.where})`,
    ),
  );

  type Tight = (
    name: string,
    got: Values,
    value: Values,
    bound: Values,
    mag: Values,
    k: number | Values,
    mask?: Values,
  ) => void;
  const expectTight: Tight = (name, got, value, bound, mag, k, mask) => {
    let top = -1;
    const C = (i: number) => cap(typeof k === 'number' ? k : k[i]!);
    for (let i = 0; i < value.length; i++) {
      if (mask?.[i]) continue; // a gate or sign f32 cannot be sure of: its bound admits either side, on purpose
      const limit = C(i) * U * mag[i]! + 8 * ETA;
      const at = `${name}[${i}]: bound ${bound[i]}, magnitude ${mag[i]}, cap ${C(i)}·u·magnitude`;
      expect(bound[i]!, at).toBeLessThanOrEqual(limit);
      if (mag[i]! > 0) {
        const kk = (C(i) - 40) / 2;
        seen.ofCap = Math.max(seen.ofCap, bound[i]! / limit);
        const ratio = (bound[i]! - 8 * ETA) / (U * mag[i]!);
        if (ratio > seen.ratio) [seen.ratio, seen.where] = [ratio, `${name}[${i}], k = ${kk}`];
      }
      if (top < 0 || mag[i]! > mag[top]!) top = i;
    }
    expect(compareArrayWithBounds(name, got, value, bound, mask).pass, `${name}: the emulation within`).toBe(true);
    if (top < 0 || mag[top] === 0) return;
    const planted = Array.from(got);
    planted[top] = value[top]! + 1.01 * (C(top) * U * mag[top]! + 8 * ETA);
    const caught = !compareArrayWithBounds(name, planted, value, bound, mask).pass;
    expect(caught, `${name}[${top}]: an error of C·u·magnitude passed`).toBe(true);
  };

  /** For ReLU and leaky the recomputed magnitudes are the code's own shadow, wherever no uncertain gate enters. */
  const expectSameShadow = (name: string, code: Values, here: Values, mask?: Values) => {
    for (let i = 0; i < code.length; i++) {
      if (mask?.[i]) continue;
      const at = `${name}[${i}]: ${code[i]} vs ${here[i]}`;
      expect(Math.abs(code[i]! - here[i]!), at).toBeLessThanOrEqual(1e-12 * Math.abs(here[i]!));
    }
  };

  for (const activation of HIDDEN_ACTIVATIONS) {
    for (const [output, loss] of HEADS) {
      it(`${activation}, ${output} output, ${loss}: forward, backward, gradients and one SGD step`, () => {
        for (const { model, B, seed, objective, rows, at } of cases(activation, output, loss)) {
          const { params, data } = problem(model, seed, true);
          const b = bounds(model, params, data, objective, rows);
          const s = b.samples!;
          const em = emulateModel(model, params, data, objective, { rows });
          const k = pathRoundings(model, B);
          const m = termMagnitudes(model, params, data, objective, rows, b);
          const L = model.hidden.length;
          s.hidden.forEach((h, i) => {
            const l = i + 1;
            expectTight(`${at} z${l}`, em.z[i]!, h.z.value, h.z.bound, h.z.mag, k.z[l]!);
            // tanh = (1 − E)/(1 + E), E = exp(−2|z|): near 0 its terms are 1 and E, not |a|: an error floor of a few u.
            const aMag = activation === 'tanh' ? h.a.mag.map((v) => v + 1) : h.a.mag;
            expectTight(`${at} a${l}`, em.a[i]!, h.a.value, h.a.bound, aMag, k.z[l]!);
            expectTight(`${at} da${l}`, em.da[i]!, h.da.value, h.da.bound, m.da[i]!, k.da[l]!, h.daUncertain);
            const { delta, deltaUncertain: mask } = h;
            expectTight(`${at} delta${l}`, em.delta[i]!, delta.value, delta.bound, m.delta[i]!, k.delta[l]!, mask);
            if (activation === 'relu' || activation === 'leaky') {
              expectSameShadow(`${at} da${l}`, h.da.mag, m.da[i]!, h.daUncertain);
              expectSameShadow(`${at} delta${l}`, h.delta.mag, m.delta[i]!, h.deltaUncertain);
            }
          });
          const outputs = [
            ['z_out', s.output.z, em.z[L]!],
            ['yHat', s.output.yHat, em.yHat],
            ['delta_out', s.output.delta, em.delta[L]!],
          ] as const;
          for (const [name, t, got] of outputs) {
            expectTight(`${at} ${name}`, got, t.value, t.bound, t.mag, k.out);
          }
          const kGrads = new Float64Array(b.grads.value.length);
          for (const { l, W, b: bias } of modelLayout(model).layers) {
            kGrads.fill(k.grads[l]!, W.offset, bias.offset + bias.length);
          }
          expectTight(`${at} grads`, em.grads, b.grads.value, b.grads.bound, m.grads, kGrads, b.gateUncertain);
          if (activation === 'relu' || activation === 'leaky') {
            expectSameShadow(`${at} grads`, b.grads.mag, m.grads, b.gateUncertain);
          }
          // One step θ′ = θ − lr·g from an f32 θ: magnitude |θ| + lr·mag(g); the f32 step from the emulated g.
          const lr = 0.5;
          const step = sgdStepBoundsModel(model, params, new Float64Array(params.length), data, objective, lr, rows);
          const stepMag = params.map((p, i) => Math.abs(p) + lr * m.grads[i]!);
          const kStep = kGrads.map((v) => v + 2);
          const stepped = sgdStep32(params, em.grads, lr);
          expectTight(`${at} SGD step`, stepped, step.params, step.error, stepMag, kStep, step.gateUncertain);
        }
      });
    }
  }
});

describe('uncertain gates and signs, and refusals', () => {
  it("a second layer's gate f32 cannot be sure of is flagged; the layer below and its gradients inherit it", () => {
    // z2[0] = c·c − (1 + 2^-22) = 2^-46 in f64 (c = 1 + 2^-23), but the f32 product rounds to 1 + 2^-22:
    // 0, a shut gate.
    const c = 1 + 2 ** -23;
    const model = makeModel({ d: 1, hidden: [1, 2], activation: 'relu', output: 'sigmoid' });
    // W1 = [1], b1 = [0]; W2 = [c, 0.5], b2 = [−(1 + 2^-22), 0.25]; W3 = [1, −1], b3 = [0]
    const params = [1, 0, c, 0.5, -(1 + 2 ** -22), 0.25, 1, -1, 0];
    const data: Dataset = { d: 1, N: 2, x: Float64Array.of(c, 2), y: Float64Array.of(1, 0) };
    const b = bounds(model, params, data, { loss: 'bce' }, [0, 1]);
    const s = b.samples!;
    expect(s.hidden[1]!.z.value[0]).toBe(2 ** -46);
    expect(b.uncertainUnits).toEqual([[], [0]]);
    expect(Array.from(s.hidden[1]!.gateUncertain)).toEqual([1, 0, 0, 0]);
    expect(Array.from(s.hidden[0]!.daUncertain)).toEqual([1, 0]); // row 0 only: row 1's gate is sure
    expect(Array.from(b.gateUncertain)).toEqual([1, 1, 1, 0, 1, 0, 0, 0, 0]); // W1, b1, W2 row 0, b2[0]
    const em = emulateModel(model, params, data, { loss: 'bce' }, { rows: [0, 1] });
    expect(em.z[1]![0]).toBe(0); // the f32 gate shut: δ2[0] is 0 where f64's is da2[0]
    const off = Math.abs(em.delta[1]![0]! - s.hidden[1]!.delta.value[0]!);
    expect(off).toBeCloseTo(Math.abs(s.hidden[1]!.da.value[0]!), 6);
    expectHolds(model, b, em, 'uncertain gate');
  });

  it('a weight that rounds to 0 in f32 has an uncertain sign under L1: flagged, its bound admits either sign', () => {
    const model = makeModel({ d: 2, hidden: [3], activation: 'tanh', output: 'identity' });
    const { params, data } = problem(model, 5, true);
    params[1] = 1e-50; // fround: 0, so f32's sign(w) is 0 where f64's is 1
    params[2] = 0; // exactly 0 in both: sign 0, sure
    const rows = batchIndices(N, 3, 1, 0);
    const b = bounds(model, params, data, { loss: 'mse', l1: 0.5 }, rows);
    expect(b.signUncertain).toEqual([1]);
    expect(b.gateUncertain[1]).toBe(1);
    expect(b.gateUncertain[2]).toBe(0);
    const em = emulateModel(model, params, data, { loss: 'mse', l1: 0.5 }, { rows });
    expect(Math.abs(em.grads[1]! - b.grads.value[1]!)).toBeCloseTo(0.5, 5); // the L1 push f64 gives and f32 does not
    expectHolds(model, b, em, 'uncertain sign');
    expect(bounds(model, params, data, { loss: 'mse', l2: 0.5 }, rows).signUncertain).toEqual([]); // no L1, no sign
  });

  it("λ1's own f32 rounding counts: λ1 just under 1 + 2^-24 is uploaded as 1, a data term of 2^-25 lost by it", () => {
    const model = makeModel({ d: 1, hidden: [1], activation: 'relu', output: 'identity' });
    const v = 2 ** -13;
    // W1, b1, W2, b2: z1 = 1, z2 = v, δ2 = 2v, so dW1's data term is δ1·x = v·2v = 2^-25, exact
    const params = [1, 0, v, 0];
    const data: Dataset = { d: 1, N: 1, x: Float64Array.of(1), y: Float64Array.of(0) };
    const objective = { loss: 'mse', l1: 1 + 2 ** -24 * (1 - 2 ** -10) } as const;
    const b = bounds(model, params, data, objective, [0]);
    const em = emulateModel(model, params, data, objective);
    expect(lossAndGradsModel(model, params, data, { loss: 'mse' }).grads[0]).toBe(2 ** -25);
    expect(em.grads[0]).toBe(1); // fround(λ1) = 1, and 1 + 2^-25 rounds back to 1
    const err = Math.abs(em.grads[0]! - b.grads.value[0]!); // λ1's rounding and the addition's, the same way: 1.5·2^-24
    expect(err).toBeGreaterThan(1.4 * U);
    expect(err).toBeLessThanOrEqual(b.grads.bound[0]!);
    expect(b.grads.bound[0]!).toBeLessThan(2.2 * U);
  });

  it('a parameter error far above u is carried through every layer: the GPU holds θ·(1 ± 10⁻⁴), labels far off', () => {
    let worst = 0;
    for (const activation of HIDDEN_ACTIVATIONS) {
      for (const [output, loss] of HEADS) {
        for (const [d, hidden] of ARCHS) {
          const model = makeModel({ d, hidden, activation, output });
          const { params: gpu, data } = problem(model, 300 + d, true);
          const rng = makeRng(d);
          const theta = gpu.map((g) => g * (1 + (rng() < 0.5 ? -1e-4 : 1e-4)));
          const paramError = theta.map((t, k) => Math.abs(gpu[k]! - t) * (1 + 1e-9));
          const far = output === 'identity' ? { ...data, y: data.y.map((v) => 30 * Math.sign(v)) } : data;
          const rows = batchIndices(N, 3, 2, 0);
          const objective = { loss, l1: 0.013, l2: 0.07 };
          const b = shadowBoundsModel(model, theta, far, objective, { rows, paramError, perSample: true });
          const em = emulateModel(model, gpu, far, objective, { rows });
          worst = Math.max(worst, expectHolds(model, b, em, `${activation} ${output} ${loss} ${hidden}`));
        }
      }
    }
    console.log(`parameter errors of 10⁻⁴: largest fraction of its bound used ${worst.toFixed(3)}`);
  });

  it('bad input is refused, naming the field', () => {
    const model = makeModel({ d: 2, hidden: [3, 2], activation: 'relu', output: 'identity' });
    const { params, data } = problem(model, 3, true);
    expect(() => shadowBoundsModel(model, params, data, { loss: 'bce' })).toThrow(/loss bce needs output sigmoid/);
    expect(() => shadowBoundsModel(model, params, data, { loss: 'mse' }, { paramError: [0] })).toThrow(
      `paramError: expected ${params.length} values (one per parameter), got 1`,
    );
    const negative = new Float64Array(params.length).fill(-1);
    expect(() => shadowBoundsModel(model, params, data, { loss: 'mse' }, { paramError: negative })).toThrow(
      'paramError[0] is -1, must be a number ≥ 0',
    );
    const mse = { loss: 'mse' } as const;
    expect(() => shadowBoundsModel(model, params, data, mse, { rows: [0, N] })).toThrow(/batch: row 1 is sample 20/);
    const l1 = /l1 must be a finite number in \[0, 1000\]/;
    expect(() => shadowBoundsModel(model, params, data, { ...mse, l1: -1 })).toThrow(l1);
    const b = shadowBoundsModel(model, params, data, { loss: 'mse' });
    expect(() => compareWithBoundsModel(model, [1, 2], b)).toThrow(
      `compare: expected ${params.length} gradients for d=2, hidden=3,2, got 2`,
    );
  });
});
