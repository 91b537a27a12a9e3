/**
 * The command-line tools built for a test file, into its own folder (vitest runs files in parallel, and a build
 * empties its folder first), and the sweep command run in-process with what it writes captured.
 */
import { PassThrough } from 'node:stream';
import { build } from 'vite';
import type { Io } from '../../src/cli/io.js';
import { runSweep } from '../../src/cli/sweep.js';

/** Builds dist/cli's bundles into dist/test-cli-NAME; returns that folder. */
export async function buildCli(name: string): Promise<string> {
  const outDir = `dist/test-cli-${name}`;
  await build({ mode: 'cli', logLevel: 'silent', build: { outDir } });
  return outDir;
}

export async function sweep(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const errStream = new PassThrough() as unknown as NodeJS.WriteStream;
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), errStream };
  const code = await runSweep(argv, io);
  return { code, out, err };
}

/**
 * A preload for `node -r`: writes the process's peak resident memory (KiB) to stderr as it exits, so a test can
 * bound a short run's memory exactly instead of sampling it.
 */
export const PEAK_RSS_PRELOAD =
  "process.on('exit', () => require('node:fs').writeSync(2, `\\npeak-rss-kib=${process.resourceUsage().maxRSS}\\n`));\n";
