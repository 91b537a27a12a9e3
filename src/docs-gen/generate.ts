/**
 * `npm run docs`: rewrites every generated block in docs/*.md (the spot-checks, the worked example, the path product,
 * the exercises' answers) and docs/graph.svg (the explainer's diagram) from the project's code.
 * `npm run docs -- --check` changes nothing and exits 1 if any document is stale.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spotGraphState } from '../ui/graph/graph-spot.js';
import { graphMarkup } from '../ui/graph/graph-svg.js';
import { fillDocs } from './docs-blocks.js';
import { isMain } from '../cli/io.js';

export function docsFiles(dir = 'docs'): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(dir, f));
}

/**
 * docs/graph.svg, byte for byte: the explainer's diagram with plain-text labels
 * and the drawing's own rules of src/ui/graph/graph.css (the part before its page-only
 * section) embedded, so it stands alone. Paths are relative to the repository root.
 */
export function graphFileSvg(cssFile = 'src/ui/graph/graph.css'): string {
  const css = readFileSync(cssFile, 'utf8');
  const cut = css.indexOf('/* page only');
  if (cut < 0) throw new Error(`${cssFile}: missing the '/* page only' marker that ends the drawing's own rules`);
  const style = css
    .slice(0, cut)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return `${graphMarkup(spotGraphState(), { testid: 'graph', keyPrefix: 'graph', standalone: style })}\n`;
}

/** Every generated file with its fresh text: the Markdown with its blocks filled, and docs/graph.svg. */
export function generatedDocs(dir = 'docs'): { file: string; text: string | null; fresh: string }[] {
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
  const md = docsFiles(dir).map((file) => {
    const text = read(file);
    return { file, text, fresh: fillDocs(text ?? '') };
  });
  const svg = join(dir, 'graph.svg');
  return [...md, { file: svg, text: read(svg), fresh: graphFileSvg() }];
}

function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const stale: string[] = [];
  for (const { file, text, fresh } of generatedDocs()) {
    if (fresh === text) continue;
    stale.push(file);
    if (!check) writeFileSync(file, fresh);
  }
  process.stderr.write(
    stale.length === 0
      ? 'docs: every generated block is up to date\n'
      : `docs: ${check ? 'stale' : 'rewrote'} ${stale.join(', ')}\n`,
  );
  return check && stale.length > 0 ? 1 : 0;
}

if (isMain(import.meta.url)) process.exitCode = main(process.argv.slice(2));
