enable subgroups;
// Subgroup operations here sit in control flow that is uniform within each subgroup (one network
// per subgroup; loop bounds are overrides or uniforms), which the analysis cannot see.
diagnostic(off, subgroup_uniformity);

// Many SGD steps of small 2-layer MLPs, one network per subgroup, with no workgroup memory and
// no barriers. Lane l of a subgroup of size S owns hidden units j = l, l + S, ... (UNITS at most):
// their W1 rows, b1 and W2 entries live in its registers. The samples go four at a time as vec4f:
//   z1 = W1[j]·x + b1[j] and a1 = f(z1) for 4 samples at once, one unit per lane,
//   z2 = b2 + Σ_j W2[j] a1[j]        one vector subgroupAdd per 4 samples (the only exchange),
//   δ2, then each lane's own gradients: dW2[j] = Σ_n δ2 a1, δ1 = W2[j] δ2 ⊙ f′(z1),
//   db1[j] = Σ_n δ1, dW1[j] = Σ_n δ1 xᵀ, and db2 = Σ_n δ2 (every lane alike), θ′ = θ − lr · g.
// Finiteness costs no branch per step: each lane ORs a flag over z2 and its θ′. If a flag is set,
// the network replays the dispatch's steps from θ in storage with the exact per-step check of the
// other kernels (shaders/many-reg.wgsl's scheme) and stops at the first bad step, keeping θ.
// The loss is computed on the dispatch's last step only (what readLoss reports). Sizes, layout,
// LOSS and WG are shaders/lib/network.wgsl's overrides (WG a multiple of the largest subgroup size);
// the activation, losses, update and fault codes shaders/lib/common.wgsl's (shaders/lib/vec4.wgsl).
override UNITS: u32;    // hidden units per lane at the smallest subgroup size: ceil(H / min size), ≤ MAX_U
override CHUNKS: u32;   // ceil(N / 4)

const MAX_D: u32 = 4u;
const MAX_U: u32 = 4u;
const MAX_C: u32 = 4u;
const LAYOUT_FAULT: u32 = 0xfffffffeu;   // badWhere when subgroups are not aligned blocks of invocations

struct Run {
  lr: f32,
  steps: u32,     // SGD steps in this dispatch
  nets: u32,      // networks in the dispatch, one per subgroup
}

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;       // nets × P_SIZE, flat layout each
@group(0) @binding(2) var<storage, read> x: array<f32>;                  // N × D, shared
@group(0) @binding(3) var<storage, read> y: array<f32>;                  // N
@group(0) @binding(4) var<storage, read_write> status: array<u32>;       // nets × 3: steps done, badStep, badWhere
@group(0) @binding(5) var<storage, read_write> sampleLoss: array<f32>;   // nets × N: ℓ_n of the last forward pass

var<private> xv: array<vec4f, 16>;     // MAX_C · MAX_D: input i of samples 4c .. 4c + 3 at c · MAX_D + i
var<private> yv: array<vec4f, 4>;      // MAX_C labels
var<private> live: array<vec4<bool>, 4>;  // real samples (the last chunk is padded with x = 0)
var<private> w1: array<f32, 16>;       // MAX_U · MAX_D: this lane's units' W1 rows
var<private> b1: array<f32, 4>;
var<private> w2: array<f32, 4>;
var<private> b2: f32;
var<private> gw1: array<f32, 16>;      // gradients, then θ′ in their place
var<private> gb1: array<f32, 4>;
var<private> gw2: array<f32, 4>;
var<private> gb2: f32;

// θ′ = θ − lr · g for flat index k (g in *slot, θ′ left there); with `exact`, its fault code into
// *code. Returns whether θ′ is non-finite.
fn propose(k: u32, slot: ptr<private, f32>, th: f32, lr: f32, exact: bool, code: ptr<function, u32>) -> bool {
  let grad = *slot;
  let next = sgd(th, lr, grad);
  *slot = next;
  if (exact) {
    *code = min(*code, updateFault(k, grad, next));
  }
  return !isFinite(next);
}

