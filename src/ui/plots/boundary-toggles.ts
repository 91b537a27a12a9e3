/**
 * The decision boundary's two toggles, as Playground has them: "show test points" (the held-out rings) and
 * "discretize output" (ŷ painted as its class; classification only, so disabled with the reason while regressing).
 * Both are settings, kept in the URL (./state.ts); a change redraws the picture from the last snapshot.
 */
import type { Settings } from '../state.js';

export interface BoundaryToggles {
  showTest: HTMLInputElement;
  discretize: HTMLInputElement;
  /** Says why "discretize output" is off where it cannot apply. */
  why: HTMLElement;
}

const KEYS = ['showTest', 'discretize'] as const;

export const DISCRETIZE_WHY = "discretize output needs classification: a regression's ŷ is a number, not a class";

export const NO_TEST_WHY = 'no test points: none are held out (test fraction 0, or XOR)';

/**
 * The checkboxes as the settings say: "discretize output" disabled (and why) while regressing, "show test points"
 * while no point is held out (`heldOut` false).
 */
export function showBoundaryToggles(t: BoundaryToggles, s: Settings, heldOut = true): void {
  for (const key of KEYS) t[key].checked = s[key] === 'on';
  if (!heldOut) t.showTest.checked = false; // nothing to show: not drawn ticked (the setting is kept for later data)
  const regression = s.problem === 'regression';
  t.discretize.disabled = regression;
  t.showTest.disabled = !heldOut;
  t.showTest.title = heldOut ? '' : NO_TEST_WHY;
  t.why.textContent = [regression ? DISCRETIZE_WHY : '', heldOut ? '' : NO_TEST_WHY].filter(Boolean).join('; ');
}

/** Wires the checkboxes: each change becomes a setting (`change`), which writes the URL and redraws. */
export function wireBoundaryToggles(t: BoundaryToggles, change: (patch: Partial<Settings>) => void): void {
  for (const key of KEYS) t[key].addEventListener('change', () => change({ [key]: t[key].checked ? 'on' : 'off' }));
}
