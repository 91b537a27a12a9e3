// Shared by the many-models kernels (shaders/many.wgsl, shaders/many-reg.wgsl), appended by
// src/gpu/shaders.ts: one model's private memory, its seeded initialisation (the same
// counter-based PRNG and order as src/mlp/rng.ts and src/engine/nn.ts, so the CPU can reproduce
// any model), one SGD step and its evaluation. A model of width h ≤ H is kept in the flat layout
// of width H with the units j ≥ h at 0; they are skipped, so they stay 0. The kernel declares the
// data `x` (N×D) and `y` (N) (many-reg.wgsl keeps them in workgroup memory, bound as xIn, yIn).

// The bindings both kernels share; each declares its uniform `run` (0), its data (1, 2) and any more (7 and up).
@group(0) @binding(3) var<storage, read> lrs: array<f32>;            // M learning rates
@group(0) @binding(4) var<storage, read_write> params: array<f32>;   // M × P_SIZE, each in the flat layout of width H
@group(0) @binding(5) var<storage, read_write> results: array<f32>;  // M × 4: loss, accuracy, diverged, steps
@group(0) @binding(6) var<storage, read_write> status: array<u32>;   // M × 3: steps, badStep, badWhere or NO_FAULT

override BOUND1: f32;   // f32(1/√d): initial W1, b1 ~ U(−BOUND1, BOUND1)

const MAX_D: u32 = 4u;
const MAX_H: u32 = 16u;
// Parameters of the largest model, H·D + 2H + 1: every private array is sized from MAX_D and MAX_H.
const MAX_P: u32 = MAX_H * MAX_D + 2u * MAX_H + 1u;

var<private> p: array<f32, MAX_P>;    // θ, in the flat layout
var<private> g: array<f32, MAX_P>;    // dL/dθ, then θ′ = θ − lr · dL/dθ
var<private> z1: array<f32, MAX_H>;   // pre-activations and activations of the current sample
var<private> a1: array<f32, MAX_H>;

fn theta(k: u32) -> f32 {
  return p[k];
}

fn keepHidden(n: u32, j: u32, z: f32, a: f32) {
  z1[j] = z;
  a1[j] = a;
}

fn mix32(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u;
  h *= 0x85ebca6bu;
  h ^= h >> 13u;
  h *= 0xc2b2ae35u;
  h ^= h >> 16u;
  return h;
}

// Draw k of a seed, in [0, 1): exactly src/mlp/rng.ts's uniformAt.
fn uniformAt(seed: u32, k: u32) -> f32 {
  let v = mix32(mix32(seed) ^ ((k + 1u) * 0x9e3779b9u));
  return f32(v >> 8u) / 16777216.0;
}

// The engine's order for width h: hidden unit j draws W1[j][0..D), then b1[j]; then the output
// draws W2, then b2 (bound2 = f32(1/√h)).
fn initialise(seed: u32, h: u32, bound2: f32) {
  for (var k = 0u; k < P_SIZE; k++) {
    p[k] = 0.0;
  }
  for (var j = 0u; j < h; j++) {
    for (var i = 0u; i < D; i++) {
      p[W1_OFF + j * D + i] = (2.0 * uniformAt(seed, j * (D + 1u) + i) - 1.0) * BOUND1;
    }
    p[B1_OFF + j] = (2.0 * uniformAt(seed, j * (D + 1u) + D) - 1.0) * BOUND1;
  }
  for (var j = 0u; j < h; j++) {
    p[W2_OFF + j] = (2.0 * uniformAt(seed, h * (D + 1u) + j) - 1.0) * bound2;
  }
  p[B2_OFF] = (2.0 * uniformAt(seed, h * (D + 1u) + h) - 1.0) * bound2;
}

// One SGD step's gradients, summed over the batch, then θ′ = θ − lr · g in their place (in g).
// Exact: returns the smallest fault code of the step's losses, gradients and θ′, or NO_FAULT.
// Fast: no branch per value, only a flag over z2 (a non-finite loss needs a non-finite z2) and θ′
// (a non-finite gradient makes θ′ non-finite); returns NO_FAULT, or 0 if the flag is set.
fn gradientStep(lr: f32, h: u32, exact: bool) -> u32 {
  for (var k = 0u; k < P_SIZE; k++) {
    g[k] = 0.0;
  }
  var code = NO_FAULT;
  var bad = false;
  for (var n = 0u; n < N; n++) {
    let z2 = forwardWidth(n, h);
    let yHat = sigmoid(z2);
    if (exact) {
      let l = sampleLossOf(z2, yHat, y[n]);
      code = select(code, min(code, faultCode(FAULT_LOSS, n, l)), !isFinite(l));
    }
    bad = bad | !isFinite(z2);
    let dz2 = delta2(yHat, y[n]);                                  // δ2 = ∂L/∂z2
    g[B2_OFF] += dz2;
    for (var j = 0u; j < H; j++) {
      if (j >= h) {
        break;
      }
      g[W2_OFF + j] += dz2 * a1[j];
      let dz1 = activationBackward(z1[j], p[W2_OFF + j] * dz2);   // δ1 = W2ᵀδ2 ⊙ f′(z1)
      g[B1_OFF + j] += dz1;
      for (var i = 0u; i < D; i++) {
        g[W1_OFF + j * D + i] += dz1 * x[n * D + i];
      }
    }
  }
  // θ′ in place of each gradient, checked in flat-layout order.
  for (var k = 0u; k < P_SIZE; k++) {
    let proposed = sgd(p[k], lr, g[k]);
    if (exact) {
      code = min(code, updateFault(k, g[k], proposed));
    }
    bad = bad | !isFinite(proposed);
    g[k] = proposed;
  }
  if (exact) {
    return code;
  }
  return select(NO_FAULT, 0u, bad);
}

// θ ← θ′ after a step that passed.
fn commitStep() {
  for (var k = 0u; k < P_SIZE; k++) {
    p[k] = g[k];
  }
}

// A model's results and status before its first step.
fn resetModel(m: u32) {
  results[m * 4u + 2u] = 0.0;
  results[m * 4u + 3u] = 0.0;
  status[m * 3u + 0u] = 0u;
  status[m * 3u + 1u] = NO_FAULT;
  status[m * 3u + 2u] = NO_FAULT;
}

// Model m (width h) at the parameters now held: mean loss, accuracy, whether it stopped, steps done.
fn finishModel(m: u32, h: u32, done: u32, diverged: bool) {
  var loss = 0.0;
  var correct = 0.0;
  for (var n = 0u; n < N; n++) {
    let z2 = forwardWidth(n, h);
    loss += sampleLossOf(z2, sigmoid(z2), y[n]);
    if ((sigmoid(z2) >= 0.5) == (y[n] >= 0.5)) {
      correct += 1.0;
    }
  }
  results[m * 4u + 0u] = loss / f32(N);
  results[m * 4u + 1u] = correct / f32(N);
  results[m * 4u + 2u] = select(0.0, 1.0, diverged);
  results[m * 4u + 3u] += f32(done);
  status[m * 3u + 0u] += done;
}
