/**
 * WebGPU in Node through Dawn (the npm package `webgpu`): a hardware adapter first, then SwiftShader, the CPU Vulkan
 * driver that Debian's chromium package ships. Says which one it got; fails with what to install when it gets none.
 */
import { existsSync, readdirSync } from 'node:fs';
import { type AdapterSummary, GpuError, openDevice, summarizeAdapter } from './device.js';

export type { AdapterSummary };

/** Where Debian's chromium puts SwiftShader's Vulkan driver manifest. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const INSTALL_HINT =
  'install a Vulkan loader and SwiftShader: `apt-get install -y chromium libvulkan1` (Debian/Ubuntu), ' +
  `which provides ${SWIFTSHADER_ICD}; or run on a machine with a GPU driver`;

export interface NodeGpu {
  /** The Dawn instance the adapter came from. */
  instance: GPU;
  adapter: GPUAdapter;
  summary: AdapterSummary;
}

/**
 * Dawn instances with a live adapter or device. Dawn's instance must outlive
 * its devices: if the JS object returned by `create()` is garbage-collected, the
 * next mapAsync or async pipeline creation crashes the process (SIGSEGV or a
 * mutex assertion; seen here on SwiftShader, about 2 runs in 3). A device
 * releases its instance when it is destroyed or lost.
 */
/**
 * One Dawn instance per driver for the life of the process: an instance created per device and collected after
 * its device was destroyed crashed the process now and then (a worker running dozens of in-process GPU runs died
 * mid-file), and an adapter can be requested from the same instance again for each device.
 */
const instances = new Map<'hardware' | 'swiftshader', GPU>();

export class NoAdapterError extends GpuError {
  constructor(tried: string) {
    super('no-webgpu', `no WebGPU adapter found (tried: ${tried}); ${INSTALL_HINT}`);
    this.name = 'NoAdapterError';
  }
}

/**
 * Finds an adapter. `prefer: 'swiftshader'` skips the hardware attempt (for
 * reproducible CI numbers); the default tries hardware first.
 */
export async function requestNodeAdapter(options: { prefer?: 'hardware' | 'swiftshader' } = {}): Promise<NodeGpu> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // silences the Vulkan loader's harmless complaint
  const webgpu = await import('webgpu');
  Object.assign(globalThis, webgpu.globals); // GPUBufferUsage, GPUMapMode, GPUShaderStage, ...
  const tried: string[] = [];
  const userDriver = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  const pointsAtSwiftShader = userDriver?.includes('swiftshader') ?? false;

  if (options.prefer !== 'swiftshader' && !pointsAtSwiftShader && hardwareDriverMayExist(userDriver)) {
    tried.push('hardware');
    const instance = instances.get('hardware') ?? webgpu.create([]);
    instances.set('hardware', instance);
    const adapter = await instance.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) return found(instance, adapter);
  }
  if (!existsSync(SWIFTSHADER_ICD) && !pointsAtSwiftShader) {
    tried.push(`SwiftShader (missing ${SWIFTSHADER_ICD})`);
    throw new NoAdapterError(tried.join(', '));
  }
  // The Vulkan loader reads this when each instance is created, so setting it now works.
  if (!pointsAtSwiftShader) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  tried.push('SwiftShader');
  const instance = instances.get('swiftshader') ?? webgpu.create([]);
  instances.set('swiftshader', instance);
  const adapter = await instance.requestAdapter();
  if (!adapter) throw new NoAdapterError(tried.join(', '));
  return found(instance, adapter);
}

/** An adapter and a device on it, labelled; call `device.destroy()` when done so Node can exit. */
export async function requestNodeDevice(
  options: {
    prefer?: 'hardware' | 'swiftshader';
    label?: string;
    onProblem?: (e: GpuError) => void;
    subgroups?: boolean;
  } = {},
): Promise<NodeGpu & { device: GPUDevice }> {
  const gpu = await requestNodeAdapter(options);
  const device = await openDevice(gpu.adapter, {
    label: options.label ?? 'backprop-lab.device',
    ...(options.onProblem ? { onProblem: options.onProblem } : {}),
    ...(options.subgroups === false ? { subgroups: false } : {}),
  });
  return { ...gpu, device };
}

function found(instance: GPU, adapter: GPUAdapter): NodeGpu {
  return { instance, adapter, summary: summarizeAdapter(adapter) };
}

/**
 * On Linux, Dawn finds GPUs through Vulkan driver manifests; with none installed
 * the hardware attempt can only fail (noisily), so it is skipped. Elsewhere
 * (Metal, D3D12) it is always tried.
 */
function hardwareDriverMayExist(userDriver: string | undefined): boolean {
  if (process.platform !== 'linux' || userDriver) return true;
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  return dirs.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}
