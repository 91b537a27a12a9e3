// The general network (src/mlp/model.ts: L hidden layers, σ or identity output) over a mini-batch, one dispatch
// per phase per layer, in the f32 order the bounds assume (src/mlp/bounds):
//   layerForward    layer l, one invocation per (batch row, unit): z_l = b_l + W_l a_{l−1}, a_l = f(z_l); the
//                   output layer adds ŷ (σ or the identity), the per-row loss ℓ and δ_{L+1}
//   layerBackward   hidden layer l = L..1, per (row, unit): da_l = W_{l+1}ᵀ δ_{l+1}, δ_l = da_l ⊙ f′(z_l)
//   layerGradients  one invocation per parameter summing over the batch's rows (no atomics), then
//                   g = (g + λ1·sign(w)) + λ2·w on the weights, and θ′ = θ − lr·g with the non-finite checks
//   layerUpdate     θ ← θ′ unless a loss, gradient or θ′ of this step was non-finite (shaders/lib/status.wgsl)
// A look (readLoss, inspect) runs the same phases over every training row in order, without the update; its first
// fault goes to status.proposal (idle between steps), never into a step's verdict.
// Shared: the status word and the update (shaders/lib/status.wgsl), σ, ℓ, f and f′ (shaders/lib/common.wgsl).

// Hidden layers plus the output layer, at most (src/mlp/model.ts's MODEL_LIMITS.layers.max + 1).
const MAX_LAYERS: u32 = 7u;
const OUT_SIGMOID: u32 = 0u;

override D: u32;          // input size d
override N: u32;          // training points
override P_SIZE: u32;     // parameters
override LOSS: u32;       // 0: BCE from the logit, 1: MSE on ŷ
override ACT: u32;        // the hidden activation (common.wgsl)
override WG: u32;         // workgroup size
override OUTPUT: u32;     // 0: ŷ = σ(z), 1: ŷ = z
override LAYERS: u32;     // L + 1
override BATCH: u32;      // B
override PER_EPOCH: u32;  // ⌈N / B⌉ steps
override EPOCHS: u32;     // epoch orders held in `rows`
override LOSS_OFF: u32;   // the per-row losses in the cache
override L1: f32;         // λ1
override L2: f32;         // λ2

// Layer l's sizes and offsets: W_l and b_l in θ; z_l, a_l (ŷ for the output layer), δ_l and da_l in the cache,
// N×nout each, row-major by batch row (src/gpu/layers.ts).
struct Layer {
  nin: u32,
  nout: u32,
  w: u32,
  b: u32,
  z: u32,
  a: u32,
  delta: u32,
  da: u32,
}

struct Net {
  layers: array<Layer, MAX_LAYERS>,
}

// Which layer a dispatch works on, and whether it is a look (one bind group each).
struct At {
  layer: u32,
  look: u32,
}

// Written before each submit of steps: its first step, and the first epoch whose order `rows` holds.
struct Run {
  base: u32,
  epoch0: u32,
}

// bindings 0–3 (hyper, params, x, y): shaders/lib/status.wgsl
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;
@group(0) @binding(6) var<storage, read_write> status: Status;
@group(0) @binding(7) var<storage, read_write> next: array<f32>;   // P: θ′ = θ − lr · dL/dθ
@group(0) @binding(8) var<storage, read> rows: array<u32>;         // EPOCHS orders of 0..N−1 (src/mlp/batches.ts)
@group(0) @binding(9) var<uniform> net: Net;
@group(0) @binding(10) var<uniform> at: At;
@group(0) @binding(11) var<uniform> run: Run;

// The rows of this dispatch's batch: the step's (an epoch's last batch may be short), or all N in a look.
fn batchSize() -> u32 {
  if (at.look != 0u) {
    return N;
  }
  return min(BATCH, N - (status.step % PER_EPOCH) * BATCH);
}

// The training point at row r of the batch: in order in a look and for the full batch, else the epoch's order.
fn rowOf(r: u32) -> u32 {
  if (at.look != 0u || BATCH == N) {
    return r;
  }
  let epoch = min(status.step / PER_EPOCH - run.epoch0, EPOCHS - 1u);
  return rows[epoch * N + (status.step % PER_EPOCH) * BATCH + r];
}

// A step recorded after the run stopped in an earlier submit: its batch is no longer held, so it computes and
// flags nothing (within the submit that stopped, status.step stays put and every phase recomputes the same values).
fn stale() -> bool {
  return at.look == 0u && status.step < run.base;
}

// A non-finite loss or gradient: the step fails, or a look records it.
fn fault(code: u32) {
  if (at.look != 0u) {
    atomicMin(&status.proposal, code);
  } else {
    flagBad(code);
  }
}

