// fill: out[i] = value for i < n. The simplest kernel; also used to reset accumulators.
// out: [n]. One invocation owns one element.
struct Params { n: u32, value: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= params.n) { return; }
  out[i] = params.value;
}
