/**
 * How big a problem the scalar engine can take on the command line: each step's
 * loss graph (its size is ../mlp/cpu-size.ts's graphNodes for one hidden layer,
 * modelGraphNodes here for any depth) must fit in memory.
 * Measured on Node 20: 115 to 145 bytes a node with backward()'s ordering; we
 * take 160, and refuse a step whose graph would need more than half the heap.
 */
import { getHeapStatistics } from 'node:v8';
import { type CpuSize, graphNodes } from '../mlp/cpu-size.js';
import { formatHidden } from '../mlp/model.js';

export const BYTES_PER_NODE = 160;

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

/** Half of V8's heap limit (about 2 GiB on a default Node): the graph, plus the last step's garbage. */
export function cpuBudgetBytes(): number {
  return getHeapStatistics().heap_size_limit / 2;
}

/** Null if the scalar engine can train this size, else why not and what to change. */
export function cpuSizeProblem(size: CpuSize | ModelCpuSize, budget = cpuBudgetBytes()): string | null {
  const model: ModelCpuSize = 'H' in size ? { N: size.N, d: size.d, hidden: [size.H] } : size;
  const nodes = modelGraphNodes(model);
  const bytes = nodes * BYTES_PER_NODE;
  if (bytes <= budget) return null;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;
  const count = nodes.toExponential(2).replace('e+', 'e');
  const shape = model.hidden.length === 1 ? `H=${model.hidden[0]}` : `hidden=${formatHidden(model.hidden)}`;
  const batch = model.B !== undefined && model.B < model.N ? `, batch ${model.B}` : '';
  return (
    `the scalar engine would build a graph of about ${count} nodes (${gib(bytes)}) every step for N=${model.N}, d=${model.d}, ${shape}${batch}, ` +
    `more than its ${gib(budget)} budget; use --backend gpu, a smaller --hidden${batch ? ' or --batch' : ''}, or fewer rows (or features) in --data`
  );
}
