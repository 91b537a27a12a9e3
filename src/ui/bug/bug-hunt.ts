/**
 * Find the broken backprop: the page trains with one rule of backprop broken (src/gpu/bugs.ts: an edit of the GPU
 * kernel's text, or the same mistake in the CPU trainer), and the learner finds which from the loss, the gradient
 * panel (which tensors break their bounds) and finite differences, then chooses the rule from a list. The page grades
 * the choice and only then shows the changed line, before and after.
 *
 * The bug drawn for `bug=random` lives only in this module's memory: not in the URL (which keeps `random`), not in
 * the DOM, not in any label, until the learner has chosen. It is kept across the runs the page rebuilds (a changed
 * setting) while it can still show, and drawn again where it no longer can.
 */
import { BUG_IDS, type BugId, type BugRun, BUGS, drawBug, kernelLine, type PlantedBug } from '../../gpu/bugs.js';
import type { Settings } from '../state.js';

/** A named bug the run's settings cannot show: refused, with what it needs. */
export class BugRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BugRefusedError';
  }
}

/**
 * The bug the run about to be built plants: none, the one kept (random, still findable), a new draw among those the
 * run can show, or the named one, refused where the run cannot show it (the page changes no setting on its own).
 */
export function plantFor(
  setting: Settings['bug'],
  run: BugRun,
  kept: PlantedBug | null,
  random: () => number = Math.random,
): PlantedBug | null {
  if (setting === 'off') return null;
  if (setting === 'random') return kept && kept.unfindable(run) === null ? kept : drawBug(run, random);
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
  private guess: BugId | null = null;
  private backend: 'gpu' | 'cpu' = 'gpu';

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
      next = plantFor(setting, run, this.planted);
    } catch (e) {
      this.planted = null;
      this.guess = null;
      this.render();
      throw e;
    }
    if (next !== this.planted) this.guess = null;
    this.planted = next;
    return next;
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
          'the f64 oracle)';
    const intro = el(
      'p',
      `One rule of backprop is broken ${where}. Watch the loss; open the gradient panel’s details to see which ` +
        'tensors fail their bounds, and add finite differences to see the true gradient. Then choose the rule.',
      'bug-where',
    );
    const choices = el('fieldset', '', 'bug-choices');
    choices.append(el('legend', 'Which rule is broken?'));
    for (const id of BUG_IDS) {
      const label = el('label');
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'bug-guess';
      radio.value = id;
      radio.checked = this.guess === id;
      label.append(radio, ` ${BUGS[id].rule}`);
      choices.append(label);
    }
    // the verdict is a live region from the start, so that the grade written into it later is announced
    const verdict = el('p', '', 'bug-verdict');
    verdict.setAttribute('role', 'status');
    verdict.tabIndex = -1;
    const check = button('Check my answer', 'bug-check', () => {
      const chosen = choices.querySelector<HTMLInputElement>('input:checked');
      if (!chosen) {
        verdict.textContent = 'Choose a rule first.';
        return;
      }
      this.guess = chosen.value as BugId;
      this.grade(bug, choices, check, verdict, again);
      verdict.focus();
    });
    const again = button('Plant another bug', 'bug-again', () => {
      this.planted = null;
      this.onChange('random');
    });
    this.root.replaceChildren(
      intro,
      choices,
      check,
      verdict,
      again,
      button('Stop: train honestly', 'bug-stop', () => this.onChange('off')),
    );
    if (this.guess !== null) this.grade(bug, choices, check, verdict, again);
  }

  /** The guess graded in place: the choices closed, the verdict said, the changed line shown before `after`. */
  private grade(
    bug: PlantedBug,
    choices: HTMLFieldSetElement,
    check: HTMLButtonElement,
    verdict: HTMLElement,
    after: HTMLElement,
  ): void {
    const guess = this.guess!;
    for (const radio of choices.querySelectorAll('input')) radio.disabled = true;
    check.disabled = true;
    const right = guess === bug.id;
    verdict.dataset.right = String(right);
    verdict.textContent = right
      ? `Right: the broken rule is “${bug.rule}”. It breaks ${bug.breaks}.`
      : `Not that one: “${BUGS[guess].rule}” holds in this run. The broken rule is “${bug.rule}”; it breaks ` +
        `${bug.breaks}.`;
    after.before(this.diff(bug));
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
    // a long line scrolls sideways on a phone: reachable by keyboard, and named for a screen reader
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
