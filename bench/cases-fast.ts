/**
 * The fast kernels against their slower alternatives, in one run on one device: the subgroup fused kernel against the
 * workgroup-memory one, the register many-models kernel against the private-memory one, and the whole map in one
 * dispatch against a dispatch chain per width. Each result names its kernel variant. With `timestamp-query` each
 * repeat's GPU time comes from timestamps around its submits (`gpuMs`, and per dispatch); without it, host time only
 * (`timing: 'host'`).
 */
import { createTrainer } from '../src/gpu/chooser.js';
import type { KernelName, Trainer } from '../src/gpu/contract.js';
import { ManyTrainer } from '../src/gpu/many.js';
import { ManyRegTrainer } from '../src/gpu/many-reg.js';
import { sweepGpu } from '../src/gpu/sweep-widths.js';
import { sweepAllGpu } from '../src/gpu/sweep-all.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { MAP_RATES, MAP_WIDTHS, type SweepSpec } from '../src/mlp/map.js';
import { LR, median } from './measure.js';

export interface FastResult {
  case: string;
  impl: string;
  /** The kernel that ran: fused-workgroup, fused-subgroup, many, many-reg, sweep-per-width, sweep-one-dispatch. */
  variant: string;
  /** steps/s and model-steps/s: higher is better; s (seconds per whole map, end to end): lower is better. */
  unit: 'steps/s' | 'model-steps/s' | 's';
  median: number;
  min: number;
  max: number;
  repeats: number;
  /** Steps per repeat (each model's). */
  steps?: number;
  /** With timestamp queries: median GPU milliseconds per repeat and per dispatch, and the rate by GPU time. */
  gpuMs?: number;
  gpuRate?: number;
  gpuMsPerDispatch?: number;
  timing: 'gpu-timestamp' | 'host';
}

export interface FastRatio {
  case: string;
  impl: string;
  peer: string;
  /** impl's median over peer's (for seconds: peer's over impl's, so above 1 means impl is faster). */
  speedup: number;
}

interface Impl {
  impl: string;
  variant: string;
  models: number;
  /** At least this many steps per repeat (a full dispatch), so readback latency does not dominate. */
  minSteps: number;
  /** Records k steps; returns how many dispatches that was. */
  record(k: number): number;
  sync(): Promise<unknown>;
  dispose(): void;
}

export interface FastReport {
  results: FastResult[];
  ratios: FastRatio[];
  failures: { case: string; impl: string; error: string }[];
}

/** Two timestamps around a repeat's submits, where the device offers them; null elsewhere. */
function gpuTimer(device: GPUDevice) {
  if (!device.features.has('timestamp-query')) return null;
  const set = device.createQuerySet({ type: 'timestamp', count: 2, label: 'bench.timestamps' });
  const resolve = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    label: 'bench.timestamps.resolve',
  });
  const read = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    label: 'bench.timestamps.read',
  });
  const mark = (index: 0 | 1) => {
    const e = device.createCommandEncoder();
    const pass = e.beginComputePass({
      timestampWrites: {
        querySet: set,
        ...(index === 0 ? { beginningOfPassWriteIndex: 0 } : { endOfPassWriteIndex: 1 }),
      },
    });
    pass.end();
    if (index === 1) {
      e.resolveQuerySet(set, 0, 2, resolve, 0);
      e.copyBufferToBuffer(resolve, 0, read, 0, 16);
    }
    device.queue.submit([e.finish()]);
  };
  return {
    begin: () => mark(0),
    end: () => mark(1),
    async ms(): Promise<number> {
      await read.mapAsync(GPUMapMode.READ);
      const [a, b] = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      return Number(b! - a!) / 1e6;
    },
    destroy() {
      set.destroy();
      resolve.destroy();
      read.destroy();
    },
  };
}

async function measure(
  device: GPUDevice,
  impl: Impl,
  caseName: string,
  unit: FastResult['unit'],
  { repeats, seconds }: { repeats: number; seconds: number },
): Promise<FastResult> {
  let k = 1;
  for (;;) {
    const t0 = performance.now();
    impl.record(k);
    await impl.sync();
    const dt = (performance.now() - t0) / 1000;
    if ((dt >= seconds / 4 && k >= impl.minSteps) || k >= 1 << 22) {
      k = Math.max(impl.minSteps, Math.round((k * seconds) / Math.max(dt, 1e-6)));
      break;
    }
    k *= 2;
  }
  const timer = gpuTimer(device);
  const rates: number[] = [];
  const gpu: number[] = [];
  let dispatches = 1;
  try {
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      timer?.begin();
      dispatches = impl.record(k);
      timer?.end();
      await impl.sync();
      rates.push((k * impl.models) / ((performance.now() - t0) / 1000));
      if (timer) gpu.push(await timer.ms());
    }
  } finally {
    timer?.destroy();
  }
  const out: FastResult = {
    case: caseName,
    impl: impl.impl,
    variant: impl.variant,
    unit,
    median: median(rates),
    min: Math.min(...rates),
    max: Math.max(...rates),
    repeats,
    steps: k,
    timing: timer ? 'gpu-timestamp' : 'host',
  };
  if (gpu.length)
    Object.assign(out, {
      gpuMs: median(gpu),
      gpuMsPerDispatch: median(gpu) / dispatches,
      gpuRate: (k * impl.models) / (median(gpu) / 1000),
    });
  return out;
}

