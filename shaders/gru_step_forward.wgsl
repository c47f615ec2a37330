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
// The cell (gates, state, stores) is lib/gruCell.wgsl's, shared with gru_layer_forward.
// #include lib/gruCell.wgsl
// #include lib/rows.wgsl
// #include lib/states.wgsl
struct Params { B: u32, H: u32, t: u32, wOffset: u32, bhnOffset: u32, tailBase: u32, tailK: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

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
  let gA = rows4(t * 3u * B * H, b0, B, 3u * H);        // gx[t][b0+q, 0]
  let gB = rows4(t * 3u * B * H, b0 + 4u, B, 3u * H);
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
  gruCell4(t, b0, B, j0, hA, gA, ar, az, an);
  if (b0 + 4u < B) { gruCell4(t, b0 + 4u, B, j0, hB, gB, er, ez, en); }
  if (j0 + 1u < H) {
    gruCell4(t, b0, B, j1, hA, gA, mr, mz, mn);
    if (b0 + 4u < B) { gruCell4(t, b0 + 4u, B, j1, hB, gB, nr, nz, nn); }
  }
}
