// Many independent 2-layer MLPs, one invocation per model, checked without a branch per value: the same step as
// shaders/many.wgsl (shaders/lib/models.wgsl, so the same bits) in its fast form, a flag over z2 and every θ′, for all
// the dispatch's steps. A flagged model replays them from its θ in storage (still the dispatch's start) with the exact
// per-step check and stops at the first bad step, keeping θ. Parameters and gradients are private arrays indexed by
// override-bounded loops, so once unrolled they are registers; the shared data is read once per dispatch into
// workgroup memory. Width groups (the whole map in one dispatch): model m is in group k where
// groups[k].first ≤ m < groups[k + 1].first, with width h = groups[k].h ≤ H, kept in the flat layout of width H
// (units j ≥ h at 0) at m · P_SIZE in `params`.

override ONE_WIDTH: bool;  // every model has width H: the width is a constant, and its tests fold away

struct Run {
  models: u32,     // M
  steps: u32,      // SGD steps in this dispatch
  seedBase: u32,   // model m of group k starts from seed seedBase + ((m − first) mod seeds)
  init: u32,       // 1: draw the initial parameters first; 0: continue from `params`
  groups: u32,     // width groups
}

struct Group {
  first: u32,      // its first model
  h: u32,          // its width
  bound2: f32,     // f32(1/√h): initial W2, b2 ~ U(−bound2, bound2)
  seeds: u32,      // distinct seeds in the group
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read> xIn: array<f32>;            // N×D, row-major
@group(0) @binding(2) var<storage, read> yIn: array<f32>;            // N
// bindings 3–6 (lrs, params, results, status): shaders/lib/models.wgsl
@group(0) @binding(7) var<storage, read> groups: array<Group>;       // width groups, by first model

var<workgroup> x: array<f32, N * D>;
var<workgroup> y: array<f32, N>;

fn load(base: u32) {
  for (var k = 0u; k < P_SIZE; k++) {
    p[k] = params[base + k];
  }
}

fn store(base: u32) {
  for (var k = 0u; k < P_SIZE; k++) {
    params[base + k] = p[k];
  }
}

// All the dispatch's steps from θ in `p` (also in storage at `base`); returns the steps done,
// after writing the first bad step's fault into the status if there was one.
fn trainModel(m: u32, base: u32, h: u32, lr: f32) -> u32 {
  var bad = false;
  for (var s = 0u; s < run.steps; s++) {
    bad = bad | (gradientStep(lr, h, false) != NO_FAULT);
    commitStep();
  }
  if (!bad) {
    return run.steps;
  }
  load(base);
  for (var s = 0u; s < run.steps; s++) {
    let code = gradientStep(lr, h, true);
    if (code != NO_FAULT) {
      status[m * 3u + 1u] = status[m * 3u + 0u] + s + 1u;
      status[m * 3u + 2u] = code;
      return s;
    }
    commitStep();
  }
  return run.steps;
}

@compute @workgroup_size(WG)
fn trainManyReg(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) t: u32,
) {
  for (var k = t; k < N * D; k += WG) {
    x[k] = xIn[k];
  }
  for (var k = t; k < N; k += WG) {
    y[k] = yIn[k];
  }
  workgroupBarrier();
  let m = (wid.y * nwg.x + wid.x) * WG + t;
  if (m >= run.models) {
    return;
  }
  var k = 0u;
  for (var q = 1u; q < run.groups; q++) {
    k = select(k, q, groups[q].first <= m);
  }
  let h = select(groups[k].h, H, ONE_WIDTH);
  let base = m * P_SIZE;
  if (run.init == 1u) {
    initialise(run.seedBase + (m - groups[k].first) % groups[k].seeds, h, groups[k].bound2);
    resetModel(m);
    store(base);                                                   // the replay's starting point
  } else {
    load(base);
  }
  var done = 0u;
  if (status[m * 3u + 1u] == NO_FAULT) {
    done = trainModel(m, base, h, lrs[m]);
  }
  store(base);
  finishModel(m, h, done, status[m * 3u + 1u] != NO_FAULT);
}
