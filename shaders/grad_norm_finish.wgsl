// grad_norm_finish: the global norm from grad_norm's P partial norms, and the clip scale,
// exactly as torch.nn.utils.clip_grad_norm_:
//
//   norm = ‖partials‖₂ = ‖grads‖₂,   coef = maxNorm / (norm + 1e-6)
//   stats[0] = norm;  stats[1] = coef when clip = 1 and coef < 1, else 1
//
// partials: [P] (≥ 0), stats: [4] (only stats[0] and stats[1] are written). One invocation: P is a
// few thousand at most, and a second pass over it is cheaper than any cross-invocation reduction.
// The norm is computed as the twin does: m = max partial, norm = m·√Σ (partial/m)², so it never
// overflows while the norm is a finite f32. A NaN partial makes the norm NaN; an infinite one makes
// it +∞ (with both, either). A NaN norm gives scale 1 (coef is NaN, not < 1), an infinite one
// scale 0, as the twin (clipGradNorm in src/reference/gradNorm.ts).
struct Params { P: u32, clip: u32, maxNorm: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;

override WG: u32 = 1;

const CLIP_EPS: f32 = 1e-6;             // torch's guard, added to the norm before dividing
const MAX_F32: f32 = 0x1.fffffep+127f;     // the largest finite f32

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x != 0u) { return; }
  // m = max partial; a NaN never wins the comparison, so the sum below catches it instead.
  var m = 0.0;
  for (var p = 0u; p < params.P; p++) {
    let a = partials[p];
    if (a > m) { m = a; }
  }
  var norm = m;                         // +∞ stays +∞
  if (m <= MAX_F32) {
    let d = select(m, 1.0, m == 0.0);   // all zero (or P = 0): norm 0, unless a NaN is there
    var q = 0.0;
    for (var p = 0u; p < params.P; p++) {
      let r = partials[p] / d;
      q += r * r;                       // NaN in, NaN out
    }
    norm = m * sqrt(q);
  }
  stats[0] = norm;
  let coef = params.maxNorm / (norm + CLIP_EPS);
  stats[1] = select(1.0, coef, params.clip == 1u && coef < 1.0);
}
