// lstm_step_backward: timestep t of one LSTM layer, backward (t runs T−1 … 0, one dispatch each).
// Twin: src/reference/lstmStepBackward.ts (one [B, ·] slice of each buffer below).
//
//   dh = dhAbove[t, b, j] + Σ_r dgates[t+1, b, r] · W_hh[r, j]      (r < 4H; only when t+1 < T:
//        the recurrent term of step t+1, fused here instead of a matmul per step)
//   tc = tanh(c[t+1, b, j])
//   dc = dh · o · (1 − tc²) + dcCarry[t+1, b, j] (when t+1 < T) + dcAbove[t, b, j] (when hasDcAbove)
//   dgates[t, b, j]      = dc · g · i(1 − i)            d pre_i
//   dgates[t, b, H + j]  = dc · c[t, b, j] · f(1 − f)   d pre_f
//   dgates[t, b, 2H + j] = dc · i · (1 − g²)            d pre_g
//   dgates[t, b, 3H + j] = dh · tc · o(1 − o)           d pre_o
//   dcCarry[t, b, j]     = dc · f                        (carried to step t−1)
// with i, f, g, o = gates[t, b, {j, H+j, 2H+j, 3H+j}].
//
// dhAbove: [T, B, H]   gradient reaching h from the head or the layer above
// dcAbove: [T, B, H]   gradient reaching c from a head; read only when hasDcAbove = 1
// gates:   [T, B, 4H]  activated i, f, g, o of the forward pass
// c:       [T+1, B, H] cell states (slice 0 = initial); reads slices t and t+1
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// dgates:  [T, B, 4H]  pre-activation gradients; reads slice t+1 (when t+1 < T), writes slice t
// dcCarry: [T, B, H]   reads slice t+1 (when t+1 < T), writes slice t
// Nothing else is written.
//
// One invocation owns one (b, j). Flat index b·H + j over B·H, guarded; dispatch ceil(B·H / WG)
// workgroups. No workgroup memory and no barriers.
struct Params { B: u32, H: u32, t: u32, T: u32, wOffset: u32, hasDcAbove: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> dcAbove: array<f32>;
@group(0) @binding(3) var<storage, read> gates: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(7) var<storage, read_write> dcCarry: array<f32>;

override WG: u32 = 64;

// tanh(x) without overflow; the same function as in lstm_step_forward.wgsl (see there).
fn tanh_safe(x: f32) -> f32 {
  let a = abs(x);
  let e = exp(-2.0 * a);
  let big = (1.0 - e) / (1.0 + e);
  let a2 = a * a;
  let small = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0 + a2 * (62.0 / 2835.0)))));
  return sign(x) * select(big, small, a < 0.25);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let idx = gid.x;
  if (idx >= B * H) { return; }
  let b = idx / H;
  let j = idx % H;
  let G = 4u * H;
  let t = u.t;
  let BH = B * H;
  let s = t * BH + idx;               // [t, b, j] of a [T, B, H] buffer

  var dh = dhAbove[s];
  var dc = 0.0;
  if (t + 1u < u.T) {
    // Σ_r dgates[t+1, b, r] · W_hh[r, j], the four gate blocks as four running sums.
    let dn = (t + 1u) * B * G + b * G; // dgates[t+1, b, 0]
    let w0 = u.wOffset + j;            // W_hh[0, j]
    let wq = H * H;
    var a0 = 0.0;
    var a1 = 0.0;
    var a2 = 0.0;
    var a3 = 0.0;
    for (var k = 0u; k < H; k++) {
      let d = dn + k;
      let w = w0 + k * H;
      a0 += dgates[d] * params[w];
      a1 += dgates[d + H] * params[w + wq];
      a2 += dgates[d + 2u * H] * params[w + 2u * wq];
      a3 += dgates[d + 3u * H] * params[w + 3u * wq];
    }
    dh += (a0 + a1) + (a2 + a3);
    dc = dcCarry[s + BH];
  }

  let gp = t * B * G + b * G + j;     // gates[t, b, j] and dgates[t, b, j]
  let i = gates[gp];
  let f = gates[gp + H];
  let g = gates[gp + 2u * H];
  let o = gates[gp + 3u * H];
  let tc = tanh_safe(c[s + BH]);      // c[t+1, b, j]: c has T+1 slices
  dc += dh * o * (1.0 - tc * tc);
  if (u.hasDcAbove != 0u) {
    dc += dcAbove[s];
  }
  dgates[gp] = dc * g * i * (1.0 - i);
  dgates[gp + H] = dc * c[s] * f * (1.0 - f);
  dgates[gp + 2u * H] = dc * i * (1.0 - g * g);
  dgates[gp + 3u * H] = dh * tc * o * (1.0 - o);
  dcCarry[s] = dc * f;
}
