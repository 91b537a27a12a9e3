/**
 * Which hidden activations `--backend gpu` takes (train and sweep). The CPU
 * backends take all of them; the WGSL side of --activation comes with the shared
 * GPU core (issue 13).
 */
import { HIDDEN_ACTIVATIONS, type HiddenActivation } from '../engine/activation.js';

/**
 * The activations the GPU kernels take, for now: the WGSL side of --activation comes with the
 * shared GPU core. When it lands, GPU_ACTIVATIONS becomes HIDDEN_ACTIVATIONS (one line).
 */
export const GPU_ACTIVATIONS: readonly HiddenActivation[] = ['relu'];

/** Null when the GPU kernels take the activation, else the message (train and sweep exit 2 with it). */
export function gpuActivationProblem(activation: HiddenActivation): string | null {
  if (GPU_ACTIVATIONS.includes(activation)) return null;
  return `--activation ${activation}: the GPU kernels take --activation relu only until the WGSL activations land (issue 13); use --backend cpu for ${HIDDEN_ACTIVATIONS.filter((a) => !GPU_ACTIVATIONS.includes(a)).join(', ')}`;
}
