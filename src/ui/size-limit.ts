/**
 * The page's words for a run too big to check every frame (./session.ts's ORACLE_FRAME_MAX, on either backend): the
 * limit, what this run would need, and the largest hidden width and number of points (or rows of a file) that fit, in
 * the terms of the page's own fields. Pure: no DOM.
 */
import { formatHidden, parameterCount } from '../mlp/model.js';
import { GEN_LIMITS } from '../mlp/data/datasets.js';
import type { PageData, Upload } from './data-choice.js';
import { ORACLE_FRAME_MAX } from './session.js';
import type { Settings } from './state.js';

type RefusedField = 'hidden' | 'points' | 'upload' | 'batch';

/** A run the page will not start: `message` says why and what fits, beside `field`. */
export class RunRefusedError extends Error {
  constructor(
    message: string,
    readonly field: RefusedField,
  ) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/** Training points left of `all` once the test fraction is held out (as src/mlp/datasets.ts's split holds it out). */
function trainingPoints(all: number, test: number): number {
  const held = Math.min(all - 1, Math.round(test * all));
  return held > 0 ? all - held : all;
}

/** The largest total in [lo, hi] whose training part is at most `maxTrain`; 0 if none. */
function largestTotal(lo: number, hi: number, test: number, maxTrain: number): number {
  for (let all = hi; all >= lo; all--) if (trainingPoints(all, test) <= maxTrain) return all;
  return 0;
}

/**
 * What the page refuses about a run (null: it fits): the f64 oracle's check of every snapshot, on the page's own
 * thread (./session.ts's ORACLE_FRAME_MAX), must stay a few tens of ms, so training points × parameters are bounded;
 * the CLI takes any size.
 */
export function sizeRefusal(
  settings: Settings,
  data: PageData,
  upload: Upload | null,
): { text: string; field: RefusedField } | null {
  const { N, d } = data.train;
  const { hidden } = settings;
  const P = parameterCount({ d, hidden });
  if (N * P <= ORACLE_FRAME_MAX) return null;
  const deep = hidden.length > 1;
  const widest = deep ? 0 : Math.floor((ORACLE_FRAME_MAX / N - 1) / (d + 2));
  const mostTrain = Math.floor(ORACLE_FRAME_MAX / P);
  const fewer: string[] = [];
  if (widest >= 1) fewer.push(`lower the hidden width H to at most ${widest}`);
  if (deep) fewer.push('use fewer or narrower hidden layers');
  if (upload) {
    const rows = largestTotal(1, upload.data.N, settings.test, mostTrain);
    if (rows >= 1) fewer.push(`use a file of at most ${rows.toLocaleString('en-US')} rows`);
  } else if (settings.dataset !== 'xor') {
    const points = largestTotal(GEN_LIMITS.N.min, GEN_LIMITS.N.max, settings.test, mostTrain);
    if (points >= 1) fewer.push(`lower the points N to at most ${points.toLocaleString('en-US')}`);
  }
  const text =
    `The page checks every snapshot against the f64 oracle on its own thread, which keeps it answering up to ` +
    `${ORACLE_FRAME_MAX.toLocaleString('en-US')} training points × parameters; ${N.toLocaleString('en-US')} training points ` +
    `at ${widthsIn(hidden)} make ${(N * P).toLocaleString('en-US')}. ` +
    `To train here, ${fewer.join(', or ') || 'use a smaller run'}` +
    ` (npm run train -- --data FILE trains any size).`;
  return { text, field: upload ? 'upload' : widest >= 1 || deep || settings.dataset === 'xor' ? 'hidden' : 'points' };
}

/** "hidden width 8" for one layer, "hidden widths 8,8,4" for several. */
function widthsIn(hidden: readonly number[]): string {
  return hidden.length === 1 ? `hidden width ${hidden[0]}` : `hidden widths ${formatHidden(hidden)}`;
}
