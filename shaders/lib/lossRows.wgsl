// lib/lossRows.wgsl: the padded rows of the loss kernels (softmax_cross_entropy, sigmoid_bce,
// mse_loss) with variable lengths: row r = t·B + b of the head's time-major rows is a padded step
// when masked = 1 and t ≥ lengths[b]; it gets loss 0 and gradient 0 and its targets are never read.
// With masked = 0 every row is valid and lengths is not read.
// The including shader declares a uniform `params` with u32 members B, C, masked; read_write storage
// `lossRows` [R] and `dlogits` [R, C] (array<f32>); read-only `lengths` (array<i32>, lib/lengths.wgsl).
// #include lib/lengths.wgsl

// Zeroes row r's loss and gradient and returns true when it is a padded step; false otherwise.
fn paddedRow(r: u32) -> bool {
  if (params.masked == 0u || r / params.B < rowLength(r % params.B)) { return false; }
  lossRows[r] = 0.0;
  let o = r * params.C;
  for (var k = 0u; k < params.C; k++) { dlogits[o + k] = 0.0; }
  return true;
}
