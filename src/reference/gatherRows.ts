/**
 * CPU twin of shaders/gather_rows.wgsl: a batch gathered from a dataset by row indices, word for
 * word (the kernel copies raw 32-bit words, so any element type; here numbers).
 *
 *   timeMajor false: out[b·W + e] = src[srcOffset + idx[b]·W + e]
 *   timeMajor true:  out[((e / w)·B + b)·w + e % w] = src[srcOffset + idx[b]·W + e]
 */
export function gatherRows(
  idx: ArrayLike<number>, src: ArrayLike<number>, out: { [i: number]: number }, B: number, W: number, w: number,
  timeMajor: boolean, srcOffset = 0,
): void {
  for (let b = 0; b < B; b++) {
    for (let e = 0; e < W; e++) {
      const value = src[srcOffset + idx[b]! * W + e]!;
      out[timeMajor ? (Math.floor(e / w) * B + b) * w + (e % w) : b * W + e] = value;
    }
  }
}
