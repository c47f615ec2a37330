// lib/lstmCell.wgsl: the LSTM cell of one step for a quad of batch rows (the lanes of a vec4) and
// one column j, from its four pre-activations: the activations, the new state, the stores. The
// one copy of this math for lstm_step_forward and lstm_layer_forward (which compare bit for bit).
// The including shader declares:
//   - a uniform `u` with u32 members B, H, tailBase, tailK;
//   - read_write storage `h`, `c`, `gates` (array<f32>) and read-only `lengths` (array<i32>)
//     (lib/lengths.wgsl), laid out as lstm_step_forward.wgsl's header says.
// #include lib/activations.wgsl
// #include lib/lengths.wgsl

// Step t of rows q0 … q0+3 and column j: i = σ(p0), f = σ(p1), g = tanh(p2), o = σ(p3),
// c' = f·c + i·g, h' = o·tanh(c'), stored for the rows below `end` (rows ≥ end are the clamped
// lanes of a ragged quad: computed, never stored). hp: h[t, q0+r, 0] (also c's), gp: gates[t, q0+r, 0].
// A dead row (t ≥ lengths[b]) gets zeros; a live row at its last K = tailK steps also writes its h
// and c into tail slot t + K − lengths[b], at tailBase + slot·B·H.
fn lstmCell4(t: u32, q0: u32, end: u32, j: u32, p0: vec4f, p1: vec4f, p2: vec4f, p3: vec4f, hp: vec4u, gp: vec4u) {
  let B = u.B;
  let H = u.H;
  let i = sigmoid4(p0);
  let f = sigmoid4(p1);
  let g = tanh4(p2);
  let o = sigmoid4(p3);
  let cp = vec4f(c[hp.x + j], c[hp.y + j], c[hp.z + j], c[hp.w + j]);
  let cn = f * cp + i * g;
  let hn = o * tanh4(cn);
  let BH = B * H;
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
