/**
 * The documents' defined terms: `<dfn title="meaning">term</dfn>` in the Markdown (GitHub shows the title on hover)
 * becomes, on the page, a term the keyboard reaches (Tab) whose meaning is shown beside it on hover and on focus, and
 * is its accessible description (aria-describedby), so a screen reader says it too. Escape hides a meaning shown
 * (hovered or focused) until the pointer or the focus leaves its term, as content shown on hover must allow.
 */
export function defineTerms(root: HTMLElement, prefix: string): void {
  root.querySelectorAll<HTMLElement>('dfn[title]').forEach((dfn, i) => {
    const meaning = dfn.title;
    dfn.removeAttribute('title'); // said once, by the tooltip below, not twice
    const id = `${prefix}-term-${i + 1}`;
    const tip = Object.assign(document.createElement('span'), { id, className: 'term-meaning', textContent: meaning });
    tip.setAttribute('role', 'tooltip');
    const term = Object.assign(document.createElement('span'), { className: 'term' });
    dfn.replaceWith(term);
    term.append(dfn, tip);
    dfn.tabIndex = 0;
    dfn.setAttribute('aria-describedby', id);
    const show = () => term.classList.remove('dismissed');
    term.addEventListener('mouseleave', show);
    term.addEventListener('focusout', show);
  });
  if (!escapeWired) {
    escapeWired = true;
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      for (const t of document.querySelectorAll('.term:hover, .term:focus-within')) t.classList.add('dismissed');
    });
  }
}

let escapeWired = false;
