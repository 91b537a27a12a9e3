/**
 * Each edge's local Jacobian ∂(head)/∂(tail): its TeX for the page (KaTeX), a plain-text twin for docs/graph.svg, where
 * it sits, and, for the scalar and elementwise edges, its value at the shown sample (data-jacobian), so a test can
 * multiply along the path and compare with the δ2 shown.
 */
import type { HiddenActivation } from '../../engine/activation.js';
import type { ChainMids } from './graph-chain.js';
import { ACTIVATION_TEXT, gateKey, type GraphState } from './graph-model.js';
import { CELL, type Layout } from './graph-parts.js';

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
  lay: Layout;
  /** y of the first row's main wire, of x's leaf, of the recursion arrows; the middles of the chain's wires. */
  A0: number;
  xLeafY: number;
  recursionY: number;
  chain: ChainMids;
}

/** A name with its layer's number (one digit) as a TeX subscript: z_1. */
const sub = (name: string, l: number) => `${name}_${l}`;

export function edgeLabels(s: GraphState, g: LabelGeometry): EdgeLabel[] {
  const { lay } = g;
  const x = { ...lay.cols, cell: CELL };
  const L = s.layers;
  const o = L + 1;
  const bce = s.input.loss === 'bce';
  const identity = s.input.output === 'identity';
  const act = s.input.activation ?? 'relu';
  const v = s.values;
  const j = s.jacobians;
  const seg = (a: number, b: number) => (a + b) / 2;
  // the labels of each row's upper wires (W_l, z_l → gate, a_L → z_{L+1}) sit in one line above the first row, each
  // over its own edge with a bracket spanning it; those of the lower wires (b_l, W_{L+1}) below the last row the same
  // way, b_{L+1}'s right under its own wire; x's beside its bus, clear of the x leaf's label; a_l's (l < L) beside
  // the bus it feeds
  const top = 76;
  const up = 'above' as const;
  const down = 'below' as const;
  const labels: EdgeLabel[] = [];
  for (let l = 1; l <= L; l++) {
    const x0 = lay.ox[l - 1]!;
    const input = l === 1 ? 'x' : `a${l - 1}`;
    const inputTex = l === 1 ? 'x' : sub('a', l - 1);
    labels.push({
      testid: `jac-W${l}`,
      tex: `\\partial z_{${l}j}/\\partial W_{${l}j} = ${inputTex}^\\top`,
      plain: `∂z${l}ⱼ/∂W${l}ⱼ = ${input}ᵀ`,
      x: x0 + seg(x.fork, x.z1),
      y: top,
      w: 140,
      value: v[input],
      walk: `dW${l}`,
      span: [x0 + x.fork + 4, x0 + x.z1 - 4],
      side: up,
    });
    if (l === 1)
      labels.push({
        testid: 'jac-x',
        tex: '\\partial z_1/\\partial x = W_1',
        plain: '∂z1/∂x = W1',
        x: x.bus + 36,
        y: g.xLeafY + 4,
        w: 130,
        anchor: 'start',
      });
    else
      labels.push({
        testid: `jac-a${l - 1}`,
        tex: `\\partial ${sub('z', l)}/\\partial ${sub('a', l - 1)} = ${sub('W', l)}`,
        plain: `∂z${l}/∂a${l - 1} = W${l}`,
        x: x0 + x.bus + 36,
        y: g.xLeafY + 4,
        w: 150,
        anchor: 'start',
        value: v[`W${l}`],
        walk: `da${l - 1}`,
      });
    labels.push({
      testid: l === 1 ? 'jac-gate' : `jac-gate${l}`,
      tex: `\\partial ${sub('a', l)}/\\partial ${sub('z', l)} = \\operatorname{diag}(${F_TEX[act]}'(${sub('z', l)}))`,
      plain: `∂a${l}/∂z${l} = diag(${ACTIVATION_TEXT[act].f}′(z${l}))`,
      x: x0 + seg(x.z1 + x.cell, x.a1 + x.cell),
      y: top,
      w: 210,
      value: v[gateKey(l)],
      walk: `dz${l}`,
      span: [x0 + x.z1 + x.cell + 4, x0 + x.a1 + x.cell - 2],
      side: up,
    });
  }
  const last = lay.ox[L - 1]!;
  labels.push(
    {
      testid: `jac-a${L}`,
      tex: `\\partial ${sub('z', o)}/\\partial ${sub('a', L)} = ${sub('W', o)}`,
      plain: `∂z${o}/∂a${L} = W${o}`,
      x: seg(last + x.a1 + x.cell, lay.z2) + 4,
      y: top,
      w: 112,
      value: v[`W${o}`],
      walk: `da${L}`,
      span: [last + x.a1 + x.cell + 8, lay.z2 - 4],
      side: up,
    },
    bce
      ? {
          testid: `jac-dl-dz${o}`,
          tex: `\\partial \\ell/\\partial ${sub('z', o)} = \\hat y - y`,
          plain: `∂ℓ/∂z${o} = ŷ − y`,
          x: seg(lay.z2 + x.cell, lay.out) - 8,
          y: g.A0 - 24,
          w: 120,
          value: j.dldz,
          walk: `dz${o}`,
        }
      : identity
        ? {
            testid: `jac-dyhat-dz${o}`,
            tex: `\\partial \\hat y/\\partial ${sub('z', o)} = 1`,
            plain: `∂ŷ/∂z${o} = 1`,
            x: seg(lay.z2 + x.cell, lay.out) - 8,
            y: g.A0 - 24,
            w: 120,
            value: j.dyHatdz,
            walk: `dz${o}`,
          }
        : {
            testid: `jac-dyhat-dz${o}`,
            tex: `\\partial \\hat y/\\partial ${sub('z', o)} = \\hat y(1-\\hat y)`,
            plain: `∂ŷ/∂z${o} = ŷ(1 − ŷ)`,
            x: seg(lay.z2 + x.cell, lay.out) - 8,
            y: g.A0 - 24,
            w: 120,
            value: j.dyHatdz,
            walk: `dz${o}`,
          },
  );
  for (let l = 1; l <= L; l++) {
    const x0 = lay.ox[l - 1]!;
    labels.push({
      testid: `jac-b${l}`,
      tex: `\\partial ${sub('z', l)}/\\partial ${sub('b', l)} = I`,
      plain: `∂z${l}/∂b${l} = I`,
      x: x0 + seg(x.fork, x.z1),
      y: lay.b2Y + 42,
      w: 120,
      value: 1,
      walk: `dW${l}`,
      span: [x0 + x.fork + 4, x0 + x.z1 - 4],
      side: down,
    });
  }
  labels.push(
    {
      testid: `jac-b${o}`,
      tex: `\\partial ${sub('z', o)}/\\partial ${sub('b', o)} = 1`,
      plain: `∂z${o}/∂b${o} = 1`,
      x: seg(lay.fork2, lay.z2),
      y: lay.b2Y + 42,
      w: 112,
      value: 1,
      walk: `dW${o}`,
      span: [lay.fork2 + 4, lay.z2 - 4],
      side: down,
    },
    {
      testid: `jac-W${o}`,
      tex: `\\partial ${sub('z', o)}/\\partial ${sub('W', o)} = ${sub('a', L)}^\\top`,
      plain: `∂z${o}/∂W${o} = a${L}ᵀ`,
      x: seg(lay.fork2, lay.z2),
      y: lay.b2Y + 70,
      w: 130,
      value: v[`a${L}`],
      walk: `dW${o}`,
      span: [lay.fork2 - 100, lay.z2 - 4],
      side: down,
    },
    {
      testid: 'jac-dL-dl',
      // the mean's own derivative, not ∂L/∂ℓₙ (the gradient the wire carries, which it equals only times the seed 1)
      tex: s.penalty
        ? '\\partial L_{\\text{data}}/\\partial \\ell_n = 1/N'
        : '\\partial\\,\\mathrm{mean}/\\partial \\ell_n = 1/N',
      plain: s.penalty ? '∂L_data/∂ℓₙ = 1/N' : '∂mean/∂ℓₙ = 1/N',
      x: lay.out + 10,
      y: g.chain.lossMid + 24,
      w: 150,
      anchor: 'start',
      value: j.dLdl,
      walk: 'dl',
    },
  );
  if (!bce && !identity && g.chain.yHatMid !== undefined) {
    labels.push({
      testid: 'jac-dl-dyhat',
      tex: '\\partial \\ell/\\partial \\hat y = 2(\\hat y - y)',
      plain: '∂ℓ/∂ŷ = 2(ŷ − y)',
      x: lay.out + 10,
      y: g.chain.yHatMid + 24,
      w: 160,
      anchor: 'start',
      value: j.dldyHat,
      walk: 'dyHat',
    });
  }
  if (identity) {
    // under the node's name and ŷ = z: the squared error's own Jacobian
    labels.push({
      testid: 'jac-dl-dyhat',
      tex: '\\partial \\ell/\\partial \\hat y = 2(\\hat y - y)',
      plain: '∂ℓ/∂ŷ = 2(ŷ − y)',
      x: lay.out + 28,
      y: g.A0 + 42,
      w: 160,
      anchor: 'start',
      value: j.dldyHat,
      walk: `dz${o}`,
    });
  }
  if (s.penalty && g.chain.plusY !== undefined) {
    labels.push({
      testid: 'jac-R',
      tex: '\\partial R/\\partial w = \\lambda_1 \\operatorname{sign}(w) + \\lambda_2 w',
      plain: '∂R/∂w = λ1 sign(w) + λ2 w',
      x: lay.out + 178,
      y: g.chain.plusY + 14,
      w: 200,
      anchor: 'start',
      walk: 'penW',
    });
  }
  if (L > 1)
    for (let l = L; l >= 1; l--) {
      // the recursion under its arrow, from δ_{l+1} back to δ_l
      const from = l === L ? lay.z2 + CELL / 2 : lay.ox[l]! + x.z1 + CELL / 2;
      const to = lay.ox[l - 1]! + x.z1 + CELL / 2;
      labels.push({
        testid: `rec-dz${l}`,
        tex: `\\delta_{${l}} = (W_{${l + 1}}^\\top \\delta_{${l + 1}}) \\odot ${F_TEX[act]}'(z_{${l}})`,
        plain: `δ${l} = (W${l + 1}ᵀ δ${l + 1}) ⊙ ${ACTIVATION_TEXT[act].f}′(z${l})`,
        x: seg(from, to),
        y: g.recursionY + 24,
        w: 230,
        walk: `dz${l}`,
      });
    }
  return labels;
}
