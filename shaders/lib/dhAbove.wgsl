// lib/dhAbove.wgsl: four columns of one row of the step backward kernels' dhAbove (the gradient
// reaching h from the head or the layer above). The including shader declares the storage binding
// `dhAbove: array<f32>`.

// Four columns of one row of a read-only buffer: x[o + jc], jc the clamped columns.
fn dhA(o: u32, jc: vec4u) -> vec4f { return vec4f(dhAbove[o + jc.x], dhAbove[o + jc.y], dhAbove[o + jc.z], dhAbove[o + jc.w]); }
