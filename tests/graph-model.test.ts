import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, HIDDEN_ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { LOSSES } from '../src/engine/losses.js';
import { randomDataset } from '../src/mlp/data/data.js';
import { paramLayout } from '../src/mlp/spec.js';
import { snapshotInput } from '../src/ui/graph/diagram.js';
import { fmt, fmtList, graphState, NUMBER_KEYS } from '../src/ui/graph/graph-model.js';
import { walkSteps } from '../src/ui/graph/graph-steps.js';
import { graphMarkup } from '../src/ui/graph/graph-svg.js';
import type { Snapshot } from '../src/ui/session.js';
import { randomParams } from './support/random.js';
import { oracleSnapshot } from './support/snapshot.js';
import { firstLayerValues } from '../src/ui/session.js';

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
        const g = graphState(snapshotInput(s, n, loss));
        const j = g.jacobians;
        const chain = loss === 'bce' ? j.dLdl * j.dldz2 : j.dLdl * j.dldyHat * j.dyHatdz2;
        near(chain, firstLayerValues(s).dz2[n]!, `δ2 of sample ${n}`);
        expect(j.dLdl).toBe(1 / 6);
        g.values.da1.forEach((v, k) => near(v, g.values.W2[k]! * g.values.dz2[0]!, `da1[${k}] = W2 δ2`));
        g.values.dz1.forEach((v, k) => near(v, g.values.gate[k]! * g.values.da1[k]!, `dz1[${k}] = ReLU′ da1`));
      }
    });

    it(`${loss}: at each Σₙ fork the shares of the N samples add up to the batch gradient shown left of it`, () => {
      const s = snapshot(2, 4, 5, 23, loss);
      const states = Array.from({ length: 5 }, (_, n) => graphState(snapshotInput(s, n, loss)));
      for (const [share, total] of [
        ['cW1', 'dW1'],
        ['cb1', 'db1'],
        ['cW2', 'dW2'],
        ['cb2', 'db2'],
      ] as const) {
        const sum = states.reduce(
          (acc, g) => acc.map((v, k) => v + g.values[share][k]!),
          states[0]!.values[share].map(() => 0),
        );
        sum.forEach((v, k) => near(v, states[0]!.values[total][k]!, `Σₙ ${share}[${k}] = ${total}[${k}]`));
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
      const g = graphState(snapshotInput(s, 2, loss));
      const svg = graphMarkup(g, { testid: 'graph', keyPrefix: 'diagram' });
      const keys = NUMBER_KEYS.filter((k) => k !== 'gate' && (loss === 'mse' || k !== 'dyHat'));
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
      const g = graphState(snapshotInput(s, 2, 'bce'));
      const z1 = Array.from(firstLayerValues(s).z1.subarray(2 * 6, 3 * 6));
      expect(g.values.gate).toEqual(z1.map(ACTIVATIONS[activation].der));
      if (activation !== 'relu')
        expect(
          g.values.gate.every((v) => v > 0),
          'only ReLU closes a gate',
        ).toBe(true);
      // δ1 = da1 ⊙ f′(z1): the graph's numbers multiply along the gate edge
      g.values.dz1.forEach((d, j) => near(d, g.values.da1[j]! * g.values.gate[j]!, `δ1_${j}`));
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
