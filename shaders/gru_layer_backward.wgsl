// gru_layer_backward: all T timesteps of one GRU layer's backward pass in ONE dispatch, t = T−1 … 0.
// Twin: src/reference/gruLayerBackward.ts (T steps of gruStepBackward with the rows alive at t and
// the tail gradients folded in). Per step, gru_step_backward.wgsl's math (see there):
//   dh = dhAbove[t] (+ its tail slot) + Σ_q dgh[t+1][b, q]·W_hh[q, j] + dhCarry[t+1]
//   dn = dh(1 − z), dz = dh(hPrev − n), dpre_n = dn(1 − n²), dpre_r = dpre_n·ghn·r(1 − r), dpre_z = dz·z(1 − z)
//   dgx = (dpre_r, dpre_z, dpre_n), dgh = (dpre_r, dpre_z, dpre_n·r), dhCarry = dh·z; zeros for a dead row.
// One workgroup per slice of R batch rows, items = a quad of rows (vec4 lanes) by one column, a
// storageBarrier after each step (lib/layerLoop.wgsl); the cell's gradients are lib/gruGrads.wgsl's,
// the step kernel's, and the tail slots lib/tailRows.wgsl's. The recurrent sum runs in f32 in
// order q = 0…3H−1 from 0, then dhAbove and dhCarry are added.
//
// dhAbove: [T+K, B, H]; gates: [T, B, 4H] (r, z, n, ghn); h: [T+1+K, B, H] (reads slices 0…T−1);
// params: W_hh [3H, H] at wOffset; dgx, dgh: [T, B, 3H] written; dhCarry: [T, B, H] written;
// lengths: [B] i32. Dispatch: ceil(B / R) workgroups.
// #include lib/gruGrads.wgsl
// #include lib/layerLoop.wgsl
// #include lib/rows.wgsl
// #include lib/tailRows.wgsl
struct Params { B: u32, H: u32, T: u32, wOffset: u32, tailK: u32, R: u32 }

// The uniform is `u`: the name `params` is the flat parameter buffer's (docs/kernels.md).
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> gates: array<f32>;
@group(0) @binding(3) var<storage, read> h: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> dgx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgh: array<f32>;
@group(0) @binding(7) var<storage, read_write> dhCarry: array<f32>;
@group(0) @binding(8) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
  let B = u.B;
  let H = u.H;
  let G = 3u * H;
  let BH = B * H;
  let T = u.T;
  let sp = rows4(t * BH, q0, end, H);          // [t, q0+r, 0] of [·, B, H] buffers
  let g3 = rows4(t * B * G, q0, end, G);       // dgx/dgh[t, q0+r, 0]
  let g4 = rows4(t * 4u * BH, q0, end, 4u * H); // gates[t, q0+r, 0]
  var dot = vec4f(0.0);
  if (t + 1u < T) {
    let np = g3 + vec4u(B * G);                // dgh[t+1, q0+r, 0]
    var w = u.wOffset + j;                     // W_hh[q, j]
    for (var q = 0u; q < G; q++) {
      dot += vec4f(dgh[np.x + q], dgh[np.y + q], dgh[np.z + q], dgh[np.w + q]) * params[w];
      w += H;
    }
  }
  var dh = vec4f(dhAbove[sp.x + j], dhAbove[sp.y + j], dhAbove[sp.z + j], dhAbove[sp.w + j]) + dot;
  let rows = tailRows4(t, q0, end);
  let live = rows.live;
  for (var r = 0u; r < 4u; r++) {
    if (rows.inTail[r]) { dh[r] += dhAbove[rows.tail[r] + j]; }
  }
  if (t + 1u < T) {
    let np = sp + vec4u(BH);
    dh += vec4f(dhCarry[np.x + j], dhCarry[np.y + j], dhCarry[np.z + j], dhCarry[np.w + j]);
  }
  let r = vec4f(gates[g4.x + j], gates[g4.y + j], gates[g4.z + j], gates[g4.w + j]);
  let z = vec4f(gates[g4.x + H + j], gates[g4.y + H + j], gates[g4.z + H + j], gates[g4.w + H + j]);
  let n = vec4f(gates[g4.x + 2u * H + j], gates[g4.y + 2u * H + j], gates[g4.z + 2u * H + j], gates[g4.w + 2u * H + j]);
  let ghn = vec4f(gates[g4.x + 3u * H + j], gates[g4.y + 3u * H + j], gates[g4.z + 3u * H + j], gates[g4.w + 3u * H + j]);
  let hPrev = vec4f(h[sp.x + j], h[sp.y + j], h[sp.z + j], h[sp.w + j]);
  let d = gruGrads4(dh, r, z, n, ghn, hPrev);
  let dpn = select(vec4f(0.0), d.dpn, live);
  let dpr = select(vec4f(0.0), d.dpr, live);
  let dpz = select(vec4f(0.0), d.dpz, live);
  let dpnr = select(vec4f(0.0), d.dpnr, live);
  let dc = select(vec4f(0.0), d.carry, live);
  for (var q = 0u; q < 4u; q++) {
    if (q0 + q >= end) { break; }
    let o = g3[q] + j;
    dgx[o] = dpr[q];
    dgx[o + H] = dpz[q];
    dgx[o + 2u * H] = dpn[q];
    dgh[o] = dpr[q];
    dgh[o + H] = dpz[q];
    dgh[o + 2u * H] = dpnr[q];
    dhCarry[sp[q] + j] = dc[q];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, true);
}
