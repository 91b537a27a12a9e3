/**
 * How big a problem the scalar engine can take on the command line: each step's
 * loss graph (its size is ../mlp/cpu-size.ts's graphNodes) must fit in memory.
 * Measured on Node 20: 115 to 145 bytes a node with backward()'s ordering; we
 * take 160, and refuse a step whose graph would need more than half the heap.
 */
import { getHeapStatistics } from 'node:v8';
import { graphNodes } from '../mlp/cpu-size.js';

export const BYTES_PER_NODE = 160;

/** Half of V8's heap limit (about 2 GiB on a default Node): the graph, plus the last step's garbage. */
export function cpuBudgetBytes(): number {
  return getHeapStatistics().heap_size_limit / 2;
}

/** Null if the scalar engine can train this size, else why not and what to change. */
export function cpuSizeProblem(size: { N: number; d: number; H: number }, budget = cpuBudgetBytes()): string | null {
  const bytes = graphNodes(size) * BYTES_PER_NODE;
  if (bytes <= budget) return null;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(b < 2 ** 30 ? 2 : 1)} GiB`;
  const nodes = graphNodes(size).toExponential(2).replace('e+', 'e');
  return (
    `the scalar engine would build a graph of about ${nodes} nodes (${gib(bytes)}) every step for N=${size.N}, d=${size.d}, H=${size.H}, ` +
    `more than its ${gib(budget)} budget; use --backend gpu, a smaller --hidden, or fewer rows (or features) in --data`
  );
}
