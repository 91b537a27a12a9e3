/** The page's elements, looked up once; a missing one is a bug in index.html and says which. */
import type { SweepElements } from './map/map-panel.js';

export function q<T extends Element>(selector: string): T {
  const el = document.querySelector<T>(selector);
  if (!el) throw new Error(`page: missing element ${selector}`);
  return el;
}

const t = (id: string) => `[data-testid="${id}"]`;

export function demoElements() {
  return {
    demo: q<HTMLElement>('#demo'),
    banner: q<HTMLElement>(t('banner')),
    play: q<HTMLButtonElement>('#play'),
    stepOnce: q<HTMLButtonElement>('#step'),
    reset: q<HTMLButtonElement>('#reset'),
    state: q<HTMLElement>(t('state')),
    fd: q<HTMLButtonElement>('#fd'),
    controls: q<HTMLFormElement>('#controls'),
    point: q<HTMLSelectElement>(t('input-point')),
    dataset: q<HTMLSelectElement>(t('input-dataset')),
    dataControls: ['points', 'noise', 'dataSeed', 'test'].map((name) => q<HTMLInputElement>(t(`input-${name}`))),
    upload: q<HTMLInputElement>(t('input-upload')),
    uploadError: q<HTMLElement>(t('error-upload')),
    dataNote: q<HTMLElement>(t('data-note')),
    testLoss: q<HTMLElement>(t('test-loss')),
    testAccuracy: q<HTMLElement>(t('test-accuracy')),
    unitMaps: q<HTMLElement>(t('unit-maps')),
    backend: q<HTMLElement>(t('backend')),
    step: q<HTMLElement>(t('step')),
    epoch: q<HTMLElement>(t('epoch')),
    loss: q<HTMLElement>(t('loss')),
    lossTerms: q<HTMLElement>(t('loss-terms-stat')),
    dataLoss: q<HTMLElement>(t('data-loss')),
    penalty: q<HTMLElement>(t('penalty')),
    accuracyStat: q<HTMLElement>(t('accuracy-stat')),
    accuracy: q<HTMLElement>(t('accuracy')),
    rmseStat: q<HTMLElement>(t('rmse-stat')),
    rmse: q<HTMLElement>(t('rmse')),
    r2Stat: q<HTMLElement>(t('r2-stat')),
    r2: q<HTMLElement>(t('r2')),
    testMetricName: q<HTMLElement>(t('test-metric-name')),
    hidden: q<HTMLInputElement>(t('input-hidden')),
    addLayer: q<HTMLButtonElement>(t('add-layer')),
    removeLayer: q<HTMLButtonElement>(t('remove-layer')),
    lossChoice: q<HTMLSelectElement>(t('input-loss')),
    lambda: q<HTMLInputElement>(t('input-lambda')),
    speed: q<HTMLElement>(t('speed')),
    speedInput: q<HTMLInputElement>(t('input-speed')),
    speedWords: q<HTMLOutputElement>(t('speed-words')),
    kernel: q<HTMLElement>(t('kernel')),
    hints: q<HTMLElement>(t('hints')),
    lossCurve: q<HTMLCanvasElement>('#loss-curve'),
    boundary: q<HTMLCanvasElement>('#boundary'),
    network: q<SVGSVGElement>('#network'),
    diagram: q<HTMLElement>('#diagram'),
    gradients: q<HTMLElement>('#gradients'),
  };
}

export type DemoElements = ReturnType<typeof demoElements>;

export function sweepElements(): SweepElements {
  return {
    run: q('#sweep-run'),
    cancel: q('#sweep-cancel'),
    seeds: q('#sweep-seeds'),
    activation: q('#sweep-activation'),
    progress: q('#sweep-progress'),
    time: q('#sweep-time'),
    note: q('#sweep-note'),
    grid: q('#sweep-grid'),
    detail: q('#sweep-detail'),
  };
}

/** Every setting's control (inputs, selects) by name. */
export function settingControls(): (HTMLInputElement | HTMLSelectElement)[] {
  return [
    ...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
      '#controls [name]:not([type="file"]), select[name="sample"]',
    ),
  ];
}

/** Regions that may scroll (code, wide formulas and tables) are made focusable, so a keyboard can scroll them. */
export function keyboardScrollable(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>('pre, .grad-scroll, .katex-display, table')) {
    if (!el.hasAttribute('tabindex')) el.tabIndex = 0;
  }
}
