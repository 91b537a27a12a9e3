// The large-batch path: one network, N up to a million points, H up to 1,024, with no N×H cache.
// Per SGD step, four dispatches whatever N is (invocations in brackets):
//   largeForward   [N] per sample: z2 (z1 is recomputed, never stored), the loss and δ2
//   largePartials  [H × chunks] per (hidden unit j, chunk c of CHUNK samples): recompute z1, gate by f′, and sum that
//                  chunk's contributions to dW1[j], db1[j], dW2[j] (and db2)
//   largeReduce    [P] per parameter: the sum of the chunks' partial sums (no atomics), and the proposed update
//                  θ′ = θ − lr · g into `next`
//   largeSgd       [P] per parameter: θ ← θ′, unless a loss, gradient or θ′ of this step was not finite
// Memory is O(N·d + chunks·H·(d + 2)) instead of the step kernels' O(N·H).
// Shared: the forward pass (shaders/lib/network.wgsl, lib/forward-phase.wgsl); the status word and update
// (shaders/lib/status.wgsl); losses, δ2 and activation (shaders/lib/common.wgsl).

override CHUNK: u32;    // samples per chunk in largePartials
override CHUNKS: u32;   // ceil(N / CHUNK)
override STRIDE: u32;   // floats per chunk in `partials`: H·(D + 2) + 1 (largeChunkFloats in ./large.ts)

const MAX_D: u32 = 16u;

// bindings 0–3 (hyper, params, x, y): shaders/lib/status.wgsl
@group(0) @binding(4) var<storage, read_write> perSample: array<f32>;   // [dz2 (N) | loss (N)]
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;    // CHUNKS × (H·(D + 2) + 1)
@group(0) @binding(6) var<storage, read_write> grads: array<f32>;       // P, flat layout
@group(0) @binding(7) var<storage, read_write> status: Status;
@group(0) @binding(8) var<storage, read_write> next: array<f32>;        // P: θ′ = θ − lr · g

// Nothing is kept: largePartials recomputes z1.
fn keepHidden(n: u32, j: u32, z1: f32, a1: f32) {}

@compute @workgroup_size(WG)
fn largeForward(@builtin(global_invocation_id) gid: vec3u) {
  forwardPhase(gid.x);
}

// δ2 and the loss per sample: [dz2 (N) | loss (N)].
fn keepOutput(n: u32, z2: f32, yHat: f32, loss: f32) {
  perSample[n] = delta2(yHat, y[n]);                               // δ2 = ∂L/∂z2
  perSample[N + n] = loss;
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
    let a1 = activate(z1);
    let dz1 = activationBackward(z1, w2 * dz2);                  // δ1 = W2ᵀ δ2 ⊙ f′(z1)
    if (a1 != 0.0 || dz1 != 0.0) {                               // a1 = 0 and δ1 = 0 (a closed gate) add only zeros
      gb1 += dz1;
      gw2 += dz2 * a1;                                           // dW2 += δ2 a1
      for (var i = 0u; i < D; i++) {
        gw1[i] += dz1 * x[n * D + i];
      }
    }
  }
  let base = c * STRIDE + j * (D + 2u);
  for (var i = 0u; i < D; i++) {
    partials[base + i] = gw1[i];
  }
  partials[base + D] = gb1;
  partials[base + D + 1u] = gw2;
  if (j == 0u) {
    partials[c * STRIDE + H * (D + 2u)] = gb2;
  }
}

// Where one parameter's partial sum sits within each chunk's STRIDE floats.
fn partialField(e: Element) -> u32 {
  if (e.tensor == T_W1) {
    return e.j * (D + 2u) + e.i;                                 // dW1[j][i]
  }
  if (e.tensor == T_B1) {
    return e.j * (D + 2u) + D;                                   // db1[j]
  }
  if (e.tensor == T_W2) {
    return e.j * (D + 2u) + D + 1u;                              // dW2[j]
  }
  return H * (D + 2u);                                           // db2
}

@compute @workgroup_size(WG)
fn largeReduce(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= P_SIZE) {
    return;
  }
  let field = partialField(element(gid.x));
  var g = 0.0;
  for (var c = 0u; c < CHUNKS; c++) {
    g += partials[c * STRIDE + field];                           // the sum of the chunks' partial sums
  }
  proposeUpdate(gid.x, g);                                       // θ′ = θ − lr · g into next
}

@compute @workgroup_size(WG)
fn largeSgd(@builtin(global_invocation_id) gid: vec3u) {
  applyUpdate(gid.x);
}
