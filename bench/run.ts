/**
 * `npm run bench`: training speed, measured, never asserted. Runs every case
 * of ./cases.ts on one device, writes the scaling plot (./plot.ts), and
 * returns one report: medians, ratios against the peers run in the same
 * process (./tfjs-peer.ts, the CPU engines), and what could not run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AdapterSummary } from '../src/gpu/device.js';
import { requestNodeDevice } from '../src/gpu/node.js';
import { type CaseChoice, largeCase, manyCase, scalingCase, type ScalingRow, xorCase } from './cases.js';
import { type CpuCaseInfo, cpuCases } from './cases-cpu.js';
import { type FastReport, fastCases } from './cases-fast.js';
import { type BenchRatio, type BenchResult, Recorder } from './measure.js';
import { scalingSvg } from './plot.js';
import { loadTf } from './tfjs-peer.js';

export interface BenchReport {
  adapter: AdapterSummary;
  node: string;
  quick: boolean;
  /** What createTrainer picks for each case's network on this device (the product runs that kernel). */
  chooser: CaseChoice[];
  results: BenchResult[];
  ratios: BenchRatio[];
  scaling: ScalingRow[];
  /** The CPU cases' networks and data (./cases-cpu.ts); their results and ratios are in `results` and `ratios`. */
  cpu: CpuCaseInfo[];
  /** Implementations that could not run a case, with their error (a peer's limit, say); the fast kernels' included. */
  failures: { case: string; impl: string; error: string }[];
  /** The fast kernels beside their slower alternatives, each result naming its kernel variant (./cases-fast.ts). */
  fast: FastReport;
}

/**
 * Where the scaling plot goes unless `--plot` says otherwise: an ignored folder, so a run leaves the checkout clean
 * (docs/perf/scaling.svg is the recorded run).
 */
export const DEFAULT_PLOT = 'dist/bench/scaling.svg';

/** Runs every case; `log` takes progress lines (stderr in the CLI, so stdout stays one JSON object). */
export async function runBench(
  { quick, plot = DEFAULT_PLOT }: { quick: boolean; plot?: string },
  log: (line: string) => void,
): Promise<BenchReport> {
  const { device, summary, instance } = await requestNodeDevice({ label: 'bench.device' });
  const recorder = new Recorder(quick ? { repeats: 3, seconds: 0.3 } : { repeats: 5, seconds: 1 }, log);
  try {
    const tf = await loadTf('cpu', instance); // one module for every peer; each impl selects its backend before it runs
    const choices: CaseChoice[] = [];
    const context = { device, choices, tf, quick, recorder, log };
    const cpu = await cpuCases(context);
    await xorCase(context);
    await manyCase(context);
    await largeCase(context);
    const fast = await fastCases(device, { quick }, (line) => log(`${line}\n`));
    const scaling = await scalingCase(context);
    mkdirSync(plot.replace(/\/[^/]*$/, '') || '.', { recursive: true });
    writeFileSync(plot, scalingSvg(scaling, `gpu-large on ${summary.vendor} ${summary.architecture}`));
    log(`bench: wrote ${plot}\n`);
    const { results, ratios, failures } = recorder;
    return {
      adapter: summary,
      node: process.version,
      quick,
      chooser: choices,
      results,
      ratios,
      scaling,
      cpu,
      failures: [...failures, ...fast.failures],
      fast,
    };
  } finally {
    device.destroy();
  }
}

/**
 * The report as a table for people: the CPU cases' networks, one row per result (with its loss before and after where
 * the impl reports one), the ratios (each of ours over each peer where a case marks its peers, else the case's first
 * impl over the others), the scaling points and the fast kernels.
 */
