import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileShader, GpuError, openDevice, withErrorScopes } from '../src/gpu/device.js';
import { requestNodeAdapter } from '../src/gpu/node.js';
import { fusedConstants } from '../src/gpu/fused.js';
import {
  LARGE_BINDINGS,
  LARGE_ENTRY_POINTS,
  LARGE_SHADER,
  largeChunkFloats,
  largeConstants,
} from '../bench/variants/large.js';
import { manyConstants } from '../src/gpu/many.js';
import { largeTiledConstants, tileSamples } from '../src/gpu/large-tiled.js';
import { layersCacheLayout, layersConstants } from '../src/gpu/layers.js';
import { makeModel, MODEL_LIMITS } from '../src/mlp/model.js';
import {
  FUSED_BINDINGS,
  FUSED_WORKGROUP_SCALARS,
  AT_FIELDS,
  HYPER_FIELDS,
  LARGE_MAX_D,
  LARGE_TILED_BINDINGS,
  LARGE_TILED_ENTRY_POINTS,
  LARGE_TILED_STATUS_WORDS,
  LAYER_FIELDS,
  LAYERS_BINDINGS,
  LAYERS_ENTRY_POINTS,
  LAYERS_MAX,
  MANY_BINDINGS,
  MANY_MAX,
  MANY_RUN_FIELDS,
  MLP_BINDINGS,
  MLP_ENTRY_POINTS,
  packHyper,
  packNet,
  RUN_FIELDS,
  SHADERS,
  STATUS_WORDS,
} from '../src/gpu/shaders.js';
import { wgslConstants } from '../src/gpu/layout.js';
import { openGpu } from './support/gpu.js';

/** What the WGSL itself declares, read from its text. */
function declared(code: string) {
  const bindings = [...code.matchAll(/@group\((\d+)\)\s*@binding\((\d+)\)\s*var<([^>]+)>\s*(\w+)/g)]
    .map((m) => ({
      group: Number(m[1]),
      binding: Number(m[2]),
      name: m[4]!,
      type:
        m[3]!.replace(/\s/g, '') === 'uniform'
          ? 'uniform'
          : m[3]!.includes('read_write')
            ? 'storage'
            : 'read-only-storage',
    }))
    .sort((a, b) => a.binding - b.binding); // a shared snippet appended after the kernel may declare the first ones
  const overrides = [...code.matchAll(/^override\s+(\w+)\s*:\s*\w+\s*(=)?/gm)].map((m) => ({
    name: m[1]!,
    hasDefault: m[2] === '=',
  }));
  const struct = (name: string) =>
    [...(new RegExp(`struct ${name} \\{([^}]*)\\}`).exec(code)?.[1] ?? '').matchAll(/^\s*(\w+)\s*:\s*([\w<>]+)/gm)].map(
      (m) => [m[1], m[2]],
    );
  const entryPoints = [...code.matchAll(/@compute[^\n]*\n\s*fn\s+(\w+)/g)].map((m) => m[1]);
  return { bindings, overrides, struct, entryPoints };
}

/**
 * The directives a module opens with (WGSL allows them only before any declaration): its first
 * statements, comments and blank lines aside, up to the first line that is not a directive.
 */
function directives(code: string): string[] {
  const lines = code
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter(Boolean);
  const first = lines.findIndex((l) => !/^(enable|requires|diagnostic)\b/.test(l));
  return lines.slice(0, first < 0 ? lines.length : first);
}

describe('shaders/mlp.wgsl against the TS tables', () => {
  const wgsl = declared(SHADERS.mlp);

  it('declares exactly the bindings of MLP_BINDINGS, same numbers, names and types', () => {
    expect(wgsl.bindings.every((b) => b.group === 0)).toBe(true);
    expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(MLP_BINDINGS);
  });

  it('declares every override constant the host sets, none with a default', () => {
    const set = [...Object.keys(wgslConstants({ d: 2, H: 8, N: 4 })), 'LOSS', 'WG', 'ACT'].sort();
    expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(set);
    expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
  });

  it('struct Hyper has the f32 fields packHyper writes, in order; Status has two words', () => {
    expect(wgsl.struct('Hyper')).toEqual(HYPER_FIELDS.map((f) => [f, 'f32']));
    expect(packHyper({ lr: 0.25 })[0]).toBe(0.25);
    expect(packHyper({ lr: 0.25 }).byteLength % 16).toBe(0);
    expect(wgsl.struct('Status')).toHaveLength(STATUS_WORDS);
  });

  it('has the entry points the trainer dispatches, in step order', () => {
    expect(wgsl.entryPoints).toEqual([...MLP_ENTRY_POINTS]);
  });
});

