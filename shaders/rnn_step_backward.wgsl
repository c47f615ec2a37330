// rnn_step_backward: one timestep t of one plain RNN layer (tanh or relu), backward
// (twin: src/reference/rnnStepBackward.ts, called with h = slice t+1, the output of step t)
//
//   dh[b, j]    = dhAbove[t][b, j] + Σ_r dg[t+1][b, r] · W_hh[r, j]     (second term only if t+1 < T)
//                 + dhAbove[T + s][b, j] at the row's last K steps (tail slot s = t − (lengths[b] − K))
//   dg[t][b, j] = dh · act'(h[t+1][b, j])     tanh: 1 − h², formed as (1 − h)(1 + h) (1 − h is exact
//                                             for h ∈ [½, 1]); relu: 1 where h > 0, else 0
// for the rows alive at t (t < lengths[b]); a dead row gets dg[t] = 0.
//
// dhAbove: [T+K, B, H]  gradient arriving from above (head or next layer; slices T… : tails)
// h:       [T+1+K, B, H] forward states; h[t+1] = act(pre-activation of step t) (read; slice t+1)
// params:  flat parameters, W_hh [H, H] row-major at element wOffset (read)
// dg:      [T, B, H]    read slice t+1 when t+1 < T, write slice t; nothing else
// lengths: [B] i32      steps of each row, in [1, T]
//
// Register blocking: one invocation owns a 4 × 4 tile, batch rows b0 … b0+3 by columns j0 … j0+3
// (a vec4 over the columns per row). Each r of the dot product loads 4 values of W_hh row r and 4
// of dg (one per row) for 16 multiply-adds, where one (b, j) per invocation loads 2 for 1. Flat
// index over ceil(B/4)·ceil(H/4) tiles, column tiles fastest, guarded; dispatch ceil(tiles / WG)
// workgroups (src/webgpu/kernels/grids.ts). Rows past B and columns past H (ragged tiles) read
// row B−1 / column H−1 instead (always in bounds) and write nothing. No workgroup memory, no
// barriers. The recurrent sum runs in f32 in order r = 0…H−1 from 0, then dhAbove is added.
// #include lib/dhAbove.wgsl
// #include lib/lengths.wgsl
// #include lib/rnnCell.wgsl
// #include lib/rows.wgsl
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32, tailK: u32, relu: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// Row b of the tile: dg[t][b, j0 + q] = (dhAbove + dot) · act'(h), columns < H only.
fn finishRnnBackward(b: u32, j0: u32, jc: vec4u, dot: vec4f) {
  let H = u.H;
  let BH = u.B * H;
  let t = u.t;
  let s = t * BH + b * H;           // [t][b, 0]
  let len = rowLength(b);
  var dh = dhA(s, jc) + dot;
  if (t < len && t + u.tailK >= len) {
    dh += dhA((u.T + t + u.tailK - len) * BH + b * H, jc);
  }
  let n = s + BH;                   // h[t+1][b, 0]
  let hv = vec4f(h[n + jc.x], h[n + jc.y], h[n + jc.z], h[n + jc.w]);
  var v = dh * rnnSlope4(hv);
  if (t >= len) { v = vec4f(0.0); }
  for (var q = 0u; q < 4u; q++) {
    if (j0 + q >= H) { break; }
    dg[s + j0 + q] = v[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let JT = (H + 3u) / 4u;             // column tiles
  let i = gid.x;
  if (i >= ((B + 3u) / 4u) * JT) { return; }
  let b0 = (i / JT) * 4u;
  let j0 = (i % JT) * 4u;
  let t = u.t;
  let jc = clamp4(j0, H);                 // the tile's columns, clamped to H − 1
  let bc = clamp4(b0, B);                 // its rows 0…3, clamped to B − 1
  var d0 = vec4f(0.0);
  var d1 = vec4f(0.0);
  var d2 = vec4f(0.0);
  var d3 = vec4f(0.0);
  if (t + 1u < u.T) {
    let next = vec4u((t + 1u) * B * H) + bc * H;   // dg[t+1][b0+q, 0]
    var w = u.wOffset;                             // W_hh[r, 0]
    for (var r = 0u; r < H; r++) {
      let wv = vec4f(params[w + jc.x], params[w + jc.y], params[w + jc.z], params[w + jc.w]);
      d0 += dg[next.x + r] * wv;
      d1 += dg[next.y + r] * wv;
      d2 += dg[next.z + r] * wv;
      d3 += dg[next.w + r] * wv;
      w += H;
    }
  }
  finishRnnBackward(b0, j0, jc, d0);
  if (b0 + 1u < B) { finishRnnBackward(b0 + 1u, j0, jc, d1); }
  if (b0 + 2u < B) { finishRnnBackward(b0 + 2u, j0, jc, d2); }
  if (b0 + 3u < B) { finishRnnBackward(b0 + 3u, j0, jc, d3); }
}
