// gru_step_backward: one timestep t of one GRU layer, backward
// (twin: src/reference/gruStepBackward.ts, called with hPrev = h slice t)
//
//   dh = dhAbove[t] + Σ_q dgh[t+1][b, q] · W_hh[q, j] + dhCarry[t+1][b, j]   (q < 3H; the last two
//                                                                            terms only if t+1 < T)
//        + dhAbove[T + s][b, j] at the row's last K steps (tail slot s = t − (lengths[b] − K))
//   with (r, z, n, ghn) = gates[t][b, ·j], hPrev = h[t][b, j]:
//   dn = dh · (1 − z),  dz = dh · (hPrev − n)
//   dpre_n = dn · (1 − n²),  dpre_r = dpre_n · ghn · r(1 − r),  dpre_z = dz · z(1 − z)
//   dgx[t][b, (j, H+j, 2H+j)] = (dpre_r, dpre_z, dpre_n)        input-side pre-activations
//   dgh[t][b, (j, H+j, 2H+j)] = (dpre_r, dpre_z, dpre_n · r)    hidden-side W_hh·h + b_hh
//   dhCarry[t][b, j]          = dh · z                          direct path h[t] → h[t+1]
// for the rows alive at t (t < lengths[b]); a dead row gets dgx[t] = dgh[t] = dhCarry[t] = 0.
//
// dhAbove: [T+K, B, H]  gradient arriving from above (read; slice t, and tail slots from T)
// gates:   [T, B, 4H]   forward's (r, z, n, ghn) (read; slice t)
// h:       [T+1+K, B, H] forward states (read; slice t = hPrev)
// params:  flat parameters, W_hh [3H, H] row-major at wOffset (read)
// dgx:     [T, B, 3H]   write slice t
// dgh:     [T, B, 3H]   read slice t+1 when t+1 < T, write slice t
// dhCarry: [T, B, H]    read slice t+1 when t+1 < T, write slice t
// lengths: [B] i32      steps of each row, in [1, T]
//
// Register blocking: one invocation owns an 8 × 4 tile, batch rows b0 … b0+7 by columns
// j0 … j0+3 (a vec4 over the columns per row). Each step q of the recurrent sum loads 4 values of
// W_hh row q and 8 of dgh (one per row) for 32 multiply-adds, where one (b, j) per invocation
// loads 2 for 1 (on SwiftShader every storage load is a per-lane gather: loads set the time).
// Flat index over ceil(B/8)·ceil(H/4) tiles, column tiles fastest, guarded; dispatch
// ceil(tiles / WG) workgroups (src/webgpu/kernels/grids.ts). Rows past B and columns past H
// (ragged tiles) read row B−1 / column H−1 instead (always in bounds) and write nothing. No
// workgroup memory, no barriers. The recurrent sum runs in f32 in order q = 0…3H−1 from 0, then
// dhAbove and dhCarry are added.
// The gates' gradients from dh are lib/gruGrads.wgsl's, shared with gru_layer_backward (1 − n² is
// formed there as (1 − n)(1 + n), exact-ish for saturated n).
// #include lib/dhAbove.wgsl
// #include lib/gates.wgsl
// #include lib/gruGrads.wgsl
// #include lib/lengths.wgsl
// #include lib/rows.wgsl
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32, tailK: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<storage, read> h: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgh: array<f32>;
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>;
@group(0) @binding(8) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

// Four columns of one row of a read-only buffer: x[o + jc], jc the clamped columns.
fn hc(o: u32, jc: vec4u) -> vec4f { return vec4f(h[o + jc.x], h[o + jc.y], h[o + jc.z], h[o + jc.w]); }
fn carry(o: u32, jc: vec4u) -> vec4f { return vec4f(dhCarry[o + jc.x], dhCarry[o + jc.y], dhCarry[o + jc.z], dhCarry[o + jc.w]); }

