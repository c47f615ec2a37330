/**
 * Keras weight layouts ↔ PyTorch's (DESIGN.md section 5), as pure index maps.
 *
 * Keras stores a recurrent layer's `kernel` as [K, G·H] (input features × gate columns) and applies
 * it as x·kernel; PyTorch stores `weight_ih` as [G·H, K] and applies it as W·x. So one is the
 * other's transpose, with the gate blocks of H columns possibly in another order:
 *
 *   weight[p·H + j, i] = kernel[i, KERAS_BLOCK[p]·H + j]    (p: PyTorch's block, j < H, i < K)
 *
 * KERAS_BLOCK per cell: LSTM [0, 1, 2, 3] (Keras i, f, c, o = PyTorch i, f, g, o); GRU [1, 0, 2]
 * (PyTorch r, z, n read Keras's blocks r = 1, z = 0, h = 2; Keras's order is z, r, h); the plain
 * RNNs [0]. Biases map the same way, one block index per element. Dense `kernel` [F, C] is
 * `head.weight` [C, F] transposed, and `embeddings` [V, I] is `embedding.weight` unchanged.
 */
import type { CellType } from '../config.js';

/** For each PyTorch gate block p, the Keras block it is read from. */
export function kerasBlocks(cell: CellType): readonly number[] {
  return cell === 'lstm' ? [0, 1, 2, 3] : cell === 'gru' ? [1, 0, 2] : [0];
}

/** Keras kernel [K, G·H] → PyTorch weight [G·H, K]. */
export function kernelToTorch(kernel: ArrayLike<number>, K: number, H: number, blocks: readonly number[]): Float64Array {
  const GH = blocks.length * H;
  const out = new Float64Array(GH * K);
  blocks.forEach((kb, p) => {
    for (let j = 0; j < H; j++) {
      const row = p * H + j, col = kb * H + j;
      for (let i = 0; i < K; i++) out[row * K + i] = kernel[i * GH + col]!;
    }
  });
  return out;
}

/** PyTorch weight [G·H, K] → Keras kernel [K, G·H] (the inverse of kernelToTorch). */
export function torchToKernel(weight: ArrayLike<number>, K: number, H: number, blocks: readonly number[]): Float64Array {
  const GH = blocks.length * H;
  const out = new Float64Array(K * GH);
  blocks.forEach((kb, p) => {
    for (let j = 0; j < H; j++) {
      const row = p * H + j, col = kb * H + j;
      for (let i = 0; i < K; i++) out[i * GH + col] = weight[row * K + i]!;
    }
  });
  return out;
}

/** Keras bias row [G·H] (starting at `offset` of `bias`) → PyTorch bias [G·H]. */
export function biasToTorch(bias: ArrayLike<number>, offset: number, H: number, blocks: readonly number[]): Float64Array {
  const out = new Float64Array(blocks.length * H);
  blocks.forEach((kb, p) => {
    for (let j = 0; j < H; j++) out[p * H + j] = bias[offset + kb * H + j]!;
  });
  return out;
}

/** PyTorch bias [G·H] → Keras bias row [G·H] (the inverse of biasToTorch at offset 0). */
export function torchToBias(bias: ArrayLike<number>, H: number, blocks: readonly number[]): Float64Array {
  const out = new Float64Array(blocks.length * H);
  blocks.forEach((kb, p) => {
    for (let j = 0; j < H; j++) out[kb * H + j] = bias[p * H + j]!;
  });
  return out;
}

/** [rows, cols] → [cols, rows]. */
export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}
