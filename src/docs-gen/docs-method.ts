/**
 * The block of docs/philosophy.md that confronts one of its auxiliary hypotheses (leaky ReLU rescues dead units) with
 * the project's own numbers: the map's seeds and exercise 7's dead unit, both computed here.
 */
import { deadUnitRuns, EX, leakyLongSaid } from './docs-exercises.js';
import { leakyAgainstRelu, SWEEP_QUOTED } from './docs-spotcheck.js';

/** The block `leaky-claim`. */
export function leakyClaimBlock(): string {
  const rows = leakyAgainstRelu();
  const { seeds, steps } = SWEEP_QUOTED;
  const leaky = deadUnitRuns().find((r) => r.f.name === 'leaky')!;
  const shares = rows.map(
    (r) =>
      `at H = ${r.hidden}, ${r.relu} of ${seeds} seeds learn with ReLU and ${r.leaky} with leaky ReLU (${r.rescued} rescued)`,
  );
  return (
    `**The project's own numbers already bear on the leaky-ReLU hypothesis, at this step budget.** ` +
    `With the demo's settings (rate ${SWEEP_QUOTED.rates[0]}, ${steps.toLocaleString('en-US')} steps, seeds 0 to ${seeds - 1}): ` +
    `${shares.join('; ')}. And exercise 5's dead unit (H = ${EX.dead.hidden}, seed ${EX.dead.seed}) is, under leaky ReLU, ` +
    `${leaky.open === 0 ? 'still closed at all 4 points' : `open at only ${leaky.open} of 4 points`} after ${steps.toLocaleString('en-US')} steps, ending at ${Math.round(100 * leaky.acc)}% accuracy. ` +
    `Stated as a prediction made before the fact ("leaky ReLU leaves no dead units where ReLU does, so more seeds learn"), it fails here: ` +
    `a gradient a hundred times smaller moves the unit a hundred times more slowly, and ${steps.toLocaleString('en-US')} steps are not enough. ` +
    `The refutation is the lesson: rescuing the hypothesis by "given enough steps" would be an adjustment made after the fact, ` +
    `and it is progressive only if it predicts how many steps, and a run then confirms it. ` +
    `A longer run (exercise 7) answers the rescue in a way neither side predicted: ${leakyLongSaid().replace(/^Given/, 'given')}.`
  );
}
