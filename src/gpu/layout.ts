/**
 * What the kernels are told about sizes and layouts: the step kernels' per-sample cache layout and every WGSL
 * `override` constant, by the names the shaders declare (with no defaults there), so TS and WGSL cannot disagree.
 * The flat parameter layout itself is math and lives in src/mlp/spec.ts.
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { paramLayout, type Spec } from '../mlp/spec.js';

export const CACHE_TENSORS = ['z1', 'a1', 'z2', 'yHat', 'loss', 'dz2', 'da1', 'dz1'] as const;
export type CacheName = (typeof CACHE_TENSORS)[number];

/**
 * The GPU's per-sample cache, one flat f32 buffer:
 *   [ z1 (N·H) | a1 (N·H) | z2 (N) | yHat (N) | loss (N) | dz2 (N) | da1 (N·H) | dz1 (N·H) ]
 * row-major with samples as rows, so z1[n][j] is at z1 + n·H + j.
 */
export function cacheLayout({
  H,
  N,
}: Pick<Spec, 'H' | 'N'>): { readonly [K in CacheName]: number } & { readonly size: number } {
  const lengths: Record<CacheName, number> = {
    z1: N * H,
    a1: N * H,
    z2: N,
    yHat: N,
    loss: N,
    dz2: N,
    da1: N * H,
    dz1: N * H,
  };
  let offset = 0;
  const offsets = {} as Record<CacheName, number>;
  for (const name of CACHE_TENSORS) {
    offsets[name] = offset;
    offset += lengths[name];
  }
  return { ...offsets, size: offset };
}

/** The `override` constants of the sizes and flat parameter layout, declared by every kernel that holds parameters. */
export function paramConstants(spec: Spec): Record<string, number> {
  const P = paramLayout(spec);
  return {
    D: spec.d,
    H: spec.H,
    N: spec.N,
    W1_OFF: P.W1.offset,
    B1_OFF: P.b1.offset,
    W2_OFF: P.W2.offset,
    B2_OFF: P.b2.offset,
    P_SIZE: P.size,
  };
}

/**
 * The WGSL `override` constants of the step kernels (shaders/steps.wgsl): sizes
 * and every offset of the parameter and cache layouts, by the names the shader
 * declares (with no defaults there). Computed here only, so TS and WGSL cannot disagree.
 */
export function wgslConstants(spec: Spec): Record<string, number> {
  const C = cacheLayout(spec);
  return {
    ...paramConstants(spec),
    Z1_OFF: C.z1,
    A1_OFF: C.a1,
    Z2_OFF: C.z2,
    YHAT_OFF: C.yHat,
    LOSS_OFF: C.loss,
    DZ2_OFF: C.dz2,
    DA1_OFF: C.da1,
    DZ1_OFF: C.dz1,
  };
}

/**
 * The loss as the kernels' `override LOSS: u32` (0 BCE from the logit, 1 MSE), the hidden
 * activation as `override ACT: u32` (its index in HIDDEN_ACTIVATIONS: 0 relu, 1 leaky, 2 tanh,
 * 3 sigmoid, as shaders/lib/common.wgsl's ACT_* constants) and the workgroup size: the one place they
 * are encoded. Every trainer spreads these into its pipeline constants.
 */
export function pipelineConstants(
  loss: LossKind,
  workgroupSize: number,
  activation: HiddenActivation,
): { LOSS: number; WG: number; ACT: number } {
  const ACT = HIDDEN_ACTIVATIONS.indexOf(activation);
  if (ACT < 0)
    throw new RangeError(`activation must be one of ${HIDDEN_ACTIVATIONS.join(', ')}, got ${String(activation)}`);
  return { LOSS: loss === 'bce' ? 0 : 1, WG: workgroupSize, ACT };
}
