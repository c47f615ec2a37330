// mse_loss: mean squared error on the raw logits (PyTorch's mse_loss, reduction 'mean'), per-row
// loss and gradient in one pass.
//
//   lossRows[r] = Σ_k (z[r, k] − y[r, k])²                (unscaled, as the twin)
//   dlogits[r, k] = scale · 2 · (z[r, k] − y[r, k])      (scale: 1/(R·C), the mean over elements)
//
// logits, targets: [R, C] f32; lossRows: [R]; dlogits: [R, C]; lengths: [B] i32.
// With lengths (masked = 1, outputs 'all'): row r = t·B + b is a padded step when t ≥ lengths[b];
// such a row gets loss 0 and dlogits 0, and its targets are never read (they may hold anything).
// scale is then 1/(C·valid rows), set by the host for each batch. masked = 0: every row is valid
// and lengths is not read.
// One invocation owns one row: no barriers, no shared memory. The sum over k runs in f32 in order.
// Twin: mseLoss in src/reference/mseLoss.ts.
// #include lib/lossRows.wgsl
struct Params { R: u32, C: u32, scale: f32, B: u32, masked: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read_write> lossRows: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= params.R) { return; }
  if (paddedRow(r)) { return; }
  let o = r * params.C;
  var row = 0.0;
  for (var k = 0u; k < params.C; k++) {
    let d = logits[o + k] - targets[o + k];
    row += d * d;
    dlogits[o + k] = params.scale * 2.0 * d;
  }
  lossRows[r] = row;
}
