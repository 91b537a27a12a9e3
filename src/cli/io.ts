/**
 * Where a command writes: injectable, so tests can run commands in-process.
 *
 * The process version survives its readers: a closed pipe (`| head -c 10`)
 * silently drops what is written after it closed, and any other write error
 * (a full disk: `>/dev/full`) is kept and handed to the command by `finish()`,
 * so it can say so in one line instead of dying with a stack trace while a GPU
 * device still has work in flight (Dawn crashes if the process exits then).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The little of a stream that progress needs. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** The stream progress is drawn on (a bar if it is a TTY). */
  errStream: TextSink;
  /** Aborted on SIGINT/SIGTERM: long loops stop at the next chunk and clean up. */
  signal?: AbortSignal;
  /** Waits until stdout has taken everything; resolves to its write error (a closed pipe is not one), or null. */
  finish?(): Promise<Error | null>;
}

/** A stream wrapper that never throws: EPIPE closes it quietly, other errors are kept for `flush`. */
function guarded(stream: NodeJS.WriteStream) {
  let closed = false;
  let failure: Error | null = null;
  const note = (e: NodeJS.ErrnoException | null | undefined) => {
    if (!e) return;
    closed = true;
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED' && !failure) failure = e;
  };
  stream.on('error', note);
  return {
    write(text: string): void {
      if (closed) return;
      try {
        stream.write(text, note);
      } catch (e) {
        note(e as NodeJS.ErrnoException);
      }
    },
    flush(): Promise<Error | null> {
      return new Promise((resolve) => {
        const done = () => setImmediate(() => resolve(failure)); // let a late 'error' event land first
        if (closed) done();
        else stream.write('', done);
      });
    },
  };
}

/**
 * The process's stdout and stderr, guarded. With `trapSignals`, the first
 * SIGINT or SIGTERM aborts `signal` instead of killing the process (the
 * command must watch it); a second one exits at once.
 */
export function processIo({ trapSignals = false } = {}): Io {
  const out = guarded(process.stdout);
  const err = guarded(process.stderr);
  const controller = new AbortController();
  if (trapSignals) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        controller.abort(sig);
        process.on(sig, () => process.exit(130));
      });
    }
  }
  return {
    out: out.write,
    err: err.write,
    errStream: { write: err.write, isTTY: process.stderr.isTTY === true },
    signal: controller.signal,
    finish: out.flush,
  };
}

/** One line for a failed write of the result, naming the cause ("no space left on device"). */
export function describeWriteError(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  return `could not write the result to stdout: ${code === 'ENOSPC' ? 'no space left on device (ENOSPC)' : e.message}`;
}

/** The most a data file may hold; past it, the text would not fit a JavaScript string with room to parse. */
export const MAX_DATA_BYTES = 256 * 2 ** 20;

/**
 * Reads a text file for `--data`: a regular file only. It is stat'ed before it is opened, so a FIFO (whose open
 * waits for a writer, deaf to Ctrl-C), a directory or a device is refused at once without being opened; the open
 * itself does not block (O_NONBLOCK) and is checked again, in case the path changed in between. At most
 * `maxBytes` are read (a file that grows while read is stopped there), and binary content (a NUL byte) and text
 * that is not UTF-8 are refused. Errors are plain strings to prefix with the flag.
 */
export function readTextFile(path: string, maxBytes = MAX_DATA_BYTES): string {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message,
    );
  };
  const checkKind = (st: Stats) => {
    if (!st.isFile()) throw new Error(`not a regular file (${kindOf(st)}); give a CSV or JSON file`);
    if (st.size > maxBytes) throw new Error(`${mib(st.size)} is more than the ${mib(maxBytes)} a data file may have`);
  };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return fail(e);
  }
  checkKind(st);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    return fail(e);
  }
  try {
    st = fstatSync(fd);
    checkKind(st);
    // One buffer of the file's size (and a byte to see it grow), so the bytes are not copied to be joined.
    const chunks: Buffer[] = [];
    let total = 0;
    for (let size = st.size + 1; ; size = 1 << 20) {
      const buf = Buffer.allocUnsafe(Math.min(size, maxBytes + 1 - total));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new Error(`more than the ${mib(maxBytes)} a data file may have`);
    }
    const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    const nul = bytes.indexOf(0);
    if (nul >= 0) throw new Error(`a binary file (a NUL byte at offset ${nul}); give CSV or JSON text`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error('not UTF-8 text; give CSV or JSON text in UTF-8');
    }
  } finally {
    closeSync(fd);
  }
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO or pipe';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a file';
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
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
