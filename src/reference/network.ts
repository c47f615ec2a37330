/**
 * The whole network in float64: the composition of the kernel twins in exactly the order the GPU
 * plan records them (DESIGN.md section 1). Everything per timestep is time-major: [T, B, …].
 *
 * Forward, per layer k:  Gx = X_k·W_ihᵀ + b (hoisted matmul) → T step kernels → h, c, gates.
 * Head:                  logits = F·W_headᵀ + b_head over the kept rows.
 * Backward:              head matmuls → per layer, T step kernels from t = T−1 down to 0 →
 *                        hoisted dW_ih = dGxᵀ·X_k, dW_hh = dGhᵀ·H_prev, db = Σ rows, dX_k = dGx·W_ih.
 */
import { gateCount, cellModuleName, headInputSize, type ResolvedConfig } from '../config.js';
import { paramView, type ParamLayout } from '../params.js';
import { matmul } from './matmul.js';
import { reduceRows } from './reduceRows.js';
import { lstmStepForward } from './lstmStepForward.js';
import { lstmStepBackward } from './lstmStepBackward.js';
import { rnnStepForward } from './rnnStepForward.js';
import { rnnStepBackward } from './rnnStepBackward.js';
import { gruStepForward } from './gruStepForward.js';
import { gruStepBackward } from './gruStepBackward.js';

export interface LayerCache {
  /** Input of the layer, time-major [T, B, I_k]. */
  input: Float64Array;
  /** Hidden states [T+1, B, H]; slice 0 is the initial state, slice t+1 the output of step t. */
  h: Float64Array;
  /** Cell states [T+1, B, H] (LSTM only). */
  c: Float64Array | null;
  /** What backward needs per step: LSTM activated i,f,g,o [T,B,4H]; GRU r,z,n,ghn [T,B,4H]; RNN none. */
  gates: Float64Array | null;
}

export interface ForwardCache {
  cfg: ResolvedConfig;
  layout: ParamLayout;
  params: Float64Array;
  B: number;
  T: number;
  layers: LayerCache[];
  /** Head input rows: [R, F] with R = T·B (outputs all, row t·B + b) or B (outputs last). */
  features: Float64Array;
  /** Logits per head row [R, C], time-major for outputs all. */
  logits: Float64Array;
  rows: number;
}

export interface BackwardResult {
  /** Gradient of every parameter, flat, in the layout of the parameters. */
  grads: Float64Array;
  /** Gradients of the initial states [L, B, H]. */
  dh0: Float64Array;
  dc0: Float64Array | null;
}

/** [B, T, I] batch-first → [T, B, I] time-major. */
export function toTimeMajor(x: ArrayLike<number>, B: number, T: number, I: number): Float64Array {
  const out = new Float64Array(T * B * I);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + t) * I, dst = (t * B + b) * I;
      for (let i = 0; i < I; i++) out[dst + i] = x[src + i]!;
    }
  }
  return out;
}

/** [T, B, I] time-major → [B, T, I] batch-first. */
export function toBatchFirst(x: ArrayLike<number>, B: number, T: number, I: number): Float64Array {
  const out = new Float64Array(T * B * I);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const src = (t * B + b) * I, dst = (b * T + t) * I;
      for (let i = 0; i < I; i++) out[dst + i] = x[src + i]!;
    }
  }
  return out;
}

function names(cfg: ResolvedConfig, k: number) {
  const P = cellModuleName(cfg.cell);
  return { wIh: `${P}.weight_ih_l${k}`, wHh: `${P}.weight_hh_l${k}`, bIh: `${P}.bias_ih_l${k}`, bHh: `${P}.bias_hh_l${k}` };
}

/**
 * Forward pass. x: batch-first [B, T, I]; h0, c0: [L, B, H] (c0 for LSTM only).
 */
