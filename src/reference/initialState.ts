/**
 * Which initial state a pass starts from, per tensor: the caller's h0/c0 [L, B, H] when given
 * (explicit, or carried by a stateful trainer), else the learned `init.h0`/`init.c0` [L, H]
 * broadcast over the batch, else zeros. A learned state's gradient is the batch sum of dh0/dc0.
 */
import type { ResolvedConfig } from '../config.js';
import { paramView, type ParamLayout } from '../params.js';

export interface StartState {
  h0: Float64Array;
  c0: Float64Array | null;
  learnedH: boolean;
  learnedC: boolean;
}

function broadcast(layerRows: Float64Array, L: number, B: number, H: number): Float64Array {
  const out = new Float64Array(L * B * H);
  for (let k = 0; k < L; k++) for (let b = 0; b < B; b++) out.set(layerRows.subarray(k * H, (k + 1) * H), (k * B + b) * H);
  return out;
}

export function startState(
  cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array, B: number,
  given: { h0?: ArrayLike<number> | null; c0?: ArrayLike<number> | null },
): StartState {
  const L = cfg.numLayers, H = cfg.hiddenSize;
  const learned = cfg.learnedInitialState;
  const pick = (g: ArrayLike<number> | null | undefined, name: string): [Float64Array, boolean] => {
    if (g) return [Float64Array.from(g), false];
    if (learned) return [broadcast(paramView(layout, params, name), L, B, H), true];
    return [new Float64Array(L * B * H), false];
  };
  const [h0, learnedH] = pick(given.h0, 'init.h0');
  if (cfg.cell !== 'lstm') return { h0, c0: null, learnedH, learnedC: false };
  const [c0, learnedC] = pick(given.c0, 'init.c0');
  return { h0, c0, learnedH, learnedC };
}

/** Adds Σ_b dh0[k, b, :] into grad init.h0[k, :] (and likewise c) where the learned state was used. */
export function accumulateLearnedStateGradient(
  cfg: ResolvedConfig, layout: ParamLayout, grads: Float64Array, start: StartState,
  dh0: Float64Array, dc0: Float64Array | null, B: number,
): void {
  const L = cfg.numLayers, H = cfg.hiddenSize;
  const add = (name: string, d: Float64Array): void => {
    const g = paramView(layout, grads, name);
    for (let k = 0; k < L; k++) for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) g[k * H + j] += d[(k * B + b) * H + j]!;
  };
  if (start.learnedH) add('init.h0', dh0);
  if (start.learnedC && dc0) add('init.c0', dc0);
}
