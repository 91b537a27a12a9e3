/**
 * Chunk sizes for the training loops: a long run is split into chunks, each a
 * bounded amount of recorded work with one readback and one progress update
 * after it, so memory stays flat and progress shows at once. Sizes start
 * small, double while a chunk takes under half the target time and halve
 * while it takes over twice it, never above `max` steps.
 */
export interface Chunker {
  /** Steps in the next chunk, at most `remaining`. */
  next(remaining: number): number;
  /** Tells how long the last chunk took, in ms. */
  took(ms: number): void;
}

export function makeChunker({
  first = 1,
  max,
  targetMs = 250,
}: {
  first?: number;
  max: number;
  targetMs?: number;
}): Chunker {
  let size = Math.max(1, Math.min(first, max));
  return {
    next: (remaining) => Math.min(size, remaining),
    took(ms) {
      if (ms < targetMs / 2) size = Math.min(2 * size, max);
      else if (ms > 2 * targetMs) size = Math.max(1, Math.floor(size / 2));
    },
  };
}

/** Thrown by a loop that saw its abort signal (SIGINT, SIGTERM) between chunks. */
export class InterruptedError extends Error {
  constructor(
    readonly step: number,
    readonly total: number,
  ) {
    super(`interrupted at step ${step} of ${total}; nothing was written`);
    this.name = 'InterruptedError';
  }
}
