// Shared by every kernel: src/gpu/shaders.ts appends this file to each shader's own text (after it,
// so compilation errors keep the kernel's own line numbers). The same conventions as the CPU
// (src/mlp/reference.ts), in f32: the activation, the losses and δ2, the SGD update and the
// fault codes. The kernel declares `override LOSS: u32;`, `override ACT: u32;` and `override N: u32;`.

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

// The kind of a fault code (FAULT_LOSS, FAULT_GRADIENT, FAULT_PARAMETER); 3 for NO_FAULT.
fn faultKind(code: u32) -> u32 {
  return code >> 30u;
}

// θ′ = θ − lr · dL/dθ, the SGD update of one parameter.
fn sgd(theta: f32, lr: f32, g: f32) -> f32 {
  return theta - lr * g;
}

// The first fault of parameter k's update: its gradient g, then its θ′; NO_FAULT if both are finite.
fn updateFault(k: u32, g: f32, proposed: f32) -> u32 {
  if (!isFinite(g)) {
    return faultCode(FAULT_GRADIENT, k, g);
  }
  if (!isFinite(proposed)) {
    return faultCode(FAULT_PARAMETER, k, proposed);
  }
  return NO_FAULT;
}

// The hidden activation f and its derivative f′ side by side, chosen by `override ACT: u32`
// (shaders/lib/network.wgsl; src/gpu/layout.ts encodes it): 0 relu, 1 leaky, 2 tanh, 3 sigmoid.
// The same conventions as src/engine/activation.ts, in f32, computed as the bounds of
// src/mlp/bounds/activation-bounds.ts assume:
//   relu     f = max(z, 0)                        f′ = z > 0 ? 1 : 0     (ReLU′(0) = 0)
//   leaky    f = z > 0 ? z : 0.01 z               f′ = z > 0 ? 1 : 0.01  (leaky′(0) = 0.01)
//   tanh     f = sign(z)(1 − E)/(1 + E), E = e^−2|z| (never overflows; WGSL's tanh is unbounded
//            for large |z|)                       f′ = 1 − a1·a1 from the f32 a1
//   sigmoid  f = σ(z) as below                    f′ = a1·(1 − a1) from the f32 a1
const ACT_RELU: u32 = 0u;
const ACT_LEAKY: u32 = 1u;
const ACT_TANH: u32 = 2u;
const ACT_SIGMOID: u32 = 3u;
const LEAKY_SLOPE: f32 = 0.01;

// tanh z = sign(z)(1 − E)/(1 + E) with E = exp(−2|z|) in (0, 1].
fn tanhStable(z: f32) -> f32 {
  let E = exp(-2.0 * abs(z));
  let t = (1.0 - E) / (1.0 + E);
  return select(t, -t, z < 0.0);
}

// a1 = f(z1).
fn activate(z1: f32) -> f32 {
  if (ACT == ACT_LEAKY) {
    return select(LEAKY_SLOPE * z1, z1, z1 > 0.0);
  }
  if (ACT == ACT_TANH) {
    return tanhStable(z1);
  }
  if (ACT == ACT_SIGMOID) {
    return sigmoid(z1);
  }
  return max(z1, 0.0);
}

// f′(z1), the local Jacobian diag(f′(z1))'s entry for one unit.
// NOTE: ReLU′(0) = 0 and leaky′(0) = 0.01, as on the CPU.
fn activationDerivative(z1: f32) -> f32 {
  if (ACT == ACT_LEAKY) {
    return select(LEAKY_SLOPE, 1.0, z1 > 0.0);
  }
  if (ACT == ACT_TANH) {
    let a1 = tanhStable(z1);
    return 1.0 - a1 * a1;
  }
  if (ACT == ACT_SIGMOID) {
    let a1 = sigmoid(z1);
    return a1 * (1.0 - a1);
  }
  return select(0.0, 1.0, z1 > 0.0);
}

// δ1 = da1 ⊙ f′(z1) for one unit. ReLU's is a select, not a product, so a closed gate passes
// exactly 0 even where da1 is not finite.
fn activationBackward(z1: f32, da1: f32) -> f32 {
  if (ACT == ACT_RELU) {
    return select(0.0, da1, z1 > 0.0);
  }
  return da1 * activationDerivative(z1);
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
