/**
 * The tail slots of a layer's state buffers (see shaders/lstm_step_forward.wgsl): h and c are
 * [T+1+K, B, H]; a live row at one of its last K steps (t ≥ lengths[b] − K) copies its new state
 * into slot t + K − lengths[b], at element (T+1+s)·B·H + b·H. The backward kernels read the
 * gradient of those slots from dhAbove (and dcAbove) [T+K, B, H] at slice T + s. Shared by the
 * twins of the layer kernels.
 */

/** Copies row b's state of step t (slice t+1) into its tail slot when the step is one of its last K. */
export function writeTails(buf: Float64Array, lengths: ArrayLike<number>, t: number, T: number, B: number, H: number, K: number): void {
  const BH = B * H;
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    if (t >= len || t + K < len) continue;
    const s = t + K - len;
    buf.copyWithin((T + 1 + s) * BH + b * H, (t + 1) * BH + b * H, (t + 1) * BH + (b + 1) * H);
  }
}

/** The gradient reaching step t of each row from above: dhAbove[t], plus its tail slot's at a row's last K steps. */
export function withTails(above: ArrayLike<number>, lengths: ArrayLike<number>, t: number, T: number, B: number, H: number, K: number): Float64Array {
  const BH = B * H;
  const out = new Float64Array(BH);
  for (let i = 0; i < BH; i++) out[i] = above[t * BH + i]!;
  for (let b = 0; b < B; b++) {
    const len = lengths[b]!;
    if (t >= len || t + K < len) continue;
    const s = t + K - len;
    for (let j = 0; j < H; j++) out[b * H + j] += above[(T + s) * BH + b * H + j]!;
  }
  return out;
}
