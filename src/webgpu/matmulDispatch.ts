/**
 * The grid of shaders/matmul.wgsl, computed from the same override values the pipeline is compiled
 * with, so that the engine, the tests and the benchmarks agree. One invocation owns a TM×TN tile of
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
import { RuntimeFailure } from '../errors.js';

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
