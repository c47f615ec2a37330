// lstm_step_forward: timestep t of one LSTM layer, gates in the order i, f, g, o.
// Twin: src/reference/lstmStepForward.ts (one [B, ·] slice of each buffer below).
//
//   pre_q = gx[t, b, qH + j] + Σ_k h[t, b, k] · W_hh[qH + j, k]          q = 0 (i), 1 (f), 2 (g), 3 (o)
//   i = σ(pre_0), f = σ(pre_1), g = tanh(pre_2), o = σ(pre_3)
//   c[t+1, b, j] = f · c[t, b, j] + i · g
//   h[t+1, b, j] = o · tanh(c[t+1, b, j])
//   gates[t, b, qH + j] = i, f, g, o (activated, kept for backward)
// for the rows alive at t (t < lengths[b], PyTorch's packed sequences); a dead row gets
// h[t+1] = c[t+1] = gates[t] = 0. A live row at one of its last K steps (t ≥ lengths[b] − K) also
// writes its new h and c into tail slot s = t − (lengths[b] − K) of the same buffers, at element
// tailBase + s·B·H: slot K − 1 is the row's final state (h_n, c_n), and slots 0 … K−1 are what a
// head of outputs 'last' reads (K = headSteps on the top layer, else 1).
//
// gx:      [T, B, 4H]       input projection of every step, both biases folded in
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// h, c:    [T+1+K, B, H]    slice 0 is the initial state; reads slice t, writes slice t+1 and tails
// gates:   [T, B, 4H]       writes slice t
// lengths: [B] i32          steps of each row, in [1, T]
// Nothing else is written.
//
// Register blocking: one invocation owns a tile of 8 batch rows b0 … b0+7 by 2 columns j0, j0+1
// (the rows are the lanes of two vec4s per gate and column: 16 vec4 accumulators). Each step k of
// the dot products loads 8 values of W_hh (4 gate rows of each column) and 8 of h (one per row)
// for 64 multiply-adds, where one (b, j) per invocation loads 5 for 4 (on SwiftShader every
// storage load is a per-lane gather: loads, not arithmetic, set the time; 8 × 2 measured fastest
// of 4 × 1, 8 × 1 and 8 × 2 at B 64, H 128 and 256). Flat index over ceil(B/8)·ceil(H/2) tiles,
// column tiles fastest, guarded; dispatch ceil(tiles / WG) workgroups (src/webgpu/kernels/grids.ts).
// Rows past B and a column past H (ragged tiles) read row B−1 / column H−1 instead (always in
// bounds) and write nothing. Each sum runs in f32 in order k = 0…H−1, starting from gx. No
// workgroup memory, no barriers: a thread owns its outputs. The cell (activations, state, stores)
// is lib/lstmCell.wgsl's, shared with lstm_layer_forward.
// #include lib/lstmCell.wgsl
// #include lib/rows.wgsl
// #include lib/states.wgsl
struct Params { B: u32, H: u32, t: u32, wOffset: u32, tailBase: u32, tailK: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read_write> gates: array<f32>;
@group(0) @binding(6) var<storage, read> lengths: array<i32>;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let B = u.B;
  let H = u.H;
  let JT = (H + 1u) / 2u;                      // column tiles
  let idx = gid.x;
  if (idx >= ((B + 7u) / 8u) * JT) { return; }
  let b0 = (idx / JT) * 8u;
  let j0 = (idx % JT) * 2u;
  let j1 = min(j0 + 1u, H - 1u);               // the tile's second column (H−1 when ragged)
  let G = 4u * H;
  let t = u.t;

  let hA = rows4(t * B * H, b0, B, H);         // h[t, b0+r, 0], rows 0…3 of the tile
  let gA = rows4(t * B * G, b0, B, G);         // gx[t, b0+r, 0]
  let hB = rows4(t * B * H, b0 + 4u, B, H);    // rows 4…7
  let gB = rows4(t * B * G, b0 + 4u, B, G);
  let w0 = u.wOffset + j0 * H;                 // W_hh[j0, 0]
  let w1 = u.wOffset + j1 * H;                 // W_hh[j1, 0]
  let wq = H * H;                              // from row qH + j to row (q+1)H + j
  // a: column j0, rows 0…3; e: column j0, rows 4…7; m, n: the same for column j1. Index = gate q.
  var a0 = gx4(gA + j0);
  var a1 = gx4(gA + (H + j0));
  var a2 = gx4(gA + (2u * H + j0));
  var a3 = gx4(gA + (3u * H + j0));
  var e0 = gx4(gB + j0);
  var e1 = gx4(gB + (H + j0));
  var e2 = gx4(gB + (2u * H + j0));
  var e3 = gx4(gB + (3u * H + j0));
  var m0 = gx4(gA + j1);
  var m1 = gx4(gA + (H + j1));
  var m2 = gx4(gA + (2u * H + j1));
  var m3 = gx4(gA + (3u * H + j1));
  var n0 = gx4(gB + j1);
  var n1 = gx4(gB + (H + j1));
  var n2 = gx4(gB + (2u * H + j1));
  var n3 = gx4(gB + (3u * H + j1));
  for (var k = 0u; k < H; k++) {
    let x = h4(hA + k);
    let y = h4(hB + k);
    let w = w0 + k;
    let v0 = params[w];
    let v1 = params[w + wq];
    let v2 = params[w + 2u * wq];
    let v3 = params[w + 3u * wq];
    a0 += v0 * x;
    a1 += v1 * x;
    a2 += v2 * x;
    a3 += v3 * x;
    e0 += v0 * y;
    e1 += v1 * y;
    e2 += v2 * y;
    e3 += v3 * y;
    let z = w1 + k;
    let s0 = params[z];
    let s1 = params[z + wq];
    let s2 = params[z + 2u * wq];
    let s3 = params[z + 3u * wq];
    m0 += s0 * x;
    m1 += s1 * x;
    m2 += s2 * x;
    m3 += s3 * x;
    n0 += s0 * y;
    n1 += s1 * y;
    n2 += s2 * y;
    n3 += s3 * y;
  }
  lstmCell4(t, b0, B, j0, a0, a1, a2, a3, hA, gA);
  lstmCell4(t, b0 + 4u, B, j0, e0, e1, e2, e3, hB, gB);
  if (j0 + 1u < H) {
    lstmCell4(t, b0, B, j1, m0, m1, m2, m3, hA, gA);
    lstmCell4(t, b0 + 4u, B, j1, n0, n1, n2, n3, hB, gB);
  }
}
