// matmul: C[M, N] = (accumulate ? C : 0) + op(A)·op(B) + bias   (twin: src/reference/matmul.ts)
//
//   op(A)[i, k] = transA ? a[aOffset + rowA(k)·lda + i] : a[aOffset + rowA(i)·lda + k]
//   op(B)[k, j] = transB ? b[bOffset + rowB(j)·ldb + k] : b[bOffset + rowB(k)·ldb + j]
//   rowX(r)     = permX == 0 ? r : (r % permBatch)·permTime + r / permBatch
//                 (reads a batch-first [B, T, ·] tensor as time-major rows t·B + b)
//   bias        = (j < biasLen ? bias[biasOffset + j] : 0) + (j < bias2Len ? bias[bias2Offset + j] : 0)
//                 (the host passes biasLen = N or 0; GRU folds only b_hr, b_hz through bias2)
//   C[i, j] is c[cOffset + i·ldc + j]. In f32: (Σ_k products, in order k = 0…K−1) + bias, then
//   + the old C[i, j] when accumulate = 1.
//   rowSum = 1 or 2 also writes S[i] = Σ_k op(A)[i, k] (in order k = 0…K−1) to c[rowSumOffset + i]
//   (and, with 2, to c[rowSumOffset2 + i] too): a bias gradient folded into its weight gradient,
//   dW = dGᵀ·X and db = Σ_rows dG in one dispatch (the LSTM's and plain RNN's b_ih and b_hh get the
//   same gradient, hence two copies). Each invocation sums the rows it already loads (one add per
//   row quad and k); the invocations of the first column tile (j0 = 0) write them.
//
// Bindings: a, b, bias (read; bias is bound even when unused), c (read_write; only the M×N block
// is written, everything else in c keeps its value).
//
// Register blocking, no workgroup memory, no barriers: on SwiftShader (a CPU) those cost more
// than they save (DESIGN.md section 6). One invocation owns a TM×TN tile of C:
//   rows    i0 + r,             i0 = (workgroup_id.y·WG_Y + local_id.y)·TM,  r < TM
//   columns j0 + s·WG_X,        j0 = workgroup_id.x·WG_X·TN + local_id.x,    s < TN
// Columns are interleaved so that neighbouring invocations (one SIMD group on a CPU, one warp on
// a GPU) touch neighbouring columns of B and C. The tile is held as 4×4 blocks (mat4x4f, column
// r = tile row r), Q = TM/4 by G = TN/4 of them; every block past the chosen TM, TN sits behind an
// `if` on the overrides, which the compiler removes, so the k loop stays straight-line code with
// the accumulators in registers (the same tile as loops over private arrays indexed by r, s ran
// about 6× slower on SwiftShader, which keeps such arrays in memory).
//
// Ragged edges: rows ≥ M and columns ≥ N are clamped to M−1, N−1 for loading (always in bounds,
// no branch in the k loop) and are never stored. The host dispatches
// [ceil(N / (WG_X·TN)), ceil(M / (WG_Y·TM)), 1] workgroups (src/webgpu/matmulDispatch.ts).
// #include lib/matmulTiles.wgsl
struct Params {
  M: u32, N: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  aOffset: u32, bOffset: u32, cOffset: u32,
  transA: u32, transB: u32, accumulate: u32,
  biasOffset: u32, biasLen: u32, bias2Offset: u32, bias2Len: u32,
  permBatch: u32, permTime: u32, permA: u32, permB: u32,
  rowSum: u32, rowSumOffset: u32, rowSumOffset2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

override WG_X: u32 = 16;
override WG_Y: u32 = 4;
// Rows of C per invocation: 4, 8, 12 or 16. Columns of C per invocation: 4 or 8.
override TM: u32 = 8;
override TN: u32 = 8;

// The bias of four columns (both terms; 0 where a term does not apply or the column is past N).
fn biasOf(cols: vec4u) -> vec4f {
  var v = vec4f();
  for (var s = 0u; s < 4u; s++) {
    let col = cols[s];
    if (col < params.biasLen) { v[s] += bias[params.biasOffset + col]; }
    if (col < params.bias2Len) { v[s] += bias[params.bias2Offset + col]; }
  }
  return v;
}

// C[row, col] = v (+ the old C[row, col] when accumulating), only inside the M×N block. One
// combined guard per element: SwiftShader runs both sides of every branch under a lane mask, so
// each extra `if` here costs about as much as the store itself (measured).
fn storeOne(row: u32, col: u32, v: f32) {
  if ((row < params.M) & (col < params.N)) {
    let ci = params.cOffset + row * params.ldc + col;
    var x = v;
    if (params.accumulate != 0u) { x += c[ci]; }
    c[ci] = x;
  }
}

fn storeRow(v: vec4f, row: u32, cols: vec4u) {
  storeOne(row, cols.x, v.x);
  storeOne(row, cols.y, v.y);
  storeOne(row, cols.z, v.z);
  storeOne(row, cols.w, v.w);
}

// The row sums of rows i…i+3 (those < M), to rowSumOffset (and rowSumOffset2 when rowSum = 2).
fn storeRowSums(s: vec4f, i: u32) {
  for (var r = 0u; r < 4u; r++) {
    let row = i + r;
    if (row >= params.M) { break; }
    c[params.rowSumOffset + row] = s[r];
    if (params.rowSum == 2u) { c[params.rowSumOffset2 + row] = s[r]; }
  }
}

// Writes the 4×4 block for rows i…i+3 (column r of acc holds row r) and columns cols, plus bias.
fn storeBlock(acc: mat4x4f, i: u32, cols: vec4u, bias: vec4f) {
  storeRow(acc[0] + bias, i, cols);
  storeRow(acc[1] + bias, i + 1u, cols);
  storeRow(acc[2] + bias, i + 2u, cols);
  storeRow(acc[3] + bias, i + 3u, cols);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i0 = (wid.y * WG_Y + lid.y) * TM;
  let j0 = wid.x * WG_X * TN + lid.x;
  if (i0 >= params.M || j0 >= params.N) { return; }

  // Row quads q = 0…3 (rows i0 + 4q …) and column groups g = 0, 1 (columns j0 + 4g·WG_X …).
  let a0 = aBases(i0);
  let a1 = aBases(i0 + 4u);
  let a2 = aBases(i0 + 8u);
  let a3 = aBases(i0 + 12u);
  let b0 = bBases(j0, WG_X);
  let b1 = bBases(j0 + 4u * WG_X, WG_X);
  var c00 = mat4x4f(); var c01 = mat4x4f();
  var c10 = mat4x4f(); var c11 = mat4x4f();
  var c20 = mat4x4f(); var c21 = mat4x4f();
  var c30 = mat4x4f(); var c31 = mat4x4f();
  var s0 = vec4f(); var s1 = vec4f(); var s2 = vec4f(); var s3 = vec4f();   // row sums of op(A)

  // Per k, op(A)[i, k] = a[aq + aK] and op(B)[k, j] = b[bg + bK] (kOffsets, lib/matmulTiles.wgsl);
  // (kb, kt) = (k % permBatch, k / permBatch), stepped without dividing.
  let transA = params.transA != 0u;
  let transB = params.transB != 0u;
  var kb = 0u;
  var kt = 0u;
  for (var k = 0u; k < params.K; k++) {
    let kOff = kOffsets(k, kb, kt, transA, transB);
    let aK = kOff.x;
    let bK = kOff.y;
    let wrap = kb + 1u == params.permBatch;
    kb = select(kb + 1u, 0u, wrap);
    kt = select(kt, kt + 1u, wrap);

    let x0 = loadA(a0, aK);
    let y0 = loadB(b0, bK);
    c00 += outer(x0, y0);
    s0 += x0;
    var y1 = vec4f();
    if (TN > 4u) { y1 = loadB(b1, bK); c01 += outer(x0, y1); }
    if (TM > 4u) {
      let x1 = loadA(a1, aK);
      c10 += outer(x1, y0);
      s1 += x1;
      if (TN > 4u) { c11 += outer(x1, y1); }
    }
    if (TM > 8u) {
      let x2 = loadA(a2, aK);
      c20 += outer(x2, y0);
      s2 += x2;
      if (TN > 4u) { c21 += outer(x2, y1); }
    }
    if (TM > 12u) {
      let x3 = loadA(a3, aK);
      c30 += outer(x3, y0);
      s3 += x3;
      if (TN > 4u) { c31 += outer(x3, y1); }
    }
  }
  if (params.rowSum != 0u && j0 == 0u) {
    storeRowSums(s0, i0);
    if (TM > 4u) { storeRowSums(s1, i0 + 4u); }
    if (TM > 8u) { storeRowSums(s2, i0 + 8u); }
    if (TM > 12u) { storeRowSums(s3, i0 + 12u); }
  }

  let cols0 = vec4u(j0) + vec4u(0u, 1u, 2u, 3u) * WG_X;
  let cols1 = cols0 + 4u * WG_X;
  let bias0 = biasOf(cols0);
  var bias1 = vec4f();
  if (TN > 4u) { bias1 = biasOf(cols1); }
  storeBlock(c00, i0, cols0, bias0);
  if (TN > 4u) { storeBlock(c01, i0, cols1, bias1); }
  if (TM > 4u) { storeBlock(c10, i0 + 4u, cols0, bias0); if (TN > 4u) { storeBlock(c11, i0 + 4u, cols1, bias1); } }
  if (TM > 8u) { storeBlock(c20, i0 + 8u, cols0, bias0); if (TN > 4u) { storeBlock(c21, i0 + 8u, cols1, bias1); } }
  if (TM > 12u) { storeBlock(c30, i0 + 12u, cols0, bias0); if (TN > 4u) { storeBlock(c31, i0 + 12u, cols1, bias1); } }
}
