// lib/states.wgsl: four lanes of the forward kernels' h and gx at four element offsets (the rows
// of a quad, rows4 in lib/rows.wgsl). The including shader declares the storage bindings
// `h: array<f32>` and `gx: array<f32>` (any access mode).

fn h4(o: vec4u) -> vec4f {
  return vec4f(h[o.x], h[o.y], h[o.z], h[o.w]);
}

fn gx4(o: vec4u) -> vec4f {
  return vec4f(gx[o.x], gx[o.y], gx[o.z], gx[o.w]);
}
