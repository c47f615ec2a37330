// lstm_layer_forward: all T timesteps of one LSTM layer in ONE dispatch (a time loop inside the
// kernel), for models whose batch slices fit a workgroup. Twin: src/reference/lstmLayerForward.ts
// (T steps of lstmStepForward, each with the rows alive at t, plus the tail copies).
//
// Per step t = 0 … T−1, exactly lstm_step_forward.wgsl's math (see there):
//   pre_q = gx[t, b, qH + j] + Σ_k h[t, b, k] · W_hh[qH + j, k]      q = i, f, g, o
//   c[t+1, b, j] = σ(pre_f)·c[t, b, j] + σ(pre_i)·tanh(pre_g);  h[t+1, b, j] = σ(pre_o)·tanh(c[t+1, b, j])
//   gates[t, b, ·] = the activated i, f, g, o;  a dead row (t ≥ lengths[b]) gets zeros;  a live row at
//   its last K steps also writes h, c into tail slot t + K − lengths[b] (at tailBase + s·B·H).
//
// Why a loop: one dispatch per step costs 20–32 µs on SwiftShader and a few µs on a GPU, far more than
// a small step's arithmetic; a workgroup that loops over time pays one barrier per step instead
// (DESIGN.md section 6: 4–6 µs at 32 invocations, 11–12 µs at 64 on SwiftShader). Batch rows are
// independent, so each workgroup owns a slice of R rows, b0 = workgroup_id.x · R, and no two
// workgroups ever share data: only the workgroup-local barrier is needed (WebGPU gives no forward-
// progress guarantee across workgroups, so a grid-wide barrier would be unsafe).
//
// Within a step, the slice's work is ceil(rows/4) · H items: an item is a quad of rows (the lanes of a
// vec4, as lstm_step_forward) by one column j with its four gates; invocation `lid` takes items lid,
// lid + WG, …; rows past the slice read its last row and write nothing. After the step, a
// storageBarrier makes h[t+1] and c[t+1] visible to the whole workgroup before step t+1 reads them.
// The loops over t and over items have uniform bounds (T; the barrier sits outside the item loop),
// as WGSL's uniformity rules require. Sums run in f32 in order k = 0…H−1 from gx, as the step kernel.
//
// gx:      [T, B, 4H]       input projection of every step, both biases folded in
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// h, c:    [T+1+K, B, H]    slice 0 is the initial state; writes slices 1…T and the tail
// gates:   [T, B, 4H]       written
// lengths: [B] i32          steps of each row, in [1, T]
// Dispatch: ceil(B / R) workgroups (src/webgpu/kernels/grids.ts).
struct Params { B: u32, H: u32, T: u32, wOffset: u32, tailBase: u32, tailK: u32, R: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read_write> gates: array<f32>;
@group(0) @binding(6) var<storage, read> lengths: array<i32>;

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
fn stepLstmForward(t: u32, q0: u32, end: u32, j: u32) {
  let B = u.B;
  let H = u.H;
  let G = 4u * H;
  let BH = B * H;
  let hp = rows4(t * BH, q0, end, H);          // h[t, q0+r, 0] (rows ≥ end clamped to end − 1)
  let gp = rows4(t * B * G, q0, end, G);       // gx[t, q0+r, 0], gates[t, q0+r, 0]
  var p0 = gx4(gp + j);
  var p1 = gx4(gp + (H + j));
  var p2 = gx4(gp + (2u * H + j));
  var p3 = gx4(gp + (3u * H + j));
  let w = u.wOffset + j * H;
  let wq = H * H;
  for (var k = 0u; k < H; k++) {
    let x = h4(hp + k);
    p0 += params[w + k] * x;
    p1 += params[w + wq + k] * x;
    p2 += params[w + 2u * wq + k] * x;
    p3 += params[w + 3u * wq + k] * x;
  }
  let i = sigmoid4(p0);
  let f = sigmoid4(p1);
  let g = tanh4(p2);
  let o = sigmoid4(p3);
  let cp = vec4f(c[hp.x + j], c[hp.y + j], c[hp.z + j], c[hp.w + j]);
  let cn = f * cp + i * g;
  let hn = o * tanh4(cn);
  for (var r = 0u; r < 4u; r++) {
    let b = q0 + r;
    if (b >= end) { break; }
    let next = hp[r] + BH + j;       // [t+1, b, j]
    let q = gp[r] + j;
    let len = rowLength(b);
    if (t >= len) {
      c[next] = 0.0;
      h[next] = 0.0;
      gates[q] = 0.0;
      gates[q + H] = 0.0;
      gates[q + 2u * H] = 0.0;
      gates[q + 3u * H] = 0.0;
      continue;
    }
    c[next] = cn[r];
    h[next] = hn[r];
    gates[q] = i[r];
    gates[q + H] = f[r];
    gates[q + 2u * H] = g[r];
    gates[q + 3u * H] = o[r];
    if (t + u.tailK >= len) {
      let tail = u.tailBase + (t + u.tailK - len) * BH + b * H + j;
      c[tail] = cn[r];
      h[tail] = hn[r];
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
      stepLstmForward(t, b0 + (it / u.H) * 4u, end, it % u.H);
    }
    storageBarrier();
  }
}
