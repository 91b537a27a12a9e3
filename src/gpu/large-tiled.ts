/**
 * The large-batch path, two dispatches per SGD step (shaders/large-tiled.wgsl): tileGradients (forward, δ and each
 * tile's partial gradients, a workgroup per tile of samples) and tileUpdate (a workgroup per parameter: the sum over
 * tiles, θ′ = θ − lr · g, every check). θ lives in two buffers that swap every step, so a bad step never overwrites the
 * last good θ and the exact verdict needs no third dispatch. Subgroup shuffles where the device has them, else a tree.
 */
import type { HiddenActivation } from '../engine/activation.js';
import type { LossKind } from '../engine/losses.js';
import { paramLayout, type Spec } from '../mlp/spec.js';
import { checkNetworkOptions, checkOneLayer } from './gpu-checks.js';
import { TrainerCore } from './core.js';
import { paramConstants, pipelineConstants } from './layout.js';
import { checkBufferFits, checkWorkgroupCount } from './limits.js';
import {
  LARGE_MAX_D,
  LARGE_TILED_BINDINGS,
  LARGE_TILED_ENTRY_POINTS,
  LARGE_TILED_STATUS_WORDS,
  type LargeTiledBindingName,
  SHADERS,
} from './shaders.js';
import type { OneLayerConfig, Readout, Trainer } from './contract.js';
import { phaseBuffers, PhaseTrainer } from './phase-trainer.js';
import { checkFromStep, freshStatus } from './status.js';

type Entry = (typeof LARGE_TILED_ENTRY_POINTS)[number];
const WG = 256;

export interface LargeTiledOptions extends OneLayerConfig {
  /** Use subgroup shuffles where the device has the feature (default true). */
  subgroups?: boolean;
}

/** The kernel keeps x_n in a private array of LARGE_MAX_D floats. */
export function checkLargeD(spec: Spec): void {
  if (spec.d > LARGE_MAX_D)
    throw new RangeError(
      `the large-batch path takes d ≤ ${LARGE_MAX_D} (a private array per invocation), got d=${spec.d}`,
    );
}

/** Samples per tile, at most WG: the x tile (TILE·d floats) and δ2 (TILE) fit beside the reduction buffers (5·WG). */
export function tileSamples(d: number, workgroupBytes: number): number {
  const floats = Math.floor(workgroupBytes / 4) - 5 * WG - 4;
  return Math.max(1, Math.min(WG, Math.floor(floats / (d + 1))));
}

/** The override constants of shaders/large-tiled.wgsl. */
export function largeTiledConstants(
  spec: Spec,
  loss: LossKind,
  tile: number,
  activation: HiddenActivation = 'relu',
): Record<string, number> {
  let units = 1;
  while (units < Math.min(spec.H, WG)) units *= 2; // lanes per subset: min(nextPow2(H), WG)
  const tiles = Math.ceil(spec.N / tile);
  let rlanes = 1;
  // about 8 tiles per lane, at most 32 lanes per parameter
  while (rlanes < Math.min(32, Math.ceil(tiles / 8))) rlanes *= 2;
  return {
    ...paramConstants(spec),
    ...pipelineConstants(loss, WG, activation),
    TILE: tile,
    TILES: tiles,
    UNITS: units,
    SUBSETS: WG / units,
    XS: tile * spec.d,
    RLANES: rlanes,
  };
}

/** Workgroups of tileUpdate: WG / rlanes parameters each. */
function updateGroups(P: number, rlanes: number): number {
  return Math.ceil(P / (WG / rlanes));
}

export class TiledLargeTrainer extends PhaseTrainer<LargeTiledBindingName, Entry> implements Trainer {
  readonly kernel = 'large-tiled';
  /** Bind groups reading params from buffer 0 and 1 respectively (writing the other). */
  private readonly groups: [GPUBindGroup, GPUBindGroup];
  private readonly other: GPUBuffer;
  private readonly updateGroups: number;
  private recorded = 0;
  /** Dispatches of one SGD step. */
  static readonly DISPATCHES_PER_STEP = 2;

  private constructor(
    device: GPUDevice,
    spec: Spec,
    readonly label: string,
    /** Whether the kernel was built with subgroup shuffles. */
    readonly subgroups: boolean,
    core: TrainerCore<LargeTiledBindingName, Entry>,
    private readonly tiles: number,
    rlanes: number,
  ) {
    super(device, spec, core);
    const { params, paramsOut } = core.buffers;
    this.other = paramsOut;
    this.updateGroups = updateGroups(paramLayout(spec).size, rlanes);
    this.groups = [core.bindGroup({}, '.even'), core.bindGroup({ params: paramsOut, paramsOut: params }, '.odd')];
  }