// shaders/lib/network.wgsl's scalar forward pass reads θ through theta(k) and hands back z1, a1; this
// kernel does not call it (θ is spread over a subgroup's registers; its 4-sample form is in sgdStep).
fn theta(k: u32) -> f32 {
  return params[k];
}

fn keepHidden(n: u32, j: u32, z: f32, a: f32) {}

// One SGD step. Fast (exact = false): always commits θ′, returns 1 if this lane saw a non-finite
// z2 or θ′, else 0. Exact: returns the subgroup's smallest fault code and commits only if NO_FAULT.
// With lossAt < NO_FAULT, lane 0 writes the step's per-sample losses there.
fn sgdStep(lane: u32, sg: u32, lr: f32, exact: bool, lossAt: u32) -> u32 {
  for (var u = 0u; u < UNITS; u++) {
    for (var i = 0u; i < D; i++) {
      gw1[u * MAX_D + i] = 0.0;
    }
    gb1[u] = 0.0;
    gw2[u] = 0.0;
  }
  gb2 = 0.0;
  var bad = false;
  var code = NO_FAULT;
  for (var c = 0u; c < CHUNKS; c++) {
    var z1: array<vec4f, 4>;                                     // MAX_U
    var a1: array<vec4f, 4>;
    var part = vec4f(0.0);
    for (var u = 0u; u < UNITS; u++) {
      z1[u] = vec4f(b1[u]);
      for (var i = 0u; i < D; i++) {
        z1[u] += w1[u * MAX_D + i] * xv[c * MAX_D + i];
      }
      a1[u] = activate4(z1[u]);
      part += w2[u] * a1[u];
    }
    let z2 = b2 + subgroupAdd(part);                             // z2 = b2 + Σ_j W2[j] a1[j], 4 samples
    bad = bad || notFinite4(select(vec4f(0.0), z2, live[c]));
    let yHat = sigmoid4(z2);
    let dz2 = select(vec4f(0.0), delta2x4(yHat, yv[c]), live[c]);   // δ2 = ∂L/∂z2; 0 for padding
    if (exact || lossAt != NO_FAULT) {
      for (var k = 0u; k < 4u && c * 4u + k < N; k++) {
        let l = sampleLossOf(z2[k], yHat[k], yv[c][k]);
        if (!isFinite(l)) {
          code = min(code, faultCode(FAULT_LOSS, c * 4u + k, l));
        }
        if (lossAt != NO_FAULT && lane == 0u) {
          sampleLoss[lossAt + c * 4u + k] = l;
        }
      }
    }
    gb2 += hsum(dz2);                                            // db2 = Σ_n δ2
    for (var u = 0u; u < UNITS; u++) {
      let dz1 = activationBackward4(z1[u], w2[u] * dz2);        // δ1 = W2ᵀδ2 ⊙ f′(z1)
      gw2[u] += dot(dz2, a1[u]);                                 // dW2 = Σ_n δ2 a1ᵀ
      gb1[u] += hsum(dz1);                                       // db1 = Σ_n δ1
      for (var i = 0u; i < D; i++) {
        gw1[u * MAX_D + i] += dot(dz1, xv[c * MAX_D + i]);       // dW1 = Σ_n δ1 xᵀ
      }
    }
  }
  for (var u = 0u; u < UNITS; u++) {
    let j = u * sg + lane;
    if (j < H) {
      for (var i = 0u; i < D; i++) {
        bad = propose(W1_OFF + j * D + i, &gw1[u * MAX_D + i], w1[u * MAX_D + i], lr, exact, &code) || bad;
      }
      bad = propose(B1_OFF + j, &gb1[u], b1[u], lr, exact, &code) || bad;
      bad = propose(W2_OFF + j, &gw2[u], w2[u], lr, exact, &code) || bad;
    }
  }
  bad = propose(B2_OFF, &gb2, b2, lr, exact, &code) || bad;
  if (exact) {
    code = subgroupMin(code);
    if (code != NO_FAULT) {
      return code;
    }
  }
  for (var u = 0u; u < UNITS; u++) {
    if (u * sg + lane < H) {
      for (var i = 0u; i < D; i++) {
        w1[u * MAX_D + i] = gw1[u * MAX_D + i];
      }
      b1[u] = gb1[u];
      w2[u] = gw2[u];
    }
  }
  b2 = gb2;
  if (exact) {
    return NO_FAULT;
  }
  return select(0u, 1u, bad);
}