describe('shaders/layers.wgsl against the TS tables', () => {
  const wgsl = declared(SHADERS.layers);
  const model = makeModel({ d: 3, hidden: [4, 5], activation: 'tanh', output: 'identity' });
  const objective = { loss: 'mse', l1: 0.5, l2: 0.25 } as const;

  it('declares exactly the bindings of LAYERS_BINDINGS, and the entry points the trainer dispatches, in step order', () => {
    expect(wgsl.bindings.every((b) => b.group === 0)).toBe(true);
    expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(LAYERS_BINDINGS);
    expect(wgsl.entryPoints).toEqual([...LAYERS_ENTRY_POINTS]);
  });

  it('declares every override constant the host sets, none with a default', () => {
    const set = Object.keys(layersConstants(model, 10, 3, 4, objective, 64)).sort();
    expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(set);
    expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
  });

  it('structs Layer, At, Run have the u32 fields the host packs; Net holds MAX_LAYERS = 6 hidden + the output', () => {
    expect(wgsl.struct('Layer')).toEqual(LAYER_FIELDS.map((f) => [f, 'u32']));
    expect(wgsl.struct('At')).toEqual(AT_FIELDS.map((f) => [f, 'u32']));
    expect(wgsl.struct('Run')).toEqual(RUN_FIELDS.map((f) => [f, 'u32']));
    expect(wgsl.struct('Net')).toEqual([['layers', 'array<Layer']]);
    expect(SHADERS.layers).toContain(`const MAX_LAYERS: u32 = ${LAYERS_MAX}u;`);
    expect(LAYERS_MAX).toBe(MODEL_LIMITS.layers.max + 1);
    expect(wgsl.struct('Status')).toHaveLength(STATUS_WORDS);
  });

  it('packs each layer: θ offsets of the flat layout, cache blocks of N rows that do not overlap, then the losses', () => {
    const N = 10;
    const C = layersCacheLayout(model, N);
    expect(C.layers.map((l) => [l.nin, l.nout, l.w, l.b])).toEqual([
      [3, 4, 0, 12],
      [4, 5, 16, 36],
      [5, 1, 41, 46],
    ]);
    const blocks = C.layers.flatMap((l, i) =>
      [l.z, l.a, l.delta, ...(i < 2 ? [l.da] : [])].map((o) => [o, N * l.nout]),
    );
    blocks.push([C.loss, N]);
    blocks.sort((a, b) => a[0]! - b[0]!);
    let end = 0;
    for (const [offset, length] of blocks) {
      expect(offset, 'each block starts where the one before ends').toBe(end);
      end = offset! + length!;
    }
    expect(C.size).toBe(end);
    const packed = packNet(C.layers);
    expect(packed).toHaveLength(LAYERS_MAX * LAYER_FIELDS.length);
    expect(Array.from(packed.subarray(8, 16))).toEqual(LAYER_FIELDS.map((f) => C.layers[1]![f]));
    expect(layersConstants(model, N, 3, 4, objective, 64)).toMatchObject({ LAYERS: 3, PER_EPOCH: 4, OUTPUT: 1 });
  });
});

describe('shaders/many.wgsl against the TS tables', () => {
  const wgsl = declared(SHADERS.many);

  it('declares exactly the bindings of MANY_BINDINGS', () => {
    expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(MANY_BINDINGS);
  });

  it('declares every override constant the host sets, none with a default', () => {
    expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(
      Object.keys(manyConstants({ d: 2, H: 4, N: 4 }, 'bce', 64, 'relu')).sort(),
    );
    expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
  });

  it('struct Run has the u32 fields packManyRun writes; the private bounds match MANY_MAX', () => {
    expect(wgsl.struct('Run')).toEqual(MANY_RUN_FIELDS.map((f) => [f, 'u32']));
    expect(SHADERS.many).toContain(`const MAX_D: u32 = ${MANY_MAX.d}u;`);
    expect(SHADERS.many).toContain(`const MAX_H: u32 = ${MANY_MAX.H}u;`);
    // Private arrays are sized from MAX_D and MAX_H: θ, g from MAX_P = MAX_H·MAX_D + 2·MAX_H + 1; a1, z1 from MAX_H.
    expect(SHADERS.many).toContain('const MAX_P: u32 = MAX_H * MAX_D + 2u * MAX_H + 1u;');
    const privates = [...SHADERS.many.matchAll(/var<private> (\w+): array<f32, (\w+)>;/g)].map((m) => [m[1], m[2]]);
    expect(privates).toEqual([
      ['p', 'MAX_P'],
      ['g', 'MAX_P'],
      ['z1', 'MAX_H'],
      ['a1', 'MAX_H'],
    ]);
  });
});

