/**
 * Progress on stderr (stdout stays for results): a redrawn bar on a terminal,
 * plain lines otherwise, about ten of them per run.
 */
export interface Progress {
  update(step: number, loss: number): void;
  done(): void;
}

export function makeProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const width = 30;
  if (stream.isTTY) {
    let last = 0;
    const draw = (step: number, loss: number) => {
      const filled = total === 0 ? width : Math.round((step / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] step ${step}/${total}  loss ${fmt(loss)}  `);
    };
    return {
      update(step, loss) {
        const now = Date.now();
        if (now - last >= 50 || step === total) {
          last = now;
          draw(step, loss);
        }
      },
      done: () => stream.write('\n'),
    };
  }
  const every = Math.max(1, Math.ceil(total / 10));
  let next = every;
  return {
    update(step, loss) {
      if (step >= next || step === total) {
        stream.write(`step ${step}/${total}  loss ${fmt(loss)}\n`);
        while (next <= step) next += every;
      }
    },
    done: () => {},
  };
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toExponential(4) : String(x);
}
