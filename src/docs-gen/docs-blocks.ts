/**
 * Every generated block of docs/*.md, by the name its markers use, and the one
 * function that refills them, all written beside this file.
 */
import { batchBlock } from './docs-batch.js';
import { buildAnswer, deeperAnswer } from './docs-build.js';
import { deepCheckBlock } from './docs-deep.js';
import { BUG_BLOCKS } from './docs-bug.js';
import { EXERCISE_BLOCKS } from './docs-exercises.js';
import { MODEL_BLOCKS } from './docs-model.js';
import { leakyClaimBlock } from './docs-method.js';
import { nudgeBlock } from './docs-nudge.js';
import { PRACTICE_BLOCKS } from './docs-practice.js';
import { gatesBlock, interpretationsBlock, pathBlock } from './docs-paths.js';
import { fillGenerated, GENERATED_BLOCKS } from './docs-spotcheck.js';

export const DOC_BLOCKS: Record<string, () => string> = {
  ...GENERATED_BLOCKS,
  'spotcheck-batch': () => batchBlock(),
  'path-product': pathBlock,
  interpretations: interpretationsBlock,
  'gate-patterns': gatesBlock,
  ...EXERCISE_BLOCKS,
  ...MODEL_BLOCKS,
  nudge: nudgeBlock,
  'leaky-claim': leakyClaimBlock,
  'deep-check': deepCheckBlock,
  'exercise-deeper': deeperAnswer,
  'exercise-build': buildAnswer,
  ...BUG_BLOCKS,
  ...PRACTICE_BLOCKS,
};

/** Replaces each generated block's body with its fresh text; an unknown name is an error. */
export function fillDocs(markdown: string): string {
  return fillGenerated(markdown, DOC_BLOCKS);
}
