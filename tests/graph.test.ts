import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LossKind } from '../src/engine/losses.js';
import { shadowBounds, U } from '../src/mlp/bounds/bounds.js';
import { trajectoryBounds } from '../src/mlp/bounds/step-bounds.js';
import { xor } from '../src/mlp/data/data.js';
import { initParams } from '../src/mlp/init.js';
import { shadowBoundsModel } from '../src/mlp/bounds/bounds-model.js';
import { type Dataset, roundToF32 } from '../src/mlp/data/data.js';
import { initModelParams } from '../src/mlp/init.js';
import { makeModel, type Model, modelLayout } from '../src/mlp/model.js';
import { lossAndGrads, lossAndGradsModel, sampleLosses } from '../src/mlp/reference.js';
import { computeSpotCheck } from '../src/mlp/spotcheck.js';
import { paramLayout } from '../src/mlp/spec.js';
import { fmt } from '../src/ui/graph/graph-model.js';
import { ITEM_VALUES } from '../src/ui/graph/graph-svg.js';
import { open as openUrl } from './support/browser.js';
import { ARTIFACTS, type Served, servePage } from './support/preview.js';

/**
 * The computation graph on the built page, in the system Chromium: its numbers
 * against the CPU oracle (src/mlp/reference.ts), the product of the edge
 * Jacobians against the δ2 it shows, the explainer's static copy against the
 * spot-check, and the walk by keyboard. Every case fails on a console error.
 */
let served: Served;
let base: string;

beforeAll(async () => {
  served = await servePage('graph');
  base = served.base;
}, 120_000);
afterAll(async () => served?.close());

/** The page with `query` (on the CPU engine unless `webgpu`), once its first numbers and the graph are drawn. */
async function open(
  query: string,
  { webgpu = false, width = 1400, height = 900 } = {},
): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const o = await openUrl(`${base}${query}`, { width, height }, webgpu);
  // the graph, or the failure that stopped the run before it was drawn (said, rather than a timeout)
  await o.page.waitForSelector('[data-testid="graph"], .banner-failure');
  const failure = o.page.locator('.banner-failure');
  if ((await failure.count()) > 0) {
    const text = await failure.innerText();
    await o.browser.close();
    throw new Error(`the page stopped the run before drawing the graph: ${text}`);
  }
  return o;
}

const values = async (page: Page, id: string): Promise<number[]> =>
  JSON.parse((await page.locator(`[data-testid="${id}"]`).getAttribute('data-values')) ?? 'null') as number[];
const jacobian = async (page: Page, id: string): Promise<number | number[]> =>
  JSON.parse((await page.locator(`[data-testid="diagram-${id}"]`).getAttribute('data-jacobian')) ?? 'null') as
    number | number[];

