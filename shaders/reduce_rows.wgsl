// reduce_rows: out[outOffset + j] = (accumulate ? out[outOffset + j] : 0) + Σ_{i<rows} a[aOffset + i·lda + j],
// j < cols   (twin: src/reference/reduceRows.ts). Bias gradients: column sums of dgates over all rows.
//
// a: [rows, lda] (read; the first cols of each row are summed); out: [cols] at outOffset (read_write).
// One invocation owns one column j and loops over the rows in order i = 0…rows−1, summing in f32:
// no atomics, no barriers. Neighbouring invocations read neighbouring elements of each row.
struct Params { rows: u32, cols: u32, lda: u32, aOffset: u32, outOffset: u32, accumulate: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  if (j >= params.cols) { return; }
  var s = 0.0;
  var ai = params.aOffset + j;
  for (var i = 0u; i < params.rows; i++) {
    s += a[ai];
    ai += params.lda;
  }
  let o = params.outOffset + j;
  if (params.accumulate != 0u) { s = out[o] + s; }
  out[o] = s;
}
