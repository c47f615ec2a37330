// rnn_step_backward: one timestep t of one tanh RNN layer, backward
// (twin: src/reference/rnnStepBackward.ts, called with h = slice t+1, the output of step t)
//
//   dh[b, j]    = dhAbove[t][b, j] + Σ_r dg[t+1][b, r] · W_hh[r, j]     (second term only if t+1 < T)
//   dg[t][b, j] = dh · (1 − h[t+1][b, j]²)                             (pre-activation gradient)
//
// dhAbove: [T, B, H]    gradient arriving from above (head or next layer) (read; slice t)
// h:       [T+1, B, H]  forward states; h[t+1] = tanh(pre-activation of step t) (read; slice t+1)
// params:  flat parameters, W_hh [H, H] row-major at element wOffset (read)
// dg:      [T, B, H]    read slice t+1 when t+1 < T, write slice t; nothing else
//
// One invocation owns one (b, j), flat index i = b·H + j < B·H; no workgroup memory, no barriers.
// The recurrent sum runs in f32 in order r = 0…H−1, starting from dhAbove. 1 − h² is formed as
// (1 − h)(1 + h): 1 − h is exact for h ∈ [½, 1], so a saturated unit keeps its relative accuracy.
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;

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
    let next = (t + 1u) * BH + b * H;   // dg[t+1][b, 0]
    let w = u.wOffset + j;              // W_hh[0, j]; column j has stride H
    for (var r = 0u; r < H; r++) {
      dh += dg[next + r] * params[w + r * H];
    }
  }
  let hv = h[(t + 1u) * BH + i];
  dg[t * BH + i] = dh * ((1.0 - hv) * (1.0 + hv));
}