/** Everything the graph should show for sample n at `params`, computed by the oracle alone. */
/** What the graph must show for sample n, each value with its f32 error bound (the page's numbers are the GPU's). */
function expected(params: Float64Array, H: number, n: number, loss: LossKind): Record<string, [number[], number[]]> {
  const spec = { d: 2, H };
  const data = xor();
  const r = lossAndGrads(spec, params, data, loss);
  const S = shadowBounds(spec, params, data, loss, { perSample: true });
  const B = S.samples!;
  const L = paramLayout(spec);
  const at = (a: ArrayLike<number>, w: number) => Array.from({ length: w }, (_, k) => a[n * w + k]!);
  const get = (a: ArrayLike<number>, name: 'W1' | 'b1' | 'W2' | 'b2') =>
    Array.from({ length: L[name].length }, (_, k) => a[L[name].offset + k]!);
  const exact = (v: number[]): [number[], number[]] => [v, v.map(() => 0)];
  const x = at(data.x, 2);
  const [dz1, edz1] = [at(r.dz1, H), at(B.dz1.bound, H)];
  const [a1, ea1] = [at(r.cache.a1, H), at(B.a1.bound, H)];
  const [dz2, edz2] = [r.dz2[n]!, B.dz2.bound[n]!];
  // the per-sample loss: its slope times z2's (or ŷ's) error, plus a few roundings of its own terms
  const z2 = r.cache.z2[n]!;
  const yHat = r.cache.yHat[n]!;
  const y = data.y[n]!;
  const ell = sampleLosses(loss, r.cache, data.y)[n]!;
  const eLoss =
    loss === 'bce'
      ? Math.abs(yHat - y) * B.z2.bound[n]! + 8 * U * (Math.abs(ell) + Math.abs(y * z2) + 1)
      : 2 * Math.abs(yHat - y) * B.yHat.bound[n]! + 4 * U * ell;
  const losses = sampleLosses(loss, r.cache, data.y);
  const eBatch = 2 * eLoss * data.N + 8 * U * data.N * Math.max(...Array.from(losses)); // a loose sum of every sample's
  return {
    x: exact(x),
    y: exact([y]),
    W1: exact(get(params, 'W1')),
    b1: exact(get(params, 'b1')),
    W2: exact(get(params, 'W2')),
    b2: exact(get(params, 'b2')),
    z1: [at(r.cache.z1, H), at(B.z1.bound, H)],
    a1: [a1, ea1],
    z2: [[z2], [B.z2.bound[n]!]],
    yHat: [[yHat], [B.yHat.bound[n]!]],
    loss: [[ell], [eLoss]],
    batchLoss: [[r.loss], [eBatch]],
    dz2: [[dz2], [edz2]],
    da1: [at(r.da1, H), at(B.da1.bound, H)],
    dz1: [dz1, edz1],
    dW1: [get(r.grads, 'W1'), get(S.grads.bound, 'W1')],
    db1: [get(r.grads, 'b1'), get(S.grads.bound, 'b1')],
    dW2: [get(r.grads, 'W2'), get(S.grads.bound, 'W2')],
    db2: [get(r.grads, 'b2'), get(S.grads.bound, 'b2')],
    // this sample's share of each parameter gradient: one f32 product of two bounded values
    cW1: [
      dz1.flatMap((d) => x.map((xi) => d * xi)),
      dz1.flatMap((d, j) => x.map((xi) => edz1[j]! * Math.abs(xi) + U * Math.abs(d * xi))),
    ],
    cb1: [dz1, edz1],
    cW2: [
      a1.map((a) => dz2 * a),
      a1.map((a, j) => Math.abs(dz2) * ea1[j]! + edz2 * Math.abs(a) + edz2 * ea1[j]! + U * Math.abs(dz2 * a)),
    ],
    cb2: [[dz2], [edz2]],
  };
}

async function expectMatchesOracle(
  page: Page,
  params: Float64Array,
  H: number,
  n: number,
  loss: LossKind,
): Promise<void> {
  for (const [key, [want, bound]] of Object.entries(expected(params, H, n, loss))) {
    const got = await values(page, `diagram-${key}`);
    expect(got, `diagram-${key}`).toHaveLength(want.length);
    got.forEach((v, i) =>
      expect(
        Math.abs(v - want[i]!),
        `diagram-${key}[${i}]: page ${v}, CPU ${want[i]}, bound ${bound[i]}`,
      ).toBeLessThanOrEqual(bound[i]!),
    );
  }
  // each drawn number shows its own data-value, and that value is the group's entry
  const drawn = await drawnNumbers(page);
  expect(drawn.length).toBeGreaterThan(10 * Math.min(H, 8));
  await expectDrawnValues(page, drawn);
}

/** Each drawn number's data-value is its group's entry (a vector's first ITEM_VALUES of them), its text that value. */
async function expectDrawnValues(
  page: Page,
  drawn: { key: string; i: number; len: number; value: string; text: string }[],
): Promise<void> {
  for (const d of drawn) {
    const group = await values(page, `diagram-${d.key}`);
    const v = d.len === 1 ? [Number(d.value)] : (JSON.parse(d.value) as number[]);
    expect(v, `${d.key}[${d.i}]`).toHaveLength(Math.min(d.len, ITEM_VALUES));
    expect(v, `${d.key}[${d.i}]`).toEqual(group.slice(d.i, d.i + v.length));
    if (d.len === 1) expect(d.text, `${d.key}[${d.i}] text`).toBe(fmt(v[0]!));
  }
}

const drawnNumbers = (page: Page) =>
  page.$$eval('[data-testid="graph"] text[data-key]', (els) =>
    els.map((e) => ({
      key: e.getAttribute('data-key')!,
      i: Number(e.getAttribute('data-i')),
      len: Number(e.getAttribute('data-len')),
      value: e.getAttribute('data-value')!,
      text: e.textContent!,
    })),
  );

