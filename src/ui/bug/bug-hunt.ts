/**
 * Find the broken backprop: the page trains with one rule of backprop broken (src/gpu/bugs.ts: an edit of the GPU
 * kernel's text, or the same mistake in the CPU trainer), and the learner finds which from the loss, the gradient
 * panel (which tensors break their bounds) and finite differences, then chooses the rule from a list. The page grades
 * the choice and only then shows the changed line, before and after.
 *
 * The bug drawn for `bug=random` lives only in this module's memory: not in the URL (which keeps `random`), not in
 * the DOM, not in any label, until the learner has chosen. It is kept across the runs the page rebuilds (a changed
 * setting) while it can still show, and drawn again where it no longer can. Draws come from an unseeded source,
 * without replacement over the page's session (BugDeck). A wrong guess can be followed by another; the changed line
 * is shown only after the right one or "Show me".
 */
import { BugDeck, type BugId, type BugRun, BUGS, HUNT_IDS, kernelLine, type PlantedBug } from '../../gpu/bugs.js';
import type { Settings } from '../state.js';

/** A named bug the run's settings cannot show: refused, with what it needs. */
export class BugRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BugRefusedError';
  }
}

/** The two hidden layers a bug that needs them gets, where the link's network has fewer (or too narrow ones). */
const TWO_LAYERS = [8, 8];
/** λ for a bug that needs the L2 penalty, where the link sets none: its −2λ2·w is then plain in the panel. */
const BUG_L2 = 0.01;

/**
 * A link that names a bug: the settings it needs set (the rest kept), and the words that say so ("this bug needs …:
 * the run uses …"), which tell no more than the link's own name. ReLU′(0) cannot show in any run: the link is
 * refused (the run trains honestly, bug off), saying why. `bug=random`, `off` and a bug the settings already show are
 * left as they are.
 */
export function settingsForBug(settings: Settings): {
  settings: Settings;
  note: string | null;
  refused: string | null;
} {
  const id = settings.bug;
  if (id === 'off' || id === 'random') return { settings, note: null, refused: null };
  if (id === 'relu-kink')
    return {
      settings: { ...settings, bug: 'off' },
      note: null,
      refused:
        'The link plants the bug relu-kink, which no run of this page can show: it changes a gradient only where a ' +
        'pre-activation is exactly 0, which the page’s data and trained biases essentially never give. The run ' +
        'trains honestly; ask for bug=random to hunt a bug.',
    };
  const s = { ...settings };
  const uses: string[] = [];
  const needs: string[] = [];
  const hidden = s.hidden;
  if (id === 'one-over-n' && s.batch !== 'all' && s.batch < 2) {
    s.batch = 'all';
    needs.push('a batch of at least 2');
    uses.push('the full batch');
  }
  if (id === 'tanh-square' && s.activation !== 'tanh') {
    s.activation = 'tanh';
    needs.push('the tanh activation');
    uses.push('tanh');
  }
  if (id === 'l2-sign' && s.reg !== 'l2') {
    s.reg = 'l2';
    s.lambda = BUG_L2;
    needs.push('the L2 penalty');
    uses.push(`L2 with λ = ${BUG_L2}`);
  }
  const twoWide = hidden.some((h, l) => l > 0 && h >= 2 && hidden[l - 1]! >= 2);
  if ((id === 'skip-gate' && hidden.length < 2) || (id === 'untransposed' && !twoWide)) {
    s.hidden = TWO_LAYERS;
    needs.push(id === 'skip-gate' ? 'two hidden layers' : 'two hidden layers in a row, each at least 2 wide');
    uses.push(`hidden layers ${TWO_LAYERS.join(', ')}`);
  }
  if (needs.length === 0) return { settings, note: null, refused: null };
  return {
    settings: s,
    note: `The link’s bug (${id}) needs ${needs.join(' and ')}: the run uses ${uses.join(' and ')}.`,
    refused: null,
  };
}

/**
 * The bug the run about to be built plants: none, the one kept (random, still findable), a new draw among those the
 * run can show, or the named one, refused where the run cannot show it (a setting changed after the link set it).
 */
