/**
 * The whole network in float64: the composition of the kernel twins in the order the GPU plan
 * records them (DESIGN.md section 1). Everything per timestep is time-major: [T, B, …].
 *
 * Front end (token inputs): X_0 = embedding.weight[x] (embeddingGather).
 * Forward, per layer k:  Gx = X_k·W_ihᵀ + b (hoisted matmul) → T step kernels → h, c, gates.
 * Head:                  logits = F·W_headᵀ + b_head over the kept rows.
 * Backward:              head matmuls → per layer, T step kernels from t = T−1 down to 0 →
 *                        hoisted dW_ih = dGxᵀ·X_k, dW_hh = dGhᵀ·H_prev, db = Σ rows, dX_k = dGx·W_ih;
 *                        with tokens, dE = Σ over each id's rows of dX_0 (embeddingBackward).
 *
 * Lengths (DESIGN.md section 5, PyTorch's packed sequences): row b runs steps t < len_b in every
 * layer. The step twins write zeros for a dead row (its padded h and c, and zero gradients), so
 * the head reads zero features at padded steps (logits = head.bias there) and no gradient flows
 * through them; the final state of row b is the state after step len_b − 1, i.e. slice len_b of
 * h (the GPU keeps it in a tail slot of the same buffer instead: see src/webgpu/engine/plan.ts);
 * outputs 'last' read steps len_b − k … len_b − 1.
 */
import { gateCount, cellModuleName, headInputSize, type ResolvedConfig } from '../config.js';
import { EMBEDDING, paramView, type ParamLayout } from '../params.js';
import { liveAt } from './activations.js';
import { embeddingBackward, embeddingGather } from './embeddingGather.js';
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
  /** Per-row sequence lengths [B] in [1, T], or null (every row runs T steps). */
  lengths: Int32Array | null;
  /** Token ids [B, T] (inputKind tokens), else null. */
  ids: ArrayLike<number> | null;
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

/** Steps row b runs: len_b, or T without lengths. */
export function rowLength(lengths: ArrayLike<number> | null, b: number, T: number): number {
  return lengths ? lengths[b]! : T;
}

/**
 * Forward pass. x: batch-first [B, T, I] floats, or [B, T] token ids (inputKind tokens);
 * h0, c0: [L, B, H] (c0 for LSTM only); lengths: [B] in [1, T] or null.
 */
export function forwardNetwork(
  cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array,
  x: ArrayLike<number>, B: number, T: number, h0: ArrayLike<number>, c0: ArrayLike<number> | null,
  lengths: Int32Array | null = null,
): ForwardCache {
  const layers = forwardLayers(cfg, layout, params, x, B, T, h0, c0, lengths);
  const top = layers[cfg.numLayers - 1]!;
  const features = gatherHeadFeatures(cfg, top, B, T, lengths);
  const rows = cfg.outputs === 'all' ? T * B : B;
  const logits = applyHead(cfg, layout, params, features, rows);
  return { cfg, layout, params, B, T, lengths, ids: cfg.inputKind === 'tokens' ? x : null, layers, features, logits, rows };
}

/** The head: logits [rows, C] = features [rows, F] · head.weightᵀ + head.bias. */
export function applyHead(cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array, features: Float64Array, rows: number): Float64Array {
  const logits = new Float64Array(rows * cfg.outputSize);
  matmul(features, paramView(layout, params, 'head.weight'), logits, {
    M: rows, N: cfg.outputSize, K: headInputSize(cfg), transB: true, bias: paramView(layout, params, 'head.bias'),
  });
  return logits;
}

/** Every layer of the forward pass (the front end, the input projections and the step kernels); no head. */
export function forwardLayers(
  cfg: ResolvedConfig, layout: ParamLayout, params: Float64Array,
  x: ArrayLike<number>, B: number, T: number, h0: ArrayLike<number>, c0: ArrayLike<number> | null,
  lengths: Int32Array | null = null,
): LayerCache[] {
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H;
  const relu = cfg.cell === 'rnn_relu';
  const layers: LayerCache[] = [];
  const tokens = cfg.inputKind === 'tokens';
  let input: Float64Array;
  if (tokens) {
    input = new Float64Array(T * B * cfg.inputSize);
    embeddingGather(x, paramView(layout, params, EMBEDDING), input, B, T, cfg.inputSize);
  } else {
    input = toTimeMajor(x, B, T, cfg.inputSize);
  }
  const live = Array.from({ length: T }, (_, t) => liveAt(lengths, t));
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
    for (let i = 0; i < BH; i++) h[i] = h0[k * BH + i]!;
    const c = cfg.cell === 'lstm' ? new Float64Array((T + 1) * BH) : null;
    if (c && c0) for (let i = 0; i < BH; i++) c[i] = c0[k * BH + i]!;
    const gates = cfg.cell === 'lstm' || cfg.cell === 'gru' ? new Float64Array(T * B * 4 * H) : null;
    const bHn = bHh.subarray(2 * H, 3 * H);
    for (let t = 0; t < T; t++) {
      const gxt = gx.subarray(t * B * GH, (t + 1) * B * GH);
      const hPrev = h.subarray(t * BH, (t + 1) * BH), hOut = h.subarray((t + 1) * BH, (t + 2) * BH);
      if (cfg.cell === 'lstm') {
        lstmStepForward(gxt, hPrev, c!.subarray(t * BH, (t + 1) * BH), wHh, hOut, c!.subarray((t + 1) * BH, (t + 2) * BH),
          gates!.subarray(t * B * 4 * H, (t + 1) * B * 4 * H), B, H, live[t]);
      } else if (cfg.cell === 'gru') {
        gruStepForward(gxt, hPrev, wHh, bHn, hOut, gates!.subarray(t * B * 4 * H, (t + 1) * B * 4 * H), B, H, live[t]);
      } else {
        rnnStepForward(gxt, hPrev, wHh, hOut, B, H, relu, live[t]);
      }
    }
    layers.push({ input, h, c, gates });
    input = h.slice(BH); // the next layer reads h[1..T] (zero at padded steps, which it does not run)
  }
  return layers;
}

