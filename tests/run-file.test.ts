/**
 * The run file (src/ui/run-file/run-file.ts): a run written and read back is the same run (settings, data, step and
 * parameters, bit for bit), and hostile files are refused with the JSON path at fault and what is allowed.
 */
import { describe, expect, it } from 'vitest';
import { initModelParams } from '../src/mlp/init.js';
import { makeDataset } from '../src/mlp/data/data.js';
import { modelLayout } from '../src/mlp/model.js';
import { pageData } from '../src/ui/data-choice.js';
import {
  readRunFile,
  RUN_FILE_MAX_BYTES,
  runFile,
  type RunFile,
  RunFileError,
  runFileText,
} from '../src/ui/run-file/run-file.js';
import { DEFAULT_SETTINGS, type Settings } from '../src/ui/state.js';
import { bits } from './support/bits.js';

const SPIRAL: Settings = {
  ...DEFAULT_SETTINGS,
  dataset: 'spiral',
  hidden: [6, 3],
  activation: 'tanh',
  points: 120,
  noise: 0.2,
  dataSeed: 9,
  test: 0.25,
  lr: 0.03,
  batch: 16,
  reg: 'l2',
  lambda: 0.002,
  seed: 77,
  discretize: 'on',
};

/** Parameters no initialiser gives: seeded ones scaled by an irrational, so every bit of each f64 matters. */
function oddParams(d: number, hidden: readonly number[]): Float64Array {
  return Float64Array.from(initModelParams({ d, hidden }, 5), (v) => v * Math.PI);
}

function good(settings = SPIRAL): RunFile {
  return runFile({ settings, upload: null, step: 1234, params: oddParams(2, settings.hidden) });
}

/** The file as JSON with one change made by `edit`, as text. */
function hostile(edit: (f: Record<string, unknown>) => void): string {
  const f = JSON.parse(runFileText(good())) as Record<string, unknown>;
  edit(f);
  return JSON.stringify(f);
}

function refusal(text: string, f32 = false): RunFileError {
  try {
    readRunFile(text, { f32 });
  } catch (e) {
    expect(e).toBeInstanceOf(RunFileError);
    return e as RunFileError;
  }
  throw new Error('the file was accepted');
}

describe('a run written and read back', () => {
  it('a generated set: the same settings, step and parameters bit for bit', () => {
    const params = oddParams(2, SPIRAL.hidden);
    const text = runFileText(runFile({ settings: SPIRAL, upload: null, step: 1234, params }));
    const back = readRunFile(text);
    expect(back.settings).toEqual(SPIRAL);
    expect(back.upload).toBeNull();
    expect(back.step).toBe(1234);
    expect(bits(back.params)).toEqual(bits(params));
    expect(JSON.parse(text).format).toBe('backprop-lab-run');
  });

  it('uploaded points (3 inputs, regression) travel in the file and split as before', () => {
    const rows = Array.from({ length: 11 }, (_, n) => [n / 7, -n * 1.1, Math.sin(n)]);
    const labels = rows.map((r) => r[0]! - 2 * r[2]!);
    const upload = { fileName: 'mine.csv', data: makeDataset(rows, labels, { output: 'identity' }) };
    const settings: Settings = {
      ...DEFAULT_SETTINGS,
      problem: 'regression',
      dataset: 'reg-plane',
      loss: 'mse',
      test: 0.3,
    };
    const params = oddParams(3, settings.hidden);
    const back = readRunFile(runFileText(runFile({ settings, upload, step: 7, params })));
    expect(back.upload?.fileName).toBe('mine.csv');
    expect(bits(back.upload!.data.x)).toEqual(bits(upload.data.x));
    expect(bits(back.upload!.data.y)).toEqual(bits(upload.data.y));
    expect(pageData(back.settings, back.upload).train.N).toBe(pageData(settings, upload).train.N);
    expect(bits(back.params)).toEqual(bits(params));
  });
});

