/**
 * The built page served on loopback for a browser test file. Each file builds
 * into its own folder: vitest runs files in parallel, and a build empties its
 * folder first, so two files sharing one would pull the page from under each other.
 */
import { mkdirSync } from 'node:fs';
import { build, preview } from 'vite';

export const ARTIFACTS = 'test-artifacts';

export interface Served {
  /** http://127.0.0.1:PORT/ */
  base: string;
  close(): Promise<void>;
}

export async function servePage(name: string): Promise<Served> {
  const outDir = `dist/test-${name}`;
  await build({ logLevel: 'silent', build: { outDir } });
  const server = await preview({
    logLevel: 'silent',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const base = server.resolvedUrls?.local[0] ?? '';
  if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(base))
    throw new Error(`vite preview did not report a loopback URL: '${base}'`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return { base, close: () => server.close() };
}