export function forwardNetwork(
  cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array,
  x: ArrayLike<number>, B: number, T: number, h0: Float64Array, c0: Float64Array | null,
): ForwardCache {
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H;
  const layers: LayerCache[] = [];
  let input = toTimeMajor(x, B, T, cfg.inputSize);
  for (let k = 0; k < cfg.numLayers; k++) {
    const Ik = k === 0 ? cfg.inputSize : H;
    const n = names(cfg, k);
    const wIh = paramView(layout, params, n.wIh), wHh = paramView(layout, params, n.wHh);
    const bIh = paramView(layout, params, n.bIh), bHh = paramView(layout, params, n.bHh);
    // Both biases fold into the hoisted projection, except GRU's b_hn, which sits inside r ⊙ (…).
    const bias = new Float64Array(GH);
    for (let r = 0; r < GH; r++) bias[r] = bIh[r]! + (cfg.cell === 'gru' && r >= 2 * H ? 0 : bHh[r]!);
    const gx = new Float64Array(T * B * GH);
    matmul(input, wIh, gx, { M: T * B, N: GH, K: Ik, transB: true, bias });

    const h = new Float64Array((T + 1) * BH);
    h.set(h0.subarray(k * BH, (k + 1) * BH), 0);
    const c = cfg.cell === 'lstm' ? new Float64Array((T + 1) * BH) : null;
    if (c && c0) c.set(c0.subarray(k * BH, (k + 1) * BH), 0);
    const gates = cfg.cell === 'rnn_tanh' ? null : new Float64Array(T * B * 4 * H);
    const bHn = bHh.subarray(2 * H, 3 * H);
    for (let t = 0; t < T; t++) {
      const gxt = gx.subarray(t * B * GH, (t + 1) * B * GH);
      const hPrev = h.subarray(t * BH, (t + 1) * BH), hOut = h.subarray((t + 1) * BH, (t + 2) * BH);
      if (cfg.cell === 'lstm') {
        lstmStepForward(gxt, hPrev, c!.subarray(t * BH, (t + 1) * BH), wHh, hOut, c!.subarray((t + 1) * BH, (t + 2) * BH),
          gates!.subarray(t * B * 4 * H, (t + 1) * B * 4 * H), B, H);
      } else if (cfg.cell === 'gru') {
        gruStepForward(gxt, hPrev, wHh, bHn, hOut, gates!.subarray(t * B * 4 * H, (t + 1) * B * 4 * H), B, H);
      } else {
        rnnStepForward(gxt, hPrev, wHh, hOut, B, H);
      }
    }
    layers.push({ input, h, c, gates });
    input = h.slice(BH); // the next layer reads h[1..T]
  }

  const top = layers[cfg.numLayers - 1]!;
  const features = gatherHeadFeatures(cfg, top, B, T);
  const rows = cfg.outputs === 'all' ? T * B : B;
  const C = cfg.outputSize;
  const logits = new Float64Array(rows * C);
  matmul(features, paramView(layout, params, 'head.weight'), logits, {
    M: rows, N: C, K: headInputSize(cfg), transB: true, bias: paramView(layout, params, 'head.bias'),
  });
  return { cfg, layout, params, B, T, layers, features, logits, rows };
}

/**
 * The head's input rows. outputs all: row t·B + b holds (c[t], h[t]) or h[t] of the top layer;
 * outputs last: row b holds the last headSteps steps, oldest first, each (c, h) or h.
 */
function gatherHeadFeatures(cfg: ResolvedConfig, top: LayerCache, B: number, T: number): Float64Array {
  const H = cfg.hiddenSize, F = headInputSize(cfg), BH = B * H;
  const withC = cfg.headFrom === 'ch';
  const per = withC ? 2 * H : H;
  if (cfg.outputs === 'all') {
    const out = new Float64Array(T * B * F);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const dst = (t * B + b) * F, src = (t + 1) * BH + b * H;
        if (withC) out.set(top.c!.subarray(src, src + H), dst);
        out.set(top.h.subarray(src, src + H), dst + (withC ? H : 0));
      }
    }
    return out;
  }
  const k = cfg.headSteps;
  const out = new Float64Array(B * F);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < k; s++) {
      const t = T - k + s;
      const dst = b * F + s * per, src = (t + 1) * BH + b * H;
      if (withC) out.set(top.c!.subarray(src, src + H), dst);
      out.set(top.h.subarray(src, src + H), dst + (withC ? H : 0));
    }
  }
  return out;
}

/** The scatter that is the adjoint of gatherHeadFeatures: dF [R, F] → dh, dc of the top layer [T, B, H]. */
function scatterHeadGradient(cfg: ResolvedConfig, dF: Float64Array, B: number, T: number): { dh: Float64Array; dc: Float64Array | null } {
  const H = cfg.hiddenSize, F = headInputSize(cfg), BH = B * H;
  const withC = cfg.headFrom === 'ch';
  const per = withC ? 2 * H : H;
  const dh = new Float64Array(T * BH);
  const dc = withC ? new Float64Array(T * BH) : null;
  const put = (src: number, t: number, b: number): void => {
    const dst = t * BH + b * H;
    for (let j = 0; j < H; j++) {
      if (withC) dc![dst + j] += dF[src + j]!;
      dh[dst + j] += dF[src + (withC ? H : 0) + j]!;
    }
  };
  if (cfg.outputs === 'all') {
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) put((t * B + b) * F, t, b);
  } else {
    const k = cfg.headSteps;
    for (let b = 0; b < B; b++) for (let s = 0; s < k; s++) put(b * F + s * per, T - k + s, b);
  }
  return { dh, dc };
}

