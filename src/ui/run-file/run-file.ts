/**
 * A run as a file: the page's settings (as its link writes them), the network, the step, the flat parameters (the
 * layout of src/mlp/model.ts) and the data's identity (the generated set's settings, or the uploaded points
 * themselves), in a versioned JSON format. `readRunFile` checks a file as the data-file reader does: every refusal
 * names the field (its JSON path) and what is allowed, and nothing is returned half-checked. Pure: no DOM.
 */
import { type Dataset, describeValue, makeDataset } from '../../mlp/data/data.js';
import { F32_MAX, MAX_VALUES } from '../../mlp/data/data-file.js';
import { DATASET_NAMES, problemOf } from '../../mlp/data/datasets.js';
import { formatHidden, makeModel, modelLayout, type Output } from '../../mlp/model.js';
import { DECIMAL } from '../../mlp/decimal.js';
import { pageData, type Upload } from '../data-choice.js';
import { formatSetting, LEGACY_POINT, parseSetting, SETTINGS, type Settings } from '../state.js';

export const RUN_FORMAT = 'backprop-lab-run';
export const RUN_VERSION = 1;
/** The largest run file read: 32 MiB of text (a large network's parameters and a large uploaded data set fit). */
export const RUN_FILE_MAX_BYTES = 32 * 1024 * 1024;
/** The largest step a run file may be at: what the GPU's u32 status word counts, kept below 2³¹. */
export const RUN_STEP_MAX = 2 ** 31 - 1;
/** An uploaded file's name in a run file: at most this many characters. */
const NAME_MAX = 200;

/** The data keys of the settings: with a generated set, what makes its points. */
const DATA_KEYS = ['dataset', 'points', 'noise', 'dataSeed', 'test'] as const;

export interface RunFile {
  format: typeof RUN_FORMAT;
  version: typeof RUN_VERSION;
  /** Every setting as the page's link writes it (src/ui/state.ts toQuery). */
  settings: Record<string, string>;
  network: { d: number; hidden: number[]; activation: string; output: Output };
  step: number;
  /** Flat layout W1, b1, …, W_{L+1}, b_{L+1} (modelLayout). */
  params: number[];
  /** A generated set (its settings, repeated to be read at a glance) or the uploaded points (all of them, unsplit). */
  data:
    | { source: 'generated'; dataset: string; points: number; noise: number; dataSeed: number; test: number }
    | { source: 'file'; name: string; x: number[][]; y: number[] };
}

/** A run as the page installs it. */
export interface LoadedRun {
  settings: Settings;
  upload: Upload | null;
  step: number;
  params: Float64Array;
}

/** A refused run file: `path` is the JSON path of the field at fault ('' for the file as a whole). */
export class RunFileError extends RangeError {
  constructor(
    readonly path: string,
    what: string,
  ) {
    super(path ? `${path}: ${what}` : what);
    this.name = 'RunFileError';
  }
}

const outputOf = (s: Settings): Output => (s.problem === 'regression' ? 'identity' : 'sigmoid');

/** The run file of a run: its settings, its data, and the parameters at `step`. */
export function runFile(run: {
  settings: Settings;
  upload: Upload | null;
  step: number;
  params: ArrayLike<number>;
}): RunFile {
  const { settings: s, upload } = run;
  const settings: Record<string, string> = {};
  for (const key of Object.keys(SETTINGS) as (keyof Settings)[]) settings[key] = formatSetting(key, s[key]);
  const d = upload ? upload.data.d : 2;
  const data: RunFile['data'] = upload
    ? {
        source: 'file',
        name: upload.fileName,
        x: Array.from({ length: upload.data.N }, (_, n) => Array.from(upload.data.x.subarray(n * d, (n + 1) * d))),
        y: Array.from(upload.data.y),
      }
    : { source: 'generated', dataset: s.dataset, points: s.points, noise: s.noise, dataSeed: s.dataSeed, test: s.test };
  return {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    settings,
    network: { d, hidden: [...s.hidden], activation: s.activation, output: outputOf(s) },
    step: run.step,
    params: Array.from(run.params),
    data,
  };
}

