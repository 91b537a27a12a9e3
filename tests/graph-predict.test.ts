/**
 * Predict, then reveal (src/ui/graph/graph-predict.ts): the tolerance's edges, the typed number's forms, the entry the
 * walk asks for at each backward stage (1 and 2 hidden layers), its value against the oracle's own arrays, and the
 * rule each hint names.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel, modelLayout, type Output } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { snapshotInput } from '../src/ui/graph/diagram.js';
import { fmt, graphState, type GraphState } from '../src/ui/graph/graph-model.js';
import { isRight, parseAnswer, questionFor, scoreText, verdict } from '../src/ui/graph/graph-predict.js';
import { walkSteps } from '../src/ui/graph/graph-steps.js';
import { oracleSnapshot } from './support/snapshot.js';

interface Net {
  hidden: number[];
  activation?: HiddenActivation;
  output?: Output;
  loss?: LossKind;
  /** Hidden layer 1's first `pinned` units get b = −50: their ReLU gates are closed for every sample. */
  pinned?: number;
}

/** A graph state for sample n of random data, and the oracle's own arrays to check it against. */
function setup(net: Net, n = 2, seed = 5) {
  const d = 2;
  const N = 6;
  const loss = net.loss ?? 'bce';
  const data = randomDataset(seed, d, N, { binary: loss === 'bce' });
  const params = initModelParams({ d, hidden: net.hidden }, seed + 1);
  const b1 = modelLayout({ d, hidden: net.hidden }).layers[0]!.b;
  params.fill(-50, b1.offset, b1.offset + (net.pinned ?? 0));
  const shape = { hidden: net.hidden, activation: net.activation ?? 'relu', output: net.output ?? 'sigmoid' };
  const snap = oracleSnapshot(data, params, shape, { loss });
  const model = makeModel({ d, ...shape });
  const r = lossAndGradsModel(model, params, data, { loss, l1: 0, l2: 0 });
  const s = graphState(snapshotInput(snap, n));
  return { s, r, data, n, d, N };
}

const asked = (s: GraphState) =>
  walkSteps(s)
    .map((step) => questionFor(s, step.id))
    .filter((q) => q !== null);

describe('predict, then reveal: grading', () => {
  it('is right within 1% of the value and wrong just outside, either side and for negatives', () => {
    expect(isRight(0.505, 0.5)).toBe(true);
    expect(isRight(0.495, 0.5)).toBe(true);
    expect(isRight(0.5051, 0.5)).toBe(false);
    expect(isRight(0.4949, 0.5)).toBe(false);
    expect(isRight(-0.198, -0.2)).toBe(true);
    expect(isRight(-0.1979, -0.2)).toBe(false);
    expect(isRight(0.2, -0.2)).toBe(false); // the sign matters
    expect(isRight(Number.NaN, 0.5)).toBe(false);
  });

  it('matches a true 0 within 1e−9, absolutely', () => {
    expect(isRight(0, 0)).toBe(true);
    expect(isRight(-1e-9, 0)).toBe(true);
    expect(isRight(2e-9, 0)).toBe(false);
    expect(isRight(1e-3, 0)).toBe(false);
  });

  it('takes 3 significant digits, and the 4 the graph shows on a single number, as right, over many magnitudes', () => {
    for (let k = 0; k < 400; k++) {
      const v = (k % 2 ? -1 : 1) * Math.exp(-12 + (k / 400) * 20) * (1 + ((k * 37) % 11) / 13);
      for (const shown of [fmt(v), v.toPrecision(3)]) {
        const typed = parseAnswer(shown);
        expect(typed, `${shown} for ${v}`).not.toBeNull();
        expect(isRight(typed!, v), `${shown} for ${v}`).toBe(true);
      }
    }
  });

  it("reads the page's minus sign and exponents, and refuses what is not one number", () => {
    expect(parseAnswer('−0.125')).toBe(-0.125);
    expect(parseAnswer(' 1.2e−3 ')).toBe(0.0012);
    expect(parseAnswer('-2.5E2')).toBe(-250);
    expect(parseAnswer('.5')).toBe(0.5);
    for (const bad of ['', 'abc', '1,5', '0.5.1', '1e', '− ', 'Infinity', 'NaN', '1e999'])
      expect(parseAnswer(bad), bad).toBeNull();
  });

  it('says right with the value, or names the rule on a miss; the score counts first tries', () => {
    const { s } = setup({ hidden: [4] });
    const q = questionFor(s, 'dz2')!;
    expect(verdict(q, q.value).right).toBe(true);
    expect(verdict(q, q.value).text).toContain(fmt(q.value));
    const miss = verdict(q, q.value + 1);
    expect(miss.right).toBe(false);
    expect(miss.text).toContain(q.hint);
    expect(scoreText(3, 5)).toBe('Score: 3 of 5 right at the first try');
  });
});

