/**
 * Markdown with TeX math, rendered to HTML by marked and KaTeX: `$...$` inline, `$$...$$` on lines of their own for
 * display. Math is cut out before marked sees it, so underscores and backslashes in TeX are never taken for emphasis
 * or escapes. Pure: no DOM, usable in Node tests.
 */
import katex from 'katex';
import { Marked, type Token, type TokenizerAndRendererExtension, type Tokens } from 'marked';

export interface MathSpan {
  tex: string;
  display: boolean;
}

const blockMath: TokenizerAndRendererExtension = {
  name: 'blockMath',
  level: 'block',
  start: (src) => src.match(/^\$\$/m)?.index,
  tokenizer(src) {
    const m = /^\$\$\n?([\s\S]+?)\n?\$\$(?:\n+|$)/.exec(src);
    return m ? { type: 'blockMath', raw: m[0], text: m[1]!.trim() } : undefined;
  },
  renderer: (token) => `${tex(token.text as string, true)}\n`,
};

const inlineMath: TokenizerAndRendererExtension = {
  name: 'inlineMath',
  level: 'inline',
  start: (src) => (src.indexOf('$') >= 0 ? src.indexOf('$') : undefined),
  tokenizer(src) {
    const m = /^\$(?!\$)((?:\\.|[^\\$\n])+?)\$/.exec(src);
    return m ? { type: 'inlineMath', raw: m[0], text: m[1]! } : undefined;
  },
  renderer: (token) => tex(token.text as string, false),
};

/**
 * The docs link to each other by file name (`derivation.md`), which works on
 * GitHub but not on the page, whose server has no such path. On the page each
 * document is a section of its own: `name.md` becomes `#doc-name` (the
 * explainer, which is the page's article, `#explainer`), and src/ui/doc-pages.ts
 * opens the section when such a link is followed.
 */
export function docHref(href: string): string {
  const m = /^(?:\.\/)?(?:docs\/)?([\w-]+)\.md(#[\w-]*)?$/.exec(href);
  if (!m) return href;
  return m[1] === 'explainer' ? '#explainer' : `#doc-${m[1]}`;
}

const md = new Marked({
  extensions: [blockMath, inlineMath],
  gfm: true,
  walkTokens: (token) => {
    if (token.type === 'link') (token as Tokens.Link).href = docHref((token as Tokens.Link).href);
  },
});

function tex(source: string, display: boolean): string {
  return katex.renderToString(source, { displayMode: display, throwOnError: true, output: 'htmlAndMathml' });
}

/** Markdown → HTML; throws on a formula KaTeX cannot parse. */
export function renderMarkdown(markdown: string): string {
  return md.parse(markdown, { async: false });
}

/** Every formula in a document, in order (for tests and tools). */
export function collectMath(markdown: string): MathSpan[] {
  const out: MathSpan[] = [];
  md.walkTokens(md.lexer(markdown), (token: Token) => {
    const t = token as Tokens.Generic;
    if (t.type === 'blockMath' || t.type === 'inlineMath')
      out.push({ tex: t.text as string, display: t.type === 'blockMath' });
  });
  return out;
}
