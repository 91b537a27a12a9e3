// Many SGD steps of one 2-layer MLP in one dispatch of one workgroup. Parameters, per-sample activations and δs, and
// gradients live in workgroup memory; storage is touched only to load θ at the start and store it at the end.
// Barriers separate the phases of each step:
//   1. per sample (invocation t takes samples t, t + WG, ...): forward, δ2, δ1 = W2ᵀδ2 ⊙ f′(z1)
//   2. per parameter: g summed over the batch (no atomics), θ′ = θ − lr · g (kept in g), each checked for NaN and ±∞
//   3. per parameter: θ ← θ′, unless a loss, gradient or θ′ of this step was non-finite; then the run stops, θ kept
// Shared: the forward pass (shaders/lib/network.wgsl); losses, δ2, activation, update (shaders/lib/common.wgsl).

struct Run {
  lr: f32,
  steps: u32,     // SGD steps in this dispatch
}

struct Status {
  step: u32,      // SGD steps completed
  badStep: u32,   // first step whose loss, gradient or θ′ was not finite, or NO_FAULT
  badWhere: u32,  // faultCode (shaders/lib/common.wgsl) of that step's first non-finite value
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> status: Status;
@group(0) @binding(5) var<storage, read_write> sampleLoss: array<f32>;   // N: ℓ_n of the last forward pass

var<workgroup> p: array<f32, P_SIZE>;
var<workgroup> g: array<f32, P_SIZE>;      // dL/dθ, then θ′ = θ − lr · dL/dθ
var<workgroup> z1: array<f32, N * H>;     // pre-activations of the last forward pass; a1 = f(z1)
var<workgroup> dz1: array<f32, N * H>;
var<workgroup> dz2: array<f32, N>;
var<workgroup> loss: array<f32, N>;
var<workgroup> badCode: atomic<u32>;      // the smallest faultCode of this step, or NO_FAULT
var<workgroup> stop: u32;

fn theta(k: u32) -> f32 {
  return p[k];
}

fn keepHidden(n: u32, j: u32, z: f32, a: f32) {
  z1[n * H + j] = z;
}

// Phase 1 for sample n: forward, the loss, δ2 and δ1, into workgroup memory.
fn forwardAndDeltas(n: u32) {
  let z2 = forwardSample(n);
  let yHat = sigmoid(z2);
  let l = sampleLossOf(z2, yHat, y[n]);
  let d2 = delta2(yHat, y[n]);                                     // δ2 = ∂L/∂z2
  loss[n] = l;
  dz2[n] = d2;
  for (var j = 0u; j < H; j++) {
    dz1[n * H + j] = activationBackward(z1[n * H + j], p[W2_OFF + j] * d2);   // δ1 = W2ᵀδ2 ⊙ f′(z1)
  }
  if (!isFinite(l)) {
    atomicMin(&badCode, faultCode(FAULT_LOSS, n, l));
  }
}

// Phase 2 for parameter k: dL/dθ_k summed over the batch.
fn gradient(k: u32) -> f32 {
  let e = element(k);
  var s = 0.0;
  if (e.tensor == T_W1) {
    for (var n = 0u; n < N; n++) {
      s += dz1[n * H + e.j] * x[n * D + e.i];                      // dW1 = Σ_n δ1_n x_nᵀ
    }
  } else if (e.tensor == T_B1) {
    for (var n = 0u; n < N; n++) {
      s += dz1[n * H + e.j];                                       // db1 = Σ_n δ1_n
    }
  } else if (e.tensor == T_W2) {
    for (var n = 0u; n < N; n++) {
      s += dz2[n] * activate(z1[n * H + e.j]);                     // dW2 = Σ_n δ2_n a1_nᵀ
    }
  } else {
    for (var n = 0u; n < N; n++) {
      s += dz2[n];                                                 // db2 = Σ_n δ2_n
    }
  }
  return s;
}

// Phase 2 for parameter k: θ′ = θ − lr · dL/dθ into g, its gradient and θ′ checked.
fn propose(k: u32) {
  let gk = gradient(k);
  let proposed = sgd(p[k], run.lr, gk);
  g[k] = proposed;
  let code = updateFault(k, gk, proposed);
  if (code != NO_FAULT) {
    atomicMin(&badCode, code);
  }
}

// After the last step: the parameters and (if a step was taken) its per-sample losses back to storage.
fn finish(t: u32, done: u32) {
  for (var k = t; k < P_SIZE; k += WG) {
    params[k] = p[k];
  }
  if (done > 0u) {
    for (var n = t; n < N; n += WG) {
      sampleLoss[n] = loss[n];
    }
  }
  if (t == 0u) {
    status.step += done;
  }
}

@compute @workgroup_size(WG)
fn trainFused(@builtin(local_invocation_index) t: u32) {
  for (var k = t; k < P_SIZE; k += WG) {
    p[k] = params[k];
  }
  if (t == 0u) {
    atomicStore(&badCode, NO_FAULT);
    stop = select(0u, 1u, status.badStep != NO_FAULT);
  }
  let alreadyBad = workgroupUniformLoad(&stop);
  var done = 0u;
  for (var s = 0u; s < run.steps && alreadyBad == 0u; s++) {
    for (var n = t; n < N; n += WG) {
      forwardAndDeltas(n);
    }
    workgroupBarrier();
    for (var k = t; k < P_SIZE; k += WG) {
      propose(k);
    }
    workgroupBarrier();
    if (t == 0u) {
      stop = select(0u, 1u, atomicLoad(&badCode) != NO_FAULT);
    }
    if (workgroupUniformLoad(&stop) != 0u) {
      if (t == 0u) {
        status.badStep = status.step + done + 1u;
        status.badWhere = atomicLoad(&badCode);
      }
      break;
    }
    for (var k = t; k < P_SIZE; k += WG) {
      p[k] = g[k];
    }
    done++;
    workgroupBarrier();
  }
  workgroupBarrier();
  finish(t, done);
}
