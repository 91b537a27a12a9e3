/**
 * The one place WGSL is imported, and the tables of what each shader expects from the host: its bindings and its
 * uniform fields. A test parses the WGSL and checks it against these tables, so they cannot drift.
 */
import commonWgsl from '../../shaders/lib/common.wgsl?raw';
import fusedSubgroupWgsl from '../../shaders/fused-subgroup.wgsl?raw';
import fusedWgsl from '../../shaders/fused.wgsl?raw';
import manyRegWgsl from '../../shaders/many-reg.wgsl?raw';
import largeTiledWgsl from '../../shaders/large-tiled.wgsl?raw';
import layersWgsl from '../../shaders/layers.wgsl?raw';
import forwardPhaseWgsl from '../../shaders/lib/forward-phase.wgsl?raw';
import lanesSharedWgsl from '../../shaders/lib/lanes-shared.wgsl?raw';
import lanesSubgroupWgsl from '../../shaders/lib/lanes-subgroup.wgsl?raw';
import manyWgsl from '../../shaders/many.wgsl?raw';
import modelsWgsl from '../../shaders/lib/models.wgsl?raw';
import mlpWgsl from '../../shaders/steps.wgsl?raw';
import networkWgsl from '../../shaders/lib/network.wgsl?raw';
import statusWgsl from '../../shaders/lib/status.wgsl?raw';
import vec4Wgsl from '../../shaders/lib/vec4.wgsl?raw';

/**
 * Each kernel's text with the shared WGSL appended (after the kernel, so compilation errors keep
 * the kernel's own line numbers): shaders/lib/network.wgsl (the sizes, the flat layout, one sample's
 * forward pass), shaders/lib/forward-phase.wgsl (its forward phase for the one-layer phase kernels),
 * shaders/lib/status.wgsl (the status word and the update, for the kernels dispatched one phase
 * at a time), shaders/lib/models.wgsl (one model of the many-models kernels), shaders/lib/vec4.wgsl (common's
 * helpers for 4 samples) and shaders/lib/common.wgsl (σ, the losses and δ2, the activation, the SGD update,
 * fault codes). The subgroup kernel's `enable` must come first, which this order also gives.
 */
export const SHADERS = {
  mlp: [mlpWgsl, networkWgsl, forwardPhaseWgsl, statusWgsl, commonWgsl].join('\n'),
  /** Any depth, one dispatch per phase per layer: its own forward pass, the status word and update, common's f. */
  layers: [layersWgsl, statusWgsl, commonWgsl].join('\n'),
  many: [manyWgsl, modelsWgsl, networkWgsl, commonWgsl].join('\n'),
  manyReg: [manyRegWgsl, modelsWgsl, networkWgsl, commonWgsl].join('\n'),
  fusedSubgroup: [fusedSubgroupWgsl, vec4Wgsl, networkWgsl, commonWgsl].join('\n'),
  fused: [fusedWgsl, networkWgsl, commonWgsl].join('\n'),
  /** The two-dispatch large-batch kernel, its lane sums in workgroup memory only. */
  largeTiled: [largeTiledWgsl, lanesSharedWgsl, networkWgsl, commonWgsl].join('\n'),
  /** The same with subgroup shuffles first (`enable subgroups;` must lead, so its lines come first). */
  largeTiledSubgroups: [lanesSubgroupWgsl, largeTiledWgsl, networkWgsl, commonWgsl].join('\n'),
} as const;

/** The shared WGSL, for a kernel kept outside src/gpu (bench/variants) that appends it the same way. */
export const SHARED_WGSL = {
  network: networkWgsl,
  forwardPhase: forwardPhaseWgsl,
  status: statusWgsl,
  common: commonWgsl,
} as const;

export type BindingType = 'uniform' | 'storage' | 'read-only-storage';

export interface BindingSlot {
  readonly binding: number;
  readonly name: string;
  readonly type: BindingType;
}

/** A binding table from `{ name: type, … }` ('read': read-only storage), numbered 0, 1, 2, … in the order written. */
export function slots<const T extends Record<string, 'uniform' | 'storage' | 'read'>>(
  table: T,
): readonly (BindingSlot & { readonly name: keyof T & string })[] {
  return Object.entries(table).map(([name, t], binding) => ({
    binding,
    name,
    type: t === 'read' ? 'read-only-storage' : t,
  }));
}

/** shaders/steps.wgsl, group 0. */
export const MLP_BINDINGS = slots({
  hyper: 'uniform',
  params: 'storage',
  x: 'read',
  y: 'read',
  cache: 'storage',
  grads: 'storage',
  status: 'storage',
  next: 'storage',
});

export type MlpBindingName = (typeof MLP_BINDINGS)[number]['name'];

/** The entry points of shaders/steps.wgsl, in the order one SGD step runs them. */
export const MLP_ENTRY_POINTS = ['forward', 'backwardDeltas', 'backwardGrads', 'sgdStep'] as const;
export type MlpEntryPoint = (typeof MLP_ENTRY_POINTS)[number];

