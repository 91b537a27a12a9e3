// Many independent 2-layer MLPs trained at once, one invocation per model, each with its own seed-derived initial
// parameters and learning rate, all sharing the data. Parameters and gradients stay in private memory for a
// dispatch's steps. Every step checks each sample's loss, each gradient and each θ′ = θ − lr · g; the first
// non-finite one stops that model alone, with θ as the step before left it, and its status names the step and element
// (a faultCode, shaders/lib/common.wgsl). Shared: shaders/lib/network.wgsl, shaders/lib/models.wgsl (one model's
// step, initialisation and evaluation), shaders/lib/common.wgsl.

override BOUND2: f32;   // f32(1/√H): initial W2, b2 ~ U(−BOUND2, BOUND2)

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
// bindings 3–6 (lrs, params, results, status): shaders/lib/models.wgsl

@compute @workgroup_size(WG)
fn trainMany(@builtin(global_invocation_id) gid: vec3u) {
  let m = gid.x;
  if (m >= run.models) {
    return;
  }
  let base = m * P_SIZE;
  if (run.init == 1u) {
    initialise(run.seedBase + m % run.seedCount, H, BOUND2);
    resetModel(m);
  } else {
    for (var k = 0u; k < P_SIZE; k++) {
      p[k] = params[base + k];
    }
  }
  let lr = lrs[m];
  var diverged = status[m * 3u + 1u] != NO_FAULT;
  var done = 0u;
  for (var s = 0u; s < run.steps && !diverged; s++) {
    let code = gradientStep(lr, H, true);
    if (code != NO_FAULT) {
      diverged = true;
      status[m * 3u + 1u] = status[m * 3u + 0u] + done + 1u;
      status[m * 3u + 2u] = code;
      break;
    }
    commitStep();
    done++;
  }
  for (var k = 0u; k < P_SIZE; k++) {
    params[base + k] = p[k];
  }
  finishModel(m, H, done, diverged);
}
