/**
 * CPU twins of shaders/embedding_gather.wgsl and embedding_backward.wgsl: the token front end
 * (PyTorch's nn.Embedding), x[b, t] ids into embedding.weight E [V, I].
 *
 *   gather:   X[t·B + b, :] = E[x[b, t], :]                      (time-major rows, as the layers read)
 *   backward: dE[v, :] = Σ_{(t, b) : x[b, t] = v} dX[t·B + b, :]    (dense [V, I]; rows of unused ids 0)
 *
 * The backward sums each id's rows in increasing row order (t·B + b), which is the order the kernel
 * uses (it walks the positions of each id from a counting sort made on the host; see its header).
 * Rows of padded steps (t ≥ len_b) have dX = 0, so they add nothing.
 */
export function embeddingGather(ids: ArrayLike<number>, E: ArrayLike<number>, X: Float64Array, B: number, T: number, I: number): void {
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const v = ids[b * T + t]!, dst = (t * B + b) * I;
      for (let i = 0; i < I; i++) X[dst + i] = E[v * I + i]!;
    }
  }
}

export function embeddingBackward(ids: ArrayLike<number>, dX: ArrayLike<number>, dE: Float64Array, B: number, T: number, I: number, V: number): void {
  dE.fill(0, 0, V * I);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const v = ids[b * T + t]!, src = (t * B + b) * I;
      for (let i = 0; i < I; i++) dE[v * I + i] += dX[src + i]!;
    }
  }
}
