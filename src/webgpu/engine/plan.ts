/**
 * A plan on the GPU: a PlanSpec (planSpec.ts) checked against the device's limits, then made once —
 * buffers, pipelines (compiled in parallel, shared across models through the registry), uniform
 * slots, bind groups — and afterwards only recorded. The plan owns its buffers and their layout:
 * callers get verbs (upload a batch, record a pass from a start state, copy the final state out,
 * copy the loss out, read results), never a buffer and an offset.
 */
import type { ResolvedConfig } from '../../config.js';
import { InputError } from '../../errors.js';
import type { ParamLayout } from '../../params.js';
import { targetsToRows } from '../../reference/loss.js';
import type { FloatCopy, PreparedInputs } from '../../checks/tensors.js';
import { Arena, padBytes, UniformSlots } from './arena.js';
import type { GpuCounters } from './counters.js';
import { bindKernel, recordDispatches, type Dispatch } from '../kernels/bind.js';
import { packUniforms } from '../kernels/info.js';
import { pipelineKey, type CompiledKernel, type KernelRegistry } from '../kernels/registry.js';
import { describeSpec, specBytes, type PlanSpec } from './planSpec.js';
import { readRanges, type Range } from './readback.js';
import { flatWorkgroups } from '../kernels/grids.js';

export interface PlanContext {
  device: GPUDevice;
  registry: KernelRegistry;
  counters: GpuCounters;
  limits: Record<string, number>;
}

/** The model's flat buffers a plan binds by name. */
export interface ModelBuffers {
  params: GPUBuffer;
  grads: GPUBuffer;
}

/** Where a pass's initial state comes from, per tensor (h, and c for LSTM). */
export type StartSource =
  | { kind: 'default' }                                                      // learned state when the model has one, else zeros
  | { kind: 'explicit'; h0: FloatCopy | null; c0: FloatCopy | null }         // the caller's [L, B, H] (absent ones: default)
  | { kind: 'carried'; h: GPUBuffer; c: GPUBuffer | null };                  // a trainer's or stream's [L, B, H] buffers

/**
 * Refuses, before anything is allocated, a spec that the device cannot hold: a buffer larger than a
 * storage binding or a buffer may be, or a grid wider than a dispatch may be. The message names the
 * call, the tensor, its shape and size, the limit and its value.
 */
export function checkSpecLimits(spec: PlanSpec, limits: Record<string, number>, where: string): void {
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize ?? 134217728, limits.maxBufferSize ?? Infinity);
  const which = (limits.maxBufferSize ?? Infinity) < (limits.maxStorageBufferBindingSize ?? 134217728) ? 'maxBufferSize' : 'maxStorageBufferBindingSize';
  for (const b of spec.buffers) {
    const bytes = padBytes(b.elements * 4);
    if (bytes > maxBinding) {
      throw new InputError(`${where}: batch B=${spec.B}, T=${spec.T} needs tensor ${b.name} ${b.shape} of ${bytes} bytes, over this device's ${which} of ${maxBinding} bytes; use a smaller batch or shorter sequences`);
    }
  }
  const maxGroups = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  for (const d of spec.dispatches) {
    if (d.workgroups.some((g) => g > maxGroups)) {
      throw new InputError(`${where}: batch B=${spec.B}, T=${spec.T} needs ${d.label} to run [${d.workgroups.join(', ')}] workgroups, over this device's maxComputeWorkgroupsPerDimension of ${maxGroups}; use a smaller batch or shorter sequences`);
    }
  }
}

export class GpuPlan {
  readonly dispatches: Dispatch[];
  private readonly buffers: Map<string, GPUBuffer>;
  /** The loss kernel's uniforms as last written (scale and mask change with lengths). */
  private lossUniforms: Record<string, number> | null;
  private lengthsFull = false;
  private readonly kernels: Map<string, CompiledKernel>;

