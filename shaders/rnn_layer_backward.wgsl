// rnn_layer_backward: all T timesteps of one plain RNN layer's backward pass in ONE dispatch,
// t = T−1 … 0. Twin: src/reference/rnnLayerBackward.ts (T steps of rnnStepBackward with the rows
// alive at t and the tail gradients folded in). Per step, rnn_step_backward.wgsl's math:
//   dh = dhAbove[t] (+ its tail slot) + Σ_r dg[t+1][b, r]·W_hh[r, j];  dg[t] = dh·act'(h[t+1])
//   (tanh: (1 − h)(1 + h); relu: [h > 0]); 0 for a dead row.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (see lstm_layer_forward.wgsl). The recurrent sum runs in f32 in
// order r = 0…H−1 from 0, then dhAbove is added.
//
// dhAbove: [T+K, B, H]; h: [T+1+K, B, H] (reads slices 1…T); params: W_hh [H, H] at wOffset;
// dg: [T, B, H] written; lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
struct Params { B: u32, H: u32, T: u32, wOffset: u32, tailK: u32, relu: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Element offsets of rows b0 … b0+3 in a [·, B, n] slice starting at base; rows ≥ B read row B−1.
fn rows4(base: u32, b0: u32, B: u32, n: u32) -> vec4u {
  let last = B - 1u;
  return vec4u(base) + vec4u(min(b0, last), min(b0 + 1u, last), min(b0 + 2u, last), min(b0 + 3u, last)) * n;
}

// Steps row b runs (lengths are checked on the host to lie in [1, T]; a negative one runs none).
fn rowLength(b: u32) -> u32 {
  return u32(max(lengths[b], 0));
}

// Step t of rows q0 … q0+3 (those < end) and column j.
fn stepRnnBackward(t: u32, q0: u32, end: u32, j: u32) {
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
  var live = vec4<bool>(false);
  for (var r = 0u; r < 4u; r++) {
    let b = min(q0 + r, end - 1u);
    let len = rowLength(b);
    live[r] = t < len && q0 + r < end;
    if (t < len && t + u.tailK >= len) { dh[r] += dhAbove[(T + t + u.tailK - len) * BH + b * H + j]; }
  }
  let np = sp + vec4u(BH);                     // h[t+1][q0+r, 0]
  let hv = vec4f(h[np.x + j], h[np.y + j], h[np.z + j], h[np.w + j]);
  let slope = select((1.0 - hv) * (1.0 + hv), select(vec4f(0.0), vec4f(1.0), hv > vec4f(0.0)), u.relu != 0u);
  let v = select(vec4f(0.0), dh * slope, live);
  for (var q = 0u; q < 4u; q++) {
    if (q0 + q >= end) { break; }
    dg[sp[q] + j] = v[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b0 = wid.x * u.R;
  let end = min(b0 + u.R, u.B);                // the slice is rows b0 … end−1
  if (b0 >= u.B) { return; }                    // a workgroup past the batch (over-dispatch) has no rows
  let quads = (end - b0 + 3u) / 4u;
  let items = quads * u.H;
  for (var s = 0u; s < u.T; s++) {
    let t = u.T - 1u - s;
    for (var it = lid.x; it < items; it += WG) {
      stepRnnBackward(t, b0 + (it / u.H) * 4u, end, it % u.H);
    }
    storageBarrier();
  }
}
