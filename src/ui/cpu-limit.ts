/**
 * The page's words for a run too big for the CPU engine (./session.ts's CPU_STEP_MAX_NODES): the limit, what this run
 * would build, and the largest hidden width and number of points (or rows of a file) that fit, in the terms of the
 * page's own fields. Pure: no DOM.
 */
import { maxHidden, maxPoints, modelGraphNodes, type ModelCpuSize } from '../mlp/cpu-size.js';
import { formatHidden, parameterCount } from '../mlp/model.js';
import { GEN_LIMITS } from '../mlp/data/datasets.js';
import type { PageData, Upload } from './data-choice.js';
import { CPU_STEP_MAX_NODES, ORACLE_FRAME_MAX } from './session.js';
import { DEFAULT_SETTINGS, type Settings } from './state.js';

type RefusedField = 'hidden' | 'points' | 'upload' | 'batch';

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
    `The page checks every GPU snapshot against the CPU oracle, which keeps it answering up to ` +
    `${ORACLE_FRAME_MAX.toLocaleString('en-US')} training points × parameters; ${N.toLocaleString('en-US')} training points ` +
    `at ${widthsIn(hidden)} make ${(N * P).toLocaleString('en-US')}. ` +
    `To train here, ${fewer.join(', or ') || 'use a smaller run'}` +
    ` (npm run train -- --data FILE trains any size the GPU holds).`;
  return { text, field: upload ? 'upload' : widest >= 1 || deep || settings.dataset === 'xor' ? 'hidden' : 'points' };
}

/** "hidden width 8" for one layer, "hidden widths 8,8,4" for several. */
function widthsIn(hidden: readonly number[]): string {
  return hidden.length === 1 ? `hidden width ${hidden[0]}` : `hidden widths ${formatHidden(hidden)}`;
}

/** The rows one step's graph holds: the batch size, or every training point. */
export function batchRows(settings: Pick<Settings, 'batch'>, N: number): number {
  return settings.batch === 'all' ? N : Math.min(settings.batch, N);
}

/** What the CPU engine would refuse about this run (null: it fits), and the field to say it beside. */
export function cpuRefusal(
  settings: Settings,
  data: PageData,
  upload: Upload | null,
): { text: string; field: RefusedField } | null {
  const { N, d } = data.train;
  const { hidden } = settings;
  const B = batchRows(settings, N);
  const penalty = settings.reg !== 'none' && settings.lambda > 0;
  const size: ModelCpuSize = { N, B, d, hidden, penalty };
  const nodes = modelGraphNodes(size);
  if (nodes <= CPU_STEP_MAX_NODES) return null;
  const fewer: string[] = [];
  const by = { width: false, points: false, batch: false };
  if (hidden.length === 1 && !penalty) {
    const widest = maxHidden(B, d, CPU_STEP_MAX_NODES);
    if (widest >= 1) fewer.push(`lower the hidden width H to at most ${widest}`);
    by.width = widest >= 1;
  } else {
    fewer.push('use fewer or narrower hidden layers');
    by.width = true;
  }
  if (B === N && hidden.length === 1 && !penalty) {
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
    const fewerPoints = most(hidden[0]!);
    if (fewerPoints) fewer.push(fewerPoints);
    // neither alone is enough: both, at the default width
    const both = fewer.length === 0 ? most(DEFAULT_SETTINGS.hidden[0]!) : null;
    if (both) fewer.push(`set the hidden width H to ${DEFAULT_SETTINGS.hidden[0]} and ${both.replace(/^lower /, '')}`);
    by.points = fewerPoints !== null || both !== null;
  }
  if (B > 1) {
    // a smaller batch: each step's graph holds only its rows
    let most = B - 1;
    while (most >= 1 && modelGraphNodes({ ...size, B: most }) > CPU_STEP_MAX_NODES) most--;
    if (most >= 1) {
      fewer.push(`set the batch size to at most ${most}`);
      by.batch = true;
    }
  }
  if (fewer.length === 0) fewer.push('use fewer inputs per row, fewer rows and a narrower hidden layer');
  const rows =
    B < N ? `a batch of ${B.toLocaleString('en-US')} training points` : `${N.toLocaleString('en-US')} training points`;
  const text =
    `The CPU engine can train at most ${CPU_STEP_MAX_NODES.toLocaleString('en-US')} graph nodes a step ` +
    `(about the batch's points × (3·H·(d + 1) + 16) for one hidden layer), so that one step fits in a frame and the ` +
    `page keeps answering; ${rows} at ${widthsIn(hidden)} would build ${nodes.toLocaleString('en-US')}. ` +
    `To train here, ${fewer.join(', or ')}.`;
  // said beside the first field the advice names (the hidden width where nothing else applies, as for XOR)
  const field: RefusedField = upload
    ? 'upload'
    : by.width
      ? 'hidden'
      : by.points
        ? 'points'
        : by.batch
          ? 'batch'
          : 'hidden';
  return { text, field };
}
