// The benchmark's probe of the per-dispatch floor: each invocation writes its own index.
// out: [n]; one invocation per element, 64 per workgroup.
@group(0) @binding(0) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= arrayLength(&out)) { return; }
  out[id.x] = f32(id.x);
}
