/**
 * The derivation, reading notes, exercises, note on method and the appendix on checking, rendered into the page on demand (their Markdown ships
 * as separate chunks, so page load does not pay for them, and they work offline). Any link to #doc-<name> (header,
 * explainer, or another document: src/ui/markdown.ts rewrites `name.md` to it) opens that document and scrolls to it.
 */
import { keyboardScrollable } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { defineTerms } from './terms.js';

const LOADERS: Record<string, () => Promise<{ default: string }>> = {
  derivation: () => import('../../docs/derivation.md?raw'),
  'reading-notes': () => import('../../docs/reading-notes.md?raw'),
  exercises: () => import('../../docs/exercises.md?raw'),
  philosophy: () => import('../../docs/philosophy.md?raw'),
  checking: () => import('../../docs/checking.md?raw'),
};

async function fill(details: HTMLDetailsElement, name: string): Promise<void> {
  const body = details.querySelector<HTMLElement>('.doc-body');
  if (!body || body.dataset.loaded) return;
  body.dataset.loaded = 'true';
  const text = (await LOADERS[name]!()).default;
  body.innerHTML = renderMarkdown(text.replace(/^# .*\n/, '')); // our own text; the summary is its title
  defineTerms(body, `doc-${name}`);
  keyboardScrollable(body);
}

function open(name: string): void {
  const details = document.querySelector<HTMLDetailsElement>(`#doc-${name}`);
  if (details && name in LOADERS) details.open = true;
}

export function mountDocs(): void {
  for (const name of Object.keys(LOADERS)) {
    const details = document.querySelector<HTMLDetailsElement>(`#doc-${name}`);
    if (!details) continue;
    details.addEventListener('toggle', () => void (details.open && fill(details, name)));
    if (location.hash === `#doc-${name}`) details.open = true;
  }
  // one listener for every link, including those rendered later inside a document
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a[href^="#doc-"]');
    if (a) open(a.getAttribute('href')!.slice('#doc-'.length));
  });
  window.addEventListener('hashchange', () => {
    if (location.hash.startsWith('#doc-')) open(location.hash.slice('#doc-'.length));
  });
}
