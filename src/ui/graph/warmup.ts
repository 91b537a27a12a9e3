/**
 * The warm-up before the network: backprop on two scalar expressions, f = (x + y)·z and one sigmoid neuron
 * f = σ(w1·x1 + w2·x2 + b), with the numbers on the wires, walked one node at a time as the live graph is. Every
 * number is the scalar engine's (src/engine/value.ts): its forward values and, after f.backward(), its gradients.
 * The words keep a node's local derivative (written with the node's own operation, like ∂(q·z)/∂q) apart from the
 * gradient arriving from the output (∂f/∂…). Pure: no DOM.
 */
import { Value } from '../../engine/value.js';
import { fmt } from './graph-model.js';
import { esc, line, tag } from './graph-parts.js';
import type { WalkStep } from './graph-steps.js';

/** A wire: the value it carries forward (above it) and the gradient ∂f/∂(that value) it carries back (below it). */
export interface WarmWire {
  /** Its name in the words and its testid: x, q, w1 … */
  name: string;
  from: readonly [number, number];
  to: readonly [number, number];
  value: number;
  grad: number;
  /** The walk stages that reveal its value and its gradient. */
  fwd: string;
  back: string;
}

export interface WarmNode {
  glyph: string;
  x: number;
  y: number;
  /** The stages in which it is lit. */
  walk: string[];
}

export interface WarmExpr {
  id: string;
  title: string;
  width: number;
  height: number;
  wires: WarmWire[];
  nodes: WarmNode[];
  steps: WalkStep[];
}

/** CS231n's first example: x = −2, y = 5, z = −4. */
export const ADD_MUL = { x: -2, y: 5, z: -4 } as const;
/** CS231n's neuron: w = (2, −3), b = −3, at x = (−1, −2). */
export const NEURON = { w1: 2, w2: -3, b: -3, x1: -1, x2: -2 } as const;

const R = 18;
const f2 = (a: number, b: number) => `${fmt(a)} · ${fmt(b)}`.replace(/· −(\S+)/, '· (−$1)');
const step = (direction: WalkStep['direction'], id: string, sentence: string): WalkStep => ({
  id,
  direction,
  sentence,
});

/** A wire from `from` to `to` carrying `v`: its value on the way forward, its gradient on the way back. */
const w = (
  name: string,
  v: Value,
  from: readonly [number, number],
  to: readonly [number, number],
  fwd: string,
  back: string,
): WarmWire => ({ name, from, to, value: v.data, grad: v.grad, fwd, back });

/** f = (x + y)·z: the add then the multiply, forward and back. */
export function addMul(): WarmExpr {
  const x = new Value(ADD_MUL.x, 'x');
  const y = new Value(ADD_MUL.y, 'y');
  const z = new Value(ADD_MUL.z, 'z');
  const q = x.add(y);
  const f = q.mul(z);
  f.backward();
  const add = [220, 80] as const;
  const mul = [400, 130] as const;
  const wires = [
    w('x', x, [40, 40], add, 'a-leaves', 'a-add'),
    w('y', y, [40, 120], add, 'a-leaves', 'a-add'),
    w('q', q, add, mul, 'a-q', 'a-mul'),
    w('z', z, [40, 200], mul, 'a-leaves', 'a-mul'),
    w('f', f, mul, [560, 130], 'a-f', 'a-seed'),
  ];
  const steps = [
    step(
      'forward',
      'a-leaves',
      `The inputs hold given values: x = ${fmt(x.data)}, y = ${fmt(y.data)}, z = ${fmt(z.data)}.`,
    ),
    step('forward', 'a-q', `The add node: q = x + y = ${fmt(x.data)} + ${fmt(y.data)} = ${fmt(q.data)}.`),
    step(
      'forward',
      'a-f',
      `The multiply node: f = q · z = ${f2(q.data, z.data)} = ${fmt(f.data)}. The forward pass is done.`,
    ),
    step(
      'backward',
      'a-seed',
      `The backward pass starts at the output with ∂f/∂f = 1. Each node back from here multiplies its local ` +
        `derivative (how its own output moves with one input, the node on its own) by the gradient arriving from ` +
        `the output side, and hands the product to that input.`,
    ),
    step(
      'backward',
      'a-mul',
      `The multiply's local derivatives are the other input: ∂(q·z)/∂q = z = ${fmt(z.data)} and ∂(q·z)/∂z = q = ` +
        `${fmt(q.data)}. Times the arriving ∂f/∂f = 1: ∂f/∂q = ${fmt(q.grad)} and ∂f/∂z = ${fmt(z.grad)}.`,
    ),
    step(
      'backward',
      'a-add',
      `The add's local derivatives are both 1: ∂(x + y)/∂x = ∂(x + y)/∂y = 1, so it hands the arriving ` +
        `∂f/∂q = ${fmt(q.grad)} to both inputs unchanged: ∂f/∂x = ${fmt(x.grad)} and ∂f/∂y = ${fmt(y.grad)}. ` +
        `Raising x a little, by ε, lowers f by about ${fmt(-x.grad)}·ε.`,
    ),
  ];
  return {
    id: 'add-mul',
    title: 'f = (x + y) · z',
    width: 600,
    height: 240,
    wires,
    nodes: [
      { glyph: '+', x: add[0], y: add[1], walk: ['a-q', 'a-add'] },
      { glyph: '×', x: mul[0], y: mul[1], walk: ['a-f', 'a-mul'] },
    ],
    steps,
  };
}

