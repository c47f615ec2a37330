// lib/layerLoop.wgsl: the time loop of the layer kernels ({lstm,gru,rnn}_layer_{forward,backward}):
// all T steps of one layer in one dispatch, one workgroup per slice of R batch rows.
//
// Workgroup wid owns rows b0 = wid·R … end − 1 (end = min(b0 + R, B); a workgroup past the batch,
// over-dispatched, has none and returns). Per step the slice's work is ceil(rows/4)·H items, an item
// a quad of rows (the lanes of a vec4) by one column j; invocation lid takes items lid, lid + WG, …
// After each step a storageBarrier makes its writes visible to the whole workgroup before the next
// step reads them. Slices never share data, so no barrier across workgroups is needed (WebGPU has no
// forward-progress guarantee across workgroups: a grid-wide barrier would be unsafe). The loops over
// t and over items have uniform bounds (T; the barrier sits outside the item loop), as WGSL's
// uniformity rules require.
//
// The including shader declares:
//   - a uniform `u` with u32 members B, H, T, R, and an override (or const) WG, its workgroup size;
//   - the step itself, which this file calls:
// #expects fn layerStep(t: u32, q0: u32, end: u32, j: u32)
//     step t of rows q0 … q0+3 (those < end; the others are clamped lanes, never stored), column j.

// Steps t = 0 … T−1 (reverse = false, forward) or T−1 … 0 (reverse = true, backward).
fn layerLoop(wid: u32, lid: u32, reverse: bool) {
  let b0 = wid * u.R;
  let end = min(b0 + u.R, u.B);                // the slice is rows b0 … end−1
  if (b0 >= u.B) { return; }                    // a workgroup past the batch (over-dispatch) has no rows
  let quads = (end - b0 + 3u) / 4u;
  let items = quads * u.H;
  for (var s = 0u; s < u.T; s++) {
    let t = select(s, u.T - 1u - s, reverse);
    for (var it = lid; it < items; it += WG) {
      layerStep(t, b0 + (it / u.H) * 4u, end, it % u.H);
    }
    storageBarrier();
  }
}
