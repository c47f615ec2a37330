/**
 * The `webgpu` backend's model: parameters, gradients and optimizer state in flat GPU buffers, one
 * cached plan per (mode, B, T), the caller's initial state written into slice 0 of each layer's h
 * and c. Everything the caller passes is checked (the same checks as the cpu backend) before any
 * GPU work.
 */
import type { ForwardOptions, ForwardResult, GradResult, InitialState, Model, Targets, TrainerOptions } from '../api.js';
import type { ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { encodeModelFile } from '../files/modelFile.js';
import { paramLayout, type ParamLayout } from '../params.js';
import { targetsToRows } from '../reference/loss.js';
import { toBatchFirst } from '../reference/network.js';
import type { FloatTensor } from '../tensor.js';
import { checkInput, checkParameterMap, checkState, checkTargets } from '../checks/tensors.js';
import { buildPlan, type FlatBuffers, type Plan, type PlanContext, type PlanMode } from './plan.js';
import { readRanges } from './readback.js';
import { recordDispatches } from './kernels.js';
import { GpuTrainer } from './gpuTrainer.js';

export type StartMode = { kind: 'zeros' } | { kind: 'explicit'; h0: Float64Array | null; c0: Float64Array | null } | { kind: 'carried'; h: GPUBuffer; c: GPUBuffer | null };

export class GpuModel implements Model {
  readonly backend = 'webgpu' as const;
  readonly layout: ParamLayout;
  readonly flat: FlatBuffers;
  private readonly plans = new Map<string, Promise<Plan>>();
  private destroyed = false;

  constructor(readonly ctx: PlanContext, readonly config: ResolvedConfig, initial: Float64Array) {
    this.layout = paramLayout(config);
    const n = this.layout.total;
    const make = (label: string) => {
      ctx.counters.buffersCreated++;
      return ctx.device.createBuffer({ label, size: Math.max(16, n * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    };
    this.flat = { params: make('params'), grads: make('grads'), state1: make('optimizer.state1'), state2: make('optimizer.state2') };
    ctx.device.queue.writeBuffer(this.flat.params, 0, Float32Array.from(initial));
  }

  alive(): void {
    if (this.destroyed) throw new InputError('model: this model was destroyed');
  }

  /** The plan for (mode, B, T), made once. */
  plan(mode: PlanMode, B: number, T: number, opts: Parameters<typeof buildPlan>[7] = {}): Promise<Plan> {
    const key = `${mode}:${B}:${T}:${opts.clip ?? ''}:${opts.learnedUsed ?? ''}`;
    let p = this.plans.get(key);
    if (!p) {
      p = buildPlan(this.ctx, this.config, this.layout, this.flat, B, T, mode, opts);
      this.plans.set(key, p);
      p.catch(() => this.plans.delete(key));
    }
    return p;
  }

  /** Host writes of one pass's inputs: x (batch-first, read with strides), targets in head-row order. */
  upload(plan: Plan, x: ArrayLike<number>, y: ArrayLike<number> | null): void {
    const q = this.ctx.device.queue;
    q.writeBuffer(plan.x, 0, Float32Array.from(x));
    if (y && plan.y) {
      const rows = targetsToRows(this.config, y, plan.B, plan.T);
      q.writeBuffer(plan.y, 0, this.config.loss === 'softmax_ce' ? Int32Array.from(rows) : Float32Array.from(rows));
    }
  }

  /** Records the initial state of every layer into slice 0 of h (and c). */
  recordStart(encoder: GPUCommandEncoder, plan: Plan, start: StartMode): void {
    const cfg = this.config, B = plan.B, H = cfg.hiddenSize, BH = B * H;
    plan.layers.forEach((lb, k) => {
      for (const [buf, which] of [[lb.h, 'h'], [lb.c, 'c']] as const) {
        if (!buf) continue;
        if (start.kind === 'carried') {
          const src = which === 'h' ? start.h : start.c!;
          encoder.copyBufferToBuffer(src, k * BH * 4, buf, 0, BH * 4);
        } else if (start.kind === 'explicit' && (which === 'h' ? start.h0 : start.c0)) {
          const data = (which === 'h' ? start.h0 : start.c0)!;
          this.ctx.device.queue.writeBuffer(buf, 0, Float32Array.from(data.subarray(k * BH, (k + 1) * BH)));
        } else if (cfg.learnedInitialState) {
          const off = this.layout.byName.get(which === 'h' ? 'init.h0' : 'init.c0')!.offset + k * H;
          for (let b = 0; b < B; b++) encoder.copyBufferToBuffer(this.flat.params, off * 4, buf, b * H * 4, H * 4);
        } else {
          encoder.clearBuffer(buf, 0, BH * 4);
        }
      }
    });
  }

  /** A learned state that a pass did not start from gets a zero gradient (the plan skipped it). */
  clearUnusedLearnedGrads(encoder: GPUCommandEncoder, plan: Plan): void {
    if (!this.config.learnedInitialState || plan.learnedUsed) return;
    for (const name of ['init.h0', 'init.c0']) {
      const s = this.layout.byName.get(name);
      if (s) encoder.clearBuffer(this.flat.grads, s.offset * 4, s.size * 4);
    }
  }

  private startFrom(cfg: ResolvedConfig, B: number, opts: InitialState, where: string): StartMode {
    const h0 = checkState(cfg, opts.h0, B, 'h0', where), c0 = checkState(cfg, opts.c0, B, 'c0', where);
    return h0 || c0 ? { kind: 'explicit', h0, c0 } : { kind: 'zeros' };
  }

  async forward(x: FloatTensor, opts: ForwardOptions = {}): Promise<ForwardResult> {
    this.alive();
    const cfg = this.config, H = cfg.hiddenSize, L = cfg.numLayers, C = cfg.outputSize;
    const { B, T } = checkInput(cfg, x, 'forward');
    const start = this.startFrom(cfg, B, opts, 'forward');
    const plan = await this.plan('forward', B, T);
    this.upload(plan, x.data, null);
    const enc = this.ctx.device.createCommandEncoder({ label: 'forward' });
    this.recordStart(enc, plan, start);
    recordPass(enc, plan, this.ctx);
    const BH = B * H;
    const ranges = [{ buffer: plan.logits, offset: 0, elements: plan.rows * C }];
    for (const lb of plan.layers) ranges.push({ buffer: lb.h, offset: 0, elements: (T + 1) * BH });
    if (cfg.cell === 'lstm') for (const lb of plan.layers) ranges.push({ buffer: lb.c!, offset: 0, elements: (T + 1) * BH });
    const got = await readRanges(this.ctx.device, this.ctx.counters, ranges, enc);
    const logits = cfg.outputs === 'all' ? Float32Array.from(toBatchFirst(got[0]!, B, T, C)) : got[0]!;
    const hs = got.slice(1, 1 + L), cs = cfg.cell === 'lstm' ? got.slice(1 + L) : [];
    const finalOf = (all: Float32Array[]) => {
      const out = new Float32Array(L * BH);
      all.forEach((a, k) => out.set(a.subarray(T * BH, (T + 1) * BH), k * BH));
      return out;
    };
    const result: ForwardResult = { logits, logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C], hN: finalOf(hs), ...(cs.length ? { cN: finalOf(cs) } : {}) };
    if (opts.states === 'all') {
      const gather = (all: Float32Array[]) => {
        const out = new Float32Array(L * B * T * H);
        all.forEach((a, k) => { for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.set(a.subarray(((t + 1) * B + b) * H, ((t + 1) * B + b + 1) * H), ((k * B + b) * T + t) * H); });
        return out;
      };
      result.hAll = gather(hs);
      if (cs.length) result.cAll = gather(cs);
    }
    return result;
  }

  async grad(x: FloatTensor, y: Targets, opts: InitialState = {}): Promise<GradResult> {
    this.alive();
    const cfg = this.config, H = cfg.hiddenSize, L = cfg.numLayers, C = cfg.outputSize;
    const { B, T } = checkInput(cfg, x, 'grad');
    const targets = checkTargets(cfg, y, B, T, 'grad');
    const start = this.startFrom(cfg, B, opts, 'grad');
    const plan = await this.plan('grad', B, T, { learnedUsed: cfg.learnedInitialState && start.kind === 'zeros' });
    this.upload(plan, x.data, targets);
    const enc = this.ctx.device.createCommandEncoder({ label: 'grad' });
    this.recordStart(enc, plan, start);
    this.clearUnusedLearnedGrads(enc, plan);
    recordPass(enc, plan, this.ctx);
    const BH = B * H;
    const ranges = [
      { buffer: plan.lossSum!, offset: 0, elements: 1 },
      { buffer: plan.logits, offset: 0, elements: plan.rows * C },
      { buffer: this.flat.grads, offset: 0, elements: this.layout.total },
      { buffer: plan.dh0!, offset: 0, elements: L * BH },
      ...plan.layers.map((lb) => ({ buffer: lb.h, offset: T * BH, elements: BH })),
      ...(cfg.cell === 'lstm' ? [{ buffer: plan.dc0!, offset: 0, elements: L * BH }, ...plan.layers.map((lb) => ({ buffer: lb.c!, offset: T * BH, elements: BH }))] : []),
    ];
    const got = await readRanges(this.ctx.device, this.ctx.counters, ranges, enc);
    const scale = cfg.loss === 'softmax_ce' ? 1 / plan.rows : 1 / (plan.rows * C);
    const cat = (parts: Float32Array[]) => { const o = new Float32Array(L * BH); parts.forEach((p, k) => o.set(p, k * BH)); return o; };
    const gradsFlat = got[2]!;
    const grads = new Map<string, Float32Array>();
    for (const s of this.layout.specs) grads.set(s.name, gradsFlat.slice(s.offset, s.offset + s.size));
    const hN = cat(got.slice(4, 4 + L));
    const result: GradResult = {
      loss: got[0]![0]! * scale,
      logits: cfg.outputs === 'all' ? Float32Array.from(toBatchFirst(got[1]!, B, T, C)) : got[1]!,
      logitsShape: cfg.outputs === 'all' ? [B, T, C] : [B, C],
      hN, grads, dh0: got[3]!,
    };
    if (cfg.cell === 'lstm') {
      result.dc0 = got[4 + L]!;
      result.cN = cat(got.slice(5 + L, 5 + 2 * L));
    }
    return result;
  }

  trainer(opts: TrainerOptions): GpuTrainer {
    this.alive();
    return new GpuTrainer(this, opts);
  }

  async getParameters(): Promise<Map<string, Float64Array>> {
    this.alive();
    const [flat] = await readRanges(this.ctx.device, this.ctx.counters, [{ buffer: this.flat.params, offset: 0, elements: this.layout.total }]);
    const out = new Map<string, Float64Array>();
    for (const s of this.layout.specs) out.set(s.name, Float64Array.from(flat!.subarray(s.offset, s.offset + s.size)));
    return out;
  }

  async setParameters(params: Map<string, ArrayLike<number>>): Promise<void> {
    this.alive();
    for (const [offset, v] of checkParameterMap(this.layout, params)) this.ctx.device.queue.writeBuffer(this.flat.params, offset * 4, Float32Array.from(v));
  }

  async save(opts: { dtype?: 'F32' | 'F64' } = {}): Promise<Uint8Array> {
    const p = await this.getParameters();
    const flat = new Float64Array(this.layout.total);
    for (const s of this.layout.specs) flat.set(p.get(s.name)!, s.offset);
    return encodeModelFile(this.config, flat, opts.dtype ?? 'F32');
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.plans.values()) p.then((pl) => pl.arena.destroy(), () => undefined);
    for (const b of Object.values(this.flat)) b.destroy();
  }
}

/** Records a plan's dispatches into one compute pass. */
export function recordPass(encoder: GPUCommandEncoder, plan: Plan, ctx: PlanContext): void {
  recordDispatches(encoder, plan.dispatches, `step[B=${plan.B},T=${plan.T},${plan.mode}]`, ctx.counters);
}
