// lib/gates.wgsl: four columns of one row of the step backward kernels' gates (the activations the
// forward pass kept). The including shader declares the storage binding `gates: array<f32>`.

// Four columns of one row of a read-only buffer: x[o + jc], jc the clamped columns.
fn gt(o: u32, jc: vec4u) -> vec4f { return vec4f(gates[o + jc.x], gates[o + jc.y], gates[o + jc.z], gates[o + jc.w]); }
