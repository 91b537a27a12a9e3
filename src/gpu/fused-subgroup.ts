/**
 * Small networks, many SGD steps per dispatch, one network per subgroup (shaders/fused-subgroup.wgsl): no workgroup
 * memory, no barriers, one vector subgroupAdd per four samples per step. Several networks (seeds) can train side by
 * side in one dispatch, sharing the data and the learning rate. The chooser picks it first where the device has
 * subgroups and the network fits. Creation, the guards and readback are the trainer core's.
 */
import type { LossKind } from '../engine/losses.js';
import type { HiddenActivation } from '../engine/activation.js';
import { makeSpec, paramLayout, type Spec } from '../mlp/spec.js';
import {
  checkCount,
  checkDeviceAlive,
  checkLearningRate,
  checkOneLayer,
  checkSteps,
  checkTrainerInput,
  checkUploadable,
} from './gpu-checks.js';
import { TrainerCore, usage } from './core.js';
import { GpuError } from './device.js';
import type { Readout, Trainer } from './contract.js';
import { FUSED_DISPATCHES_PER_SUBMIT, type FusedOptions } from './fused.js';
import { Inspector } from './inspector.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkWorkgroupCount } from './limits.js';
import {
  FUSED_SUBGROUP_BINDINGS,
  FUSED_SUBGROUP_MAX,
  type FusedBindingName,
  packFusedSubgroupRun,
  SHADERS,
  SUBGROUP_LAYOUT_FAULT,
} from './shaders.js';
import { checkFromStep, meanLoss, NO_FAULT, statusError } from './status.js';

/** Status words per network: steps done, badStep, badWhere. */
const WORDS = 3;

export interface FusedSubgroupOptions extends FusedOptions {
  /** Networks trained side by side, one per subgroup; `params` holds nets·P values, network k's at k·P. Default 1. */
  nets?: number;
}

/** The subgroup sizes the device may use: from the adapter's info where given, else WGSL's whole range 4..128. */
export function subgroupSizes(device: GPUDevice): { min: number; max: number } {
  const info = device.adapterInfo as GPUAdapterInfo | undefined;
  return { min: info?.subgroupMinSize ?? 4, max: info?.subgroupMaxSize ?? 128 };
}

/** Whether the subgroup kernel can train this shape on this device, and if not, why (a sentence). */
export function subgroupFit(device: GPUDevice, spec: Spec): { fits: true } | { fits: false; why: string } {
  if (!device.features.has('subgroups'))
    return { fits: false, why: 'the device does not offer the `subgroups` feature' };
  const { min } = subgroupSizes(device);
  const maxH = FUSED_SUBGROUP_MAX.unitsPerLane * min;
  if (spec.d > FUSED_SUBGROUP_MAX.d) return { fits: false, why: `d = ${spec.d} > ${FUSED_SUBGROUP_MAX.d}` };
  if (spec.N > FUSED_SUBGROUP_MAX.N) return { fits: false, why: `N = ${spec.N} > ${FUSED_SUBGROUP_MAX.N}` };
  if (spec.H > maxH)
    return {
      fits: false,
      why: `H = ${spec.H} > ${maxH} (${FUSED_SUBGROUP_MAX.unitsPerLane} units per lane × smallest subgroup size ${min})`,
    };
  return { fits: true };
}

/** The override constants of shaders/fused-subgroup.wgsl. */
export function fusedSubgroupConstants(
  spec: Spec,
  loss: LossKind,
  workgroupSize: number,
  minSubgroup: number,
  activation: HiddenActivation,
): Record<string, number> {
  return {
    ...paramConstants(spec),
    ...pipelineConstants(loss, workgroupSize, activation),
    UNITS: Math.ceil(spec.H / minSubgroup),
    CHUNKS: Math.ceil(spec.N / 4),
  };
}

