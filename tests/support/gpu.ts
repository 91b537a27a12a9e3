/**
 * The tests' WebGPU device: a hardware adapter if there is one, else SwiftShader.
 * Without either, `openGpu` throws NoAdapterError naming what to install, and
 * the suite fails: GPU tests never skip.
 */
import { requestNodeDevice } from '../../src/gpu/node.js';

export async function openGpu(label = 'tests.device', options: { subgroups?: boolean } = {}) {
  return requestNodeDevice({ label, ...options });
}
