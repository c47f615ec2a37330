// lstm_step_backward: timestep t of one LSTM layer, backward (t runs T−1 … 0, one dispatch each).
// Twin: src/reference/lstmStepBackward.ts (one [B, ·] slice of each buffer below).
//
//   dh = dhAbove[t, b, j] + Σ_r dgates[t+1, b, r] · W_hh[r, j]      (r < 4H; only when t+1 < T:
//        the recurrent term of step t+1, fused here instead of a matmul per step)
//        + dhAbove[T + s, b, j] at the row's last K steps (tail slot s = t − (lengths[b] − K): the
//        gradient of what a head of outputs 'last' read there, see lstm_step_forward)
//   tc = tanh(c[t+1, b, j])
//   dc = dh · o · (1 − tc²) + dcCarry[t+1, b, j] (when t+1 < T) + dcAbove[t, b, j] (when hasDcAbove,
//        and its tail slot likewise)
//   dgates[t, b, j]      = dc · g · i(1 − i)            d pre_i
//   dgates[t, b, H + j]  = dc · c[t, b, j] · f(1 − f)   d pre_f
//   dgates[t, b, 2H + j] = dc · i · (1 − g²)            d pre_g
//   dgates[t, b, 3H + j] = dh · tc · o(1 − o)           d pre_o
//   dcCarry[t, b, j]     = dc · f                        (carried to step t−1)
// with i, f, g, o = gates[t, b, {j, H+j, 2H+j, 3H+j}], for the rows alive at t (t < lengths[b]);
// a dead row gets dgates[t] = dcCarry[t] = 0, so no gradient flows through padded steps (and the
// step before a row's end sees zero recurrent and carried terms, as it should).
//
// dhAbove: [T+K, B, H] gradient reaching h from the head or the layer above (slices T… : tails)
// dcAbove: [T+K, B, H] gradient reaching c from a head; read only when hasDcAbove = 1
// gates:   [T, B, 4H]  activated i, f, g, o of the forward pass
// c:       [T+1, B, H] cell states (slice 0 = initial); reads slices t and t+1
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// dgates:  [T, B, 4H]  pre-activation gradients; reads slice t+1 (when t+1 < T), writes slice t
// dcCarry: [T, B, H]   reads slice t+1 (when t+1 < T), writes slice t
// lengths: [B] i32     steps of each row, in [1, T]
// Nothing else is written.
//
// Register blocking: one invocation owns an 8 × 4 tile, batch rows b0 … b0+7 by columns
// j0 … j0+3 (a vec4 over the columns per row). Each step r of the dot product loads 4 values of
// W_hh row r and 8 of dgates (one per row) for 32 multiply-adds, where one (b, j) per invocation
// loads 2 for 1 (on SwiftShader every storage load is a per-lane gather: loads set the time;
// 8 × 4 measured fastest of 4 × 4, 8 × 4 and 8 × 8 at B 64, H 128 and 256). The sum over r runs in
// f32 in order r = 0…4H−1 from 0, then dhAbove is added. The gates' gradients from dh and dc are
// lib/lstmGrads.wgsl's, shared with lstm_layer_backward.
// Flat index over ceil(B/8)·ceil(H/4) tiles, column tiles fastest, guarded; dispatch
// ceil(tiles / WG) workgroups (src/webgpu/kernels/grids.ts). Rows past B and columns past H
// (ragged tiles) read row B−1 / column H−1 instead (always in bounds) and write nothing. No
// workgroup memory, no barriers: a thread owns its outputs.
// #include lib/activations.wgsl
// #include lib/dhAbove.wgsl
// #include lib/gates.wgsl
// #include lib/lengths.wgsl
// #include lib/lstmGrads.wgsl
// #include lib/rows.wgsl
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32, hasDcAbove: u32, tailK: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> dcAbove: array<f32>;
@group(0) @binding(3) var<storage, read> gates: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(7) var<storage, read_write> dcCarry: array<f32>;
@group(0) @binding(8) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// Four columns of one row of a read-only buffer: x[o + jc], jc the clamped columns.
fn dcA(o: u32, jc: vec4u) -> vec4f { return vec4f(dcAbove[o + jc.x], dcAbove[o + jc.y], dcAbove[o + jc.z], dcAbove[o + jc.w]); }
fn cc(o: u32, jc: vec4u) -> vec4f { return vec4f(c[o + jc.x], c[o + jc.y], c[o + jc.z], c[o + jc.w]); }
fn dcC(o: u32, jc: vec4u) -> vec4f { return vec4f(dcCarry[o + jc.x], dcCarry[o + jc.y], dcCarry[o + jc.z], dcCarry[o + jc.w]); }

