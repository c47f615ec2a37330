// matmul_small: C = (accumulate ? C : 0) + op(A)·op(B) + bias, with matmul.wgsl's addressing
// (lib/matmulTiles.wgsl, shared) and row sums (see there; twin: src/reference/matmulSmall.ts),
// shaped for small and skinny work:
//
//   - every invocation owns a 4×4 tile of C (rows i0 … i0+3, columns j0 … j0+3, contiguous), taken
//     from a linear tile index over ceil(M/4)·ceil(N/4) tiles (column tiles fastest), so a skinny
//     C (N = 4H of a few, or M a few gate rows) keeps every invocation of a workgroup busy — the 2-D
//     grid of matmul.wgsl covers 64 columns per workgroup and left most lanes idle at N ≤ 20
//     (measured on SwiftShader: the input projection of bitpair, M = 2500, N = 20, K = 1, took
//     157 workgroups and ~10 ms; here 49);
//   - split K: workgroup_id.y = s takes k ∈ [s·kChunk, min(K, (s+1)·kChunk)); with splits > 1 each
//     split writes its partial tile, and its row sums as column N, to c at
//     partialOffset + (s·M + i)·(N+1) + j (no bias, no accumulate), and splitk_reduce.wgsl adds the
//     splits up into C. A weight gradient dW = dGᵀ·X has K = T·B in the thousands and a C of a few
//     hundred elements: one workgroup would loop over all of K alone; split, every core gets a part.
// Sums run in f32 in order k within a split (splitk_reduce then adds the splits in order s).
//
// Bindings as matmul.wgsl: a, b, bias (read), c (read_write). Dispatch
// [ceil(ceil(M/4)·ceil(N/4) / WG), splits, 1] (src/webgpu/kernels/grids.ts). Guarded; rows ≥ M and
// columns ≥ N are clamped for loading and never stored.
// #include lib/matmulTiles.wgsl
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  aOffset: u32, bOffset: u32, cOffset: u32,
  transA: u32, transB: u32, accumulate: u32,
  biasOffset: u32, biasLen: u32, bias2Offset: u32, bias2Len: u32,
  permBatch: u32, permTime: u32, permA: u32, permB: u32,
  rowSum: u32, rowSumOffset: u32, rowSumOffset2: u32,
  splits: u32, kChunk: u32, partialOffset: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let colTiles = (params.N + 3u) / 4u;
  let tile = wid.x * WG + lid.x;
  if (tile >= ((params.M + 3u) / 4u) * colTiles) { return; }
  let i0 = (tile / colTiles) * 4u;
  let j0 = (tile % colTiles) * 4u;
  let s = wid.y;
  let k0 = s * params.kChunk;
  let k1 = min(params.K, k0 + params.kChunk);
  let ab = aBases(i0);
  let bb = bBases(j0, 1u);
  var acc = mat4x4f();
  var rs = vec4f();
  let transA = params.transA != 0u;
  let transB = params.transB != 0u;
  // (kb, kt) = (k % permBatch, k / permBatch) for the batch-first permutation (see matmul.wgsl).
  let pb = max(params.permBatch, 1u);
  var kb = k0 % pb;
  var kt = k0 / pb;
  for (var k = k0; k < k1; k++) {
    let kOff = kOffsets(k, kb, kt, transA, transB);
    let wrap = kb + 1u == params.permBatch;
    kb = select(kb + 1u, 0u, wrap);
    kt = select(kt, kt + 1u, wrap);
    let x = loadA(ab, kOff.x);
    acc += outer(x, loadB(bb, kOff.y));
    rs += x;
  }
  let partial = params.splits > 1u;
  let W = params.N + 1u;                     // a partial tile row: N columns and the row sum
  for (var r = 0u; r < 4u; r++) {
    let row = i0 + r;
    if (row >= params.M) { break; }
    if (partial) {
      let base = params.partialOffset + (s * params.M + row) * W;
      for (var q = 0u; q < 4u; q++) {
        if (j0 + q < params.N) { c[base + j0 + q] = acc[r][q]; }
      }
      if (j0 == 0u) { c[base + params.N] = rs[r]; }
      continue;
    }
    for (var q = 0u; q < 4u; q++) {
      let col = j0 + q;
      if (col >= params.N) { break; }
      var v = acc[r][q];
      if (col < params.biasLen) { v += bias[params.biasOffset + col]; }
      if (col < params.bias2Len) { v += bias[params.bias2Offset + col]; }
      let ci = params.cOffset + row * params.ldc + col;
      if (params.accumulate != 0u) { v += c[ci]; }
      c[ci] = v;
    }
    if (params.rowSum != 0u && j0 == 0u) {
      c[params.rowSumOffset + row] = rs[r];
      if (params.rowSum == 2u) { c[params.rowSumOffset2 + row] = rs[r]; }
    }
  }
}