@compute @workgroup_size(WG)
fn layerForward(@builtin(global_invocation_id) gid: vec3u) {
  let l = at.layer;
  if (l == 0u && gid.x == 0u) {
    atomicStore(&status.proposal, NO_FAULT);
  }
  let layer = net.layers[l];
  let r = gid.x / layer.nout;
  let j = gid.x % layer.nout;
  if (r >= batchSize() || stale()) {
    return;
  }
  var z = params[layer.b + j];                                     // z_l[j] = b_l[j] + W_l[j] · a_{l−1}
  if (l == 0u) {
    let n = rowOf(r);
    for (var i = 0u; i < D; i++) {
      z += params[layer.w + j * D + i] * x[n * D + i];
    }
  } else {
    let input = net.layers[l - 1u].a + r * layer.nin;
    for (var i = 0u; i < layer.nin; i++) {
      z += params[layer.w + j * layer.nin + i] * cache[input + i];
    }
  }
  cache[layer.z + r * layer.nout + j] = z;
  if (l + 1u < LAYERS) {
    cache[layer.a + r * layer.nout + j] = activate(z);            // a_l = f(z_l)
    return;
  }
  outputRow(layer, r, z);
}

// The output unit of batch row r: ŷ, ℓ (a non-finite one fails the step) and δ_{L+1} = ∂L/∂z_{L+1}.
fn outputRow(layer: Layer, r: u32, z: f32) {
  let n = rowOf(r);
  let t = y[n];
  var yHat = z;
  if (OUTPUT == OUT_SIGMOID) {
    yHat = sigmoid(z);
  }
  let loss = sampleLossOf(z, yHat, t);
  cache[layer.a + r] = yHat;
  cache[LOSS_OFF + r] = loss;
  if (!isFinite(loss)) {
    fault(faultCode(FAULT_LOSS, n, loss));
  }
  cache[layer.delta + r] = outputDelta(yHat, t, f32(batchSize()));
}

// δ_{L+1} for one row, the batch mean's 1/B included: BCE (ŷ − y)/B, where σ′ cancels; MSE 2(ŷ − y)·σ′(z)/B
// with σ′ = ŷ(1 − ŷ) for σ, and 2(ŷ − y)/B for the identity.
fn outputDelta(yHat: f32, t: f32, B: f32) -> f32 {
  if (LOSS == 0u) {
    return (yHat - t) / B;
  }
  if (OUTPUT == OUT_SIGMOID) {
    return 2.0 * (yHat - t) * yHat * (1.0 - yHat) / B;
  }
  return 2.0 * (yHat - t) / B;
}

@compute @workgroup_size(WG)
fn layerBackward(@builtin(global_invocation_id) gid: vec3u) {
  let layer = net.layers[at.layer];
  let up = net.layers[at.layer + 1u];
  let r = gid.x / layer.nout;
  let j = gid.x % layer.nout;
  if (r >= batchSize() || stale()) {
    return;
  }
  let deltaUp = up.delta + r * up.nout;
  var da = params[up.w + j] * cache[deltaUp];                      // da_l[j] = Σ_k W_{l+1}[k][j] δ_{l+1}[k]
  for (var k = 1u; k < up.nout; k++) {
    da += params[up.w + k * up.nin + j] * cache[deltaUp + k];
  }
  let c = r * layer.nout + j;
  cache[layer.da + c] = da;
  cache[layer.delta + c] = activationBackward(cache[layer.z + c], da);  // δ_l = da_l ⊙ f′(z_l)
}

// Input i of layer l at batch row r: x of the row's training point for the first layer, else a_{l−1}.
fn layerInput(l: u32, r: u32, i: u32) -> f32 {
  if (l == 0u) {
    return x[rowOf(r) * D + i];
  }
  let below = net.layers[l - 1u];
  return cache[below.a + r * below.nout + i];
}

// g + λ1·sign(w) + λ2·w, in that order; sign(0) = 0, so L1 leaves a weight at exactly 0 alone.
fn penalized(g: f32, w: f32) -> f32 {
  var out = g;
  if (L1 > 0.0) {
    out += L1 * sign(w);
  }
  if (L2 > 0.0) {
    out += L2 * w;
  }
  return out;
}

@compute @workgroup_size(WG)
fn layerGradients(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  if (k >= P_SIZE || stale()) {
    return;
  }
  var l = 0u;
  while (l + 1u < LAYERS && k >= net.layers[l + 1u].w) {
    l++;
  }
  let layer = net.layers[l];
  let rowsNow = batchSize();
  var g = 0.0;
  if (k < layer.b) {
    let j = (k - layer.w) / layer.nin;
    let i = (k - layer.w) % layer.nin;
    for (var r = 0u; r < rowsNow; r++) {
      g += cache[layer.delta + r * layer.nout + j] * layerInput(l, r, i);  // dW_l = Σ_r δ_l a_{l−1}ᵀ
    }
    g = penalized(g, params[k]);
  } else {
    let j = k - layer.b;
    for (var r = 0u; r < rowsNow; r++) {
      g += cache[layer.delta + r * layer.nout + j];                        // db_l = Σ_r δ_l
    }
  }
  if (at.look == 0u) {
    proposeUpdate(k, g);                                                   // θ′ = θ − lr · g into next
    return;
  }
  grads[k] = g;
  if (!isFinite(g)) {
    fault(faultCode(FAULT_GRADIENT, k, g));
  }
}

@compute @workgroup_size(WG)
fn layerUpdate(@builtin(global_invocation_id) gid: vec3u) {
  applyUpdate(gid.x);
}
