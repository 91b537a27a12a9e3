/**
 * How big a problem the scalar engine can take. Each SGD step builds the whole
 * batch's loss graph out of `Value`s before `backward()` walks it, so memory
 * grows with the graph. Per sample the graph has, for each hidden unit, d input
 * leaves (the engine lifts each xᵢ into a Value), d products, d sums (the bias
 * add included) and a ReLU: H·(3d + 1); then the output's H products and H
 * sums, σ and the loss, a handful more: about H·(3d + 3) + 16 nodes a sample,
 * and the H·(d + 2) + 1 parameters once.
 * tests/cli.test.ts counts the nodes of real graphs against this.
 * Measured on Node 20: 115 to 145 bytes a node with backward()'s ordering; we
 * take 160, and refuse a step whose graph would need more than half the heap.
 */
import { getHeapStatistics } from 'node:v8';

export const BYTES_PER_NODE = 160;

/** Nodes of one step's graph over the whole batch (an upper estimate). */
export function graphNodes({ N, d, H }: { N: number; d: number; H: number }): number {
  return N * (H * (3 * d + 3) + 16) + H * (d + 2) + 1;
}

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
