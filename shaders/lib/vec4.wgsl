// shaders/lib/common.wgsl's helpers for 4 samples at once (a vec4f each), for shaders/fused-subgroup.wgsl,
// appended by src/gpu/shaders.ts: the same values as the scalar functions, componentwise.

fn notFinite4(v: vec4f) -> bool {
  return any((bitcast<vec4u>(v) & vec4u(0x7f800000u)) == vec4u(0x7f800000u));
}

// σ for 4 samples, each on the side where exp cannot overflow (the same values as sigmoid()).
fn sigmoid4(z: vec4f) -> vec4f {
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= vec4f(0.0));
}

// δ2 for 4 samples (delta2() of shaders/lib/common.wgsl, componentwise).
fn delta2x4(yHat: vec4f, t: vec4f) -> vec4f {
  if (LOSS == 0u) {
    return (yHat - t) / f32(N);
  }
  return 2.0 * (yHat - t) * yHat * (1.0 - yHat) / f32(N);
}

fn hsum(v: vec4f) -> f32 {
  return (v.x + v.y) + (v.z + v.w);
}

// shaders/lib/common.wgsl's activation and its derivative for 4 samples.
fn activate4(z: vec4f) -> vec4f {
  return vec4f(activate(z.x), activate(z.y), activate(z.z), activate(z.w));
}

fn activationBackward4(z: vec4f, da: vec4f) -> vec4f {
  return vec4f(
    activationBackward(z.x, da.x),
    activationBackward(z.y, da.y),
    activationBackward(z.z, da.z),
    activationBackward(z.w, da.w),
  );
}
