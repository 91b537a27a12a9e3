import { readFileSync } from 'node:fs';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { docsFiles, generatedDocs, graphFileSvg } from '../src/cli/docs.js';
import { computeSpotCheck, fillGenerated, GENERATED_BLOCKS } from '../src/mlp/spotcheck.js';
import { fmt } from '../src/ui/graph-model.js';
import { spotGraphState } from '../src/ui/graph-spot.js';
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

describe('docs/graph.svg: the explainer\'s diagram', () => {
  const svg = readFileSync('docs/graph.svg', 'utf8');

  it('is what the code draws now (run `npm run docs` to update)', () => {
    expect(svg).toBe(graphFileSvg());
    expect(generatedDocs().filter((d) => d.fresh !== d.text).map((d) => d.file)).toEqual([]);
  });

  it('is plain SVG that GitHub can show: one root, no KaTeX, no foreignObject, no script, a title and a description', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/foreignObject|katex|<script|href=/);
    expect(svg).toMatch(/<title id="graph-title">Computation graph of the 2-layer MLP, 2 hidden units, BCE loss, batch of 1<\/title>/);
    expect(svg).toMatch(/<desc id="graph-desc">Worked example, sample 1 of 1: x = \(1, 2\), y = 1;/);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
  });

  it('shows the spot-check numbers, each with its full-precision data-value', () => {
    const s = computeSpotCheck();
    for (const [key, v] of [['z2', s.z2], ['yHat', s.yHat], ['dz2', s.dz2.bce], ['loss', s.loss.bce], ['z1', s.z1[1]!], ['da1', s.da1[1]!]] as const) {
      expect(svg, key).toContain(`data-key="${key}"`);
      expect(svg, `${key} = ${v}`).toContain(`data-value="${v}">${fmt(v)}</text>`);
    }
    expect(svg).toContain(`data-values="${JSON.stringify(s.dz1).replace(/"/g, '&quot;')}"`);
    expect(spotGraphState().values.gate).toEqual([1, 0]);
    expect(svg.match(/class="row closed"/g)).toHaveLength(1); // unit 2's gate is drawn closed
  });

  it('the explainer points at it, and a drifted number in it is caught', () => {
    expect(readFileSync('docs/explainer.md', 'utf8')).toMatch(/!\[The computation graph of the worked example[^\]]*\]\(graph\.svg\)/);
    const drifted = svg.replace('>0.5866<', '>0.5867<');
    expect(drifted).not.toBe(svg);
    expect(drifted).not.toBe(graphFileSvg());
  });
});
