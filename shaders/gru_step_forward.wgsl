// gru_step_forward: one timestep t of one GRU layer, PyTorch's equations
// (twin: src/reference/gruStepForward.ts)
//
//   gh_q[b, j] = Σ_k h[t][b, k] · W_hh[qH + j, k]          q = 0, 1, 2: rows r, z, n
//   r   = σ(gx[t][b, j] + gh_0),  z = σ(gx[t][b, H + j] + gh_1)
//   ghn = gh_2 + b_hn[j],         n = tanh(gx[t][b, 2H + j] + r · ghn)
//   h[t+1][b, j] = (1 − z) · n + z · h[t][b, j]
//
// gx:     [T, B, 3H]   input projection with b_ih and b_hr, b_hz folded in (read; slice t)
// params: flat parameters, W_hh [3H, H] row-major at wOffset, b_hn [H] at bhnOffset (read)
// h:      [T+1, B, H]  slice 0 = initial state (read slice t, write slice t+1; nothing else)
// gates:  [T, B, 4H]   write slice t: (r, z, n, ghn), what backward needs
//
// One invocation owns one (b, j) and its three gate rows, flat index i = b·H + j < B·H; no
// workgroup memory, no barriers. Each of the three sums runs in f32 in order k = 0…H−1 from 0.
struct Params { B: u32, H: u32, t: u32, wOffset: u32, bhnOffset: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;

override WG: u32 = 64;

// σ(x) exponentiating only −|x|, so exp never overflows: e/(1 + e) for x < 0, 1/(1 + e) else.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

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
  let t = u.t;
  let hPrev = t * BH + b * H;        // h[t][b, 0]
  let wr = u.wOffset + j * H;        // W_hh[j, 0]
  let wz = wr + H * H;               // W_hh[H + j, 0]
  let wn = wz + H * H;               // W_hh[2H + j, 0]
  var ghr = 0.0;
  var ghz = 0.0;
  var ghn = 0.0;
  for (var k = 0u; k < H; k++) {
    let hk = h[hPrev + k];
    ghr += hk * params[wr + k];
    ghz += hk * params[wz + k];
    ghn += hk * params[wn + k];
  }
  let g3 = t * 3u * BH + b * 3u * H;  // gx[t][b, 0]
  let r = sigmoid(gx[g3 + j] + ghr);
  let z = sigmoid(gx[g3 + H + j] + ghz);
  ghn += params[u.bhnOffset + j];
  let n = tanh_safe(gx[g3 + 2u * H + j] + r * ghn);
  h[(t + 1u) * BH + i] = (1.0 - z) * n + z * h[hPrev + j];
  let g4 = t * 4u * BH + b * 4u * H;  // gates[t][b, 0]
  gates[g4 + j] = r;
  gates[g4 + H + j] = z;
  gates[g4 + 2u * H + j] = n;
  gates[g4 + 3u * H + j] = ghn;
}
