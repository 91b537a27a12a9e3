/**
 * Each edge's local Jacobian ∂(head)/∂(tail): its TeX for the page (KaTeX), a plain-text twin for docs/graph.svg, where
 * it sits, and, for the scalar and elementwise edges, its value at the shown sample (data-jacobian), so a test can
 * multiply along the path and compare with the δ2 shown.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import { ACTIVATION_TEXT, type GraphState } from './graph-model.js';

/** f in TeX, for the gate edge's diag(f′(z1)). */
const F_TEX: Readonly<Record<HiddenActivation, string>> = {
  relu: '\\mathrm{ReLU}',
  leaky: '\\mathrm{leaky}',
  tanh: '\\tanh',
  sigmoid: '\\sigma',
};

export interface EdgeLabel {
  testid: string;
  tex: string;
  plain: string;
  x: number;
  y: number;
  /** Width of the label's box (KaTeX renders into a foreignObject this wide). */
  w: number;
  anchor?: 'start' | 'middle';
  /** The Jacobian's value: a number for scalar edges, a vector for elementwise/per-unit ones. */
  value?: number | number[];
  /** Walk stage in which this edge's rule is applied. */
  walk?: string;
  /** The edge's extent along x: a bracket ties the label to it, under a label above the rows, over one below them. */
  span?: [number, number];
  side?: 'above' | 'below';
}

export interface LabelGeometry {
  /** y of the b2 wire, the first row's main wire, and the middles of the output chain's vertical wires. */
  b2Y: number;
  A0: number;
  xLeafY: number;
  chain: { yHatMid?: number; lossMid: number };
  x: { fork: number; z1: number; a1: number; fork2: number; z2: number; out: number; bus: number; cell: number };
}

export function edgeLabels(s: GraphState, g: LabelGeometry): EdgeLabel[] {
  const { x } = g;
  const bce = s.input.loss === 'bce';
  const act = s.input.activation ?? 'relu';
  const v = s.values;
  const j = s.jacobians;
  const seg = (a: number, b: number) => (a + b) / 2;
  // the labels of each row's upper wires (W1, z1 → gate, a1 → z2) sit in one line above the first row, each over
  // its own edge with a bracket spanning it; those of the lower wires (b1, W2) below the last row the same way,
  // b2's right under its own wire; x's beside its bus, clear of the x leaf's label
  const top = 76;
  const up = 'above' as const;
  const down = 'below' as const;
  const labels: EdgeLabel[] = [
    {
      testid: 'jac-W1',
      tex: '\\partial z_{1j}/\\partial W_{1j} = x^\\top',
      plain: '∂z1ⱼ/∂W1ⱼ = xᵀ',
      x: seg(x.fork, x.z1),
      y: top,
      w: 140,
      value: v.x,
      walk: 'dW1',
      span: [x.fork + 4, x.z1 - 4],
      side: up,
    },
    {
      testid: 'jac-x',
      tex: '\\partial z_1/\\partial x = W_1',
      plain: '∂z1/∂x = W1',
      x: x.bus + 36,
      y: g.xLeafY + 4,
      w: 130,
      anchor: 'start',
    },
    {
      testid: 'jac-gate',
      tex: `\\partial a_1/\\partial z_1 = \\operatorname{diag}(${F_TEX[act]}'(z_1))`,
      plain: `∂a1/∂z1 = diag(${ACTIVATION_TEXT[act].f}′(z1))`,
      x: seg(x.z1 + x.cell, x.a1 + x.cell),
      y: top,
      w: 210,
      value: v.gate,
      walk: 'dz1',
      span: [x.z1 + x.cell + 4, x.a1 + x.cell - 2],
      side: up,
    },
    {
      testid: 'jac-a1',
      tex: '\\partial z_2/\\partial a_1 = W_2',
      plain: '∂z2/∂a1 = W2',
      x: seg(x.a1 + x.cell, x.z2) + 4,
      y: top,
      w: 112,
      value: v.W2,
      walk: 'da1',
      span: [x.a1 + x.cell + 8, x.z2 - 4],
      side: up,
    },
    bce
      ? {
          testid: 'jac-dl-dz2',
          tex: '\\partial \\ell/\\partial z_2 = \\hat y - y',
          plain: '∂ℓ/∂z2 = ŷ − y',
          x: seg(x.z2 + x.cell, x.out) - 8,
          y: g.A0 - 24,
          w: 120,
          value: j.dldz2,
          walk: 'dz2',
        }
      : {
          testid: 'jac-dyhat-dz2',
          tex: '\\partial \\hat y/\\partial z_2 = \\hat y(1-\\hat y)',
          plain: '∂ŷ/∂z2 = ŷ(1 − ŷ)',
          x: seg(x.z2 + x.cell, x.out) - 8,
          y: g.A0 - 24,
          w: 120,
          value: j.dyHatdz2,
          walk: 'dz2',
        },
    {
      testid: 'jac-b1',
      tex: '\\partial z_1/\\partial b_1 = I',
      plain: '∂z1/∂b1 = I',
      x: seg(x.fork, x.z1),
      y: g.b2Y + 42,
      w: 120,
      value: 1,
      walk: 'dW1',
      span: [x.fork + 4, x.z1 - 4],
      side: down,
    },
    {
      testid: 'jac-b2',
      tex: '\\partial z_2/\\partial b_2 = 1',
      plain: '∂z2/∂b2 = 1',
      x: seg(x.fork2, x.z2),
      y: g.b2Y + 42,
      w: 112,
      value: 1,
      walk: 'dW2',
      span: [x.fork2 + 4, x.z2 - 4],
      side: down,
    },
    {
      testid: 'jac-W2',
      tex: '\\partial z_2/\\partial W_2 = a_1^\\top',
      plain: '∂z2/∂W2 = a1ᵀ',
      x: seg(x.fork2, x.z2),
      y: g.b2Y + 70,
      w: 130,
      value: v.a1,
      walk: 'dW2',
      span: [x.fork2 - 100, x.z2 - 4],
      side: down,
    },
    {
      testid: 'jac-dL-dl',
      tex: '\\partial L/\\partial \\ell_n = 1/N',
      plain: '∂L/∂ℓₙ = 1/N',
      x: x.out + 10,
      y: g.chain.lossMid + 24,
      w: 150,
      anchor: 'start',
      value: j.dLdl,
      walk: 'dl',
    },
  ];
  if (!bce && g.chain.yHatMid !== undefined) {
    labels.push({
      testid: 'jac-dl-dyhat',
      tex: '\\partial \\ell/\\partial \\hat y = 2(\\hat y - y)',
      plain: '∂ℓ/∂ŷ = 2(ŷ − y)',
      x: x.out + 10,
      y: g.chain.yHatMid + 24,
      w: 160,
      anchor: 'start',
      value: j.dldyHat,
      walk: 'dyHat',
    });
  }
  return labels;
}
