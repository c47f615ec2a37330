/**
 * How many invocations the register-blocked per-timestep kernels need, and their override values
 * (shaders/lstm_step_forward.wgsl, lstm_step_backward.wgsl; see the block comments there).
 *
 * lstm_step_forward: one invocation per (column j, block of 4·NV batch rows): ceil(B / 4NV)·H.
 * lstm_step_backward: one invocation per 4 × 4 tile of (batch rows, columns): ceil(B/4)·ceil(H/4).
 * Other step kernels: one invocation per (b, j), B·H.
 */

/** vec4 row groups per lstm_step_forward invocation (8 batch rows): fastest measured on SwiftShader at B 64 H 128 and B 50 H 5. */
export const LSTM_FORWARD_NV = 2;

export const LSTM_FORWARD_OVERRIDES: Readonly<Record<string, number>> = { NV: LSTM_FORWARD_NV };

/** Invocations of one step dispatch of `kernel` (the name of its shader) for batch B, hidden size H. */
export function stepInvocations(kernel: string, B: number, H: number, nv: number = LSTM_FORWARD_NV): number {
  if (kernel === 'lstm_step_forward') return Math.ceil(B / (4 * (nv === 2 ? 2 : 1))) * H;
  if (kernel === 'lstm_step_backward') return Math.ceil(B / 4) * Math.ceil(H / 4);
  return B * H;
}
