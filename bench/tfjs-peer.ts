/**
 * TensorFlow.js as a benchmark peer, set up for the same network, data, loss
 * and learning rate as ours: z1 = x W1ᵀ + b1, a1 = f(z1) (ReLU unless the case
 * says tanh), z2 = a1 W2ᵀ + b2, BCE from the logit (tf.losses.sigmoidCrossEntropy,
 * a mean) or MSE of σ(z2) (tf.losses.meanSquaredError, a mean), plain SGD.
 * Its WebGPU backend runs on the same Dawn instance and adapter as our kernels;
 * its CPU backend is pure JavaScript and its WASM backend is XNNPACK compiled to
 * WebAssembly (SIMD; one thread in Node, which has no Web Workers).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Dataset } from '../src/mlp/data/data.js';
import { paramLayout } from '../src/mlp/spec.js';

export type Tf = typeof import('@tensorflow/tfjs');

/** The backends the bench runs TensorFlow.js on. */
export type TfBackend = 'cpu' | 'wasm' | 'webgpu';

/**
 * Loads TensorFlow.js with the chosen backend. Its WebGPU backend registers only
 * if navigator.gpu exists when its module is evaluated, hence the dynamic imports
 * (without `gpu` it is not loaded at all); its console banner goes to stderr so stdout stays clean for --json.
 */
export async function loadTf(backend: TfBackend, gpu?: GPU): Promise<Tf> {
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (gpu && !g.navigator?.gpu)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  const log = console.log;
  const warn = console.warn;
  console.log = (...a: unknown[]) => console.error(...a);
  console.warn = (...a: unknown[]) => console.error(...a);
  try {
    const tf = await import('@tensorflow/tfjs');
    if (gpu) await import('@tensorflow/tfjs-backend-webgpu');
    await import('@tensorflow/tfjs-backend-wasm'); // registers 'wasm'; it starts only when selected
    await selectTfBackend(tf, backend);
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/**
 * Where the WASM backend's .wasm files are: the dist/ folder of its package, found the way Node resolves packages
 * from here (so from node_modules, also for the bundled bench in dist/cli). Node cannot fetch them from a CDN offline.
 */
function tfWasmDir(): string {
  try {
    return `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`;
  } catch {
    throw new Error(
      'TensorFlow.js WASM: @tensorflow/tfjs-backend-wasm is not installed where the bench runs, ' +
        'so its .wasm files cannot be found (run npm ci)',
    );
  }
}

let wasmPathsSet = false;

/** Makes `backend` the active one (the module is shared, so each peer selects its backend before it runs). */
export async function selectTfBackend(tf: Tf, backend: TfBackend): Promise<void> {
  if (backend === 'wasm' && !wasmPathsSet) {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = tfWasmDir();
    wasm.setWasmPaths(dir);
    // Emscripten's Node glue reads CommonJS's `__dirname` before it asks where its files are, and in the ES module
    // bundle (dist/cli) there is none: give it the folder setWasmPaths names
    (globalThis as { __dirname?: string }).__dirname ??= dir;
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();
}

/** The network a TF.js trainer builds: the hidden activation and the loss (BCE from the logit, or MSE of σ). */
export interface TfNetwork {
  activation?: 'relu' | 'tanh';
  loss?: 'bce' | 'mse';
}

/** A TensorFlow.js trainer for one network; `run(k)` takes k SGD steps and waits for them to finish. */
export function tfTrainer(
  tf: Tf,
  data: Dataset,
  params: ArrayLike<number>,
  H: number,
  lr: number,
  { activation = 'relu', loss: lossKind = 'bce' }: TfNetwork = {},
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
  const f = activation === 'tanh' ? tf.tanh : tf.relu;
  const loss = () => {
    const z1 = tf.add(tf.matMul(x, W1, false, true), b1);
    const z2 = tf.add(tf.matMul(f(z1), W2), b2);
    return (
      lossKind === 'bce' ? tf.losses.sigmoidCrossEntropy(y, z2) : tf.losses.meanSquaredError(y, tf.sigmoid(z2))
    ) as import('@tensorflow/tfjs').Scalar;
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