describe('shaders/fused.wgsl against the TS tables', () => {
  const wgsl = declared(SHADERS.fused);

  it('declares exactly the bindings of FUSED_BINDINGS and the override constants the host sets', () => {
    expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(FUSED_BINDINGS);
    expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(
      Object.keys(fusedConstants({ d: 2, H: 4, N: 4 }, 'bce', 64, 'relu')).sort(),
    );
    expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
    expect(wgsl.struct('Run')).toEqual([
      ['lr', 'f32'],
      ['steps', 'u32'],
    ]);
  });
});

describe("bench/variants/large.wgsl (the bench's four-dispatch baseline) against its TS tables", () => {
  const wgsl = declared(LARGE_SHADER);

  it('declares the bindings, entry points and override constants the host uses, none with a default', () => {
    expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(LARGE_BINDINGS);
    expect(wgsl.entryPoints).toEqual([...LARGE_ENTRY_POINTS]);
    expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(
      Object.keys(largeConstants({ d: 2, H: 4, N: 4 }, 'bce', 64, 1024, 'relu')).sort(),
    );
    expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
    expect(wgsl.struct('Hyper')).toEqual(HYPER_FIELDS.map((f) => [f, 'f32']));
  });

  it('holds the same numbers as the host: MAX_D is LARGE_MAX_D, STRIDE is the partials size per chunk', () => {
    expect(LARGE_SHADER).toContain(`const MAX_D: u32 = ${LARGE_MAX_D}u;`);
    expect(largeConstants({ d: 3, H: 5, N: 4 }, 'bce', 64, 1024, 'relu').STRIDE).toBe(largeChunkFloats({ d: 3, H: 5 }));
    expect(largeChunkFloats({ d: 3, H: 5 })).toBe(5 * (3 + 2) + 1);
  });
});

