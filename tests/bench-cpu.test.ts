import { beforeAll, describe, expect, it } from 'vitest';
import { cpuCaseImpls, cpuCaseList, cpuCases, OUR_CPU_TRAINERS } from '../bench/cases-cpu.js';
import { type Impl, Recorder } from '../bench/measure.js';
import { benchTable, type BenchReport } from '../bench/run.js';
import { loadTf, type Tf } from '../bench/tfjs-peer.js';
import { TOLERANCES } from '../src/mlp/bounds/compare.js';

/**
 * The CPU cases' ratios mean something only if every impl trains the case's network: after the same steps from the
 * same start, each impl's loss (every flat-parameter impl scored by the same f64 function) must be the matrix form's.
 */
let tf: Tf;
beforeAll(async () => {
  tf = await loadTf('cpu');
});

const K = 20;

async function lossAfter(impl: Impl, k: number): Promise<{ first: number; last: number }> {
  const first = await impl.loss!();
  await impl.run(k);
  const last = await impl.loss!();
  impl.dispose?.();
  return { first, last };
}

describe('the CPU cases (bench/cases-cpu.ts)', () => {
  for (const c of cpuCaseList()) {
    it(`${c.case}: every impl follows the matrix form for ${K} steps; brain.js trains its own network`, async () => {
      const impls = cpuCaseImpls(tf, c);
      const got = new Map<string, { first: number; last: number }>();
      for (const impl of impls) got.set(impl.impl, await lossAfter(impl, K));
      const matrix = got.get('cpu-matrix')!;
      const { atol, rtol } = TOLERANCES.trajectory;
      const f32Tol = atol + rtol * matrix.last;
      // the check can tell a wrong network: K steps move the loss far more than the f32 tolerance
      expect(matrix.first - matrix.last).toBeGreaterThan(50 * f32Tol);
      for (const [impl, { first, last }] of got) {
        if (impl === 'brain.js') continue;
        expect(first, `${impl} starts where the matrix form starts`).toBe(matrix.first);
        const f64 = impl.startsWith('cpu-');
        const tol = f64 ? TOLERANCES.engineVsReference.rtol * matrix.last : f32Tol;
        expect(Math.abs(last - matrix.last), `${impl}: ${last} against ${matrix.last}`).toBeLessThanOrEqual(tol);
      }
      const brain = got.get('brain.js')!;
      expect(brain.last).toBeLessThan(brain.first);
      expect(impls.find((i) => i.impl === 'brain.js')!.note).toMatch(/online SGD/);
      expect(impls.filter((i) => i.peer).map((i) => i.impl)).toEqual(['tfjs-cpu', 'tfjs-wasm', 'brain.js']);
    });
  }

  it('runs with a tiny budget: every impl measured, its loss falling, each of ours over each peer in the table', async () => {
    const recorder = new Recorder({ repeats: 1, seconds: 0.02 }, () => {});
    const cpu = await cpuCases({ tf, recorder });
    expect(recorder.failures).toEqual([]);
    const impls = [...OUR_CPU_TRAINERS.map((t) => t.impl), 'cpu-scalar', 'tfjs-cpu', 'tfjs-wasm', 'brain.js'];
    expect(cpu.map((c) => c.case)).toEqual(cpuCaseList().map((c) => c.case));
    for (const { case: name } of cpu) {
      const here = recorder.results.filter((r) => r.case === name);
      expect(here.map((r) => r.impl)).toEqual(impls);
      for (const r of here) {
        expect(Number.isFinite(r.median) && r.median > 0, `${name} ${r.impl}`).toBe(true);
        expect(r.steps, `${name} ${r.impl}`).toBeGreaterThanOrEqual(2);
        expect(r.lossLast!, `${name} ${r.impl}`).toBeLessThan(r.lossFirst!);
      }
    }
    const report: BenchReport = {
      adapter: { vendor: 'none', architecture: 'none', device: 'none', description: 'none', source: 'swiftshader' },
      node: process.version,
      quick: true,
      chooser: [],
      results: recorder.results,
      ratios: recorder.ratios,
      scaling: [],
      cpu,
      failures: [],
      fast: { results: [], ratios: [], failures: [] },
    };
    const table = benchTable(report);
    const at = (c: string, impl: string) => recorder.results.find((r) => r.case === c && r.impl === impl)!.median;
    const ratio = (x: number) => (x >= 10 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2));
    const c = 'cpu-spiral-2-16-1-tanh';
    const line = table.split('\n').find((l) => l.startsWith(`${c} cpu-matrix:`));
    expect(line).toBe(
      `${c.padEnd(22)} cpu-matrix: ${['tfjs-cpu', 'tfjs-wasm', 'brain.js']
        .map((p) => `${ratio(at(c, 'cpu-matrix') / at(c, p))}× ${p}`)
        .join(', ')}`,
    );
    expect(table).toMatch(/brain\.js: online SGD/);
  });
});