  private constructor(
    readonly spec: PlanSpec, private readonly ctx: PlanContext, private readonly arena: Arena,
    buffers: Map<string, GPUBuffer>, dispatches: Dispatch[], private readonly slots: UniformSlots,
    private readonly slotOf: number[], kernels: Map<string, CompiledKernel>,
    /** Which variant runs and why (describe's first line). */
    public why: string,
    /** False while the variant is the tuner's provisional pick (the model swaps or settles the plan). */
    public settled: boolean,
  ) {
    this.buffers = buffers;
    this.dispatches = dispatches;
    this.kernels = kernels;
    this.lossUniforms = spec.lossDispatch >= 0 ? { ...spec.dispatches[spec.lossDispatch]!.uniforms } : null;
  }

  /** Checks the spec against the device, compiles its pipelines in parallel, then allocates and binds. */
  static async create(ctx: PlanContext, spec: PlanSpec, model: ModelBuffers, where: string, why = '', settled = true): Promise<GpuPlan> {
    checkSpecLimits(spec, ctx.limits, where);
    const kernels = new Map<string, CompiledKernel>();
    const wanted = new Map<string, { kernel: string; overrides: Record<string, number> }>();
    for (const d of spec.dispatches) wanted.set(pipelineKey(d.kernel, d.overrides), { kernel: d.kernel, overrides: d.overrides });
    const compiled = await Promise.all([...wanted.entries()].map(async ([key, w]) => [key, await ctx.registry.get(w.kernel, w.overrides)] as const));
    for (const [key, k] of compiled) kernels.set(key, k);

    // The tuner's candidates are labelled apart (in error messages, debuggers, counted tests).
    const label = `${where === 'tuning' ? 'tuning.' : ''}plan[${spec.mode},B=${spec.B},T=${spec.T}]`;
    const arena = new Arena(ctx.device, ctx.counters, label);
    return arena.guarded(where, () => {
      const buffers = new Map<string, GPUBuffer>([['params', model.params], ['grads', model.grads]]);
      for (const b of spec.buffers) buffers.set(b.name, arena.storage(b.name, b.elements));
      const slots = new UniformSlots(ctx.limits.minUniformBufferOffsetAlignment ?? 256);
      const slotOf = spec.dispatches.map((d) => slots.add(packUniforms(kernels.get(pipelineKey(d.kernel, d.overrides))!.info, d.uniforms, d.label)));
      const bindSlot = slots.finish(ctx.device, arena);
      const dispatches = spec.dispatches.map((d, i): Dispatch => {
        const kernel = kernels.get(pipelineKey(d.kernel, d.overrides))!;
        const bound: Record<string, { buffer: GPUBuffer; offset?: number; size?: number }> = {};
        for (const [binding, name] of Object.entries(d.buffers)) bound[binding] = { buffer: buffers.get(name)! };
        bound[kernel.info.uniform!.name] = bindSlot(slotOf[i]!);
        return { label: d.label, kernel, bindGroup: bindKernel(ctx.device, kernel, bound, d.label, ctx.counters), workgroups: d.workgroups };
      });
      return new GpuPlan(spec, ctx, arena, buffers, dispatches, slots, slotOf, kernels, why, settled);
    });
  }

  get cfg(): ResolvedConfig {
    return this.spec.cfg;
  }

  /** Bytes this plan holds on the device (for the model's plan cache). */
  get bytes(): number {
    return specBytes(this.spec);
  }

  private buffer(name: string): GPUBuffer {
    const b = this.buffers.get(name);
    if (!b) throw new Error(`plan ${this.spec.mode}: no buffer ${name}`);
    return b;
  }

