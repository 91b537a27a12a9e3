// The status word and the SGD update of the kernels that dispatch one phase at a time
// (shaders/steps.wgsl, shaders/layers.wgsl, bench/variants/large.wgsl), appended by src/gpu/shaders.ts, and the
// bindings they share: 0–3 below. The kernel declares `grads`, `next` (θ′ for each parameter) and `status` at 4
// and up, and `override P_SIZE: u32` (the number of parameters).

// The uniform of the phase kernels: the learning rate, changed between steps by the host.
struct Hyper {
  lr: f32,
}

@group(0) @binding(0) var<uniform> hyper: Hyper;
@group(0) @binding(1) var<storage, read_write> params: array<f32>;   // θ, flat layout
@group(0) @binding(2) var<storage, read> x: array<f32>;              // N×D, row-major
@group(0) @binding(3) var<storage, read> y: array<f32>;              // N

// The parameters live in storage for the whole step.
fn theta(k: u32) -> f32 {
  return params[k];
}

struct Status {
  // SGD steps completed.
  step: u32,
  // The first step whose loss, gradient or updated parameter was not finite, or NO_FAULT. Once set,
  // applyUpdate stops updating, so the parameters stay those of the last good step.
  badStep: atomic<u32>,
  // faultCode (shaders/lib/common.wgsl) of the first non-finite value of that step.
  badWhere: atomic<u32>,
  // faultCode of the first non-finite θ′ of the current step, or NO_FAULT; the forward pass resets it.
  proposal: atomic<u32>,
}

// Marks the step being taken (status.step + 1) as failed; the smallest code of that step is kept.
fn flagBad(code: u32) {
  atomicMin(&status.badStep, status.step + 1u);
  atomicMin(&status.badWhere, code);
}

// Stores gradient g of parameter k and proposes θ′ = θ − lr · g into next[k]: a non-finite g fails
// the step at once; a non-finite θ′ is kept as a proposal, so applyUpdate writes none of this step's θ′.
fn proposeUpdate(k: u32, g: f32) {
  grads[k] = g;
  let proposed = sgd(params[k], hyper.lr, g);
  next[k] = proposed;
  let code = updateFault(k, g, proposed);
  if (faultKind(code) == FAULT_GRADIENT) {
    flagBad(code);
  } else if (faultKind(code) == FAULT_PARAMETER) {
    atomicMin(&status.proposal, code);
  }
}

// θ ← θ′ for parameter k, only if no loss, gradient or θ′ of this step was non-finite.
fn applyUpdate(k: u32) {
  if (k >= P_SIZE || atomicLoad(&status.badStep) != NO_FAULT) {
    return;
  }
  let proposal = atomicLoad(&status.proposal);
  if (proposal != NO_FAULT) {
    flagBad(proposal);                    // some θ′ overflowed: fail this step and write none of them
    return;
  }
  params[k] = next[k];
  if (k == 0u) {
    status.step += 1u;
  }
}
