// The large-batch path: one network, N up to a million points, H up to 1,024, with no N×H cache.
// Per SGD step, four dispatches whatever N is:
//   largeForward   per sample: z2 (z1 is recomputed, never stored), the loss and δ2                N invocations
//   largePartials  per (hidden unit j, chunk c of CHUNK samples): recompute z1, gate by ReLU′,
//                  and sum that chunk's contributions to dW1[j], db1[j], dW2[j] (and db2)            H × chunks invocations
//   largeReduce    per parameter: the sum of the chunks' partial sums (no atomics), and the
//                  proposed update θ′ = θ − lr · g into `next`                                      P invocations
//   largeSgd       per parameter: θ ← θ′, unless a loss, gradient or θ′ of this step was not finite  P invocations
// Memory is O(N·d + chunks·H·(d + 2)) instead of the step kernels' O(N·H).

override D: u32;        // input size (at most MAX_D)
override H: u32;
override N: u32;
override LOSS: u32;     // 0: BCE from the logit, 1: MSE on yHat
override WG: u32;
override CHUNK: u32;    // samples per chunk in largePartials
override CHUNKS: u32;   // ceil(N / CHUNK)
override W1_OFF: u32;
override B1_OFF: u32;
override W2_OFF: u32;
override B2_OFF: u32;
override P_SIZE: u32;

const MAX_D: u32 = 16u;

struct Hyper {
  lr: f32,
}

struct Status {
  step: u32,               // SGD steps completed
  badStep: atomic<u32>,    // the first step with a non-finite loss, gradient or θ′, or NO_FAULT
  badWhere: atomic<u32>,   // faultCode (shaders/common.wgsl) of that step's first non-finite value
  proposal: atomic<u32>,   // faultCode of the current step's first non-finite θ′; largeForward resets it
}

@group(0) @binding(0) var<uniform> hyper: Hyper;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> perSample: array<f32>;   // [dz2 (N) | loss (N)]
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;    // CHUNKS × (H·(D + 2) + 1)
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;       // P, flat layout
@group(0) @binding(7) var<storage, read_write> status: Status;
@group(0) @binding(8) var<storage, read_write> next: array<f32>;        // P: θ′ = θ − lr · g

fn flagBad(code: u32) {
  atomicMin(&status.badStep, status.step + 1u);
  atomicMin(&status.badWhere, code);
}

fn preActivation(n: u32, j: u32) -> f32 {
  var z1 = params[B1_OFF + j];
  for (var i = 0u; i < D; i++) {
    z1 += params[W1_OFF + j * D + i] * x[n * D + i];
  }
  return z1;
}

fn chunkStride() -> u32 {
  return H * (D + 2u) + 1u;
}

@compute @workgroup_size(WG)
fn largeForward(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n == 0u) {
    atomicStore(&status.proposal, NO_FAULT);
  }
  if (n >= N) {
    return;
  }
  var z2 = params[B2_OFF];
  for (var j = 0u; j < H; j++) {
    z2 += params[W2_OFF + j] * max(preActivation(n, j), 0.0);
  }
  let yHat = sigmoid(z2);
  let loss = sampleLossOf(z2, yHat, y[n]);
  let dz2 = delta2(yHat, y[n]);                                    // δ2 = ∂L/∂z2
  perSample[n] = dz2;
  perSample[N + n] = loss;
  if (!isFinite(loss)) {
    flagBad(faultCode(FAULT_LOSS, n, loss));
  }
}

@compute @workgroup_size(WG)
fn largePartials(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let c = gid.y;
  if (j >= H || c >= CHUNKS) {
    return;
  }
  var gw1: array<f32, MAX_D>;
  var gb1 = 0.0;
  var gw2 = 0.0;
  var gb2 = 0.0;
  let w2 = params[W2_OFF + j];
  let end = min(N, (c + 1u) * CHUNK);
  for (var n = c * CHUNK; n < end; n++) {
    let dz2 = perSample[n];
    gb2 += dz2;
    let z1 = preActivation(n, j);
    if (z1 > 0.0) {                                              // ReLU′(z1) = 1; at 0 and below it is 0
      let dz1 = w2 * dz2;                                        // δ1 = W2ᵀ δ2 ⊙ ReLU′(z1)
      gb1 += dz1;
      gw2 += dz2 * z1;                                           // a1 = z1 here
      for (var i = 0u; i < D; i++) {
        gw1[i] += dz1 * x[n * D + i];
      }
    }
  }
  let base = c * chunkStride() + j * (D + 2u);
  for (var i = 0u; i < D; i++) {
    partials[base + i] = gw1[i];
  }
  partials[base + D] = gb1;
  partials[base + D + 1u] = gw2;
  if (j == 0u) {
    partials[c * chunkStride() + H * (D + 2u)] = gb2;
  }
}

@compute @workgroup_size(WG)
fn largeReduce(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  if (k >= P_SIZE) {
    return;
  }
  var field: u32;
  if (k < B1_OFF) {
    field = (k / D) * (D + 2u) + k % D;                          // dW1[j][i]
  } else if (k < W2_OFF) {
    field = (k - B1_OFF) * (D + 2u) + D;                         // db1[j]
  } else if (k < B2_OFF) {
    field = (k - W2_OFF) * (D + 2u) + D + 1u;                    // dW2[j]
  } else {
    field = H * (D + 2u);                                        // db2
  }
  var g = 0.0;
  for (var c = 0u; c < CHUNKS; c++) {
    g += partials[c * chunkStride() + field];
  }
  grads[k] = g;
  if (!isFinite(g)) {
    flagBad(faultCode(FAULT_GRADIENT, k, g));
  }
  let proposed = params[k] - hyper.lr * g;                       // θ′ = θ − lr · g
  next[k] = proposed;
  if (!isFinite(proposed)) {
    atomicMin(&status.proposal, faultCode(FAULT_PARAMETER, k, proposed));
  }
}

@compute @workgroup_size(WG)
fn largeSgd(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  if (k >= P_SIZE || atomicLoad(&status.badStep) != NO_FAULT) {
    return;
  }
  let proposal = atomicLoad(&status.proposal);
  if (proposal != NO_FAULT) {
    flagBad(proposal);                                           // fail the step, write no θ′
    return;
  }
  params[k] = next[k];
  if (k == 0u) {
    status.step += 1u;
  }
}
