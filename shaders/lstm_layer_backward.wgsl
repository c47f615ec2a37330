// lstm_layer_backward: all T timesteps of one LSTM layer's backward pass in ONE dispatch, t = T−1 … 0
// inside the kernel. Twin: src/reference/lstmLayerBackward.ts (T steps of lstmStepBackward, each with
// the rows alive at t and the tail gradients folded in).
//
// Per step, exactly lstm_step_backward.wgsl's math (see there):
//   dh = dhAbove[t, b, j] (+ dhAbove[T + s, b, j] at a row's last K steps) + Σ_r dgates[t+1, b, r]·W_hh[r, j]
//   dc = dh·o·(1 − tanh²c[t+1]) + dcCarry[t+1] (+ dcAbove[t] and its tail when hasDcAbove)
//   dgates[t, b, ·] = (dc·g·i(1−i), dc·c[t]·f(1−f), dc·i(1−g²), dh·tanh(c[t+1])·o(1−o)); dcCarry[t] = dc·f
// and zeros for a dead row (t ≥ lengths[b]).
//
// One workgroup per slice of R batch rows (the slices never share data: lib/layerLoop.wgsl);
// an item is a quad of rows (vec4 lanes) by one column j; after each step a storageBarrier makes
// dgates[t] and dcCarry[t] visible to the workgroup before step t−1 reads them. The recurrent sum runs
// in f32 in order r = 0…4H−1 from 0, then dhAbove is added, as the step kernel. The gates' gradients
// from dh and dc are lib/lstmGrads.wgsl's, the step kernel's (dc itself adds its terms in another
// order there), the tail slots lib/tailRows.wgsl's.
//
// dhAbove: [T+K, B, H]  gradient reaching h from above (slices T… : the tails')
// dcAbove: [T+K, B, H]  gradient reaching c from a head; read only when hasDcAbove = 1
// gates:   [T, B, 4H]   activated i, f, g, o;  c: [T+1+K, B, H] cell states (reads slices 0…T)
// params:  flat parameters; W_hh [4H, H] row-major at element wOffset
// dgates:  [T, B, 4H]   written (pre-activation gradients);  dcCarry: [T, B, H] written
// lengths: [B] i32      steps of each row, in [1, T]
// Dispatch: ceil(B / R) workgroups.
// #include lib/activations.wgsl
// #include lib/layerLoop.wgsl
// #include lib/lstmGrads.wgsl
// #include lib/rows.wgsl
// #include lib/tailRows.wgsl
struct Params { B: u32, H: u32, T: u32, wOffset: u32, hasDcAbove: u32, tailK: u32, R: u32 }

// The uniform is `u`, not `params`: the contract names the flat parameter buffer `params`.
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> dhAbove: array<f32>;
@group(0) @binding(2) var<storage, read> dcAbove: array<f32>;
@group(0) @binding(3) var<storage, read> gates: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
@group(0) @binding(5) var<storage, read> params: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgates: array<f32>;
@group(0) @binding(7) var<storage, read_write> dcCarry: array<f32>;
@group(0) @binding(8) var<storage, read> lengths: array<i32>;

override WG: u32 = 32;

// Step t of rows q0 … q0+3 (those < end) and column j.
fn layerStep(t: u32, q0: u32, end: u32, j: u32) {
  let B = u.B;
  let H = u.H;
  let G = 4u * H;
  let BH = B * H;
  let T = u.T;
  let sp = rows4(t * BH, q0, end, H);          // [t, q0+r, 0] of [·, B, H] buffers
  let gp = rows4(t * B * G, q0, end, G);       // gates[t, q0+r, 0], dgates[t, q0+r, 0]
  var dot = vec4f(0.0);
  if (t + 1u < T) {
    let np = gp + vec4u(B * G);                // dgates[t+1, q0+r, 0]
    var w = u.wOffset + j;                     // W_hh[r, j]
    for (var r = 0u; r < G; r++) {
      dot += vec4f(dgates[np.x + r], dgates[np.y + r], dgates[np.z + r], dgates[np.w + r]) * params[w];
      w += H;
    }
  }
  var dh = vec4f(dhAbove[sp.x + j], dhAbove[sp.y + j], dhAbove[sp.z + j], dhAbove[sp.w + j]) + dot;
  var dcA = vec4f(0.0);
  if (u.hasDcAbove != 0u) { dcA = vec4f(dcAbove[sp.x + j], dcAbove[sp.y + j], dcAbove[sp.z + j], dcAbove[sp.w + j]); }
  let rows = tailRows4(t, q0, end);            // per row: alive, in its tail window, the tail slot's offset
  let live = rows.live;
  for (var r = 0u; r < 4u; r++) {
    if (rows.inTail[r]) {
      let tail = rows.tail[r] + j;
      dh[r] += dhAbove[tail];
      if (u.hasDcAbove != 0u) { dcA[r] += dcAbove[tail]; }
    }
  }
  let i = vec4f(gates[gp.x + j], gates[gp.y + j], gates[gp.z + j], gates[gp.w + j]);
  let f = vec4f(gates[gp.x + H + j], gates[gp.y + H + j], gates[gp.z + H + j], gates[gp.w + H + j]);
  let g = vec4f(gates[gp.x + 2u * H + j], gates[gp.y + 2u * H + j], gates[gp.z + 2u * H + j], gates[gp.w + 2u * H + j]);
  let o = vec4f(gates[gp.x + 3u * H + j], gates[gp.y + 3u * H + j], gates[gp.z + 3u * H + j], gates[gp.w + 3u * H + j]);
  let np = sp + vec4u(BH);                     // c[t+1, q0+r, 0]
  let tc = tanh4(vec4f(c[np.x + j], c[np.y + j], c[np.z + j], c[np.w + j]));
  var dc = dh * o * (1.0 - tc * tc) + dcA;
  if (t + 1u < T) { dc += vec4f(dcCarry[np.x + j], dcCarry[np.y + j], dcCarry[np.z + j], dcCarry[np.w + j]); }
  let cPrev = vec4f(c[sp.x + j], c[sp.y + j], c[sp.z + j], c[sp.w + j]);
  let d = lstmGrads4(dh, dc, tc, cPrev, i, f, g, o);
  let di = select(vec4f(0.0), d.di, live);
  let df = select(vec4f(0.0), d.df, live);
  let dg = select(vec4f(0.0), d.dg, live);
  let do_ = select(vec4f(0.0), d.do_, live);
  let carry = select(vec4f(0.0), d.carry, live);
  for (var r = 0u; r < 4u; r++) {
    if (q0 + r >= end) { break; }
    let q = gp[r] + j;
    dgates[q] = di[r];
    dgates[q + H] = df[r];
    dgates[q + 2u * H] = dg[r];
    dgates[q + 3u * H] = do_[r];
    dcCarry[sp[r] + j] = carry[r];
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  layerLoop(wid.x, lid.x, true);
}
