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
// independent, so each workgroup owns a slice of R rows and no two workgroups ever share data: the
// loop, the slices and the barrier are lib/layerLoop.wgsl's, shared by the six layer kernels.
//
// Within a step an item is a quad of rows (the lanes of a vec4, as lstm_step_forward) by one column j
// with its four gates (layerStep below; the cell itself is lib/lstmCell.wgsl's, the step kernel's);
// rows past the slice read its last row and write nothing. The barrier after each step makes h[t+1]
// and c[t+1] visible to the whole workgroup before step t+1 reads them. Sums run in f32 in order
// k = 0…H−1 from gx, as the step kernel.
//
// gx:      [T, B, 4H]       input projection of every step, both biases folded in
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// h, c:    [T+1+K, B, H]    slice 0 is the initial state; writes slices 1…T and the tail
// gates:   [T, B, 4H]       written
// lengths: [B] i32          steps of each row, in [1, T]
// Dispatch: ceil(B / R) workgroups (src/webgpu/kernels/grids.ts).
// #include lib/layerLoop.wgsl
// #include lib/lstmCell.wgsl
// #include lib/rows.wgsl
// #include lib/states.wgsl
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

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
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
  lstmCell4(t, q0, end, j, p0, p1, p2, p3, hp, gp);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, false);
}