/** shaders/layers.wgsl, group 0: the step kernels' first eight, then the epoch orders and three uniforms. */
export const LAYERS_BINDINGS = slots({
  hyper: 'uniform',
  params: 'storage',
  x: 'read',
  y: 'read',
  cache: 'storage',
  grads: 'storage',
  status: 'storage',
  next: 'storage',
  rows: 'read',
  net: 'uniform',
  at: 'uniform',
  run: 'uniform',
});

export type LayersBindingName = (typeof LAYERS_BINDINGS)[number]['name'];

/** The entry points of shaders/layers.wgsl, in step order (the first two once per layer). */
export const LAYERS_ENTRY_POINTS = ['layerForward', 'layerBackward', 'layerGradients', 'layerUpdate'] as const;
export type LayersEntryPoint = (typeof LAYERS_ENTRY_POINTS)[number];

/** `struct Layer` of shaders/layers.wgsl (u32 each), held in `struct Net` for MAX_LAYERS layers there. */
export const LAYER_FIELDS = ['nin', 'nout', 'w', 'b', 'z', 'a', 'delta', 'da'] as const;
export type LayerRecord = Record<(typeof LAYER_FIELDS)[number], number>;
export const LAYERS_MAX = 7;

/** `struct Net { layers: array<Layer, MAX_LAYERS> }`: every layer's record in order, unused ones 0. */
export function packNet(layers: readonly LayerRecord[]): Uint32Array {
  if (layers.length > LAYERS_MAX) throw new RangeError(`at most ${LAYERS_MAX} layers, got ${layers.length}`);
  const out = new Uint32Array(LAYERS_MAX * LAYER_FIELDS.length);
  layers.forEach((l, i) => packFields(LAYER_FIELDS, l, out.subarray(i * LAYER_FIELDS.length)));
  return out;
}

/** `struct At` (which layer, and whether a look) and `struct Run` (first step, first epoch held): u32 fields. */
export const AT_FIELDS = ['layer', 'look'] as const;
export const RUN_FIELDS = ['base', 'epoch0'] as const;

export function packAt(values: Record<(typeof AT_FIELDS)[number], number>): Uint32Array {
  return packFields(AT_FIELDS, values, new Uint32Array(roundUp16(AT_FIELDS)));
}

export function packRun(values: Record<(typeof RUN_FIELDS)[number], number>): Uint32Array {
  return packFields(RUN_FIELDS, values, new Uint32Array(roundUp16(RUN_FIELDS)));
}

/** The explicit bind group layout entries for a binding table (compute stage only). */
export function layoutEntries(table: readonly BindingSlot[]): GPUBindGroupLayoutEntry[] {
  return table.map(({ binding, type }) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } }));
}

/** Fields of `struct Hyper` in shaders/steps.wgsl, all f32, in declaration order. */
export const HYPER_FIELDS = ['lr'] as const;
export type Hyper = Record<(typeof HYPER_FIELDS)[number], number>;

/**
 * Packs the uniform struct: f32 fields in order, the size rounded up to 16 bytes
 * as uniform buffers require. The only place its bytes are counted.
 */
export function packHyper(values: Hyper): Float32Array {
  return packFields(HYPER_FIELDS, values, new Float32Array(roundUp16(HYPER_FIELDS)));
}

/** Floats or words of a uniform of 4-byte fields: their count rounded up to 4 (16 bytes, as uniforms require). */
const roundUp16 = (fields: readonly string[]) => Math.ceil(fields.length / 4) * 4;

/** Writes `values` into `out` in `fields` order. */
function packFields<F extends string, A extends Float32Array | Uint32Array>(
  fields: readonly F[],
  values: Record<F, number>,
  out: A,
): A {
  fields.forEach((f, i) => (out[i] = values[f]));
  return out;
}

/**
 * `struct Status { step, badStep, badWhere, proposal }` of shaders/steps.wgsl and
 * bench/variants/large.wgsl (src/gpu/core.ts decodes it, and holds NO_FAULT, badStep's "none").
 */
export const STATUS_WORDS = 4;

/** shaders/many.wgsl, group 0. */
export const MANY_BINDINGS = slots({
  run: 'uniform',
  x: 'read',
  y: 'read',
  lrs: 'read',
  params: 'storage',
  results: 'storage',
  status: 'storage',
});

export type ManyBindingName = (typeof MANY_BINDINGS)[number]['name'];

/** `struct Run` of shaders/many.wgsl: u32 fields in order. */
export const MANY_RUN_FIELDS = ['models', 'steps', 'seedBase', 'init', 'seedCount'] as const;
export type ManyRun = Record<(typeof MANY_RUN_FIELDS)[number], number>;

export function packManyRun(values: ManyRun): Uint32Array {
  return packFields(MANY_RUN_FIELDS, values, new Uint32Array(roundUp16(MANY_RUN_FIELDS)));
}

