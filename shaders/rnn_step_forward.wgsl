// rnn_step_forward: one timestep t of one tanh RNN layer   (twin: src/reference/rnnStepForward.ts)
//
//   h[t+1][b, j] = tanh(gx[t][b, j] + Σ_k h[t][b, k] · W_hh[j, k])
//
// gx:     [T, B, H]    input projection with b_ih + b_hh already added (read; slice t)
// params: flat parameters, W_hh [H, H] row-major at element wOffset (read)
// h:      [T+1, B, H]  slice 0 = initial state (read slice t, write slice t+1; nothing else)
//
// One invocation owns one (b, j), flat index i = b·H + j < B·H; no workgroup memory, no barriers.
// The H products are summed in f32 in order k = 0…H−1, starting from gx.
struct Params { B: u32, H: u32, t: u32, wOffset: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;

override WG: u32 = 64;

// tanh that is finite for every finite x and accurate to a few ulp (measured ≤ 6.4·2⁻²⁴ relative
// on SwiftShader). The builtin returns NaN there for |x| ≥ 89 (its exp overflows) and loses all
// relative accuracy near 0. Odd Taylor polynomial to x⁹ below 1/4 (next term < 1e-8 relative),
// else (1 − e)/(1 + e) with e = exp(−2|x|) ∈ [0, 1), which cannot overflow.
fn tanh_safe(x: f32) -> f32 {
  let a = abs(x);
  let a2 = a * a;
  let p = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0 + a2 * (62.0 / 2835.0)))));
  let e = exp(-2.0 * a);
  let q = (1.0 - e) / (1.0 + e);
  return sign(x) * select(q, p, a < 0.25);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let i = gid.x;
  if (i >= B * H) { return; }
  let b = i / H;
  let j = i % H;
  let BH = B * H;
  let hPrev = u.t * BH + b * H;   // h[t][b, 0]
  let w = u.wOffset + j * H;      // W_hh[j, 0]
  var s = gx[u.t * BH + i];
  for (var k = 0u; k < H; k++) {
    s += h[hPrev + k] * params[w + k];
  }
  h[(u.t + 1u) * BH + i] = tanh_safe(s);
}
