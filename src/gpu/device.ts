/**
 * Adapter and device, with every way they fail turned into a clear error: no WebGPU, shader compilation (with line
 * numbers), validation, out-of-memory and internal errors, uncaptured errors, a lost device. Works in the browser
 * (navigator.gpu) and in Node (node.ts finds a Dawn adapter, then uses these helpers).
 */

export type GpuErrorKind =
  'no-webgpu' | 'compilation' | 'validation' | 'out-of-memory' | 'internal' | 'lost' | 'limit' | 'destroyed';

export class GpuError extends Error {
  constructor(
    readonly kind: GpuErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GpuError';
  }
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** 'hardware' for a GPU driver, 'swiftshader' for Chromium's CPU Vulkan driver. */
  source: 'hardware' | 'swiftshader';
}

export function summarizeAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info;
  const swiftshader = info.architecture === 'swiftshader' || /swiftshader/i.test(`${info.description} ${info.device}`);
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    source: swiftshader ? 'swiftshader' : 'hardware',
  };
}

/** One line for terminals and banners: "google swiftshader (SwiftShader driver 5.0.0)". */
export function describeAdapter(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  const detail = a.description || a.device;
  return detail ? `${name} (${detail})` : name;
}

/** Features requested when the adapter has them; nothing depends on them (each user checks `device.features`). */
export const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['subgroups', 'timestamp-query'];

/**
 * A device with the adapter's largest storage-buffer limits (the defaults cap a
 * binding at 128 MiB, far below what large batches need), labelled, and with
 * uncaptured errors and loss reported through `onProblem` instead of lost in a console.
 */
export async function openDevice(
  adapter: GPUAdapter,
  {
    label = 'backprop-lab.device',
    onProblem,
    subgroups = true,
  }: { label?: string; onProblem?: (e: GpuError) => void; subgroups?: boolean } = {},
): Promise<GPUDevice> {
  const { maxStorageBufferBindingSize, maxBufferSize, maxComputeWorkgroupStorageSize } = adapter.limits;
  // Optional features the fast kernels use where offered (fused-subgroup, the large-batch tiles' shuffles, the bench's
  // timestamps); `subgroups: false` asks for a device without subgroups, to test the fallbacks.
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f) && (subgroups || f !== 'subgroups'));
  const device = await adapter.requestDevice({
    label,
    requiredFeatures,
    requiredLimits: { maxStorageBufferBindingSize, maxBufferSize, maxComputeWorkgroupStorageSize },
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    onProblem?.(new GpuError(errorKind(error), `uncaptured WebGPU error: ${error.message}`));
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') onProblem?.(lostError(info));
  });
  return device;
}

/** The browser's device, or a GpuError('no-webgpu') that says why there is none. */
export async function requestBrowserDevice(
  options: { onProblem?: (e: GpuError) => void } = {},
): Promise<{ device: GPUDevice; summary: AdapterSummary }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new GpuError('no-webgpu', 'this browser does not offer WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new GpuError(
      'no-webgpu',
      'this browser offers WebGPU, but found no graphics adapter to run it on (requestAdapter() returned null)',
    );
  return { device: await openDevice(adapter, options), summary: summarizeAdapter(adapter) };
}

/**
 * Creates a shader module and fails with every compilation error, as
 * "label:line:column: message", when there are any.
 */
export async function compileShader(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const scoped = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    const lines = errors.map((m) => `${label}:${m.lineNum}:${m.linePos}: ${m.message}`);
    throw new GpuError('compilation', `WGSL compilation failed:\n${lines.join('\n')}`);
  }
  if (scoped) throw new GpuError('validation', `${label}: ${scoped.message}`);
  return module;
}

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes and
 * throws the first error any of them caught, naming `what` was being done.
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, fn: () => T): Promise<T> {
  const filters: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
  for (const f of filters) device.pushErrorScope(f);
  let result: T;
  try {
    result = fn();
  } finally {
    const errors = [];
    for (let i = filters.length - 1; i >= 0; i--) errors.push(await device.popErrorScope());
    const first = errors.find((e) => e !== null);
    if (first) throw new GpuError(errorKind(first), `${what}: ${first.message}`);
  }
  return result;
}

export function lostError(info: GPUDeviceLostInfo): GpuError {
  return new GpuError('lost', `the GPU device was lost (${info.reason}): ${info.message || 'no message'}`);
}

function errorKind(error: GPUError): GpuErrorKind {
  if (error instanceof GPUOutOfMemoryError) return 'out-of-memory';
  if (error instanceof GPUValidationError) return 'validation';
  return 'internal';
}