describe('hostile run files are refused naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"format": "backprop-lab-run", ', /^not a run file: it is not JSON/],
    ['JSON but an array', '[1, 2]', /^\(the file\): must be an object, got an array/],
    [
      'a data file, not a run',
      '{"x": [[0, 0]], "y": [0]}',
      /^not a run file: it has no "format" field\. A run file is what "Download this run" writes; points to train on go in "your own data" under More data settings$/,
    ],
    [
      'no parameters',
      hostile((f) => delete f.params),
      /^params: missing; it must hold the network's parameters, one array of numbers in the order W1, b1, W2, b2/,
    ],
    [
      'no step',
      hostile((f) => delete f.step),
      /^step: missing; it must hold the step .*an integer in \[0, 2147483647\]$/,
    ],
    [
      'a data key missing',
      hostile((f) => delete (f.data as Record<string, unknown>).noise),
      /^data\.noise: missing; it must hold settings\.noise's value$/,
    ],
    ['another format', hostile((f) => (f.format = 'tensorflow-playground')), /^format: must be "backprop-lab-run"/],
    ['a later version', hostile((f) => (f.version = 2)), /^version: this page reads version 1 run files, got 2$/],
    ['a version as a string', hostile((f) => (f.version = '1')), /^version: .*got the string "1"$/],
    [
      'a learning rate out of range',
      hostile((f) => ((f.settings as Record<string, string>).lr = '1e9')),
      /^settings\.lr: learning rate must be .*got '1e9'$/,
    ],
    [
      'a setting missing',
      hostile((f) => delete (f.settings as Record<string, string>).seed),
      /^settings\.seed: missing; it must hold this setting's value as the page's link writes it$/,
    ],
    [
      'an unknown setting',
      hostile((f) => ((f.settings as Record<string, string>).momentum = '0.9')),
      /^settings\.momentum: not a setting of this page/,
    ],
    [
      'a network unlike the settings',
      hostile((f) => ((f.network as Record<string, unknown>).hidden = [6, 4])),
      /^network\.hidden: must be settings\.hidden's \[6,3\], got \[6,4\]$/,
    ],
    [
      'data that disagrees with the settings',
      hostile((f) => ((f.data as Record<string, unknown>).points = 121)),
      /^data\.points: must be settings\.points's 120, got 121$/,
    ],
    [
      'params of the wrong length',
      hostile((f) => (f.params as number[]).pop()),
      /^params: must be 43 numbers for the network 2-6-3-1, got 42$/,
    ],
    [
      'params not an array',
      hostile((f) => (f.params = 'lots')),
      /^params: must be 43 numbers .*got the string "lots"$/,
    ],
    [
      'a non-finite parameter (JSON has no NaN: null)',
      hostile((f) => ((f.params as unknown[])[7] = null)),
      /^params\[7\]: is null, must be a finite number$/,
    ],
    [
      'a parameter as a string',
      hostile((f) => ((f.params as unknown[])[0] = 'NaN')),
      /^params\[0\]: is the string "NaN", must be a finite number$/,
    ],
    [
      'a parameter beyond f64 (1e999 parses as Infinity)',
      runFileText(good()).replace(/"params": \[[^,]+/, '"params": [1e999'),
      /^params\[0\]: is Infinity, must be a finite number$/,
    ],
    ['a negative step', hostile((f) => (f.step = -1)), /^step: must be an integer in \[0, 2147483647\], got -1$/],
    ['a fractional step', hostile((f) => (f.step = 2.5)), /^step: must be an integer .*got 2\.5$/],
    [
      'uploaded points with a ragged row',
      hostile((f) => {
        (f.settings as Record<string, string>).dataset = 'xor';
        f.data = { source: 'file', name: 'a.csv', x: [[0, 0], [1], [0, 1]], y: [0, 1, 1] };
      }),
      /^data: row 1 has 1 features, row 0 has 2$/,
    ],
    [
      'uploaded labels outside [0, 1] for classification',
      hostile(
        (f) =>
          (f.data = {
            source: 'file',
            name: 'a.csv',
            x: [
              [0, 0],
              [1, 1],
            ],
            y: [0, 3],
          }),
      ),
      /^data: y\[1\] is 3, must be a number in \[0, 1\]$/,
    ],
    [
      'an unknown data source',
      hostile((f) => (f.data = { source: 'url' })),
      /^data\.source: must be "generated" or "file"/,
    ],
  ];
  for (const [what, text, message] of cases)
    it(what, () => {
      expect(refusal(text).message).toMatch(message);
    });

  it('a value beyond f32 is refused for the GPU (and read on the CPU)', () => {
    const text = runFileText(good()).replace(/"params": \[[^,]+/, '"params": [1e39');
    expect(refusal(text, true).message).toMatch(/^params\[0\]: is 1e\+39, must be a finite number within f32/);
    expect(readRunFile(text).params[0]).toBe(1e39);
  });

  it(`a file over ${RUN_FILE_MAX_BYTES / 2 ** 20} MiB is refused before it is parsed`, () => {
    const text = `${runFileText(good())}${' '.repeat(RUN_FILE_MAX_BYTES)}`;
    expect(refusal(text).message).toMatch(/^the file has [\d,]+ characters; a run file may have at most 33,554,432/);
  });

  it('the parameter count follows the network: a 2-8-1 file has 33', () => {
    const settings = { ...DEFAULT_SETTINGS };
    expect(good(settings).params).toHaveLength(modelLayout({ d: 2, hidden: [8] }).size);
    expect(modelLayout({ d: 2, hidden: [8] }).size).toBe(33);
  });
});