  /**
   * Host writes of one batch: x (batch-first; read with strides) or token ids, lengths (T for every
   * row when absent), and for passes with a loss the targets in head-row order with the loss
   * kernel's scale and mask for this batch, and (tokens) the ids' counting sort for the embedding
   * gradient. `validRows` is the number of rows that carry a loss.
   */
  upload(inputs: PreparedInputs, y: ArrayLike<number> | null): void {
    const q = this.ctx.device.queue;
    const { cfg, B, T } = this.spec;
    if (cfg.inputKind === 'tokens') q.writeBuffer(this.buffer('ids'), 0, inputs.x as Int32Array<ArrayBuffer>);
    else q.writeBuffer(this.buffer('x'), 0, toF32(inputs.x as FloatCopy));
    this.writeLengths(inputs.lengths);
    if (y !== null && this.spec.lossDispatch >= 0) {
      const rows = targetsToRows(cfg, y, B, T, inputs.lengths);
      q.writeBuffer(this.buffer('y'), 0, cfg.loss === 'softmax_ce' ? Int32Array.from(rows) : Float32Array.from(rows));
      this.setLossScale(inputs.lengths);
    }
    if (cfg.inputKind === 'tokens' && this.spec.mode !== 'forward') this.writeTokenSort(inputs.x as Int32Array);
  }

  /**
   * The host part of a batch gathered on the GPU (gatherFrom): its lengths (for the loss's scale and
   * mask; the kernels' copy is gathered), and with token inputs its ids (the embedding gradient's
   * counting sort is made on the host).
   */
  uploadGathered(lengths: Int32Array | null, ids: Int32Array | null): void {
    if (lengths) this.lengthsFull = false;
    else this.writeLengths(null);
    if (this.spec.lossDispatch >= 0) this.setLossScale(lengths);
    if (this.cfg.inputKind === 'tokens' && this.spec.mode !== 'forward') this.writeTokenSort(ids!);
  }

  private readonly gathers = new Map<object, { dispatches: Dispatch[] }>();

  /**
   * Records the gather of a batch from a dataset on the GPU into this plan's input, target and
   * lengths buffers (gather_rows: one dispatch each), in its own compute pass before the step's.
   * `source` holds the dataset's buffers (uploaded once) and `idx` the batch's row indices [B]; the
   * bind groups are made on the first gather from a source and kept with the plan.
   */
  async recordGather(encoder: GPUCommandEncoder, source: { key: object; x: GPUBuffer; y: GPUBuffer; lengths: GPUBuffer | null; idx: GPUBuffer }): Promise<void> {
    let g = this.gathers.get(source.key);
    if (!g) {
      const { cfg, B, T } = this.spec;
      const kernel = await this.ctx.registry.get('gather_rows');
      const w = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
      const parts: Array<{ name: string; src: GPUBuffer; out: string; W: number; w: number; timeMajor: number }> = [
        { name: 'x', src: source.x, out: cfg.inputKind === 'tokens' ? 'ids' : 'x', W: cfg.inputKind === 'tokens' ? T : T * cfg.inputSize, w: 1, timeMajor: 0 },
        cfg.outputs === 'all' ? { name: 'y', src: source.y, out: 'y', W: T * w, w, timeMajor: 1 } : { name: 'y', src: source.y, out: 'y', W: w, w, timeMajor: 0 },
      ];
      if (source.lengths) parts.push({ name: 'lengths', src: source.lengths, out: 'lengths', W: 1, w: 1, timeMajor: 0 });
      const slots = new UniformSlots(this.ctx.limits.minUniformBufferOffsetAlignment ?? 256);
      const ids = parts.map((p) => slots.add(packUniforms(kernel.info, { B, W: p.W, w: p.w, timeMajor: p.timeMajor, srcOffset: 0 }, `gather ${p.name}`)));
      const slot = slots.finish(this.ctx.device, this.arena);
      const dispatches = parts.map((p, i): Dispatch => ({
        label: `gather_rows[${p.name}]`, kernel, workgroups: flatWorkgroups(B * p.W, 64, this.ctx.limits.maxComputeWorkgroupsPerDimension ?? 65535),
        bindGroup: bindKernel(this.ctx.device, kernel, { params: slot(ids[i]!), idx: { buffer: source.idx }, src: { buffer: p.src }, out: { buffer: this.buffer(p.out) } }, `gather_rows[${p.name}]`, this.ctx.counters),
      }));
      g = { dispatches };
      this.gathers.set(source.key, g);
    }
    recordDispatches(encoder, g.dispatches, 'gather', this.ctx.counters);
  }

