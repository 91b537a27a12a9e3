// The batched 2-layer MLP, one dispatch per phase:
//   forward         z1 = W1 x + b1, a1 = f(z1), z2 = W2 a1 + b2, yHat = σ(z2), per-sample loss
//   backwardDeltas  dz2 = δ2, da1 = W2ᵀ δ2, dz1 = δ1 = da1 ⊙ f′(z1), per sample
//   backwardGrads   dW1, db1, dW2, db2: one invocation per parameter, summing over the batch (no atomics), and the
//                   proposed update θ′ = θ − lr · dL/dθ into `next`, each checked for NaN and ±∞
//   sgdStep         θ ← θ′ per parameter, only if no loss, gradient or θ′ of this step was non-finite: a step that
//                   would overflow writes nothing, so θ stays that of the step before
// Shared: the forward pass (shaders/lib/network.wgsl, lib/forward-phase.wgsl); losses, δ2, activation
// (shaders/lib/common.wgsl); the status word and update (shaders/lib/status.wgsl). Sizes and offsets are overrides
// with no default (src/gpu/layout.ts).

// Cache layout [z1 | a1 | z2 | yHat | loss | dz2 | da1 | dz1], N×H for z1, a1, da1, dz1 and N for the rest.
override Z1_OFF: u32;
override A1_OFF: u32;
override Z2_OFF: u32;
override YHAT_OFF: u32;
override LOSS_OFF: u32;
override DZ2_OFF: u32;
override DA1_OFF: u32;
override DZ1_OFF: u32;

// bindings 0–3 (hyper, params, x, y): shaders/lib/status.wgsl
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;
@group(0) @binding(5) var<storage, read_write> grads: array<f32>;
@group(0) @binding(6) var<storage, read_write> status: Status;
@group(0) @binding(7) var<storage, read_write> next: array<f32>;   // P: θ′ = θ − lr · dL/dθ

// The forward pass keeps z1 and a1 in the cache for the backward phases.
fn keepHidden(n: u32, j: u32, z1: f32, a1: f32) {
  cache[Z1_OFF + n * H + j] = z1;
  cache[A1_OFF + n * H + j] = a1;
}

// ... and z2, yHat and the loss, for backwardDeltas and the readback.
fn keepOutput(n: u32, z2: f32, yHat: f32, loss: f32) {
  cache[Z2_OFF + n] = z2;
  cache[YHAT_OFF + n] = yHat;
  cache[LOSS_OFF + n] = loss;
}

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u) {
  forwardPhase(gid.x);
}

@compute @workgroup_size(WG)
fn backwardDeltas(@builtin(global_invocation_id) gid: vec3u) {
  let n = gid.x;
  if (n >= N) {
    return;
  }
  let dz2 = delta2(cache[YHAT_OFF + n], y[n]);                     // δ2 = ∂L/∂z2
  cache[DZ2_OFF + n] = dz2;
  for (var j = 0u; j < H; j++) {
    let da1 = params[W2_OFF + j] * dz2;                            // da1 = W2ᵀ δ2
    let dz1 = activationBackward(cache[Z1_OFF + n * H + j], da1);  // δ1 = da1 ⊙ f′(z1)
    cache[DA1_OFF + n * H + j] = da1;
    cache[DZ1_OFF + n * H + j] = dz1;
  }
}

// dL/dθ for one parameter, summed over the batch (no atomics).
fn batchGradient(e: Element) -> f32 {
  let j = e.j;
  let i = e.i;
  var g = 0.0;
  if (e.tensor == T_W1) {
    for (var n = 0u; n < N; n++) {
      g += cache[DZ1_OFF + n * H + j] * x[n * D + i];              // dW1 = Σ_n δ1_n x_nᵀ
    }
  } else if (e.tensor == T_B1) {
    for (var n = 0u; n < N; n++) {
      g += cache[DZ1_OFF + n * H + j];                             // db1 = Σ_n δ1_n
    }
  } else if (e.tensor == T_W2) {
    for (var n = 0u; n < N; n++) {
      g += cache[DZ2_OFF + n] * cache[A1_OFF + n * H + j];         // dW2 = Σ_n δ2_n a1_nᵀ
    }
  } else {
    for (var n = 0u; n < N; n++) {
      g += cache[DZ2_OFF + n];                                     // db2 = Σ_n δ2_n
    }
  }
  return g;
}

@compute @workgroup_size(WG)
fn backwardGrads(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < P_SIZE) {
    proposeUpdate(gid.x, batchGradient(element(gid.x)));          // θ′ = θ − lr · dL/dθ into next
  }
}

@compute @workgroup_size(WG)
fn sgdStep(@builtin(global_invocation_id) gid: vec3u) {
  applyUpdate(gid.x);
}