describe('shaders/large-tiled.wgsl against the TS tables', () => {
  for (const variant of ['largeTiled', 'largeTiledSubgroups'] as const) {
    it(`${variant}: the bindings, entry points, override constants (none with a default) and status words the host uses`, () => {
      const wgsl = declared(SHADERS[variant]);
      expect(wgsl.bindings.map(({ binding, name, type }) => ({ binding, name, type }))).toEqual(LARGE_TILED_BINDINGS);
      expect([...wgsl.entryPoints].sort()).toEqual([...LARGE_TILED_ENTRY_POINTS].sort());
      expect(wgsl.overrides.map((o) => o.name).sort()).toEqual(
        Object.keys(largeTiledConstants({ d: 2, H: 4, N: 4 }, 'bce', 4)).sort(),
      );
      expect(wgsl.overrides.filter((o) => o.hasDefault)).toEqual([]);
      expect(wgsl.struct('TileStatus')).toHaveLength(LARGE_TILED_STATUS_WORDS);
      expect(SHADERS[variant]).toContain(`const MAX_D: u32 = ${LARGE_MAX_D}u;`);
      const code = SHADERS[variant];
      if (variant === 'largeTiled') expect(code).not.toMatch(/enable subgroups|subgroup\w*\(/);
      else expect(directives(code)).toEqual(['enable subgroups;']);
    });
  }

  it('tiles fit workgroup memory: the x tile, δ2 and the 5·256-float reduction buffers within 16 KiB, at most 256 samples', () => {
    for (const d of [1, 2, 5, 16]) {
      const tile = tileSamples(d, 16384);
      expect(4 * (tile * (d + 1) + 5 * 256 + 4)).toBeLessThanOrEqual(16384);
      expect(tile).toBeLessThanOrEqual(256);
      expect(tileSamples(d, 49152)).toBeGreaterThanOrEqual(tile);
    }
    const c = largeTiledConstants({ d: 2, H: 2, N: 65536 }, 'bce', 256);
    expect([c.UNITS, c.SUBSETS, c.TILES]).toEqual([2, 128, 256]); // H = 2: 2 units × 128 sample subsets, no idle lane
    expect(largeTiledConstants({ d: 2, H: 1024, N: 100 }, 'bce', 256).SUBSETS).toBe(1);
  });
});

describe('the shared WGSL', () => {
  it('every kernel gets common.wgsl, the one-layer kernels the shared forward pass; the status word where it is declared', () => {
    for (const [name, code] of Object.entries(SHADERS)) {
      if (name === 'layers') expect(code).not.toContain('fn forwardSample(');
      else expect(code).toContain('fn forwardSample(n: u32) -> f32');
      expect(code).toContain('fn activationBackward(');
      expect(code.match(/fn sigmoid\(/g)).toHaveLength(1);
    }
    for (const code of [SHADERS.mlp, SHADERS.layers, LARGE_SHADER]) {
      expect(code).toContain('fn proposeUpdate(');
      expect(code).toContain('fn applyUpdate(');
    }
    expect(SHADERS.mlp).toContain('fn forwardPhase(');
    expect(LARGE_SHADER).toContain('fn forwardPhase(');
  });

  it('the subgroup kernels open with `enable subgroups;`, the others use no subgroup built-in', () => {
    const expected: Partial<Record<keyof typeof SHADERS, string[]>> = {
      fusedSubgroup: ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'],
      largeTiledSubgroups: ['enable subgroups;'],
    };
    for (const [name, code] of Object.entries(SHADERS)) {
      const subgroups = name in expected;
      expect(directives(code), name).toEqual(expected[name as keyof typeof SHADERS] ?? []);
      if (subgroups) expect(code, name).toMatch(/\bsubgroup\w*\(/);
      else expect(code, name).not.toMatch(/enable subgroups|\bsubgroup(Add|Shuffle\w*|Broadcast\w*|Ballot|Elect)\(/);
    }
    // and the check can fail: the directive moved after a declaration, or gone, is seen
    const tiled = SHADERS.largeTiledSubgroups;
    expect(directives(tiled.replace('enable subgroups;', ''))).toEqual([]);
    expect(directives(`const K: u32 = 1u;\n${tiled}`)).toEqual([]);
  });

  it('the fused kernel counts its workgroup scalars in FUSED_WORKGROUP_SCALARS', () => {
    const scalars = [...SHADERS.fused.matchAll(/^var<workgroup> \w+: (atomic<u32>|u32);/gm)];
    expect(scalars).toHaveLength(FUSED_WORKGROUP_SCALARS);
  });
});

describe('device.ts errors', () => {
  let device: GPUDevice;
  beforeAll(async () => ({ device } = await openGpu()));
  afterAll(() => device?.destroy());

  it('a WGSL compilation error is reported with label, line and column', async () => {
    const code = 'fn ok() {}\n\nfn broken() -> f32 {\n  return undefinedName;\n}\n';
    const error = await compileShader(device, code, 'tests.broken.wgsl').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('compilation');
    expect((error as GpuError).message).toMatch(/tests\.broken\.wgsl:4:\d+: .*undefinedName/);
  });

  it('a validation error inside withErrorScopes names what was being done', async () => {
    const error = await withErrorScopes(device, 'making a bad buffer', () =>
      device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuError);
    expect((error as GpuError).kind).toBe('validation');
    expect((error as GpuError).message).toMatch(/^making a bad buffer: /);
  });

  it('an uncaptured error and a lost device reach onProblem as clear GpuErrors', async () => {
    const problems: GpuError[] = [];
    const { adapter } = await requestNodeAdapter();
    const own = await openDevice(adapter, { label: 'tests.problems', onProblem: (e) => problems.push(e) });
    own.createBuffer({ label: 'tests.bad-usage', size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await own.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    expect(problems.map((p) => p.kind)).toContain('validation');
    expect(problems[0]!.message).toMatch(/^uncaptured WebGPU error: .*tests\.bad-usage/s);
    own.destroy(); // an intended destroy is not reported as a problem
    await own.lost;
    expect(problems.filter((p) => p.kind === 'lost')).toEqual([]);
  });
});
