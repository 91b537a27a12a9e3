/**
 * Checks a spec against a device's limits before any buffer is made, with an
 * error that names the limit, its value and what to change.
 */
import type { Spec } from '../mlp/spec.js';
import { GpuError } from './device.js';

export function checkLimits(
  limits: GPUSupportedLimits,
  spec: Spec,
  { cacheFloats, workgroupSize, invocations }: { cacheFloats: number; workgroupSize: number; invocations: number },
): void {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const largest = Math.max(4 * cacheFloats, 4 * spec.N * spec.d);
  const cacheLargest = cacheFloats >= spec.N * spec.d; // else the inputs x: only N and d apply
  const bindingMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (largest > bindingMax) {
    const which = limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new GpuError(
      'limit',
      `N=${spec.N}, H=${spec.H}, d=${spec.d} needs a ${mib(largest)} buffer (${cacheLargest ? 'the per-sample cache, 4·N·H floats and more' : 'the inputs x, N·d floats'}), ` +
        `more than this device's ${which} of ${mib(bindingMax)}; lower ${cacheLargest ? 'the batch size N or the width H' : 'the batch size N or the features d'}`,
    );
  }
  if (workgroupSize > limits.maxComputeWorkgroupSizeX || workgroupSize > limits.maxComputeInvocationsPerWorkgroup) {
    throw new GpuError(
      'limit',
      `workgroup size ${workgroupSize} exceeds this device's maxComputeWorkgroupSizeX (${limits.maxComputeWorkgroupSizeX}) ` +
        `or maxComputeInvocationsPerWorkgroup (${limits.maxComputeInvocationsPerWorkgroup})`,
    );
  }
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups > limits.maxComputeWorkgroupsPerDimension) {
    throw new GpuError(
      'limit',
      `${invocations} invocations need ${groups} workgroups of ${workgroupSize}, more than this device's ` +
        `maxComputeWorkgroupsPerDimension (${limits.maxComputeWorkgroupsPerDimension}); lower ${invocations === spec.N ? 'N' : 'H or d (one invocation per parameter)'}`,
    );
  }
}
