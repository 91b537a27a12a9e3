/** A page snapshot (src/ui/session.ts) of any network, built from the oracle as the CPU session builds its own. */
import type { HiddenActivation } from '../../src/engine/activation.js';
import type { LossKind } from '../../src/engine/losses.js';
import type { Dataset } from '../../src/mlp/data/data.js';
import { makeModel, type Output } from '../../src/mlp/model.js';
import { lossAndGradsModel } from '../../src/mlp/reference.js';
import type { Snapshot } from '../../src/ui/session.js';

export function oracleSnapshot(
  data: Dataset,
  params: Float64Array,
  net: { hidden: readonly number[]; activation?: HiddenActivation; output?: Output },
  objective: { loss: LossKind; l1?: number; l2?: number },
  step = 0,
): Snapshot {
  const model = makeModel({ d: data.d, ...net });
  const full = { loss: objective.loss, l1: objective.l1 ?? 0, l2: objective.l2 ?? 0 };
  const r = lossAndGradsModel(model, params, data, full);
  return {
    backend: 'cpu',
    kernel: 'cpu-fast',
    model,
    objective: full,
    batch: data.N,
    perEpoch: 1,
    step,
    loss: r.loss,
    params,
    layers: { z: [...r.cache.z], a: [...r.cache.a], da: r.da, delta: r.delta, yHat: r.cache.yHat, losses: r.losses },
    gpuGrads: null,
    oracle: { loss: r.loss, dataLoss: r.dataLoss, penalty: r.penalty, grads: r.grads },
    batchLoss: null,
    data,
  };
}
