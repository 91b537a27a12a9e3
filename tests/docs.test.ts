import { readFileSync } from 'node:fs';
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { docsFiles, generatedDocs, graphFileSvg } from '../src/docs-gen/generate.js';
import { activationCase, ACTIVATIONS } from '../src/docs-gen/docs-activations.js';
import { computeBatchCheck, SPOT2 } from '../src/docs-gen/docs-batch.js';
import { DOC_BLOCKS, fillDocs } from '../src/docs-gen/docs-blocks.js';
import { EX, lossSweeps } from '../src/docs-gen/docs-exercises.js';
import {
  DEEP,
  deepModel,
  L2STEP,
  l2Step,
  MINI,
  miniBatchCheck,
  spectralNorm,
  vanishingRows,
} from '../src/docs-gen/docs-model.js';
import { graphCost, inputGradient, saturation } from '../src/docs-gen/docs-paths.js';
import { deepCheck, DEEP_SPOT } from '../src/docs-gen/docs-deep.js';
import { makeDataset } from '../src/mlp/data/data.js';
import { xor } from '../src/mlp/data/data.js';
import { engineGradsOf, engineLoss, engineModelOf, initModelParams, initParams } from '../src/mlp/init.js';
import { makeModel, type Model, weightMask } from '../src/mlp/model.js';
import { forward, lossAndGradsModel } from '../src/mlp/reference.js';
import { computeSpotCheck, SPOT } from '../src/mlp/spotcheck.js';
import { ACTIVATION_WIDTHS, quotedCells } from '../src/docs-gen/docs-spotcheck.js';
import { fmt } from '../src/ui/graph/graph-model.js';
import { nudge } from '../src/docs-gen/docs-nudge.js';
import { DEFAULTS } from '../src/mlp/config.js';
import { spotGraphState } from '../src/ui/graph/graph-spot.js';
import { collectMath, renderMarkdown } from '../src/ui/markdown.js';

const files = docsFiles();
const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('docs/*.md', () => {
  it('has the six documents', () => {
    expect(files.map((f) => f.replace(/^docs\//, '')).sort()).toEqual([
      'checking.md',
      'derivation.md',
      'exercises.md',
      'explainer.md',
      'philosophy.md',
      'reading-notes.md',
    ]);
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
      expect(fillDocs(text)).toBe(text);
    });
  }

  it('every generated block is used by some document', () => {
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const name of Object.keys(DOC_BLOCKS)) expect(all).toContain(`<!-- generated:${name} -->`);
  });

  it('a drifted number is caught, in the derivation and in an exercise answer', () => {
    for (const [file, value] of [
      ['docs/derivation.md', '0.586618'],
      ['docs/exercises.md', '0.410457'],
    ] as const) {
      const text = readFileSync(file, 'utf8');
      const drifted = text.replace(value, `${value}1`);
      expect(drifted, `${file} should quote ${value}`).not.toBe(text);
      expect(fillDocs(drifted)).not.toBe(drifted);
    }
  });

  it('an unknown block name is an error, not silently left alone', () => {
    expect(() => fillDocs('<!-- generated:nope -->\n<!-- /generated:nope -->')).toThrow(
      /unknown generated block 'nope'/,
    );
  });
});

