/**
 * Progress on stderr (stdout stays for results): a redrawn bar on a terminal,
 * plain lines otherwise. Plain lines come at the first update, at each tenth
 * of the run, and by the clock (1 s after the last, then 2, 4, ... up to every
 * 60 s), so a run of 10⁸ steps shows it is alive at once, not after a tenth.
 * The rate and the time left come from the last RATE_WINDOW_MS of updates, not
 * the whole run: a run's speed changes as it goes (small first chunks, warm-up,
 * garbage collection of big graphs), and an average since the start lags it.
 */
import type { TextSink } from './io.js';

export interface Progress {
  update(step: number, loss: number): void;
  done(): void;
}

/** How far back the measured rate looks, in ms. */
export const RATE_WINDOW_MS = 10_000;

export function makeProgress(
  total: number,
  stream: TextSink = process.stderr,
  now: () => number = () => performance.now(),
): Progress {
  const width = 30;
  const start = now();
  // (time, step) every 250 ms or more, trimmed to the latest one at or before the window's start and those after it.
  const samples: { t: number; step: number }[] = [{ t: start, step: 0 }];
  const measure = (step: number, t: number) => {
    if (t - samples[samples.length - 1]!.t < 250) return;
    samples.push({ t, step });
    while (samples.length > 2 && t - samples[1]!.t >= RATE_WINDOW_MS) samples.shift();
  };
  const rate = (step: number, t: number) => {
    const from = samples[0]!;
    const seconds = (t - from.t) / 1000;
    if ((t - start) / 1000 < 0.5 || seconds <= 0 || step === 0 || step >= total || step <= from.step) return '';
    const perSecond = (step - from.step) / seconds;
    return `  ${Math.round(perSecond).toLocaleString('en-US')} steps/s, ~${duration((total - step) / perSecond)} left`;
  };
  if (stream.isTTY) {
    let last = -Infinity;
    return {
      update(step, loss) {
        const t = now();
        measure(step, t);
        if (t - last < 50 && step !== total) return;
        last = t;
        const filled = total === 0 ? width : Math.round((step / total) * width);
        stream.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${step}/${total}  loss ${fmt(loss)}${rate(step, t)}\x1b[K`,
        );
      },
      done: () => stream.write('\n'),
    };
  }
  const every = Math.max(1, Math.ceil(total / 10));
  let next = every;
  let gap = 1000;
  let last = -Infinity; // the first update prints at once: the run is alive
  return {
    update(step, loss) {
      const t = now();
      measure(step, t);
      const byCount = step >= next || step === total;
      const byClock = t - last >= gap;
      if (!byCount && !byClock) return;
      stream.write(`step ${step}/${total}  loss ${fmt(loss)}${rate(step, t)}\n`);
      while (next <= step) next += every;
      if (byClock && !byCount && last !== -Infinity) gap = Math.min(2 * gap, 60_000);
      last = t;
    },
    done: () => {},
  };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(4) : 'not finite';
}

/** "12 s", "3.4 min", "2.8 h". */
function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
