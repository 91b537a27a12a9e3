/**
 * The sweep on the GPU, width by width: one ManyTrainer per width holds every network of it, R learning rates × S
 * seeds (the same S seeds at every rate), trained in one submit of dispatches short enough for browser watchdogs.
 * Only the results (loss, accuracy) are read back.
 */
import type { Dataset } from '../mlp/data/data.js';
import { learned, makeCell, type SweepCell, type SweepSpec } from '../mlp/map.js';
import { ManyTrainer } from './many.js';

export async function sweepGpu(
  device: GPUDevice,
  data: Dataset,
  spec: SweepSpec,
  {
    stepsPerDispatch = 250,
    onWidth,
  }: { stepsPerDispatch?: number; onWidth?: (cells: SweepCell[], done: number, total: number) => void } = {},
): Promise<SweepCell[]> {
  const cells: SweepCell[] = [];
  const S = spec.seeds;
  for (const [w, hidden] of spec.widths.entries()) {
    const lrs = Float32Array.from({ length: spec.rates.length * S }, (_, m) => spec.rates[Math.floor(m / S)]!);
    const trainer = await ManyTrainer.create(device, {
      data,
      hidden,
      loss: spec.loss,
      activation: spec.activation ?? 'relu',
      lrs,
      seedBase: spec.seedBase,
      seedCount: S,
      label: `sweep.h${hidden}`,
    });
    try {
      trainer.train(spec.steps, { stepsPerDispatch });
      const r = await trainer.readResults();
      const row = spec.rates.map((lr, k) =>
        makeCell(
          hidden,
          lr,
          spec.seedBase,
          Array.from({ length: S }, (_, s) => learned(r.loss[k * S + s]!, r.accuracy[k * S + s]!)),
        ),
      );
      cells.push(...row);
      onWidth?.(row, w + 1, spec.widths.length);
    } finally {
      trainer.destroy();
    }
  }
  return cells;
}
