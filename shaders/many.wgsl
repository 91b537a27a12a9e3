// Many independent 2-layer MLPs trained at once: one invocation per model.
// Every model has its own seed-derived initial parameters (the same counter-based PRNG and
// initialisation as src/mlp/rng.ts and src/engine/nn.ts, so the CPU can reproduce any model)
// and its own learning rate; all share the data. Each invocation keeps its parameters and
// gradients in private memory for all the steps of a dispatch, and touches storage only to
// load them at the start and store them at the end.
// Every step checks each sample's loss, each gradient and each updated parameter θ′ = θ − lr · g;
// the first non-finite one stops that model alone (the others go on), with θ as the step before
// left it, and its status records the step and the element (a faultCode, shaders/common.wgsl).
// The forward pass (shaders/network.wgsl), the losses, δ2, the activation and the update
// (shaders/common.wgsl) are shared; this file keeps the one-invocation-per-model schedule.

override BOUND1: f32;   // f32(1/√d): initial W1, b1 ~ U(−BOUND1, BOUND1)
override BOUND2: f32;   // f32(1/√H): initial W2, b2 ~ U(−BOUND2, BOUND2)

const MAX_D: u32 = 4u;
const MAX_H: u32 = 16u;
// Parameters of the largest model, H·D + 2H + 1: every private array is sized from MAX_D and MAX_H.
const MAX_P: u32 = MAX_H * MAX_D + 2u * MAX_H + 1u;

struct Run {
  models: u32,     // M
  steps: u32,      // SGD steps in this dispatch
  seedBase: u32,   // model m starts from seed seedBase + (m mod seedCount)
  init: u32,       // 1: draw the initial parameters first; 0: continue from `params`
  seedCount: u32,  // how many distinct seeds (M for one seed per model; fewer to repeat seeds across learning rates)
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> x: array<f32>;              // N×D, row-major
@group(0) @binding(2) var<storage, read> y: array<f32>;              // N
@group(0) @binding(3) var<storage, read> lrs: array<f32>;            // M learning rates
@group(0) @binding(4) var<storage, read_write> params: array<f32>;   // M × P, each in the flat layout
@group(0) @binding(5) var<storage, read_write> results: array<f32>;  // M × 4: loss, accuracy, diverged, steps
@group(0) @binding(6) var<storage, read_write> status: array<u32>;   // M × 3: steps done, badStep, badWhere (NO_FAULT if none)

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

// The engine's order: hidden unit j draws W1[j][0..D), then b1[j]; then the output draws W2, then b2.
fn initialise(seed: u32) {
  for (var j = 0u; j < H; j++) {
    for (var i = 0u; i < D; i++) {
      p[W1_OFF + j * D + i] = (2.0 * uniformAt(seed, j * (D + 1u) + i) - 1.0) * BOUND1;
    }
    p[B1_OFF + j] = (2.0 * uniformAt(seed, j * (D + 1u) + D) - 1.0) * BOUND1;
  }
  for (var j = 0u; j < H; j++) {
    p[W2_OFF + j] = (2.0 * uniformAt(seed, H * (D + 1u) + j) - 1.0) * BOUND2;
  }
  p[B2_OFF] = (2.0 * uniformAt(seed, H * (D + 1u) + H) - 1.0) * BOUND2;
}

// One SGD step's gradients, summed over the batch, then θ′ = θ − lr · g in their place (in g);
// returns the smallest fault code of the step's losses, gradients and θ′, or NO_FAULT.
fn gradientStep(lr: f32) -> u32 {
  for (var k = 0u; k < P_SIZE; k++) {
    g[k] = 0.0;
  }
  var code = NO_FAULT;
  for (var n = 0u; n < N; n++) {
    let z2 = forwardSample(n);
    let yHat = sigmoid(z2);
    let l = sampleLossOf(z2, yHat, y[n]);
    if (!isFinite(l)) {
      code = min(code, faultCode(FAULT_LOSS, n, l));
    }
    let dz2 = delta2(yHat, y[n]);                                  // δ2 = ∂L/∂z2
    g[B2_OFF] += dz2;
    for (var j = 0u; j < H; j++) {
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
    code = min(code, updateFault(k, g[k], proposed));
    g[k] = proposed;
  }
  return code;
}

// Model m's mean loss and accuracy at the parameters now held, into its results.
fn evaluate(m: u32) {
  var loss = 0.0;
  var correct = 0.0;
  for (var n = 0u; n < N; n++) {
    let z2 = forwardSample(n);
    loss += sampleLossOf(z2, sigmoid(z2), y[n]);
    if ((sigmoid(z2) >= 0.5) == (y[n] >= 0.5)) {
      correct += 1.0;
    }
  }
  results[m * 4u + 0u] = loss / f32(N);
  results[m * 4u + 1u] = correct / f32(N);
}

@compute @workgroup_size(WG)
fn trainMany(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.x;
  if (m >= run.models) {
    return;
  }
  let base = m * P_SIZE;
  if (run.init == 1u) {
    initialise(run.seedBase + m % run.seedCount);
    results[m * 4u + 2u] = 0.0;
    results[m * 4u + 3u] = 0.0;
    status[m * 3u + 0u] = 0u;
    status[m * 3u + 1u] = NO_FAULT;
    status[m * 3u + 2u] = NO_FAULT;
  } else {
    for (var k = 0u; k < P_SIZE; k++) {
      p[k] = params[base + k];
    }
  }
  let lr = lrs[m];
  var diverged = status[m * 3u + 1u] != NO_FAULT;
  var done = 0u;
  for (var s = 0u; s < run.steps && !diverged; s++) {
    let code = gradientStep(lr);
    if (code != NO_FAULT) {
      diverged = true;
      status[m * 3u + 1u] = status[m * 3u + 0u] + done + 1u;
      status[m * 3u + 2u] = code;
      break;
    }
    for (var k = 0u; k < P_SIZE; k++) {
      p[k] = g[k];
    }
    done++;
  }
  for (var k = 0u; k < P_SIZE; k++) {
    params[base + k] = p[k];
  }
  evaluate(m);
  results[m * 4u + 2u] = select(0.0, 1.0, diverged);
  results[m * 4u + 3u] += f32(done);
  status[m * 3u + 0u] += done;
}
