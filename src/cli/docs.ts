/**
 * `npm run docs`: rewrites every generated block in docs/*.md (the spot-checks,
 * the worked example, the path product, the exercises' answers) from the project's code.
 * `npm run docs -- --check` changes nothing and exits 1 if any document is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fillDocs } from './docs-blocks.js';
import { isMain } from './io.js';

export function docsFiles(dir = 'docs'): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f));
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const file of docsFiles()) {
    const text = readFileSync(file, 'utf8');
    const fresh = fillDocs(text);
    if (fresh === text) continue;
    stale.push(file);
    if (!check) writeFileSync(file, fresh);
  }
  process.stderr.write(
    stale.length === 0 ? 'docs: every generated block is up to date\n' : `docs: ${check ? 'stale' : 'rewrote'} ${stale.join(', ')}\n`,
  );
  return check && stale.length > 0 ? 1 : 0;
}

if (isMain(import.meta.url)) process.exitCode = main(process.argv.slice(2));