/** The file's text: JSON, one top-level field a line (the long arrays each on one line). */
export function runFileText(file: RunFile): string {
  const lines = Object.entries(file).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What each field of a run file holds, said when it is missing (keyed by its JSON path, settings.* by "settings."). */
const HOLDS: Record<string, string> = {
  version: `the run file version, ${RUN_VERSION}`,
  settings: 'an object of every setting as the page\'s link writes it (like "lr": "0.5")',
  'settings.': "this setting's value as the page's link writes it",
  data:
    'an object saying what the run trained on: {"source": "generated", dataset, points, noise, dataSeed, test} ' +
    'or {"source": "file", name, x, y}',
  'data.source': '"generated" or "file"',
  'data.name': "the uploaded file's name",
  'data.x': 'the points, an array of rows, each an array of numbers',
  'data.y': 'the labels, an array of numbers, one a row of data.x',
  network: 'an object {d, hidden, activation, output} describing the network',
  'network.d': "the number of inputs, the data's columns",
  'network.hidden': "the hidden layers' sizes, an array like [4]",
  'network.activation': "the hidden units' activation, as settings.activation",
  'network.output': '"sigmoid" for classification or "identity" for regression',
  step: `the step the parameters are at, an integer in [0, ${RUN_STEP_MAX}]`,
  params: "the network's parameters, one array of numbers in the order W1, b1, W2, b2, …",
};

function field(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!(key in obj)) {
    const dataKey = path === 'data.' && (DATA_KEYS as readonly string[]).includes(key);
    const holds = HOLDS[`${path}${key}`] ?? (dataKey ? `settings.${key}'s value` : HOLDS[path]);
    throw new RunFileError(`${path}${key}`, holds ? `missing; it must hold ${holds}` : 'missing');
  }
  return obj[key];
}

function objectAt(v: unknown, path: string): Record<string, unknown> {
  if (!isObject(v)) throw new RunFileError(path, `must be an object, got ${describeValue(v)}`);
  return v;
}

/** A finite number within f32's range where `f32` (the GPU holds it), else any finite number. */
function checkNumber(v: unknown, path: string, f32: boolean): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (f32 && Math.abs(v) > F32_MAX))
    throw new RunFileError(
      path,
      `is ${describeValue(v)}, must be a finite number${f32 ? ' within f32 (|v| ≤ 3.4e38)' : ''}`,
    );
  return v;
}

/**
 * Reads a run file's text, checking everything; throws a RunFileError naming the JSON path and what is allowed.
 * `f32`: the run will train on the GPU, so every number must fit an f32.
 */
export function readRunFile(text: string, { f32 = false }: { f32?: boolean } = {}): LoadedRun {
  if (text.length > RUN_FILE_MAX_BYTES)
    throw new RunFileError(
      '',
      `the file has ${text.length.toLocaleString('en-US')} characters; a run file may have at most ` +
        `${RUN_FILE_MAX_BYTES.toLocaleString('en-US')} (32 MiB)`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new RunFileError('', `not a run file: it is not JSON (${(e as Error).message})`);
  }
  const top = objectAt(json, '(the file)');
  if (!('format' in top))
    throw new RunFileError(
      '',
      'not a run file: it has no "format" field. A run file is what "Download this run" writes; points to train on ' +
        'go in "your own data" under More data settings',
    );
  const format = top.format;
  if (format !== RUN_FORMAT)
    throw new RunFileError(
      'format',
      `must be "${RUN_FORMAT}" (a run downloaded from this page), got ${describeValue(format)}`,
    );
  const version = field(top, 'version', '');
  if (version !== RUN_VERSION)
    throw new RunFileError(
      'version',
      `this page reads version ${RUN_VERSION} run files, got ${describeValue(version)}`,
    );
  const settings = readSettings(objectAt(field(top, 'settings', ''), 'settings'));
  const upload = readData(objectAt(field(top, 'data', ''), 'data'), settings, f32);
  let train: Dataset;
  try {
    train = pageData(settings, upload).train;
  } catch (e) {
    throw new RunFileError('data', (e as Error).message);
  }
  const network = objectAt(field(top, 'network', ''), 'network');
  const d = field(network, 'd', 'network.');
  if (d !== train.d)
    throw new RunFileError('network.d', `must be the data's ${train.d} inputs, got ${describeValue(d)}`);
  const hidden = field(network, 'hidden', 'network.');
  if (!Array.isArray(hidden) || formatHidden(hidden as number[]) !== formatHidden(settings.hidden)) {
    const got = Array.isArray(hidden) ? `[${formatHidden(hidden as number[])}]` : describeValue(hidden);
    throw new RunFileError(
      'network.hidden',
      `must be settings.hidden's [${formatHidden(settings.hidden)}], got ${got}`,
    );
  }
  const activation = field(network, 'activation', 'network.');
  if (activation !== settings.activation)
    throw new RunFileError(
      'network.activation',
      `must be settings.activation's "${settings.activation}", got ${describeValue(activation)}`,
    );
  const output = field(network, 'output', 'network.');
  if (output !== outputOf(settings))
    throw new RunFileError(
      'network.output',
      `must be "${outputOf(settings)}" for problem type ${settings.problem}, got ${describeValue(output)}`,
    );
  const step = field(top, 'step', '');
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > RUN_STEP_MAX)
    throw new RunFileError('step', `must be an integer in [0, ${RUN_STEP_MAX}], got ${describeValue(step)}`);
  const model = makeModel({ d: train.d, hidden: settings.hidden });
  const P = modelLayout(model).size;
  const raw = field(top, 'params', '');
  if (!Array.isArray(raw) || raw.length !== P)
    throw new RunFileError(
      'params',
      `must be ${P.toLocaleString('en-US')} numbers for the network ${[train.d, ...settings.hidden, 1].join('-')}, ` +
        `got ${Array.isArray(raw) ? `${raw.length.toLocaleString('en-US')}` : describeValue(raw)}`,
    );
  const params = Float64Array.from(raw, (v, i) => checkNumber(v, `params[${i}]`, f32));
  return { settings, upload, step, params };
}

