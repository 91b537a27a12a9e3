/**
 * The import graph of src/: one way (engine → mlp → gpu → ui/cli/docs-gen), no cycles, never into
 * bench/, and no two source files with one basename. Type-only imports make no runtime edge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sources('src');
const edges = new Map<string, string[]>(
  files.map((f) => {
    const text = readFileSync(f, 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+['"](\.[^'"]+)['"]/gm)].map((m) =>
      normalize(join(dirname(f), m[1]!.replace(/\?.*$/, '').replace(/\.js$/, '.ts'))),
    );
    return [f, targets];
  }),
);
/** The layer of a file: a file may import its own layer and those before it. */
const LAYERS = ['src/engine', 'src/mlp', 'src/gpu', 'src/ui|src/cli|src/docs-gen|src/index.ts|src/index-node.ts'];
const layer = (f: string) => LAYERS.findIndex((l) => l.split('|').some((p) => f === p || f.startsWith(`${p}/`)));

describe('the import graph of src/', () => {
  it('has no cycle', () => {
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      state.set(f, 1);
      for (const t of edges.get(f) ?? []) {
        if (state.get(t) === 1) cycles.push([...path.slice(path.indexOf(t)), t].join(' → '));
        else if (!state.has(t) && edges.has(t)) visit(t, [...path, t]);
      }
      state.set(f, 2);
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    expect(cycles).toEqual([]);
  });

  it('points one way and never into bench/', () => {
    const wrong = [...edges].flatMap(([f, ts]) =>
      ts.filter((t) => t.startsWith('bench/') || (t.endsWith('.ts') && layer(t) > layer(f))).map((t) => `${f} → ${t}`),
    );
    expect(wrong).toEqual([]);
    expect(
      files.every((f) => layer(f) >= 0),
      'every file belongs to a layer',
    ).toBe(true);
  });

  it('has no two source files with one basename', () => {
    const seen = new Map<string, string[]>();
    for (const f of files) seen.set(basename(f), [...(seen.get(basename(f)) ?? []), f]);
    expect([...seen.values()].filter((fs) => fs.length > 1 && basename(fs[0]!) !== 'index.ts')).toEqual([]);
  });
});
