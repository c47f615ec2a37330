/**
 * Dispatch grids: how many workgroups each kernel needs for its shapes, computed from the same
 * override values its pipeline is compiled with, so that the engine, the tests and the benchmarks
 * agree. (Every kernel also guards its own index; a grid only has to cover.)
 *
 * matmul. The grid of shaders/matmul.wgsl. One invocation owns a TM×TN tile of
 * C and a workgroup WG_X×WG_Y invocations, so a workgroup covers (WG_Y·TM) rows × (WG_X·TN) columns:
 *
 *   workgroups = [ceil(N / (WG_X·TN)), ceil(M / (WG_Y·TM)), 1]
 *
 * Defaults: an 8×8 register tile per invocation in 16×4 workgroups. Measured on SwiftShader
 * (bench/matmul.mjs; bench/results/matmul.json), GFLOP per CPU-second (wall-clock was unusable on
 * the shared 2-core machine), at 1024³ / Gx (6400×1024×64, transB) / dW_hh (1024×256×6400, transA):
 *   TM×TN  4×4: 0.82 / 0.65 / 0.78    8×4: 1.27 / 0.88 / 1.21
 *          8×8: 1.65 / 1.29 / 1.66    16×8: 2.13 / 1.13 / 1.47   (12×8 ≈ 8×8 ≈ 16×8 at 1024³ in a
 *                                                               second run, within its ±15 % noise)
 * 8×8 halves the loads per multiply-add of 4×4 (each load is a 4-lane gather on SwiftShader) and is
 * best or level at the engine's shapes; 16×8 spills its 128 accumulators. The workgroup shape
 * made no measurable difference (8×8, 16×4, 32×8, 64×1, 4×4 within noise); 16×4 gives a GPU 16
 * neighbouring columns per row for its memory transactions and keeps enough workgroups to fill
 * every CPU core at the engine's shapes.
 */
import { InputError, RuntimeFailure } from '../../errors.js';

/** The override constants of matmul.wgsl (pipeline constants; part of the pipeline key). */
export type MatmulOverrides = { WG_X: number; WG_Y: number; TM: number; TN: number };

export const MATMUL_DEFAULTS: Readonly<MatmulOverrides> = Object.freeze({ WG_X: 16, WG_Y: 4, TM: 8, TN: 8 });

/** The tile sizes the kernel implements: rows in blocks of 4 (up to 16), columns 4 or 8. */
const TM_CHOICES = [4, 8, 12, 16];
const TN_CHOICES = [4, 8];

/** The override values with defaults filled in, checked against what the kernel implements. */
export function matmulOverrides(overrides: Partial<MatmulOverrides> = {}): MatmulOverrides {
  const o = { ...MATMUL_DEFAULTS, ...overrides };
  if (!TM_CHOICES.includes(o.TM)) throw new RuntimeFailure(`matmul override TM: expected one of ${TM_CHOICES.join(', ')}, received ${o.TM}`);
  if (!TN_CHOICES.includes(o.TN)) throw new RuntimeFailure(`matmul override TN: expected one of ${TN_CHOICES.join(', ')}, received ${o.TN}`);
  for (const k of ['WG_X', 'WG_Y'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new RuntimeFailure(`matmul override ${k}: expected a positive integer, received ${o[k]}`);
  }
  // WebGPU's default limit on maxComputeInvocationsPerWorkgroup.
  if (o.WG_X * o.WG_Y > 256) throw new RuntimeFailure(`matmul overrides WG_X·WG_Y: expected at most 256 invocations, received ${o.WG_X}·${o.WG_Y} = ${o.WG_X * o.WG_Y}`);
  return o;
}

/** Workgroups to dispatch for C[M, N] (zero in x and y when M or N is 0: nothing to do). */
export function matmulWorkgroups(M: number, N: number, overrides: Partial<MatmulOverrides> = {}): [number, number, 1] {
  const o = matmulOverrides(overrides);
  return [Math.ceil(N / (o.WG_X * o.TN)), Math.ceil(M / (o.WG_Y * o.TM)), 1];
}

/**
 * Step kernels. How many invocations one dispatch of a per-timestep kernel needs (the shaders' grids; see the
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

/**
 * Elementwise kernels that index element gid.x + gid.y·(num_workgroups.x·WG) (embedding_gather,
 * embedding_backward, gather_rows, optimizer_update): workgroups (x, y) covering n elements with
 * x ≤ maxPerDimension (the device's maxComputeWorkgroupsPerDimension), so n may exceed 65535·WG.
 */
export function flatWorkgroups(n: number, wg: number, maxPerDimension = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / wg));
  const x = Math.min(groups, maxPerDimension);
  const y = Math.ceil(groups / x);
  if (y > maxPerDimension) {
    throw new InputError(`a kernel over ${n} elements needs ${groups} workgroups of ${wg}, more than ${maxPerDimension}² (the device's maxComputeWorkgroupsPerDimension)`);
  }
  return [x, y, 1];
}
