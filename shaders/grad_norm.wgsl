// grad_norm: first half of the global gradient norm (torch.nn.utils.clip_grad_norm_, norm 2).
//
//   partials[p] = ‖(grads[i])_{i ≡ p (mod P)}‖₂        so that  ‖grads‖₂² = Σ_p partials[p]²
//
// grads: [n] (the one flat gradient buffer), partials: [P]. Invocation p owns partial p and walks
// i = p, p + P, p + 2P, … : neighbouring invocations read neighbouring elements; no barriers, no
// atomics. grad_norm_finish combines the P partials.
//
// Range: each partial is a norm, not a sum of squares, accumulated with a running rescale (as
// LAPACK's nrm2): with s = max |g| seen so far and q = Σ (g/s)², a larger |g| rescales q once.
// So g² never overflows (|g| up to f32's max, ~3.4e38, where a plain Σ g² overflows past
// |g| ~ 1.8e19) nor underflows relative to the largest element; the result is exact to f32
// rounding whenever the norm itself is a finite f32 above ~1.2e-38 (f32's smallest normal).
// A NaN element makes its partial NaN; an infinite one makes it +∞ (where the arithmetic is IEEE,
// as on Vulkan/SwiftShader; WGSL lets an implementation assume finite math).
// Twin: gradNorm in src/reference/gradNorm.ts (over the whole buffer; its scaling is the same idea).
struct Params { n: u32, P: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

override WG: u32 = 64;

// f32's smallest normal: 1/s is kept finite by never dividing by a smaller scale.
const MIN_NORMAL: f32 = 1.17549435e-38;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let p = gid.x;
  if (p >= params.P) { return; }
  var s = 0.0;                     // max |g| so far
  var inv = 1.0 / MIN_NORMAL;      // 1 / max(s, MIN_NORMAL): a multiply per element, not a divide
  var q = 0.0;                     // Σ (g/s)²
  for (var i = p; i < params.n; i += params.P) {
    let a = abs(grads[i]);
    if (a > s) {
      let r = s / a;               // rescale what was summed to the new maximum
      q = 1.0 + q * r * r;
      s = a;
      inv = 1.0 / max(s, MIN_NORMAL);
    } else {
      // a == s counts 1 exactly (also when both are +∞, where a·inv would be ∞·0); NaN stays NaN.
      let t = select(a * inv, 1.0, a == s);
      q += t * t;
    }
  }
  partials[p] = s * sqrt(q);
}
