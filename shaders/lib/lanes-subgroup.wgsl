// The large-batch tile kernel's lane sums with subgroups (shaders/large-tiled.wgsl), prepended so
// `enable` comes first. A lane is (subset r, unit slot) = lid / UNITS, lid % UNITS; where a
// subgroup holds lanes lid0 … lid0 + S − 1 with lid0 a multiple of S (as Vulkan, Metal and D3D
// lay them out, checked below on every lane), the lanes of one slot in it are UNITS apart and
// S / UNITS butterfly shuffles sum them, with no workgroup barrier.
enable subgroups;

// S / UNITS if this lane's subgroup is laid out as above, else 1 (the tree then does it all).
fn laneSpan(lid: u32) -> u32 {
  let size = subgroupAdd(1u);                          // every lane is active here
  let id = subgroupExclusiveAdd(1u);
  let first = subgroupBroadcastFirst(lid);
  let aligned = subgroupAll((id == lid % size) & (first % size == 0u));
  return select(1u, max(size / UNITS, 1u), aligned);
}

// v summed over the sp lanes of this slot in this subgroup (sp a power of two).
fn laneSum(v: vec4f, sp: u32) -> vec4f {
  var s = v;
  for (var mask = UNITS; mask < sp * UNITS; mask = mask * 2u) {
    s += subgroupShuffleXor(s, mask);
  }
  return s;
}
