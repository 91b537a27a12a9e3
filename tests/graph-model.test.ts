import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { LOSSES, type LossKind } from '../src/engine/losses.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { paramLayout } from '../src/mlp/spec.js';
import { makeModel, modelLayout, type Output, parameterCount } from '../src/mlp/model.js';
import { lossAndGradsModel } from '../src/mlp/reference.js';
import { makeRng } from '../src/mlp/rng.js';
import { edgeLabels } from '../src/ui/graph/graph-labels.js';
import { snapshotInput } from '../src/ui/graph/diagram.js';
import { fmt, fmtList, gateKey, graphState, numberKeys } from '../src/ui/graph/graph-model.js';
import { walkSteps } from '../src/ui/graph/graph-steps.js';
import { graphMarkup, labelGeometry } from '../src/ui/graph/graph-svg.js';
import type { Snapshot } from '../src/ui/session.js';
import { randomParams } from './support/random.js';
import { oracleSnapshot } from './support/snapshot.js';

/** A CPU snapshot of random parameters and data (not XOR), as the page's session would give. */
function snapshot(
  d: number,
  H: number,
  N: number,
  seed: number,
  loss: 'bce' | 'mse',
  activation: HiddenActivation = 'relu',
  pinned = 0,
): Snapshot {
  const data = randomDataset(seed, d, N, { binary: loss === 'bce' });
  const params = randomParams(seed + 1, d, H);
  // b1 = −50: the first `pinned` units far below 0
  params.fill(-50, paramLayout({ d, H }).b1.offset, paramLayout({ d, H }).b1.offset + pinned);
  return oracleSnapshot(data, params, { hidden: [H], activation }, { loss }, 7);
}

const near = (a: number, b: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(b)));

describe("the graph's numbers (src/ui/graph/graph-model.ts)", () => {
  for (const loss of LOSSES) {
    it(`${loss}: the local Jacobians along the output chain multiply to the oracle's δ2, and the per-unit rules hold`, () => {
      const s = snapshot(3, 5, 6, 11, loss);
      for (let n = 0; n < 6; n++) {
        const g = graphState(snapshotInput(s, n));
        const j = g.jacobians;
        const chain = loss === 'bce' ? j.dLdl * j.dldz : j.dLdl * j.dldyHat * j.dyHatdz;
        near(chain, s.layers.delta[1]![n]!, `δ2 of sample ${n}`);
        expect(j.dLdl).toBe(1 / 6);
        g.values.da1!.forEach((v, k) => near(v, g.values.W2![k]! * g.values.dz2![0]!, `da1[${k}] = W2 δ2`));
        g.values.dz1!.forEach((v, k) => near(v, g.values.gate![k]! * g.values.da1![k]!, `dz1[${k}] = ReLU′ da1`));
      }
    });

    it(`${loss}: at each Σₙ fork the shares of the N samples add up to the batch gradient shown left of it`, () => {
      const s = snapshot(2, 4, 5, 23, loss);
      const states = Array.from({ length: 5 }, (_, n) => graphState(snapshotInput(s, n)));
      for (const [share, total] of [
        ['cW1', 'dW1'],
        ['cb1', 'db1'],
        ['cW2', 'dW2'],
        ['cb2', 'db2'],
      ] as const) {
        const sum = states.reduce(
          (acc, g) => acc.map((v, k) => v + g.values[share]![k]!),
          states[0]!.values[share]!.map(() => 0),
        );
        sum.forEach((v, k) => near(v, states[0]!.values[total]![k]!, `Σₙ ${share}[${k}] = ${total}[${k}]`));
      }
    });
  }

  it('numbers are never shown as NaN, Infinity or −0', () => {
    expect(fmt(-0)).toBe('0');
    expect(fmt(Number.NaN)).toBe('not finite');
    expect(fmt(Infinity)).toBe('not finite');
    expect(fmt(-0.620074)).toBe('−0.6201');
    expect(fmt(1.5e-7)).toBe('1.50e−7');
    // a value that is not a whole number never looks like one (ŷ = σ(20) rounds to 1 at 4 digits)
    expect(fmt(1)).toBe('1');
    expect(fmt(0.99996)).toBe('0.99996');
    expect(fmt(0.9999997)).toBe('0.9999997');
    expect(fmt(1 - 3e-9)).toBe('1 − 3e−9');
    expect(fmt(-1 + 2e-10)).toBe('−1 + 2e−10');
    expect(fmt(2.0000001)).toBe('2 + 1e−7');
    expect(fmtList([0.5, 1 - 3e-9])).toBe('0.5, 1 − 3e−9');
    for (const z of [9, 15, 20, 30]) expect(fmt(1 / (1 + Math.exp(-z))), `σ(${z})`).not.toBe('1');
    expect(fmtList([-0.0018, 0.00903])).toBe('−1.8e−3, 9.0e−3');
    expect(fmtList([1, 2, 3, 4])).toBe('1, 2, 3, …');
  });
});

