// Shared by every kernel: src/gpu/shaders.ts appends this file to each shader's own text (after it,
// so compilation errors keep the kernel's own line numbers). The same conventions as the CPU
// (src/mlp/reference.ts), in f32. The kernel declares `override LOSS: u32;` and `override N: u32;`.

// WGSL has no isnan/isinf: a float is finite unless its exponent bits are all ones.
fn isFinite(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

// The status word's "nothing went wrong" value, for badStep and for fault codes.
const NO_FAULT: u32 = 0xffffffffu;
// What went non-finite, in the order the checks run within a step (so a smaller code came first).
const FAULT_LOSS: u32 = 0u;
const FAULT_GRADIENT: u32 = 1u;
const FAULT_PARAMETER: u32 = 2u;

// A fault code: bits 30–31 the kind, bits 2–29 the index (sample n for a loss, the flat-layout
// index for a gradient or parameter), bits 0–1 the value (0 NaN, 1 +∞, 2 −∞). atomicMin over codes
// keeps the first fault: losses before gradients before parameters, then the smallest index.
// The value is read from the bits: compilers may assume floats are finite in comparisons.
fn faultCode(kind: u32, index: u32, v: f32) -> u32 {
  let bits = bitcast<u32>(v);
  var value = 0u;
  if ((bits & 0x007fffffu) == 0u) {
    value = select(1u, 2u, (bits & 0x80000000u) != 0u);
  }
  return (kind << 30u) | (min(index, 0x0fffffffu) << 2u) | value;
}

// σ(z), on the side where exp cannot overflow.
fn sigmoid(z: f32) -> f32 {
  if (z >= 0.0) {
    return 1.0 / (1.0 + exp(-z));
  }
  let e = exp(z);
  return e / (1.0 + e);
}

// log(1 + t) for t in [0, 1], accurate for small t where 1 + t rounds.
fn log1p(t: f32) -> f32 {
  if (t < 1e-3) {
    return t * (1.0 - t * (0.5 - t / 3.0));
  }
  return log(1.0 + t);
}

// One sample's loss from its logit z and output yHat = σ(z).
// BCE: softplus(z) − y z = max(z, 0) − y z + log(1 + e^−|z|), the first two terms grouped so that
// y = 1, z > 0 gives exactly 0 + log1p(e^−z) rather than z − z. MSE: (yHat − y)².
fn sampleLossOf(z: f32, yHat: f32, t: f32) -> f32 {
  if (LOSS == 0u) {
    return select(-t * z, (1.0 - t) * z, z > 0.0) + log1p(exp(-abs(z)));
  }
  return (yHat - t) * (yHat - t);
}

// δ2 = ∂L/∂z2 for one sample, the batch mean's 1/N included:
// BCE (yHat − y)/N, where σ′ cancels; MSE 2(yHat − y) σ′(z2)/N with σ′ = yHat(1 − yHat).
fn delta2(yHat: f32, t: f32) -> f32 {
  if (LOSS == 0u) {
    return (yHat - t) / f32(N);
  }
  return 2.0 * (yHat - t) * yHat * (1.0 - yHat) / f32(N);
}