export class FusedSubgroupTrainer implements Trainer {
  readonly kernel = 'fused-subgroup';
  /** A bind group per distinct steps-per-dispatch (its own uniform), made on first use. */
  private readonly perSteps = new Map<number, GPUBindGroup>();
  /** The uniform of each, rewritten when the learning rate changes. */
  private readonly runs = new Map<number, GPUBuffer>();
  private lr: number;
  private readonly inspector: Inspector;

  private constructor(
    readonly device: GPUDevice,
    readonly spec: Spec,
    readonly nets: number,
    readonly options: Readonly<FusedSubgroupOptions>,
    private readonly core: TrainerCore<FusedBindingName, 'trainFusedSubgroup'>,
    private readonly groups: number,
  ) {
    this.lr = options.lr;
    this.inspector = new Inspector(device, options);
  }

  get label(): string {
    return this.options.label ?? 'fusedSubgroup';
  }

  static async create(device: GPUDevice, options: FusedSubgroupOptions): Promise<FusedSubgroupTrainer> {
    checkOneLayer(options, 'fused-subgroup');
    const { data, params, hidden, lr, loss } = options;
    const label = options.label ?? 'fusedSubgroup';
    const nets = options.nets ?? 1;
    await checkDeviceAlive(device, label);
    checkTrainerInput(device, options);
    const spec = makeSpec({ d: data.d, H: hidden, N: data.N });
    const fit = subgroupFit(device, spec);
    if (!fit.fits)
      throw new GpuError(
        'limit',
        `the subgroup fused kernel cannot train this network: ${fit.why}; let createTrainer choose`,
      );
    const P = paramLayout(spec).size;
    checkCount('nets', nets);
    if (params.length !== nets * P)
      throw new RangeError(
        `params: expected nets·P = ${nets}·${P} values for d=${spec.d}, H=${spec.H}, got ${params.length}`,
      );
    checkLearningRate('lr', lr);
    for (const [name, xs] of [
      ['params', params],
      ['data.x', data.x],
      ['data.y', data.y],
    ] as const)
      checkUploadable(name, xs);
    const fromStep = checkFromStep(options.fromStep);
    const sizes = subgroupSizes(device);
    // A multiple of the largest subgroup size, so subgroups are full; up to 4 networks per workgroup.
    const wg = Math.min(device.limits.maxComputeInvocationsPerWorkgroup, sizes.max * Math.min(4, nets));
    const groups = Math.ceil(nets / Math.max(1, Math.floor(wg / sizes.max)));
    checkWorkgroupCount(
      device.limits,
      `${nets} networks, ${Math.floor(wg / sizes.max)} per workgroup`,
      groups,
      'train fewer networks at once',
    );
    const core = await TrainerCore.create(device, {
      label,
      shader: SHADERS.fusedSubgroup,
      bindings: FUSED_SUBGROUP_BINDINGS,
      entryPoints: ['trainFusedSubgroup'],
      constants: fusedSubgroupConstants(spec, loss, wg, sizes.min, options.activation ?? 'relu'),
      buffers: {
        run: { bytes: 16, role: 'uniform' },
        params: { bytes: 4 * nets * P, role: 'state', init: Float32Array.from(params) },
        x: { bytes: 4 * data.x.length, role: 'input', init: Float32Array.from(data.x) },
        y: { bytes: 4 * data.N, role: 'input', init: Float32Array.from(data.y) },
        status: {
          bytes: 4 * WORDS * nets,
          role: 'state',
          init: Uint32Array.from({ length: WORDS * nets }, (_, i) => (i % WORDS ? NO_FAULT : fromStep)),
        },
        sampleLoss: { bytes: 4 * nets * data.N, role: 'output' },
      },
    });
    return new FusedSubgroupTrainer(device, spec, nets, options, core, groups);
  }

  /**
   * Records `steps` SGD steps of every network as dispatches of at most `stepsPerDispatch`,
   * FUSED_DISPATCHES_PER_SUBMIT per command buffer.
   */
  step(steps: number, { stepsPerDispatch = 256 }: { stepsPerDispatch?: number } = {}): void {
    this.core.check('step');
    checkSteps('steps', steps);
    checkCount('stepsPerDispatch', stepsPerDispatch);
    this.core.record(steps, stepsPerDispatch * FUSED_DISPATCHES_PER_SUBMIT, (k) => this.record(k, stepsPerDispatch));
  }

