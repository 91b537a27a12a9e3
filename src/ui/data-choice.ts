/**
 * Which data the demo trains on: a generated set from the settings (kept in the URL, so a link reproduces its points
 * and its split) or an uploaded file (read by the CLI's parser, with the CLI's messages; not in the URL). Also the
 * computation graph's "follow sample" list of training points.
 */
import type { Dataset } from '../mlp/data/data.js';
import { type DataFormat, detectFormat, parseDataset } from '../mlp/data/data-file.js';
import { DATASET_NAMES, type DatasetKind, generate, type Problem, problemOf, split } from '../mlp/data/datasets.js';
import type { DemoElements } from './dom.js';
import type { Settings } from './state.js';

export interface PageData {
  /** What trains (the GPU, the CPU, the map). */
  train: Dataset;
  /** Held out: never trained on, only evaluated; null when nothing is held out (XOR, or test fraction 0). */
  test: Dataset | null;
  /** In words, for captions and the map: "spiral, 160 training points (40 held out)". */
  label: string;
  /** Short, for headings: "spiral". */
  name: string;
  /** The generated set's kind; none for a file. */
  kind?: DatasetKind;
}

export interface Upload {
  fileName: string;
  data: Dataset;
}

/** Points listed in the "follow sample" menu at most; the rest are counted. */
export const POINTS_LISTED = 40;

/** The split's seed: a different stream of the PRNG from the one that drew the points. */
const splitSeed = (dataSeed: number) => (dataSeed + 0x9e3779b9) >>> 0;

export function pageData(s: Settings, upload: Upload | null): PageData {
  if (upload) {
    const { train, test } = split(upload.data, s.test, splitSeed(s.dataSeed));
    return { train, test, name: upload.fileName, label: describe(`your file ${upload.fileName}`, train, test) };
  }
  const all = generate({ kind: s.dataset, N: s.points, noise: s.noise, seed: s.dataSeed });
  const name = DATASET_NAMES[s.dataset];
  if (s.dataset === 'xor')
    return { train: all, test: null, name: 'XOR', kind: 'xor', label: 'XOR, the 4 points (nothing held out)' };
  const { train, test } = split(all, s.test, splitSeed(s.dataSeed));
  return { train, test, name, kind: s.dataset, label: describe(`${name} (noise ${s.noise})`, train, test) };
}

function describe(what: string, train: Dataset, test: Dataset | null): string {
  return `${what}, ${train.N.toLocaleString('en-US')} training points${test ? ` (${test.N.toLocaleString('en-US')} held out for testing)` : ''}${train.d !== 2 ? `, ${train.d} inputs` : ''}`;
}

/**
 * Reads the file chosen in `input`: a bad one is refused beside the control with
 * the CLI's message (line and column) and null is returned, leaving the run as it is.
 */
export async function tryUpload(
  els: Pick<DemoElements, 'uploadError'>,
  input: HTMLInputElement,
  settings: Settings,
  f32: boolean,
): Promise<Upload | null> {
  const file = input.files?.[0];
  if (!file) return null;
  try {
    const upload = await readUpload(file, f32, settings.problem);
    pageData(settings, upload); // a split that cannot be made is refused before anything changes
    els.uploadError.textContent = '';
    input.removeAttribute('aria-invalid');
    return upload;
  } catch (e) {
    els.uploadError.textContent = `${file.name}: ${(e as Error).message}`;
    input.setAttribute('aria-invalid', 'true');
    return null;
  } finally {
    input.value = ''; // the same file can be chosen again once it is fixed
  }
}

/** Controls that follow the data: the dataset menu (with the file, if any), which inputs apply, note, point menu. */
export function showDataControls(els: DemoElements, data: PageData, settings: Settings, upload: Upload | null): void {
  fillPointMenu(els.point, data.train, settings.sample);
  els.dataset.querySelector('option[value="file"]')?.remove();
  if (upload) els.dataset.append(new Option(`your file: ${upload.fileName}`, 'file', true, true));
  els.dataset.value = upload ? 'file' : settings.dataset;
  // the menu lists the datasets of the problem type chosen (as Playground's does)
  for (const option of els.dataset.options) {
    if (option.value === 'file') continue;
    const other = problemOf(option.value as DatasetKind) !== settings.problem;
    option.hidden = other;
    option.disabled = other;
    option.title = other ? `a ${problemOf(option.value as DatasetKind)} dataset: choose that problem type first` : '';
  }
  // XOR is its 4 points: nothing to choose; a file has its own points, but can still be split
  const xorOnly = !upload && settings.dataset === 'xor';
  for (const el of els.dataControls)
    el.disabled = xorOnly || (upload !== null && (el.name === 'points' || el.name === 'noise'));
  els.dataNote.textContent = `training on ${data.label}`;
}

/** Reads a file with the parser and the messages of `--data`; throws its RangeError (line and column) on a bad file. */
export async function readUpload(file: File, f32: boolean, problem: Problem = 'classification'): Promise<Upload> {
  const text = await file.text();
  const format: DataFormat = detectFormat(file.name, text);
  const output = problem === 'regression' ? 'identity' : 'sigmoid';
  return { fileName: file.name, data: parseDataset(text, format, { f32, output }) };
}

/** Fills the "follow sample" menu with the first training points, counted from 1: "#2 (0, 1) → 1" is sample 2. */
export function fillPointMenu(select: HTMLSelectElement, data: Dataset, sample: number): void {
  const point = sample - 1; // the row of the data
  const shown = Math.min(data.N, POINTS_LISTED);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const option = (n: number) => {
    const x = Array.from(data.x.subarray(n * data.d, (n + 1) * data.d), fmt);
    const xs = x.length > 3 ? `${x.slice(0, 3).join(', ')}, …` : x.join(', ');
    return new Option(`#${n + 1} (${xs}) → ${fmt(data.y[n]!)}`, String(n + 1));
  };
  const options = Array.from({ length: shown }, (_, n) => option(n));
  if (point >= shown && point < data.N) options.push(option(point));
  select.replaceChildren(...options);
  if (data.N > shown) {
    const more = new Option(`(the first ${shown} of ${data.N.toLocaleString('en-US')} points are listed)`, '');
    more.disabled = true;
    select.append(more);
  }
  select.value = String(Math.min(point, data.N - 1) + 1);
}
