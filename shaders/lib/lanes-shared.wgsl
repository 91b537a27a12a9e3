// The large-batch tile kernel's lane sums without subgroups (shaders/large-tiled.wgsl): the
// workgroup-memory tree does all the summing.

// How many sample subsets one subgroup step sums: none here.
fn laneSpan(lid: u32) -> u32 {
  return 1u;
}

fn laneSum(v: vec4f, sp: u32) -> vec4f {
  return v;
}
