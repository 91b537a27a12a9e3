/**
 * The one door to the GPU trainers: a registry of kernels, each describing what it can train, and
 * `createTrainer`, which picks the fastest one that fits the network and the device and says why.
 * `kernel` forces one, refused with the list of kernels that fit when it does not.
 */
import { HIDDEN_ACTIVATIONS } from '../engine/activation.js';
import { LOSSES } from '../engine/losses.js';
import { checkBatchSize } from '../mlp/batches.js';
import { checkHidden, checkOutput, formatHidden } from '../mlp/model.js';
import { checkPenalty } from '../mlp/objective.js';
import { makeSpec } from '../mlp/spec.js';
import {
  KERNEL_NAMES,
  type KernelDescription,
  type KernelName,
  type NetworkShape,
  type OneLayerConfig,
  type Trainer,
  type TrainerConfig,
} from './contract.js';
import { GpuError } from './device.js';
import { FusedSubgroupTrainer, subgroupFit } from './fused-subgroup.js';
import { FusedTrainer } from './fused.js';
import { ONE_LAYER, unsupported } from './gpu-checks.js';
import { TiledLargeTrainer } from './large-tiled.js';
import { LayersTrainer, LAYERS_SUPPORT } from './layers.js';
import { StepTrainer } from './steps.js';

/**
 * From this many samples on, the tiled large-batch kernel (two dispatches a step, no N×H cache) is
 * preferred to the step kernels (four dispatches and the cache); below it both cost about a
 * dispatch's latency and the step kernels keep the cache the page draws from.
 */
export const LARGE_BATCH_MIN_N = 1024;

/** The message of whatever a fit check throws, or null where it passes. */
function refusal(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (e) {
    if (e instanceof RangeError || (e instanceof GpuError && e.kind === 'limit')) return e.message;
    throw e;
  }
}

const ALL = { networks: 'one', activations: HIDDEN_ACTIVATIONS, losses: LOSSES } as const;

/** A configuration as the one-hidden-layer kernels take it: a list of one width becomes that width. */
function oneLayer(config: TrainerConfig): OneLayerConfig {
  const { hidden } = config;
  return { ...config, hidden: typeof hidden !== 'number' && hidden.length === 1 ? hidden[0]! : (hidden as number) };
}

/** Every one-network kernel, in the order the chooser prefers them (fastest first). */
export const KERNELS: readonly KernelDescription[] = [
  {
    name: 'fused-subgroup',
    supports: ONE_LAYER,
    summary: 'many SGD steps per dispatch, one small network per subgroup, no barriers',
    ...ALL,
    subgroups: 'required',
    cache: 'through the step kernels',
    unfit: (device, spec) => {
      const fit = subgroupFit(device, spec);
      return fit.fits ? null : fit.why;
    },
    create: (device, config) => FusedSubgroupTrainer.create(device, oneLayer(config)),
  },
  {
    name: 'fused-workgroup',
    supports: ONE_LAYER,
    summary: 'many SGD steps per dispatch, the whole network in one workgroup’s memory',
    ...ALL,
    subgroups: 'unused',
    cache: 'through the step kernels',
    unfit: (device, spec) => refusal(() => FusedTrainer.checkFits(device, spec)),
    create: (device, config) => FusedTrainer.create(device, oneLayer(config)),
  },
  {
    name: 'large-tiled',
    supports: ONE_LAYER,
    summary: 'two dispatches a step: gradients summed per tile of samples, then the update; no N×H cache',
    ...ALL,
    subgroups: 'optional',
    cache: 'none',
    unfit: (device, spec) => refusal(() => TiledLargeTrainer.checkFits(device, spec)),
    passOver: (spec, later) =>
      spec.N < LARGE_BATCH_MIN_N && later.includes('steps')
        ? `N = ${spec.N} < ${LARGE_BATCH_MIN_N}: the step kernels are as fast here and keep the per-sample cache`
        : null,
    create: (device, config) => TiledLargeTrainer.create(device, oneLayer(config)),
  },
  {
    name: 'steps',
    supports: ONE_LAYER,
    summary: 'one dispatch per phase (forward, backwardDeltas, backwardGrads, sgdStep), every buffer readable',
    ...ALL,
    subgroups: 'unused',
    cache: 'own',
    unfit: (device, spec) => refusal(() => StepTrainer.checkFits(device, spec)),
    create: (device, config) => StepTrainer.create(device, oneLayer(config)),
  },
  {
    name: 'layers',
    summary: 'one dispatch per phase per layer: any depth, either output, mini-batches and the L1/L2 penalty',
    ...ALL,
    supports: LAYERS_SUPPORT,
    subgroups: 'unused',
    cache: 'own',
    unfit: (device, spec) => refusal(() => LayersTrainer.checkFits(device, spec)),
    create: (device, config) => LayersTrainer.create(device, config),
  },
];

/** A forced kernel that cannot train the configuration: the message lists the kernels that can. */
export class KernelRefusedError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'KernelRefusedError';
  }
}