describe('predict, then reveal: the entry asked at each stage', () => {
  it('1 hidden layer: δ2, dW2, da1, the gate, dW1 — a closed gate where one is drawn, open units for the weights', () => {
    const { s, r, data, n, d } = setup({ hidden: [5], pinned: 2 });
    const H = 5;
    const qs = asked(s);
    expect(qs.map((q) => q.stage)).toEqual(['dz2', 'dW2', 'da1', 'dz1', 'dW1']);
    const [out, w2, into, gate, w1] = qs as [
      (typeof qs)[0],
      (typeof qs)[0],
      (typeof qs)[0],
      (typeof qs)[0],
      (typeof qs)[0],
    ];
    const delta1 = r.delta[0]!.subarray(n * H, (n + 1) * H);
    expect(out.value).toBe(r.delta[1]![n]);
    expect(out.label).toBe('dz2 (δ2), at the output');
    // da1: the unit with the largest |da1|; units 1 and 2 are pinned shut: the gate's question is the one of them
    // whose gate blocks the larger |da1|; the weights' unit 3 (the first open one)
    const da1 = r.da[0]!.subarray(n * H, (n + 1) * H);
    const big = (units: number[]) => units.reduce((b, j) => (Math.abs(da1[j]!) > Math.abs(da1[b]!) ? j : b));
    const jInto = big([0, 1, 2, 3, 4]);
    const jGate = big([0, 1]);
    expect(into.label).toBe(`da1 for unit ${jInto + 1}`);
    expect(into.value).toBe(da1[jInto]);
    expect(into.value).not.toBe(0);
    expect(gate.label).toBe(`dz1 (δ1) for unit ${jGate + 1}`);
    expect(gate.value).toBe(0);
    expect(da1[jGate]).not.toBe(0); // a gate that blocks something
    expect(gate.hint).toBe('the gate is closed: ReLU′(z) = 0 for z ≤ 0, so dz1 = 0.');
    expect(w2.label).toMatch(/dW2\[1\]\[3\]/);
    expect(w2.value).toBeCloseTo(r.delta[1]![n]! * r.cache.a[0]![n * H + 2]!, 15);
    expect(w1.label).toMatch(/dW1\[3\]\[1\].*from x1/);
    expect(w1.value).toBeCloseTo(delta1[2]! * data.x[n * d]!, 15);
    expect(w1.value).not.toBe(0);
  });

  it('2 hidden layers: every stage of both layers, each value from the oracle', () => {
    const { s, r, data, n, d } = setup({ hidden: [3, 4], activation: 'tanh' });
    const qs = asked(s);
    expect(qs.map((q) => q.stage)).toEqual(['dz3', 'dW3', 'da2', 'dz2', 'dW2', 'da1', 'dz1', 'dW1']);
    const by = Object.fromEntries(qs.map((q) => [q.stage, q]));
    expect(by.dz3!.value).toBe(r.delta[2]![n]);
    // tanh: no gate is ever closed: da at the unit with the largest |da|, δ at the unit with the largest |δ|
    const argmax = (a: Float64Array, from: number, H: number) =>
      Array.from({ length: H }, (_, j) => j).reduce((b, j) =>
        Math.abs(a[from + j]!) > Math.abs(a[from + b]!) ? j : b,
      );
    const [i2, g2] = [argmax(r.da[1]!, n * 4, 4), argmax(r.delta[1]!, n * 4, 4)];
    const [i1, g1] = [argmax(r.da[0]!, n * 3, 3), argmax(r.delta[0]!, n * 3, 3)];
    expect(by.da2!.label).toBe(`da2 for unit ${i2 + 1} of hidden layer 2`);
    expect(by.da2!.value).toBe(r.da[1]![n * 4 + i2]);
    expect(by.dz2!.label).toBe(`dz2 (δ2) for unit ${g2 + 1} of hidden layer 2`);
    expect(by.dz2!.value).toBe(r.delta[1]![n * 4 + g2]);
    expect(by.da1!.value).toBe(r.da[0]![n * 3 + i1]);
    expect(by.dz1!.value).toBe(r.delta[0]![n * 3 + g1]);
    // not always unit 1: across these samples the units asked differ
    const units = new Set(
      [0, 1, 2, 3, 4, 5].flatMap((m) => {
        const t = setup({ hidden: [3, 4], activation: 'tanh' }, m).s;
        return ['da2', 'dz2', 'da1', 'dz1'].map((st) => questionFor(t, st)!.i);
      }),
    );
    expect(units.size).toBeGreaterThan(1);
    // the gate's rule holds for the numbers asked: dz = da (1 − a²)
    const a2 = r.cache.a[1]![n * 4 + g2]!;
    expect(by.dz2!.value).toBeCloseTo(r.da[1]![n * 4 + g2]! * (1 - a2 * a2), 15);
    expect(by.dW3!.value).toBeCloseTo(r.delta[2]![n]! * r.cache.a[1]![n * 4]!, 15); // from unit 1, open
    expect(by.dW2!.label).toMatch(/dW2\[1\]\[1\].*from unit 1 of a1/);
    expect(by.dW2!.value).toBeCloseTo(r.delta[1]![n * 4]! * r.cache.a[0]![n * 3]!, 15);
    expect(by.dW1!.value).toBeCloseTo(r.delta[0]![n * 3]! * data.x[n * d]!, 15);
  });

  it("a weight's share is asked from an input that is not 0 (x1 = 0 would make it a mere 0)", () => {
    const d = 2;
    const hidden = [4];
    const data = { d, N: 4, x: Float64Array.from([0, 0, 0, 1, 1, 0, 1, 1]), y: Float64Array.from([0, 1, 1, 0]) };
    const params = initModelParams({ d, hidden }, 3);
    const snap = oracleSnapshot(data, params, { hidden, activation: 'tanh', output: 'sigmoid' }, { loss: 'bce' });
    const r = lossAndGradsModel(makeModel({ d, hidden, activation: 'tanh', output: 'sigmoid' }), params, data, {
      loss: 'bce',
    });
    // the sample x = (0, 1): x1 = 0, so the question is about x2's weight
    const w1 = questionFor(graphState(snapshotInput(snap, 1)), 'dW1')!;
    expect(w1.label).toMatch(/dW1\[1\]\[2\].*from x2/);
    expect(w1.value).toBeCloseTo(r.delta[0]![1 * 4]! * 1, 15);
    expect(w1.value).not.toBe(0);
    // x = (1, 0): x1
    expect(questionFor(graphState(snapshotInput(snap, 2)), 'dW1')!.label).toMatch(/dW1\[1\]\[1\].*from x1/);
  });

  it('asks nothing on the forward pass, at the seed or through the mean', () => {
    const { s } = setup({ hidden: [3] });
    for (const id of ['leaves', 'z1', 'a1', 'z2', 'out', 'L', 'seed', 'dl']) expect(questionFor(s, id)).toBeNull();
  });
});

