// rnn_layer_backward: all T timesteps of one plain RNN layer's backward pass in ONE dispatch,
// t = T−1 … 0. Twin: src/reference/rnnLayerBackward.ts (T steps of rnnStepBackward with the rows
// alive at t and the tail gradients folded in). Per step, rnn_step_backward.wgsl's math:
//   dh = dhAbove[t] (+ its tail slot) + Σ_r dg[t+1][b, r]·W_hh[r, j];  dg[t] = dh·act'(h[t+1])
//   (tanh: (1 − h)(1 + h); relu: [h > 0]); 0 for a dead row.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (lib/layerLoop.wgsl; the tail slots: lib/tailRows.wgsl). The
// recurrent sum runs in f32 in order r = 0…H−1 from 0, then dhAbove is added.
//
// dhAbove: [T+K, B, H]; h: [T+1+K, B, H] (reads slices 1…T); params: W_hh [H, H] at wOffset;
// dg: [T, B, H] written; lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
// #include lib/layerLoop.wgsl
// #include lib/rnnCell.wgsl
// #include lib/rows.wgsl
// #include lib/tailRows.wgsl
struct Params { B: u32, H: u32, T: u32, wOffset: u32, tailK: u32, relu: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
  let H = u.H;
  let BH = u.B * H;
  let T = u.T;
  let sp = rows4(t * BH, q0, end, H);          // [t][q0+r, 0]
  var dot = vec4f(0.0);
  if (t + 1u < T) {
    let np = sp + vec4u(BH);                   // dg[t+1][q0+r, 0]
    var w = u.wOffset + j;                     // W_hh[r, j]
    for (var r = 0u; r < H; r++) {
      dot += vec4f(dg[np.x + r], dg[np.y + r], dg[np.z + r], dg[np.w + r]) * params[w];
      w += H;
    }
  }
  var dh = vec4f(dhAbove[sp.x + j], dhAbove[sp.y + j], dhAbove[sp.z + j], dhAbove[sp.w + j]) + dot;
  let rows = tailRows4(t, q0, end);
  let live = rows.live;
  for (var r = 0u; r < 4u; r++) {
    if (rows.inTail[r]) { dh[r] += dhAbove[rows.tail[r] + j]; }
  }
  let np = sp + vec4u(BH);                     // h[t+1][q0+r, 0]
  let hv = vec4f(h[np.x + j], h[np.y + j], h[np.z + j], h[np.w + j]);
  let v = select(vec4f(0.0), dh * rnnSlope4(hv), live);
  for (var q = 0u; q < 4u; q++) {
    if (q0 + q >= end) { break; }
    dg[sp[q] + j] = v[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, true);
}
