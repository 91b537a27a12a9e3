/**
 * The settings' folds (<details class="fold"> in the controls): closed, they keep Play and the pictures together; a
 * control inside one is never out of the learner's reach when it matters. A fold opens when a control in it is said to
 * be wrong (its error text beside it, or aria-invalid), and when the link set it to something other than its default.
 */

/** The fold (if any) that holds the control named `name`, closed. */
function closedFoldOf(form: HTMLElement, name: string): HTMLDetailsElement | null {
  const control = form.querySelector(`[name="${name}"]`);
  const fold = control?.closest<HTMLDetailsElement>('details.fold');
  return fold && !fold.open ? fold : null;
}

/** Opens the folds that hold the controls named. */
export function openFoldsHolding(form: HTMLElement, names: readonly string[]): void {
  for (const name of names) {
    const fold = closedFoldOf(form, name);
    if (fold) fold.open = true;
  }
}

/** Keeps every fold that holds a control with an error open, now and whenever an error is said. */
export function openFoldsOnError(form: HTMLElement): void {
  const check = () => {
    const wrong: string[] = [];
    for (const error of form.querySelectorAll<HTMLElement>('.error'))
      if (error.textContent) wrong.push(error.dataset.error ?? error.id.replace(/^error-/, ''));
    for (const control of form.querySelectorAll<HTMLElement>('[aria-invalid="true"][name]'))
      wrong.push(control.getAttribute('name')!);
    openFoldsHolding(form, wrong);
  };
  new MutationObserver(check).observe(form, {
    subtree: true,
    childList: true,
    characterData: true,
    attributeFilter: ['aria-invalid'],
  });
  check();
}
