/**
 * A plan: everything one (model, B, T, mode) needs on the GPU, made once — buffers, uniform slots,
 * pipelines, bind groups — and the ordered list of dispatches that one step records into one
 * compute pass (DESIGN.md sections 1–2). A plan is data: print `describePlan(plan)`, count
 * `plan.dispatches.length`.
 *
 * Buffers are time-major per layer k: gx [T,B,G·H], h and c [T+1,B,H] (slice 0 the initial state),
 * gates [T,B,4H], gate gradients dgx (and dgh for GRU) [T,B,G·H], carries [T,B,H], dhAbove
 * [T,B,H]. Parameters, gradients and optimizer state are flat buffers in src/params.ts's layout.
 */
import { gateCount, headInputSize, cellModuleName, type ResolvedConfig } from '../config.js';
import type { ParamLayout } from '../params.js';
import { Arena, UniformSlots } from './arena.js';
import type { GpuCounters } from './counters.js';
import { bindKernel, type BoundBuffer, type CompiledKernel, type Dispatch, type KernelRegistry } from './kernels.js';
import { matmulWorkgroups, MATMUL_DEFAULTS } from './matmulDispatch.js';
import { packUniforms } from './reflect.js';
import { RuntimeFailure } from '../errors.js';
import { optimizerWorkgroups } from './optimizerUniforms.js';
import { stepDispatch } from './stepDispatch.js';

export type PlanMode = 'forward' | 'grad' | 'train';

export interface PlanContext {
  device: GPUDevice;
  registry: KernelRegistry;
  counters: GpuCounters;
  limits: Record<string, number>;
}

export interface LayerBuffers {
  gx: GPUBuffer;
  h: GPUBuffer;
  c: GPUBuffer | null;
  gates: GPUBuffer | null;
  dgx: GPUBuffer | null;
  dgh: GPUBuffer | null;
  carry: GPUBuffer | null;
  dhAbove: GPUBuffer | null;
}

export interface Plan {
  cfg: ResolvedConfig;
  B: number;
  T: number;
  mode: PlanMode;
  /** Head rows: T·B (outputs all, time-major) or B. */
  rows: number;
  arena: Arena;
  dispatches: Dispatch[];
  x: GPUBuffer;
  y: GPUBuffer | null;
  layers: LayerBuffers[];
  dcAboveTop: GPUBuffer | null;
  logits: GPUBuffer;
  dlogits: GPUBuffer | null;
  lossSum: GPUBuffer | null;
  /** dh0, dc0 [L,B,H] (grad mode, or a learned initial state). */
  dh0: GPUBuffer | null;
  dc0: GPUBuffer | null;
  stats: GPUBuffer | null;
  /** Whether the pass sums dh0/dc0 into the learned initial state's gradient. */
  learnedUsed: boolean;
  /** The optimizer's uniform slot, rewritten every step. */
  optimizerSlot: number | null;
  slots: UniformSlots;
}

interface Pending {
  label: string;
  kernel: string;
  overrides?: Record<string, number>;
  buffers: Record<string, BoundBuffer>;
  uniforms: Record<string, number>;
  workgroups: [number, number, number];
}

const WG = 64;
const groups = (n: number): [number, number, number] => [Math.max(1, Math.ceil(n / WG)), 1, 1];

export interface FlatBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
  state1: GPUBuffer;
  state2: GPUBuffer;
}

