/**
 * brain.js (1.x, pure JavaScript; its `NeuralNetwork`) as a benchmark peer. It cannot train exactly our network, and
 * the bench says so beside its figure (BRAIN_NOTE):
 * - it updates after every sample (online SGD): one of its "steps" here is one pass over the data (an epoch), the
 *   same forward and backward work as one full-batch step of ours, with N updates instead of one;
 * - its output unit uses the hidden activation (tanh or ReLU, not σ), and it minimises ½(ŷ − y)² per sample;
 * - it refuses momentum 0, so it gets the smallest positive double, whose term underflows to 0 (plain SGD).
 * It starts from our initial parameters, and its per-sample rate is 2·lr/N, so that an epoch moves the parameters
 * about as far as one full-batch step of the mean (1/N) Σ (ŷ − y)² at rate lr.
 */
import { createRequire } from 'node:module';
import type { Dataset } from '../src/mlp/data/data.js';
import { paramLayout } from '../src/mlp/spec.js';

/** What differs from the case's network, printed beside brain.js's figure. */
export const BRAIN_NOTE =
  'online SGD (a step is one epoch of per-sample updates), its output unit uses the hidden activation, MSE; ' +
  'it has no full-batch SGD and no σ output after tanh or ReLU';

/**
 * brain.js's NeuralNetwork module alone, required as CommonJS from node_modules: its index also loads gpu.js, whose
 * `eval` every CLI build would warn about, and importing the module itself gives `exports.default` under vite's
 * transform (the tests) but `module.exports` in Node (the bundle).
 */
function loadNeuralNetwork(): typeof import('brain.js').NeuralNetwork {
  const require = createRequire(import.meta.url);
  return (require('brain.js/dist/neural-network.js') as { default: typeof import('brain.js').NeuralNetwork }).default;
}

/** The parts of brain.js 1.x's NeuralNetwork we set directly: its sizes, and per layer its weights and biases. */
interface BrainInternals {
  sizes: number[];
  initialize(): void;
  weights: Float32Array[][];
  biases: Float32Array[];
}

/** A brain.js network of one hidden layer, started from our flat parameters; `run(k)` trains k epochs. */
export function brainTrainer(
  data: Dataset,
  params: ArrayLike<number>,
  H: number,
  lr: number,
  activation: 'relu' | 'tanh',
): { run(k: number): void; loss(): number } {
  const { d, N } = data;
  const NeuralNetwork = loadNeuralNetwork();
  const net = new NeuralNetwork({ hiddenLayers: [H], activation });
  const inner = net as unknown as BrainInternals;
  inner.sizes = [d, H, 1];
  inner.initialize();
  const L = paramLayout({ d, H });
  for (let j = 0; j < H; j++) {
    for (let i = 0; i < d; i++) inner.weights[1]![j]![i] = params[L.W1.offset + j * d + i]!;
    inner.biases[1]![j] = params[L.b1.offset + j]!;
    inner.weights[2]![0]![j] = params[L.W2.offset + j]!;
  }
  inner.biases[2]![0] = params[L.b2.offset]!;
  const samples = Array.from({ length: N }, (_, n) => ({
    input: Array.from(data.x.subarray(n * d, (n + 1) * d)),
    output: [data.y[n]!],
  }));
  // brain.js refuses momentum 0 and errorThresh 0; the smallest positive double is as good as 0 for both
  const options = {
    learningRate: (2 * lr) / N,
    momentum: Number.MIN_VALUE,
    errorThresh: Number.MIN_VALUE,
    log: false,
  };
  return {
    run(k) {
      net.train(samples, { ...options, iterations: k });
    },
    /** The mean (ŷ − y)² over the data, ŷ from its own network. */
    loss() {
      let sum = 0;
      for (const s of samples) sum += (net.run(s.input)[0]! - s.output[0]!) ** 2;
      return sum / N;
    },
  };
}
