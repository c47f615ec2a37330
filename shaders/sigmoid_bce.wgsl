// sigmoid_bce: binary cross-entropy on logits, per-row loss and gradient in one pass.
//
//   loss[r, k] = max(z, 0) − z·y + log1p(exp(−|z|))     (stable form of −y·log σ(z) − (1−y)·log(1−σ(z)))
//   lossRows[r] = Σ_k loss[r, k]                          (unscaled, as the twin)
//   dlogits[r, k] = scale · (σ(z) − y)                    (scale: 1/(R·C) for the mean over elements)
//
// logits, targets: [R, C] f32 (targets may be soft, in [0, 1]); lossRows: [R]; dlogits: [R, C];
// lengths: [B] i32.
// With lengths (masked = 1, outputs 'all'): row r = t·B + b is a padded step when t ≥ lengths[b];
// such a row gets loss 0 and dlogits 0, and its target is never read (it may hold anything, e.g.
// PyTorch's ignore index −100). scale is then 1/(valid rows) (·1/C for per-element losses), set
// by the host for each batch. masked = 0: every row is valid and lengths is not read.
// One invocation owns one row. Twin: sigmoidBce in src/reference/sigmoidBce.ts.
// #include lib/lossRows.wgsl
struct Params { R: u32, C: u32, scale: f32, B: u32, masked: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read_write> lossRows: array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// log(1 + x) for x in [0, 1] without losing small x to the rounding of 1 + x: with u = fl(1 + x),
// log(u)·x/(u − 1) is accurate to a few ulps (Goldberg's trick); u = 1 means log1p(x) = x to f32.
fn log1pSmall(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}

// σ(z) that never exponentiates a large positive number.
fn sigmoid1(z: f32) -> f32 {
  let e = exp(-abs(z));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), z >= 0.0);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  if (r >= params.R) { return; }
  if (paddedRow(r)) { return; }
  let o = r * params.C;
  var row = 0.0;
  for (var k = 0u; k < params.C; k++) {
    let z = logits[o + k];
    let y = targets[o + k];
    row += max(z, 0.0) - z * y + log1pSmall(exp(-abs(z)));
    dlogits[o + k] = params.scale * (sigmoid1(z) - y);
  }
  lossRows[r] = row;
}