export function plantFor(
  setting: Settings['bug'],
  run: BugRun,
  kept: PlantedBug | null,
  deck: BugDeck = new BugDeck(),
): PlantedBug | null {
  if (setting === 'off') return null;
  if (setting === 'random') return kept && kept.unfindable(run) === null ? kept : deck.draw(run);
  if (setting === 'relu-kink')
    throw new BugRefusedError(
      'The bug relu-kink cannot show in any run of this page: it changes a gradient only where a pre-activation ' +
        'is exactly 0. Ask for bug=random, which draws only among the bugs a run can show.',
    );
  const why = BUGS[setting].unfindable(run);
  if (why !== null)
    throw new BugRefusedError(
      `The link plants the bug ${setting}, which cannot show in this run: ${why}. Change that setting, or ask ` +
        'for bug=random, which draws only among the bugs a run can show.',
    );
  return BUGS[setting];
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', testid = ''): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (testid) node.dataset.testid = testid;
  return node;
}

function button(text: string, testid: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', text, testid);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

export class BugHunt {
  private planted: PlantedBug | null = null;
  /** The wrong guesses so far, in order, for the bug planted. */
  private wrong: BugId[] = [];
  /** How the hunt for the bug planted ended: open, found (the right guess), or shown ("Show me"). */
  private outcome: 'open' | 'found' | 'shown' = 'open';
  private backend: 'gpu' | 'cpu' = 'gpu';
  private readonly deck = new BugDeck();
  /** What the link's bug made the run use (settingsForBug), said until the hunt changes. */
  needs: string | null = null;

  constructor(
    private readonly root: HTMLElement,
    /** Turns the hunt on (a new draw) or off; the page starts a new run either way. */
    private readonly onChange: (bug: 'off' | 'random') => void,
  ) {
    this.render();
  }

  /** The bug for the run about to be built (see plantFor); a new bug clears the last guess. */
  plant(setting: Settings['bug'], run: BugRun): PlantedBug | null {
    let next: PlantedBug | null;
    try {
      next = plantFor(setting, run, this.planted, this.deck);
    } catch (e) {
      this.planted = null;
      this.forget();
      this.render();
      throw e;
    }
    if (next !== this.planted) this.forget();
    if (setting === 'off' || setting === 'random') this.needs = null;
    this.planted = next;
    return next;
  }

  private forget(): void {
    this.wrong = [];
    this.outcome = 'open';
  }

  /** The run is built: on which backend the bug was planted, for the words and the line shown after the guess. */
  built(backend: 'gpu' | 'cpu'): void {
    this.backend = backend;
    this.render();
  }

  private render(): void {
    const bug = this.planted;
    if (!bug) {
      this.root.replaceChildren(
        el(
          'p',
          'Train with one rule of backprop broken, then find which: the loss misbehaves, the gradient panel says ' +
            'which tensors break their bounds, and finite differences give the true gradient.',
        ),
        button('Find the broken backprop', 'bug-start', () => this.onChange('random')),
      );
      return;
    }
    const where =
      this.backend === 'gpu'
        ? 'in this run’s GPU kernel (the general kernel, pinned for the hunt: the bug is one edit of its text)'
        : 'in this run’s CPU trainer (the f64 trainer with one line changed; the gradient panel checks it against ' +
          'the exact gradient)';
    const intro = el(
      'p',
      `One rule of backprop is broken ${where}. The loss may look normal: a wrong gradient can still train. The ` +
        'gradient panel is where every bug shows: its summary names the tensors outside their bounds, and its ' +
        'fold “How this is checked, and every number” holds the table per tensor and every gradient with its ' +
        'signed difference (trainer − exact). Add finite differences there to see the true gradient. Then choose ' +
        'the rule.',
      'bug-where',
    );
    const parts: HTMLElement[] = [intro];
    if (this.needs) parts.push(el('p', this.needs, 'bug-needs'));
    const choices = el('fieldset', '', 'bug-choices');
    choices.append(el('legend', 'Which rule is broken?'));
    const done = this.outcome !== 'open';
    for (const id of HUNT_IDS) {
      const label = el('label');
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'bug-guess';
      radio.value = id;
      radio.checked = done && id === bug.id;
      // a rule already ruled out stays visible, not choosable again
      radio.disabled = done || this.wrong.includes(id);
      label.append(radio, ` ${BUGS[id].rule}`);
      if (this.wrong.includes(id)) {
        radio.dataset.wrong = '';
        label.append(' (ruled out)');
      }
      choices.append(label);
    }
    // the verdict is a live region from the start, so that the grade written into it later is announced
    const verdict = el('p', '', 'bug-verdict');
    verdict.setAttribute('role', 'status');
    verdict.tabIndex = -1;
    const check = button('Check my answer', 'bug-check', () => {
      const chosen = choices.querySelector<HTMLInputElement>('input:checked:not(:disabled)');
      if (!chosen) {
        verdict.textContent = 'Choose a rule first.';
        return;
      }
      const guess = chosen.value as BugId;
      if (guess === bug.id) this.outcome = 'found';
      else this.wrong.push(guess);
      this.render();
      this.root.querySelector<HTMLElement>('[data-testid="bug-verdict"]')?.focus();
    });
    const show = button('Show me', 'bug-show', () => {
      this.outcome = 'shown';
      this.render();
      this.root.querySelector<HTMLElement>('[data-testid="bug-verdict"]')?.focus();
    });
    check.disabled = done;
    show.disabled = done;
    const again = button('Plant another bug', 'bug-again', () => {
      this.planted = null;
      this.onChange('random');
    });
    this.say(bug, verdict);
    parts.push(choices, check, show, verdict);
    if (done) parts.push(this.diff(bug));
    this.root.replaceChildren(
      ...parts,
      again,
      button('Stop: train honestly', 'bug-stop', () => this.onChange('off')),
    );
  }

  /** The verdict as the hunt stands: the last wrong guess and the tries, or the rule once found or shown. */
  private say(bug: PlantedBug, verdict: HTMLElement): void {
    const tries = this.wrong.length + (this.outcome === 'found' ? 1 : 0);
    const counted = `${tries} ${tries === 1 ? 'try' : 'tries'}`;
    if (this.outcome === 'found') {
      verdict.dataset.right = 'true';
      verdict.textContent = `Right, in ${counted}: the broken rule is “${bug.rule}”. It breaks ${bug.breaks}.`;
    } else if (this.outcome === 'shown') {
      verdict.dataset.right = 'false';
      verdict.textContent = `${this.wrong.length === 0 ? 'Shown before any guess' : `Shown after ${counted}`}: the broken rule is “${bug.rule}”. It breaks ${bug.breaks}.`;
    } else if (this.wrong.length > 0) {
      verdict.dataset.right = 'false';
      verdict.textContent =
        `Not that one: “${BUGS[this.wrong.at(-1)!].rule}” holds in this run (${counted} so far). Try another ` +
        'rule, or press “Show me”.';
    }
  }

  /** The changed line, before and after: the kernel's on the GPU, the CPU trainer's equivalent on the CPU. */
  private diff(bug: PlantedBug): HTMLElement {
    const gpu = this.backend === 'gpu';
    const line = gpu ? kernelLine(bug) : { ...bug.cpuLine, file: 'src/mlp/train/train-fast.ts' };
    const figure = el('figure', '', 'bug-diff');
    const caption = gpu
      ? `The line of ${line.file} this run changed, before (−) and after (+):`
      : `The equivalent line of the CPU trainer (${line.file}; the planted copy is src/mlp/train/train-mistaken.ts), ` +
        'before (−) and after (+):';
    const pre = el('pre');
    // a long line scrolls sideways on a wide screen (it wraps on a phone): reachable by keyboard, and named
    pre.tabIndex = 0;
    pre.setAttribute('role', 'region');
    pre.setAttribute('aria-label', 'The changed line, before and after');
    const mark = (sign: string, text: string) =>
      text
        .split('\n')
        .map((l) => `${sign} ${l}`)
        .join('\n');
    pre.append(el('del', mark('−', line.before)), el('ins', mark('+', line.after)));
    figure.append(el('figcaption', caption), pre);
    return figure;
  }
}
