/**
 * The page's entry: trains XOR on WebGPU when the browser has it, otherwise on
 * the scalar engine with a banner saying so. Each animation frame records a
 * chunk of steps and reads back once. State lives in one object passed
 * explicitly, not in module globals.
 */
import 'katex/dist/katex.min.css';
import explainerText from '../../docs/explainer.md?raw';
import { describeAdapter, requestBrowserDevice } from '../gpu/device.js';
import { GpuTrainer } from '../gpu/trainer.js';
import { DEFAULTS } from '../mlp/config.js';
import { type Dataset, sampleX, xor } from '../mlp/data.js';
import { initParams } from '../mlp/init.js';
import { accuracy, CpuTrainer } from '../mlp/train-cpu.js';
import { renderMarkdown } from './markdown.js';

interface Elements {
  train: HTMLButtonElement;
  banner: HTMLElement;
  backend: HTMLElement;
  step: HTMLElement;
  loss: HTMLElement;
  accuracy: HTMLElement;
  predictions: HTMLTableSectionElement;
}

/** What the page needs from a trainer, on either backend. */
interface LiveTrainer {
  label: string;
  step(k: number): void;
  read(): Promise<{ step: number; loss: number; predictions: ArrayLike<number> }>;
}

function find(): Elements {
  const q = <T extends Element>(selector: string): T => {
    const el = document.querySelector<T>(selector);
    if (!el) throw new Error(`page: missing element ${selector}`);
    return el;
  };
  const t = (id: string) => `[data-testid="${id}"]`;
  return {
    train: q('#train'),
    banner: q(t('banner')),
    backend: q(t('backend')),
    step: q(t('step')),
    loss: q(t('loss')),
    accuracy: q(t('accuracy')),
    predictions: q(`${t('predictions')} tbody`),
  };
}

async function makeTrainer(data: Dataset, el: Elements): Promise<LiveTrainer> {
  const params = initParams({ d: data.d, H: DEFAULTS.hidden }, DEFAULTS.seed);
  try {
    const { device, summary } = await requestBrowserDevice({ onProblem: (e) => showBanner(el, e.message) });
    const gpu = await GpuTrainer.create(device, { data, params, ...DEFAULTS, label: 'page' });
    return {
      label: `WebGPU: ${describeAdapter(summary)}`,
      step: (k) => gpu.step(k),
      read: async () => {
        const r = await gpu.readAll();
        return { step: r.step, loss: r.loss, predictions: r.cache.yHat };
      },
    };
  } catch (e) {
    showBanner(el, `No WebGPU: ${(e as Error).message}. The CPU engine (src/engine) trains instead.`);
    const cpu = new CpuTrainer(data, params, DEFAULTS);
    return {
      label: 'CPU: scalar autograd engine',
      step: (k) => void cpu.step(k),
      read: async () => {
        const { loss, predictions } = cpu.evaluate();
        return { step: cpu.stepCount, loss, predictions };
      },
    };
  }
}

function showBanner(el: Elements, text: string): void {
  el.banner.textContent = text;
  el.banner.hidden = false;
}

function show(el: Elements, data: Dataset, r: { step: number; loss: number; predictions: ArrayLike<number> }): void {
  el.step.textContent = String(r.step);
  el.loss.textContent = r.loss.toExponential(3);
  el.accuracy.textContent = `${Math.round(100 * accuracy(r.predictions, data.y))}%`;
  el.predictions.replaceChildren(
    ...Array.from(r.predictions, (p, n) => {
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

async function trainLive(el: Elements): Promise<void> {
  el.train.disabled = true;
  const data = xor();
  const trainer = await makeTrainer(data, el);
  el.backend.textContent = trainer.label;
  let done = 0;
  const frame = async () => {
    const k = Math.min(50, DEFAULTS.steps - done);
    trainer.step(k);
    done += k;
    show(el, data, await trainer.read());
    if (done < DEFAULTS.steps) requestAnimationFrame(() => void frame().catch((e: Error) => showBanner(el, e.message)));
    else el.train.disabled = false;
  };
  await frame();
}

/** The explainer text (docs/explainer.md) with the live demo mounted after its diagram. */
function mountExplainer(): void {
  const article = document.querySelector<HTMLElement>('[data-testid="explainer"]');
  const demo = document.querySelector<HTMLElement>('.demo');
  if (!article || !demo) throw new Error('page: missing the explainer or the demo element');
  article.innerHTML = renderMarkdown(explainerText); // our own text, rendered by marked and KaTeX
  const diagram = article.querySelector('pre');
  if (diagram) diagram.after(demo);
  else article.append(demo);
}

mountExplainer();
const elements = find();
elements.train.addEventListener('click', () => void trainLive(elements).catch((e: Error) => showBanner(elements, e.message)));
