/**
 * Checks a spec against a device's limits before any buffer is made, with an
 * error that names the limit, its value and what to change.
 */
import type { Spec } from '../mlp/spec.js';
import { GpuError } from './device.js';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function checkLimits(
  limits: GPUSupportedLimits,
  spec: Spec,
  { cacheFloats, workgroupSize, invocations }: { cacheFloats: number; workgroupSize: number; invocations: number },
): void {
  const largest = Math.max(4 * cacheFloats, 4 * spec.N * spec.d);
  const cacheLargest = cacheFloats >= spec.N * spec.d; // else the inputs x: only N and d apply
  const bindingMax = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  if (largest > bindingMax) {
    const which =
      limits.maxStorageBufferBindingSize <= limits.maxBufferSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
    throw new GpuError(
      'limit',
      `N=${spec.N}, H=${spec.H}, d=${spec.d} needs a ${mib(largest)} buffer (${cacheLargest ? 'the per-sample cache, 4·N·H floats and more' : 'the inputs x, N·d floats'}), ` +
        `more than this device's ${which} of ${mib(bindingMax)}; ` +
        `lower ${cacheLargest ? 'the batch size N or the width H' : 'the batch size N or the features d'}`,
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
        `maxComputeWorkgroupsPerDimension (${limits.maxComputeWorkgroupsPerDimension}); ` +
        `lower ${invocations === spec.N ? 'N' : 'H or d (one invocation per parameter)'}`,
    );
  }
}

/** The largest storage buffer this device binds, and the name of the limit that sets it. */
export function storageLimit(limits: GPUSupportedLimits): { bytes: number; name: string } {
  const binding = limits.maxStorageBufferBindingSize;
  return binding <= limits.maxBufferSize
    ? { bytes: binding, name: 'maxStorageBufferBindingSize' }
    : { bytes: limits.maxBufferSize, name: 'maxBufferSize' };
}

/** Refuses a storage buffer larger than the device binds: `what` needs that much; `hint` says what to lower. */
export function checkBufferFits(limits: GPUSupportedLimits, what: string, bytes: number, hint: string): void {
  const { bytes: max, name } = storageLimit(limits);
  if (bytes > max)
    throw new GpuError('limit', `${what} need ${mib(bytes)}, more than this device's ${name} (${mib(max)}); ${hint}`);
}

/** Refuses a dispatch of more workgroups in one dimension than maxComputeWorkgroupsPerDimension allows. */
export function checkWorkgroupCount(limits: GPUSupportedLimits, what: string, groups: number, hint: string): void {
  const max = limits.maxComputeWorkgroupsPerDimension;
  if (groups > max)
    throw new GpuError(
      'limit',
      `${what} needs ${groups} workgroups in one dimension, more than this device's maxComputeWorkgroupsPerDimension (${max}); ${hint}`,
    );
}

/** Refuses a kernel whose workgroup memory exceeds maxComputeWorkgroupStorageSize. */
export function checkWorkgroupStorage(limits: GPUSupportedLimits, what: string, bytes: number, hint: string): void {
  const max = limits.maxComputeWorkgroupStorageSize;
  if (bytes > max)
    throw new GpuError(
      'limit',
      `${what}: ${bytes} bytes, more than this device's maxComputeWorkgroupStorageSize (${max}); ${hint}`,
    );
}
