// The forward phase of the one-hidden-layer phase kernels (shaders/steps.wgsl, bench/variants/large.wgsl), after
// shaders/lib/network.wgsl and shaders/lib/status.wgsl. The kernel declares keepOutput(n, z2, yHat, loss), which
// stores what its later phases need.

// The forward phase for sample n: invocation 0 clears the step's proposal; then z2, yHat = σ(z2)
// and ℓ_n, a non-finite ℓ_n failing the step, handed to the kernel's keepOutput(n, z2, yHat, loss).
fn forwardPhase(n: u32) {
  if (n == 0u) {
    atomicStore(&status.proposal, NO_FAULT);
  }
  if (n >= N) {
    return;
  }
  let z2 = forwardSample(n);                                       // z2 = W2 f(W1 x + b1) + b2
  let yHat = sigmoid(z2);
  let loss = sampleLossOf(z2, yHat, y[n]);
  if (!isFinite(loss)) {
    flagBad(faultCode(FAULT_LOSS, n, loss));
  }
  keepOutput(n, z2, yHat, loss);
}
