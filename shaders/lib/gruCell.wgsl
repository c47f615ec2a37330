// lib/gruCell.wgsl: the GRU cell of one step (PyTorch's equations) for a quad of batch rows (the
// lanes of a vec4) and one column j, from its three recurrent sums: the gates, the new state, the
// stores. The one copy of this math for gru_step_forward and gru_layer_forward (which compare bit
// for bit). The including shader declares:
//   - a uniform `u` with u32 members B, H, bhnOffset, tailBase, tailK;
//   - storage `gx`, `params` (read), `h`, `gates` (read_write), all array<f32>, and read-only
//     `lengths` (array<i32>), laid out as gru_step_forward.wgsl's header says.
// #include lib/activations.wgsl
// #include lib/lengths.wgsl
// #include lib/states.wgsl

// Step t of rows q0 … q0+3 and column j: r = σ(gx_r + sr), z = σ(gx_z + sz), ghn = sn + b_hn[j],
// n = tanh(gx_n + r·ghn), h' = (1 − z)·n + z·h, stored for the rows below `end` (rows ≥ end are the
// clamped lanes of a ragged quad: computed, never stored). hp: h[t][q0+r, 0], g3: gx[t][q0+r, 0].
// A dead row (t ≥ lengths[b]) gets zeros; a live row at its last K = tailK steps also writes its h
// into tail slot t + K − lengths[b], at tailBase + slot·B·H.
fn gruCell4(t: u32, q0: u32, end: u32, j: u32, hp: vec4u, g3: vec4u, sr: vec4f, sz: vec4f, sn: vec4f) {
  let B = u.B;
  let H = u.H;
  let BH = B * H;
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
