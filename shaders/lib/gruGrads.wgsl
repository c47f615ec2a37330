// lib/gruGrads.wgsl: the GRU cell's backward for four lanes, from dh (the gradient reaching the
// step's output, every term already summed in) and the forward's (r, z, n, ghn) and h[t]: the one
// copy of this math for gru_step_backward and gru_layer_backward (which compare bit for bit).
// Pure: an including shader declares nothing for it.
//
//   dn = dh·(1 − z),  dz = dh·(hPrev − n)
//   dpre_n = dn·(1 − n²),  dpre_r = dpre_n·ghn·r(1 − r),  dpre_z = dz·z(1 − z)
// 1 − n² is formed as (1 − n)(1 + n), exact-ish for saturated n (1 − n is exact for n ∈ [½, 1]).

struct GruGrads {
  dpr: vec4f,   // d pre_r: dgx and dgh at column j
  dpz: vec4f,   // d pre_z: dgx and dgh at H + j
  dpn: vec4f,   // d pre_n: dgx at 2H + j
  dpnr: vec4f,  // dpre_n · r: dgh at 2H + j (the hidden side W_hn·h + b_hn sits inside r·(…))
  carry: vec4f, // dh · z: the direct path h[t] → h[t+1], dhCarry
}

fn gruGrads4(dh: vec4f, r: vec4f, z: vec4f, n: vec4f, ghn: vec4f, hPrev: vec4f) -> GruGrads {
  let dn = dh * (1.0 - z);
  let dz = dh * (hPrev - n);
  let dpn = dn * ((1.0 - n) * (1.0 + n));
  return GruGrads(dpn * ghn * (r * (1.0 - r)), dz * (z * (1.0 - z)), dpn, dpn * r, dh * z);
}
