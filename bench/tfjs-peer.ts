/**
 * TensorFlow.js as a benchmark peer, set up for the same network, data, loss
 * and learning rate as ours: z1 = x W1ᵀ + b1, a1 = ReLU(z1), z2 = a1 W2ᵀ + b2,
 * BCE from the logit (tf.losses.sigmoidCrossEntropy, a mean), plain SGD.
 * Its WebGPU backend runs on the same Dawn instance and adapter as our kernels.
 */
import type { Dataset } from '../src/mlp/data/data.js';
import { paramLayout } from '../src/mlp/spec.js';

export type Tf = typeof import('@tensorflow/tfjs');

/**
 * Loads TensorFlow.js with the chosen backend. Its WebGPU backend registers only
 * if navigator.gpu exists when its module is evaluated, hence the dynamic imports;
 * its console banner goes to stderr so stdout stays clean for --json.
 */
export async function loadTf(backend: 'cpu' | 'webgpu', gpu: GPU): Promise<Tf> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator?.gpu)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const log = console.log;
  const warn = console.warn;
  console.log = (...a: unknown[]) => console.error(...a);
  console.warn = (...a: unknown[]) => console.error(...a);
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
    await tf.ready();
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** A TensorFlow.js trainer for one network; `run(k)` takes k SGD steps and waits for them to finish. */
export function tfTrainer(
  tf: Tf,
  data: Dataset,
  params: ArrayLike<number>,
  H: number,
  lr: number,
): { run(k: number): Promise<void>; read(): Promise<Float64Array>; dispose(): void } {
  const d = data.d;
  const L = paramLayout({ d, H });
  const slice = (o: number, n: number) => Float32Array.from({ length: n }, (_, i) => params[o + i]!);
  const W1 = tf.variable(tf.tensor2d(slice(L.W1.offset, H * d), [H, d]));
  const b1 = tf.variable(tf.tensor1d(slice(L.b1.offset, H)));
  const W2 = tf.variable(tf.tensor2d(slice(L.W2.offset, H), [H, 1]));
  const b2 = tf.variable(tf.tensor1d(slice(L.b2.offset, 1)));
  const x = tf.tensor2d(Float32Array.from(data.x), [data.N, d]);
  const y = tf.tensor2d(Float32Array.from(data.y), [data.N, 1]);
  const opt = tf.train.sgd(lr);
  const loss = () => {
    const z1 = tf.add(tf.matMul(x, W1, false, true), b1);
    const z2 = tf.add(tf.matMul(tf.relu(z1), W2), b2);
    return tf.losses.sigmoidCrossEntropy(y, z2) as import('@tensorflow/tfjs').Scalar;
  };
  return {
    async run(k) {
      for (let i = 0; i < k; i++) opt.minimize(loss);
      await b2.data(); // wait for the queued work
    },
    /** The parameters in our flat layout, to check that the peer trains the same network. */
    async read() {
      const parts = await Promise.all([W1, b1, W2, b2].map((v) => v.data()));
      return Float64Array.from(parts.flatMap((p) => Array.from(p)));
    },
    dispose() {
      for (const t of [W1, b1, W2, b2, x, y]) t.dispose();
      opt.dispose();
    },
  };
}

/**
 * M independent networks in TensorFlow.js as batched matrix products (the way a
 * framework trains many small models at once): W1 [M, H, d], W2 [M, H, 1], and
 * a loss that is the sum over models of each model's mean BCE, so every model
 * takes exactly its own SGD step.
 */
export function tfManyTrainer(
  tf: Tf,
  data: Dataset,
  params: readonly ArrayLike<number>[],
  H: number,
  lr: number,
): { run(k: number): Promise<void>; dispose(): void } {
  const d = data.d;
  const M = params.length;
  const L = paramLayout({ d, H });
  const gather = (offset: number, n: number) => {
    const out = new Float32Array(M * n);
    params.forEach((p, m) => {
      for (let i = 0; i < n; i++) out[m * n + i] = p[offset + i]!;
    });
    return out;
  };
  const W1 = tf.variable(tf.tensor3d(gather(L.W1.offset, H * d), [M, H, d]));
  const b1 = tf.variable(tf.tensor3d(gather(L.b1.offset, H), [M, 1, H]));
  const W2 = tf.variable(tf.tensor3d(gather(L.W2.offset, H), [M, H, 1]));
  const b2 = tf.variable(tf.tensor3d(gather(L.b2.offset, 1), [M, 1, 1]));
  const x = tf.tile(tf.tensor3d(Float32Array.from(data.x), [1, data.N, d]), [M, 1, 1]);
  const y = tf.tile(tf.tensor3d(Float32Array.from(data.y), [1, data.N, 1]), [M, 1, 1]);
  const opt = tf.train.sgd(lr);
  const loss = () => {
    const z1 = tf.add(tf.matMul(x, W1, false, true), b1); // [M, N, H]
    const z2 = tf.add(tf.matMul(tf.relu(z1), W2), b2); // [M, N, 1]
    return tf.mul(tf.losses.sigmoidCrossEntropy(y, z2), M) as import('@tensorflow/tfjs').Scalar;
  };
  return {
    async run(k) {
      for (let i = 0; i < k; i++) opt.minimize(loss);
      await b2.data();
    },
    dispose() {
      for (const t of [W1, b1, W2, b2, x, y]) t.dispose();
      opt.dispose();
    },
  };
}