// The pointwise part for row b of the tile (dot = its recurrent sum), columns < H written.
fn finishGruBackward(b: u32, j0: u32, jc: vec4u, dot: vec4f) {
  let B = u.B;
  let H = u.H;
  let BH = B * H;
  let t = u.t;
  let s = t * BH + b * H;              // [t][b, 0] of a [T, B, H] buffer
  let g3 = t * 3u * BH + b * 3u * H;   // dgx[t][b, 0], dgh[t][b, 0]
  let len = rowLength(b);
  if (t >= len) {
    for (var q = 0u; q < 4u; q++) {
      let j = j0 + q;
      if (j >= H) { break; }
      dgx[g3 + j] = 0.0;
      dgx[g3 + H + j] = 0.0;
      dgx[g3 + 2u * H + j] = 0.0;
      dgh[g3 + j] = 0.0;
      dgh[g3 + H + j] = 0.0;
      dgh[g3 + 2u * H + j] = 0.0;
      dhCarry[s + j] = 0.0;
    }
    return;
  }
  var dh = dhA(s, jc) + dot;
  if (t + u.tailK >= len) {
    dh += dhA((u.T + t + u.tailK - len) * BH + b * H, jc);
  }
  if (t + 1u < u.T) {
    dh += carry(s + BH, jc);
  }
  let g4 = t * 4u * BH + b * 4u * H;   // gates[t][b, 0]
  let r = gt(g4, jc);
  let z = gt(g4 + H, jc);
  let n = gt(g4 + 2u * H, jc);
  let ghn = gt(g4 + 3u * H, jc);
  let d = gruGrads4(dh, r, z, n, ghn, hc(s, jc));
  for (var q = 0u; q < 4u; q++) {
    let j = j0 + q;
    if (j >= H) { break; }
    dgx[g3 + j] = d.dpr[q];
    dgx[g3 + H + j] = d.dpz[q];
    dgx[g3 + 2u * H + j] = d.dpn[q];
    dgh[g3 + j] = d.dpr[q];
    dgh[g3 + H + j] = d.dpz[q];
    dgh[g3 + 2u * H + j] = d.dpnr[q];
    dhCarry[s + j] = d.carry[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let JT = (H + 3u) / 4u;              // column tiles
  let i = gid.x;
  if (i >= ((B + 7u) / 8u) * JT) { return; }
  let b0 = (i / JT) * 8u;
  let j0 = (i % JT) * 4u;
  let t = u.t;
  let G = 3u * H;
  let jc = clamp4(j0, H);                 // the tile's columns, clamped to H − 1
  let bc = clamp4(b0, B);                 // its rows 0…3, clamped to B − 1
  let bd = clamp4(b0 + 4u, B);            // rows 4…7
  // Σ_q dgh[t+1][b, q] · W_hh[q, j] for the 8 × 4 tile: row b's four columns in one vec4.
  var d0 = vec4f(0.0);
  var d1 = vec4f(0.0);
  var d2 = vec4f(0.0);
  var d3 = vec4f(0.0);
  var d4 = vec4f(0.0);
  var d5 = vec4f(0.0);
  var d6 = vec4f(0.0);
  var d7 = vec4f(0.0);
  if (t + 1u < u.T) {
    let dn = vec4u((t + 1u) * B * G) + bc * G;   // dgh[t+1][b0+r, 0]
    let dm = vec4u((t + 1u) * B * G) + bd * G;
    var w = u.wOffset;                           // W_hh[q, 0]
    for (var q = 0u; q < G; q++) {
      let wv = vec4f(params[w + jc.x], params[w + jc.y], params[w + jc.z], params[w + jc.w]);
      d0 += dgh[dn.x + q] * wv;
      d1 += dgh[dn.y + q] * wv;
      d2 += dgh[dn.z + q] * wv;
      d3 += dgh[dn.w + q] * wv;
      d4 += dgh[dm.x + q] * wv;
      d5 += dgh[dm.y + q] * wv;
      d6 += dgh[dm.z + q] * wv;
      d7 += dgh[dm.w + q] * wv;
      w += H;
    }
  }
  finishGruBackward(b0, j0, jc, d0);
  if (b0 + 1u < B) { finishGruBackward(b0 + 1u, j0, jc, d1); }
  if (b0 + 2u < B) { finishGruBackward(b0 + 2u, j0, jc, d2); }
  if (b0 + 3u < B) { finishGruBackward(b0 + 3u, j0, jc, d3); }
  if (b0 + 4u < B) { finishGruBackward(b0 + 4u, j0, jc, d4); }
  if (b0 + 5u < B) { finishGruBackward(b0 + 5u, j0, jc, d5); }
  if (b0 + 6u < B) { finishGruBackward(b0 + 6u, j0, jc, d6); }
  if (b0 + 7u < B) { finishGruBackward(b0 + 7u, j0, jc, d7); }
}
