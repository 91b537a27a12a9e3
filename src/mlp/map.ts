/**
 * "Which networks learn XOR?": a grid of hidden widths × learning rates, each
 * cell training many networks from different seeds and counting those that
 * learn. The grid, the verdict and the CPU version live here; the GPU version
 * (src/gpu/sweep-widths.ts) trains every network of a width in one dispatch.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import type { Dataset } from './data/data.js';
import { initParams } from './init.js';
import { type Fault, TrainingDivergedError } from './divergence.js';
import { forward, lossValue } from './reference.js';
import { accuracy } from './accuracy.js';
import { FastTrainer } from './train/train-fast.js';

export interface SweepSpec {
  widths: readonly number[];
  rates: readonly number[];
  /** Networks per cell: seeds seedBase .. seedBase + seeds − 1, the same in every cell. */
  seeds: number;
  seedBase: number;
  /** Full-batch SGD steps per network. */
  steps: number;
  loss: LossKind;
  /** Hidden activation of every network (default ReLU). */
  activation?: HiddenActivation;
}

export interface SweepCell {
  hidden: number;
  lr: number;
  seeds: number;
  learned: number;
  fraction: number;
  /** Up to `SAMPLE` seeds that learned and that did not, for the page's click-through. */
  learnedSeeds: number[];
  failedSeeds: number[];
  /** 1 where the network of seed seedBase + s learned. */
  verdicts: Uint8Array;
}

export const SAMPLE = 8;

/** Learning rates in the page's map: log-spaced from 0.01 to 10. */
export const MAP_RATES = [0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const MAP_WIDTHS = Array.from({ length: 16 }, (_, i) => i + 1);

/** Learned XOR: every point on the right side of 0.5 and a loss below 0.01. */
export function learned(loss: number, acc: number): boolean {
  return acc === 1 && loss < 0.01;
}

/** Builds a cell from per-seed verdicts (in seed order). */
export function makeCell(hidden: number, lr: number, seedBase: number, verdicts: ArrayLike<boolean>): SweepCell {
  const learnedSeeds: number[] = [];
  const failedSeeds: number[] = [];
  let count = 0;
  for (let s = 0; s < verdicts.length; s++) {
    if (verdicts[s]) {
      count++;
      if (learnedSeeds.length < SAMPLE) learnedSeeds.push(seedBase + s);
    } else if (failedSeeds.length < SAMPLE) failedSeeds.push(seedBase + s);
  }
  return {
    hidden,
    lr,
    seeds: verdicts.length,
    learned: count,
    fraction: count / verdicts.length,
    learnedSeeds,
    failedSeeds,
    verdicts: Uint8Array.from(Array.from(verdicts, Number)),
  };
}

/**
 * One network trained alone on the CPU (the fast trainer: the matrix form's arithmetic, f64): its loss and accuracy
 * after the steps.
 * A network that diverges did not learn: loss Infinity (for the verdict only, never shown), accuracy 0, and the fault.
 */
export function trainOneCpu(
  data: Dataset,
  hidden: number,
  lr: number,
  seed: number,
  steps: number,
  loss: LossKind,
  activation: HiddenActivation = 'relu',
): { loss: number; accuracy: number; diverged?: Fault } {
  const spec = { d: data.d, H: hidden, activation };
  const trainer = new FastTrainer(data, initParams(spec, seed), { hidden, lr, loss, activation });
  try {
    trainer.step(steps);
  } catch (e) {
    if (e instanceof TrainingDivergedError) return { loss: Infinity, accuracy: 0, diverged: e.fault };
    throw e;
  }
  const cache = forward(spec, trainer.params, data);
  return { loss: lossValue(loss, cache, data.y), accuracy: accuracy(cache.yHat, data.y) };
}

/** The sweep on the CPU, cell by cell; `onCell` reports progress. */
export function sweepCpu(
  data: Dataset,
  spec: SweepSpec,
  onCell?: (cell: SweepCell, done: number, total: number) => void,
): SweepCell[] {
  const cells: SweepCell[] = [];
  const total = spec.widths.length * spec.rates.length;
  for (const hidden of spec.widths) {
    for (const lr of spec.rates) {
      const verdicts = Array.from({ length: spec.seeds }, (_, s) => {
        const r = trainOneCpu(data, hidden, lr, spec.seedBase + s, spec.steps, spec.loss, spec.activation);
        return learned(r.loss, r.accuracy);
      });
      const cell = makeCell(hidden, lr, spec.seedBase, verdicts);
      cells.push(cell);
      onCell?.(cell, cells.length, total);
    }
  }
  return cells;
}
