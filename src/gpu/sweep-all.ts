/**
 * The whole sweep map in one dispatch: every width, learning rate and seed is one model of a single ManyRegTrainer,
 * grouped by width so a width's models fill whole subgroups and skip the units they lack together. Both many-models
 * kernels take the same step (shaders/lib/models.wgsl), so it returns exactly what sweepGpu returns. With `onProgress`
 * or `stop` the steps go in `parts` dispatches, each awaited and reported; data too large for workgroup memory goes
 * width by width.
 */
import type { Dataset } from '../mlp/data/data.js';
import { learned, makeCell, type SweepCell, type SweepSpec } from '../mlp/map.js';
import { ManyRegTrainer, manyRegDataBytes } from './many-reg.js';
import { sweepGpu } from './sweep-widths.js';

export interface SweepAllOptions {
  /** Steps per dispatch when not reporting progress; default all of them (one dispatch). */
  stepsPerDispatch?: number;
  /** Called after each part with the steps done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Dispatches, each awaited, when reporting progress (default 4). */
  parts?: number;
  /** Asked between parts: true stops the run, which then returns no cells. */
  stop?: () => boolean;
}

export async function sweepAllGpu(
  device: GPUDevice,
  data: Dataset,
  spec: SweepSpec,
  options: SweepAllOptions = {},
): Promise<SweepCell[]> {
  if (manyRegDataBytes(data) > device.limits.maxComputeWorkgroupStorageSize)
    return perWidth(device, data, spec, options);
  const S = spec.seeds;
  const R = spec.rates.length;
  // Model (w, r, s) is w·R·S + r·S + s: width groups of R·S models, each R blocks of the same S seeds.
  const rates = Float32Array.from({ length: R * S }, (_, m) => spec.rates[Math.floor(m / S)]!);
  const lrs = new Float32Array(spec.widths.length * R * S);
  spec.widths.forEach((_, w) => lrs.set(rates, w * R * S));
  const trainer = await ManyRegTrainer.create(device, {
    data,
    hidden: spec.widths.map((hidden) => ({ hidden, models: R * S })),
    loss: spec.loss,
    activation: spec.activation ?? 'relu',
    lrs,
    seedBase: spec.seedBase,
    seedCount: S,
    label: 'sweepAll',
  });
  try {
    const { onProgress, stop } = options;
    if (onProgress || stop) {
      const per = Math.max(1, Math.ceil(spec.steps / Math.max(1, options.parts ?? 4)));
      trainer.train(0);
      for (let done = 0; done < spec.steps;) {
        if (stop?.()) return [];
        const k = Math.min(per, spec.steps - done);
        trainer.train(k, { stepsPerDispatch: k });
        await device.queue.onSubmittedWorkDone();
        done += k;
        onProgress?.(done, spec.steps);
      }
      if (stop?.()) return [];
    } else {
      trainer.train(spec.steps, { stepsPerDispatch: options.stepsPerDispatch ?? Math.max(1, spec.steps) });
    }
    const r = await trainer.readResults();
    return spec.widths.flatMap((hidden, w) =>
      spec.rates.map((lr, k) => {
        const first = (w * R + k) * S;
        return makeCell(
          hidden,
          lr,
          spec.seedBase,
          Array.from({ length: S }, (_, s) => learned(r.loss[first + s]!, r.accuracy[first + s]!)),
        );
      }),
    );
  } finally {
    trainer.destroy();
  }
}

/** Data too large for workgroup memory: a ManyTrainer per width (./sweep-widths.ts); progress, stop between widths. */
async function perWidth(
  device: GPUDevice,
  data: Dataset,
  spec: SweepSpec,
  { onProgress, stop }: SweepAllOptions,
): Promise<SweepCell[]> {
  const cells: SweepCell[] = [];
  for (const [w, hidden] of spec.widths.entries()) {
    if (stop?.()) return [];
    cells.push(...(await sweepGpu(device, data, { ...spec, widths: [hidden] }, { stepsPerDispatch: 250 })));
    onProgress?.(Math.round((spec.steps * (w + 1)) / spec.widths.length), spec.steps);
  }
  return cells;
}
