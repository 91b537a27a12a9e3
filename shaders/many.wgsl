// Many independent 2-layer MLPs trained at once: one invocation per model.
// Every model has its own seed-derived initial parameters (the same counter-based PRNG and
// initialisation as src/mlp/rng.ts and src/engine/nn.ts, so the CPU can reproduce any model)
// and its own learning rate; all share the data. Each invocation keeps its parameters and
// gradients in private memory for all the steps of a dispatch, and touches storage only to
// load them at the start and store them at the end.
// Every step checks each sample's loss, each gradient and each updated parameter θ′ = θ − lr · g;
// the first non-finite one stops that model alone (the others go on), with θ as the step before
// left it, and its status records the step and the element (a faultCode, shaders/common.wgsl).

override D: u32;        // input size d (at most MAX_D)
override H: u32;        // hidden width (at most MAX_H)
override N: u32;        // batch size, shared by all models
override LOSS: u32;     // 0: BCE from the logit, 1: MSE on yHat
override WG: u32;       // workgroup size
override BOUND1: f32;   // f32(1/√d): initial W1, b1 ~ U(−BOUND1, BOUND1)
override BOUND2: f32;   // f32(1/√H): initial W2, b2 ~ U(−BOUND2, BOUND2)

const MAX_D: u32 = 4u;
const MAX_H: u32 = 16u;

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

var<private> w1: array<f32, 64>;   // MAX_H·MAX_D
var<private> b1: array<f32, 16>;   // MAX_H
var<private> w2: array<f32, 16>;   // MAX_H
var<private> b2: f32;
var<private> gw1: array<f32, 64>;
var<private> gb1: array<f32, 16>;
var<private> gw2: array<f32, 16>;
var<private> gb2: f32;
var<private> a1: array<f32, 16>;

fn paramCount() -> u32 {
  return H * D + 2u * H + 1u;
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
      w1[j * MAX_D + i] = (2.0 * uniformAt(seed, j * (D + 1u) + i) - 1.0) * BOUND1;
    }
    b1[j] = (2.0 * uniformAt(seed, j * (D + 1u) + D) - 1.0) * BOUND1;
  }
  for (var j = 0u; j < H; j++) {
    w2[j] = (2.0 * uniformAt(seed, H * (D + 1u) + j) - 1.0) * BOUND2;
  }
  b2 = (2.0 * uniformAt(seed, H * (D + 1u) + H) - 1.0) * BOUND2;
}

fn load(base: u32) {
  for (var j = 0u; j < H; j++) {
    for (var i = 0u; i < D; i++) {
      w1[j * MAX_D + i] = params[base + j * D + i];
    }
    b1[j] = params[base + H * D + j];
    w2[j] = params[base + H * D + H + j];
  }
  b2 = params[base + H * D + 2u * H];
}

fn store(base: u32) {
  for (var j = 0u; j < H; j++) {
    for (var i = 0u; i < D; i++) {
      params[base + j * D + i] = w1[j * MAX_D + i];
    }
    params[base + H * D + j] = b1[j];
    params[base + H * D + H + j] = w2[j];
  }
  params[base + H * D + 2u * H] = b2;
}

// Checks gradient g (flat index k) and replaces it by the proposed θ′ = θ − lr · g, which it
// checks too; returns the smaller fault code, or NO_FAULT.
fn gradientThenProposal(k: u32, g: ptr<private, f32>, theta: f32, lr: f32) -> u32 {
  var code = NO_FAULT;
  if (!isFinite(*g)) {
    code = faultCode(FAULT_GRADIENT, k, *g);
  }
  let proposed = theta - lr * *g;
  *g = proposed;
  if (!isFinite(proposed)) {
    code = min(code, faultCode(FAULT_PARAMETER, k, proposed));
  }
  return code;
}

// Forward for sample n: fills a1, returns z2.
fn forwardSample(n: u32) -> f32 {
  var z2 = b2;
  for (var j = 0u; j < H; j++) {
    var z1 = b1[j];
    for (var i = 0u; i < D; i++) {
      z1 += w1[j * MAX_D + i] * x[n * D + i];
    }
    a1[j] = max(z1, 0.0);
    z2 += w2[j] * a1[j];
  }
  return z2;
}

@compute @workgroup_size(WG)
fn trainMany(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.x;
  if (m >= run.models) {
    return;
  }
  let base = m * paramCount();
  if (run.init == 1u) {
    initialise(run.seedBase + m % run.seedCount);
    results[m * 4u + 2u] = 0.0;
    results[m * 4u + 3u] = 0.0;
    status[m * 3u + 0u] = 0u;
    status[m * 3u + 1u] = NO_FAULT;
    status[m * 3u + 2u] = NO_FAULT;
  } else {
    load(base);
  }
  let lr = lrs[m];
  var diverged = status[m * 3u + 1u] != NO_FAULT;
  var done = 0u;
  for (var s = 0u; s < run.steps && !diverged; s++) {
    for (var j = 0u; j < H; j++) {
      for (var i = 0u; i < D; i++) {
        gw1[j * MAX_D + i] = 0.0;
      }
      gb1[j] = 0.0;
      gw2[j] = 0.0;
    }
    gb2 = 0.0;
    var code = NO_FAULT;
    for (var n = 0u; n < N; n++) {
      let z2 = forwardSample(n);
      let yHat = sigmoid(z2);
      let l = sampleLossOf(z2, yHat, y[n]);
      if (!isFinite(l)) {
        code = min(code, faultCode(FAULT_LOSS, n, l));
      }
      let dz2 = delta2(yHat, y[n]);                                  // δ2 = ∂L/∂z2
      gb2 += dz2;
      for (var j = 0u; j < H; j++) {
        gw2[j] += dz2 * a1[j];
        let dz1 = select(0.0, w2[j] * dz2, a1[j] > 0.0);             // δ1 = W2ᵀδ2 ⊙ ReLU′(z1), ReLU′(0) = 0
        gb1[j] += dz1;
        for (var i = 0u; i < D; i++) {
          gw1[j * MAX_D + i] += dz1 * x[n * D + i];
        }
      }
    }
    // The gradients, then θ′ = θ − lr · g in their place, checked in flat-layout order.
    for (var j = 0u; j < H; j++) {
      for (var i = 0u; i < D; i++) {
        code = min(code, gradientThenProposal(j * D + i, &gw1[j * MAX_D + i], w1[j * MAX_D + i], lr));
      }
    }
    for (var j = 0u; j < H; j++) {
      code = min(code, gradientThenProposal(H * D + j, &gb1[j], b1[j], lr));
    }
    for (var j = 0u; j < H; j++) {
      code = min(code, gradientThenProposal(H * D + H + j, &gw2[j], w2[j], lr));
    }
    code = min(code, gradientThenProposal(H * D + 2u * H, &gb2, b2, lr));
    if (code != NO_FAULT) {
      diverged = true;
      status[m * 3u + 1u] = status[m * 3u + 0u] + done + 1u;
      status[m * 3u + 2u] = code;
      break;
    }
    for (var j = 0u; j < H; j++) {
      for (var i = 0u; i < D; i++) {
        w1[j * MAX_D + i] = gw1[j * MAX_D + i];
      }
      b1[j] = gb1[j];
      w2[j] = gw2[j];
    }
    b2 = gb2;
    done++;
  }
  store(base);
  // The loss and accuracy at the parameters now held.
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
  results[m * 4u + 2u] = select(0.0, 1.0, diverged);
  results[m * 4u + 3u] += f32(done);
  status[m * 3u + 0u] += done;
}