describe("predict, then reveal: each rule's hint", () => {
  it('δ at the output: σ with BCE, σ with squared error, the identity output', () => {
    expect(questionFor(setup({ hidden: [3] }).s, 'dz2')!.hint).toMatch(/σ and BCE is ŷ − y.*\/N/);
    expect(questionFor(setup({ hidden: [3], loss: 'mse' }).s, 'dz2')!.hint).toMatch(/2\(ŷ − y\) · ŷ\(1 − ŷ\)/);
    const id = setup({ hidden: [3], loss: 'mse', output: 'identity' }).s;
    expect(questionFor(id, 'dz2')!.hint).toMatch(/identity output .* 2\(ŷ − y\)\/N/);
  });

  it('into a layer: the weight times the δ arriving (W_{l+1}ᵀ δ)', () => {
    expect(questionFor(setup({ hidden: [3] }).s, 'da1')!.hint).toMatch(/^da1 = W2ᵀ dz2: the weight times the δ/);
    expect(questionFor(setup({ hidden: [3, 2] }).s, 'da1')!.hint).toMatch(/^da1 = W2ᵀ dz2/);
    expect(questionFor(setup({ hidden: [3, 2] }).s, 'da2')!.hint).toMatch(/^da2 = W3ᵀ dz3/);
  });

  it("each gate: ReLU closed or open, leaky's 0.01, tanh′ = 1 − a², σ′ = a(1 − a)", () => {
    const hints: Record<HiddenActivation, RegExp> = {
      relu: /ReLU′\(z\) = [01]/,
      leaky: /1 for z > 0 and 0\.01 otherwise/,
      tanh: /tanh′\(z\) = 1 − a²: dz1 = da1 × \(1 − a1²\)/,
      sigmoid: /σ′\(z\) = a\(1 − a\): dz1 = da1 × a1\(1 − a1\)/,
    };
    for (const act of HIDDEN_ACTIVATIONS)
      expect(questionFor(setup({ hidden: [3], activation: act }).s, 'dz1')!.hint).toMatch(hints[act]);
    // samples where all three gates are open: the open rule, dz1 = da1
    const open = [0, 1, 2, 3, 4, 5]
      .flatMap((n) => [5, 6, 7, 8].map((seed) => setup({ hidden: [3] }, n, seed).s))
      .filter((st) => st.values.gate!.every((g) => g === 1));
    expect(open.length).toBeGreaterThan(0);
    for (const st of open)
      expect(questionFor(st, 'dz1')!.hint).toBe('the gate is open: ReLU′(z) = 1 for z > 0, so dz1 = da1.');
    expect(questionFor(setup({ hidden: [3], pinned: 1 }).s, 'dz1')!.hint).toMatch(/^the gate is closed/);
  });

  it("a weight's gradient: δ times the layer's input, summed over the batch", () => {
    const { s } = setup({ hidden: [3, 2] });
    expect(questionFor(s, 'dW1')!.hint).toMatch(/^dW1 = dz1 xᵀ summed over the batch/);
    expect(questionFor(s, 'dW2')!.hint).toMatch(/^dW2 = dz2 a1ᵀ summed over the batch/);
    expect(questionFor(s, 'dW3')!.hint).toMatch(/^dW3 = dz3 a2ᵀ summed over the batch/);
  });
});
