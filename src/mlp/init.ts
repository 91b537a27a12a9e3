/**
 * Seeded initial parameters in the flat layout, and the bridge to the scalar
 * engine. The values come from the scalar engine's own initialisation
 * (src/engine/nn.ts, the one definition), drawn from `makeRng(seed)` layer by
 * layer, so the engine, the matrix form and the GPU start identical.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { lossFromLogits, penalty } from '../engine/losses.js';
import { MLP } from '../engine/nn.js';
import type { Value } from '../engine/value.js';
import { type Dataset, sampleX } from './data/data.js';
import {
  checkLabels,
  fromEngineOrderModel,
  type Model,
  type ModelShape,
  type Output,
  toEngineOrderModel,
} from './model.js';
import { checkObjective, type Objective } from './objective.js';
import { makeRng } from './rng.js';
import { fromEngineOrder, toEngineOrder, type Spec } from './spec.js';

export type { Output };

/** The initial parameters for a seed, flat layout [W1 | b1 | W2 | b2], every value an exact f32. */
export function initParams(spec: Pick<Spec, 'd' | 'H'>, seed: number): Float64Array {
  const model = new MLP(spec.d, [spec.H, 1], { rng: makeRng(seed) });
  return fromEngineOrder(
    spec,
    model.parameters().map((p) => p.data),
  );
}

/** A scalar-engine MLP holding the given flat parameters. */
export function engineModel(
  spec: Pick<Spec, 'd' | 'H'>,
  params: ArrayLike<number>,
  output: Output = 'sigmoid',
  hidden: HiddenActivation = 'relu',
): MLP {
  const model = new MLP(spec.d, [spec.H, 1], { rng: () => 0.5, output, hidden });
  model.load(toEngineOrder(spec, params));
  return model;
}

/** The engine model's parameters, back in the flat layout. */
export function engineParams(spec: Pick<Spec, 'd' | 'H'>, model: MLP): Float64Array {
  return fromEngineOrder(
    spec,
    model.parameters().map((p) => p.data),
  );
}

/** The engine model's gradients (after `backward()`), in the flat layout. */
export function engineGrads(spec: Pick<Spec, 'd' | 'H'>, model: MLP): Float64Array {
  return fromEngineOrder(
    spec,
    model.parameters().map((p) => p.grad),
  );
}

/**
 * The initial parameters of any network for a seed, flat layout [W1 | b1 | … | W_{L+1} | b_{L+1}]:
 * each layer's draws follow the previous layer's in one stream, so for one hidden
 * layer they are initParams' exactly.
 */
export function initModelParams(shape: ModelShape, seed: number): Float64Array {
  const mlp = new MLP(shape.d, [...shape.hidden, 1], { rng: makeRng(seed) });
  return fromEngineOrderModel(
    shape,
    mlp.parameters().map((p) => p.data),
  );
}

/** A scalar-engine MLP of any depth holding the given flat parameters, with the model's activation and output. */
export function engineModelOf(model: Model, params: ArrayLike<number>): MLP {
  const mlp = new MLP(model.d, [...model.hidden, 1], {
    rng: () => 0.5,
    output: model.output,
    hidden: model.activation,
  });
  mlp.load(toEngineOrderModel(model, params));
  return mlp;
}

/** The engine MLP's parameters, back in the flat layout of any depth. */
export function engineParamsOf(shape: ModelShape, mlp: MLP): Float64Array {
  return fromEngineOrderModel(
    shape,
    mlp.parameters().map((p) => p.data),
  );
}

/** The engine MLP's gradients (after `backward()`), in the flat layout of any depth. */
export function engineGradsOf(shape: ModelShape, mlp: MLP): Float64Array {
  return fromEngineOrderModel(
    shape,
    mlp.parameters().map((p) => p.grad),
  );
}

/**
 * The objective as one engine graph over a batch (default the full batch):
 * L_total = L_data + R, with L_data the batch mean of the samples `rows` and R
 * the penalty on the MLP's weights. `backward()` on `loss` gives the gradients.
 */
export function engineLoss(
  model: Model,
  mlp: MLP,
  data: Dataset,
  objective: Objective,
  rows: ArrayLike<number> = Array.from({ length: data.N }, (_, n) => n),
): { loss: Value; dataLoss: Value; penalty: Value; logits: Value[] } {
  const { loss: kind, l1, l2 } = checkObjective(model.output, objective);
  const picked = Array.from(rows);
  const y = picked.map((n) => data.y[n]!);
  checkLabels(model.output, y);
  const logits = picked.map((n) => mlp.logits(sampleX(data, n))[0]!);
  const dataLoss = lossFromLogits(kind, logits, y, model.output);
  const R = penalty(mlp.weights(), l1, l2);
  return { loss: dataLoss.add(R), dataLoss, penalty: R, logits };
}
