import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepGpu } from '../src/gpu/sweep-widths.js';
import { sweepAllGpu } from '../src/gpu/sweep-all.js';
import { randomDataset, xor } from '../src/mlp/data/data.js';
import { openGpu } from './support/gpu.js';

let device: GPUDevice;
beforeAll(async () => ({ device } = await openGpu()));
afterAll(() => device?.destroy());

describe('the whole map in one dispatch (sweepAllGpu)', () => {
  it('gives the per-width sweep’s cells, verdict by verdict, on a small grid with unsorted and repeated widths', async () => {
    const spec = {
      widths: [3, 1, 6, 3],
      rates: [0.1, 1, 10],
      seeds: 20,
      seedBase: 3,
      steps: 600,
      loss: 'bce' as const,
    };
    const [all, perWidth] = [await sweepAllGpu(device, xor(), spec), await sweepGpu(device, xor(), spec)];
    expect(all.map((c) => [c.hidden, c.lr])).toEqual(perWidth.map((c) => [c.hidden, c.lr]));
    for (const [i, c] of all.entries())
      expect(Array.from(c.verdicts), `H=${c.hidden}, lr=${c.lr}`).toEqual(Array.from(perWidth[i]!.verdicts));
    expect(all).toEqual(perWidth);
    // not a degenerate grid: some networks learn and some do not
    const learned = all.reduce((n, c) => n + c.learned, 0);
    expect(learned).toBeGreaterThan(0);
    expect(learned).toBeLessThan(all.length * spec.seeds);
  });

  it('split into dispatches of 100 steps, the same cells', async () => {
    const spec = { widths: [2, 4], rates: [0.5, 3], seeds: 12, seedBase: 50, steps: 350, loss: 'mse' as const };
    expect(await sweepAllGpu(device, xor(), spec, { stepsPerDispatch: 100 })).toEqual(
      await sweepGpu(device, xor(), spec),
    );
  });

  it('reporting progress in parts, the same cells, and every part reported', async () => {
    const spec = { widths: [1, 3], rates: [0.2, 5], seeds: 10, seedBase: 7, steps: 250, loss: 'bce' as const };
    const seen: [number, number][] = [];
    const cells = await sweepAllGpu(device, xor(), spec, {
      onProgress: (done, total) => seen.push([done, total]),
      parts: 3,
    });
    expect(seen).toEqual([
      [84, 250],
      [168, 250],
      [250, 250],
    ]);
    expect(cells).toEqual(await sweepGpu(device, xor(), spec));
  });

  it('data too large for workgroup memory: width by width, the same cells as sweepGpu', async () => {
    // N·d + N floats of data, just past this device's workgroup memory (the device asks for the adapter's maximum)
    const N = Math.ceil(device.limits.maxComputeWorkgroupStorageSize / 12) + 64;
    const data = randomDataset(5, 2, N, { binary: true });
    expect(4 * (N * 2 + N)).toBeGreaterThan(device.limits.maxComputeWorkgroupStorageSize);
    const spec = { widths: [2, 3], rates: [0.5], seeds: 4, seedBase: 1, steps: 20, loss: 'bce' as const };
    const seen: number[] = [];
    expect(await sweepAllGpu(device, data, spec, { onProgress: (done) => seen.push(done) })).toEqual(
      await sweepGpu(device, data, spec),
    );
    expect(seen).toEqual([10, 20]);
  });
});
