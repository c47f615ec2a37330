// embedding_backward: the dense gradient of embedding.weight without float atomics.
// Twin: embeddingBackward in src/reference/embeddingGather.ts.
//
//   dE[v, i] = Σ_{p : ids[p] = v} dx[p, i]          p = t·B + b over the rows of layer 0's input
//   grads[gOffset + v·I + i] = dE[v, i]             (every v < V written, 0 for an unused id)
//
// Scheme: the host already walks the ids to check them (src/checks), so it also counts them —
// one pass of a counting sort, O(T·B + V) — into offsets [V+1] (offsets[v] … offsets[v+1] is the
// run of id v) and positions [T·B] (the rows p of each id, in increasing p). Then no two
// invocations ever write the same element: invocation (v, i) owns dE[v, i] and sums its id's rows
// in increasing p, in f32, which is the order of the twin; total work O(T·B·I), the same as the
// forward gather. (The alternatives measured worse: an invocation per (v, i) scanning all T·B ids
// is O(V·T·B·I); a one-hot matmul the same.) Rows of padded steps need no exclusion: their dx is 0.
//
// offsets: [V+1] i32; positions: [n] i32 (n = T·B); dx: [n, I] f32 (read); grads: read_write.
// Element e = gid.x + gid.y·(num_workgroups.x·WG) over V·I, guarded. No barriers.
struct Params { V: u32, I: u32, gOffset: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> offsets: array<i32>;
@group(0) @binding(2) var<storage, read> positions: array<i32>;
@group(0) @binding(3) var<storage, read> dx: array<f32>;
@group(0) @binding(4) var<storage, read_write> grads: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  let I = params.I;
  if (e >= params.V * I) { return; }
  let v = e / I;
  let i = e % I;
  var s = 0.0;
  let end = u32(offsets[v + 1u]);
  for (var q = u32(offsets[v]); q < end; q++) {
    s += dx[u32(positions[q]) * I + i];
  }
  grads[params.gOffset + e] = s;
}
