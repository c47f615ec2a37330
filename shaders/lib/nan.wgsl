// lib/nan.wgsl: a NaN a kernel writes where a host bug reached it (a target or token id out of
// range), so the failure is loud. A pure function: an including shader declares nothing for it.

// A quiet NaN made at run time (a user function call is not a constant expression; a NaN constant
// expression would be a shader-creation error in WGSL).
fn quietNan(bits: u32) -> f32 { return bitcast<f32>(bits); }