/**
 * What the graph must show for sample n of a network of any depth at the f32 parameters `params` (as held) on the
 * f32 data the GPU holds, each value with its f32 error bound (src/mlp/bounds/bounds-model.ts, per sample).
 */
function expectedModel(
  model: Model,
  params: Float64Array,
  data: Dataset,
  n: number,
  loss: LossKind,
): Record<string, [number[], number[]]> {
  const r = lossAndGradsModel(model, params, data, { loss });
  const S = shadowBoundsModel(model, params, data, { loss }, { perSample: true });
  const { hidden, output } = S.samples!;
  const layout = modelLayout(model);
  const L = model.hidden.length;
  const o = L + 1;
  const exact = (v: number[]): [number[], number[]] => [v, v.map(() => 0)];
  const row = (a: ArrayLike<number>, w: number) => Array.from({ length: w }, (_, k) => a[n * w + k]!);
  const slot = (a: ArrayLike<number>, at: { offset: number; length: number }) =>
    Array.from({ length: at.length }, (_, k) => a[at.offset + k]!);
  const want: Record<string, [number[], number[]]> = {
    x: exact(row(data.x, model.d)),
    y: exact([data.y[n]!]),
  };
  // this sample's share of a parameter gradient: one f32 product of two bounded values
  const share = (d: number[], ed: number[], a: number[], ea: number[]): [number[], number[]] => [
    d.flatMap((dj) => a.map((ai) => dj * ai)),
    d.flatMap((dj, j) =>
      a.map((ai, i) => ed[j]! * Math.abs(ai) + Math.abs(dj) * ea[i]! + ed[j]! * ea[i]! + U * Math.abs(dj * ai)),
    ),
  ];
  let prev: [number[], number[]] = want.x!;
  for (const { l, W, b, nout } of layout.layers) {
    want[`W${l}`] = exact(slot(params, W));
    want[`b${l}`] = exact(slot(params, b));
    want[`dW${l}`] = [slot(r.grads, W), slot(S.grads.bound, W)];
    want[`db${l}`] = [slot(r.grads, b), slot(S.grads.bound, b)];
    const dz: [number[], number[]] =
      l <= L
        ? [row(r.delta[l - 1]!, nout), row(hidden[l - 1]!.delta.bound, nout)]
        : [[r.delta[l - 1]![n]!], [output.delta.bound[n]!]];
    want[`dz${l}`] = dz;
    want[`cW${l}`] = share(dz[0], dz[1], prev[0], prev[1]);
    want[`cb${l}`] = dz;
    if (l <= L) {
      const h = hidden[l - 1]!;
      want[`z${l}`] = [row(r.cache.z[l - 1]!, nout), row(h.z.bound, nout)];
      want[`a${l}`] = [row(r.cache.a[l - 1]!, nout), row(h.a.bound, nout)];
      want[`da${l}`] = [row(r.da[l - 1]!, nout), row(h.da.bound, nout)];
      prev = want[`a${l}`]!;
    }
  }
  // the per-sample loss, computed in f64 from the f32 logit shown: its slope times the logit's error, and the GPU's
  // f32 sum of every sample's loss for L
  const ell = r.losses[n]!;
  const slope = (k: number) =>
    loss === 'bce' ? Math.abs(r.cache.yHat[k]! - data.y[k]!) : 2 * Math.abs(r.cache.yHat[k]! - data.y[k]!);
  const eOne = (k: number) =>
    slope(k) * (loss === 'bce' ? output.z.bound[k]! : output.yHat.bound[k]!) +
    8 * U * (Math.abs(r.losses[k]!) + Math.abs(data.y[k]! * r.cache.z[L]![k]!) + 1);
  let eSum = 0;
  for (let k = 0; k < data.N; k++) eSum += eOne(k) + (data.N + 2) * U * Math.abs(r.losses[k]!);
  Object.assign(want, {
    [`z${o}`]: [[r.cache.z[L]![n]!], [output.z.bound[n]!]],
    yHat: [[r.cache.yHat[n]!], [output.yHat.bound[n]!]],
    loss: [[ell], [eOne(n)]],
    batchLoss: [[r.loss], [eSum / data.N]],
  });
  return want;
}