export async function buildPlan(
  ctx: PlanContext, cfg: ResolvedConfig, layout: ParamLayout, flat: FlatBuffers,
  B: number, T: number, mode: PlanMode, opts: { clip?: number; optimizerUniforms?: Record<string, number>; learnedUsed?: boolean } = {},
): Promise<Plan> {
  const { device } = ctx;
  const H = cfg.hiddenSize, G = gateCount(cfg.cell), GH = G * H, BH = B * H, L = cfg.numLayers, C = cfg.outputSize;
  const TB = T * B;
  const arena = new Arena(device, ctx.counters, `plan[B=${B},T=${T},${mode}]`, ctx.limits.maxStorageBufferBindingSize ?? 134217728);
  const backward = mode !== 'forward';
  const P = cellModuleName(cfg.cell);
  const off = (name: string) => layout.byName.get(name)!.offset;

  const x = arena.storage('x', B * T * cfg.inputSize);
  const rows = cfg.outputs === 'all' ? TB : B;
  const layers: LayerBuffers[] = [];
  for (let k = 0; k < L; k++) {
    layers.push({
      gx: arena.storage(`gx${k}`, TB * GH),
      h: arena.storage(`h${k}`, (T + 1) * BH),
      c: cfg.cell === 'lstm' ? arena.storage(`c${k}`, (T + 1) * BH) : null,
      gates: cfg.cell === 'rnn_tanh' ? null : arena.storage(`gates${k}`, TB * 4 * H),
      dgx: backward ? arena.storage(`dgx${k}`, TB * GH) : null,
      dgh: backward && cfg.cell === 'gru' ? arena.storage(`dgh${k}`, TB * GH) : null,
      carry: backward && cfg.cell !== 'rnn_tanh' ? arena.storage(`carry${k}`, TB * H) : null,
      dhAbove: backward ? arena.storage(`dhAbove${k}`, TB * H) : null,
    });
  }
  const withC = cfg.headFrom === 'ch';
  const dcAboveTop = backward && withC ? arena.storage('dcAboveTop', TB * H) : null;
  const logits = arena.storage('logits', rows * C);
  const y = backward ? arena.storage('y', cfg.loss === 'softmax_ce' ? rows : rows * C) : null;
  const dlogits = backward ? arena.storage('dlogits', rows * C) : null;
  const lossRows = backward ? arena.storage('lossRows', rows) : null;
  const lossSum = backward ? arena.storage('lossSum', 4) : null;
  // Gradients of a learned initial state exist only for passes that started from it.
  const learnedUsed = backward && cfg.learnedInitialState && (opts.learnedUsed ?? true);
  const needInitGrad = mode === 'grad' || learnedUsed;
  const dh0 = backward && needInitGrad ? arena.storage('dh0', L * BH) : null;
  const dc0 = backward && needInitGrad && cfg.cell === 'lstm' ? arena.storage('dc0', L * BH) : null;
  const stats = mode === 'train' ? arena.storage('stats', 4) : null;
  const partials = mode === 'train' ? arena.storage('partials', 256) : null;

  const pending: Pending[] = [];
  const F = headInputSize(cfg), per = withC ? 2 * H : H;

  const matmul = (label: string, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, u: Partial<Record<string, number>> & { M: number; N: number; K: number }, bias?: GPUBuffer) => {
    const full: Record<string, number> = {
      lda: 0, ldb: 0, ldc: u.N, aOffset: 0, bOffset: 0, cOffset: 0, transA: 0, transB: 0, accumulate: 0,
      biasOffset: 0, biasLen: 0, bias2Offset: 0, bias2Len: 0, permBatch: 0, permTime: 0, permA: 0, permB: 0, ...u,
    } as Record<string, number>;
    if (!full.lda) full.lda = full.transA ? u.M : u.K;
    if (!full.ldb) full.ldb = full.transB ? u.K : u.N;
    pending.push({ label, kernel: 'matmul', overrides: MATMUL_DEFAULTS, buffers: { a: { buffer: a }, b: { buffer: b }, bias: { buffer: bias ?? b }, c: { buffer: c } }, uniforms: full, workgroups: matmulWorkgroups(u.M, u.N) });
  };
  const reduceRows = (label: string, a: GPUBuffer, out: GPUBuffer, u: { rows: number; cols: number; lda?: number; aOffset?: number; outOffset?: number; accumulate?: number }) => {
    pending.push({ label, kernel: 'reduce_rows', buffers: { a: { buffer: a }, out: { buffer: out } },
      uniforms: { rows: u.rows, cols: u.cols, lda: u.lda ?? u.cols, aOffset: u.aOffset ?? 0, outOffset: u.outOffset ?? 0, accumulate: u.accumulate ?? 0 }, workgroups: groups(u.cols) });
  };

  // ---- forward ----
  for (let k = 0; k < L; k++) {
    const Ik = k === 0 ? cfg.inputSize : H;
    const lb = layers[k]!;
    const input = k === 0 ? x : layers[k - 1]!.h;
    matmul(`${cfg.cell}_input_projection[l=${k}]`, input, flat.params, lb.gx, {
      M: TB, N: GH, K: Ik, lda: Ik, ldb: Ik, transB: 1, aOffset: k === 0 ? 0 : BH, bOffset: off(`${P}.weight_ih_l${k}`),
      biasOffset: off(`${P}.bias_ih_l${k}`), biasLen: GH, bias2Offset: off(`${P}.bias_hh_l${k}`), bias2Len: cfg.cell === 'gru' ? 2 * H : GH,
      ...(k === 0 ? { permBatch: B, permTime: T, permA: 1 } : {}),
    }, flat.params);
    const wOffset = off(`${P}.weight_hh_l${k}`);
    for (let t = 0; t < T; t++) {
      const name = `${cfg.cell === 'rnn_tanh' ? 'rnn' : cfg.cell}_step_forward`;
      const buffers: Record<string, BoundBuffer> = { gx: { buffer: lb.gx }, params: { buffer: flat.params }, h: { buffer: lb.h } };
      const uniforms: Record<string, number> = { B, H, t, wOffset };
      if (lb.c) buffers.c = { buffer: lb.c };
      if (lb.gates) buffers.gates = { buffer: lb.gates };
      if (cfg.cell === 'gru') uniforms.bhnOffset = off(`${P}.bias_hh_l${k}`) + 2 * H;
      pending.push({ label: `${name}[l=${k},t=${t}]`, kernel: name, buffers, uniforms, ...stepDispatch(name, B, H, WG) });
    }
  }
  // Head: one matmul per (kept step, part); features of a step are (c, h) or h.
  const top = layers[L - 1]!;
  const parts = (): Array<{ buf: GPUBuffer; col: number }> => (withC ? [{ buf: top.c!, col: 0 }, { buf: top.h, col: H }] : [{ buf: top.h, col: 0 }]);
  const headBlocks: Array<{ t: number | null; s: number; buf: GPUBuffer; col: number; isC: boolean }> = [];
  if (cfg.outputs === 'all') {
    for (const p of parts()) headBlocks.push({ t: null, s: 0, buf: p.buf, col: p.col, isC: withC && p.col === 0 });
  } else {
    for (let s = 0; s < cfg.headSteps; s++) for (const p of parts()) headBlocks.push({ t: T - cfg.headSteps + s, s, buf: p.buf, col: s * per + p.col, isC: withC && p.col === 0 });
  }
  headBlocks.forEach((hb, i) => {
    const M = hb.t === null ? TB : B;
    const aOffset = hb.t === null ? BH : (hb.t + 1) * BH;
    matmul(`head_forward[${i}]`, hb.buf, flat.params, logits, {
      M, N: C, K: H, lda: H, ldb: F, transB: 1, aOffset, bOffset: off('head.weight') + hb.col, accumulate: i === 0 ? 0 : 1,
      ...(i === 0 ? { biasOffset: off('head.bias'), biasLen: C } : {}),
    }, flat.params);
  });

  let optimizerSlot: number | null = null;
  if (backward) {
    // ---- loss ----
    const lossKernel = cfg.loss === 'softmax_ce' ? 'softmax_cross_entropy' : 'sigmoid_bce';
    pending.push({ label: lossKernel, kernel: lossKernel, buffers: { logits: { buffer: logits }, targets: { buffer: y! }, lossRows: { buffer: lossRows! }, dlogits: { buffer: dlogits! } },
      uniforms: { R: rows, C, scale: cfg.loss === 'softmax_ce' ? 1 / rows : 1 / (rows * C) }, workgroups: groups(rows) });
    reduceRows('loss_sum', lossRows!, lossSum!, { rows, cols: 1 });
    // ---- head backward ----
    headBlocks.forEach((hb, i) => {
      const K = hb.t === null ? TB : B;
      const bOffset = hb.t === null ? BH : (hb.t + 1) * BH;
      matmul(`head_weight_grad[${i}]`, dlogits!, hb.buf, flat.grads, { M: C, N: H, K, transA: 1, lda: C, ldb: H, bOffset, cOffset: off('head.weight') + hb.col, ldc: F });
    });
    reduceRows('head_bias_grad', dlogits!, flat.grads, { rows, cols: C, outOffset: off('head.bias') });
    headBlocks.forEach((hb, i) => {
      const M = hb.t === null ? TB : B;
      const target = hb.isC ? dcAboveTop! : top.dhAbove!;
      matmul(`head_input_grad[${i}]`, dlogits!, flat.params, target, { M, N: H, K: C, lda: C, ldb: F, bOffset: off('head.weight') + hb.col, ldc: H, cOffset: hb.t === null ? 0 : hb.t * BH });
    });
    // ---- backward through time, per layer from the top ----
    for (let k = L - 1; k >= 0; k--) {
      const Ik = k === 0 ? cfg.inputSize : H;
      const lb = layers[k]!;
      const wOffset = off(`${P}.weight_hh_l${k}`);
      const dgh = lb.dgh ?? lb.dgx!;
      for (let t = T - 1; t >= 0; t--) {
        if (cfg.cell === 'lstm') {
          pending.push({ label: `lstm_step_backward[l=${k},t=${t}]`, kernel: 'lstm_step_backward', ...stepDispatch('lstm_step_backward', B, H, WG),
            buffers: { dhAbove: { buffer: lb.dhAbove! }, dcAbove: { buffer: k === L - 1 && dcAboveTop ? dcAboveTop : lb.dhAbove! }, gates: { buffer: lb.gates! }, c: { buffer: lb.c! }, params: { buffer: flat.params }, dgates: { buffer: lb.dgx! }, dcCarry: { buffer: lb.carry! } },
            uniforms: { B, H, t, T, wOffset, hasDcAbove: k === L - 1 && dcAboveTop ? 1 : 0 } });
        } else if (cfg.cell === 'gru') {
          pending.push({ label: `gru_step_backward[l=${k},t=${t}]`, kernel: 'gru_step_backward', ...stepDispatch('gru_step_backward', B, H, WG),
            buffers: { dhAbove: { buffer: lb.dhAbove! }, gates: { buffer: lb.gates! }, h: { buffer: lb.h }, params: { buffer: flat.params }, dgx: { buffer: lb.dgx! }, dgh: { buffer: lb.dgh! }, dhCarry: { buffer: lb.carry! } },
            uniforms: { B, H, t, T, wOffset } });
        } else {
          pending.push({ label: `rnn_step_backward[l=${k},t=${t}]`, kernel: 'rnn_step_backward', ...stepDispatch('rnn_step_backward', B, H, WG),
            buffers: { dhAbove: { buffer: lb.dhAbove! }, h: { buffer: lb.h }, params: { buffer: flat.params }, dg: { buffer: lb.dgx! } },
            uniforms: { B, H, t, T, wOffset } });
        }
      }
      if (dh0) {
        // dh0 = dgh[0]·W_hh (+ the GRU's carried direct path); dc0 = the LSTM's carried dc of step 0.
        matmul(`initial_state_grad[l=${k}]`, dgh, flat.params, dh0, { M: B, N: H, K: GH, lda: GH, ldb: H, bOffset: wOffset, cOffset: k * BH });
        if (cfg.cell === 'gru') reduceRows(`initial_state_carry[l=${k}]`, lb.carry!, dh0, { rows: 1, cols: BH, outOffset: k * BH, accumulate: 1 });
        if (dc0) reduceRows(`initial_cell_grad[l=${k}]`, lb.carry!, dc0, { rows: 1, cols: BH, outOffset: k * BH });
        if (learnedUsed) {
          reduceRows(`learned_h0_grad[l=${k}]`, dh0, flat.grads, { rows: B, cols: H, aOffset: k * BH, outOffset: off('init.h0') + k * H });
          if (dc0) reduceRows(`learned_c0_grad[l=${k}]`, dc0, flat.grads, { rows: B, cols: H, aOffset: k * BH, outOffset: off('init.c0') + k * H });
        }
      }
      matmul(`input_weight_grad[l=${k}]`, lb.dgx!, k === 0 ? x : layers[k - 1]!.h, flat.grads, {
        M: GH, N: Ik, K: TB, transA: 1, lda: GH, ldb: Ik, bOffset: k === 0 ? 0 : BH, cOffset: off(`${P}.weight_ih_l${k}`), ldc: Ik,
        ...(k === 0 ? { permBatch: B, permTime: T, permB: 1 } : {}),
      });
      matmul(`hidden_weight_grad[l=${k}]`, dgh, lb.h, flat.grads, { M: GH, N: H, K: TB, transA: 1, lda: GH, ldb: H, cOffset: wOffset, ldc: H });
      reduceRows(`input_bias_grad[l=${k}]`, lb.dgx!, flat.grads, { rows: TB, cols: GH, outOffset: off(`${P}.bias_ih_l${k}`) });
      reduceRows(`hidden_bias_grad[l=${k}]`, dgh, flat.grads, { rows: TB, cols: GH, outOffset: off(`${P}.bias_hh_l${k}`) });
      if (k > 0) {
        matmul(`input_grad[l=${k}]`, lb.dgx!, flat.params, layers[k - 1]!.dhAbove!, { M: TB, N: H, K: GH, lda: GH, ldb: H, bOffset: off(`${P}.weight_ih_l${k}`) });
      }
    }
    if (mode === 'train') {
      const n = layout.total;
      pending.push({ label: 'grad_norm', kernel: 'grad_norm', buffers: { grads: { buffer: flat.grads }, partials: { buffer: partials! } }, uniforms: { n, P: 256 }, workgroups: groups(256) });
      pending.push({ label: 'grad_norm_finish', kernel: 'grad_norm_finish', buffers: { partials: { buffer: partials! }, stats: { buffer: stats! } },
        uniforms: { P: 256, clip: opts.clip !== undefined ? 1 : 0, maxNorm: opts.clip ?? 1 }, workgroups: [1, 1, 1] });
      pending.push({ label: 'optimizer_update', kernel: 'optimizer_update', buffers: { params: { buffer: flat.params }, grads: { buffer: flat.grads }, state1: { buffer: flat.state1 }, state2: { buffer: flat.state2 }, stats: { buffer: stats! } },
        uniforms: opts.optimizerUniforms ?? {}, workgroups: [...optimizerWorkgroups(n, WG), 1] });
    }
  }

  // ---- limits: a dispatch wider than the device allows fails here, naming the limit ----
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension ?? 65535;
  for (const p of pending) {
    if (p.workgroups.some((g) => g > maxGroups)) {
      throw new RuntimeFailure(`${p.label}: needs [${p.workgroups.join(', ')}] workgroups, over this device's maxComputeWorkgroupsPerDimension of ${maxGroups} (B=${B}, T=${T}, H=${H})`);
    }
  }

  // ---- compile, pack uniforms into slots, bind ----
  const kernels = new Map<string, CompiledKernel>();
  for (const p of pending) {
    const key = p.kernel;
    if (!kernels.has(key)) kernels.set(key, await ctx.registry.get(p.kernel, p.overrides ?? {}));
  }
  const slots = new UniformSlots(ctx.limits.minUniformBufferOffsetAlignment ?? 256);
  const slotOf = pending.map((p) => slots.add(packUniforms(kernels.get(p.kernel)!.info, p.uniforms, p.label)));
  const bindSlot = slots.finish(device, arena);
  const dispatches: Dispatch[] = pending.map((p, i) => {
    const kernel = kernels.get(p.kernel)!;
    const u = kernel.info.uniform!;
    if (p.kernel === 'optimizer_update') optimizerSlot = slotOf[i]!;
    const bindGroup = bindKernel(device, kernel, { ...p.buffers, [u.name]: bindSlot(slotOf[i]!) }, p.label, ctx.counters);
    return { label: p.label, kernel, bindGroup, workgroups: p.workgroups };
  });
  return { cfg, B, T, mode, rows, arena, dispatches, x, y, layers, dcAboveTop, logits, dlogits, lossSum, dh0, dc0, stats, learnedUsed, optimizerSlot, slots };
}

/** The plan as printable rows: label, kernel and workgroups of every dispatch. */
export function describePlan(plan: Plan): string {
  return plan.dispatches.map((d, i) => `${String(i).padStart(4)} ${d.label} ${d.kernel.key} [${d.workgroups.join(', ')}]`).join('\n');
}
