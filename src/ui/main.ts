/**
 * The page's entry: trains XOR with the scalar engine in small chunks per
 * animation frame, so the page stays responsive, and shows loss, accuracy and
 * predictions. State lives in one object passed explicitly, not in module globals.
 */
import { DEFAULTS } from '../mlp/config.js';
import { type Dataset, sampleX, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { CpuTrainer } from '../mlp/train-cpu.js';

interface Elements {
  train: HTMLButtonElement;
  step: HTMLElement;
  loss: HTMLElement;
  accuracy: HTMLElement;
  predictions: HTMLTableSectionElement;
}

function find(): Elements {
  const q = <T extends Element>(selector: string): T => {
    const el = document.querySelector<T>(selector);
    if (!el) throw new Error(`page: missing element ${selector}`);
    return el;
  };
  return {
    train: q('#train'),
    step: q('[data-testid="step"]'),
    loss: q('[data-testid="loss"]'),
    accuracy: q('[data-testid="accuracy"]'),
    predictions: q('[data-testid="predictions"] tbody'),
  };
}

function show(el: Elements, trainer: CpuTrainer, data: Dataset): void {
  const e = trainer.evaluate();
  el.step.textContent = String(trainer.stepCount);
  el.loss.textContent = e.loss.toExponential(3);
  el.accuracy.textContent = `${Math.round(100 * e.accuracy)}%`;
  el.predictions.replaceChildren(
    ...e.predictions.map((p, n) => {
      const tr = document.createElement('tr');
      for (const v of [...sampleX(data, n), data.y[n]!, p.toFixed(4)]) {
        const td = document.createElement('td');
        td.textContent = String(v);
        tr.append(td);
      }
      return tr;
    }),
  );
}

function trainLive(el: Elements): void {
  const data = xor();
  const trainer = new CpuTrainer(data, initParams({ d: 2, H: DEFAULTS.hidden }, DEFAULTS.seed), DEFAULTS);
  el.train.disabled = true;
  const frame = () => {
    trainer.step(Math.min(50, DEFAULTS.steps - trainer.stepCount));
    show(el, trainer, data);
    if (trainer.stepCount < DEFAULTS.steps) requestAnimationFrame(frame);
    else el.train.disabled = false;
  };
  requestAnimationFrame(frame);
}

const elements = find();
elements.train.addEventListener('click', () => trainLive(elements));
