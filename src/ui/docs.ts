/**
 * The derivation and the reading notes, rendered into the page on demand
 * (their Markdown and TeX ship as their own chunks of the build, so the page
 * loads no faster or slower for them, and they work offline). A link to
 * #doc-derivation or #doc-reading-notes opens and scrolls to the document.
 */
import { keyboardScrollable } from './dom.js';
import { renderMarkdown } from './markdown.js';

const LOADERS: Record<string, () => Promise<{ default: string }>> = {
  derivation: () => import('../../docs/derivation.md?raw'),
  'reading-notes': () => import('../../docs/reading-notes.md?raw'),
};

async function fill(details: HTMLDetailsElement, name: string): Promise<void> {
  const body = details.querySelector<HTMLElement>('.doc-body');
  if (!body || body.dataset.loaded) return;
  body.dataset.loaded = 'true';
  const text = (await LOADERS[name]!()).default;
  body.innerHTML = renderMarkdown(text.replace(/^# .*\n/, '')); // our own text; the summary is its title
  keyboardScrollable(body);
}

export function mountDocs(): void {
  for (const name of Object.keys(LOADERS)) {
    const details = document.querySelector<HTMLDetailsElement>(`#doc-${name}`);
    if (!details) continue;
    details.addEventListener('toggle', () => void (details.open && fill(details, name)));
    for (const a of document.querySelectorAll<HTMLAnchorElement>(`a[data-doc="${name}"]`)) {
      a.addEventListener('click', () => {
        details.open = true;
      });
    }
    if (location.hash === `#doc-${name}`) details.open = true;
  }
}
