// lib/rows.wgsl: the indices of a quad of batch rows or hidden columns (the lanes of a vec4),
// clamped so that lanes past the end read the last row or column (always in bounds; such lanes
// are computed and never stored). Pure functions: an including shader declares nothing for them.

// x0, x0+1, x0+2, x0+3, each clamped to n − 1.
fn clamp4(x0: u32, n: u32) -> vec4u {
  let last = n - 1u;
  return vec4u(min(x0, last), min(x0 + 1u, last), min(x0 + 2u, last), min(x0 + 3u, last));
}

// Element offsets of rows b0 … b0+3 in a [·, B, n] slice starting at base; rows ≥ B read row B−1.
fn rows4(base: u32, b0: u32, B: u32, n: u32) -> vec4u {
  return vec4u(base) + clamp4(b0, B) * n;
}