// This lane's units from storage; units past H stay 0 (they add exactly 0 everywhere).
fn load(base: u32, lane: u32, sg: u32) {
  for (var u = 0u; u < UNITS; u++) {
    let j = u * sg + lane;
    let ok = j < H;
    for (var i = 0u; i < D; i++) {
      w1[u * MAX_D + i] = select(0.0, params[base + W1_OFF + min(j, H - 1u) * D + i], ok);
    }
    b1[u] = select(0.0, params[base + B1_OFF + min(j, H - 1u)], ok);
    w2[u] = select(0.0, params[base + W2_OFF + min(j, H - 1u)], ok);
  }
  b2 = params[base + B2_OFF];
}

fn store(base: u32, lane: u32, sg: u32) {
  for (var u = 0u; u < UNITS && u * sg + lane < H; u++) {
    let j = u * sg + lane;
    for (var i = 0u; i < D; i++) {
      params[base + W1_OFF + j * D + i] = w1[u * MAX_D + i];
    }
    params[base + B1_OFF + j] = b1[u];
    params[base + W2_OFF + j] = w2[u];
  }
  if (lane == 0u) {
    params[base + B2_OFF] = b2;
  }
}

@compute @workgroup_size(WG)
fn trainFusedSubgroup(
  @builtin(local_invocation_index) t: u32,
  @builtin(workgroup_id) group: vec3u,
  @builtin(subgroup_size) sg: u32,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  // Subgroups must be full, aligned blocks of invocations: then subgroupMin(t) / sg numbers them.
  let first = subgroupMin(t);
  let aligned = subgroupAll(first + lane == t && first % sg == 0u) && subgroupAdd(1u) == sg;
  let net = group.x * (WG / sg) + first / sg;
  if (net >= run.nets) {
    return;
  }
  if (!aligned) {
    if (lane == 0u) {
      status[net * 3u + 1u] = 0u;
      status[net * 3u + 2u] = LAYOUT_FAULT;
    }
    return;
  }
  if (status[net * 3u + 1u] != NO_FAULT) {
    return;                                                      // stopped at an earlier step
  }
  for (var c = 0u; c < CHUNKS; c++) {
    for (var k = 0u; k < 4u; k++) {
      let n = min(c * 4u + k, N - 1u);
      let real = c * 4u + k < N;
      for (var i = 0u; i < D; i++) {
        xv[c * MAX_D + i][k] = select(0.0, x[n * D + i], real);
      }
      yv[c][k] = select(0.0, y[n], real);
      live[c][k] = real;
    }
  }
  let base = net * P_SIZE;
  let lr = run.lr;
  let steps = run.steps;
  load(base, lane, sg);
  var bad = 0u;
  for (var s = 0u; s < steps; s++) {
    bad |= sgdStep(lane, sg, lr, false, select(NO_FAULT, net * N, s + 1u == steps));
  }
  var done = steps;
  if (subgroupAny(bad != 0u)) {
    // Replay from the dispatch's starting parameters, checking every step exactly.
    load(base, lane, sg);
    for (var s = 0u; s < steps; s++) {
      let code = sgdStep(lane, sg, lr, true, net * N);
      if (code != NO_FAULT) {
        done = s;
        if (lane == 0u) {
          status[net * 3u + 1u] = status[net * 3u] + s + 1u;
          status[net * 3u + 2u] = code;
        }
        break;
      }
    }
  }
  store(base, lane, sg);
  if (lane == 0u) {
    status[net * 3u] += done;
  }
}