/** The private-array bounds of shaders/lib/models.wgsl (const MAX_D, MAX_H there), for many.wgsl and many-reg.wgsl. */
export const MANY_MAX = { d: 4, H: 16 } as const;

/** Values per model in the results buffer: loss, accuracy, diverged (0/1), steps done. */
export const MANY_RESULT_WORDS = 4;

/** Status words per model in shaders/many.wgsl: steps done, badStep, badWhere. */
export const MANY_STATUS_WORDS = 3;

/** `struct Status { step, badStep, badWhere }` of shaders/fused.wgsl. */
export const FUSED_STATUS_WORDS = 3;

/** The u32 scalars shaders/fused.wgsl keeps in workgroup memory beside its arrays: badCode and stop. */
export const FUSED_WORKGROUP_SCALARS = 2;

/** shaders/fused.wgsl, group 0. */
export const FUSED_BINDINGS = slots({
  run: 'uniform',
  params: 'storage',
  x: 'read',
  y: 'read',
  status: 'storage',
  sampleLoss: 'storage',
});

export type FusedBindingName = (typeof FUSED_BINDINGS)[number]['name'];

/** `struct Run` of shaders/fused.wgsl: lr (f32), then steps (u32). */
export function packFusedRun({ lr, steps }: { lr: number; steps: number }): ArrayBuffer {
  const buf = new ArrayBuffer(16);
  new Float32Array(buf, 0, 1)[0] = lr;
  new Uint32Array(buf, 4, 1)[0] = steps;
  return buf;
}

/** shaders/large-tiled.wgsl, group 0: params and paramsOut swap every step (two bind groups). */
export const LARGE_TILED_BINDINGS = slots({
  hyper: 'uniform',
  params: 'read',
  x: 'read',
  y: 'read',
  losses: 'storage',
  partials: 'storage',
  grads: 'storage',
  status: 'storage',
  paramsOut: 'storage',
});

export type LargeTiledBindingName = (typeof LARGE_TILED_BINDINGS)[number]['name'];

/** shaders/large-tiled.wgsl's entries: a step is the first two, settle ends a submit, gradientsOnly has no update. */
export const LARGE_TILED_ENTRY_POINTS = ['tileGradients', 'tileUpdate', 'tileSettle', 'tileGradientsOnly'] as const;

/** `struct TileStatus` of shaders/large-tiled.wgsl: step, badStep, badWhere, pending, open, halted. */
export const LARGE_TILED_STATUS_WORDS = 6;

/** The private-array bound of shaders/large-tiled.wgsl (const MAX_D there): x_n is held per invocation. */
export const LARGE_MAX_D = 16;

/** shaders/many-reg.wgsl, group 0: many.wgsl's, the data renamed (x, y are its workgroup copies), the width groups. */
export const MANY_REG_BINDINGS = slots({
  run: 'uniform',
  xIn: 'read',
  yIn: 'read',
  lrs: 'read',
  params: 'storage',
  results: 'storage',
  status: 'storage',
  groups: 'read',
});
export type ManyRegBindingName = (typeof MANY_REG_BINDINGS)[number]['name'];

/** `struct Run` of shaders/many-reg.wgsl: u32 fields in order. */
export const MANY_REG_RUN_FIELDS = ['models', 'steps', 'seedBase', 'init', 'groups'] as const;
export type ManyRegRun = Record<(typeof MANY_REG_RUN_FIELDS)[number], number>;

export function packManyRegRun(values: ManyRegRun): Uint32Array {
  return packFields(MANY_REG_RUN_FIELDS, values, new Uint32Array(roundUp16(MANY_REG_RUN_FIELDS)));
}

/** shaders/fused-subgroup.wgsl, group 0: fused.wgsl's bindings, each holding `nets` networks. */
export const FUSED_SUBGROUP_BINDINGS = FUSED_BINDINGS;

/** Private-array bounds of shaders/fused-subgroup.wgsl (MAX_D, MAX_U, MAX_C): d ≤ 4, units per lane ≤ 4, N ≤ 4·4. */
export const FUSED_SUBGROUP_MAX = { d: 4, unitsPerLane: 4, N: 16 } as const;

/** badWhere where subgroups are not aligned blocks of invocations (LAYOUT_FAULT in shaders/fused-subgroup.wgsl). */
export const SUBGROUP_LAYOUT_FAULT = 0xffff_fffe;

/** `struct Run` of shaders/fused-subgroup.wgsl: lr (f32), steps, nets (u32). */
export function packFusedSubgroupRun({ lr, steps, nets }: { lr: number; steps: number; nets: number }): ArrayBuffer {
  const buf = new ArrayBuffer(16);
  new Float32Array(buf, 0, 1)[0] = lr;
  new Uint32Array(buf, 4, 2).set([steps, nets]);
  return buf;
}