  /** lengths for the kernels: the caller's, or T for every row (written only when it changes). */
  private writeLengths(lengths: Int32Array | null): void {
    if (lengths) {
      this.ctx.device.queue.writeBuffer(this.buffer('lengths'), 0, lengths as Int32Array<ArrayBuffer>);
      this.lengthsFull = false;
    } else if (!this.lengthsFull) {
      this.ctx.device.queue.writeBuffer(this.buffer('lengths'), 0, new Int32Array(this.spec.B).fill(this.spec.T));
      this.lengthsFull = true;
    }
  }

  /** The loss's mean over valid positions (DESIGN.md section 5): rewritten when the batch's count changes. */
  private setLossScale(lengths: Int32Array | null): void {
    const { cfg, rows, B } = this.spec;
    const masked = lengths !== null && cfg.outputs === 'all';
    let valid = rows;
    if (masked) {
      valid = 0;
      for (let b = 0; b < B; b++) valid += lengths![b]!;
    }
    const scale = cfg.loss === 'softmax_ce' ? 1 / valid : 1 / (valid * cfg.outputSize);
    const u = this.lossUniforms!;
    if (u.scale === scale && u.masked === (masked ? 1 : 0)) return;
    u.scale = scale;
    u.masked = masked ? 1 : 0;
    const d = this.spec.dispatches[this.spec.lossDispatch]!;
    this.slots.rewrite(this.ctx.device, this.slotOf[this.spec.lossDispatch]!, packUniforms(this.kernels.get(pipelineKey(d.kernel, d.overrides))!.info, u, d.label));
  }

  /** The factor that turns the summed loss into the batch's mean loss (as last uploaded). */
  get lossScale(): number {
    return this.lossUniforms?.scale ?? Number.NaN;
  }

