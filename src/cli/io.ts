/** Where a command writes: injectable, so tests can run commands in-process. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** The stream progress is drawn on (a bar if it is a TTY). */
  errStream: NodeJS.WriteStream;
}

export function processIo(): Io {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e; // `npm run train -- --json | head` closes the pipe early; not an error
  });
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errStream: process.stderr,
  };
}

/** True when the module at `url` is the script Node was started with. */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(url));
  } catch {
    return false;
  }
}
