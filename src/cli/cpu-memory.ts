/**
 * How big a problem the scalar engine can take on the command line: each step's
 * loss graph (its size is ../mlp/cpu-size.ts's modelGraphNodes) must fit in memory.
 * Measured on Node 20: 115 to 145 bytes a node with backward()'s ordering; we
 * take 160, and refuse a step whose graph would need more than half the heap.
 */
import { getHeapStatistics } from 'node:v8';
import { type CpuSize, modelGraphNodes, type ModelCpuSize } from '../mlp/cpu-size.js';
import { formatHidden } from '../mlp/model.js';

export const BYTES_PER_NODE = 160;

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
