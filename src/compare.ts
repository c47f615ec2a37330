/**
 * The project's one error measure: per tensor,
 * ‖a − r‖₂ / max(‖r‖₂, τ), with r the float64 reference; τ = 1e-300 by default (float64 results),
 * 1e-30 for float32 results.
 */
export function normwiseError(a: ArrayLike<number>, ref: ArrayLike<number>, tau = 1e-300): number {
  if (a.length !== ref.length) throw new Error(`normwiseError: lengths differ (${a.length} vs ${ref.length})`);
  // Scaled sums avoid overflow and underflow for extreme magnitudes.
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]! - ref[i]!), Math.abs(ref[i]!));
  if (!Number.isFinite(scale)) return Number.NaN;
  if (scale === 0) return 0;
  let d = 0, r = 0;
  for (let i = 0; i < a.length; i++) {
    const di = (a[i]! - ref[i]!) / scale, ri = ref[i]! / scale;
    d += di * di;
    r += ri * ri;
  }
  return (Math.sqrt(d) * scale) / Math.max(Math.sqrt(r) * scale, tau);
}
