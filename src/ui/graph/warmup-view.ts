/**
 * The warm-up on the page: ./warmup.ts's two expressions drawn, and one walk through both, forward then backward,
 * with the live graph's controls (Back, Next, the arrow keys) and its way of hiding what the walk has not reached.
 */
import { type WarmExpr, warmupMarkup, warmups } from './warmup.js';
import './graph.css';

/** Fills `root` with the warm-up and wires its walk; links to #warmup open the fold around it. */
export function mountWarmup(root: HTMLElement): void {
  const exprs = warmups();
  const steps = exprs.flatMap((e) => e.steps.map((s) => ({ ...s, expr: e })));
  const order = steps.map((s) => s.id);
  const intro = Object.assign(document.createElement('p'), {
    textContent:
      'Before the network, two small expressions, as CS231n’s notes on backprop begin. Above each wire the value ' +
      'the forward pass puts on it; below it, once the backward pass gets there, the gradient ∂f/∂(that value). ' +
      'Step with Next and Back, or the arrow keys.',
  });
  const figures = exprs.map((e) => figure(e));
  const box = document.createElement('div');
  box.className = 'graph-walk';
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', 'Warm-up walk');
  box.dataset.testid = 'warmup-walk';
  // a Tab stop of its own, so the arrow keys work after a click on the sentence, not only on Back or Next
  box.tabIndex = 0;
  const sentence = Object.assign(document.createElement('p'), { className: 'walk-sentence' });
  sentence.setAttribute('aria-live', 'polite');
  sentence.dataset.testid = 'warmup-sentence';
  const count = Object.assign(document.createElement('span'), { className: 'walk-count' });
  count.dataset.testid = 'warmup-count';
  const button = (label: string, testid: string) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
    b.dataset.testid = testid;
    return b;
  };
  const back = button('Back', 'warmup-back');
  const next = button('Next', 'warmup-next');
  const nav = document.createElement('div');
  nav.className = 'graph-toolbar';
  nav.append(back, next, count);
  box.append(sentence, nav);
  root.replaceChildren(intro, box, ...figures);

  let at = 0;
  const show = () => {
    const s = steps[at]!;
    for (const svg of root.querySelectorAll<SVGSVGElement>('svg.warmup-svg')) {
      svg.classList.add('walking');
      for (const el of svg.querySelectorAll<SVGElement>('[data-reveal]')) {
        const k = order.indexOf(el.dataset.reveal ?? '');
        el.classList.toggle('unrevealed', k > at);
        el.classList.toggle('walk-new', k === at);
      }
      for (const el of svg.querySelectorAll<SVGElement>('[data-walk]'))
        el.classList.toggle('walk-current', (el.dataset.walk ?? '').split(' ').includes(s.id));
    }
    sentence.textContent = s.sentence;
    count.textContent = `${s.expr.title}: ${s.direction} pass, step ${at + 1} of ${steps.length}`;
    root.dataset.walkStep = s.id;
    back.setAttribute('aria-disabled', String(at === 0)); // not `disabled`: the focused button keeps focus
    next.setAttribute('aria-disabled', String(at === steps.length - 1));
  };
  const move = (by: number) => {
    at = Math.min(Math.max(at + by, 0), steps.length - 1);
    show();
  };
  next.addEventListener('click', () => move(1));
  back.addEventListener('click', () => move(-1));
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight') move(1);
    else if (e.key === 'ArrowLeft') move(-1);
    else return;
    e.preventDefault();
  });
  show();
  const fold = root.closest('details');
  if (fold)
    for (const a of document.querySelectorAll<HTMLAnchorElement>('a[href="#warmup"]'))
      a.addEventListener('click', () => (fold.open = true));
}

function figure(e: WarmExpr): HTMLElement {
  const fig = document.createElement('figure');
  fig.className = 'warmup-figure';
  // at its natural width at least, so its numbers stay readable on a phone: the frame scrolls sideways instead
  const frame = document.createElement('div');
  frame.className = 'warmup-scroll scroll-x';
  frame.tabIndex = 0;
  frame.setAttribute('role', 'region');
  frame.setAttribute('aria-label', `The drawing of ${e.title} (scrolls sideways on small screens)`);
  frame.innerHTML = warmupMarkup(e); // our own markup, numbers from the engine
  frame.querySelector<SVGSVGElement>('svg')!.style.minWidth = `${e.width}px`;
  fig.append(frame);
  const caption = Object.assign(document.createElement('figcaption'), { textContent: e.title });
  fig.prepend(caption);
  return fig;
}