  /**
   * The counting sort of the token ids that embedding_backward walks (see its header): offsets
   * [V+1] and positions [T·B] (rows p = t·B + b in increasing order within each id).
   */
  private writeTokenSort(ids: Int32Array): void {
    const { cfg, B, T } = this.spec;
    const V = cfg.vocabSize;
    const counts = new Int32Array(V + 1);
    for (let i = 0; i < ids.length; i++) counts[ids[i]! + 1]!++;
    for (let v = 0; v < V; v++) counts[v + 1] = counts[v + 1]! + counts[v]!;
    const offsets = Int32Array.from(counts);
    const next = counts.subarray(0, V).slice();
    const positions = new Int32Array(T * B);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) positions[next[ids[b * T + t]!]!++] = t * B + b;
    const q = this.ctx.device.queue;
    q.writeBuffer(this.buffer('csrOffsets'), 0, offsets);
    q.writeBuffer(this.buffer('csrPositions'), 0, positions);
  }

  /**
   * Records a whole pass: the initial state into slice 0 of each layer, then every dispatch in one
   * compute pass. `learned` is the learned initial state's place in the model's params (or null).
   */
  record(encoder: GPUCommandEncoder, start: StartSource, learned: { params: GPUBuffer; h0: number; c0: number | null } | null, label: string,
    timestampWrites?: GPUComputePassTimestampWrites): void {
    const { cfg, B } = this.spec;
    const H = cfg.hiddenSize, BH = B * H;
    for (let k = 0; k < cfg.numLayers; k++) {
      for (const which of cfg.cell === 'lstm' ? (['h', 'c'] as const) : (['h'] as const)) {
        const dst = this.buffer(`${which}${k}`);
        const given = start.kind === 'explicit' ? (which === 'h' ? start.h0 : start.c0) : null;
        if (start.kind === 'carried') {
          const src = which === 'h' ? start.h : start.c!;
          encoder.copyBufferToBuffer(src, k * BH * 4, dst, 0, BH * 4);
        } else if (given) {
          this.ctx.device.queue.writeBuffer(dst, 0, toF32(given.subarray(k * BH, (k + 1) * BH)));
        } else if (learned) {
          const off = (which === 'h' ? learned.h0 : learned.c0!) + k * H;
          for (let b = 0; b < B; b++) encoder.copyBufferToBuffer(learned.params, off * 4, dst, b * H * 4, H * 4);
        } else {
          encoder.clearBuffer(dst, 0, BH * 4);
        }
      }
    }
    recordDispatches(encoder, this.dispatches, label, this.ctx.counters, timestampWrites);
  }

  /** Lengths of T for every row and the loss scale of a full batch: what a pass needs to run as a real one (the tuner's timing). */
  prime(): void {
    this.writeLengths(null);
    if (this.spec.lossDispatch >= 0) this.setLossScale(null);
  }

  /** The element offset of layer k's final state (its last tail slot) in its h and c buffers. */
  private finalSlot(k: number): number {
    return (this.spec.T + this.spec.tails[k]!) * this.spec.B * this.cfg.hiddenSize;
  }

  /** Copies every layer's final state (h_n, c_n) into [L, B, H] buffers. */
  recordFinalState(encoder: GPUCommandEncoder, h: GPUBuffer, c: GPUBuffer | null): void {
    const BH = this.spec.B * this.cfg.hiddenSize;
    for (let k = 0; k < this.cfg.numLayers; k++) {
      encoder.copyBufferToBuffer(this.buffer(`h${k}`), this.finalSlot(k) * 4, h, k * BH * 4, BH * 4);
      if (c) encoder.copyBufferToBuffer(this.buffer(`c${k}`), this.finalSlot(k) * 4, c, k * BH * 4, BH * 4);
    }
  }

  /**
   * Shifts layer k's tail slots down by one (slot s+1 → s, for s < K−1) through `scratch`, for a
   * stream's window of the last K steps; both h and (when the head reads it) c.
   */
  recordShiftTail(encoder: GPUCommandEncoder, layer: string, scratch: GPUBuffer, K: number): void {
    const BH = this.spec.B * this.cfg.hiddenSize, T = this.spec.T;
    const bytes = (K - 1) * BH * 4;
    const names = this.cfg.headFrom === 'ch' ? [`h${layer}`, `c${layer}`] : [`h${layer}`];
    names.forEach((name, i) => {
      const buf = this.buffer(name);
      encoder.copyBufferToBuffer(buf, (T + 2) * BH * 4, scratch, i * bytes, bytes);
      encoder.copyBufferToBuffer(scratch, i * bytes, buf, (T + 1) * BH * 4, bytes);
    });
  }

  /** Copies the logits [rows, C] (f32) to dst at offset 0. */
  recordLogitsCopy(encoder: GPUCommandEncoder, dst: GPUBuffer): void {
    encoder.copyBufferToBuffer(this.buffer('logits'), 0, dst, 0, this.spec.rows * this.cfg.outputSize * 4);
  }

  /** Copies the summed loss (4 bytes, f32) to dst at byteOffset. */
  recordLossCopy(encoder: GPUCommandEncoder, dst: GPUBuffer, byteOffset: number): void {
    encoder.copyBufferToBuffer(this.buffer('lossSum'), 0, dst, byteOffset, 4);
  }

  /** Ranges of the results a forward pass returns. */
  private forwardRanges(allStates: boolean): Range[] {
    const { cfg, B, T, rows } = this.spec;
    const BH = B * cfg.hiddenSize;
    const r: Range[] = [{ buffer: this.buffer('logits'), offset: 0, elements: rows * cfg.outputSize }];
    for (let k = 0; k < cfg.numLayers; k++) {
      r.push(allStates ? { buffer: this.buffer(`h${k}`), offset: BH, elements: T * BH } : { buffer: this.buffer(`h${k}`), offset: this.finalSlot(k), elements: BH });
    }
    if (cfg.cell === 'lstm') {
      for (let k = 0; k < cfg.numLayers; k++) {
        r.push(allStates ? { buffer: this.buffer(`c${k}`), offset: BH, elements: T * BH } : { buffer: this.buffer(`c${k}`), offset: this.finalSlot(k), elements: BH });
      }
    }
    return r;
  }

  /**
   * Submits `encoder` (holding a recorded pass) with copies of the forward results, waits, and
   * returns them: logits in head-row order, per layer the final state (or slices 1…T when
   * allStates, plus the final states read separately).
   */
  async readForward(encoder: GPUCommandEncoder, allStates: boolean): Promise<{ logits: Float32Array; h: Float32Array[]; c: Float32Array[]; hN: Float32Array[]; cN: Float32Array[] }> {
    const L = this.cfg.numLayers;
    const ranges = this.forwardRanges(allStates);
    if (allStates) ranges.push(...this.forwardRanges(false).slice(1));
    const got = await readRanges(this.ctx.device, this.ctx.counters, ranges, encoder);
    const lstm = this.cfg.cell === 'lstm';
    const h = got.slice(1, 1 + L), c = lstm ? got.slice(1 + L, 1 + 2 * L) : [];
    const base = 1 + (lstm ? 2 : 1) * L;
    const hN = allStates ? got.slice(base, base + L) : h, cN = allStates ? (lstm ? got.slice(base + L, base + 2 * L) : []) : c;
    return { logits: got[0]!, h, c, hN, cN };
  }

  /** Like readForward for a grad pass: the summed loss, logits, final states, dh0 (and dc0); the model reads its grads itself. */
  async readGrad(encoder: GPUCommandEncoder, extra: Range[]): Promise<{ lossSum: number; logits: Float32Array; hN: Float32Array[]; cN: Float32Array[]; dh0: Float32Array; dc0: Float32Array | null; extra: Float32Array[] }> {
    const { cfg, B } = this.spec;
    const L = cfg.numLayers, BH = B * cfg.hiddenSize;
    const lstm = cfg.cell === 'lstm';
    const ranges: Range[] = [
      { buffer: this.buffer('lossSum'), offset: 0, elements: 1 },
      ...this.forwardRanges(false),
      { buffer: this.buffer('dh0'), offset: 0, elements: L * BH },
      ...(lstm ? [{ buffer: this.buffer('dc0'), offset: 0, elements: L * BH }] : []),
      ...extra,
    ];
    const got = await readRanges(this.ctx.device, this.ctx.counters, ranges, encoder);
    const hN = got.slice(2, 2 + L), cN = lstm ? got.slice(2 + L, 2 + 2 * L) : [];
    const at = 2 + (lstm ? 2 : 1) * L;
    return { lossSum: got[0]![0]!, logits: got[1]!, hN, cN, dh0: got[at]!, dc0: lstm ? got[at + 1]! : null, extra: got.slice(at + (lstm ? 2 : 1)) };
  }

  /** The plan as printable rows (see describeSpec), after a line saying which variant runs and why. */
  describe(): string {
    return `${this.spec.mode} B=${this.spec.B} T=${this.spec.T}: ${this.why || 'variant given'}\n${describeSpec(this.spec)}`;
  }

  destroy(): void {
    this.arena.destroy();
  }
}

/** A float copy as f32 for upload (the webgpu backend's copies already are). */
function toF32(a: FloatCopy): Float32Array<ArrayBuffer> {
  return (a instanceof Float32Array ? a : Float32Array.from(a)) as Float32Array<ArrayBuffer>;
}
