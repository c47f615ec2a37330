/**
 * How many invocations one dispatch of a per-timestep kernel needs (the shaders' grids; see the
 * block comment of each). The blocked kernels give each invocation a tile of batch rows × columns
 * so that every loaded weight and state serves several outputs:
 *
 *   lstm_step_forward                     8 rows × 2 columns   ceil(B/8)·ceil(H/2)
 *   lstm_step_backward                    8 rows × 4 columns   ceil(B/8)·ceil(H/4)
 *   rnn_step_forward, rnn_step_backward   4 rows × 4 columns   ceil(B/4)·ceil(H/4)
 *   gru_step_forward                      8 rows × 2 columns   ceil(B/8)·ceil(H/2)
 *   gru_step_backward                     8 rows × 4 columns   ceil(B/8)·ceil(H/4)
 */

/** Tile of each blocked step kernel: [batch rows, columns] per invocation. */
export const STEP_TILES: Readonly<Record<string, readonly [number, number]>> = {
  lstm_step_forward: [8, 2],
  lstm_step_backward: [8, 4],
  rnn_step_forward: [4, 4],
  rnn_step_backward: [4, 4],
  gru_step_forward: [8, 2],
  gru_step_backward: [8, 4],
};

/** Invocations of one dispatch of step kernel `kernel` (its shader's name) for batch B, hidden size H. */
export function stepInvocations(kernel: string, B: number, H: number): number {
  const [rows, cols] = STEP_TILES[kernel] ?? [1, 1];
  return Math.ceil(B / rows) * Math.ceil(H / cols);
}

/**
 * Workgroup size of the blocked step kernels. Their grids are small (B 50, H 5 is 21 tiles
 * forward, 14 backward): SwiftShader runs one workgroup on one thread, so 64-wide workgroups left
 * one of two cores idle there (measured 1.5–2× slower than 8); at B 64, H 128–256, 8, 16 and 64
 * measured the same within noise.
 */
export const STEP_WG = 8;

/** Overrides and grid of one dispatch of step kernel `kernel`; a kernel without a tile would run one (b, j) per invocation in workgroups of `defaultWg`. */
export function stepDispatch(kernel: string, B: number, H: number, defaultWg: number): { overrides?: Record<string, number>; workgroups: [number, number, number] } {
  if (!STEP_TILES[kernel]) return { workgroups: [Math.max(1, Math.ceil((B * H) / defaultWg)), 1, 1] };
  return { overrides: { WG: STEP_WG }, workgroups: [Math.max(1, Math.ceil(stepInvocations(kernel, B, H) / STEP_WG)), 1, 1] };
}