// The pointwise part for one row b of the tile: dh (dot product included) → dgates, dcCarry.
fn finishLstmBackward(b: u32, j0: u32, jc: vec4u, dhDot: vec4f) {
  let B = u.B;
  let H = u.H;
  let G = 4u * H;
  let t = u.t;
  let BH = B * H;
  let s = t * BH + b * H;             // [t, b, 0] of a [T, B, H] buffer
  let gp = t * B * G + b * G;         // gates[t, b, 0] and dgates[t, b, 0]
  let len = rowLength(b);
  if (t >= len) {
    for (var q = 0u; q < 4u; q++) {
      let j = j0 + q;
      if (j >= H) { break; }
      dgates[gp + j] = 0.0;
      dgates[gp + H + j] = 0.0;
      dgates[gp + 2u * H + j] = 0.0;
      dgates[gp + 3u * H + j] = 0.0;
      dcCarry[s + j] = 0.0;
    }
    return;
  }
  var dh = dhA(s, jc) + dhDot;
  let inTail = t + u.tailK >= len;
  let tail = (u.T + t + u.tailK - len) * BH + b * H;   // [T + s, b, 0], used only when inTail
  if (inTail) {
    dh += dhA(tail, jc);
  }
  var dc = vec4f(0.0);
  if (t + 1u < u.T) {
    dc = dcC(s + BH, jc);
  }
  let i = gt(gp, jc);
  let f = gt(gp + H, jc);
  let g = gt(gp + 2u * H, jc);
  let o = gt(gp + 3u * H, jc);
  let tc = tanh4(cc(s + BH, jc));     // c[t+1, b, ·]: c has T+1 slices
  dc += dh * o * (1.0 - tc * tc);
  if (u.hasDcAbove != 0u) {
    dc += dcA(s, jc);
    if (inTail) {
      dc += dcA(tail, jc);
    }
  }
  let d = lstmGrads4(dh, dc, tc, cc(s, jc), i, f, g, o);
  for (var q = 0u; q < 4u; q++) {
    let j = j0 + q;
    if (j >= H) { break; }
    dgates[gp + j] = d.di[q];
    dgates[gp + H + j] = d.df[q];
    dgates[gp + 2u * H + j] = d.dg[q];
    dgates[gp + 3u * H + j] = d.do_[q];
    dcCarry[s + j] = d.carry[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let JT = (H + 3u) / 4u;             // column tiles
  let idx = gid.x;
  if (idx >= ((B + 7u) / 8u) * JT) { return; }
  let b0 = (idx / JT) * 8u;
  let j0 = (idx % JT) * 4u;
  let G = 4u * H;
  let t = u.t;
  let jc = clamp4(j0, H);                 // the tile's columns, clamped to H − 1
  let bc = clamp4(b0, B);                 // its rows 0…3, clamped to B − 1
  let bd = clamp4(b0 + 4u, B);            // rows 4…7

  // Σ_r dgates[t+1, b, r] · W_hh[r, j] for the 8 × 4 tile: row b's four columns in one vec4.
  var d0 = vec4f(0.0);
  var d1 = vec4f(0.0);
  var d2 = vec4f(0.0);
  var d3 = vec4f(0.0);
  var d4 = vec4f(0.0);
  var d5 = vec4f(0.0);
  var d6 = vec4f(0.0);
  var d7 = vec4f(0.0);
  if (t + 1u < u.T) {
    let dn = vec4u((t + 1u) * B * G) + bc * G;   // dgates[t+1, b0+q, 0]
    let dm = vec4u((t + 1u) * B * G) + bd * G;
    var w = u.wOffset;                           // W_hh[r, 0]
    for (var r = 0u; r < G; r++) {
      let wv = vec4f(params[w + jc.x], params[w + jc.y], params[w + jc.z], params[w + jc.w]);
      d0 += dgates[dn.x + r] * wv;
      d1 += dgates[dn.y + r] * wv;
      d2 += dgates[dn.z + r] * wv;
      d3 += dgates[dn.w + r] * wv;
      d4 += dgates[dm.x + r] * wv;
      d5 += dgates[dm.y + r] * wv;
      d6 += dgates[dm.z + r] * wv;
      d7 += dgates[dm.w + r] * wv;
      w += H;
    }
  }
  finishLstmBackward(b0, j0, jc, d0);
  if (b0 + 1u < B) { finishLstmBackward(b0 + 1u, j0, jc, d1); }
  if (b0 + 2u < B) { finishLstmBackward(b0 + 2u, j0, jc, d2); }
  if (b0 + 3u < B) { finishLstmBackward(b0 + 3u, j0, jc, d3); }
  if (b0 + 4u < B) { finishLstmBackward(b0 + 4u, j0, jc, d4); }
  if (b0 + 5u < B) { finishLstmBackward(b0 + 5u, j0, jc, d5); }
  if (b0 + 6u < B) { finishLstmBackward(b0 + 6u, j0, jc, d6); }
  if (b0 + 7u < B) { finishLstmBackward(b0 + 7u, j0, jc, d7); }
}
