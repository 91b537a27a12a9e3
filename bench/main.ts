/**
 * `npm run bench -- [--quick] [--json]`: the command-line entry of the
 * benchmark, whose runner, cases, peers and plot live beside it (./run.ts).
 * This file only reads the flags and prints the report.
 */
import { benchTable, DEFAULT_PLOT, runBench } from './run.js';
import { type FlagSpec, parseArgs, usage, UsageError } from '../src/cli/args.js';
import { isMain, type Io, processIo } from '../src/cli/io.js';

export const BENCH_FLAGS: Record<string, FlagSpec> = {
  quick: { kind: 'bool', help: 'fewer repeats, smaller many-models and scaling cases (about a minute on SwiftShader)' },
  json: { kind: 'bool', help: 'print one JSON object on stdout and nothing else there' },
  plot: {
    kind: 'string',
    help:
      'where to write the scaling plot (default dist/bench/scaling.svg, ignored by git; ' +
      'docs/perf/scaling.svg is the recorded run)',
  },
  help: { kind: 'bool', help: 'print this help' },
};

export async function runBenchCommand(argv: readonly string[], io: Io): Promise<number> {
  let flags;
  try {
    flags = parseArgs(argv, BENCH_FLAGS);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bench: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    io.out(usage('npm run bench --', 'Measure training speed against peers run in the same process.', BENCH_FLAGS));
    return 0;
  }
  try {
    const report = await runBench(
      { quick: flags.quick === true, plot: (flags.plot as string | undefined) ?? DEFAULT_PLOT },
      (line) => io.err(line),
    );
    io.out(flags.json ? `${JSON.stringify(report)}\n` : benchTable(report));
    return 0;
  } catch (e) {
    io.err(`bench: ${(e as Error).stack ?? (e as Error).message}\n`);
    return 1;
  }
}

if (isMain(import.meta.url)) {
  runBenchCommand(process.argv.slice(2), processIo()).then((code) => (process.exitCode = code));
}
