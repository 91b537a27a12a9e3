/**
 * Full-batch SGD steps per second of the CPU trainers, in one process: the scalar engine (CpuTrainer), the matrix
 * form (MatrixTrainer) and the fast trainer (FastTrainer), on the bench's CPU cases: a 400-point spiral (noise 0,
 * seed 1) with 2-16-1 tanh and ReLU, σ output, MSE; XOR 2-8-1, ReLU, BCE. Rate 0.5, initParams seed 1.
 * Then the page's map on the CPU, one seed a cell, with the matrix form and the fast trainer (`--only map` alone).
 * Each figure is the median of 5 timed runs of at least `--seconds` (default 0.5) each, after one untimed run; the
 * trainers of a case take turns run by run.
 *
 *   npx vite build --ssr scripts/cpu-speed.ts --outDir dist/scripts && node --expose-gc dist/scripts/cpu-speed.js
 *     [--seconds s] [--only FastTrainer,MatrixTrainer,map]
 */
import type { HiddenActivation } from '../src/engine/activation.js';
import type { LossKind } from '../src/engine/losses.js';
import { type Dataset, xor } from '../src/mlp/data/data.js';
import { generate } from '../src/mlp/data/datasets.js';
import { initParams } from '../src/mlp/init.js';
import { learned, MAP_RATES, MAP_WIDTHS } from '../src/mlp/map.js';
import { forward, lossValue } from '../src/mlp/reference.js';
import { accuracy } from '../src/mlp/accuracy.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { CpuTrainer } from '../src/mlp/train/train-cpu.js';
import { FastTrainer } from '../src/mlp/train/train-fast.js';
import { MatrixTrainer } from '../src/mlp/train/train-matrix.js';
import type { TrainingOptions } from '../src/mlp/train/training-run.js';

interface Case {
  name: string;
  data: Dataset;
  H: number;
  activation: HiddenActivation;
  loss: LossKind;
}

type Make = (data: Dataset, start: Float64Array, options: TrainingOptions) => { step(k: number): unknown };
const TRAINERS: Record<string, Make> = {
  'scalar engine': (d, s, o) => new CpuTrainer(d, s, o),
  MatrixTrainer: (d, s, o) => new MatrixTrainer(d, s, o),
  FastTrainer: (d, s, o) => new FastTrainer(d, s, o),
};

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const seconds = Number(flag('--seconds') ?? 0.5);
/** --only FastTrainer,MatrixTrainer,map: measure these alone. */
const only = flag('--only')?.split(',');
const spiral = generate({ kind: 'spiral', N: 400, noise: 0, seed: 1 });
const CASES: Case[] = [
  { name: 'spiral 400, 2-16-1 tanh, MSE', data: spiral, H: 16, activation: 'tanh', loss: 'mse' },
  { name: 'spiral 400, 2-16-1 ReLU, MSE', data: spiral, H: 16, activation: 'relu', loss: 'mse' },
  { name: 'XOR, 2-8-1 ReLU, BCE', data: xor(), H: 8, activation: 'relu', loss: 'bce' },
];

/** With node --expose-gc: collected before each run, so one trainer's garbage is not collected in another's time. */
const gc = (globalThis as { gc?: () => void }).gc;

/** Steps per second of one run of at least `seconds`, in chunks that grow until one takes about 50 ms. */
function timedRun(t: { step(k: number): unknown }, seconds: number): number {
  gc?.();
  let chunk = 1;
  let steps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    const c0 = performance.now();
    t.step(chunk);
    steps += chunk;
    if (performance.now() - c0 < 50) chunk *= 2;
    elapsed = performance.now() - t0;
  }
  return steps / (elapsed / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `node ${process.version}; median of 5 runs of ≥ ${seconds} s each, full batch, lr 0.5${gc ? ', gc before each' : ''}`,
);
for (const c of CASES) {
  const start = initParams({ d: c.data.d, H: c.H }, 1);
  const options: TrainingOptions = { hidden: c.H, lr: 0.5, loss: c.loss, activation: c.activation };
  const trainers = Object.entries(TRAINERS)
    .filter(([name]) => !only || only.includes(name))
    .map(([name, make]) => ({ name, t: make(c.data, start, options), runs: [] as number[] }));
  if (trainers.length === 0) continue;
  for (const { t } of trainers) timedRun(t, seconds / 2); // warm-up: the JIT's tiers
  // the trainers take turns, so a change in the machine's load falls on each alike
  for (let round = 0; round < 5; round++) for (const { t, runs } of trainers) runs.push(timedRun(t, seconds));
  const row = trainers.map(({ name, runs }) => `${name} ${Math.round(median(runs)).toLocaleString('en-US')}`);
  console.log(`${c.name}: ${row.join(' | ')} steps/s`);
}

/**
 * The page's map on the CPU, one seed per cell: every width and rate of the map, 2000 steps each on XOR, trained as
 * src/mlp/map.ts's trainOneCpu trains them, with each trainer; the seconds and how many networks learned.
 */
function mapRun(make: Make): { seconds: number; learned: number } {
  const t0 = performance.now();
  let count = 0;
  for (const hidden of MAP_WIDTHS) {
    for (const lr of MAP_RATES) {
      const spec = { d: 2, H: hidden, activation: 'relu' as const };
      const t = make(xor(), initParams(spec, 1), { hidden, lr, loss: 'bce', activation: 'relu' });
      try {
        t.step(2000);
      } catch (e) {
        if (e instanceof TrainingDivergedError) continue;
        throw e;
      }
      const cache = forward(spec, (t as unknown as { params: ArrayLike<number> }).params, xor());
      if (learned(lossValue('bce', cache, xor().y), accuracy(cache.yHat, xor().y))) count++;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, learned: count };
}

if (!only || only.includes('map')) {
  const cells = MAP_WIDTHS.length * MAP_RATES.length;
  const row = (['MatrixTrainer', 'FastTrainer'] as const).map((name) => {
    gc?.();
    const runs = [mapRun(TRAINERS[name]!), mapRun(TRAINERS[name]!), mapRun(TRAINERS[name]!)];
    const s = median(runs.map((r) => r.seconds));
    return `${name} ${s.toFixed(2)} s (${runs[0]!.learned} learned)`;
  });
  console.log(`the map on the CPU, ${cells} networks of 2000 steps (XOR, one seed a cell): ${row.join(' | ')}`);
}
