import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTf, tfTrainer } from '../bench/tfjs-peer.js';
import { compareFlat, TOLERANCES } from '../src/mlp/bounds/compare.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { lossAndGrads, sgdUpdate } from '../src/mlp/reference.js';
import { openGpu } from './support/gpu.js';

/** The benchmark's peer must train the identical network, or its ratios mean nothing. */
let gpu: Awaited<ReturnType<typeof openGpu>>;
beforeAll(async () => {
  gpu = await openGpu();
});
afterAll(() => gpu?.device.destroy());

describe('the TensorFlow.js peer (bench/tfjs-peer.ts)', () => {
  it('follows our CPU oracle step for step (2-8-1 XOR, BCE, lr 0.5, 50 steps, its CPU backend)', async () => {
    const tf = await loadTf('cpu', gpu.instance);
    const spec = { d: 2, H: 8 };
    const start = initParams(spec, 1);
    const peer = tfTrainer(tf, xor(), start, 8, 0.5);
    try {
      await peer.run(50);
      const theta = Float64Array.from(start);
      for (let t = 0; t < 50; t++) sgdUpdate(theta, lossAndGrads(spec, theta, xor(), 'bce').grads, 0.5);
      const cmp = compareFlat(spec, await peer.read(), theta, TOLERANCES.trajectory);
      expect(cmp.pass, JSON.stringify(cmp.tensors)).toBe(true);
    } finally {
      peer.dispose();
    }
  });
});
