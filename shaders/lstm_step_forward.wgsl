// lstm_step_forward: timestep t of one LSTM layer, gates in the order i, f, g, o.
// Twin: src/reference/lstmStepForward.ts (one [B, ·] slice of each buffer below).
//
//   pre_q = gx[t, b, qH + j] + Σ_k h[t, b, k] · W_hh[qH + j, k]          q = 0 (i), 1 (f), 2 (g), 3 (o)
//   i = σ(pre_0), f = σ(pre_1), g = tanh(pre_2), o = σ(pre_3)
//   c[t+1, b, j] = f · c[t, b, j] + i · g
//   h[t+1, b, j] = o · tanh(c[t+1, b, j])
//   gates[t, b, qH + j] = i, f, g, o (activated, kept for backward)
//
// gx:     [T, B, 4H]   input projection of every step, both biases folded in
// params: flat parameters; W_hh [4H, H] row-major at element wOffset
// h, c:   [T+1, B, H]  slice 0 is the initial state; reads slice t, writes slice t+1
// gates:  [T, B, 4H]   writes slice t
// Nothing else is written.
//
// One invocation owns one (b, j): its four dot products share each load of h[t, b, k], and the
// pointwise math never leaves registers. Flat index b·H + j over B·H, guarded; dispatch
// ceil(B·H / WG) workgroups. No workgroup memory and no barriers (cheaper on SwiftShader, and a
// thread owns its output).
struct Params { B: u32, H: u32, t: u32, wOffset: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read_write> gates: array<f32>;

override WG: u32 = 64;

// σ(x) without overflow: exp only ever sees −|x| ≤ 0, so it lies in (0, 1].
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= 0.0);
}

// tanh(x) without overflow. WGSL's tanh returns NaN for |x| ≥ 89 on SwiftShader (measured: it
// forms exp(2x)), so: tanh|x| = (1 − e) / (1 + e) with e = exp(−2|x|) ∈ (0, 1]; for |x| < 1/4,
// where 1 − e cancels, the odd Taylor series to x⁹ (truncation < 1e-8 relative).
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

  let hp = t * B * H + b * H;         // h[t, b, 0]
  let gp = t * B * G + b * G + j;     // gx[t, b, j] and gates[t, b, j]
  let w0 = u.wOffset + j * H;         // W_hh[j, 0]
  let wq = H * H;                     // from row qH + j to row (q+1)H + j
  var p0 = gx[gp];
  var p1 = gx[gp + H];
  var p2 = gx[gp + 2u * H];
  var p3 = gx[gp + 3u * H];
  for (var k = 0u; k < H; k++) {
    let hk = h[hp + k];
    let w = w0 + k;
    p0 += hk * params[w];
    p1 += hk * params[w + wq];
    p2 += hk * params[w + 2u * wq];
    p3 += hk * params[w + 3u * wq];
  }

  let i = sigmoid(p0);
  let f = sigmoid(p1);
  let g = tanh_safe(p2);
  let o = sigmoid(p3);
  let cn = f * c[hp + j] + i * g;
  let next = hp + B * H + j;          // [t+1, b, j]
  c[next] = cn;
  h[next] = o * tanh_safe(cn);
  gates[gp] = i;
  gates[gp + H] = f;
  gates[gp + 2u * H] = g;
  gates[gp + 3u * H] = o;
}