  /** The same steps, waiting for the GPU after each command buffer. */
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

  /** Network `net`'s last loss and steps done; throws a TrainingDivergedError if one of its steps went non-finite. */
  async readLoss(net = 0): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    this.checkNet(net);
    const { status, sampleLoss } = this.core.buffers;
    const [s, l] = await this.core.staging.read([
      { buffer: status, offset: 4 * WORDS * net, size: 4 * WORDS },
      { buffer: sampleLoss, offset: 4 * this.spec.N * net, size: 4 * this.spec.N },
    ]);
    const [step, badStep, badWhere] = new Uint32Array(s!);
    if (badWhere === SUBGROUP_LAYOUT_FAULT)
      throw new GpuError(
        'internal',
        `${this.label}: this device's subgroups are not aligned blocks of invocations; use FusedTrainer`,
      );
    const error = statusError(this.spec, badStep!, badWhere!);
    if (error) throw error;
    return { step: step!, loss: meanLoss(new Float32Array(l!)) };
  }

  /** Network `net`'s parameters; after a divergence, exactly those of its last good step. */
  async readParams(net = 0): Promise<Float64Array> {
    this.core.check('readParams');
    this.checkNet(net);
    const P = paramLayout(this.spec).size;
    return this.core.readBuffer('params', P, net * P);
  }

  /** Replaces network `net`'s θ from the next recorded dispatch on (the Trainer contract's setParams). */
  setParams(params: ArrayLike<number>, net = 0): void {
    this.checkNet(net);
    const P = paramLayout(this.spec).size;
    this.core.writeParams(this.core.buffers.params, params, P, net * P);
  }

  /** Changes every network's learning rate from the next recorded dispatch on. */
  setLearningRate(lr: number): void {
    this.core.check('setLearningRate');
    checkLearningRate('lr', lr);
    this.lr = lr;
    for (const [steps, run] of this.runs)
      this.device.queue.writeBuffer(run, 0, packFusedSubgroupRun({ lr, steps, nets: this.nets }));
  }

  /** Forward and backward at network 0's θ on the step-kernel twin (./inspector.ts): this kernel keeps no gradients. */
  async inspect({ cache = false }: { cache?: boolean } = {}): Promise<Readout> {
    this.core.check('inspect');
    return this.inspector.inspect({ params: this.core.buffers.params, status: this.core.buffers.status }, cache);
  }

  destroy(): void {
    this.inspector.destroy();
    this.core.destroy();
  }

  private checkNet(net: number): void {
    if (!Number.isInteger(net) || net < 0 || net >= this.nets)
      throw new RangeError(`net must be an integer in [0, ${this.nets - 1}], got ${net}`);
  }

  private record(steps: number, stepsPerDispatch: number): void {
    this.core.submit((pass) => {
      pass.setPipeline(this.core.pipelines.trainFusedSubgroup);
      for (let left = steps; left > 0; left -= stepsPerDispatch) {
        pass.setBindGroup(0, this.bindGroupFor(Math.min(left, stepsPerDispatch)));
        pass.dispatchWorkgroups(this.groups);
      }
    });
  }

  private bindGroupFor(steps: number): GPUBindGroup {
    let group = this.perSteps.get(steps);
    if (!group) {
      const run = this.core.own(
        this.device.createBuffer({ label: `${this.label}.run.${steps}`, size: 16, usage: usage('uniform') }),
      );
      this.device.queue.writeBuffer(run, 0, packFusedSubgroupRun({ lr: this.lr, steps, nets: this.nets }));
      group = this.core.bindGroup({ run }, `.${steps}`);
      this.runs.set(steps, run);
      this.perSteps.set(steps, group);
    }
    return group;
  }
}
