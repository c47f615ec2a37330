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
struct Params { B: u32, H: u32, t: u32, wOffset: u32, tailBase: u32, tailK: u32, relu: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// tanh(x) without overflow, per lane. WGSL's tanh returns NaN for |x| ≥ 89 on SwiftShader
// (measured: it forms exp(2x)), so: tanh|x| = (1 − e) / (1 + e) with e = exp(−2|x|) ∈ (0, 1]; for
// |x| < 1/4, where 1 − e cancels, the odd Taylor series to x⁹ (truncation < 1e-8 relative).
fn tanh4(x: vec4f) -> vec4f {
  let a = abs(x);
  let e = exp(-2.0 * a);
  let big = (1.0 - e) / (1.0 + e);
  let a2 = a * a;
  let small = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0 + a2 * (62.0 / 2835.0)))));
  return sign(x) * select(big, small, a < vec4f(0.25));
}

// Steps row b runs (lengths are checked on the host to lie in [1, T]; a negative one runs none).
fn rowLength(b: u32) -> u32 {
  return u32(max(lengths[b], 0));
}

// Row b of the tile: h[t+1][b, j0 + q] = act(gx + dot), columns < H only.
fn finishRnnForward(b: u32, j0: u32, jc: vec4u, dot: vec4f) {
  let H = u.H;
  let BH = u.B * H;
  let t = u.t;
  let s = t * BH + b * H;           // [t][b, 0]
  let len = rowLength(b);
  let pre = vec4f(gx[s + jc.x], gx[s + jc.y], gx[s + jc.z], gx[s + jc.w]) + dot;
  var v = select(tanh4(pre), max(pre, vec4f(0.0)), u.relu != 0u);
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
  let lastB = B - 1u;
  let lastJ = H - 1u;
  let jc = vec4u(min(j0, lastJ), min(j0 + 1u, lastJ), min(j0 + 2u, lastJ), min(j0 + 3u, lastJ));
  let bc = vec4u(min(b0, lastB), min(b0 + 1u, lastB), min(b0 + 2u, lastB), min(b0 + 3u, lastB));
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