export function benchTable(r: BenchReport): string {
  const n = (x: number) => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3));
  const loss = (x: BenchResult) =>
    x.lossFirst !== undefined && x.lossLast !== undefined
      ? `, loss ${x.lossFirst.toPrecision(4)} → ${x.lossLast.toPrecision(4)} in ${x.steps!.toLocaleString('en-US')} steps`
      : '';
  const rows = r.results.map(
    (x) =>
      `${x.case.padEnd(22)} ${x.impl.padEnd(13)} ${n(x.median).padStart(14)} ${x.unit.padEnd(13)} (min ${n(x.min)}, max ${n(x.max)}, ${x.repeats} repeats${x.hostMs !== undefined ? `, host ${x.hostMs.toFixed(2)} ms/repeat` : ''}${loss(x)})`,
  );
  const notes = [...new Map(r.results.filter((x) => x.note).map((x) => [x.impl, x.note!]))].map(
    ([impl, note]) => `  ${impl}: ${note}`,
  );
  const q = (ratio: number) => (ratio >= 10 ? Math.round(ratio).toLocaleString('en-US') : ratio.toFixed(2));
  const best = (c: string, impl: string) =>
    r.ratios.filter((x) => x.case === c && x.impl === impl).map((x) => `${impl} / ${x.peer} = ${q(x.ratio)}`);
  // where a case marks its peers: each of ours against every peer, one line each; elsewhere the first impl's ratios
  const oursAgainstPeers = (c: string) => {
    const here = r.results.filter((x) => x.case === c);
    const peers = here.filter((x) => x.peer);
    return here
      .filter((x) => !x.peer)
      .map((o) => `${c.padEnd(22)} ${o.impl}: ${peers.map((p) => `${q(o.median / p.median)}× ${p.impl}`).join(', ')}`);
  };
  const cases = [...new Set(r.results.map((x) => x.case))];
  const ratioLines = cases.flatMap((c) =>
    r.results.some((x) => x.case === c && x.peer)
      ? oursAgainstPeers(c)
      : best(c, r.results.find((x) => x.case === c)!.impl).map((l) => `${c.padEnd(22)} ${l}`),
  );
  const scaling = r.scaling.map(
    (s) => `  N=${String(s.N).padStart(7)} H=${String(s.H).padStart(4)}  ${n(s.stepsPerSecond)} steps/s`,
  );
  return `${[
    `adapter: ${r.adapter.vendor} ${r.adapter.architecture} (${r.adapter.description})`,
    "the chooser's pick per case (what the CLI and the page run):",
    ...r.chooser.map((c) => `${c.case.padEnd(22)} ${c.kernel}: ${c.why}`),
    '',
    `CPU cases: full-batch SGD at lr ${r.cpu[0]?.lr ?? ''}, σ output, every impl from the same initial parameters:`,
    ...r.cpu.map(
      (c) => `${c.case.padEnd(22)} ${c.data}; hidden ${c.hidden.join('-')} ${c.activation}, ${c.loss.toUpperCase()}`,
    ),
    '',
    'case                   impl                  median',
    ...rows,
    ...(notes.length ? ['where a peer trains a different network:', ...notes] : []),
    '',
    'ratios (medians, same run; in the CPU cases each of ours over each peer):',
    ...ratioLines,
    '',
    'scaling, gpu-large:',
    ...scaling,
    '',
    'fast kernels beside the ones they replace (kernel variant, median; the map in seconds end to end):',
    ...r.fast.results.map(
      (x) =>
        `${x.case.padEnd(26)} ${x.variant.padEnd(19)} ${n(x.median).padStart(14)} ${x.unit}${x.gpuMsPerDispatch !== undefined ? ` (GPU ${x.gpuMsPerDispatch.toFixed(3)} ms/dispatch)` : ''}`,
    ),
    ...r.fast.ratios.map((x) => `${x.case.padEnd(26)} ${x.impl} is ${x.speedup.toFixed(2)}× ${x.peer}`),
    ...(r.failures.length
      ? ['', 'could not run:', ...r.failures.map((f) => `${f.case.padEnd(22)} ${f.impl}: ${f.error}`)]
      : []),
  ].join('\n')}\n`;
}