describe('the drawing (src/ui/graph/graph-svg.ts) and its walk (src/ui/graph/graph-steps.ts)', () => {
  for (const loss of LOSSES) {
    it(`${loss}: every quantity has its group, the walk reveals every number once, and wide layers are cut to 8 rows`, () => {
      const s = snapshot(2, 20, 4, 5, loss);
      const g = graphState(snapshotInput(s, 2));
      const svg = graphMarkup(g, { testid: 'graph', keyPrefix: 'diagram' });
      const keys = numberKeys(g).filter((k) => k !== 'gate' && (loss === 'mse' || k !== 'dyHat'));
      expect(keys).toContain('dW1');
      for (const key of keys) expect(svg, key).toContain(`data-testid="diagram-${key}" data-values="`);
      expect(svg.match(/<g class="row( closed)?"/g)).toHaveLength(8);
      expect(svg).toContain('+12 more units');
      const steps = walkSteps(g);
      expect(steps).toHaveLength(loss === 'bce' ? 13 : 15);
      const ids = steps.map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      const reveals = new Set([...svg.matchAll(/data-reveal="([^"]+)"/g)].map((m) => m[1]!));
      for (const r of reveals) expect(ids, `a number revealed at '${r}'`).toContain(r);
      for (const t of steps) expect(t.sentence).not.toMatch(/NaN|Infinity|undefined/);
      expect(ids.indexOf('seed'), 'a seed step').toBeGreaterThanOrEqual(0); // else −1 = −1 would pass with neither
      expect(steps.findIndex((t) => t.direction === 'backward')).toBe(ids.indexOf('seed'));
    });
  }
});

describe('the activation on the graph', () => {
  for (const activation of HIDDEN_ACTIVATIONS) {
    it(`${activation}: the gate edge holds f′(z1) of the shown sample, closed only where f′ = 0, and the walk names f`, () => {
      const s = snapshot(3, 6, 5, 21, 'bce', activation);
      const g = graphState(snapshotInput(s, 2));
      const z1 = Array.from(s.layers.z[0]!.subarray(2 * 6, 3 * 6));
      expect(g.values.gate).toEqual(z1.map(ACTIVATIONS[activation].der));
      if (activation !== 'relu')
        expect(
          g.values.gate!.every((v) => v > 0),
          'only ReLU closes a gate',
        ).toBe(true);
      // δ1 = da1 ⊙ f′(z1): the graph's numbers multiply along the gate edge
      g.values.dz1!.forEach((d, j) => near(d, g.values.da1![j]! * g.values.gate![j]!, `δ1_${j}`));
      const svg = graphMarkup(g, { testid: 'graph', keyPrefix: 'graph' });
      expect(svg).toContain(
        activation === 'sigmoid'
          ? 'a1 = σ(z1)'
          : activation === 'leaky'
            ? 'a1 = leaky ReLU(z1)'
            : `a1 = ${activation === 'relu' ? 'ReLU' : 'tanh'}(z1)`,
      );
      const dz1Step = walkSteps(g).find((t) => t.id === 'dz1')!.sentence;
      expect(dz1Step).toMatch(/diag\(.+′\(z1\)\)/);
      if (activation === 'relu') expect(dz1Step).toMatch(/closed gates? pass/);
      else expect(dz1Step).toMatch(/f′ here runs from/);
    });
  }
});

describe("the walk's sentences read as English for any count of closed gates", () => {
  /** The walk's sentence at step id, for sample 0 of a ReLU snapshot with b1 set to `b` for the first `k` units. */
  const sentence = (id: string, k: number, b: number) => {
    const data = randomDataset(3, 2, 4, { binary: true });
    const params = randomParams(4, 2, 3);
    params.fill(b, paramLayout({ d: 2, H: 3 }).b1.offset, paramLayout({ d: 2, H: 3 }).b1.offset + k);
    const s = oracleSnapshot(data, params, { hidden: [3], activation: 'relu' }, { loss: 'bce' }, 7);
    const g = graphState(snapshotInput(s, 0));
    return {
      said: walkSteps(g).find((t) => t.id === id)!.sentence,
      closed: g.values.gate!.filter((v) => v === 0).length,
    };
  };

  it('no closed gate: "no unit has z1 ≤ 0", not "0 of 3 units"', () => {
    const { said, closed } = sentence('a1', 3, 50);
    expect(closed).toBe(0);
    expect(said).toContain('no unit has z1 ≤ 0: every gate is open');
    expect(said).not.toMatch(/\b0 of/);
  });

  it('one closed gate: "1 of 3 units has", and two: "have"', () => {
    const one = sentence('a1', 3, 50);
    const withOne = (() => {
      const data = randomDataset(3, 2, 4, { binary: true });
      const params = randomParams(4, 2, 3);
      const { b1 } = paramLayout({ d: 2, H: 3 });
      params.fill(50, b1.offset, b1.offset + 3);
      params[b1.offset] = -50;
      const s = oracleSnapshot(data, params, { hidden: [3], activation: 'relu' }, { loss: 'bce' }, 7);
      return walkSteps(graphState(snapshotInput(s, 0))).find((t) => t.id === 'a1')!.sentence;
    })();
    expect(one.closed).toBe(0);
    expect(withOne).toContain('1 of 3 units has z1 ≤ 0, outputs 0, and its gate closes');
    const two = sentence('a1', 2, -50);
    expect(two.said).toMatch(/(2|3) of 3 units have z1 ≤ 0, output 0, and their gates close/);
  });

  it("a parameter step says where this sample's shares go", () => {
    const { said } = sentence('dW2', 0, 0);
    expect(said).toContain('this sample adds: δ2 a1ᵀ to ∂L/∂W2 and δ2 to ∂L/∂b2');
    expect(sentence('dW1', 0, 0).said).toContain('this sample adds: δ1 xᵀ to ∂L/∂W1 and δ1 to ∂L/∂b1');
  });
});

/** A network of any depth: its widths, f, output, loss and penalty. */
interface Net {
  hidden: number[];
  activation: HiddenActivation;
  output: Output;
  loss: LossKind;
  l1?: number;
  l2?: number;
}

/** A CPU snapshot of random parameters and data for `net`; regression labels spread over [−2, 2). */
function deepSnapshot(net: Net, N: number, seed: number): Snapshot {
  const d = 3;
  const raw = randomDataset(seed, d, N, { binary: net.loss === 'bce' });
  const data = net.output === 'identity' ? { ...raw, y: raw.y.map((v) => 4 * v - 2) } : raw;
  const rng = makeRng(seed + 1);
  const model = makeModel({ d, hidden: net.hidden, activation: net.activation, output: net.output });
  const params = Float64Array.from({ length: parameterCount(model) }, () => 2 * rng() - 1);
  return oracleSnapshot(data, params, net, { loss: net.loss, l1: net.l1 ?? 0, l2: net.l2 ?? 0 }, 3);
}

const NETS: Net[] = [
  { hidden: [4, 3], activation: 'relu', output: 'sigmoid', loss: 'bce' },
  { hidden: [5, 2], activation: 'relu', output: 'identity', loss: 'mse', l1: 0.01 },
  { hidden: [3, 6, 2], activation: 'relu', output: 'sigmoid', loss: 'mse', l2: 0.05 },
  { hidden: [2, 5, 4], activation: 'relu', output: 'sigmoid', loss: 'bce', l1: 0.02, l2: 0.03 },
];

describe('the graph of a network of any depth', () => {
  for (const activation of HIDDEN_ACTIVATIONS)
    for (const base of NETS) {
      const net = { ...base, activation };
      const pen = net.l1 || net.l2 ? `, λ1 = ${net.l1 ?? 0}, λ2 = ${net.l2 ?? 0}` : '';
      const name = `hidden ${net.hidden.join(',')}, ${activation}, ${net.output} output, ${net.loss}${pen}`;
      it(`${name}: every number at step 0 is the oracle's, the local Jacobians multiply to each δ_l, R′ = λ1 sign(w) + λ2 w`, () => {
        const N = 5;
        const s = deepSnapshot(net, N, 31);
        const model = makeModel({ d: 3, ...net });
        const objective = { loss: net.loss, l1: net.l1 ?? 0, l2: net.l2 ?? 0 };
        // the oracle computed afresh, and its data-only gradient (no penalty) for the weights' data parts
        const r = lossAndGradsModel(model, s.params, s.data, objective);
        const data = lossAndGradsModel(model, s.params, s.data, { loss: net.loss });
        const layout = modelLayout(model);
        const L = net.hidden.length;
        const o = L + 1;
        const vec = (a: ArrayLike<number>, at: number, len: number) =>
          Array.from({ length: len }, (_, k) => a[at + k]!);
        const close = (got: readonly number[] | undefined, want: readonly number[], what: string) => {
          expect(got, what).toHaveLength(want.length);
          want.forEach((w, k) => near(got![k]!, w, `${what}[${k}]`));
        };
        for (let n = 0; n < N; n++) {
          const g = graphState(snapshotInput(s, n));
          const v = g.values;
          expect(g.layers).toBe(L);
          const row = (a: Float64Array, w: number) => vec(a, n * w, w);
          for (const { l, W, b, nout } of layout.layers) {
            close(v[`W${l}`], vec(s.params, W.offset, W.length), `W${l}`);
            close(v[`b${l}`], vec(s.params, b.offset, b.length), `b${l}`);
            close(v[`dW${l}`], vec(r.grads, W.offset, W.length), `dW${l}`);
            close(v[`db${l}`], vec(r.grads, b.offset, b.length), `db${l}`);
            close(v[`z${l}`], row(r.cache.z[l - 1]!, nout), `z${l}`);
            close(v[`dz${l}`], row(r.delta[l - 1]!, nout), `dz${l}`);
            if (l <= L) {
              close(v[`a${l}`], row(r.cache.a[l - 1]!, nout), `a${l}`);
              close(v[`da${l}`], row(r.da[l - 1]!, nout), `da${l}`);
            }
          }
          near(v.yHat![0]!, r.cache.yHat[n]!, 'ŷ');
          near(v.loss![0]!, r.losses[n]!, 'ℓ_n');
          near(v.batchLoss![0]!, r.loss, 'L');
          // the output chain: ∂L/∂ℓ · ∂ℓ/∂z (BCE, fused) or ∂L/∂ℓ · ∂ℓ/∂ŷ · ∂ŷ/∂z (MSE; ∂ŷ/∂z = 1 for the identity)
          const labels = new Map(edgeLabels(g, labelGeometry(g)).map((e) => [e.testid, e.value]));
          const j = g.jacobians;
          if (net.output === 'identity') expect(j.dyHatdz).toBe(1);
          near(j.dLdl, 1 / N, '∂L/∂ℓ');
          const chain = net.loss === 'bce' ? j.dLdl * j.dldz : j.dLdl * j.dldyHat * j.dyHatdz;
          near(chain, r.delta[o - 1]![n]!, `δ${o}`);
          // back through every layer along the drawn edges: δ_l = diag(f′(z_l)) · W_{l+1}ᵀ · δ_{l+1}
          for (let l = L; l >= 1; l--) {
            const W = labels.get(`jac-a${l}`) as number[];
            const gate = labels.get(l === 1 ? 'jac-gate' : `jac-gate${l}`) as number[];
            const H = net.hidden[l - 1]!;
            const next = v[`dz${l + 1}`]!;
            expect(W, `∂z${l + 1}/∂a${l}`).toHaveLength(next.length * H);
            expect(gate, `f′(z${l})`).toEqual(row(r.cache.z[l - 1]!, H).map(ACTIVATIONS[activation].der));
            for (let u = 0; u < H; u++) {
              const da = next.reduce((acc, d, k) => acc + W[k * H + u]! * d, 0);
              near(da * gate[u]!, r.delta[l - 1]![n * H + u]!, `δ${l}[${u}] from the edges`);
            }
          }
          if (!pen) {
            expect(g.penalty).toBe(false);
            expect(Object.keys(v).filter((k) => /^(R|dataLoss|penW\d|dataW\d)$/.test(k))).toEqual([]);
            continue;
          }
          expect(g.penalty).toBe(true);
          near(v.R![0]!, r.penalty, 'R');
          near(v.dataLoss![0]!, r.dataLoss, 'L_data');
          for (const { l, W } of layout.layers) {
            const w = vec(s.params, W.offset, W.length);
            close(
              v[`penW${l}`],
              w.map((x) => (net.l1 ?? 0) * Math.sign(x) + (net.l2 ?? 0) * x),
              `penW${l}`,
            );
            close(v[`dataW${l}`], vec(data.grads, W.offset, W.length), `dataW${l}`);
          }
        }
        // at each Σₙ fork the samples' shares add up to the data part of the total shown left of it
        const states = Array.from({ length: N }, (_, n) => graphState(snapshotInput(s, n)));
        for (const { l, W, b } of layout.layers) {
          for (const [share, want] of [
            [`cW${l}`, vec(data.grads, W.offset, W.length)],
            [`cb${l}`, vec(data.grads, b.offset, b.length)],
          ] as const) {
            const sum = states.reduce(
              (acc, g) => acc.map((x, k) => x + g.values[share]![k]!),
              want.map(() => 0),
            );
            close(sum, want, `Σₙ ${share}`);
          }
        }
      });
    }

  for (const base of NETS) {
    const net = { ...base, activation: 'tanh' as const };
    const L = net.hidden.length;
    const o = L + 1;
    const pen = Boolean(net.l1 || net.l2);
    it(`hidden ${net.hidden.join(',')}, ${net.output}, ${net.loss}${pen ? ', penalty' : ''}: one gate column per layer, the recursion drawn, and a walk through every layer`, () => {
      const g = graphState(snapshotInput(deepSnapshot(net, 4, 7), 1));
      const svg = graphMarkup(g, { testid: 'graph', keyPrefix: 'diagram' });
      const layers = [...svg.matchAll(/<g class="row(?: closed)?" data-row="\d+" data-layer="(\d+)">/g)].map(
        (m) => m[1],
      );
      expect(new Set(layers)).toEqual(new Set(net.hidden.map((_, k) => String(k + 1))));
      net.hidden.forEach((h, k) =>
        expect(
          layers.filter((l) => l === String(k + 1)),
          `layer ${k + 1}`,
        ).toHaveLength(h),
      );
      expect(svg.match(/class="node gate"/g)).toHaveLength(net.hidden.reduce((a, b) => a + b, 0));
      expect(svg).toContain(`data-layers="${L}"`);
      for (let l = 1; l <= L; l++)
        expect(svg, `δ${l}'s arrow`).toContain(`class="back" marker-end="url(#diagram-arrow)" data-walk="dz${l}"`);
      for (const key of numberKeys(g).filter((k) => !/^gate|^dyHat$|^dl$|^dR$|^dDataLoss$/.test(k)))
        expect(svg, key).toContain(`data-testid="diagram-${key}" data-values="`);
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      // the output: no σ node for the identity, its edge's Jacobian 1
      if (net.output === 'identity') {
        expect(svg).not.toMatch(/class="glyph small">σ/);
        expect(svg).toContain(`∂ŷ/∂z${o} = 1`);
      } else expect(svg).toMatch(/class="glyph small">σ/);
      expect(svg.includes('class="glyph small">R<'), 'the penalty node').toBe(pen);
      const steps = walkSteps(g);
      const ids = steps.map((t) => t.id);
      expect(new Set(ids).size).toBe(ids.length);
      const reveals = new Set([...svg.matchAll(/data-reveal="([^"]+)"/g)].map((m) => m[1]!));
      for (const r of reveals) expect(ids, `a number revealed at '${r}'`).toContain(r);
      const walks = new Set([...svg.matchAll(/data-walk="([^"]+)"/g)].flatMap((m) => m[1]!.split(' ')));
      for (const w of walks) expect(ids, `a node lit at '${w}'`).toContain(w);
      for (const t of steps) expect(t.sentence).not.toMatch(/NaN|Infinity|undefined/);
      const back = ids.slice(ids.indexOf('seed'));
      const want = [`dz${o}`];
      for (let l = o; l >= 1; l--) want.push(`dW${l}`, ...(l > 1 ? [`da${l - 1}`, `dz${l - 1}`] : []));
      expect(back.filter((id) => /^(dz|dW|da)\d$/.test(id))).toEqual(want);
      expect(ids.includes('penW'), 'a step for the penalty').toBe(pen);
      for (let l = 1; l <= L; l++) {
        const step = steps.find((t) => t.id === `dz${l}`)!.sentence;
        // the recursion by name, and unit 1's numbers: da × f′ = δ
        expect(step).toContain(`δ${l} = da${l} ⊙ tanh′(z${l}) = (W${l + 1}ᵀ δ${l + 1}) ⊙ tanh′(z${l})`);
        expect(step).toContain(
          `unit 1: ${fmt(g.values[`da${l}`]![0]!)} × ${fmt(g.values[gateKey(l)]![0]!)} = ${fmt(g.values[`dz${l}`]![0]!)}`,
        );
      }
      const out = steps.find((t) => t.id === `dz${o}`)!.sentence;
      if (net.output === 'identity') {
        expect(out).toContain(`∂ŷ/∂z${o} = 1`);
        expect(out).not.toContain('σ′');
      }
      if (pen) expect(steps.find((t) => t.id === 'penW')!.sentence).toContain('λ1 sign(w) + λ2 w');
      // one symbol never names both a node's local Jacobian and the gradient of L it produces: a local Jacobian is
      // ∂(the node's output)/∂(its input), never ∂L/∂…, and every backward step names what arrives
      for (const t of steps.slice(ids.indexOf('seed') + 1)) {
        const local = /local Jacobians? (∂\S+)/.exec(t.sentence);
        expect(local, `${t.id}: names its local Jacobian`).not.toBeNull();
        expect(local![1], `${t.id}: ${t.sentence}`).not.toMatch(/^∂L\//);
        expect(t.sentence, t.id).toMatch(/the arriving (gradient )?(∂L\/|δ|da)/);
      }
      const mean = edgeLabels(g, labelGeometry(g)).find((l) => l.testid === 'jac-dL-dl')!;
      expect(mean.plain, "the mean's edge: its own derivative").toMatch(pen ? /^∂L_data\/∂ℓₙ = 1\/N$/ : /^∂mean\/∂ℓₙ/);
    });
  }

  it('six layers thousands of units wide: 8 rows a layer, the rest counted, every number readable', () => {
    // about 20,000 parameters, as many as the page trains with a hundred points or so
    const net: Net = { hidden: [2000, 3, 8, 9, 2, 1500], activation: 'relu', output: 'sigmoid', loss: 'bce', l2: 0.01 };
    const s = deepSnapshot(net, 2, 3);
    const g = graphState(snapshotInput(s, 0));
    const svg = graphMarkup(g, { testid: 'graph', keyPrefix: 'diagram' });
    expect(svg.match(/<g class="row/g)).toHaveLength(8 + 3 + 8 + 8 + 2 + 8);
    expect(svg).toContain('data-testid="diagram-more">+1,992 more units not drawn');
    expect(svg).toContain('data-testid="diagram-more4">+1 more units not drawn');
    expect(svg).toContain('data-testid="diagram-more6">+1,492 more units not drawn');
    expect(svg.length, 'the markup stays small: vectors are cut to a prefix').toBeLessThan(400_000);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(overlaps(svg)).toEqual([]);
  });

  for (const net of NETS)
    it(`hidden ${net.hidden.join(',')}, ${net.output}: no two numbers or labels of the drawing overlap`, () => {
      const g = graphState(snapshotInput(deepSnapshot(net, 4, 9), 2));
      expect(overlaps(graphMarkup(g, { testid: 'graph', keyPrefix: 'diagram' })).join('\n')).toEqual('');
    });
});

/**
 * Pairs of texts (numbers and labels, not the Jacobians' labels) whose boxes overlap, each box estimated from its
 * characters at 12 px (monospace numbers 7.3 px a character; words, proportional, about 6.2 on average).
 */
function overlaps(svg: string): string[] {
  const boxes = [...svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)]
    .map(([, attrs, text]) => {
      const at = (k: string) => new RegExp(` ${k}="([^"]*)"`).exec(` ${attrs}`)?.[1];
      const cls = at('class') ?? '';
      if (/\b(jac|head|glyph)\b/.test(cls) || at('x') === undefined) return null;
      const w = [...text!].length * (cls.includes('num') ? 7.3 : 6.2);
      const x = Number(at('x'));
      const anchor = at('text-anchor') ?? 'start';
      const left = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
      const y = Number(at('y'));
      return { left, right: left + w, top: y - 9, bottom: y + 2, text: `${text}@${x},${y}` };
    })
    .filter((b) => b !== null);
  const out: string[] = [];
  boxes.forEach((a, i) =>
    boxes
      .slice(i + 1)
      .forEach(
        (b) =>
          a.left < b.right &&
          b.left < a.right &&
          a.top < b.bottom &&
          b.top < a.bottom &&
          out.push(`${a.text} / ${b.text}`),
      ),
  );
  return out;
}
