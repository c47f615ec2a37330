// splitk_reduce: the second half of a split-K matmul_small — the splits' partial tiles added up
// into C, and their row sums into the row-sum outputs. Twin: src/reference/splitkReduce.ts.
//
//   for i < M, j < N:  c[cOffset + i·ldc + j] = (accumulate ? that : 0) + Σ_{s<splits} p[(s·M + i)·(N+1) + j]
//   for i < M (rowSum ≠ 0):  c[rowSumOffset + i] (and c[rowSumOffset2 + i] when rowSum = 2)
//                              = Σ_s p[(s·M + i)·(N+1) + N]
// Sums in f32 in order s = 0 … splits−1.
//
// partials: [splits, M, N+1] (read); c: read_write, only the elements above are written.
// One invocation owns one (i, j) with j ≤ N: element e = gid.x + gid.y·(num_workgroups.x·WG) over
// M·(N+1), guarded. No barriers.
struct Params { M: u32, N: u32, ldc: u32, cOffset: u32, accumulate: u32, splits: u32, rowSum: u32, rowSumOffset: u32, rowSumOffset2: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * WG;
  let W = params.N + 1u;
  if (e >= params.M * W) { return; }
  let i = e / W;
  let j = e % W;
  var s = 0.0;
  for (var k = 0u; k < params.splits; k++) {
    s += partials[(k * params.M + i) * W + j];
  }
  if (j < params.N) {
    let ci = params.cOffset + i * params.ldc + j;
    if (params.accumulate != 0u) { s += c[ci]; }
    c[ci] = s;
  } else if (params.rowSum != 0u) {
    c[params.rowSumOffset + i] = s;
    if (params.rowSum == 2u) { c[params.rowSumOffset2 + i] = s; }
  }
}
