/** The GPU's single-pass readout against the oracle's per-element bounds (src/mlp/bounds/bounds.ts). */
import { expect } from 'vitest';
import type { LossKind } from '../../src/engine/losses.js';
import type { Readout } from '../../src/gpu/contract.js';
import { shadowBounds } from '../../src/mlp/bounds/bounds.js';
import { type BoundedTensor, compareArrayWithBounds, compareWithBounds } from '../../src/mlp/bounds/compare.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import type { Net } from '../../src/mlp/reference.js';

/** The largest fraction of its bound any element used, over every check in this test file. */
export const used = { maxFraction: 0, where: '', byTensor: {} as Record<string, number>, gateUncertain: 0 };

/** Every cache tensor and gradient of a readout, each against its own bounds; returns the per-tensor verdicts. */
export function readoutAgainstBounds(
  spec: Net,
  params: ArrayLike<number>,
  data: Dataset,
  loss: LossKind,
  gpu: Pick<Readout, 'grads'> & Partial<Pick<Readout, 'cache'>>,
): BoundedTensor[] {
  const b = shadowBounds(spec, params, data, loss, { perSample: gpu.cache !== undefined });
  const out: BoundedTensor[] = [];
  if (gpu.cache && b.samples) {
    for (const name of ['z1', 'a1', 'z2', 'yHat', 'dz2', 'da1'] as const) {
      out.push(compareArrayWithBounds(name, gpu.cache[name], b.samples[name].value, b.samples[name].bound));
    }
    out.push(
      compareArrayWithBounds('dz1', gpu.cache.dz1, b.samples.dz1.value, b.samples.dz1.bound, b.samples.gateUncertain),
    );
  }
  out.push(...compareWithBounds(spec, gpu.grads, b).tensors);
  return out;
}

/** Asserts every tensor passes, and records the largest fraction used. */
export function expectWithinBounds(label: string, tensors: readonly BoundedTensor[]): void {
  for (const t of tensors) {
    used.byTensor[t.tensor] = Math.max(used.byTensor[t.tensor] ?? 0, t.maxFraction);
    used.gateUncertain += t.gateUncertain;
    if (t.maxFraction > used.maxFraction) [used.maxFraction, used.where] = [t.maxFraction, `${label}, ${t.tensor}`];
    expect(t.pass, `${label} ${t.tensor}: ${JSON.stringify(t)}`).toBe(true);
  }
}

/** One line for the log: the largest fraction overall and per tensor. */
export function describeUsed(): string {
  const per = Object.entries(used.byTensor).map(([k, v]) => `${k} ${(100 * v).toFixed(1)}%`);
  return `largest fraction of its bound used by any element: ${(100 * used.maxFraction).toFixed(2)}% (${used.where}); per tensor: ${per.join(', ')}; elements behind a gate uncertain at f32: ${used.gateUncertain}`;
}
