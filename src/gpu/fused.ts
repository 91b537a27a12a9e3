/**
 * One network, many SGD steps per dispatch (shaders/fused.wgsl): one workgroup keeps parameters, activations, δs and
 * gradients in workgroup memory, with barriers between forward, backward and update. Its own part: the workgroup-memory
 * budget, and a run split into dispatches of `stepsPerDispatch` steps (short enough for browser watchdogs), at most
 * FUSED_DISPATCHES_PER_SUBMIT per command buffer, each with its own uniform. The rest is the trainer core's.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { paramLayout, type Spec } from '../mlp/spec.js';
import { checkCount, checkLearningRate, checkNetworkOptions, checkOneLayer, checkSteps } from './gpu-checks.js';
import { TrainerCore, usage } from './core.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkWorkgroupStorage } from './limits.js';
import {
  FUSED_BINDINGS,
  FUSED_STATUS_WORDS,
  FUSED_WORKGROUP_SCALARS,
  type FusedBindingName,
  packFusedRun,
  SHADERS,
} from './shaders.js';
import type { OneLayerConfig, Readout, Trainer } from './contract.js';
import { Inspector } from './inspector.js';
import { checkFromStep, freshStatus } from './status.js';

/** Dispatches per command buffer: a long run is recorded and submitted in pieces of this many. */
export const FUSED_DISPATCHES_PER_SUBMIT = 256;

export type FusedOptions = OneLayerConfig;

/**
 * Bytes of workgroup memory as the implementation counts them: each variable (p, g, z1, dz1, dz2, loss and the
 * FUSED_WORKGROUP_SCALARS u32s) rounded up to 16 bytes, as Dawn does; counting the floats alone let a shape pass
 * here and fail at pipeline creation.
 */
export function fusedWorkgroupBytes(spec: Spec): number {
  const P = paramLayout(spec).size;
  const padded = (floats: number) => 16 * Math.ceil((4 * floats) / 16);
  const arrays = [P, P, spec.N * spec.H, spec.N * spec.H, spec.N, spec.N];
  return arrays.reduce((sum, n) => sum + padded(n), 0) + FUSED_WORKGROUP_SCALARS * padded(1);
}

/** The override constants of shaders/fused.wgsl. */
export function fusedConstants(
  spec: Spec,
  loss: LossKind,
  workgroupSize: number,
  activation: HiddenActivation,
): Record<string, number> {
  return { ...paramConstants(spec), ...pipelineConstants(loss, workgroupSize, activation) };
}

