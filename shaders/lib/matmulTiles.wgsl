// lib/matmulTiles.wgsl: the operand addressing and the 4×4 register block of matmul.wgsl and
// matmul_small.wgsl (op(A), op(B), the batch-first row permutation; see matmul.wgsl's header):
//   op(A)[i, k] = transA ? a[aOffset + rowA(k)·lda + i] : a[aOffset + rowA(i)·lda + k]
//   op(B)[k, j] = transB ? b[bOffset + rowB(j)·ldb + k] : b[bOffset + rowB(k)·ldb + j]
//   rowX(r)     = permX == 0 ? r : (r % permBatch)·permTime + r / permBatch
// An operand element is read as base + kOff: the base per row of A (column of B) from aBases
// (bBases) once, the offset per k from kOffsets in the k loop.
// The including shader declares a uniform `params` with u32 members M, N, lda, ldb, aOffset,
// bOffset, transA, transB, permBatch, permTime, permA, permB, and read-only storage `a`, `b`
// (array<f32>).

// The stored row that holds logical row r of an operand (identity unless perm ≠ 0).
fn storedRow(r: u32, perm: u32) -> u32 {
  if (perm == 0u) { return r; }
  return (r % params.permBatch) * params.permTime + r / params.permBatch;
}

// Where op(A)[i, ·] is addressed from, for four rows starting at i (clamped to M − 1):
// the start of the stored row (no transA), or the column i itself (transA).
fn aBases(i: u32) -> vec4u {
  let rows = min(vec4u(i) + vec4u(0u, 1u, 2u, 3u), vec4u(params.M - 1u));
  if (params.transA != 0u) { return rows; }
  return vec4u(params.aOffset) + vec4u(storedRow(rows.x, params.permA), storedRow(rows.y, params.permA),
                                       storedRow(rows.z, params.permA), storedRow(rows.w, params.permA)) * params.lda;
}

// The same for op(B)[·, j] for four columns j, j + step, j + 2·step, j + 3·step (clamped to N − 1):
// step WG_X for matmul's interleaved columns, 1 for matmul_small's contiguous ones.
fn bBases(j: u32, step: u32) -> vec4u {
  let cols = min(vec4u(j) + vec4u(0u, 1u, 2u, 3u) * step, vec4u(params.N - 1u));
  if (params.transB == 0u) { return cols; }
  return vec4u(params.bOffset) + vec4u(storedRow(cols.x, params.permB), storedRow(cols.y, params.permB),
                                       storedRow(cols.z, params.permB), storedRow(cols.w, params.permB)) * params.ldb;
}

// Per k, op(A)[i, k] = a[aBase + aK] and op(B)[k, j] = b[bBase + bK], returned as (aK, bK): aK is k
// (no transA) or the start of A's stored row k (transA); bK is the start of B's stored row k (no
// transB) or k (transB). (kb, kt) = (k % permBatch, k / permBatch), which the k loop steps without
// dividing; kb·permTime + kt is the batch-first row that holds time-major row k.
fn kOffsets(k: u32, kb: u32, kt: u32, transA: bool, transB: bool) -> vec2u {
  let kPerm = kb * params.permTime + kt;
  let aK = select(k, params.aOffset + select(k, kPerm, params.permA != 0u) * params.lda, transA);
  let bK = select(params.bOffset + select(k, kPerm, params.permB != 0u) * params.ldb, k, transB);
  return vec2u(aK, bK);
}

fn loadA(base: vec4u, k: u32) -> vec4f {
  return vec4f(a[base.x + k], a[base.y + k], a[base.z + k], a[base.w + k]);
}

fn loadB(base: vec4u, k: u32) -> vec4f {
  return vec4f(b[base.x + k], b[base.y + k], b[base.z + k], b[base.w + k]);
}

// The 4×4 block of products x[r]·y[s], column r holding row r.
fn outer(x: vec4f, y: vec4f) -> mat4x4f {
  return mat4x4f(x.x * y, x.y * y, x.z * y, x.w * y);
}
