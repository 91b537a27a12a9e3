/**
 * How much one step of the scalar engine (./train-cpu.ts) costs. Each SGD step
 * builds the whole batch's loss graph out of `Value`s before `backward()` walks
 * it, so a step's time and memory grow with the graph. Per sample the graph
 * has, for each hidden unit, d input leaves (the engine lifts each xᵢ into a
 * Value), d products, d sums (the bias add included) and a ReLU: H·(3d + 1);
 * then the output's H products and H sums, σ and the loss, a handful more:
 * about H·(3d + 3) + 16 nodes a sample, and the H·(d + 2) + 1 parameters once.
 * tests/cli.test.ts counts the nodes of real graphs against this.
 */

export interface CpuSize {
  /** Training points (the batch). */
  N: number;
  d: number;
  H: number;
}

/** Nodes of one step's graph over the whole batch (an upper estimate). */
export function graphNodes({ N, d, H }: CpuSize): number {
  return N * (H * (3 * d + 3) + 16) + H * (d + 2) + 1;
}

/** A step of the general network: B rows in its batch, the hidden widths, and whether the penalty is in the graph. */
export interface ModelCpuSize {
  /** The training points. */
  N: number;
  /** The rows of one step's batch (default N). */
  B?: number;
  d: number;
  hidden: readonly number[];
  penalty?: boolean;
}

/**
 * Nodes of one step's graph (an upper estimate), graphNodes exactly for one hidden layer without a penalty. Per
 * row, each unit of layer 1 costs 3d + 1 (input leaves, products, sums, f), each unit of a later layer
 * 2·H_{l−1} + 1 (its inputs are nodes already), the output 2·H_L and the loss a handful; the parameters once;
 * the penalty about 4 nodes a weight (|w|, w², two sums).
 */
export function modelGraphNodes({ N, B = N, d, hidden, penalty = false }: ModelCpuSize): number {
  if (hidden.length === 1 && !penalty) return graphNodes({ N: B, d, H: hidden[0]! });
  const widths = [d, ...hidden, 1];
  let perRow = 16;
  let params = 1;
  let weights = 0;
  for (let l = 1; l < widths.length; l++) {
    const [nin, nout] = [widths[l - 1]!, widths[l]!];
    if (l < widths.length - 1) perRow += nout * ((l === 1 ? 3 : 2) * nin + 1);
    else perRow += 2 * nin;
    params += nout * (nin + 1);
    weights += nout * nin;
  }
  return B * perRow + params + (penalty ? 4 * weights + 8 : 0);
}
