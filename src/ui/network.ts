/**
 * The network as a picture: inputs, hidden units and the output, every edge
 * coloured by its weight's sign and as thick as its size; a hidden unit that is
 * off (a1 = 0) for every data point is dead, drawn hollow and marked.
 */
import { paramLayout } from '../mlp/spec.js';
import type { Snapshot } from './session.js';

const NS = 'http://www.w3.org/2000/svg';
const MAX_UNITS = 24;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Hidden units with a1 = 0 on every sample. */
export function deadUnits(s: Snapshot): number[] {
  const N = s.data.N;
  const H = s.values.a1.length / N;
  return Array.from({ length: H }, (_, j) => j).filter((j) => {
    for (let n = 0; n < N; n++) if (s.values.a1[n * H + j]! > 0) return false;
    return true;
  });
}

export function renderNetwork(svg: SVGSVGElement, s: Snapshot): void {
  const d = s.data.d;
  const H = s.values.a1.length / s.data.N;
  const L = paramLayout({ d, H });
  const shown = Math.min(H, MAX_UNITS);
  const width = 320;
  const height = Math.max(160, 28 * shown + 20);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const ys = (count: number, i: number) => ((i + 0.5) * height) / count;
  const input = (i: number) => ({ x: 40, y: ys(d, i) });
  const hidden = (j: number) => ({ x: 160, y: ys(shown, j) });
  const out = { x: 280, y: height / 2 };
  const p = s.params;
  let maxW = 1e-9;
  for (let k = 0; k < L.b1.offset; k++) maxW = Math.max(maxW, Math.abs(p[k]!));
  for (let j = 0; j < H; j++) maxW = Math.max(maxW, Math.abs(p[L.W2.offset + j]!));
  const line = (a: { x: number; y: number }, b: { x: number; y: number }, w: number) =>
    el('line', {
      x1: a.x, y1: a.y, x2: b.x, y2: b.y,
      stroke: w >= 0 ? '#2563eb' : '#ea580c',
      'stroke-width': (0.5 + 4 * Math.abs(w) / maxW).toFixed(2),
      'stroke-opacity': 0.8,
    });
  const dead = new Set(deadUnits(s));
  const parts: SVGElement[] = [];
  for (let j = 0; j < shown; j++) {
    for (let i = 0; i < d; i++) parts.push(line(input(i), hidden(j), p[L.W1.offset + j * d + i]!));
    parts.push(line(hidden(j), out, p[L.W2.offset + j]!));
  }
  const circle = (c: { x: number; y: number }, label: string, isDead = false) => {
    const g = el('g', {});
    g.append(el('circle', { cx: c.x, cy: c.y, r: 11, fill: isDead ? 'none' : '#f8fafc', stroke: isDead ? '#999' : '#334155', 'stroke-dasharray': isDead ? '3 2' : '' }));
    const t = el('text', { x: c.x, y: c.y + 4, 'text-anchor': 'middle', 'font-size': 10, fill: isDead ? '#999' : '#334155' });
    t.textContent = label;
    g.append(t);
    if (isDead) {
      const note = el('text', { x: c.x + 15, y: c.y + 4, 'font-size': 10, fill: '#999' });
      note.textContent = 'dead';
      g.append(note);
      g.append(Object.assign(el('title', {}), { textContent: `unit ${j(label)} is off (a1 = 0) for every point: it receives no gradient` }));
    }
    return g;
  };
  const j = (label: string) => label.replace(/^h/, '');
  for (let i = 0; i < d; i++) parts.push(circle(input(i), `x${i + 1}`));
  for (let k = 0; k < shown; k++) parts.push(circle(hidden(k), `h${k + 1}`, dead.has(k)));
  parts.push(circle(out, 'ŷ'));
  if (H > shown) {
    const more = el('text', { x: 160, y: height - 4, 'text-anchor': 'middle', 'font-size': 10, fill: '#666' });
    more.textContent = `+${H - shown} more units not drawn`;
    parts.push(more);
  }
  svg.dataset.dead = String(dead.size);
  svg.replaceChildren(...parts);
}
