/**
 * The one diagram: the computation graph x → z1 → a1 → z2 → yHat → loss of the
 * running network, each node with its shape, each edge with its local Jacobian,
 * and for one chosen point the forward values and, on the way back, the
 * gradients: dz2, dW2, db2, da1, dz1 (where ReLU gates), dW1, db1. Every number
 * also sits in a data-values attribute at full precision, for tests.
 */
import katex from 'katex';
import { sampleLosses } from '../mlp/reference.js';
import { paramLayout } from '../mlp/spec.js';
import type { Snapshot } from './session.js';

const SHOWN = 8; // entries shown per vector before "…"

function tex(source: string): string {
  return katex.renderToString(source, { throwOnError: true });
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e-3 && a < 1e4 ? v.toFixed(4).replace(/\.?0+$/, '') || '0' : v.toExponential(2);
}

/** A labelled list of numbers; `gated` marks entries a ReLU blocked. */
function values(testid: string, label: string, xs: readonly number[], gated?: readonly boolean[]): HTMLElement {
  const el = document.createElement('div');
  el.className = 'values';
  el.dataset.testid = `diagram-${testid}`;
  el.dataset.values = JSON.stringify(xs);
  const head = document.createElement('span');
  head.className = 'values-label';
  head.innerHTML = tex(label);
  el.append(head);
  xs.slice(0, SHOWN).forEach((v, i) => {
    const s = document.createElement('span');
    s.className = gated?.[i] ? 'num gated' : 'num';
    s.textContent = fmt(v);
    if (gated?.[i]) s.title = 'ReLU′(z1) = 0 here: the gradient stops';
    el.append(s);
  });
  if (xs.length > SHOWN) el.append(Object.assign(document.createElement('span'), { className: 'num more', textContent: `… ${xs.length - SHOWN} more` }));
  return el;
}

function node(name: string, shape: string, ...rows: HTMLElement[]): HTMLElement {
  const el = document.createElement('div');
  el.className = 'node';
  const title = document.createElement('div');
  title.className = 'node-title';
  title.innerHTML = `${tex(name)} <span class="shape">${tex(shape)}</span>`;
  el.append(title, ...rows);
  return el;
}

function edge(jacobian: string, note = ''): HTMLElement {
  const el = document.createElement('div');
  el.className = 'edge';
  el.innerHTML = `<span class="arrow" title="forward ↓, gradients flow back ↑">↓↑</span><span class="jacobian">local Jacobian ${tex(jacobian)}</span>${note ? `<span class="edge-note">${note}</span>` : ''}`;
  return el;
}

/** Renders the diagram for sample `point` of the snapshot into `root`. */
export function renderDiagram(root: HTMLElement, s: Snapshot, point: number, loss: 'bce' | 'mse'): void {
  const { d, N } = s.data;
  const H = s.values.z1.length / N;
  const n = Math.min(Math.max(point, 0), N - 1);
  const row = (a: Float64Array, width: number) => Array.from(a.subarray(n * width, (n + 1) * width));
  const L = paramLayout({ d, H });
  const g = s.gpuGrads ?? s.oracle.grads;
  const slice = (name: 'W1' | 'b1' | 'W2' | 'b2') => Array.from(g.subarray(L[name].offset, L[name].offset + L[name].length));
  const z1 = row(s.values.z1, H);
  const gated = z1.map((z) => !(z > 0));
  const x = Array.from(s.data.x.subarray(n * d, (n + 1) * d));
  const y = s.data.y[n]!;
  const yHat = s.values.yHat[n]!;
  const z2 = s.values.z2[n]!;
  const sampleLoss = sampleLosses(loss, s.values, s.data.y)[n]!;
  const source = s.gpuGrads ? 'the GPU' : 'the CPU engine';

  const graph = document.createElement('div');
  graph.className = 'graph';
  graph.append(
    node('x', `${d}`, values('x', 'x', x)),
    edge('\\frac{\\partial z_1}{\\partial x} = W_1', `${H}×${d}`),
    node(
      'z_1 = W_1 x + b_1',
      `${H}`,
      values('z1', 'z_1', z1),
      values('dz1', '\\delta_1', row(s.values.dz1, H), gated),
      values('dW1', '\\partial L/\\partial W_1', slice('W1')),
      values('db1', '\\partial L/\\partial b_1', slice('b1')),
    ),
    edge('\\frac{\\partial a_1}{\\partial z_1} = \\operatorname{diag}(\\mathrm{ReLU}\'(z_1))', `ReLU′ = [${z1.slice(0, SHOWN).map((z) => (z > 0 ? 1 : 0)).join(', ')}${H > SHOWN ? ', …' : ''}]`),
    node('a_1 = \\mathrm{ReLU}(z_1)', `${H}`, values('a1', 'a_1', row(s.values.a1, H)), values('da1', 'W_2^\\top \\delta_2', row(s.values.da1, H))),
    edge('\\frac{\\partial z_2}{\\partial a_1} = W_2', `1×${H}`),
    node(
      'z_2 = W_2 a_1 + b_2',
      '1',
      values('z2', 'z_2', [z2]),
      values('dz2', '\\delta_2', [s.values.dz2[n]!]),
      values('dW2', '\\partial L/\\partial W_2', slice('W2')),
      values('db2', '\\partial L/\\partial b_2', slice('b2')),
    ),
    edge('\\frac{\\partial \\hat y}{\\partial z_2} = \\hat y (1 - \\hat y)', fmt(yHat * (1 - yHat))),
    node('\\hat y = \\sigma(z_2)', '1', values('yHat', '\\hat y', [yHat]), values('y', 'y', [y])),
    edge(loss === 'bce' ? '\\frac{\\partial \\ell}{\\partial z_2} = \\hat y - y' : '\\frac{\\partial \\ell}{\\partial \\hat y} = 2(\\hat y - y)'),
    node(loss === 'bce' ? '\\ell_{\\text{BCE}}' : '\\ell_{\\text{MSE}}', '1', values('loss', '\\ell_n', [sampleLoss])),
  );
  const caption = document.createElement('p');
  caption.className = 'diagram-caption';
  caption.textContent =
    `Point ${n}: x = (${x.join(', ')}), y = ${y}, at step ${s.step}, values from ${source}. ` +
    `Forward values on top; below them the backward pass: δ2 = ∂L/∂z2 for this point (the batch mean's 1/N included), ` +
    `W2ᵀδ2, then δ1 with the entries ReLU blocks struck through. The parameter gradients ∂L/∂W and ∂L/∂b are sums over all ${N} points.`;
  root.replaceChildren(graph, caption);
}
