// embedding_gather: the token front end (PyTorch's nn.Embedding), as layer 0's input rows.
// Twin: embeddingGather in src/reference/embeddingGather.ts.
//
//   x[(t·B + b)·I + i] = E[ids[b·T + t]·I + i]        E = embedding.weight [V, I] in params at eOffset
//
// ids:    [B, T] i32 token ids, batch-first as the caller gave them; checked on the host to lie in
//         [0, V) before any GPU work — an id outside it here is a host bug, and its row is written
//         NaN so the failure is loud (nothing is read out of bounds).
// params: the flat parameters (read); x: [T, B, I] time-major rows, what the input projection reads.
// One invocation owns one element of x; element e = gid.x + gid.y·(num_workgroups.x·WG), so the
// grid may be 2-D for more than 65535·WG elements. No barriers.
// #include lib/nan.wgsl
struct Params { B: u32, T: u32, I: u32, V: u32, eOffset: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> ids: array<i32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> x: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  let I = u.I;
  let B = u.B;
  if (e >= u.T * B * I) { return; }
  let row = e / I;                 // t·B + b
  let i = e % I;
  let t = row / B;
  let b = row % B;
  let id = ids[b * u.T + t];
  if (id < 0 || u32(id) >= u.V) {
    x[e] = quietNan(0x7fc00000u);
    return;
  }
  x[e] = params[u.eOffset + u32(id) * I + i];
}
