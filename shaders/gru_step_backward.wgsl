// gru_step_backward: one timestep t of one GRU layer, backward
// (twin: src/reference/gruStepBackward.ts, called with hPrev = h slice t)
//
//   dh = dhAbove[t] + Σ_q dgh[t+1][b, q] · W_hh[q, j] + dhCarry[t+1][b, j]   (q < 3H; the last two
//                                                                            terms only if t+1 < T)
//   with (r, z, n, ghn) = gates[t][b, ·j], hPrev = h[t][b, j]:
//   dn = dh · (1 − z),  dz = dh · (hPrev − n)
//   dpre_n = dn · (1 − n²),  dpre_r = dpre_n · ghn · r(1 − r),  dpre_z = dz · z(1 − z)
//   dgx[t][b, (j, H+j, 2H+j)] = (dpre_r, dpre_z, dpre_n)        input-side pre-activations
//   dgh[t][b, (j, H+j, 2H+j)] = (dpre_r, dpre_z, dpre_n · r)    hidden-side W_hh·h + b_hh
//   dhCarry[t][b, j]          = dh · z                          direct path h[t] → h[t+1]
//
// dhAbove: [T, B, H]    gradient arriving from above (read; slice t)
// gates:   [T, B, 4H]   forward's (r, z, n, ghn) (read; slice t)
// h:       [T+1, B, H]  forward states (read; slice t = hPrev)
// params:  flat parameters, W_hh [3H, H] row-major at wOffset (read)
// dgx:     [T, B, 3H]   write slice t
// dgh:     [T, B, 3H]   read slice t+1 when t+1 < T, write slice t
// dhCarry: [T, B, H]    read slice t+1 when t+1 < T, write slice t
//
// One invocation owns one (b, j), flat index i = b·H + j < B·H; no workgroup memory, no barriers.
// The recurrent sum runs in f32 in order q = 0…3H−1 from dhAbove, then dhCarry is added.
// 1 − n² is formed as (1 − n)(1 + n), exact-ish for saturated n (1 − n is exact for n ∈ [½, 1]).
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<storage, read> h: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgh: array<f32>;
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let i = gid.x;
  if (i >= B * H) { return; }
  let b = i / H;
  let j = i % H;
  let BH = B * H;
  let t = u.t;
  var dh = dhAbove[t * BH + i];
  if (t + 1u < u.T) {
    let next = (t + 1u) * 3u * BH + b * 3u * H;   // dgh[t+1][b, 0]
    let w = u.wOffset + j;                         // W_hh[0, j]; column j has stride H
    for (var q = 0u; q < 3u * H; q++) {
      dh += dgh[next + q] * params[w + q * H];
    }
    dh += dhCarry[(t + 1u) * BH + i];
  }
  let g4 = t * 4u * BH + b * 4u * H;   // gates[t][b, 0]
  let r = gates[g4 + j];
  let z = gates[g4 + H + j];
  let n = gates[g4 + 2u * H + j];
  let ghn = gates[g4 + 3u * H + j];
  let hPrev = h[t * BH + i];
  let dn = dh * (1.0 - z);
  let dz = dh * (hPrev - n);
  let dpn = dn * ((1.0 - n) * (1.0 + n));
  let dpr = dpn * ghn * (r * (1.0 - r));
  let dpz = dz * (z * (1.0 - z));
  let g3 = t * 3u * BH + b * 3u * H;   // dgx[t][b, 0], dgh[t][b, 0]
  dgx[g3 + j] = dpr;
  dgx[g3 + H + j] = dpz;
  dgx[g3 + 2u * H + j] = dpn;
  dgh[g3 + j] = dpr;
  dgh[g3 + H + j] = dpz;
  dgh[g3 + 2u * H + j] = dpn * r;
  dhCarry[t * BH + i] = dh * z;
}
