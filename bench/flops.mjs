// Useful floating-point work of one training step, as the benchmarks count it: matmul
// multiply-adds only (2 FLOP each); pointwise gate math, the loss and the optimizer update are
// left out (they are O(T·B·H) and O(params), small next to the matmuls at every size we bench).
//
//   forward, layer k:  2·T·B·G·H·(I_k + H)       input projection (I_k) and recurrence (H) of all
//                                                 G gates (G = 4 LSTM, 3 GRU, 1 tanh RNN);
//                                                 I_0 = I, I_k = H above
//   head:              2·R·C·(m·H)               R = B·T rows (outputs 'all') or B ('last');
//                                                 m = headSteps × (2 if headFrom = 'ch' else 1)
//   backward ≈ 2 × forward (each matmul A·B has two gradient matmuls of the same size)
//   step = forward + backward = 3 × forward

/** @param {string} cell */
export function gatesOf(cell) {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}

/**
 * @param {{ cell: string, inputSize: number, hiddenSize: number, numLayers: number, outputSize: number,
 *           outputs: 'all' | 'last', headSteps?: number, headFrom?: 'h' | 'ch' }} cfg
 * @param {number} B batch
 * @param {number} T timesteps
 * @returns {{ forward: number, backward: number, step: number }} FLOP
 */
export function stepFlops(cfg, B, T) {
  const G = gatesOf(cfg.cell), H = cfg.hiddenSize;
  let forward = 0;
  for (let k = 0; k < cfg.numLayers; k++) {
    const Ik = k === 0 ? cfg.inputSize : H;
    forward += 2 * T * B * G * H * (Ik + H);
  }
  const rows = cfg.outputs === 'all' ? B * T : B;
  const m = (cfg.outputs === 'last' ? (cfg.headSteps ?? 1) : 1) * (cfg.headFrom === 'ch' ? 2 : 1);
  forward += 2 * rows * cfg.outputSize * m * H;
  return { forward, backward: 2 * forward, step: 3 * forward };
}

export const FLOP_FORMULA =
  'step = 3 × forward (backward ≈ 2 × forward); forward = Σ_k 2·T·B·G·H·(I_k + H) + 2·R·C·(m·H), ' +
  'G = 4 (LSTM), I_0 = I, I_k = H, R = B·T (outputs all) or B (last), m = headSteps × (2 if headFrom ch); ' +
  'matmul multiply-adds only';
