/**
 * How big a problem the CPU backends can take on the command line.
 *
 * The scalar engine (`--backend engine`) builds each step's loss graph (its size is ../mlp/cpu-size.ts's
 * modelGraphNodes) before it walks it. Measured on Node 20: 115 to 145 bytes a node with backward()'s ordering; we
 * take 160, and refuse a step whose graph would need more than half the heap.
 *
 * The fast trainer (`--backend cpu`) holds flat f64 buffers whatever the batch: θ, its gradient and the proposed
 * update (3P numbers), one row's activations and δs and the N per-sample losses; the report then holds the
 * parameters and gradients at both ends as numbers (4P more, and a copy of one of them while it is built). Only
 * the parameter count can make that large, so it is what is refused, against the same budget.
 */
import { getHeapStatistics } from 'node:v8';
import { type CpuSize, modelGraphNodes, type ModelCpuSize } from '../mlp/cpu-size.js';
import { formatHidden, parameterCount } from '../mlp/model.js';

export const BYTES_PER_NODE = 160;

/** Half of V8's heap limit (about 2 GiB on a default Node): the graph, plus the last step's garbage. */
export function cpuBudgetBytes(): number {
  return getHeapStatistics().heap_size_limit / 2;
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;
const shapeOf = (hidden: readonly number[]) =>
  hidden.length === 1 ? `H=${hidden[0]}` : `hidden=${formatHidden(hidden)}`;

/** Null if the scalar engine can train this size, else why not and what to change. */
export function cpuSizeProblem(size: CpuSize | ModelCpuSize, budget = cpuBudgetBytes()): string | null {
  const model: ModelCpuSize = 'H' in size ? { N: size.N, d: size.d, hidden: [size.H] } : size;
  const nodes = modelGraphNodes(model);
  const bytes = nodes * BYTES_PER_NODE;
  if (bytes <= budget) return null;
  const count = nodes.toExponential(2).replace('e+', 'e');
  const batch = model.B !== undefined && model.B < model.N ? `, batch ${model.B}` : '';
  return (
    `the scalar engine would build a graph of about ${count} nodes (${gib(bytes)}) every step for N=${model.N}, d=${model.d}, ${shapeOf(model.hidden)}${batch}, ` +
    `more than its ${gib(budget)} budget; use --backend cpu (the fast trainer) or gpu, a smaller --hidden${batch ? ' or --batch' : ''}, or fewer rows (or features) in --data`
  );
}

/** Bytes the fast trainer and its report hold for a run (see above). */
export function fastCpuBytes({ N, d, hidden }: Pick<ModelCpuSize, 'N' | 'd' | 'hidden'>): number {
  const P = parameterCount({ d, hidden });
  const units = hidden.reduce((s, h) => s + h, 0);
  return 8 * (3 * P + 2 * (d + units) + N + 5 * P);
}

/** Null if the fast trainer can train this network, else why not and what to change. */
export function fastCpuSizeProblem(
  size: Pick<ModelCpuSize, 'N' | 'd' | 'hidden'>,
  budget = cpuBudgetBytes(),
): string | null {
  const bytes = fastCpuBytes(size);
  if (bytes <= budget) return null;
  const P = parameterCount(size).toLocaleString('en-US');
  return (
    `the fast trainer would hold about ${gib(bytes)} for the ${P} parameters of d=${size.d}, ${shapeOf(size.hidden)} ` +
    `(θ, its gradient and the proposed update, and the report's parameters and gradients at both ends), more than ` +
    `its ${gib(budget)} budget; use a smaller --hidden, fewer layers, or fewer features in --data`
  );
}
