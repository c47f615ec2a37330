// gru_step_forward: one timestep t of one GRU layer, PyTorch's equations
// (twin: src/reference/gruStepForward.ts)
//
//   gh_q[b, j] = Σ_k h[t][b, k] · W_hh[qH + j, k]          q = 0, 1, 2: rows r, z, n
//   r   = σ(gx[t][b, j] + gh_0),  z = σ(gx[t][b, H + j] + gh_1)
//   ghn = gh_2 + b_hn[j],         n = tanh(gx[t][b, 2H + j] + r · ghn)
//   h[t+1][b, j] = (1 − z) · n + z · h[t][b, j]
// for the rows alive at t (t < lengths[b]); a dead row gets h[t+1] = gates[t] = 0. A live row at
// one of its last K steps also writes h into tail slot s = t − (lengths[b] − K) at element
// tailBase + s·B·H (slot K − 1 = its final state h_n; see lstm_step_forward.wgsl).
//
// gx:     [T, B, 3H]   input projection with b_ih and b_hr, b_hz folded in (read; slice t)
// params: flat parameters, W_hh [3H, H] row-major at wOffset, b_hn [H] at bhnOffset (read)
// h:      [T+1+K, B, H] slice 0 = initial state (read slice t, write slice t+1 and tails)
// gates:  [T, B, 4H]   write slice t: (r, z, n, ghn), what backward needs
// lengths: [B] i32     steps of each row, in [1, T]; nothing else is written
//
// Register blocking: one invocation owns a tile of 8 batch rows b0 … b0+7 by 2 columns j0, j0+1
// and their three gate rows (the batch rows are the lanes of two vec4s per gate and column). Each
// step k of the sums loads 6 values of W_hh and 8 of h for 48 multiply-adds, where one (b, j) per
// invocation loads 4 for 3 (on SwiftShader every storage load is a per-lane gather: loads set the
// time). Flat index over ceil(B/8)·ceil(H/2) tiles, column tiles fastest, guarded; dispatch
// ceil(tiles / WG) workgroups (src/webgpu/kernels/grids.ts). Rows past B and a column past H
// (ragged tiles) read row B−1 / column H−1 instead (always in bounds) and write nothing. No
// workgroup memory, no barriers. Each of the three sums runs in f32 in order k = 0…H−1 from 0.
struct Params { B: u32, H: u32, t: u32, wOffset: u32, bhnOffset: u32, tailBase: u32, tailK: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

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

// Gates and new state of rows b0 … b0+3 (lanes) of column j; writes rows < B only.
fn finishGruForward(b0: u32, j: u32, ghr: vec4f, ghz: vec4f, ghnDot: vec4f) {
  let B = u.B;
  let H = u.H;
  let BH = B * H;
  let t = u.t;
  let hp = rows4(t * BH, b0, B, H);             // h[t][b0+q, 0]
  let g3 = rows4(t * 3u * BH, b0, B, 3u * H);   // gx[t][b0+q, 0]
  let r = sigmoid4(gx4(g3 + j) + ghr);
  let z = sigmoid4(gx4(g3 + (H + j)) + ghz);
  let ghn = ghnDot + params[u.bhnOffset + j];
  let n = tanh4(gx4(g3 + (2u * H + j)) + r * ghn);
  let hn = (1.0 - z) * n + z * h4(hp + j);
  for (var q = 0u; q < 4u; q++) {
    let b = b0 + q;
    if (b >= B) { break; }
    let g4 = t * 4u * BH + b * 4u * H;          // gates[t][b, 0]
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
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let JT = (H + 1u) / 2u;                      // column tiles
  let i = gid.x;
  if (i >= ((B + 7u) / 8u) * JT) { return; }
  let b0 = (i / JT) * 8u;
  let j0 = (i % JT) * 2u;
  let j1 = min(j0 + 1u, H - 1u);               // the tile's second column (H−1 when ragged)
  let t = u.t;
  let hA = rows4(t * B * H, b0, B, H);         // h[t][b0+q, 0], rows 0…3 of the tile
  let hB = rows4(t * B * H, b0 + 4u, B, H);    // rows 4…7
  let HH = H * H;
  let w0 = u.wOffset + j0 * H;                 // W_hh[j0, 0]; + H·H: W_hh[H + j0, 0]; …
  let w1 = u.wOffset + j1 * H;
  // Sums: a (column j0, rows 0…3), e (j0, rows 4…7), m (j1, rows 0…3), n (j1, rows 4…7); r, z, n rows.
  var ar = vec4f(0.0);
  var az = vec4f(0.0);
  var an = vec4f(0.0);
  var er = vec4f(0.0);
  var ez = vec4f(0.0);
  var en = vec4f(0.0);
  var mr = vec4f(0.0);
  var mz = vec4f(0.0);
  var mn = vec4f(0.0);
  var nr = vec4f(0.0);
  var nz = vec4f(0.0);
  var nn = vec4f(0.0);
  for (var k = 0u; k < H; k++) {
    let x = h4(hA + k);
    let y = h4(hB + k);
    let v0 = params[w0 + k];
    let v1 = params[w0 + HH + k];
    let v2 = params[w0 + 2u * HH + k];
    ar += v0 * x;
    az += v1 * x;
    an += v2 * x;
    er += v0 * y;
    ez += v1 * y;
    en += v2 * y;
    let s0 = params[w1 + k];
    let s1 = params[w1 + HH + k];
    let s2 = params[w1 + 2u * HH + k];
    mr += s0 * x;
    mz += s1 * x;
    mn += s2 * x;
    nr += s0 * y;
    nz += s1 * y;
    nn += s2 * y;
  }
  finishGruForward(b0, j0, ar, az, an);
  if (b0 + 4u < B) { finishGruForward(b0 + 4u, j0, er, ez, en); }
  if (j0 + 1u < H) {
    finishGruForward(b0, j1, mr, mz, mn);
    if (b0 + 4u < B) { finishGruForward(b0 + 4u, j1, nr, nz, nn); }
  }
}
