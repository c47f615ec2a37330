/**
 * A plan as plain data (DESIGN.md sections 1–2): every buffer one (model, B, T, mode) needs, with
 * its size and meaning, and the ordered dispatches of one pass, with the buffers they bind by name,
 * their uniforms and their grids. Nothing here touches a GPU: plan.ts checks the spec against the
 * device's limits, and only then allocates, compiles and binds it. So a plan too big for the device
 * is refused before a byte is allocated, dispatch counts are tested without a GPU, and
 * `describePlan` prints what will run.
 *
 * Buffers are time-major per layer k (K = the layer's tail slots: headSteps for the top layer of a
 * model with outputs 'last', else 1; see lstm_step_forward.wgsl):
 *   gx [T·B, G·H]; h and c [T+1+K, B, H] (slice 0 the initial state, slices 1…T the outputs — zero
 *   at padded steps — and slices T+1…T+K the tail: the state at each row's last K steps, the last
 *   one its final state h_n); gates [T·B, 4H]; dgx (and GRU dgh) [T·B, G·H]; carry [T·B, H];
 *   dhAbove [T+K, B, H] (the gradient reaching h from above; slices T… the tail's).
 * Model-owned buffers are named `params` and `grads` (flat, src/params.ts's layout).
 */
import { gateCount, headInputSize, isPlainRnn, layerInputSize, stepKernelPrefix, cellModuleName, type ResolvedConfig } from '../../config.js';
import type { ParamLayout } from '../../params.js';
import { EMBEDDING } from '../../params.js';
import { flatWorkgroups, matmulWorkgroups, MATMUL_DEFAULTS, stepDispatch, type MatmulOverrides } from '../kernels/grids.js';

export type PlanMode = 'forward' | 'grad' | 'train';

/** One buffer of a plan: a name, 4-byte elements, and its shape for messages. */
export interface BufferSpec {
  name: string;
  elements: number;
  /** e.g. "[T+1+K, B, H] = [53, 50, 5]" */
  shape: string;
}

/** A binding of a dispatch: a buffer of the plan (or `params`/`grads` of the model). */
export type BindingSpec = string;

export interface DispatchSpec {
  label: string;
  kernel: string;
  overrides: Record<string, number>;
  buffers: Record<string, BindingSpec>;
  uniforms: Record<string, number>;
  workgroups: [number, number, number];
}

export interface PlanSpec {
  cfg: ResolvedConfig;
  B: number;
  T: number;
  mode: PlanMode;
  /** Head rows: T·B (outputs all, time-major) or B. */
  rows: number;
  /** Tail slots of each layer. */
  tails: number[];
  buffers: BufferSpec[];
  dispatches: DispatchSpec[];
  /** Which learned initial state tensors the pass starts from (their gradients are formed). */
  learned: LearnedUse;
  /** Index of the loss dispatch (its scale and mask change with lengths), or -1. */
  lossDispatch: number;
  recurrence: Recurrence;
  matmul: MatmulChoice;
}

/** Whether a pass starts from the learned init.h0 / init.c0 (each tensor may come from elsewhere). */
export interface LearnedUse {
  h: boolean;
  c: boolean;
}

/**
 * How a plan runs the recurrence of each layer: one dispatch per timestep (the step kernels, tiled
 * over batch × hidden: every invocation busy, the most parallel), or one dispatch per layer and
 * direction (the layer kernels, a time loop inside a workgroup per slice of R batch rows: one
 * barrier per step instead of one dispatch). The choice is the tuner's (tuner.ts).
 */
export type Recurrence = { kind: 'steps' } | { kind: 'looped'; R: number; WG: number };

export interface PlanOptions {
  /** The learned initial state tensors the pass starts from (default: both, when the model has them). */
  learned?: LearnedUse;
  /** Default: one dispatch per step. */
  recurrence?: Recurrence;
  /** The plan's matmuls (default: matmul.wgsl with MATMUL_DEFAULTS, 8×8). */
  matmul?: MatmulChoice;
}

/**
 * The plan's matmul kernel: matmul.wgsl (a 2-D grid of register tiles, the overrides' size: the
 * fastest at large shapes), or matmul_small.wgsl (4×4 tiles from a linear index, so skinny
 * products keep every invocation busy, and split K for long reductions onto few outputs: each
 * split a workgroup row of partials, added up by splitk_reduce.wgsl).
 */
export type MatmulChoice = { kernel: 'matmul'; tile: MatmulOverrides } | { kernel: 'matmul_small' };

