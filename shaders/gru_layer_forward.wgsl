// gru_layer_forward: all T timesteps of one GRU layer in ONE dispatch (a time loop inside the
// kernel). Twin: src/reference/gruLayerForward.ts (T steps of gruStepForward with the rows alive at
// t, plus the tail copies). Per step, gru_step_forward.wgsl's math (PyTorch's equations, see there):
//   r = σ(gx_r + W_hr·h), z = σ(gx_z + W_hz·h), ghn = W_hn·h + b_hn, n = tanh(gx_n + r·ghn)
//   h[t+1] = (1 − z)·n + z·h[t];  gates[t] = (r, z, n, ghn);  zeros for a dead row; tails as LSTM.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (see lstm_layer_forward.wgsl for why this is safe and when it
// pays). Each of the three sums runs in f32 in order k = 0…H−1 from 0.
//
// gx: [T, B, 3H] (b_ih and b_hr, b_hz folded in); params: W_hh [3H, H] at wOffset, b_hn [H] at
// bhnOffset; h: [T+1+K, B, H] (slice 0 initial; writes 1…T and the tail); gates: [T, B, 4H] written;
// lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
struct Params { B: u32, H: u32, T: u32, wOffset: u32, bhnOffset: u32, tailBase: u32, tailK: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// σ(x) without overflow, per lane: exp only ever sees −|x| ≤ 0, so it lies in (0, 1].
fn sigmoid4(x: vec4f) -> vec4f {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= vec4f(0.0));
}

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

// Element offsets of rows b0 … b0+3 in a [·, B, n] slice starting at base; rows ≥ B read row B−1.
fn rows4(base: u32, b0: u32, B: u32, n: u32) -> vec4u {
  let last = B - 1u;
  return vec4u(base) + vec4u(min(b0, last), min(b0 + 1u, last), min(b0 + 2u, last), min(b0 + 3u, last)) * n;
}

// Steps row b runs (lengths are checked on the host to lie in [1, T]; a negative one runs none).
fn rowLength(b: u32) -> u32 {
  return u32(max(lengths[b], 0));
}

fn h4(o: vec4u) -> vec4f {
  return vec4f(h[o.x], h[o.y], h[o.z], h[o.w]);
}

fn gx4(o: vec4u) -> vec4f {
  return vec4f(gx[o.x], gx[o.y], gx[o.z], gx[o.w]);
}

// Step t of rows q0 … q0+3 (those < end) and column j.
fn stepGruForward(t: u32, q0: u32, end: u32, j: u32) {
  let B = u.B;
  let H = u.H;
  let BH = B * H;
  let hp = rows4(t * BH, q0, end, H);             // h[t][q0+r, 0]
  let g3 = rows4(t * 3u * BH, q0, end, 3u * H);   // gx[t][q0+r, 0]
  var sr = vec4f(0.0);
  var sz = vec4f(0.0);
  var sn = vec4f(0.0);
  let w = u.wOffset + j * H;
  let HH = H * H;
  for (var k = 0u; k < H; k++) {
    let x = h4(hp + k);
    sr += params[w + k] * x;
    sz += params[w + HH + k] * x;
    sn += params[w + 2u * HH + k] * x;
  }
  let r = sigmoid4(gx4(g3 + j) + sr);
  let z = sigmoid4(gx4(g3 + (H + j)) + sz);
  let ghn = sn + params[u.bhnOffset + j];
  let n = tanh4(gx4(g3 + (2u * H + j)) + r * ghn);
  let hn = (1.0 - z) * n + z * h4(hp + j);
  for (var q = 0u; q < 4u; q++) {
    let b = q0 + q;
    if (b >= end) { break; }
    let g4 = t * 4u * BH + b * 4u * H;            // gates[t][b, 0]
    let len = rowLength(b);
    if (t >= len) {
      h[(t + 1u) * BH + b * H + j] = 0.0;
      gates[g4 + j] = 0.0;
      gates[g4 + H + j] = 0.0;
      gates[g4 + 2u * H + j] = 0.0;
      gates[g4 + 3u * H + j] = 0.0;
      continue;
    }
    h[(t + 1u) * BH + b * H + j] = hn[q];
    gates[g4 + j] = r[q];
    gates[g4 + H + j] = z[q];
    gates[g4 + 2u * H + j] = n[q];
    gates[g4 + 3u * H + j] = ghn[q];
    if (t + u.tailK >= len) {
      h[u.tailBase + (t + u.tailK - len) * BH + b * H + j] = hn[q];
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b0 = wid.x * u.R;
  let end = min(b0 + u.R, u.B);                // the slice is rows b0 … end−1
  if (b0 >= u.B) { return; }                    // a workgroup past the batch (over-dispatch) has no rows
  let quads = (end - b0 + 3u) / 4u;
  let items = quads * u.H;
  for (var t = 0u; t < u.T; t++) {
    for (var it = lid.x; it < items; it += WG) {
      stepGruForward(t, b0 + (it / u.H) * 4u, end, it % u.H);
    }
    storageBarrier();
  }
}
