// rnn_step_forward: one timestep t of one plain (Elman) RNN layer, PyTorch's nn.RNN with
// nonlinearity tanh (relu = 0, cell rnn_tanh) or relu (relu = 1, cell rnn_relu).
// Twin: src/reference/rnnStepForward.ts.
//
//   h[t+1][b, j] = act(gx[t][b, j] + Σ_k h[t][b, k] · W_hh[j, k]),   act = tanh or max(·, 0)
// for the rows alive at t (t < lengths[b]); a dead row gets h[t+1] = 0. A live row at one of its
// last K steps also writes h into tail slot s = t − (lengths[b] − K) at element tailBase + s·B·H
// (slot K − 1 = its final state h_n; see lstm_step_forward.wgsl).
//
// gx:      [T, B, H]       input projection with b_ih + b_hh already added (read; slice t)
// params:  flat parameters, W_hh [H, H] row-major at element wOffset (read)
// h:       [T+1+K, B, H]   slice 0 = initial state (read slice t, write slice t+1 and tails)
// lengths: [B] i32         steps of each row, in [1, T]
//
// Register blocking: one invocation owns a 4 × 4 tile, batch rows b0 … b0+3 by columns j0 … j0+3
// (a vec4 over the columns per row). Each k of the dot product loads 4 values of W_hh (rows j0 …
// j0+3) and 4 of h (one per row) for 16 multiply-adds, where one (b, j) per invocation loads 2
// for 1 (on SwiftShader every storage load is a per-lane gather: loads set the time). Flat index
// over ceil(B/4)·ceil(H/4) tiles, column tiles fastest, guarded; dispatch ceil(tiles / WG)
// workgroups (src/webgpu/kernels/grids.ts). Rows past B and columns past H (ragged tiles) read row
// B−1 / column H−1 instead (always in bounds) and write nothing. No workgroup memory, no barriers.
// Each dot product is summed in f32 in order k = 0…H−1 from 0, then gx is added.
// #include lib/lengths.wgsl
// #include lib/rnnCell.wgsl
// #include lib/rows.wgsl
struct Params { B: u32, H: u32, t: u32, wOffset: u32, tailBase: u32, tailK: u32, relu: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// Row b of the tile: h[t+1][b, j0 + q] = act(gx + dot), columns < H only.
fn finishRnnForward(b: u32, j0: u32, jc: vec4u, dot: vec4f) {
  let H = u.H;
  let BH = u.B * H;
  let t = u.t;
  let s = t * BH + b * H;           // [t][b, 0]
  let len = rowLength(b);
  let pre = vec4f(gx[s + jc.x], gx[s + jc.y], gx[s + jc.z], gx[s + jc.w]) + dot;
  var v = rnnAct4(pre);
  if (t >= len) { v = vec4f(0.0); }
  let tail = u.tailBase + (t + u.tailK - len) * BH + b * H;
  for (var q = 0u; q < 4u; q++) {
    if (j0 + q >= H) { break; }
    h[s + BH + j0 + q] = v[q];
    if (t < len && t + u.tailK >= len) { h[tail + j0 + q] = v[q]; }
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
  let jc = clamp4(j0, H);                 // the tile's columns, clamped to H − 1
  let bc = clamp4(b0, B);                 // its rows 0…3, clamped to B − 1
  let hp = vec4u(u.t * B * H) + bc * H;        // h[t][b0+q, 0]
  let w = vec4u(u.wOffset) + jc * H;           // W_hh[j0+q, 0]
  var d0 = vec4f(0.0);
  var d1 = vec4f(0.0);
  var d2 = vec4f(0.0);
  var d3 = vec4f(0.0);
  for (var k = 0u; k < H; k++) {
    let wv = vec4f(params[w.x + k], params[w.y + k], params[w.z + k], params[w.w + k]);
    d0 += h[hp.x + k] * wv;
    d1 += h[hp.y + k] * wv;
    d2 += h[hp.z + k] * wv;
    d3 += h[hp.w + k] * wv;
  }
  finishRnnForward(b0, j0, jc, d0);
  if (b0 + 1u < B) { finishRnnForward(b0 + 1u, j0, jc, d1); }
  if (b0 + 2u < B) { finishRnnForward(b0 + 2u, j0, jc, d2); }
  if (b0 + 3u < B) { finishRnnForward(b0 + 3u, j0, jc, d3); }
}