/** The whole map end to end (the call to the result), seconds per repeat. */
async function timeMap(
  name: string,
  variant: string,
  run: () => Promise<unknown>,
  repeats: number,
  caseName: string,
): Promise<FastResult> {
  // warm-up: pipeline compilation and buffer creation are part of every later call too, but caches are warm
  await run();
  const secs: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await run();
    secs.push((performance.now() - t0) / 1000);
  }
  return {
    case: caseName,
    impl: name,
    variant,
    unit: 's',
    median: median(secs),
    min: Math.min(...secs),
    max: Math.max(...secs),
    repeats,
    timing: 'host',
  };
}

export async function fastCases(
  device: GPUDevice,
  { quick }: { quick: boolean },
  log: (line: string) => void = () => {},
): Promise<FastReport> {
  const budget = quick ? { repeats: 3, seconds: 0.3 } : { repeats: 5, seconds: 1 };
  const results: FastResult[] = [];
  const failures: { case: string; impl: string; error: string }[] = [];
  const attempt = async (caseName: string, impl: string, fn: () => Promise<FastResult>) => {
    log(`bench: ${caseName} ${impl} ...`);
    try {
      results.push(await fn());
    } catch (e) {
      const error = (e as Error).message.split('\n')[0]!;
      log(`bench: ${caseName} ${impl} failed: ${error}`);
      failures.push({ case: caseName, impl, error });
    }
  };
  const data = xor();

  // (1) one 2-8-1 XOR network: subgroup fused kernel against the workgroup-memory one (loss read once per repeat)
  const start = initParams({ d: 2, H: 8 }, 1);
  const fusedCase = 'xor-2-8-1-fused';
  const perDispatch = 4096;
  const fusedImpl = (variant: string, t: Trainer): Impl => ({
    impl: variant === 'fused-subgroup' ? 'gpu-fused-subgroup' : 'gpu-fused',
    variant,
    models: 1,
    minSteps: perDispatch,
    record: (k) => (t.step(k, { stepsPerDispatch: perDispatch }), Math.ceil(k / perDispatch)),
    sync: () => t.readLoss(),
    dispose: () => t.destroy(),
  });
  for (const variant of ['fused-workgroup', 'fused-subgroup'] as const satisfies readonly KernelName[]) {
    await attempt(fusedCase, variant, async () => {
      // forced through the one door; a kernel that does not fit this device is refused, and reported as not run
      const opts = { data, params: start, hidden: 8, lr: LR, loss: 'bce' as const, label: `bench.${variant}` };
      const impl = fusedImpl(variant, await createTrainer(device, opts, { kernel: variant }));
      try {
        return await measure(device, impl, fusedCase, 'steps/s', budget);
      } finally {
        impl.dispose();
      }
    });
  }

  // (2) many independent 2-8-1 XOR networks: registers against private memory (shaders/many.wgsl)
  const M = quick ? 4096 : 65536;
  const manyCase = `many-xor-2-8-1-x${M}`;
  const lrs = new Float32Array(M).fill(LR);
  for (const variant of ['many', 'many-reg']) {
    await attempt(manyCase, variant, async () => {
      const opts = { data, hidden: 8, loss: 'bce' as const, lrs, seedBase: 0, label: `bench.${variant}` };
      const t = variant === 'many' ? await ManyTrainer.create(device, opts) : await ManyRegTrainer.create(device, opts);
      t.train(0);
      const impl: Impl = {
        impl: `gpu-${variant}`,
        variant,
        models: M,
        minSteps: 250,
        record: (k) => (t.train(k, { stepsPerDispatch: 250 }), Math.ceil(k / 250)),
        sync: () => t.readResults(),
        dispose: () => t.destroy(),
      };
      try {
        return await measure(device, impl, manyCase, 'model-steps/s', budget);
      } finally {
        impl.dispose();
      }
    });
  }

  // (3) the page's map end to end: 16 widths × 7 rates × seeds × steps (4,096 seeds and 2,000 steps in full mode,
  // 16 and 200 in quick mode)
  const map: SweepSpec = {
    widths: MAP_WIDTHS,
    rates: [...MAP_RATES],
    seeds: quick ? 16 : 4096,
    seedBase: 0,
    steps: quick ? 200 : 2000,
    loss: 'bce',
  };
  const mapCase = `sweep-map-16x7x${map.seeds}x${map.steps}`;
  const repeats = quick ? 2 : 3;
  await attempt(mapCase, 'sweep-per-width', () =>
    timeMap('gpu-sweep', 'sweep-per-width', () => sweepGpu(device, data, map), repeats, mapCase),
  );
  await attempt(mapCase, 'sweep-one-dispatch', () =>
    timeMap('gpu-sweep-all', 'sweep-one-dispatch', () => sweepAllGpu(device, data, map), repeats, mapCase),
  );

  const ratios: FastRatio[] = [];
  for (const [c, a, b] of [
    [fusedCase, 'fused-subgroup', 'fused-workgroup'],
    [manyCase, 'many-reg', 'many'],
    [mapCase, 'sweep-one-dispatch', 'sweep-per-width'],
  ] as const) {
    const x = results.find((r) => r.case === c && r.variant === a);
    const y = results.find((r) => r.case === c && r.variant === b);
    if (x && y)
      ratios.push({
        case: c,
        impl: x.impl,
        peer: y.impl,
        speedup: x.unit === 's' ? y.median / x.median : x.median / y.median,
      });
  }
  return { results, ratios, failures };
}
