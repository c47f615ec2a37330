// rnn_layer_forward: all T timesteps of one plain RNN layer (tanh, or relu when relu = 1) in ONE
// dispatch. Twin: src/reference/rnnLayerForward.ts (T steps of rnnStepForward with the rows alive
// at t, plus the tail copies). Per step, rnn_step_forward.wgsl's math:
//   h[t+1][b, j] = act(gx[t][b, j] + Σ_k h[t][b, k]·W_hh[j, k]); 0 for a dead row; tails as LSTM.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (lib/layerLoop.wgsl). The dot product is summed in f32 in
// order k = 0…H−1 from 0, then gx is added, as the step kernel.
//
// gx: [T, B, H]; params: W_hh [H, H] at wOffset; h: [T+1+K, B, H] (slice 0 initial; writes 1…T and
// the tail); lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
// #include lib/layerLoop.wgsl
// #include lib/lengths.wgsl
// #include lib/rnnCell.wgsl
// #include lib/rows.wgsl
// #include lib/states.wgsl
struct Params { B: u32, H: u32, T: u32, wOffset: u32, tailBase: u32, tailK: u32, relu: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
  let H = u.H;
  let BH = u.B * H;
  let hp = rows4(t * BH, q0, end, H);          // h[t][q0+r, 0]
  var dot = vec4f(0.0);
  let w = u.wOffset + j * H;
  for (var k = 0u; k < H; k++) {
    dot += h4(hp + k) * params[w + k];
  }
  let pre = gx4(hp + j) + dot;                 // gx has the layout of h's slices 0…T−1
  let v = rnnAct4(pre);
  for (var q = 0u; q < 4u; q++) {
    let b = q0 + q;
    if (b >= end) { break; }
    let len = rowLength(b);
    let o = (t + 1u) * BH + b * H + j;
    if (t >= len) {
      h[o] = 0.0;
      continue;
    }
    h[o] = v[q];
    if (t + u.tailK >= len) { h[u.tailBase + (t + u.tailK - len) * BH + b * H + j] = v[q]; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, false);
}
