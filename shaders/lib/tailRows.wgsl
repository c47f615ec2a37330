// lib/tailRows.wgsl: the rows of a quad (the lanes of a vec4) at step t of a layer backward kernel
// (lstm_layer_backward, gru_layer_backward, rnn_layer_backward): which are alive, and which sit at
// one of their last K steps, where the gradient of what a head of outputs 'last' read there arrives
// in tail slot s = t − (lengths[b] − K) of dhAbove (and dcAbove), slices T… (see lstm_step_forward).
// The including shader declares a uniform `u` with u32 members B, H, T, tailK (K), and read-only
// storage `lengths` (array<i32>, lib/lengths.wgsl).
// #include lib/lengths.wgsl

struct TailRows {
  live: vec4<bool>,   // row q0 + r is below end and alive at t (t < lengths[b])
  inTail: vec4<bool>, // alive at t (clamped lanes: their row b = end − 1's) and t ≥ lengths[b] − K
  tail: vec4u,        // [T + s, b, 0] of a [T+K, B, H] buffer; meaningful only where inTail
}

// Rows q0 … q0+3 at step t; lanes at or past end take row end − 1 (computed, never stored).
fn tailRows4(t: u32, q0: u32, end: u32) -> TailRows {
  let H = u.H;
  let BH = u.B * H;
  var rows: TailRows;
  for (var r = 0u; r < 4u; r++) {
    let b = min(q0 + r, end - 1u);
    let len = rowLength(b);
    rows.live[r] = t < len && q0 + r < end;
    rows.inTail[r] = t < len && t + u.tailK >= len;
    rows.tail[r] = (u.T + t + u.tailK - len) * BH + b * H;
  }
  return rows;
}