/**
 * Backward pass through time. dlogits: [R, C] (already scaled by the loss's mean reduction).
 */
export function backwardNetwork(cache: ForwardCache, dlogits: Float64Array): BackwardResult {
  const { cfg, layout, params, B, T, layers, features, rows } = cache;
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H, C = cfg.outputSize, L = cfg.numLayers;
  const grads = new Float64Array(layout.total);
  const F = headInputSize(cfg);

  // Head: dW = dLᵀ·F, db = Σ rows dL, dF = dL·W.
  matmul(dlogits, features, paramView(layout, grads, 'head.weight'), { M: C, N: F, K: rows, transA: true });
  reduceRows(dlogits, paramView(layout, grads, 'head.bias'), rows, C);
  const dF = new Float64Array(rows * F);
  matmul(dlogits, paramView(layout, params, 'head.weight'), dF, { M: rows, N: F, K: C });
  let { dh: dhAbove, dc: dcAbove } = scatterHeadGradient(cfg, dF, B, T);

  const dh0 = new Float64Array(L * BH);
  const dc0 = cfg.cell === 'lstm' ? new Float64Array(L * BH) : null;
  for (let k = L - 1; k >= 0; k--) {
    const Ik = k === 0 ? cfg.inputSize : H;
    const n = names(cfg, k);
    const wIh = paramView(layout, params, n.wIh), wHh = paramView(layout, params, n.wHh);
    const layer = layers[k]!;
    // dgx: gradient of the input-side pre-activations; dgh: of the hidden-side ones (equal except GRU).
    const dgx = new Float64Array(T * B * GH);
    const dgh = cfg.cell === 'gru' ? new Float64Array(T * B * GH) : dgx;
    const carry = [new Float64Array(BH), new Float64Array(BH)]; // dc (LSTM) or dh⊙z (GRU), ping-pong
    for (let t = T - 1; t >= 0; t--) {
      const sl = (a: Float64Array, w: number, s: number) => a.subarray(s * B * w, (s + 1) * B * w);
      const dhA = dhAbove.subarray(t * BH, (t + 1) * BH);
      const next = t === T - 1 ? null : sl(dgh, GH, t + 1);
      const carryIn = t === T - 1 ? null : carry[(t + 1) & 1]!;
      const carryOut = carry[t & 1]!;
      if (cfg.cell === 'lstm') {
        lstmStepBackward(dhA, dcAbove ? dcAbove.subarray(t * BH, (t + 1) * BH) : null, next, carryIn, wHh,
          sl(layer.gates!, 4 * H, t), layer.c!.subarray((t + 1) * BH, (t + 2) * BH), layer.c!.subarray(t * BH, (t + 1) * BH),
          sl(dgx, GH, t), carryOut, B, H);
      } else if (cfg.cell === 'gru') {
        gruStepBackward(dhA, next, carryIn, wHh, sl(layer.gates!, 4 * H, t), layer.h.subarray(t * BH, (t + 1) * BH),
          sl(dgx, GH, t), sl(dgh, GH, t), carryOut, B, H);
      } else {
        rnnStepBackward(dhA, next, wHh, layer.h.subarray((t + 1) * BH, (t + 2) * BH), sl(dgx, GH, t), B, H);
      }
    }
    // Gradient of the initial state: the recurrent term of step 0, plus the carried direct paths.
    const dh0k = dh0.subarray(k * BH, (k + 1) * BH);
    matmul(dgh.subarray(0, B * GH), wHh, dh0k, { M: B, N: H, K: GH });
    if (cfg.cell === 'gru') for (let i = 0; i < BH; i++) dh0k[i] += carry[0]![i]!;
    if (dc0) dc0.set(carry[0]!, k * BH);

    // Hoisted BPTT accumulation over all T·B rows.
    matmul(dgx, layer.input, paramView(layout, grads, n.wIh), { M: GH, N: Ik, K: T * B, transA: true });
    matmul(dgh, layer.h, paramView(layout, grads, n.wHh), { M: GH, N: H, K: T * B, transA: true });
    reduceRows(dgx, paramView(layout, grads, n.bIh), T * B, GH);
    reduceRows(dgh, paramView(layout, grads, n.bHh), T * B, GH);
    if (k > 0) {
      const dInput = new Float64Array(T * BH);
      matmul(dgx, wIh, dInput, { M: T * B, N: H, K: GH });
      dhAbove = dInput;
      dcAbove = null;
    }
  }
  return { grads, dh0, dc0 };
}
