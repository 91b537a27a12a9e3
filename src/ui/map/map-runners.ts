/**
 * What trains the map: the GPU (every network in one kernel, read back once, src/gpu/sweep-all.ts) or, without one,
 * the CPU (src/mlp/map.ts, a cell at a time, yielding to the page between cells). Each caps the seeds per cell at what
 * it finishes in reasonable time.
 */
import { type AdapterSummary, describeAdapter } from '../../gpu/device.js';
import { sweepAllGpu } from '../../gpu/sweep-all.js';
import { type SweepCell, sweepCpu } from '../../mlp/map.js';
import type { PageData } from '../data-choice.js';
import type { SweepRunner } from './map-panel.js';

const breathe = () => new Promise((r) => setTimeout(r));

/** `data` is read when a run starts: the map trains on the data the demo has then. */
export function gpuRunner(device: GPUDevice, adapter: AdapterSummary, data: () => PageData): SweepRunner {
  const swiftshader = adapter.source === 'swiftshader';
  return {
    label: describeAdapter(adapter),
    defaultSeeds: swiftshader ? 64 : 1024,
    // SwiftShader runs the invocations on the CPU, so its time grows with the seeds: time a few, scale up
    trialSeeds: (seeds) => (swiftshader ? Math.min(seeds, 8) : seeds),
    maxSeeds: swiftshader ? 256 : 4096,
    note: swiftshader
      ? 'WebGPU runs on SwiftShader here, a CPU implementation of Vulkan, so the map starts at 64 seeds per cell; ' +
        'a GPU takes 4,096 in seconds.'
      : 'Every network of the map trains on the GPU at once: one invocation per network, every width, rate and seed in one kernel, read back once.',
    data: () => ({ name: data().name, label: data().label }),
    // Dispatches of ≤ 250 steps (short for browser watchdogs), each awaited for the progress bar; cells at the end.
    run: (spec, onCells, stop) =>
      sweepAllGpu(device, data().train, spec, {
        parts: Math.ceil(spec.steps / 250),
        onProgress: (done, total) => onCells([], done, total),
        stop,
      }),
  };
}

export function cpuRunner(data: () => PageData): SweepRunner {
  return {
    label: 'the CPU (the fast trainer, one network at a time)',
    defaultSeeds: 16,
    trialSeeds: (seeds) => Math.min(seeds, 2), // one network at a time: the time is seeds × one seed's
    maxSeeds: 64,
    note: 'No WebGPU here: the CPU trains one network at a time, so the map starts at 16 seeds per cell (a GPU takes 4,096).',
    data: () => ({ name: data().name, label: data().label }),
    run: async (spec, onCells, stop) => {
      const train = data().train;
      const cells: SweepCell[] = [];
      const total = spec.widths.length * spec.rates.length;
      for (const hidden of spec.widths) {
        for (const lr of spec.rates) {
          if (stop()) return cells;
          cells.push(...sweepCpu(train, { ...spec, widths: [hidden], rates: [lr] }));
          onCells(cells, cells.length, total);
          await breathe();
        }
      }
      return cells;
    },
  };
}