describe('the documents say what the issue asked', () => {
  const read = (f: string) => readFileSync(f, 'utf8');

  it('exercises.md has at least eight exercises, each with a generated answer', () => {
    const sections = read('docs/exercises.md')
      .split(/\n## \d+\. /)
      .slice(1);
    expect(sections.length).toBeGreaterThanOrEqual(8);
    for (const s of sections) expect(s, s.slice(0, 60)).toMatch(/<!-- generated:exercise-[\w-]+ -->\n\S/);
  });

  it('the README and the explainer (the page) link the exercises', () => {
    expect(read('README.md')).toContain('(docs/exercises.md)');
    expect(read('docs/explainer.md')).toContain('](exercises.md)');
  });

  it('the explainer names δ2 as the gradient arriving at z2 and sends gradients back from the loss, leftwards as the graph is drawn', () => {
    const text = read('docs/explainer.md');
    expect(text).toContain('gradient arriving at $z_2$');
    expect(text).not.toMatch(/from above|from the loss down|local derivative: \$\\delta_2/);
    // the drawing runs left to right (inputs left, loss right): no words of a top-to-bottom one
    // "the fraction climbs with H" is no direction
    expect(text).not.toMatch(/at the top|at the bottom|back up|climbs (back|up)|down to the loss/);
    expect(text).toMatch(/from the inputs on the left to the loss on the right/);
    expect(text).toMatch(/gradients flow back to the left/);
    expect(text.match(/times the cost of the forward pass|one more forward pass/g)).toHaveLength(1);
  });

  it('the derivation states both kink conventions once and boxes δ2, Δ1 and ∂L/∂b1', () => {
    const text = read('docs/derivation.md');
    expect(text.match(/\\mathrm\{ReLU\}'\(0\) = 0\$ and \$\\mathrm\{leaky\}'\(0\) = 0\.01/g)).toHaveLength(1);
    expect(text).toMatch(/\\boxed\{\\;\\delta_2 = /);
    expect(text).toMatch(/\\boxed\{\\;\\Delta_1 = \(\\delta_2 W_2\) \\odot/);
    expect(text).toMatch(/\\boxed\{\\;\\frac\{\\partial L\}\{\\partial b_1\} = .*\\Delta_1\^\\top \\mathbf\{1\}/);
  });

  it('the derivation boxes the general recursion with shapes, the identity output, L2 as weight decay and E[g_S] = g', () => {
    const text = read('docs/derivation.md');
    expect(text).toMatch(
      /\\boxed\{\\;\\underbrace\{\\delta_l\}_\{\[H_l\]\} = \\big\(\\underbrace\{W_\{l\+1\}\^\\top\}_\{\[H_l\\times H_\{l\+1\}\]\}/,
    );
    expect(text).toMatch(/\\boxed\{\\;\\delta_\{K\+1\}\^\{\(n\)\} = .*\\text\{\(MSE, identity\)\}/);
    expect(text).toMatch(/\\boxed\{\\;W \\leftarrow .* = \(1 - \\eta\\lambda_2\)\\, W - /);
    expect(text).toMatch(/\\boxed\{\\;\\mathbb\{E\}_\\pi\\big\[\\, g_S \\,\\big\] = g\\;\}/);
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

describe('the two-sample spot-check', () => {
  const b = computeBatchCheck();

  it('sample 2 opens the gate sample 1 closes', () => {
    expect(b.gate[0]).toEqual([1, 0]);
    expect(b.gate[1]![1]).toBe(1);
    expect(b.dz1[0]![1]).toBe(0);
    expect(b.dz1[1]![1]).not.toBe(0);
  });

  it('carries 1/N in δ2 and sums over the batch, by hand arithmetic', () => {
    // sample 2: z1 = (0.25 + 0.1, 0.75 − 0.2), z2 = 1.5·0.35 − 0.55 + 0.2
    const z2 = [0.35, 1.5 * 0.35 - 0.55 + 0.2];
    const d2 = z2.map((z, n) => (sigma(z) - SPOT2.y[n]!) / 2);
    expect(b.dz2[0]).toBeCloseTo(d2[0]!, 12);
    expect(b.dz2[1]).toBeCloseTo(d2[1]!, 12);
    expect(b.grads[8]).toBeCloseTo(d2[0]! + d2[1]!, 12); // ∂L/∂b2 = Σ δ2
    expect(b.grads[6]).toBeCloseTo(d2[0]! * 0.1 + d2[1]! * 0.35, 12); // (δ2ᵀA1)_1
    expect(b.grads[3]).toBeCloseTo(d2[1]! * -1 * -1, 12); // (Δ1ᵀX)_22 = δ1,2⁽²⁾ x2⁽²⁾ with δ1,2⁽²⁾ = W2,2 δ2⁽²⁾
    expect(b.maxFdError).toBeLessThan(1e-8);
    expect(b.maxEngineError).toBeLessThan(1e-12);
  });
});

describe('paths, cost and interpretations', () => {
  it('∂L/∂x from the engine is W1ᵀ δ1, the sum over the two paths', () => {
    const s = computeSpotCheck();
    const dx = inputGradient();
    expect(dx[0]).toBeCloseTo(0.5 * s.dz1[0]! + -0.5 * s.dz1[1]!, 12);
    expect(dx[1]).toBeCloseTo(-0.25 * s.dz1[0]! + -0.75 * s.dz1[1]!, 12);
    expect(s.grads[0]).toBeCloseTo(SPOT.x[0] * 1 * 1.5 * s.dz2.bce, 12); // the path product for W1,11
  });

  it('counts backprop as a few forward passes and central differences as 2 per parameter', () => {
    const c = graphCost();
    expect(c.params).toBe(9);
    const ratio = (c.ops + c.edges) / c.ops;
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(4);
  });

  it('saturation: at z2 = −5, y = 1, BCE sends back about −0.993 and MSE about −0.013', () => {
    const t = saturation();
    const p = sigma(-5);
    expect(t.yHat).toBeCloseTo(p, 12);
    expect(t.bce).toBeCloseTo(p - 1, 12);
    expect(t.mse).toBeCloseTo(2 * (p - 1) * p * (1 - p), 12);
    expect(t.bce).toBeCloseTo(-0.993, 3);
    expect(t.mse).toBeCloseTo(-0.0132, 4);
  });
});

describe("the exercises' premises hold", () => {
  const at = (H: number, seed: number) => forward({ d: 2, H }, initParams({ d: 2, H }, seed), xor());

  it('1: at the chosen seed and point one unit is on and one off', () => {
    const { hidden: H, seed, sample } = EX.predict;
    const point = sample - 1;
    const z1 = Array.from(at(H, seed).z1.slice(point * H, point * H + H));
    expect(z1.filter((z) => z > 0)).toHaveLength(1);
  });

  it("count XOR's points from 1, as the page's menu, its link and the walk do", () => {
    const text = readFileSync('docs/exercises.md', 'utf8');
    expect(text, 'a link counting from 0').not.toMatch(/[?&]point=/);
    const xy = (k: number) => [xor().x[2 * (k - 1)], xor().x[2 * (k - 1) + 1]];
    // the link of exercise 1 and the point it names are the same sample, (0, 1), the second
    expect(text).toContain(`sample=${EX.predict.sample}`);
    expect(xy(EX.predict.sample)).toEqual([0, 1]);
    const links = [...text.matchAll(/[?&]sample=(\d+)/g)].map((m) => Number(m[1]));
    expect(links.length).toBeGreaterThan(0);
    for (const k of links) expect(k >= 1 && k <= 4, `sample=${k}`).toBe(true);
    // "at point k, $x = (a, b)$": the k-th of XOR's points counted from 1
    const named = [...text.matchAll(/point (\d), \$x = \((\d), (\d)\)\$/g)];
    expect(named.length).toBeGreaterThan(0);
    for (const m of named) expect(xy(Number(m[1])), m[0]).toEqual([Number(m[2]), Number(m[3])]);
    const ranges = [...text.matchAll(/points? (?:are numbered |from )?(\d) to (\d)/g)].map((m) => [m[1], m[2]]);
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    for (const r of ranges) expect(r).toEqual(['1', '4']);
    // sets of XOR's points in the derivation count from 1 too: no point 0
    const sets = [...readFileSync('docs/derivation.md', 'utf8').matchAll(/\\\{([\d, ]+)\\\}/g)].map((m) => m[1]!);
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) for (const k of set.split(', ')) expect(Number(k), set).toBeGreaterThanOrEqual(1);
  });

  it('4: both units are on at (0, 1), so a zero column comes from x1 = 0 alone', () => {
    const { hidden: H, seed } = EX.column;
    expect(Array.from(at(H, seed).z1.slice(H, 2 * H)).every((z) => z > 0)).toBe(true);
  });

  it('5: unit 1 is off at all four points at the default seed', () => {
    const { hidden: H, seed } = EX.dead;
    const z1 = at(H, seed).z1;
    for (let n = 0; n < 4; n++) expect(z1[n * H]).toBeLessThan(0);
  });

  it('7: only ReLU closes unit 2 completely; tanh passes 1 − tanh²(−2.2)', () => {
    const fp = Object.fromEntries(ACTIVATIONS.map((f) => [f.name, activationCase(f).fPrime[1]!]));
    expect(fp.relu).toBe(0);
    expect(fp.leaky).toBe(0.01);
    expect(fp.tanh).toBeCloseTo(1 - Math.tanh(-2.2) ** 2, 14);
    expect(fp.sigmoid).toBeCloseTo(sigma(-2.2) * (1 - sigma(-2.2)), 14);
  });

  it("9: MSE passes the map's test at least as often as BCE in every cell, as the answer says", () => {
    const { bce, mse } = lossSweeps();
    expect(bce.map((c) => [c.hidden, c.lr])).toEqual(mse.map((c) => [c.hidden, c.lr]));
    mse.forEach((c, i) => expect(c.learned).toBeGreaterThanOrEqual(bce[i]!.learned));
  });

  it("the map's activation sentence: tanh learns most, sigmoid least, leaky at least as often as ReLU, at every quoted width", () => {
    const at = (a: 'relu' | 'leaky' | 'tanh' | 'sigmoid', h: number) =>
      quotedCells(a).find((c) => c.hidden === h)!.learned;
    for (const h of ACTIVATION_WIDTHS) {
      expect(at('tanh', h), `H = ${h}`).toBeGreaterThanOrEqual(at('leaky', h));
      expect(at('leaky', h), `H = ${h}`).toBeGreaterThanOrEqual(at('relu', h));
      expect(at('sigmoid', h), `H = ${h}`).toBeLessThan(at('relu', h));
      expect(at('sigmoid', h), `H = ${h}: "almost nothing learns"`).toBeLessThanOrEqual(
        0.05 * quotedCells('sigmoid')[0]!.seeds,
      );
    }
  });
});

describe('the deeper network, the penalty and mini-batches, against the scalar engine', () => {
  /** The engine's gradients of L_total over the given rows (default all), in the flat layout. */
  const engineGrads = (
    model: Model,
    params: Float64Array,
    objective: Parameters<typeof engineLoss>[3],
    rows?: number[],
  ) => {
    const mlp = engineModelOf(model, params);
    engineLoss(model, mlp, xor(), objective, rows).loss.backward();
    return engineGradsOf(model, mlp);
  };
  const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
    Math.max(...Array.from(a, (v, k) => Math.abs(v - b[k]!)));

  it("the derivation's three-layer check: every gradient is the scalar engine's, and the forward values are hand arithmetic", () => {
    const { model, x, y, params } = DEEP_SPOT;
    const c = deepCheck();
    const mlp = engineModelOf(model, Float64Array.from(params));
    const data = makeDataset([[...x]], [y]);
    engineLoss(model, mlp, data, { loss: 'bce' }).loss.backward();
    const engine = engineGradsOf(model, mlp);
    expect(engine).toHaveLength(15);
    expect(maxDiff(engine, c.grads)).toBeLessThan(1e-15);
    // by hand: z1 = W1 x + b1, z2 = W2 relu(z1) + b2, z3 = W3 relu(z2) + b3
    const p = params;
    const z1 = [p[0] * x[0] + p[1] * x[1] + p[4], p[2] * x[0] + p[3] * x[1] + p[5]];
    const a1 = z1.map((v) => Math.max(v, 0));
    const z2 = [p[6] * a1[0]! + p[7] * a1[1]! + p[10], p[8] * a1[0]! + p[9] * a1[1]! + p[11]];
    const a2 = z2.map((v) => Math.max(v, 0));
    const z3 = p[12] * a2[0]! + p[13] * a2[1]! + p[14];
    expect(maxDiff(c.z[0]!, z1)).toBeLessThan(1e-15);
    expect(maxDiff(c.z[1]!, z2)).toBeLessThan(1e-15);
    expect(c.z[2]![0]).toBeCloseTo(z3, 15);
    // the text's premises: layer 1 all on, layer 2's unit 2 off, so it gates and its row of ∂L/∂W2 is zero
    expect(z1.every((v) => v > 0)).toBe(true);
    expect(z2[0]).toBeGreaterThan(0);
    expect(z2[1]).toBeLessThan(0);
    expect(Array.from(engine.slice(8, 10))).toEqual([0, 0]);
    expect(readFileSync('docs/derivation.md', 'utf8')).toContain('<!-- generated:deep-check -->\nTwo hidden layers');
  });

  it("11: the engine's per-layer gradient norms are the table's, at every depth", () => {
    const rows = vanishingRows();
    expect(rows.map((r) => r.L)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const { L, norms } of rows) {
      const model = deepModel(L);
      expect(model.activation).toBe('sigmoid');
      const mlp = engineModelOf(model, initModelParams(model, DEEP.seed));
      engineLoss(model, mlp, xor(), { loss: DEEP.loss }).loss.backward();
      // ‖∂L/∂W_l‖ straight from the engine's neurons: layer l's weights, every unit's row
      const engineNorms = mlp.layers.map((layer) =>
        Math.hypot(...layer.neurons.flatMap((n) => n.w.map((w) => w.grad))),
      );
      expect(engineNorms).toHaveLength(L + 1);
      engineNorms.forEach((v, l) => expect(Math.abs(norms[l]! - v) / v, `L = ${L}, W${l + 1}`).toBeLessThan(1e-9));
    }
  });

  it('11: with σ the first-to-last ratio shrinks at every depth, far below tanh and ReLU; every row grows toward the output', () => {
    const rows = vanishingRows();
    expect(rows[0]!.ratio).toBe(1);
    rows.slice(1).forEach((r, i) => expect(r.ratio, `L = ${r.L}`).toBeLessThan(rows[i]!.ratio));
    expect(rows[5]!.ratio).toBeLessThan(1e-4);
    for (const { L, norms } of rows) norms.slice(1).forEach((v, i) => expect(v, `L = ${L}`).toBeGreaterThan(norms[i]!));
    for (const other of ['tanh', 'relu'] as const) {
      expect(rows[5]!.ratio * 100, other).toBeLessThan(vanishingRows(other)[5]!.ratio);
    }
  });

  it("11: the bound the answer quotes holds: every sample's ‖δ_l‖ ≤ ¼ ‖W_{l+1}‖₂ ‖δ_{l+1}‖ between hidden layers", () => {
    // the power iteration against matrices whose largest singular value is known
    expect(spectralNorm([1, 1, 0, 1], 2, 2)).toBeCloseTo((1 + Math.sqrt(5)) / 2, 12);
    expect(spectralNorm([0, 3, 0, 0, 0, 2], 2, 3)).toBeCloseTo(3, 12);
    const model = deepModel(6);
    const params = initModelParams(model, DEEP.seed);
    const { delta } = lossAndGradsModel(model, params, xor(), { loss: DEEP.loss });
    const spectral = vanishingRows()[5]!.spectral; // ‖W_2‖₂ … ‖W_6‖₂
    expect(spectral).toHaveLength(5);
    for (let l = 1; l < 6; l++) {
      for (let n = 0; n < 4; n++) {
        const norm = (d: Float64Array) => Math.hypot(...d.slice(n * DEEP.width, (n + 1) * DEEP.width));
        expect(norm(delta[l - 1]!), `l = ${l}, point ${n}`).toBeLessThanOrEqual(
          0.25 * spectral[l - 1]! * norm(delta[l]!) * (1 + 1e-12),
        );
      }
    }
  });

  it('12: the L2 step is w − η(∂L_data/∂w + λ2 w), by the engine and by the trainer; the bias is not penalised', () => {
    const s = l2Step();
    const { lr, l2, hidden, seed } = L2STEP;
    const model = makeModel({ d: 2, hidden: [hidden], activation: 'relu', output: 'sigmoid' });
    const params = initModelParams(model, seed);
    expect(Array.from(s.params)).toEqual(Array.from(params));
    const data = engineGrads(model, params, { loss: 'bce' });
    const total = engineGrads(model, params, { loss: 'bce', l2 });
    const weight = weightMask(model);
    params.forEach((w, k) => {
      // the engine's penalty gradient is λ2·w on a weight and nothing on a bias
      expect(total[k]! - data[k]!, `element ${k}`).toBeCloseTo(weight[k] ? l2 * w : 0, 14);
      expect(s.trained[k], `element ${k}`).toBeCloseTo(w - lr * total[k]!, 14);
      expect(s.byHand[k], `element ${k}`).toBeCloseTo(w - lr * total[k]!, 14);
    });
    expect(weight[s.w]).toBe(1);
    expect(weight[s.b]).toBe(0);
    expect(s.byHand[s.w]).toBeCloseTo((1 - lr * l2) * params[s.w]! - lr * data[s.w]!, 14);
    // exercise 3's b2 after the unpenalised step
    expect(s.trained[s.b]).toBeCloseTo(params[s.b]! - lr * data[s.b]!, 14);
  });

  it("12: the question names the step's settings", () => {
    const text = readFileSync('docs/exercises.md', 'utf8');
    const q = text.slice(text.indexOf('## 12.'), text.indexOf('<!-- generated:exercise-l2 -->'));
    expect(q).toContain(`(H = ${L2STEP.hidden}, seed ${L2STEP.seed}, XOR, BCE)`);
    expect(q).toContain(`$\\lambda_2 = ${L2STEP.l2}$`);
    expect(q).toContain(`$\\eta = ${L2STEP.lr}$`);
    const q11 = text.slice(text.indexOf('## 11.'), text.indexOf('<!-- generated:exercise-vanishing -->'));
    expect(q11).toContain(`$K = 1$ to $${DEEP.depths.length}$ hidden layers of ${DEEP.width} units`);
    expect(q11).toContain(`the default seed ${DEEP.seed}`);
  });

  it("mini-batches: one epoch partitions the points, and the batch mean's average is the engine's full gradient", () => {
    const c = miniBatchCheck();
    const model = makeModel({ d: 2, hidden: [MINI.hidden], activation: 'relu', output: 'sigmoid' });
    const params = initModelParams(model, MINI.seed);
    const full = engineGrads(model, params, { loss: MINI.loss });
    expect(maxDiff(c.full, full)).toBeLessThan(1e-12);
    expect(c.epoch.map((e) => e.rows.length)).toEqual([3, 1]);
    expect(c.epoch.flatMap((e) => e.rows).sort()).toEqual([0, 1, 2, 3]);
    for (const e of c.epoch)
      expect(maxDiff(e.grads, engineGrads(model, params, { loss: MINI.loss }, e.rows))).toBeLessThan(1e-12);
    expect(maxDiff(c.weighted, full)).toBeLessThan(1e-12);
    expect(maxDiff(c.plain, full)).toBeGreaterThan(1e-2);
    expect(c.subsets.map((s) => [s.m, s.count])).toEqual([
      [3, 4],
      [1, 4],
    ]);
    for (const s of c.subsets) expect(maxDiff(s.mean, full), `size ${s.m}`).toBeLessThan(1e-12);
    // the derivation names the epoch's batches counting XOR's points from 1, as the page and the exercises do
    const sets = c.epoch.map((e) => `$\\{${e.rows.map((n) => n + 1).join(', ')}\\}$`).join(' then ');
    expect(readFileSync('docs/derivation.md', 'utf8')).toContain(`visits the points (numbered 1 to 4) ${sets}`);
  });
});

describe("docs/graph.svg: the explainer's diagram", () => {
  const svg = readFileSync('docs/graph.svg', 'utf8');

  it('is what the code draws now (run `npm run docs` to update)', () => {
    expect(svg).toBe(graphFileSvg());
    expect(
      generatedDocs()
        .filter((d) => d.fresh !== d.text)
        .map((d) => d.file),
    ).toEqual([]);
  });

  it('is plain SVG that GitHub can show: one root, no KaTeX, no foreignObject, no script, a title and a description', () => {
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    expect(svg).not.toMatch(/foreignObject|katex|<script|href=/);
    expect(svg).toMatch(
      /<title id="graph-title">Computation graph of the 2-layer MLP, 2 hidden units, BCE loss, batch of 1<\/title>/,
    );
    expect(svg).toMatch(/<desc id="graph-desc">Worked example, sample 1 of 1: x = \(1, 2\), y = 1;/);
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.match(/<\/svg>/g)).toHaveLength(1);
  });

  it('shows the spot-check numbers, each with its full-precision data-value', () => {
    const s = computeSpotCheck();
    for (const [key, v] of [
      ['z2', s.z2],
      ['yHat', s.yHat],
      ['dz2', s.dz2.bce],
      ['loss', s.loss.bce],
      ['z1', s.z1[1]!],
      ['da1', s.da1[1]!],
    ] as const) {
      expect(svg, key).toContain(`data-key="${key}"`);
      expect(svg, `${key} = ${v}`).toContain(`data-value="${v}">${fmt(v)}</text>`);
    }
    expect(svg).toContain(`data-values="${JSON.stringify(s.dz1).replace(/"/g, '&quot;')}"`);
    expect(spotGraphState().values.gate).toEqual([1, 0]);
    expect(svg.match(/class="row closed"/g)).toHaveLength(1); // unit 2's gate is drawn closed
  });

  it('the explainer points at it, and a drifted number in it is caught', () => {
    expect(readFileSync('docs/explainer.md', 'utf8')).toMatch(
      /!\[The computation graph of the worked example[^\]]*\]\(graph\.svg\)/,
    );
    const drifted = svg.replace('>0.5866<', '>0.5867<');
    expect(drifted).not.toBe(svg);
    expect(drifted).not.toBe(graphFileSvg());
  });
});

describe("the explainer's way in", () => {
  const text = readFileSync('docs/explainer.md', 'utf8');
  /** Words a newcomer cannot be expected to know. */
  const JARGON = [
    'reverse-mode',
    'automatic differentiation',
    'directed acyclic',
    'Jacobian',
    'vector-Jacobian',
    'tensor',
    'topological',
    'chain rule',
    'oracle',
    'scalar',
    'central differences',
  ];
  /** Each technical term and where it must first appear: inside a <dfn title="…"> that says what it means. */
  const TERMS = [
    'reverse-mode automatic differentiation',
    'computation graph',
    'directed acyclic graph',
    'local Jacobian',
    'central differences',
    'floating-point rounding',
    'topological order',
    'chain rule',
    'vector-Jacobian product',
    '3-tensor',
    'outer product',
    'gradient descent',
    'ReLU',
    'BCE',
    'MLP',
  ];
  // the text a reader meets, in order: without the title line and without the definitions themselves
  const body = text.replace(/^# .*\n/, '').replace(/ title="[^"]*"/g, '');

  it('opens with a paragraph in plain words and the nudge, before any jargon', () => {
    const first = body
      .split('\n\n')
      .map((p) => p.trim())
      .find((p) => p && !p.startsWith('#'))!;
    expect(first).toMatch(/^A neural network is/);
    for (const word of JARGON) expect(first.toLowerCase(), word).not.toContain(word.toLowerCase());
    const nudgeAt = body.indexOf('<!-- generated:nudge -->');
    expect(nudgeAt).toBeGreaterThan(0);
    for (const word of JARGON) {
      const at = body.toLowerCase().indexOf(word.toLowerCase());
      if (at >= 0) expect(at, `"${word}" before the nudge`).toBeGreaterThan(nudgeAt);
    }
  });

  it('defines every technical term where it first appears, with a meaning of its own', () => {
    for (const term of TERMS) {
      const at = body.indexOf(term);
      expect(at, term).toBeGreaterThan(0);
      expect(body.slice(0, at), `"${term}" first appears outside a <dfn>`).toMatch(/<dfn[^>]*>[^<]*$/);
      const meaning = new RegExp(`<dfn title="([^"]{20,})">[^<]*${term.replace(/[-.]/g, '\\$&')}`).exec(text);
      expect(meaning, `the definition of "${term}"`).not.toBeNull();
    }
  });

  it("the nudge's numbers are the scalar engine's: the loss before and after, and the gradient predicts the change", () => {
    const n = nudge();
    const model = makeModel({ d: 2, hidden: [DEFAULTS.hidden], activation: DEFAULTS.activation, output: 'sigmoid' });
    const params = initModelParams(model, DEFAULTS.seed);
    const lossAt = (p: Float64Array) => engineLoss(model, engineModelOf(model, p), xor(), { loss: DEFAULTS.loss }).loss;
    const mlp = engineModelOf(model, params);
    const start = engineLoss(model, mlp, xor(), { loss: DEFAULTS.loss }).loss;
    start.backward();
    // the flat layout: W1 (H × 2), b1 (H), then W2 (H)
    const k = 3 * DEFAULTS.hidden + Number(/^W2\[(\d+)\]$/.exec(n.name)![1]) - 1;
    expect(n.before).toBeCloseTo(start.data, 12);
    expect(n.grad).toBeCloseTo(engineGradsOf(model, mlp)[k]!, 12);
    const moved = Float64Array.from(params);
    moved[k]! += n.dw;
    expect(n.after).toBeCloseTo(lossAt(moved).data, 12);
    expect(n.after).toBeLessThan(n.before); // downhill, as the text says
    // the first-order prediction is within 2% of the change: "the gradient tells what the change will do"
    expect(Math.abs(n.predicted - (n.after - n.before)) / Math.abs(n.after - n.before)).toBeLessThan(0.02);
    expect(text).toContain(`the loss becomes ${Number(n.after.toPrecision(6))}`);
  });

  it("the nudge's weight before and after read right: the printed value plus the printed move is the printed result", () => {
    const n = nudge();
    const para = text.split('\n').find((l) => l.startsWith('**One nudge'))!;
    const m = /it is (−?[\d.]+) now, .* Move the weight by ([−+][\d.]+) .*, to (−?[\d.]+), and/.exec(para);
    expect(m, para).not.toBeNull();
    const [w, dw, moved] = m!.slice(1).map((t) => Number(t.replace('−', '-'))) as [number, number, number];
    expect(dw).toBe(n.dw);
    // the sum as a reader does it, to the digits printed
    expect(Math.abs(w + dw - moved)).toBeLessThan(1e-12);
    // the value printed is the weight's, to within half a unit in its last printed place
    const places = m![1]!.split('.')[1]!.length;
    expect(Math.abs(w - n.w)).toBeLessThanOrEqual(0.5 * 10 ** -places + 1e-15);
    for (const t of [m![1]!, m![3]!]) expect(t.replace(/^[−0.]+/, '').length, t).toBeGreaterThanOrEqual(3);
    // learners read a true minus sign in prose, never ASCII "-"
    expect(para.replace(/\$[^$]*\$/g, '')).not.toMatch(/-\d/);
  });
});
