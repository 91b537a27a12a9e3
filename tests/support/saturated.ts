/**
 * Two points at x = ±2^100 with labels 1 and 0, H = 2, the parameters of seed 1:
 * the logits are ~1e28, so σ is exactly 0 or 1 in f32, every product with x or
 * with δ2 = ±1/2 is exact, and an f32 emulation (tests/support/overflow.ts)
 * reproduces the GPU to the last bit. With lr = 1 the first update makes the
 * weights ~1e29, and at step 2 the logits overflow: the loss of sample 0 is +Infinity.
 */
import { makeDataset } from '../../src/mlp/data/data.js';
import { initParams } from '../../src/mlp/init.js';
import { forward } from '../../src/mlp/reference.js';
import { sgdF32 } from './overflow.js';

export const SATURATED = {
  data: makeDataset([[2 ** 100], [-(2 ** 100)]], [1, 0]),
  params: initParams({ d: 1, H: 2 }, 1),
  hidden: 2,
  spec: { d: 1, H: 2 },
};

/** The f32 emulation of `steps` steps at `lr`, after checking that every logit it met saturates σ (|z2| > 200), so it is exact. */
export function saturatedRun(lr: number, steps: number): ReturnType<typeof sgdF32> {
  const run = sgdF32(SATURATED.spec, SATURATED.params, SATURATED.data, lr, 'bce', steps);
  for (const theta of run.history) {
    for (const z of forward(SATURATED.spec, theta, SATURATED.data).z2) {
      if (!(Math.abs(z) > 200)) throw new Error(`saturatedRun: a logit of ${z} would make the emulation inexact`);
    }
  }
  return run;
}
