/**
 * The page's words for a run too big for the CPU engine (./session.ts's CPU_STEP_MAX_NODES): the limit, what this run
 * would build, and the largest hidden width and number of points (or rows of a file) that fit, in the terms of the
 * page's own fields. Pure: no DOM.
 */
import { graphNodes, maxHidden, maxPoints } from '../mlp/cpu-size.js';
import { GEN_LIMITS } from '../mlp/data/datasets.js';
import type { PageData, Upload } from './data-choice.js';
import { CPU_STEP_MAX_NODES, cpuSizeError, ORACLE_FRAME_MAX } from './session.js';
import { paramLayout } from '../mlp/spec.js';
import { DEFAULT_SETTINGS, type Settings } from './state.js';

type RefusedField = 'hidden' | 'points' | 'upload';

/** A run the page will not start on the CPU engine: `message` says why and what fits, beside `field`. */
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
 * What the page refuses about a GPU run (null: it fits): the oracle's check each frame (./session.ts's
 * ORACLE_FRAME_MAX) must stay a few tens of ms, so training points × parameters are bounded; the CLI takes any
 * size the GPU holds.
 */
export function gpuRefusal(
  settings: Settings,
  data: PageData,
  upload: Upload | null,
): { text: string; field: RefusedField } | null {
  const { N, d } = data.train;
  const H = settings.hidden;
  const P = paramLayout({ d, H }).size;
  if (N * P <= ORACLE_FRAME_MAX) return null;
  const widest = Math.floor((ORACLE_FRAME_MAX / N - 1) / (d + 2));
  const mostTrain = Math.floor(ORACLE_FRAME_MAX / P);
  const fewer: string[] = [];
  if (widest >= 1) fewer.push(`lower the hidden width H to at most ${widest}`);
  if (upload) {
    const rows = largestTotal(1, upload.data.N, settings.test, mostTrain);
    if (rows >= 1) fewer.push(`use a file of at most ${rows.toLocaleString('en-US')} rows`);
  } else if (settings.dataset !== 'xor') {
    const points = largestTotal(GEN_LIMITS.N.min, GEN_LIMITS.N.max, settings.test, mostTrain);
    if (points >= 1) fewer.push(`lower the points N to at most ${points.toLocaleString('en-US')}`);
  }
  const text =
    `The page checks every GPU snapshot against the CPU oracle, which keeps it answering up to ` +
    `${ORACLE_FRAME_MAX.toLocaleString('en-US')} training points × parameters; ${N.toLocaleString('en-US')} training points ` +
    `at hidden width ${H} make ${(N * P).toLocaleString('en-US')}. ` +
    `To train here, ${fewer.join(', or ') || 'use a smaller run'}` +
    ` (npm run train -- --data FILE trains any size the GPU holds).`;
  return { text, field: upload ? 'upload' : widest >= 1 || settings.dataset === 'xor' ? 'hidden' : 'points' };
}

/** What the CPU engine would refuse about this run (null: it fits), and the field to say it beside. */
export function cpuRefusal(
  settings: Settings,
  data: PageData,
  upload: Upload | null,
): { text: string; field: RefusedField } | null {
  const { N, d } = data.train;
  const H = settings.hidden;
  if (!cpuSizeError({ N, d, H })) return null;
  const fewer: string[] = [];
  const widest = maxHidden(N, d, CPU_STEP_MAX_NODES);
  if (widest >= 1) fewer.push(`lower the hidden width H to at most ${widest}`);
  /** The most rows of the file, or points of the generated set, that fit at width h (0: none). */
  const most = (h: number): string | null => {
    const maxTrain = maxPoints(h, d, CPU_STEP_MAX_NODES);
    if (upload) {
      const rows = largestTotal(1, upload.data.N, settings.test, maxTrain);
      return rows >= 1 ? `use a file of at most ${rows.toLocaleString('en-US')} rows` : null;
    }
    if (settings.dataset === 'xor') return null;
    const points = largestTotal(GEN_LIMITS.N.min, GEN_LIMITS.N.max, settings.test, maxTrain);
    return points >= 1 ? `lower the points N to at most ${points.toLocaleString('en-US')}` : null;
  };
  const fewerPoints = most(H);
  if (fewerPoints) fewer.push(fewerPoints);
  // neither alone is enough: both, at the default width
  const both = fewer.length === 0 ? most(DEFAULT_SETTINGS.hidden) : null;
  if (both) fewer.push(`set the hidden width H to ${DEFAULT_SETTINGS.hidden} and ${both.replace(/^lower /, '')}`);
  if (fewer.length === 0) fewer.push('use fewer inputs per row, fewer rows and a narrower hidden layer');
  const text =
    `The CPU engine can train at most ${CPU_STEP_MAX_NODES.toLocaleString('en-US')} graph nodes a step ` +
    `(about training points × (3·H·(d + 1) + 16)), so that one step fits in a frame and the page keeps answering; ` +
    `${N.toLocaleString('en-US')} training points at hidden width ${H} would build ${graphNodes({ N, d, H }).toLocaleString('en-US')}. ` +
    `To train here, ${fewer.join(', or ')}.`;
  return { text, field: upload ? 'upload' : widest >= 1 || settings.dataset === 'xor' ? 'hidden' : 'points' };
}
