// softmax_cross_entropy: per-row loss and gradient of softmax + cross-entropy in one pass.
//
//   m = max_k z[k],  lse = m + log Σ_k exp(z[k] − m)          (stable log-sum-exp)
//   lossRows[r] = lse − z[y]                                  (unscaled, as the twin)
//   dlogits[r, k] = scale · (exp(z[k] − lse) − [k = y])       (scale: 1/R for a mean reduction)
//
// logits: [R, C] (the head's rows, time-major for "outputs all"), targets: [R] i32 class ids,
// lossRows: [R], dlogits: [R, C], lengths: [B] i32.
// With lengths (masked = 1, outputs 'all'): row r = t·B + b is a padded step when t ≥ lengths[b];
// such a row gets loss 0 and dlogits 0, and its target is never read (it may hold anything, e.g.
// PyTorch's ignore index −100). scale is then 1/(valid rows) (·1/C for per-element losses), set
// by the host for each batch. masked = 0: every row is valid and lengths is not read.
// One invocation owns one row: no barriers, no shared memory
// (rows are short; see DESIGN.md section 6 on barriers under SwiftShader).
// A target outside [0, C) is the host's bug (it checks batches before upload): the kernel reads
// nothing out of bounds and marks that row's loss and gradient NaN so the failure is loud.
// Twin: softmaxCrossEntropy in src/reference/softmaxCrossEntropy.ts.
// #include lib/lossRows.wgsl
// #include lib/nan.wgsl
struct Params { R: u32, C: u32, scale: f32, B: u32, masked: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read_write> lossRows: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= params.R) { return; }
  if (paddedRow(r)) { return; }
  let C = params.C;
  let o = r * C;
  let y = targets[r];
  if (y < 0 || u32(y) >= C) {
    let nan = quietNan(0x7fc00000u);
    lossRows[r] = nan;
    for (var k = 0u; k < C; k++) { dlogits[o + k] = nan; }
    return;
  }
  var m = logits[o];
  for (var k = 1u; k < C; k++) { m = max(m, logits[o + k]); }
  var s = 0.0;
  for (var k = 0u; k < C; k++) { s += exp(logits[o + k] - m); }
  let lse = m + log(s);
  lossRows[r] = lse - logits[o + u32(y)];
  for (var k = 0u; k < C; k++) {
    let onehot = select(0.0, 1.0, k == u32(y));
    dlogits[o + k] = params.scale * (exp(logits[o + k] - lse) - onehot);
  }
}
