/// <reference types="@webgpu/types" preserve="true" />
/**
 * The package's public entry (`backprop-lab`): runs in browsers and in Node, never imports Dawn.
 * A thin list of re-exports; the Node device lives apart in ./index-node.ts (`backprop-lab/node`).
 * The reference directive keeps WebGPU's global types (GPUDevice, ...) in the emitted declarations.
 */

// The scalar autograd engine: the oracle.
export { Value, type Operand } from './engine/value.js';
export { MLP, Layer, Neuron, sgdStep, type Activation, type MLPOptions, type NeuronOptions } from './engine/nn.js';
export { LOSSES, bceWithLogits, mse, lossFromLogits, type LossKind } from './engine/losses.js';
export { HIDDEN_ACTIVATIONS, type HiddenActivation } from './engine/activation.js';
export { gradcheck, type GradCheckEntry, type GradCheckOptions, type GradCheckResult } from './engine/gradcheck.js';

// The matrix form, its f32 error bounds and the comparisons against them.
export { forward, backward, lossAndGrads, lossValue, sgdUpdate, numericGradient } from './mlp/reference.js';
export type { Net, ForwardCache, Backward } from './mlp/reference.js';
export { shadowBounds, type Bounds, type BoundOptions, type Shadowed } from './mlp/bounds/bounds.js';
export { compareWithBounds, compareFlat, TOLERANCES } from './mlp/bounds/compare.js';
export type {
  BoundedComparison,
  BoundedTensor,
  Comparison,
  TensorComparison,
  Tolerance,
} from './mlp/bounds/compare.js';

// The general network: any depth, either output, the penalty, mini-batches.
export {
  OUTPUTS,
  MODEL_LIMITS,
  makeModel,
  parseHidden,
  formatHidden,
  modelLayout,
  parameterCount,
} from './mlp/model.js';
export { modelElementName, toNestedModel, fromNestedModel } from './mlp/model.js';
export type { Model, ModelShape, Output, ModelLayout, NestedLayer } from './mlp/model.js';
export { checkObjective, PENALTY_LIMITS, penaltyValue, type Objective } from './mlp/objective.js';
export { BatchSchedule, batchIndices, batchesPerEpoch, checkBatchSize } from './mlp/batches.js';
export { forwardModel, backwardModel, lossAndGradsModel } from './mlp/reference.js';
export { shadowBoundsModel, type ModelBounds } from './mlp/bounds/bounds-model.js';
export { compareWithBoundsModel } from './mlp/bounds/compare.js';

// Shapes, parameters, CPU trainers.
export { makeSpec, paramLayout, toNested, TENSORS, SPEC_LIMITS } from './mlp/spec.js';
export type { Spec, Layout, Slot, NestedParams, TensorName } from './mlp/spec.js';
export { initParams, engineModel, engineParams, engineGrads } from './mlp/init.js';
export { DEFAULTS, checkConfig, type TrainConfig } from './mlp/config.js';
export { MatrixTrainer } from './mlp/train/train-matrix.js';
export { FastTrainer } from './mlp/train/train-fast.js';
export { CpuTrainer, type Evaluation } from './mlp/train/train-cpu.js';
export { accuracy } from './mlp/accuracy.js';
export { TrainingDivergedError, type Fault, type FaultKind } from './mlp/divergence.js';

// Datasets and the data-file reader.
export { xor, makeDataset, randomDataset, roundToF32, type Dataset } from './mlp/data/data.js';
export { generate, split, subset, DATASET_KINDS, DATASET_NAMES, GEN_LIMITS } from './mlp/data/datasets.js';
export type { DatasetKind, GenSpec } from './mlp/data/datasets.js';
export { parseDataset, detectFormat, type DataFormat, type ParseOptions } from './mlp/data/data-file.js';

// The GPU trainers, behind one door, and the device helpers.
export {
  createTrainer,
  chooseKernel,
  kernelNamed,
  specOf,
  describeShape,
  KERNELS,
  KernelRefusedError,
} from './gpu/chooser.js';
export type { KernelChoice } from './gpu/chooser.js';
export { KERNEL_NAMES } from './gpu/contract.js';
export type {
  Trainer,
  TrainerConfig,
  OneLayerConfig,
  Readout,
  LayerValues,
  KernelName,
  KernelDescription,
  KernelSupport,
  NetworkShape,
} from './gpu/contract.js';
export { requestBrowserDevice, openDevice, summarizeAdapter, describeAdapter, GpuError } from './gpu/device.js';
export type { AdapterSummary, GpuErrorKind } from './gpu/device.js';
