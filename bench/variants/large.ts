/**
 * A bench variant, not in the product: the large-batch path in four dispatches a step (./large.wgsl: forward, partial
 * sums per chunk of samples, their reduction, the update). The tiled kernel (src/gpu/large-tiled.ts, two dispatches)
 * is faster for every shape both hold, so the chooser never picks this one; the bench measures the tiled kernel
 * against it.
 */
import type { HiddenActivation } from '../../src/engine/activation.js';
import type { LossKind } from '../../src/engine/losses.js';
import { paramLayout, type Spec } from '../../src/mlp/spec.js';
import { checkCount, checkNetworkOptions } from '../../src/gpu/gpu-checks.js';
import { TrainerCore } from '../../src/gpu/core.js';
import { paramConstants, pipelineConstants } from '../../src/gpu/layout.js';
import { checkBufferFits, checkWorkgroupCount } from '../../src/gpu/limits.js';
import { SHARED_WGSL, slots, STATUS_WORDS } from '../../src/gpu/shaders.js';
import { checkLargeD } from '../../src/gpu/large-tiled.js';
import largeWgsl from './large.wgsl?raw';
import type { OneLayerConfig } from '../../src/gpu/contract.js';
import { phaseBuffers, PhaseTrainer } from '../../src/gpu/phase-trainer.js';
import { freshStatus } from '../../src/gpu/status.js';

/** ./large.wgsl with the shared WGSL appended, as src/gpu/shaders.ts does for the product's kernels. */
export const LARGE_SHADER = [
  largeWgsl,
  SHARED_WGSL.network,
  SHARED_WGSL.forwardPhase,
  SHARED_WGSL.status,
  SHARED_WGSL.common,
].join('\n');

/** ./large.wgsl, group 0. */
export const LARGE_BINDINGS = slots({
  hyper: 'uniform',
  params: 'storage',
  x: 'read',
  y: 'read',
  perSample: 'storage',
  partials: 'storage',
  grads: 'storage',
  status: 'storage',
  next: 'storage',
});
export type LargeBindingName = (typeof LARGE_BINDINGS)[number]['name'];

/** The entry points of ./large.wgsl, in step order. */
export const LARGE_ENTRY_POINTS = ['largeForward', 'largePartials', 'largeReduce', 'largeSgd'] as const;
type Entry = (typeof LARGE_ENTRY_POINTS)[number];

export interface LargeOptions extends OneLayerConfig {
  /** Samples per chunk in the partial sums; default 1024. */
  chunk?: number;
}

/** The override constants of bench/variants/large.wgsl. */
export function largeConstants(
  spec: Spec,
  loss: LossKind,
  workgroupSize: number,
  chunk: number,
  activation: HiddenActivation,
): Record<string, number> {
  return {
    ...paramConstants(spec),
    ...pipelineConstants(loss, workgroupSize, activation),
    CHUNK: chunk,
    CHUNKS: Math.ceil(spec.N / chunk),
    STRIDE: largeChunkFloats(spec),
  };
}

/** Floats in one chunk's partial sums (STRIDE in ./large.wgsl): dW1[j] (d), db1[j], dW2[j] per unit, then db2. */
export function largeChunkFloats({ d, H }: Pick<Spec, 'd' | 'H'>): number {
  return H * (d + 2) + 1;
}

/** Workgroups (x, y) of each phase: one invocation per sample, per (unit, chunk), per parameter. */
function largeWorkgroups(spec: Spec, wg: number, chunks: number): Record<Entry, [number, number]> {
  const P = paramLayout(spec).size;
  return {
    largeForward: [Math.ceil(spec.N / wg), 1],
    largePartials: [Math.ceil(spec.H / wg), chunks],
    largeReduce: [Math.ceil(P / wg), 1],
    largeSgd: [Math.ceil(P / wg), 1],
  };
}

export class LargeBatchTrainer extends PhaseTrainer<LargeBindingName, Entry> {
  private readonly bindGroup: GPUBindGroup;

  private constructor(
    device: GPUDevice,
    spec: Spec,
    readonly label: string,
    core: TrainerCore<LargeBindingName, Entry>,
    private readonly groups: Record<Entry, [number, number]>,
  ) {
    super(device, spec, core);
    this.bindGroup = core.bindGroup();
  }

  static async create(device: GPUDevice, options: LargeOptions): Promise<LargeBatchTrainer> {
    const { data, params, lr, loss } = options;
    const label = options.label ?? 'large';
    const chunk = options.chunk ?? 1024;
    const wg = 64;
    const spec = await checkNetworkOptions(device, options, label);
    checkLargeD(spec);
    checkCount('chunk', chunk);
    const constants = largeConstants(spec, loss, wg, chunk, options.activation ?? 'relu');
    const chunks = constants.CHUNKS!;
    const partialFloats = chunks * largeChunkFloats(spec);
    checkBufferFits(device.limits, 'x (N·d floats)', 4 * data.x.length, 'lower N or d');
    checkBufferFits(
      device.limits,
      'the chunk partial sums',
      4 * partialFloats,
      'use a larger chunk or a smaller N or H',
    );
    const P = paramLayout(spec).size;
    const groups = largeWorkgroups(spec, wg, chunks);
    for (const [entry, [gx, gy]] of Object.entries(groups))
      checkWorkgroupCount(device.limits, entry, Math.max(gx, gy), 'use a larger chunk or a smaller N');
    const core = await TrainerCore.create(device, {
      label,
      shader: LARGE_SHADER,
      bindings: LARGE_BINDINGS,
      entryPoints: LARGE_ENTRY_POINTS,
      constants,
      buffers: {
        ...phaseBuffers(data, params, lr),
        perSample: { bytes: 8 * data.N, role: 'output' },
        partials: { bytes: 4 * partialFloats, role: 'scratch' },
        grads: { bytes: 4 * P, role: 'output' },
        status: { bytes: 4 * STATUS_WORDS, role: 'state', init: freshStatus(STATUS_WORDS) },
        next: { bytes: 4 * P, role: 'scratch' },
      },
    });
    return new LargeBatchTrainer(device, spec, label, core, groups);
  }

  /** The last forward pass's mean loss and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    const { status, perSample } = this.core.buffers;
    const N = this.spec.N;
    return this.core.readStatus(
      this.spec,
      { buffer: status, offset: 0, size: 4 * STATUS_WORDS },
      { buffer: perSample, offset: 4 * N, size: 4 * N },
    );
  }

  /** Forward and backward at the current parameters (no update), then parameters, gradients and loss. */
  async inspect(): Promise<{ step: number; loss: number; params: Float64Array; grads: Float64Array }> {
    this.core.check('inspect');
    this.record(1, ['largeForward', 'largePartials', 'largeReduce']);
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const [params, grads] = await this.core.readFloats([
      { buffer: this.core.buffers.params, offset: 0, size: 4 * P },
      { buffer: this.core.buffers.grads, offset: 0, size: 4 * P },
    ]);
    return { step, loss, params: params!, grads: grads! };
  }

  /** Four dispatches a step (forward, partial sums, reduce, update), `steps` times, in one command buffer. */
  protected recordSteps(steps: number): void {
    this.record(steps, LARGE_ENTRY_POINTS);
  }

  private record(steps: number, entries: readonly Entry[]): void {
    this.core.submit((pass) => {
      pass.setBindGroup(0, this.bindGroup);
      for (let t = 0; t < steps; t++) {
        for (const e of entries) {
          pass.setPipeline(this.core.pipelines[e]);
          pass.dispatchWorkgroups(...this.groups[e]);
        }
      }
    });
  }
}
