/**
 * Our (PyTorch's) recurrent weights → the W, R, B inputs of ONNX's LSTM / GRU / RNN operators.
 *
 * A layer's gate rows come in blocks of H rows. PyTorch orders the blocks LSTM i, f, g, o;
 * GRU r, z, n; RNN one block. ONNX orders them LSTM i, o, f, c (c is PyTorch's g); GRU z, r, h
 * (h is PyTorch's n); RNN one block. So ONNX block q holds our block ONNX_GATE_ORDER[cell][q]:
 *
 *   LSTM  [i, o, f, c] ← our blocks [0, 3, 1, 2]
 *   GRU   [z, r, h]    ← our blocks [1, 0, 2]
 *   RNN   [h]          ← our block  [0]
 *
 * With one direction, W = weight_ih_l{k} with its row blocks permuted, shape [1, G·H, I_k];
 * R = weight_hh_l{k} permuted the same way, [1, G·H, H]; B = [Wb, Rb] = bias_ih_l{k} permuted,
 * then bias_hh_l{k} permuted, [1, 2·G·H]. Each row keeps its columns: both use row-major
 * [out, in] matrices applied as x·Wᵀ. ONNX GRU with linear_before_reset = 1 computes
 * h̃ = tanh(W_h·x + Wb_h + r ⊙ (R_h·h + Rb_h)), PyTorch's n, so Rb_h stays inside r ⊙ (…) as ours does.
 */
import type { CellType } from '../config.js';

export const ONNX_GATE_ORDER: Readonly<Record<CellType, readonly number[]>> = {
  lstm: [0, 3, 1, 2],
  gru: [1, 0, 2],
  rnn_tanh: [0],
  rnn_relu: [0],
};

/**
 * Rows of `m` ([G·H, cols], row-major) with its H-row blocks reordered: block q of the result is
 * block order[q] of `m`. A bias is the case cols = 1.
 */
export function permuteGateBlocks(m: ArrayLike<number>, order: readonly number[], H: number, cols: number): Float64Array {
  const G = order.length, block = H * cols;
  if (m.length !== G * block) throw new Error(`permuteGateBlocks: expected ${G * block} values (${G}·${H} rows × ${cols}), received ${m.length}`);
  const out = new Float64Array(G * block);
  for (let q = 0; q < G; q++) {
    const src = order[q]! * block;
    for (let i = 0; i < block; i++) out[q * block + i] = m[src + i]!;
  }
  return out;
}

export interface OnnxRecurrentWeights {
  /** [1, G·H, I_k] */
  W: Float64Array;
  /** [1, G·H, H] */
  R: Float64Array;
  /** [1, 2·G·H]: Wb then Rb */
  B: Float64Array;
}

/** One layer's PyTorch tensors in ONNX's layout (one direction). */
export function onnxRecurrentWeights(
  cell: CellType, H: number, inputSize: number,
  weightIh: ArrayLike<number>, weightHh: ArrayLike<number>, biasIh: ArrayLike<number>, biasHh: ArrayLike<number>,
): OnnxRecurrentWeights {
  const order = ONNX_GATE_ORDER[cell];
  const GH = order.length * H;
  const B = new Float64Array(2 * GH);
  B.set(permuteGateBlocks(biasIh, order, H, 1), 0);
  B.set(permuteGateBlocks(biasHh, order, H, 1), GH);
  return {
    W: permuteGateBlocks(weightIh, order, H, inputSize),
    R: permuteGateBlocks(weightHh, order, H, H),
    B,
  };
}

/** mᵀ of a row-major [rows, cols] matrix: [cols, rows]. */
export function transpose(m: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
