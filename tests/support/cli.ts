/** The train command run in-process, as the CLI runs it, with what it writes captured. */
import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli/io.js';
import { runTrain } from '../../src/cli/train.js';

export async function train(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const errStream = new PassThrough() as unknown as NodeJS.WriteStream;
  errStream.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), errStream };
  const code = await runTrain(argv, io);
  return { code, out, err };
}
