import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * docs/perf/README.md quotes recorded runs: its CPU table and the page's figures must be the recorded JSON's medians
 * (rounded as printed), so that a new run recorded without updating the prose, or the other way round, fails here.
 */
const doc = readFileSync('docs/perf/README.md', 'utf8');
const bench = JSON.parse(readFileSync('docs/perf/bench-quick-swiftshader.json', 'utf8')) as {
  results: { case: string; impl: string; median: number }[];
};
const page = JSON.parse(readFileSync('docs/perf/page-speed.json', 'utf8')) as Record<string, { median: number }>;

/** A median as the table prints it: whole numbers with separators from 100 on, three significant digits below. */
const printed = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

describe('docs/perf quotes its recorded runs', () => {
  it('the CPU table is the bench JSON, row by row, impl by impl', () => {
    const section = doc.slice(doc.indexOf('## Where there is no GPU'));
    const header = section.split('\n').find((l) => l.startsWith('| case |'))!;
    const impls = header
      .split('|')
      .slice(2, -1)
      .map((c) => /`([^`]+)`|(brain\.js)/.exec(c)!.slice(1).find(Boolean)!);
    expect(impls).toEqual(['cpu-fast', 'cpu-matrix', 'cpu-scalar', 'tfjs-cpu', 'tfjs-wasm', 'brain.js']);
    const cases = ['cpu-spiral-2-16-1-tanh', 'cpu-spiral-2-16-1-relu', 'cpu-xor-2-8-1'];
    const rows = section.split('\n').filter((l) => /^\| 2-/.test(l));
    expect(rows).toHaveLength(cases.length);
    rows.forEach((row, i) => {
      const cells = row
        .split('|')
        .slice(2, -1)
        .map((c) => c.replaceAll('*', '').trim());
      impls.forEach((impl, k) => {
        const r = bench.results.find((x) => x.case === cases[i] && x.impl === impl)!;
        expect(cells[k], `${cases[i]} ${impl}`).toBe(printed(r.median));
      });
    });
  });

  it("the page's figures are page-speed.json's medians", () => {
    const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
    expect(doc).toContain(`the page's median is ${fmt(page.pageStepsPerSecond!.median)}`);
    expect(doc).toContain(`against the CLI's ${fmt(page.cliStepsPerSecond!.median)}`);
  });
});
