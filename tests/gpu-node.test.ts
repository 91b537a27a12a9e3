import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoAdapterError, requestNodeDevice, type AdapterSummary } from '../src/gpu/node.js';
import { makeRng } from '../src/mlp/rng.js';
import shaderCode from './fixtures/affine-relu.wgsl?raw';

/**
 * Real WGSL through Dawn in Node: a hardware adapter if there is one, otherwise
 * SwiftShader (CI). No adapter fails the suite with what to install: never a skip.
 */
let device: GPUDevice;
let summary: AdapterSummary;

beforeAll(async () => {
  ({ device, summary } = await requestNodeDevice({ label: 'tests.gpu-node' }));
});
afterAll(() => device?.destroy());

async function run(constants: Record<string, number>, a: number, b: number, x: Float32Array): Promise<Float32Array> {
  const module = device.createShaderModule({ label: 'tests.affine-relu.module', code: shaderCode });
  const pipeline = await device.createComputePipelineAsync({
    label: 'tests.affine-relu.pipeline',
    layout: 'auto',
    compute: { module, entryPoint: 'main', constants },
  });
  const make = (label: string, size: number, usage: number) => device.createBuffer({ label, size, usage });
  const coeffs = make('tests.coeffs', 8, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const input = make('tests.x', x.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
  const output = make('tests.out', x.byteLength, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
  const staging = make('tests.staging', x.byteLength, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
  device.queue.writeBuffer(coeffs, 0, new Float32Array([a, b]));
  device.queue.writeBuffer(input, 0, x);
  const bindGroup = device.createBindGroup({
    label: 'tests.affine-relu.bindgroup',
    layout: pipeline.getBindGroupLayout(0),
    entries: [coeffs, input, output].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = device.createCommandEncoder({ label: 'tests.affine-relu.encoder' });
  const pass = encoder.beginComputePass({ label: 'tests.affine-relu.pass' });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(Math.ceil(x.length / 64));
  pass.end();
  encoder.copyBufferToBuffer(output, 0, staging, 0, x.byteLength);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  return result;
}

describe('WebGPU in Node (src/gpu/node.ts)', () => {
  it('finds an adapter and says which one', () => {
    expect(['hardware', 'swiftshader']).toContain(summary.source);
    expect(typeof summary.vendor).toBe('string');
    console.log(`adapter: ${JSON.stringify(summary)}`);
  });

  it('runs a WGSL kernel and gets the CPU’s numbers, a length that is not a multiple of the workgroup', async () => {
    const rng = makeRng(99);
    const x = Float32Array.from({ length: 1000 }, () => 8 * rng() - 4);
    const [a, b] = [Math.fround(1.75), Math.fround(-0.5)];
    const out = await run({ LEN: x.length, WG: 64 }, a, b, x);
    x.forEach((xi, i) => {
      // a·x + b in f32: one rounding after the multiply, one after the add (or one, if fused)
      const expected = Math.max(Math.fround(Math.fround(a * xi) + b), 0);
      expect(Math.abs(out[i]! - expected), `out[${i}]`).toBeLessThanOrEqual(2 ** -20 * Math.max(1, Math.abs(expected)));
    });
    expect(out.filter((v) => v === 0).length).toBeGreaterThan(100); // ReLU did clamp something
  });

  it('a missing override constant is a validation error naming it, not a silent default', async () => {
    device.pushErrorScope('validation');
    device.createComputePipeline({
      label: 'tests.affine-relu.no-constants',
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: shaderCode }), entryPoint: 'main' },
    });
    const error = await device.popErrorScope();
    expect(error?.message).toMatch(/uninitialized pipeline overridable constants.*LEN/s);
  });
});

describe('NoAdapterError', () => {
  it('names what to install', () => {
    expect(new NoAdapterError('hardware, SwiftShader').message).toMatch(
      /no WebGPU adapter found \(tried: hardware, SwiftShader\); .*apt-get install -y chromium libvulkan1/,
    );
  });
});