/** K per split of a split-K product: long enough to amortise the partials' write and reduction. */
export const SPLIT_K_CHUNK = 256;

/** Splits of a matmul_small product: only long reductions onto few tiles (fewer than 4 workgroups of them). */
export function splitsFor(M: number, N: number, K: number): number {
  const tiles = Math.ceil(M / 4) * Math.ceil(N / 4);
  if (K < 2 * SPLIT_K_CHUNK || tiles > 4 * 64) return 1;
  return Math.min(64, Math.ceil(K / SPLIT_K_CHUNK));
}

const WG = 64;
const groups = (n: number): [number, number, number] => [Math.max(1, Math.ceil(n / WG)), 1, 1];

/** The loss kernel of a config. */
export function lossKernel(cfg: ResolvedConfig): string {
  return cfg.loss === 'softmax_ce' ? 'softmax_cross_entropy' : cfg.loss === 'sigmoid_bce' ? 'sigmoid_bce' : 'mse_loss';
}

/** Tail slots of layer k: headSteps on the top layer of outputs 'last', else 1 (the final state). */
export function tailSlots(cfg: ResolvedConfig, k: number): number {
  return k === cfg.numLayers - 1 && cfg.outputs === 'last' ? cfg.headSteps : 1;
}

/** The element offset of h/c slice s of a layer ([·, B, H] slices). */
const slice = (s: number, BH: number) => s * BH;

