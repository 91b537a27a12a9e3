/**
 * Puts the explainer's one diagram into the rendered explainer: the Markdown
 * points at docs/graph.svg (so GitHub shows the exported file); the page swaps
 * that image, before it can load, for the same drawing with KaTeX labels.
 */
import { spotGraphState } from './graph-spot.js';
import { GraphView } from './graph-view.js';

/** Fills `article` with the explainer, its graph image swapped for the live-styled drawing; returns that figure. */
export function mountExplainerHtml(article: HTMLElement, html: string): HTMLElement | null {
  const t = document.createElement('template'); // inert: the <img> in it never loads
  t.innerHTML = html;
  const img = t.content.querySelector<HTMLImageElement>('img[src$="graph.svg"]');
  let figure: HTMLElement | null = null;
  if (img) {
    figure = document.createElement('figure');
    figure.className = 'explainer-diagram';
    figure.dataset.testid = 'explainer-diagram';
    const scroll = document.createElement('div');
    scroll.className = 'graph-scroll';
    scroll.tabIndex = 0;
    scroll.setAttribute('role', 'group');
    scroll.setAttribute('aria-label', 'The worked example as a computation graph (scrolls sideways on narrow screens)');
    new GraphView(scroll, spotGraphState(), { testid: 'explainer-graph', keyPrefix: 'explainer-diagram' });
    const caption = document.createElement('figcaption');
    caption.textContent = img.alt;
    // said only where the drawing is wider than its box (phones, narrow windows)
    const hint = Object.assign(document.createElement('p'), {
      className: 'graph-hint',
      textContent: 'The drawing is wider than this screen: scroll it sideways for the output and the loss.',
    });
    hint.hidden = true;
    new ResizeObserver(() => (hint.hidden = scroll.scrollWidth <= scroll.clientWidth + 1)).observe(scroll);
    figure.append(hint, scroll, caption);
    (img.closest('p') ?? img).replaceWith(figure);
  }
  article.replaceChildren(t.content);
  return figure;
}