/** The step t of row b that head step s reads (outputs last): len_b − k + s. */
function lastStep(cfg: ResolvedConfig, lengths: ArrayLike<number> | null, b: number, T: number, s: number): number {
  return rowLength(lengths, b, T) - cfg.headSteps + s;
}

/**
 * The head's input rows. outputs all: row t·B + b holds (c[t], h[t]) or h[t] of the top layer
 * (zeros at padded steps); outputs last: row b holds steps len_b − k … len_b − 1, oldest first,
 * each (c, h) or h.
 */
function gatherHeadFeatures(cfg: ResolvedConfig, top: LayerCache, B: number, T: number, lengths: ArrayLike<number> | null): Float64Array {
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
      const t = lastStep(cfg, lengths, b, T, s);
      const dst = b * F + s * per, src = (t + 1) * BH + b * H;
      if (withC) out.set(top.c!.subarray(src, src + H), dst);
      out.set(top.h.subarray(src, src + H), dst + (withC ? H : 0));
    }
  }
  return out;
}

/** The scatter that is the adjoint of gatherHeadFeatures: dF [R, F] → dh, dc of the top layer [T, B, H]. */
function scatterHeadGradient(cfg: ResolvedConfig, dF: Float64Array, B: number, T: number, lengths: ArrayLike<number> | null): { dh: Float64Array; dc: Float64Array | null } {
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
    for (let b = 0; b < B; b++) for (let s = 0; s < k; s++) put(b * F + s * per, lastStep(cfg, lengths, b, T, s), b);
  }
  return { dh, dc };
}

/**
 * Backward pass through time. dlogits: [R, C] (already scaled by the loss's mean reduction, and
 * zero at padded rows).
 */
export function backwardNetwork(cache: ForwardCache, dlogits: Float64Array): BackwardResult {
  const { cfg, layout, params, B, T, layers, features, rows, lengths } = cache;
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H, C = cfg.outputSize, L = cfg.numLayers;
  const relu = cfg.cell === 'rnn_relu';
  const grads = new Float64Array(layout.total);
  const F = headInputSize(cfg);
  const live = Array.from({ length: T }, (_, t) => liveAt(lengths, t));

  // Head: dW = dLᵀ·F, db = Σ rows dL, dF = dL·W.
  matmul(dlogits, features, paramView(layout, grads, 'head.weight'), { M: C, N: F, K: rows, transA: true });
  reduceRows(dlogits, paramView(layout, grads, 'head.bias'), rows, C);
  const dF = new Float64Array(rows * F);
  matmul(dlogits, paramView(layout, params, 'head.weight'), dF, { M: rows, N: F, K: C });
  let { dh: dhAbove, dc: dcAbove } = scatterHeadGradient(cfg, dF, B, T, lengths);

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
          sl(dgx, GH, t), carryOut, B, H, live[t]);
      } else if (cfg.cell === 'gru') {
        gruStepBackward(dhA, next, carryIn, wHh, sl(layer.gates!, 4 * H, t), layer.h.subarray(t * BH, (t + 1) * BH),
          sl(dgx, GH, t), sl(dgh, GH, t), carryOut, B, H, live[t]);
      } else {
        rnnStepBackward(dhA, next, wHh, layer.h.subarray((t + 1) * BH, (t + 2) * BH), sl(dgx, GH, t), B, H, relu, live[t]);
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
    if (k > 0 || cache.ids) {
      const dInput = new Float64Array(T * B * Ik);
      matmul(dgx, wIh, dInput, { M: T * B, N: Ik, K: GH });
      if (k > 0) {
        dhAbove = dInput;
        dcAbove = null;
      } else {
        embeddingBackward(cache.ids!, dInput, paramView(layout, grads, EMBEDDING), B, T, Ik, cfg.vocabSize);
      }
    }
  }
  return { grads, dh0, dc0 };
}