  static async create(device: GPUDevice, options: LargeTiledOptions): Promise<TiledLargeTrainer> {
    checkOneLayer(options, 'large-tiled');
    const { data, params, lr, loss } = options;
    const label = options.label ?? 'largeTiled';
    const spec = await checkNetworkOptions(device, options, label);
    const constants = TiledLargeTrainer.checkFits(device, spec, loss, options.activation ?? 'relu');
    const tiles = constants.TILES!;
    const P = paramLayout(spec).size;
    const subgroups = (options.subgroups ?? true) && device.features.has('subgroups');
    const status = freshStatus(LARGE_TILED_STATUS_WORDS, checkFromStep(options.fromStep));
    status[4] = 0; // open
    status[5] = 0; // halted
    const core = await TrainerCore.create(device, {
      label,
      shader: subgroups ? SHADERS.largeTiledSubgroups : SHADERS.largeTiled,
      bindings: LARGE_TILED_BINDINGS,
      entryPoints: LARGE_TILED_ENTRY_POINTS,
      constants,
      buffers: {
        ...phaseBuffers(data, params, lr),
        losses: { bytes: 4 * data.N, role: 'output' },
        partials: { bytes: 4 * tiles * P, role: 'scratch' },
        grads: { bytes: 4 * P, role: 'output' },
        status: { bytes: 4 * LARGE_TILED_STATUS_WORDS, role: 'state', init: status },
        // θ in both buffers: a run continued from an odd step reads the second first
        paramsOut: { bytes: 4 * P, role: 'state', init: Float32Array.from(params) },
      },
    });
    const trainer = new TiledLargeTrainer(device, spec, label, subgroups, core, tiles, constants.RLANES!);
    trainer.recorded = checkFromStep(options.fromStep); // θ after step t sits in buffer t mod 2
    return trainer;
  }

  /** The override constants for this shape; throws a RangeError or GpuError('limit') where it does not fit. */
  static checkFits(
    device: GPUDevice,
    spec: Spec,
    loss: LossKind = 'bce',
    activation: HiddenActivation = 'relu',
  ): Record<string, number> {
    checkLargeD(spec);
    const tile = tileSamples(spec.d, device.limits.maxComputeWorkgroupStorageSize);
    const constants = largeTiledConstants(spec, loss, tile, activation);
    const tiles = constants.TILES!;
    const P = paramLayout(spec).size;
    checkBufferFits(device.limits, 'x (N·d floats)', 4 * spec.N * spec.d, 'lower N or d');
    checkBufferFits(device.limits, 'the tile partial sums', 4 * tiles * P, 'use a smaller N or H');
    checkWorkgroupCount(device.limits, 'tileGradients', tiles, 'use a smaller N');
    checkWorkgroupCount(device.limits, 'tileUpdate', updateGroups(P, constants.RLANES!), 'use a smaller H');
    return constants;
  }

  /** The last forward pass's mean loss and the steps done; throws a TrainingDivergedError if a step went non-finite. */
  async readLoss(): Promise<{ loss: number; step: number }> {
    this.core.check('readLoss');
    const { status, losses } = this.core.buffers;
    return this.core.readStatus(
      this.spec,
      { buffer: status, offset: 0, size: 4 * LARGE_TILED_STATUS_WORDS },
      { buffer: losses, offset: 0, size: 4 * this.spec.N },
    );
  }

  /** Forward and backward at the current parameters (no update), then θ, g and the loss (no per-sample cache or ŷ). */
  async inspect(_options?: { cache?: boolean }): Promise<Readout> {
    this.core.check('inspect');
    this.core.submit((pass) => {
      pass.setBindGroup(0, this.groups[this.recorded % 2]!);
      this.dispatch(pass, 'tileGradients');
      this.dispatch(pass, 'tileGradientsOnly');
    }, 'gradients');
    const { step, loss } = await this.readLoss();
    const P = paramLayout(this.spec).size;
    const [params, grads] = await this.core.readFloats([
      { buffer: this.current(step), offset: 0, size: 4 * P },
      { buffer: this.core.buffers.grads, offset: 0, size: 4 * P },
    ]);
    return { step, loss, params: params!, grads: grads! };
  }

  /** Replaces θ in the buffer the next recorded step reads (θ alternates between two buffers). */
  override setParams(params: ArrayLike<number>): void {
    const next = this.recorded % 2 === 0 ? this.core.buffers.params : this.other;
    this.core.writeParams(next, params, paramLayout(this.spec).size);
  }

  /** The parameters held now; after a divergence, those of the last good step (θ alternates between two buffers). */
  override async readParams(): Promise<Float64Array> {
    this.core.check('readParams');
    const P = paramLayout(this.spec).size;
    const [s, a, b] = await this.core.staging.read([
      { buffer: this.core.buffers.status, offset: 0, size: 4 },
      { buffer: this.core.buffers.params, offset: 0, size: 4 * P },
      { buffer: this.other, offset: 0, size: 4 * P },
    ]);
    const step = new Uint32Array(s!)[0]!;
    return Float64Array.from(new Float32Array(step % 2 === 0 ? a! : b!));
  }

  /** θ after `step` good steps sits in buffer step mod 2 (the steps after a bad one write nothing). */
  private current(step: number): GPUBuffer {
    return step % 2 === 0 ? this.core.buffers.params : this.other;
  }

  private dispatch(pass: GPUComputePassEncoder, e: Entry): void {
    pass.setPipeline(this.core.pipelines[e]);
    pass.dispatchWorkgroups(e === 'tileGradients' ? this.tiles : e === 'tileSettle' ? 1 : this.updateGroups);
  }

  /** Two dispatches a step (gradients, update), `steps` times, then a settle counting the last step: one submit. */
  protected recordSteps(steps: number): void {
    this.core.submit((pass) => {
      for (let t = 0; t < steps; t++) {
        pass.setBindGroup(0, this.groups[this.recorded % 2]!);
        this.dispatch(pass, 'tileGradients');
        this.dispatch(pass, 'tileUpdate');
        this.recorded++;
      }
      this.dispatch(pass, 'tileSettle'); // counts the last step of this submit
    });
  }
}