/** One sigmoid neuron f = σ(w1·x1 + w2·x2 + b): two multiplies, a sum, σ. */
export function neuron(): WarmExpr {
  const { w1: W1, w2: W2, b: B, x1: X1, x2: X2 } = NEURON;
  const w1 = new Value(W1, 'w1');
  const x1 = new Value(X1, 'x1');
  const w2 = new Value(W2, 'w2');
  const x2 = new Value(X2, 'x2');
  const b = new Value(B, 'b');
  const p1 = w1.mul(x1);
  const p2 = w2.mul(x2);
  const z = p1.add(p2).add(b);
  const f = z.sigmoid();
  f.backward();
  // each multiply's two inputs 90 apart, so the numbers on one wire sit clear of its neighbour's
  const m1 = [200, 65] as const;
  const m2 = [200, 215] as const;
  const sum = [370, 165] as const;
  const sig = [510, 165] as const;
  const wires = [
    w('w1', w1, [40, 20], m1, 'b-leaves', 'b-mul'),
    w('x1', x1, [40, 110], m1, 'b-leaves', 'b-mul'),
    w('w2', w2, [40, 170], m2, 'b-leaves', 'b-mul'),
    w('x2', x2, [40, 260], m2, 'b-leaves', 'b-mul'),
    w('b', b, [250, 335], sum, 'b-leaves', 'b-sum'),
    w('p1', p1, m1, sum, 'b-p', 'b-sum'),
    w('p2', p2, m2, sum, 'b-p', 'b-sum'),
    w('z', z, sum, sig, 'b-z', 'b-sigma'),
    w('f', f, sig, [640, 165], 'b-f', 'b-seed'),
  ];
  const s = f.data;
  const steps = [
    step(
      'forward',
      'b-leaves',
      `A neuron: weights w1 = ${fmt(W1)}, w2 = ${fmt(W2)} and bias b = ${fmt(B)}, at the input x1 = ${fmt(X1)}, ` +
        `x2 = ${fmt(X2)}.`,
    ),
    step(
      'forward',
      'b-p',
      `The multiplies: p1 = w1 · x1 = ${f2(W1, X1)} = ${fmt(p1.data)} and p2 = w2 · x2 = ${f2(W2, X2)} = ${fmt(p2.data)}.`,
    ),
    step('forward', 'b-z', `The sum: z = p1 + p2 + b = ${fmt(z.data)}, the neuron's weighted input.`),
    step(
      'forward',
      'b-f',
      `The sigmoid: f = σ(z) = 1/(1 + e^(−z)) = ${fmt(s)}, between 0 and 1. The forward pass is done.`,
    ),
    step('backward', 'b-seed', 'The backward pass starts at the output with ∂f/∂f = 1.'),
    step(
      'backward',
      'b-sigma',
      `Through σ: its local derivative is dσ(z)/dz = σ(z)(1 − σ(z)) = ${fmt(s)} × ${fmt(1 - s)} = ` +
        `${fmt(s * (1 - s))}, read off the forward value alone. Times the arriving ∂f/∂f = 1: ∂f/∂z = ${fmt(z.grad)}.`,
    ),
    step(
      'backward',
      'b-sum',
      `Through the sum: each local derivative ∂(p1 + p2 + b)/∂(an input) is 1, so the arriving ∂f/∂z = ` +
        `${fmt(z.grad)} goes to all three: ∂f/∂p1 = ∂f/∂p2 = ∂f/∂b = ${fmt(b.grad)}.`,
    ),
    step(
      'backward',
      'b-mul',
      `Through the multiplies, each local derivative the other input: ∂(w1·x1)/∂w1 = x1 = ${fmt(X1)}, so ∂f/∂w1 = ` +
        `${fmt(X1)} × ${fmt(p1.grad)} = ${fmt(w1.grad)}, and ∂(w1·x1)/∂x1 = w1, so ∂f/∂x1 = ${fmt(W1)} × ${fmt(p1.grad)} = ${fmt(x1.grad)}; the same for the other, ` +
        `∂f/∂w2 = ${fmt(w2.grad)}, ∂f/∂x2 = ${fmt(x2.grad)}. These are what gradient descent uses to move w1, w2 ` +
        `and b; the network ahead is many such neurons, walked the same way.`,
    ),
  ];
  return {
    id: 'neuron',
    title: 'f = σ(w1·x1 + w2·x2 + b)',
    width: 680,
    height: 355,
    wires,
    nodes: [
      { glyph: '×', x: m1[0], y: m1[1], walk: ['b-p', 'b-mul'] },
      { glyph: '×', x: m2[0], y: m2[1], walk: ['b-p', 'b-mul'] },
      { glyph: '+', x: sum[0], y: sum[1], walk: ['b-z', 'b-sum'] },
      { glyph: 'σ', x: sig[0], y: sig[1], walk: ['b-f', 'b-sigma'] },
    ],
    steps,
  };
}