/** Every setting, each as the link would give it (a string, or a number for a numeric one). */
function readSettings(given: Record<string, unknown>): Settings {
  const obj = legacyPoint(given);
  const keys = Object.keys(SETTINGS) as (keyof Settings)[];
  for (const key of Object.keys(obj))
    if (!(keys as string[]).includes(key))
      throw new RunFileError(`settings.${key}`, `not a setting of this page (they are ${keys.join(', ')})`);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = field(obj, key, 'settings.');
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new RunFileError(
        `settings.${key}`,
        `must be a string as the page's link writes it, got ${describeValue(v)}`,
      );
    const r = parseSetting(key, String(v));
    if ('error' in r) throw new RunFileError(`settings.${key}`, r.error);
    out[key] = r.value;
  }
  const s = out as unknown as Settings;
  if (s.problem === 'regression' && s.loss !== 'mse')
    throw new RunFileError(
      'settings.loss',
      `must be mse for problem type regression (BCE needs the σ output), got ${s.loss}`,
    );
  return s;
}

/** A file written before the followed sample was counted from 1 says "point" (counted from 0): read as sample + 1. */
function legacyPoint(obj: Record<string, unknown>): Record<string, unknown> {
  if (!(LEGACY_POINT.key in obj) || 'sample' in obj) return obj;
  const { [LEGACY_POINT.key]: raw, ...rest } = obj;
  const n = typeof raw === 'number' || typeof raw === 'string' ? Number(String(raw).trim()) : NaN;
  if (!DECIMAL.test(String(raw).trim()) || !Number.isInteger(n) || n < LEGACY_POINT.min || n > LEGACY_POINT.max)
    throw new RunFileError(
      'settings.point',
      `the followed point counted from 0 must be an integer in [${LEGACY_POINT.min}, ${LEGACY_POINT.max}], ` +
        `got ${describeValue(raw)}`,
    );
  return { ...rest, sample: String(n + 1) };
}

/** The data: a generated set must agree with the settings; uploaded points are checked as a data file's are. */
function readData(obj: Record<string, unknown>, settings: Settings, f32: boolean): Upload | null {
  const source = field(obj, 'source', 'data.');
  if (source === 'generated') {
    if (problemOf(settings.dataset) !== settings.problem)
      throw new RunFileError(
        'settings.problem',
        `the dataset ${DATASET_NAMES[settings.dataset]} is for ${problemOf(settings.dataset)}, got ${settings.problem}`,
      );
    for (const key of DATA_KEYS) {
      const v = field(obj, key, 'data.');
      if (v !== settings[key])
        throw new RunFileError(
          `data.${key}`,
          `must be settings.${key}'s ${String(settings[key])}, got ${describeValue(v)}`,
        );
    }
    return null;
  }
  if (source !== 'file')
    throw new RunFileError('data.source', `must be "generated" or "file", got ${describeValue(source)}`);
  const name = field(obj, 'name', 'data.');
  if (typeof name !== 'string' || name.length === 0 || name.length > NAME_MAX)
    throw new RunFileError(
      'data.name',
      `must be a file name of 1 to ${NAME_MAX} characters, got ${describeValue(name)}`,
    );
  const x = field(obj, 'x', 'data.');
  const y = field(obj, 'y', 'data.');
  if (!Array.isArray(x) || !x.every(Array.isArray))
    throw new RunFileError('data.x', 'must be an array of rows, each an array of numbers');
  if (!Array.isArray(y)) throw new RunFileError('data.y', `must be an array of labels, got ${describeValue(y)}`);
  const values = (x as unknown[][]).reduce((n, row) => n + row.length, 0) + y.length;
  if (values > MAX_VALUES)
    throw new RunFileError(
      'data',
      `has ${values.toLocaleString('en-US')} numbers; at most ${MAX_VALUES.toLocaleString('en-US')}`,
    );
  (x as unknown[][]).forEach((row, n) => row.forEach((v, i) => checkNumber(v, `data.x[${n}][${i}]`, f32)));
  y.forEach((v, n) => checkNumber(v, `data.y[${n}]`, f32));
  try {
    return { fileName: name, data: makeDataset(x as number[][], y as number[], { output: outputOf(settings) }) };
  } catch (e) {
    throw new RunFileError('data', (e as Error).message.replace(/^data: /, ''));
  }
}
