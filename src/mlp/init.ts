/**
 * Seeded initial parameters in the flat layout. The values come from the scalar
 * engine's own initialisation (src/engine/nn.ts, the one definition), drawn from
 * `makeRng(seed)`, so the engine, the matrix form and the GPU start identical.
 */
import type { HiddenActivation } from '../engine/activation.js';
import { MLP } from '../engine/nn.js';
import { makeRng } from './rng.js';
import { fromEngineOrder, toEngineOrder, type Spec } from './spec.js';

export type Output = 'sigmoid' | 'identity';

/** The initial parameters for a seed, flat layout [W1 | b1 | W2 | b2], every value an exact f32. */
export function initParams(spec: Pick<Spec, 'd' | 'H'>, seed: number): Float64Array {
  const model = new MLP(spec.d, [spec.H, 1], { rng: makeRng(seed) });
  return fromEngineOrder(spec, model.parameters().map((p) => p.data));
}

/** A scalar-engine MLP holding the given flat parameters. */
export function engineModel(spec: Pick<Spec, 'd' | 'H'>, params: ArrayLike<number>, output: Output = 'sigmoid', hidden: HiddenActivation = 'relu'): MLP {
  const model = new MLP(spec.d, [spec.H, 1], { rng: () => 0.5, output, hidden });
  model.load(toEngineOrder(spec, params));
  return model;
}

/** The engine model's parameters, back in the flat layout. */
export function engineParams(spec: Pick<Spec, 'd' | 'H'>, model: MLP): Float64Array {
  return fromEngineOrder(spec, model.parameters().map((p) => p.data));
}

/** The engine model's gradients (after `backward()`), in the flat layout. */
export function engineGrads(spec: Pick<Spec, 'd' | 'H'>, model: MLP): Float64Array {
  return fromEngineOrder(spec, model.parameters().map((p) => p.grad));
}
