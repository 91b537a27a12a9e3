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

/** The widest H whose step builds at most `maxNodes` nodes for N points of d inputs; 0 where even H = 1 does not fit. */
export function maxHidden(N: number, d: number, maxNodes: number): number {
  // graphNodes = H·(N·(3d + 3) + d + 2) + 16N + 1
  return Math.max(0, Math.floor((maxNodes - 16 * N - 1) / (N * (3 * d + 3) + d + 2)));
}

/** The most points N whose step builds at most `maxNodes` nodes at width H with d inputs; 0 where none fits. */
export function maxPoints(H: number, d: number, maxNodes: number): number {
  return Math.max(0, Math.floor((maxNodes - H * (d + 2) - 1) / (H * (3 * d + 3) + 16)));
}
