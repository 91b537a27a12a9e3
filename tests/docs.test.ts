import { readFileSync } from 'node:fs';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { docsFiles } from '../src/cli/docs.js';
import { computeSpotCheck, fillGenerated, GENERATED_BLOCKS } from '../src/mlp/spotcheck.js';
import { collectMath, renderMarkdown } from '../src/ui/markdown.js';

const files = docsFiles();

describe('docs/*.md', () => {
  it('has the four documents', () => {
    expect(files.map((f) => f.replace(/^docs\//, '')).sort()).toEqual(['derivation.md', 'explainer.md', 'philosophy.md', 'reading-notes.md']);
  });

  for (const file of files) {
    const text = readFileSync(file, 'utf8');

    it(`${file}: every formula renders with KaTeX`, () => {
      const math = collectMath(text);
      for (const { tex, display } of math) {
        expect(() => katex.renderToString(tex, { displayMode: display, throwOnError: true }), tex).not.toThrow();
      }
      if (file.endsWith('philosophy.md')) return;
      expect(math.length, 'a technical document with no math was probably misparsed').toBeGreaterThan(5);
    });

    it(`${file}: renders to HTML with no stray dollar signs`, () => {
      const html = renderMarkdown(text);
      expect(html.replace(/<annotation[\s\S]*?<\/annotation>/g, '')).not.toMatch(/\$/);
    });

    it(`${file}: every generated block matches the code (run \`npm run docs\` to update)`, () => {
      expect(fillGenerated(text)).toBe(text);
    });
  }

  it('every generated block is used by some document', () => {
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const name of Object.keys(GENERATED_BLOCKS)) expect(all).toContain(`<!-- generated:${name} -->`);
  });

  it('a drifted number is caught', () => {
    const text = readFileSync('docs/derivation.md', 'utf8');
    const drifted = text.replace('0.586618', '0.586619');
    expect(drifted).not.toBe(text);
    expect(fillGenerated(drifted)).not.toBe(drifted);
  });
});

describe('the spot-check itself', () => {
  const s = computeSpotCheck();

  it('has one unit on and one off, so the document shows ReLU gating', () => {
    expect(s.z1[0]).toBeGreaterThan(0);
    expect(s.z1[1]).toBeLessThan(0);
    expect(s.dz1[1]).toBe(0);
    expect(s.da1[1]).not.toBe(0);
  });

  it('agrees with hand arithmetic and with central differences', () => {
    expect(s.z1[0]).toBeCloseTo(0.5 * 1 - 0.25 * 2 + 0.1, 12);
    expect(s.z2).toBeCloseTo(1.5 * 0.1 + 0.2, 12);
    expect(s.yHat).toBeCloseTo(1 / (1 + Math.exp(-0.35)), 12);
    expect(s.dz2.bce).toBeCloseTo(s.yHat - 1, 12);
    expect(s.maxFdError).toBeLessThan(1e-8);
    expect(s.maxEngineError).toBeLessThan(1e-12);
  });
});