/** What the chooser decided: the kernel, why, and every kernel it passed over with the reason. */
export interface KernelChoice {
  kernel: KernelName;
  why: string;
  forced: boolean;
  passedOver: { kernel: KernelName; why: string }[];
}

/** The description of a kernel by name; a RangeError listing the names for any other. */
export function kernelNamed(name: string): KernelDescription {
  const k = KERNELS.find((d) => d.name === name);
  if (!k) throw new RangeError(`kernel must be one of ${KERNEL_NAMES.join(', ')}, got '${name}'`);
  return k;
}

/** The shape and the settings the chooser weighs, from a configuration (the data gives d and N); each checked. */
export function specOf(
  config: Pick<TrainerConfig, 'data' | 'hidden'> & Partial<Pick<TrainerConfig, 'output' | 'batch' | 'l1' | 'l2'>>,
): NetworkShape {
  const hidden = typeof config.hidden === 'number' ? [config.hidden] : checkHidden(config.hidden);
  const spec = makeSpec({ d: config.data.d, H: hidden[0]!, N: config.data.N });
  return Object.freeze({
    ...spec,
    hidden: Object.freeze([...hidden]),
    output: checkOutput(config.output ?? 'sigmoid'),
    batch: checkBatchSize(config.batch ?? spec.N, spec.N),
    l1: checkPenalty('l1', config.l1 ?? 0),
    l2: checkPenalty('l2', config.l2 ?? 0),
  });
}

/** "d=2, H=8, N=4" for one hidden layer, "d=2, hidden=8,8, N=4" deeper, then any setting off its default. */
export function describeShape(spec: NetworkShape): string {
  const { hidden = [spec.H], output = 'sigmoid', batch = spec.N, l1 = 0, l2 = 0 } = spec;
  const parts = [`d=${spec.d}`, hidden.length === 1 ? `H=${spec.H}` : `hidden=${formatHidden(hidden)}`, `N=${spec.N}`];
  if (output !== 'sigmoid') parts.push(`output ${output}`);
  if (batch < spec.N) parts.push(`batch ${batch}`);
  if (l1 !== 0) parts.push(`l1 ${l1}`);
  if (l2 !== 0) parts.push(`l2 ${l2}`);
  return parts.join(', ');
}

/**
 * Which kernel trains `spec` on `device`: the first that supports its settings and fits, or `kernel` where forced
 * and it does.
 */
export function chooseKernel(device: GPUDevice, spec: NetworkShape, kernel?: KernelName | string): KernelChoice {
  const fit = KERNELS.map((k) => ({ kernel: k.name, why: unsupported(k.supports, spec) ?? k.unfit(device, spec) }));
  const fits = fit.filter((v) => v.why === null).map((v) => v.kernel);
  const shape = describeShape(spec);
  if (kernel !== undefined) {
    const wanted = kernelNamed(kernel).name;
    const why = fit.find((v) => v.kernel === wanted)!.why;
    if (why !== null) {
      const others = fits.length ? `kernels that fit: ${fits.join(', ')}` : 'no kernel fits it on this device';
      throw new KernelRefusedError(`kernel ${wanted} cannot train ${shape} here: ${why}; ${others}`);
    }
    return { kernel: wanted, why: 'asked for', forced: true, passedOver: [] };
  }
  if (fits.length === 0) {
    throw new GpuError(
      'limit',
      `no GPU kernel can train ${shape} on this device: ${fit.map((v) => `${v.kernel}: ${v.why}`).join('; ')}`,
    );
  }
  // A kernel that fits is passed over where one after it that also fits is better for this shape.
  const verdicts = KERNELS.map((k, i) => {
    const later = fits.slice(fits.indexOf(k.name) + 1);
    return { kernel: k.name, why: fit[i]!.why ?? (later.length ? (k.passOver?.(spec, later) ?? null) : null) };
  });
  const first = verdicts.findIndex((v) => v.why === null);
  const passedOver = verdicts.slice(0, first).map((v) => ({ kernel: v.kernel, why: v.why! }));
  const pick = KERNELS[first]!;
  const why =
    first === 0
      ? 'the fastest kernel, and it fits'
      : `the fastest that fits (${passedOver.map((p) => `${p.kernel}: ${p.why}`).join('; ')})`;
  return { kernel: pick.name, why: `${pick.summary}; ${why}`, forced: false, passedOver };
}

/**
 * A trainer for `config` on `device`: the chooser's pick (or `kernel`, where it fits), with the choice attached.
 *
 * @example
 * const params = initParams({ d: 2, H: 8 }, 1);
 * const trainer = await createTrainer(device, { data: xor(), params, hidden: 8, lr: 0.5, loss: 'bce' });
 * await trainer.run(2000);
 * console.log(trainer.kernel, trainer.choice.why, (await trainer.readLoss()).loss);
 */
export async function createTrainer(
  device: GPUDevice,
  config: TrainerConfig,
  { kernel }: { kernel?: KernelName | string } = {},
): Promise<Trainer & { readonly choice: KernelChoice }> {
  const choice = chooseKernel(device, specOf(config), kernel);
  const trainer = await kernelNamed(choice.kernel).create(device, config);
  return Object.assign(trainer, { choice });
}