/** Every quantity of `want` on the page within its bound, and every drawn number its group's. */
async function expectShownWithin(page: Page, want: Record<string, [number[], number[]]>): Promise<void> {
  for (const [key, [w, bound]] of Object.entries(want)) {
    const got = await values(page, `diagram-${key}`);
    expect(got, `diagram-${key}`).toHaveLength(w.length);
    got.forEach((v, i) =>
      expect(
        Math.abs(v - w[i]!),
        `diagram-${key}[${i}]: page ${v}, CPU ${w[i]}, bound ${bound[i]}`,
      ).toBeLessThanOrEqual(bound[i]!),
    );
  }
  await expectDrawnValues(page, await drawnNumbers(page));
}

const close = (a: number, b: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-9 + 1e-5 * Math.abs(b));

describe('the computation graph on the page', () => {
  it('BCE on WebGPU: every node and edge drawn, numbers match the CPU oracle at step 0 and step 2, edge Jacobians multiply to δ2', async () => {
    const { browser, page, errors } = await open('?seed=1&hidden=8&lr=0.5&loss=bce&perFrame=20&point=1', {
      webgpu: true,
    });
    try {
      const svg = page.locator('[data-testid="graph"]');
      expect(await svg.evaluate((e) => e.tagName.toLowerCase())).toBe('svg');
      expect(await svg.locator('g.row').count()).toBe(8);
      expect(await svg.locator('.node').count()).toBe(8 * 2 + 1 + 2); // z1 and gate per unit, z2, fused σ+BCE, mean
      expect(await svg.locator('circle.leaf').count()).toBe(8 * 3 + 1 + 1 + 1); // W1, b1, W2 per unit; b2; x; y
      expect(await svg.locator('circle.fork[data-walk]').count()).toBe(8 * 3 + 1); // one Σₙ per parameter wire
      for (const id of [
        'jac-W1',
        'jac-x',
        'jac-gate',
        'jac-a1',
        'jac-dl-dz2',
        'jac-b1',
        'jac-W2',
        'jac-b2',
        'jac-dL-dl',
      ]) {
        expect(await page.locator(`[data-testid="diagram-${id}"] .katex`).count(), `${id} rendered by KaTeX`).toBe(1);
      }
      expect(await svg.getAttribute('aria-labelledby')).toBeTruthy();
      expect(await svg.locator('desc').textContent()).toMatch(
        /^Step 0, sample 2 of 4: x = \(0, 1\), y = 1;.*ReLU gates closed\.$/,
      );

      const theta = initParams({ d: 2, H: 8 }, 1);
      await expectMatchesOracle(page, theta, 8, 1, 'bce');
      // the drawing is built once: later steps only rewrite its numbers
      await svg.evaluate((e) => e.setAttribute('data-built', 'once'));
      for (let k = 1; k <= 2; k++) {
        await page.click('[data-testid="step-once"]');
        await page.waitForFunction(
          (s) =>
            document.querySelector('[data-testid="graph-caption"]')?.textContent?.startsWith(`Numbers at step ${s} `),
          k,
        );
      }
      // the parameters the page holds after 2 f32 steps, within the derived bound of the f64 trajectory …
      const held = Float64Array.from([
        ...(await values(page, 'diagram-W1')),
        ...(await values(page, 'diagram-b1')),
        ...(await values(page, 'diagram-W2')),
        ...(await values(page, 'diagram-b2')),
      ]);
      const cpu = trajectoryBounds({ d: 2, H: 8 }, theta, xor(), 'bce', 0.5, 2);
      held.forEach((v, k) =>
        expect(Math.abs(v - cpu.params[k]!), `θ[${k}] after 2 steps`).toBeLessThanOrEqual(cpu.error[k]!),
      );
      // … and every other number at exactly those parameters
      await expectMatchesOracle(page, held, 8, 1, 'bce');

      // multiplying along the edges gives the δ2 shown: ∂L/∂ℓ · ∂ℓ/∂z2
      const dz2 = (await values(page, 'diagram-dz2'))[0]!;
      close(
        ((await jacobian(page, 'jac-dL-dl')) as number) * ((await jacobian(page, 'jac-dl-dz2')) as number),
        dz2,
        'BCE: (1/N)(ŷ − y)',
      );
      const W2 = (await jacobian(page, 'jac-a1')) as number[];
      const gate = (await jacobian(page, 'jac-gate')) as number[];
      const da1 = await values(page, 'diagram-da1');
      const dz1 = await values(page, 'diagram-dz1');
      W2.forEach((w, j) => close(w * dz2, da1[j]!, `da1[${j}] = W2[${j}] δ2`));
      gate.forEach((g, j) => close(g * da1[j]!, dz1[j]!, `dz1[${j}] = ReLU′ da1`));
      // a closed gate is drawn closed, an open one open
      const z1 = await values(page, 'diagram-z1');
      for (let j = 0; j < 8; j++)
        expect(await svg.locator(`g.row[data-row="${j}"]`).getAttribute('class'), `unit ${j + 1}`).toBe(
          z1[j]! > 0 ? 'row' : 'row closed',
        );

      expect(await page.locator('[data-testid="graph"][data-built="once"]').count()).toBe(1);

      // playing refreshes the numbers a few times a second, at most every 300 ms; pausing shows exactly the paused step
      await page.evaluate(() => {
        const w = window as unknown as { draws: number[] };
        w.draws = [];
        const caption = document.querySelector<HTMLElement>('[data-testid="graph-caption"]')!;
        // each redraw's own time stamp (an observer's callback can run late, after the rest of a frame's drawing)
        new MutationObserver(() => w.draws.push(Number(caption.dataset.drawnAt))).observe(caption, {
          attributes: true,
          attributeFilter: ['data-drawn-at'],
        });
      });
      await page.click('[data-testid="play"]');
      await page.waitForTimeout(2500);
      const draws = await page.evaluate(() => (window as unknown as { draws: number[] }).draws);
      expect(draws.length, 'redraws in 2.5 s of play').toBeGreaterThanOrEqual(3);
      for (let k = 1; k < draws.length; k++)
        expect(draws[k]! - draws[k - 1]!, `gap before redraw ${k}`).toBeGreaterThanOrEqual(295);
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 200,
        null,
        { timeout: 60_000 },
      );
      await page.click('[data-testid="play"]'); // one Play/Pause toggle
      await page.waitForFunction(
        () => document.querySelector('[data-testid="play"]')?.getAttribute('aria-pressed') === 'false',
      );
      // "paused" shows once the frame in flight is drawn; then the graph shows that step, with no refresh to wait for
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'idle',
      );
      const step = await page.locator('[data-testid="step"]').innerText();
      expect(await page.locator('[data-testid="graph-caption"]').innerText()).toMatch(
        new RegExp(`^Numbers at step ${step} for sample 2`),
      );
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-1400.png` });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('MSE on the CPU engine with H = 20: σ and the squared error as two edges whose Jacobians multiply to δ2, and "+12 more" units', async () => {
    const { browser, page, errors } = await open('?seed=3&hidden=20&loss=mse&point=3');
    try {
      const svg = page.locator('[data-testid="graph"]');
      expect(await svg.getAttribute('data-loss')).toBe('mse');
      expect(await svg.locator('g.row').count()).toBe(8);
      expect(await page.locator('[data-testid="diagram-more"]').textContent()).toBe('+12 more units not drawn');
      // the note is clear of every other shape of the drawing (the Σ node, wires, numbers)
      const overlaps = await page.locator('[data-testid="diagram-more"]').evaluate((note) => {
        const a = note.getBoundingClientRect();
        const hit = (b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        return [
          ...(note as unknown as SVGElement).ownerSVGElement!.querySelectorAll(
            'rect.node, line, circle, text, foreignObject',
          ),
        ]
          .filter(
            (e) =>
              e !== note &&
              !e.closest('g.row') &&
              e.getBoundingClientRect().width > 0 &&
              hit(e.getBoundingClientRect()),
          )
          .map((e) => `${e.tagName}.${e.getAttribute('class')} ${e.textContent}`);
      });
      expect(overlaps).toEqual([]);
      // legible: the legend's entries apart, each Jacobian clear of every other label, number and node, and centred
      // over the edge its bracket spans
      const crowded = await page.locator('[data-testid="graph"]').evaluate((svg) => {
        const box = (e: Element) => (e.querySelector('.katex-html') ?? e).getBoundingClientRect();
        const hit = (a: DOMRect, b: DOMRect, pad = 2) =>
          a.left < b.right + pad && b.left < a.right + pad && a.top < b.bottom && b.top < a.bottom;
        const out: string[] = [];
        const legend = [...svg.querySelectorAll('.legend text, .legend circle')];
        legend.forEach((a, i) =>
          legend
            .slice(i + 1)
            .forEach(
              (b) => hit(box(a), box(b), 4) && out.push(`legend: "${a.textContent}" touches "${b.textContent}"`),
            ),
        );
        const jacs = [...svg.querySelectorAll('.jac')];
        const others = [...svg.querySelectorAll('text, circle.leaf, rect.node, .jac')];
        for (const j of jacs) {
          for (const o of others)
            if (o !== j && hit(box(j), box(o)))
              out.push(
                `${j.getAttribute('data-testid')} touches ${o.getAttribute('data-testid') ?? o.tagName}.${o.getAttribute('class')} "${o.textContent?.slice(0, 20)}"`,
              );
          const span = j.previousElementSibling?.matches('path.jac-span')
            ? j.previousElementSibling.getBoundingClientRect()
            : null;
          const mid = (box(j).left + box(j).right) / 2;
          if (span && (mid < span.left || mid > span.right))
            out.push(`${j.getAttribute('data-testid')} is not over its edge`);
        }
        if (svg.querySelectorAll('path.jac-span').length < 6) out.push('brackets missing');
        return out;
      });
      expect(crowded).toEqual([]);
      expect(await page.locator('[data-testid="graph"] .legend').textContent()).toMatch(
        /violet italics: this sample’s share.*plain: summed over the batch.*Σₙ/,
      );
      expect(await page.locator('[data-testid="diagram-jac-dl-dz2"]').count()).toBe(0);
      await expectMatchesOracle(page, initParams({ d: 2, H: 20 }, 3), 20, 3, 'mse');
      const dz2 = (await values(page, 'diagram-dz2'))[0]!;
      const [dLdl, dldyHat, dyHatdz2] = [
        await jacobian(page, 'jac-dL-dl'),
        await jacobian(page, 'jac-dl-dyhat'),
        await jacobian(page, 'jac-dyhat-dz2'),
      ] as number[];
      close(dLdl! * dldyHat!, (await values(page, 'diagram-dyHat'))[0]!, 'MSE: ∂L/∂ŷ = (1/N) 2(ŷ − y)');
      close(dLdl! * dldyHat! * dyHatdz2!, dz2, 'MSE: δ2 = (1/N) 2(ŷ − y) σ′(z2)');
      expect(dLdl).toBe(0.25);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('two hidden layers (hidden=4,4, tanh, spiral) on WebGPU: a gate column per layer, every number at step 0 within the f32 bounds of the oracle, the recursion along the edges, and it trains', async () => {
    const hidden = [4, 4];
    const { browser, page, errors } = await open(
      '?seed=2&hidden=4,4&activation=tanh&dataset=spiral&lr=0.3&loss=bce&perFrame=10&point=3',
      { webgpu: true },
    );
    try {
      const svg = page.locator('[data-testid="graph"]');
      expect(await svg.getAttribute('data-layers')).toBe('2');
      for (const l of [1, 2])
        expect(await svg.locator(`g.row[data-layer="${l}"]`).count(), `layer ${l}'s rows`).toBe(4);
      // two gate columns: each layer's gates in one column, layer 2's right of layer 1's
      const gates = await svg
        .locator('g.row rect.node.gate')
        .evaluateAll((es) =>
          es.map((e) => ({ layer: e.closest('g.row')!.getAttribute('data-layer'), x: Number(e.getAttribute('x')) })),
        );
      const columns = [...new Set(gates.map((g) => `${g.layer}@${g.x}`))];
      expect(columns).toHaveLength(2);
      expect(gates.filter((g) => g.layer === '2')[0]!.x).toBeGreaterThan(gates.filter((g) => g.layer === '1')[0]!.x);
      for (const id of ['jac-gate', 'jac-gate2', 'jac-a1', 'jac-a2', 'jac-W3', 'rec-dz1', 'rec-dz2'])
        expect(await page.locator(`[data-testid="diagram-${id}"] .katex`).count(), `${id} rendered by KaTeX`).toBe(1);
      await page.waitForFunction(() =>
        document
          .querySelector('[data-testid="graph-caption"]')
          ?.textContent?.startsWith('Numbers at step 0 for sample 4'),
      );
      expect(await page.locator('[data-testid="graph-caption"]').innerText()).toContain('from the GPU');
      const plain = await page.evaluate(
        () =>
          (
            window as unknown as {
              backpropLab: { data(): { train: { d: number; N: number; x: number[]; y: number[] } } };
            }
          ).backpropLab.data().train,
      );
      expect(plain.d).toBe(2);
      const data = roundToF32({ d: plain.d, N: plain.N, x: Float64Array.from(plain.x), y: Float64Array.from(plain.y) });
      const model = makeModel({ d: 2, hidden, activation: 'tanh' });
      // the parameters the GPU holds at step 0: the page's initialisation for seed 2, uploaded as f32
      const theta = initModelParams({ d: 2, hidden }, 2).map(Math.fround);
      await expectShownWithin(page, expectedModel(model, theta, data, 3, 'bce'));
      // multiplying along the edges, layer by layer: δ_l = diag(f′(z_l)) W_{l+1}ᵀ δ_{l+1}
      for (const l of [2, 1]) {
        const W = (await jacobian(page, `jac-a${l}`)) as number[];
        const gate = (await jacobian(page, l === 1 ? 'jac-gate' : `jac-gate${l}`)) as number[];
        const next = await values(page, `diagram-dz${l + 1}`);
        const dz = await values(page, `diagram-dz${l}`);
        gate.forEach((g, u) =>
          close(g * next.reduce((acc, d, k) => acc + W[k * 4 + u]! * d, 0), dz[u]!, `δ${l}[${u}] from the edges`),
        );
      }
      const lossAt0 = (await values(page, 'diagram-batchLoss'))[0]!;
      await page.click('[data-testid="play"]');
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 300,
        null,
        {
          timeout: 90_000,
        },
      );
      await page.click('[data-testid="play"]');
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'idle',
      );
      const step = await page.locator('[data-testid="step"]').innerText();
      expect(await page.locator('[data-testid="graph-caption"]').innerText()).toMatch(
        new RegExp(`^Numbers at step ${step} for sample 4`),
      );
      expect((await values(page, 'diagram-batchLoss'))[0]!, 'L after training').toBeLessThan(lossAt0);
      expect(await svg.getAttribute('data-layers')).toBe('2');
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-two-layers.png` });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('the explainer diagram is the same drawing with the spot-check numbers', async () => {
    const { browser, page, errors } = await open('');
    try {
      const fig = page.locator('[data-testid="explainer-diagram"]');
      expect(await fig.locator('svg[data-testid="explainer-graph"]').count()).toBe(1);
      expect(await page.locator('[data-testid="explainer"] img').count()).toBe(0);
      const s = computeSpotCheck();
      const want: Record<string, number[]> = {
        z1: s.z1,
        a1: s.a1,
        z2: [s.z2],
        yHat: [s.yHat],
        dz2: [s.dz2.bce],
        da1: s.da1,
        dz1: s.dz1,
        loss: [s.loss.bce],
      };
      for (const [key, v] of Object.entries(want))
        expect(await values(page, `explainer-diagram-${key}`), key).toEqual(v);
      const text = await fig.locator('svg').textContent();
      for (const v of [s.z2, s.yHat, s.dz2.bce, s.da1[1]!, s.grads[1]!]) expect(text).toContain(fmt(v));
      expect(await fig.locator('g.row.closed').count()).toBe(1); // unit 2 is off in the example
      await fig.screenshot({ path: `${ARTIFACTS}/graph-explainer.png` });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('the walk: started while playing it pauses training, and Next/Back/Escape by keyboard reveal the numbers in order', async () => {
    const { browser, page, errors } = await open('?seed=1&perFrame=5');
    try {
      await page.click('[data-testid="play"]');
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="step"]')?.textContent) >= 20,
        null,
        { timeout: 30_000 },
      );
      await page.focus('[data-testid="walk-start"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        () => document.querySelector('[data-testid="play"]')?.getAttribute('aria-pressed') === 'false',
      );
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>('[data-testid="state"]')?.dataset.state === 'idle',
      ); // a frame in flight when the walk paused training is drawn first
      const stepAtWalk = await page.locator('[data-testid="step"]').innerText();
      const sentence = () => page.locator('[data-testid="walk-sentence"]').innerText();
      const hidden = (key: string) =>
        page
          .locator(`[data-testid="graph"] text[data-key="${key}"]`)
          .first()
          .evaluate((e) => e.classList.contains('unrevealed'));
      expect(await sentence()).toMatch(/^The leaves hold given values/);
      expect(await page.locator('[data-testid="walk-paused"]').innerText()).toMatch(
        /^Training is paused while you walk/,
      );
      // one way out, not two buttons that do the same: the toggle (and Escape, and Play)
      expect(await page.locator('[data-testid="diagram"] button').allInnerTexts()).toEqual([
        'Stop the walk',
        'Back',
        'Next',
      ]);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('walk-next');
      expect(await hidden('z1')).toBe(true);
      expect(await hidden('dz2')).toBe(true);
      await page.keyboard.press('Enter'); // Next, focused
      expect(await sentence()).toMatch(/^z1 = W1 x \+ b1/);
      expect(await hidden('z1')).toBe(false);
      expect(await page.locator('[data-testid="graph"] rect.node.walk-current').count()).toBe(8);
      const seen = [await sentence()];
      for (let k = 0; k < 20; k++) {
        await page.keyboard.press('ArrowRight');
        const s = await sentence();
        if (s === seen[seen.length - 1]) break;
        seen.push(s);
      }
      expect(
        seen.some((s) =>
          /^Through the fused σ \+ BCE node: its local Jacobian ∂ℓ\/∂z2 = ŷ − y = .* gives δ2 = ∂L\/∂z2 = /.test(s),
        ),
      ).toBe(true);
      expect(seen[seen.length - 1]).toMatch(/^At the first layer's parameters/);
      expect(await page.locator('[data-testid="walk-count"]').innerText()).toMatch(/^backward pass, step (\d+) of \1$/);
      expect(await hidden('dW1')).toBe(false);
      await page.keyboard.press('Shift+Tab'); // to Back
      await page.keyboard.press('Enter');
      expect(await sentence()).toMatch(/^Through the ReLU gates/);
      expect(await hidden('dW1')).toBe(true);
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-walk.png` });
      await page.keyboard.press('Escape');
      expect(await page.locator('[data-testid="walk"]').isHidden()).toBe(true);
      expect(await hidden('dW1')).toBe(false);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('walk-start');
      expect(await page.locator('[data-testid="step"]').innerText()).toBe(stepAtWalk); // still paused
      await page.keyboard.press('Enter'); // the walk again, from its toggle
      expect(await page.locator('[data-testid="walk"]').isHidden()).toBe(false);
      await page.click('[data-testid="play"]'); // Play ends it: training changes the numbers it shows
      expect(await page.locator('[data-testid="walk"]').isHidden()).toBe(true);
      await page.waitForFunction(
        (s0) => document.querySelector('[data-testid="step"]')?.textContent !== s0,
        stepAtWalk,
        { timeout: 30_000 },
      );
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('at 390 px the graph scrolls inside its own box and the page does not widen because of it', async () => {
    const { browser, page, errors } = await open('?seed=1', { width: 390, height: 844 });
    try {
      const box = await page.locator('[data-testid="diagram"] .graph-scroll').boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      const { scrollWidth, clientWidth } = await page
        .locator('[data-testid="diagram"] .graph-scroll')
        .evaluate((e) => ({ scrollWidth: e.scrollWidth, clientWidth: e.clientWidth }));
      expect(scrollWidth).toBeGreaterThan(clientWidth);
      expect(await page.locator('[data-testid="diagram"] .graph-hint').isVisible()).toBe(true);
      // text stays at least 11 px on screen
      const smallest = await page.locator('[data-testid="graph"]').evaluate((svg) => {
        const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
        return Math.min(
          ...[...svg.querySelectorAll('text')].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale),
        );
      });
      expect(smallest).toBeGreaterThanOrEqual(11);
      await page.locator('[data-testid="diagram"]').screenshot({ path: `${ARTIFACTS}/graph-390.png` });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
