// lib/activations.wgsl: overflow-free σ and tanh on four lanes at once (the step and layer kernels'
// vec4 tiles). Pure functions: an including shader declares nothing for them.
// Included with `// #include lib/activations.wgsl` (scripts/wgsl-source.mjs appends this file).

// σ(x) without overflow, per lane: exp only ever sees −|x| ≤ 0, so it lies in (0, 1].
fn sigmoid4(x: vec4f) -> vec4f {
  let e = exp(-abs(x));
  let s = 1.0 / (1.0 + e);
  return select(e * s, s, x >= vec4f(0.0));
}

// tanh(x) without overflow, per lane. WGSL's tanh returns NaN for |x| ≥ 89 on SwiftShader
// (measured: it forms exp(2x)), so: tanh|x| = (1 − e) / (1 + e) with e = exp(−2|x|) ∈ (0, 1]; for
// |x| < 1/4, where 1 − e cancels, the odd Taylor series to x⁹ (truncation < 1e-8 relative).
fn tanh4(x: vec4f) -> vec4f {
  let a = abs(x);
  let e = exp(-2.0 * a);
  let big = (1.0 - e) / (1.0 + e);
  let a2 = a * a;
  let small = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0 + a2 * (62.0 / 2835.0)))));
  return sign(x) * select(big, small, a < vec4f(0.25));
}
