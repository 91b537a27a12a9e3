/**
 * The page's state, one object passed explicitly (no module-level state), and
 * the small helpers that read or write it: the banner, the URL, the controls,
 * the data the demo trains on.
 */
import type { AdapterSummary } from '../gpu/device.js';
import { MODEL_LIMITS } from '../mlp/model.js';
import type { PlaybackController } from './controller.js';
import { type PageData, pageData, showDataControls, type Upload } from './data-choice.js';
import { type DemoElements, q, settingControls } from './dom.js';
import { type BoundaryToggles, showBoundaryToggles } from './plots/boundary-toggles.js';
import type { LossHistory } from './history.js';
import type { Timeline } from './timeline.js';
import { formatSetting, type Settings, toQuery } from './state.js';
import { showSpeed } from './view.js';
import type { Snapshot } from './session.js';
import type { PullView } from './plots/pull-map.js';

/** Where a run that had to leave the GPU continues from. */
export interface From {
  params: Float64Array;
  step: number;
}

export interface App {
  els: DemoElements;
  settings: Settings;
  /** What trains and what is held out (data-choice.ts); `upload` is the learner's file, if one is in use. */
  data: PageData;
  upload: Upload | null;
  /** The WebGPU device, or null when training runs on the CPU engine. */
  device: GPUDevice | null;
  adapter: AdapterSummary | null;
  /** False until WebGPU has been asked for: settings changed before then only update the URL. */
  ready: boolean;
  controller: PlaybackController<From>;
  history: LossHistory;
  /** With mini-batches: the loss of the batch each snapshot's next step descends, drawn faint behind the curve. */
  batchHistory: LossHistory;
  /** ‖∂L/∂W_l‖ per layer at step 0 of this run (for the gradient-size hint). */
  startNorms?: readonly number[];
  /** The run's moments kept for looking back (./scrub.ts); cleared with the history when a new run starts. */
  timeline: Timeline;
  /** The earlier step drawn now, recomputed from the timeline, while the learner looks back; else absent. */
  past?: Snapshot;
  /** Told each time the page starts or stops looking back (the weight panel reads the step looked at). */
  onLookBack?: (past: Snapshot | undefined) => void;
  fd: boolean;
  /** Each sample's pull on the chosen parameter (./plots/pull-map.ts). */
  pull?: PullView;
  /** What the banner says, by kind; empty kinds are not shown. */
  banners: Partial<Record<BannerKind, string>>;
  /** The technical reason behind a banner's plain words, folded under it; cleared with its banner. */
  bannerDetails?: Partial<Record<BannerKind, string>>;
  /** The words on each banner detail's fold ("The technical reason" unless said). */
  bannerSummaries?: Partial<Record<BannerKind, string>>;
}

/**
 * The banner's messages: settings the link could not use, where training runs
 * (no WebGPU, a lost device), and why this run stopped. A new run clears the
 * first and the last; where training runs stays said.
 */
export type BannerKind = 'link' | 'backend' | 'failure';
const BANNER_ORDER: readonly BannerKind[] = ['link', 'backend', 'failure'];

export function banner(app: App, text: string, kind: BannerKind, detail = '', summary = 'The technical reason'): void {
  app.banners[kind] = text;
  (app.bannerDetails ??= {})[kind] = detail;
  (app.bannerSummaries ??= {})[kind] = summary;
  showBanner(app);
}

/** A new run: the link's refusals and the last run's failure no longer apply. */
export function clearRunBanners(app: App): void {
  delete app.banners.link;
  delete app.banners.failure;
  showBanner(app);
}

function showBanner(app: App): void {
  const said = BANNER_ORDER.filter((k) => app.banners[k]);
  app.els.banner.replaceChildren(
    ...said.map((k) => {
      const span = Object.assign(document.createElement('span'), {
        className: `banner-${k}`,
        textContent: app.banners[k],
      });
      const detail = app.bannerDetails?.[k];
      if (detail) {
        const fold = document.createElement('details');
        fold.append(
          Object.assign(document.createElement('summary'), {
            textContent: app.bannerSummaries?.[k] ?? 'The technical reason',
          }),
          detail,
        );
        span.append(fold);
      }
      return span;
    }),
  );
  app.els.banner.hidden = said.length === 0;
}

/** Ends a message with exactly one full stop. */
export function sentence(text: string): string {
  return `${text.replace(/[.\s]+$/, '')}.`;
}

/** A new session from the current settings: on the GPU if there is one, else on the CPU engine. */
/** The settings each session was built with (for tests: what is training now). */
export function writeUrl(app: App): void {
  history.replaceState(null, '', toQuery(app.settings));
}

/** Settings that change the data: a new run on the new points. */
export const DATA_KEYS: readonly (keyof Settings)[] = ['dataset', 'points', 'noise', 'dataSeed', 'test'];

/** The data from the current settings (or the uploaded file), and the controls that depend on it. */
export function newData(app: App): void {
  app.data = pageData(app.settings, app.upload);
  if (app.settings.sample > app.data.train.N) app.settings = { ...app.settings, sample: 1 };
  showDataControls(app.els, app.data, app.settings, app.upload);
  showModelControls(app);
  showBoundaryToggles(boundaryToggles(), app.settings, app.data.test !== null);
  writeUrl(app);
}

export function fillControls(app: App): void {
  for (const el of settingControls()) {
    const key = el.name as keyof Settings;
    el.value = formatSetting(key, app.settings[key]);
  }
  showSpeed(app.els, app.settings.speed);
  showModelControls(app);
  showBoundaryToggles(boundaryToggles(), app.settings, app.data.test !== null);
}

/** The decision boundary's checkboxes (./plots/boundary-toggles.ts). */
export function boundaryToggles(): BoundaryToggles {
  return { showTest: q('[name="showTest"]'), discretize: q('[name="discretize"]'), why: q('#discretize-why') };
}

/**
 * Controls that follow the network: BCE only with the σ output; the rate λ only with a penalty; a layer can be removed
 * down to one, added up to six.
 */
export function showModelControls(app: App): void {
  const { els, settings } = app;
  const bce = els.lossChoice.querySelector<HTMLOptionElement>('option[value="bce"]');
  if (bce) {
    bce.disabled = settings.problem === 'regression';
    bce.title = bce.disabled ? 'BCE needs the σ output of classification: regression trains with MSE' : '';
  }
  els.lambda.disabled = settings.reg === 'none'; // no penalty: its rate has nothing to weigh
  // a batch larger than the training set trains on the full batch: said beside the field, not refused
  const note = document.querySelector<HTMLElement>('[data-error="batch"]');
  const N = app.data.train.N;
  if (note && (note.dataset.marked === 'batch' || note.textContent === '')) {
    const over = settings.batch !== 'all' && settings.batch > N;
    note.textContent = over
      ? `batch size ${settings.batch} is more than the ${N.toLocaleString('en-US')} training points: each step uses all of them (the full batch)`
      : '';
    if (over) note.dataset.marked = 'batch';
    else delete note.dataset.marked;
  }
  els.removeLayer.disabled = settings.hidden.length <= MODEL_LIMITS.layers.min;
  els.addLayer.disabled = settings.hidden.length >= MODEL_LIMITS.layers.max;
}