export function planSpec(cfg: ResolvedConfig, layout: ParamLayout, B: number, T: number, mode: PlanMode, opts: PlanOptions = {}): PlanSpec {
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H, L = cfg.numLayers, C = cfg.outputSize;
  const TB = T * B;
  const backward = mode !== 'forward';
  const P = cellModuleName(cfg.cell);
  const step = stepKernelPrefix(cfg.cell);
  const tokens = cfg.inputKind === 'tokens';
  const relu = cfg.cell === 'rnn_relu' ? 1 : 0;
  const off = (name: string) => layout.byName.get(name)!.offset;
  const buffers: BufferSpec[] = [];
  const buf = (name: string, elements: number, shape: string): string => {
    buffers.push({ name, elements, shape });
    return name;
  };
  const tails = Array.from({ length: L }, (_, k) => tailSlots(cfg, k));
  const recurrence: Recurrence = opts.recurrence ?? { kind: 'steps' };
  const mm: MatmulChoice = opts.matmul ?? { kernel: 'matmul', tile: { ...MATMUL_DEFAULTS } };
  // One scratch buffer serves every split product of the pass (they run one after another).
  let scratchElements = 0;

  const x = tokens ? buf('ids', TB, `[B, T] = [${B}, ${T}]`) : buf('x', TB * cfg.inputSize, `[B, T, I] = [${B}, ${T}, ${cfg.inputSize}]`);
  const x0 = tokens ? buf('x0', TB * cfg.inputSize, `[T·B, I] = [${TB}, ${cfg.inputSize}]`) : null;
  buf('lengths', B, `[B] = [${B}]`);
  const rows = cfg.outputs === 'all' ? TB : B;
  const hasGates = !isPlainRnn(cfg.cell);
  for (let k = 0; k < L; k++) {
    const K = tails[k]!, S = T + 1 + K;
    buf(`gx${k}`, TB * GH, `[T·B, G·H] = [${TB}, ${GH}]`);
    buf(`h${k}`, S * BH, `[T+1+K, B, H] = [${S}, ${B}, ${H}]`);
    if (cfg.cell === 'lstm') buf(`c${k}`, S * BH, `[T+1+K, B, H] = [${S}, ${B}, ${H}]`);
    if (hasGates) buf(`gates${k}`, TB * 4 * H, `[T·B, 4H] = [${TB}, ${4 * H}]`);
    if (backward) {
      buf(`dgx${k}`, TB * GH, `[T·B, G·H] = [${TB}, ${GH}]`);
      if (cfg.cell === 'gru') buf(`dgh${k}`, TB * GH, `[T·B, G·H] = [${TB}, ${GH}]`);
      if (hasGates) buf(`carry${k}`, TB * H, `[T·B, H] = [${TB}, ${H}]`);
      buf(`dhAbove${k}`, (T + K) * BH, `[T+K, B, H] = [${T + K}, ${B}, ${H}]`);
    }
  }
  const withC = cfg.headFrom === 'ch';
  const Ktop = tails[L - 1]!;
  if (backward && withC) buf('dcAboveTop', (T + Ktop) * BH, `[T+K, B, H] = [${T + Ktop}, ${B}, ${H}]`);
  buf('logits', rows * C, `[rows, C] = [${rows}, ${C}]`);
  const has = cfg.learnedInitialState;
  const learned: LearnedUse = {
    h: backward && has && (opts.learned?.h ?? true),
    c: backward && has && cfg.cell === 'lstm' && (opts.learned?.c ?? true),
  };
  const needInitGrad = mode === 'grad' || learned.h || learned.c;
  if (backward) {
    buf('y', cfg.loss === 'softmax_ce' ? rows : rows * C, cfg.loss === 'softmax_ce' ? `[rows] = [${rows}]` : `[rows, C] = [${rows}, ${C}]`);
    buf('dlogits', rows * C, `[rows, C] = [${rows}, ${C}]`);
    buf('lossRows', rows, `[rows] = [${rows}]`);
    buf('lossSum', 4, '[1]');
    if (needInitGrad) {
      buf('dh0', L * BH, `[L, B, H] = [${L}, ${B}, ${H}]`);
      if (cfg.cell === 'lstm') buf('dc0', L * BH, `[L, B, H] = [${L}, ${B}, ${H}]`);
    }
    if (tokens) {
      buf('dx0', TB * cfg.inputSize, `[T·B, I] = [${TB}, ${cfg.inputSize}]`);
      buf('csrOffsets', cfg.vocabSize + 1, `[V+1] = [${cfg.vocabSize + 1}]`);
      buf('csrPositions', TB, `[T·B] = [${TB}]`);
    }
  }

  const dispatches: DispatchSpec[] = [];
  const matmul = (label: string, a: string, b: string, c: string, u: Partial<Record<string, number>> & { M: number; N: number; K: number }, bias?: string) => {
    const full: Record<string, number> = {
      lda: 0, ldb: 0, ldc: u.N, aOffset: 0, bOffset: 0, cOffset: 0, transA: 0, transB: 0, accumulate: 0,
      biasOffset: 0, biasLen: 0, bias2Offset: 0, bias2Len: 0, permBatch: 0, permTime: 0, permA: 0, permB: 0,
      rowSum: 0, rowSumOffset: 0, rowSumOffset2: 0, ...u,
    } as Record<string, number>;
    if (!full.lda) full.lda = full.transA ? u.M : u.K;
    if (!full.ldb) full.ldb = full.transB ? u.K : u.N;
    if (mm.kernel === 'matmul') {
      dispatches.push({ label, kernel: 'matmul', overrides: { ...mm.tile }, buffers: { a, b, bias: bias ?? b, c }, uniforms: full, workgroups: matmulWorkgroups(u.M, u.N, mm.tile) });
      return;
    }
    const tiles = Math.ceil(u.M / 4) * Math.ceil(u.N / 4);
    const splits = full.biasLen || full.bias2Len || full.accumulate ? 1 : splitsFor(u.M, u.N, u.K);
    const kChunk = Math.ceil(u.K / splits);
    const x = Math.max(1, Math.ceil(tiles / WG));
    if (splits === 1) {
      dispatches.push({ label, kernel: 'matmul_small', overrides: {}, buffers: { a, b, bias: bias ?? b, c }, uniforms: { ...full, splits: 1, kChunk: u.K, partialOffset: 0 }, workgroups: [x, 1, 1] });
      return;
    }
    scratchElements = Math.max(scratchElements, splits * u.M * (u.N + 1));
    dispatches.push({ label: `${label}.split`, kernel: 'matmul_small', overrides: {}, buffers: { a, b, bias: bias ?? b, c: 'splitScratch' }, uniforms: { ...full, splits, kChunk, partialOffset: 0 }, workgroups: [x, splits, 1] });
    dispatches.push({ label: `${label}.reduce`, kernel: 'splitk_reduce', overrides: {}, buffers: { partials: 'splitScratch', c },
      uniforms: { M: u.M, N: u.N, ldc: full.ldc!, cOffset: full.cOffset!, accumulate: 0, splits, rowSum: full.rowSum!, rowSumOffset: full.rowSumOffset!, rowSumOffset2: full.rowSumOffset2! },
      workgroups: flatWorkgroups(u.M * (u.N + 1), WG) });
  };
  const reduceRows = (label: string, a: string, out: string, u: { rows: number; cols: number; lda?: number; aOffset?: number; outOffset?: number; accumulate?: number }) => {
    dispatches.push({ label, kernel: 'reduce_rows', overrides: {}, buffers: { a, out },
      uniforms: { rows: u.rows, cols: u.cols, lda: u.lda ?? u.cols, aOffset: u.aOffset ?? 0, outOffset: u.outOffset ?? 0, accumulate: u.accumulate ?? 0 }, workgroups: groups(u.cols) });
  };

  // ---- front end and forward ----
  if (tokens) {
    dispatches.push({ label: 'embedding_gather', kernel: 'embedding_gather', overrides: {}, buffers: { ids: 'ids', params: 'params', x: 'x0' },
      uniforms: { B, T, I: cfg.inputSize, V: cfg.vocabSize, eOffset: off(EMBEDDING) }, workgroups: flatWorkgroups(TB * cfg.inputSize, WG) });
  }
  for (let k = 0; k < L; k++) {
    const Ik = layerInputSize(cfg, k);
    const input = k === 0 ? (x0 ?? x) : `h${k - 1}`;
    matmul(`${cfg.cell}_input_projection[l=${k}]`, input, 'params', `gx${k}`, {
      M: TB, N: GH, K: Ik, lda: Ik, ldb: Ik, transB: 1, aOffset: k === 0 ? 0 : BH, bOffset: off(`${P}.weight_ih_l${k}`),
      biasOffset: off(`${P}.bias_ih_l${k}`), biasLen: GH, bias2Offset: off(`${P}.bias_hh_l${k}`), bias2Len: cfg.cell === 'gru' ? 2 * H : GH,
      ...(k === 0 && !tokens ? { permBatch: B, permTime: T, permA: 1 } : {}),
    }, 'params');
    const wOffset = off(`${P}.weight_hh_l${k}`);
    const K = tails[k]!;
    const buffers: Record<string, string> = { gx: `gx${k}`, params: 'params', h: `h${k}`, lengths: 'lengths' };
    const uniforms: Record<string, number> = { B, H, wOffset, tailBase: slice(T + 1, BH), tailK: K };
    if (cfg.cell === 'lstm') buffers.c = `c${k}`;
    if (hasGates) buffers.gates = `gates${k}`;
    if (cfg.cell === 'gru') uniforms.bhnOffset = off(`${P}.bias_hh_l${k}`) + 2 * H;
    if (isPlainRnn(cfg.cell)) uniforms.relu = relu;
    if (recurrence.kind === 'looped') {
      const name = `${step}_layer_forward`;
      dispatches.push({ label: `${name}[l=${k}]`, kernel: name, overrides: { WG: recurrence.WG }, buffers, uniforms: { ...uniforms, T, R: recurrence.R }, workgroups: [Math.ceil(B / recurrence.R), 1, 1] });
    } else {
      const name = `${step}_step_forward`;
      for (let t = 0; t < T; t++) {
        const d = stepDispatch(name, B, H, WG);
        dispatches.push({ label: `${name}[l=${k},t=${t}]`, kernel: name, overrides: d.overrides ?? {}, buffers, uniforms: { ...uniforms, t }, workgroups: d.workgroups });
      }
    }
  }
  // Head: one matmul per (kept step, part); features of a step are (c, h) or h. Outputs 'all' read
  // slices 1…T of the top layer (zero at padded steps, so logits = bias there); outputs 'last' read
  // its tail slots, the last headSteps steps of each row wherever its sequence ends.
  const top = L - 1;
  const per = withC ? 2 * H : H;
  const parts = withC ? [{ buf: `c${top}`, col: 0, isC: true }, { buf: `h${top}`, col: H, isC: false }] : [{ buf: `h${top}`, col: 0, isC: false }];
  const headBlocks: Array<{ slot: number | null; buf: string; col: number; isC: boolean }> = [];
  if (cfg.outputs === 'all') {
    for (const p of parts) headBlocks.push({ slot: null, ...p });
  } else {
    for (let s = 0; s < cfg.headSteps; s++) for (const p of parts) headBlocks.push({ slot: s, buf: p.buf, col: s * per + p.col, isC: p.isC });
  }
  const F = headInputSize(cfg);
  headBlocks.forEach((hb, i) => {
    const M = hb.slot === null ? TB : B;
    const aOffset = hb.slot === null ? slice(1, BH) : slice(T + 1 + hb.slot, BH);
    matmul(`head_forward[${i}]`, hb.buf, 'params', 'logits', {
      M, N: C, K: H, lda: H, ldb: F, transB: 1, aOffset, bOffset: off('head.weight') + hb.col, accumulate: i === 0 ? 0 : 1,
      ...(i === 0 ? { biasOffset: off('head.bias'), biasLen: C } : {}),
    }, 'params');
  });

  let lossDispatch = -1;
  if (backward) {
    // ---- loss: its scale (1/valid rows, ·1/C) and mask are rewritten per batch with lengths ----
    lossDispatch = dispatches.length;
    const lk = lossKernel(cfg);
    dispatches.push({ label: lk, kernel: lk, overrides: {}, buffers: { logits: 'logits', targets: 'y', lossRows: 'lossRows', dlogits: 'dlogits', lengths: 'lengths' },
      uniforms: { R: rows, C, scale: cfg.loss === 'softmax_ce' ? 1 / rows : 1 / (rows * C), B, masked: 0 }, workgroups: groups(rows) });
    reduceRows('loss_sum', 'lossRows', 'lossSum', { rows, cols: 1 });
    // ---- head backward ----
    // dW_head = dLᵀ·F per block; the first block also writes db_head = Σ_rows dL (its row sums).
    headBlocks.forEach((hb, i) => {
      const K = hb.slot === null ? TB : B;
      const bOffset = hb.slot === null ? slice(1, BH) : slice(T + 1 + hb.slot, BH);
      matmul(`head_weight_grad[${i}]`, 'dlogits', hb.buf, 'grads', { M: C, N: H, K, transA: 1, lda: C, ldb: H, bOffset, cOffset: off('head.weight') + hb.col, ldc: F,
        ...(i === 0 ? { rowSum: 1, rowSumOffset: off('head.bias') } : {}) });
    });
    headBlocks.forEach((hb, i) => {
      const M = hb.slot === null ? TB : B;
      const target = hb.isC ? 'dcAboveTop' : `dhAbove${top}`;
      matmul(`head_input_grad[${i}]`, 'dlogits', 'params', target, { M, N: H, K: C, lda: C, ldb: F, bOffset: off('head.weight') + hb.col, ldc: H, cOffset: hb.slot === null ? 0 : slice(T + hb.slot, BH) });
    });
    // ---- backward through time, per layer from the top ----
    for (let k = L - 1; k >= 0; k--) {
      const Ik = layerInputSize(cfg, k);
      const K = tails[k]!;
      const wOffset = off(`${P}.weight_hh_l${k}`);
      const dgh = cfg.cell === 'gru' ? `dgh${k}` : `dgx${k}`;
      let buffers: Record<string, string>;
      let uniforms: Record<string, number>;
      if (cfg.cell === 'lstm') {
        const hasDc = k === L - 1 && withC;
        buffers = { dhAbove: `dhAbove${k}`, dcAbove: hasDc ? 'dcAboveTop' : `dhAbove${k}`, gates: `gates${k}`, c: `c${k}`, params: 'params', dgates: `dgx${k}`, dcCarry: `carry${k}`, lengths: 'lengths' };
        uniforms = { B, H, T, wOffset, hasDcAbove: hasDc ? 1 : 0, tailK: K };
      } else if (cfg.cell === 'gru') {
        buffers = { dhAbove: `dhAbove${k}`, gates: `gates${k}`, h: `h${k}`, params: 'params', dgx: `dgx${k}`, dgh: `dgh${k}`, dhCarry: `carry${k}`, lengths: 'lengths' };
        uniforms = { B, H, T, wOffset, tailK: K };
      } else {
        buffers = { dhAbove: `dhAbove${k}`, h: `h${k}`, params: 'params', dg: `dgx${k}`, lengths: 'lengths' };
        uniforms = { B, H, T, wOffset, tailK: K, relu };
      }
      if (recurrence.kind === 'looped') {
        const name = `${step}_layer_backward`;
        dispatches.push({ label: `${name}[l=${k}]`, kernel: name, overrides: { WG: recurrence.WG }, buffers, uniforms: { ...uniforms, R: recurrence.R }, workgroups: [Math.ceil(B / recurrence.R), 1, 1] });
      } else {
        const name = `${step}_step_backward`;
        for (let t = T - 1; t >= 0; t--) {
          const d = stepDispatch(name, B, H, WG);
          dispatches.push({ label: `${name}[l=${k},t=${t}]`, kernel: name, overrides: d.overrides ?? {}, buffers, uniforms: { ...uniforms, t }, workgroups: d.workgroups });
        }
      }
      if (needInitGrad) {
        // dh0 = dgh[0]·W_hh (+ the GRU's carried direct path); dc0 = the LSTM's carried dc of step 0.
        matmul(`initial_state_grad[l=${k}]`, dgh, 'params', 'dh0', { M: B, N: H, K: GH, lda: GH, ldb: H, bOffset: wOffset, cOffset: k * BH });
        if (cfg.cell === 'gru') reduceRows(`initial_state_carry[l=${k}]`, `carry${k}`, 'dh0', { rows: 1, cols: BH, outOffset: k * BH, accumulate: 1 });
        if (cfg.cell === 'lstm') reduceRows(`initial_cell_grad[l=${k}]`, `carry${k}`, 'dc0', { rows: 1, cols: BH, outOffset: k * BH });
        if (learned.h) reduceRows(`learned_h0_grad[l=${k}]`, 'dh0', 'grads', { rows: B, cols: H, aOffset: k * BH, outOffset: off('init.h0') + k * H });
        if (learned.c) reduceRows(`learned_c0_grad[l=${k}]`, 'dc0', 'grads', { rows: B, cols: H, aOffset: k * BH, outOffset: off('init.c0') + k * H });
      }
      // dW_ih = dGxᵀ·X_k and dW_hh = dGhᵀ·H_prev over all T·B rows, with the bias gradients (the row
      // sums of dGx, dGh) folded in: the LSTM's and RNN's dGx = dGh, so dW_ih writes both biases'.
      const input = k === 0 ? (x0 ?? x) : `h${k - 1}`;
      const gru = cfg.cell === 'gru';
      matmul(`input_weight_grad[l=${k}]`, `dgx${k}`, input, 'grads', {
        M: GH, N: Ik, K: TB, transA: 1, lda: GH, ldb: Ik, bOffset: k === 0 ? 0 : BH, cOffset: off(`${P}.weight_ih_l${k}`), ldc: Ik,
        ...(k === 0 && !tokens ? { permBatch: B, permTime: T, permB: 1 } : {}),
        rowSum: gru ? 1 : 2, rowSumOffset: off(`${P}.bias_ih_l${k}`), rowSumOffset2: gru ? 0 : off(`${P}.bias_hh_l${k}`),
      });
      matmul(`hidden_weight_grad[l=${k}]`, dgh, `h${k}`, 'grads', { M: GH, N: H, K: TB, transA: 1, lda: GH, ldb: H, cOffset: wOffset, ldc: H,
        ...(gru ? { rowSum: 1, rowSumOffset: off(`${P}.bias_hh_l${k}`) } : {}) });
      if (k > 0) {
        matmul(`input_grad[l=${k}]`, `dgx${k}`, 'params', `dhAbove${k - 1}`, { M: TB, N: H, K: GH, lda: GH, ldb: H, bOffset: off(`${P}.weight_ih_l${k}`) });
      } else if (tokens) {
        const I = cfg.inputSize;
        matmul('embedding_input_grad', `dgx0`, 'params', 'dx0', { M: TB, N: I, K: GH, lda: GH, ldb: I, bOffset: off(`${P}.weight_ih_l0`) });
        dispatches.push({ label: 'embedding_backward', kernel: 'embedding_backward', overrides: {},
          buffers: { offsets: 'csrOffsets', positions: 'csrPositions', dx: 'dx0', grads: 'grads' },
          uniforms: { V: cfg.vocabSize, I, gOffset: off(EMBEDDING) }, workgroups: flatWorkgroups(cfg.vocabSize * I, WG) });
      }
    }
  }
  if (scratchElements > 0) buf('splitScratch', scratchElements, `[splits, M, N+1] = [${scratchElements}]`);
  return { cfg, B, T, mode, rows, tails, buffers, dispatches, learned, lossDispatch, recurrence, matmul: mm };
}

/** The plan as printable rows: index, label, kernel with overrides, and workgroups of every dispatch. */
export function describeSpec(spec: PlanSpec): string {
  return spec.dispatches.map((d, i) => {
    const o = Object.entries(d.overrides);
    return `${String(i).padStart(4)} ${d.label} ${d.kernel}${o.length ? JSON.stringify(Object.fromEntries(o)) : ''} [${d.workgroups.join(', ')}]`;
  }).join('\n');
}

/** Total bytes of a spec's own buffers (the model's params and grads not included). */
export function specBytes(spec: PlanSpec): number {
  return spec.buffers.reduce((a, b) => a + Math.max(16, Math.ceil((b.elements * 4) / 16) * 16), 0);
}