export class FusedTrainer implements Trainer {
  readonly kernel = 'fused-workgroup';
  /** A bind group per distinct steps-per-dispatch (its own uniform), made on first use. */
  private readonly perSteps = new Map<number, GPUBindGroup>();
  /** The uniform of each, rewritten when the learning rate changes. */
  private readonly runs = new Map<number, GPUBuffer>();
  private lr: number;
  private readonly inspector: Inspector;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly options: Readonly<FusedOptions>,
    private readonly core: TrainerCore<FusedBindingName, 'trainFused'>,
  ) {
    this.lr = options.lr;
    this.inspector = new Inspector(device, options);
  }

  get label(): string {
    return this.options.label ?? 'fused';
  }

  static async create(device: GPUDevice, options: FusedOptions): Promise<FusedTrainer> {
    checkOneLayer(options, 'fused-workgroup');
    const { data, params, lr, loss } = options;
    const label = options.label ?? 'fused';
    const spec = await checkNetworkOptions(device, options, label);
    FusedTrainer.checkFits(device, spec);
    const P = paramLayout(spec).size;
    const wg = Math.min(256, device.limits.maxComputeInvocationsPerWorkgroup, 32 * Math.ceil(Math.max(spec.N, P) / 32));
    const core = await TrainerCore.create(device, {
      label,
      shader: SHADERS.fused,
      bindings: FUSED_BINDINGS,
      entryPoints: ['trainFused'],
      constants: fusedConstants(spec, loss, wg, options.activation ?? 'relu'),
      buffers: {
        run: { bytes: packFusedRun({ lr, steps: 0 }).byteLength, role: 'uniform' },
        params: { bytes: 4 * P, role: 'state', init: Float32Array.from(params) },
        x: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
        y: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
        status: {
          bytes: 4 * FUSED_STATUS_WORDS,
          role: 'state',
          init: freshStatus(FUSED_STATUS_WORDS, checkFromStep(options.fromStep)),
        },
        sampleLoss: { bytes: 4 * data.N, role: 'output' },
      },
    });
    return new FusedTrainer(device, spec, options, core);
  }

  /** Throws a GpuError('limit') where the network does not fit in one workgroup's memory. */
  static checkFits(device: GPUDevice, spec: Spec): void {
    checkWorkgroupStorage(
      device.limits,
      `the fused kernel keeps 2·P + 2·N·H + 2·N floats in workgroup memory for d=${spec.d}, H=${spec.H}, N=${spec.N}`,
      fusedWorkgroupBytes(spec),
      'use the step kernels for this size',
    );
  }

  /** `steps` SGD steps as dispatches of at most `stepsPerDispatch`, FUSED_DISPATCHES_PER_SUBMIT per command buffer. */
  step(steps: number, { stepsPerDispatch = 256 }: { stepsPerDispatch?: number } = {}): void {
    this.core.check('step');
    checkSteps('steps', steps);
    checkCount('stepsPerDispatch', stepsPerDispatch);
    this.core.record(steps, stepsPerDispatch * FUSED_DISPATCHES_PER_SUBMIT, (k) => this.record(k, stepsPerDispatch));
  }

  /** The same steps, waiting for the GPU after each command buffer: flat memory for any number of steps. */
  async run(
    steps: number,
    {
      stepsPerDispatch = 256,
      onChunk,
    }: { stepsPerDispatch?: number; onChunk?: (steps: number) => void | Promise<void> } = {},
  ): Promise<void> {
    this.core.check('run');
    checkSteps('steps', steps);
    checkCount('stepsPerDispatch', stepsPerDispatch);
    await this.core.run(
      steps,
      stepsPerDispatch * FUSED_DISPATCHES_PER_SUBMIT,
      (k) => this.record(k, stepsPerDispatch),
      onChunk,
    );
  }

  /** The loss of the last forward pass and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    const { status, sampleLoss } = this.core.buffers;
    return this.core.readStatus(
      this.spec,
      { buffer: status, offset: 0, size: 4 * FUSED_STATUS_WORDS },
      { buffer: sampleLoss, offset: 0, size: 4 * this.spec.N },
    );
  }

  /** Changes the learning rate from the next recorded dispatch on. */
  setLearningRate(lr: number): void {
    this.core.check('setLearningRate');
    checkLearningRate('lr', lr);
    this.lr = lr;
    for (const [steps, run] of this.runs) this.device.queue.writeBuffer(run, 0, packFusedRun({ lr, steps }));
  }

  /** Replaces θ from the next recorded dispatch on (the Trainer contract's setParams). */
  setParams(params: ArrayLike<number>): void {
    this.core.writeParams(this.core.buffers.params, params, paramLayout(this.spec).size);
  }

  /** The parameters held now; after a divergence, exactly those of the last good step. */
  async readParams(): Promise<Float64Array> {
    this.core.check('readParams');
    return this.core.readBuffer('params', paramLayout(this.spec).size);
  }

  /** Forward and backward at θ on the step kernels' twin (./inspector.ts): this kernel keeps no gradients. */
  async inspect({ cache = false }: { cache?: boolean } = {}): Promise<Readout> {
    this.core.check('inspect');
    return this.inspector.inspect({ params: this.core.buffers.params, status: this.core.buffers.status }, cache);
  }

  /** Frees the buffers; afterwards every method throws a GpuError('destroyed'). */
  destroy(): void {
    this.inspector.destroy();
    this.core.destroy();
  }

  private record(steps: number, stepsPerDispatch: number): void {
    this.core.submit((pass) => {
      pass.setPipeline(this.core.pipelines.trainFused);
      for (let left = steps; left > 0; left -= stepsPerDispatch) {
        pass.setBindGroup(0, this.bindGroupFor(Math.min(left, stepsPerDispatch)));
        pass.dispatchWorkgroups(1);
      }
    });
  }

  private bindGroupFor(steps: number): GPUBindGroup {
    let group = this.perSteps.get(steps);
    if (!group) {
      const run = this.core.own(
        this.device.createBuffer({ label: `${this.label}.run.${steps}`, size: 16, usage: usage('uniform') }),
      );
      this.device.queue.writeBuffer(run, 0, packFusedRun({ lr: this.lr, steps }));
      group = this.core.bindGroup({ run }, `.${steps}`);
      this.runs.set(steps, run);
      this.perSteps.set(steps, group);
    }
    return group;
  }
}
