/**
 * The one door to the GPU trainers: a registry of kernels, each describing what it can train, and
 * `createTrainer`, which picks the fastest one that fits the network and the device and says why.
 * `kernel` forces one, refused with the list of kernels that fit when it does not.
 */
import { HIDDEN_ACTIVATIONS } from '../engine/activation.js';
import { LOSSES } from '../engine/losses.js';
import { makeSpec, type Spec } from '../mlp/spec.js';
import { KERNEL_NAMES, type KernelDescription, type KernelName, type Trainer, type TrainerConfig } from './contract.js';
import { GpuError } from './device.js';
import { FusedSubgroupTrainer, subgroupFit } from './fused-subgroup.js';
import { FusedTrainer } from './fused.js';
import { TiledLargeTrainer } from './large-tiled.js';
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

/** Every one-network kernel, in the order the chooser prefers them (fastest first). */
export const KERNELS: readonly KernelDescription[] = [
  {
    name: 'fused-subgroup',
    summary: 'many SGD steps per dispatch, one small network per subgroup, no barriers',
    ...ALL,
    subgroups: 'required',
    cache: 'through the step kernels',
    unfit: (device, spec) => {
      const fit = subgroupFit(device, spec);
      return fit.fits ? null : fit.why;
    },
    create: (device, config) => FusedSubgroupTrainer.create(device, config),
  },
  {
    name: 'fused-workgroup',
    summary: 'many SGD steps per dispatch, the whole network in one workgroup’s memory',
    ...ALL,
    subgroups: 'unused',
    cache: 'through the step kernels',
    unfit: (device, spec) => refusal(() => FusedTrainer.checkFits(device, spec)),
    create: (device, config) => FusedTrainer.create(device, config),
  },
  {
    name: 'large-tiled',
    summary: 'two dispatches a step: gradients summed per tile of samples, then the update; no N×H cache',
    ...ALL,
    subgroups: 'optional',
    cache: 'none',
    unfit: (device, spec) => refusal(() => TiledLargeTrainer.checkFits(device, spec)),
    passOver: (spec) =>
      spec.N < LARGE_BATCH_MIN_N
        ? `N = ${spec.N} < ${LARGE_BATCH_MIN_N}: the step kernels are as fast here and keep the per-sample cache`
        : null,
    create: (device, config) => TiledLargeTrainer.create(device, config),
  },
  {
    name: 'steps',
    summary: 'one dispatch per phase (forward, backwardDeltas, backwardGrads, sgdStep), every buffer readable',
    ...ALL,
    subgroups: 'unused',
    cache: 'own',
    unfit: (device, spec) => refusal(() => StepTrainer.checkFits(device, spec)),
    create: (device, config) => StepTrainer.create(device, config),
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

/** The network's shape from a configuration (the data gives d and N). */
export function specOf(config: Pick<TrainerConfig, 'data' | 'hidden'>): Spec {
  return makeSpec({ d: config.data.d, H: config.hidden, N: config.data.N });
}

/** Which kernel trains `spec` on `device`: the first that fits, or `kernel` where forced and it fits. */
export function chooseKernel(device: GPUDevice, spec: Spec, kernel?: KernelName | string): KernelChoice {
  const fit = KERNELS.map((k) => ({ kernel: k.name, why: k.unfit(device, spec) }));
  const fits = fit.filter((v) => v.why === null).map((v) => v.kernel);
  const shape = `d=${spec.d}, H=${spec.H}, N=${spec.N}`;
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
  // Where a kernel fits but another is better for this shape, it is passed over unless it is the last that fits.
  const verdicts = KERNELS.map((k, i) => ({
    kernel: k.name,
    why: fit[i]!.why ?? (k.name === fits.at(-1) ? null : (k.passOver?.(spec) ?? null)),
  }));
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
