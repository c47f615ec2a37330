// gru_layer_forward: all T timesteps of one GRU layer in ONE dispatch (a time loop inside the
// kernel). Twin: src/reference/gruLayerForward.ts (T steps of gruStepForward with the rows alive at
// t, plus the tail copies). Per step, gru_step_forward.wgsl's math (PyTorch's equations, see there):
//   r = σ(gx_r + W_hr·h), z = σ(gx_z + W_hz·h), ghn = W_hn·h + b_hn, n = tanh(gx_n + r·ghn)
//   h[t+1] = (1 − z)·n + z·h[t];  gates[t] = (r, z, n, ghn);  zeros for a dead row; tails as LSTM.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (lib/layerLoop.wgsl; lstm_layer_forward.wgsl says when it pays).
// The cell is lib/gruCell.wgsl's, the step kernel's. Each of the three sums runs in f32 in order
// k = 0…H−1 from 0.
//
// gx: [T, B, 3H] (b_ih and b_hr, b_hz folded in); params: W_hh [3H, H] at wOffset, b_hn [H] at
// bhnOffset; h: [T+1+K, B, H] (slice 0 initial; writes 1…T and the tail); gates: [T, B, 4H] written;
// lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
// #include lib/gruCell.wgsl
// #include lib/layerLoop.wgsl
// #include lib/rows.wgsl
// #include lib/states.wgsl
struct Params { B: u32, H: u32, T: u32, wOffset: u32, bhnOffset: u32, tailBase: u32, tailK: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gx: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read_write> h: array<f32>;
@group(0) @binding(4) var<storage, read_write> gates: array<f32>;
@group(0) @binding(5) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
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
  gruCell4(t, q0, end, j, hp, g3, sr, sz, sn);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, false);
}
