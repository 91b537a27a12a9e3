/**
 * "Download this run" and "load a run" on the page: the run file (./run-file.ts) written from the last snapshot drawn,
 * and read back like a data file is: a bad file is refused beside its field, naming the JSON path and what is
 * allowed, and changes nothing; a good one installs its settings, its data and its parameters at its step, paused.
 */
import { type App, fillControls, newData } from '../app.js';
import { pageData } from '../data-choice.js';
import { q } from '../dom.js';
import { sizeRefusal } from '../size-limit.js';
import { type LoadedRun, readRunFile, RUN_FILE_MAX_BYTES, runFile, runFileText } from './run-file.js';

const t = (id: string) => `[data-testid="${id}"]`;

export function wireRunFile(app: App): void {
  const download = q<HTMLButtonElement>(t('run-download'));
  const load = q<HTMLInputElement>(t('run-load'));
  const error = q<HTMLElement>(t('run-load-error'));
  download.addEventListener('click', () => {
    const why = downloadRun(app);
    error.textContent = why ?? '';
  });
  load.addEventListener('change', () => void loadRun(app, load, error));
}

/** Saves the run drawn now as a file; returns why it cannot, or null. */
function downloadRun(app: App): string | null {
  const s = app.controller.last;
  const { state } = app.controller;
  if (!s || state === 'starting' || state === 'resetting')
    return 'download this run: there is no run to save yet (wait for it to start)';
  const text = runFileText(runFile({ settings: app.settings, upload: app.upload, step: s.step, params: s.params }));
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: `backprop-lab-run-step-${s.step}.json` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return null;
}

/** Reads the chosen file: a refusal is said beside the field (nothing changes); a good run is installed. */
async function loadRun(app: App, input: HTMLInputElement, error: HTMLElement): Promise<void> {
  const file = input.files?.[0];
  if (!file) return;
  try {
    if (!app.ready) throw new Error('the page is still starting; load the run again in a moment');
    if (file.size > RUN_FILE_MAX_BYTES)
      throw new Error(
        `the file has ${file.size.toLocaleString('en-US')} bytes; a run file may have at most ` +
          `${RUN_FILE_MAX_BYTES.toLocaleString('en-US')} (32 MiB)`,
      );
    const run = readRunFile(await file.text(), { f32: app.device !== null });
    const refusal = sizeRefusal(run.settings, pageData(run.settings, run.upload), run.upload);
    if (refusal) throw new Error(`this run cannot train here: ${refusal.text}`);
    install(app, run);
    error.textContent = '';
    input.removeAttribute('aria-invalid');
  } catch (e) {
    error.textContent = `${file.name}: ${(e as Error).message}`;
    input.setAttribute('aria-invalid', 'true');
  } finally {
    input.value = ''; // the same file can be chosen again once it is fixed
  }
}

/** The run's settings, data and parameters at its step, paused; the loss curve starts again from that step. */
function install(app: App, run: LoadedRun): void {
  app.controller.pause();
  app.settings = run.settings;
  app.upload = run.upload;
  fillControls(app);
  newData(app); // the data controls say what trains, and the URL follows
  app.history.clear();
  app.batchHistory.clear();
  app.timeline.clear();
  delete app.startNorms;
  void app.controller.reset({ params: run.params, step: run.step });
}
