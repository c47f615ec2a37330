// lib/lengths.wgsl: the steps a batch row runs (PyTorch's packed sequences).
// The including shader declares `lengths: array<i32>` (a read-only storage binding, [B]).

// Steps row b runs (lengths are checked on the host to lie in [1, T]; a negative one runs none).
fn rowLength(b: u32) -> u32 {
  return u32(max(lengths[b], 0));
}