/** The warm-up's expressions in the order they are walked. */
export function warmups(): WarmExpr[] {
  return [addMul(), neuron()];
}

/** Where a wire meets a node's circle (or its free end), so wires stop at the rim. */
function ends(wire: WarmWire, nodes: WarmNode[]): [number, number, number, number] {
  const at = (p: readonly [number, number]) => nodes.some((n) => n.x === p[0] && n.y === p[1]);
  const [x1, y1] = wire.from;
  const [x2, y2] = wire.to;
  const len = Math.hypot(x2 - x1, y2 - y1);
  const [ux, uy] = [(x2 - x1) / len, (y2 - y1) / len];
  const a = at(wire.from) ? R : 6;
  const b = at(wire.to) ? R + 2 : 0;
  return [x1 + ux * a, y1 + uy * a, x2 - ux * b, y2 - uy * b];
}

/** The drawing of one expression: leaves, nodes, and each wire's value above it and gradient below it. */
export function warmupMarkup(e: WarmExpr): string {
  const marker = `warmup-${e.id}-arrow`;
  const out: string[] = [
    `<defs><marker id="${marker}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>`,
  ];
  for (const wire of e.wires) {
    const [x1, y1, x2, y2] = ends(wire, e.nodes);
    const leaf = !e.nodes.some((n) => n.x === wire.from[0] && n.y === wire.from[1]);
    const free = !e.nodes.some((n) => n.x === wire.to[0] && n.y === wire.to[1]);
    out.push(line(x1, y1, x2, y2, 'wire', free ? {} : { 'marker-end': `url(#${marker})` }));
    if (leaf) {
      out.push(tag('circle', { cx: wire.from[0], cy: wire.from[1], r: 5, class: 'leaf', 'data-walk': wire.fwd }));
      out.push(
        tag('text', { x: wire.from[0] - 10, y: wire.from[1] + 4, class: 'label', 'text-anchor': 'end' }, wire.name),
      );
    }
    // the numbers sit along the wire's first half, clear of the node it enters
    const t = leaf ? 0.45 : 0.5;
    const mx = x1 + (x2 - x1) * t;
    const my = y1 + (y2 - y1) * t;
    if (!leaf) out.push(tag('text', { x: mx, y: my - 20, class: 'label', 'text-anchor': 'middle' }, wire.name));
    const num = (kind: 'fwd' | 'grad', v: number, stage: string, dy: number) =>
      tag(
        'text',
        {
          x: mx,
          y: my + dy,
          class: `num ${kind}`,
          'text-anchor': 'middle',
          'data-reveal': stage,
          'data-value': String(v),
          'data-testid': `warmup-${e.id}-${wire.name}-${kind}`,
        },
        esc(fmt(v)),
      );
    out.push(num('fwd', wire.value, wire.fwd, -6), num('grad', wire.grad, wire.back, 14));
  }
  for (const n of e.nodes) {
    out.push(
      tag('circle', { cx: n.x, cy: n.y, r: R, class: 'node', 'data-walk': n.walk.join(' ') }),
      tag('text', { x: n.x, y: n.y + 5, class: 'glyph' }, n.glyph),
    );
  }
  const names = e.wires.map((w) => w.name).join(', ');
  return tag(
    'svg',
    {
      class: 'graph-svg warmup-svg',
      viewBox: `0 0 ${e.width} ${e.height}`,
      role: 'img',
      'aria-label': `The graph of ${e.title}: each wire (${names}) shows its value above it and the gradient ∂f/∂ of that value below it, as the walk reaches them.`,
      'data-testid': `warmup-${e.id}`,
    },
    out.join(''),
  );
}
