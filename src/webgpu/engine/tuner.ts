/**
 * Chooses a plan's kernel variants by timing them on this adapter, once per (adapter, model shape,
 * batch, sequence length, forward-only or training), and remembers the choice for the engine's
 * lifetime (in memory). `describePlan` prints the choice and the timings behind it.
 *
 * The variants: how the recurrence runs (planSpec.ts `Recurrence`): one dispatch per step (the
 * step kernels), or a time loop per layer in workgroups of R batch rows (the layer kernels) for
 * several R. Timing: each candidate's whole pass (forward, or forward + backward for training) is
 * recorded into one compute pass, run once to warm up and then `runs` times; the time of a run is
 * the pass's GPU time from timestamp queries where the device has them (Dawn with
 * 'timestamp-query'), else the wall clock from submit to onSubmittedWorkDone. The median wins.
 *
 * What is timed costs compiles: the layer kernels' R is a uniform (all R values share one pipeline),
 * but the two families are different pipelines, and on a software adapter one compile takes
 * seconds (measured on SwiftShader: lstm_step_backward 3–8 s, the layer kernels well under a
 * second). So on a software adapter the families are timed against each other only where the cost
 * model cannot tell them apart: a step of B·H ≤ 2048 work items is far below one dispatch's cost, so
 * the time loop wins there by the dispatch floor alone (there only R is timed); from B·H ≥ 32768
 * the step kernels' parallelism wins (there nothing is timed). On a GPU adapter every candidate is
 * timed. `tuning: 'model'` never times (the cost model's pick), for reproducible plans.
 */
import type { ResolvedConfig } from '../../config.js';
import { planSpec, type PlanMode, type Recurrence } from './planSpec.js';
import { GpuPlan, type PlanContext } from './plan.js';

export interface Variant {
  recurrence: Recurrence;
  /** Why: the timings, or the rule that decided without timing. */
  why: string;
}

export type TuningPolicy = 'measure' | 'model';

/** What the tuner needs of a model: its config, layout and buffers (plans are timed on them; params are not changed). */
export interface TunedModel {
  config: ResolvedConfig;
  layout: import('../../params.js').ParamLayout;
  params: GPUBuffer;
  grads: GPUBuffer;
}

/** Workgroup size of the layer kernels: small, because a barrier's cost grows with it (DESIGN.md section 6). */
export const LOOP_WG = 32;

/** Candidate slice sizes R for a batch of B: about 1, 2 and 8 workgroups, multiples of 4 (rows go in quads), deduplicated. */
export function sliceSizes(B: number): number[] {
  const up4 = (n: number) => Math.max(4, Math.ceil(n / 4) * 4);
  return [...new Set([up4(B), up4(Math.ceil(B / 2)), up4(Math.ceil(B / 8))])].filter((r) => r === up4(B) || r < B);
}

/** The candidates worth timing, and the rule that pruned the others. */
export function candidates(cfg: ResolvedConfig, B: number, software: boolean): { list: Recurrence[]; rule: string } {
  const looped = sliceSizes(B).map((R): Recurrence => ({ kind: 'looped', R, WG: LOOP_WG }));
  const steps: Recurrence = { kind: 'steps' };
  const work = B * cfg.hiddenSize;
  if (software && work <= 2048) return { list: looped, rule: `B·H = ${work} ≤ 2048 on a software adapter: the time loop beats a dispatch per step by the dispatch floor alone, only its slice size is timed` };
  if (software && work >= 32768) return { list: [steps], rule: `B·H = ${work} ≥ 32768 on a software adapter: the step kernels' parallelism wins; nothing timed` };
  return { list: [steps, ...looped], rule: 'every candidate timed' };
}

/** The cost model's pick, when nothing is timed. */
export function modelChoice(cfg: ResolvedConfig, B: number): Recurrence {
  return B * cfg.hiddenSize <= 8192 ? { kind: 'looped', R: sliceSizes(B)[1] ?? sliceSizes(B)[0]!, WG: LOOP_WG } : { kind: 'steps' };
}

export function describeRecurrence(r: Recurrence): string {
  return r.kind === 'steps' ? 'a dispatch per step' : `time loop, R=${r.R} rows per workgroup (WG ${r.WG})`;
}

export class Tuner {
  private readonly choices = new Map<string, Promise<Variant>>();
  /** Every timing taken, for tests and the benchmark: key → candidate → median ms. */
  readonly timings = new Map<string, Array<{ recurrence: Recurrence; ms: number }>>();

  constructor(private readonly ctx: PlanContext, private readonly software: boolean, private readonly policy: TuningPolicy, private readonly runs = 3) {}

  private forced: Recurrence | null = null;

  /**
   * Makes every later choice `r` (null: back to choosing), for tests that check each variant and for
   * benchmarks that time one. Plans already made keep their variant.
   */
  force(r: Recurrence | null): void {
    this.forced = r;
  }

  /** A key part for plan caches while a variant is forced (so forced and chosen plans never mix). */
  get forcedKey(): string | null {
    return this.forced ? JSON.stringify(this.forced) : null;
  }

  choose(model: TunedModel, mode: PlanMode, B: number, T: number): Promise<Variant> {
    if (this.forced) return Promise.resolve({ recurrence: this.forced, why: `${describeRecurrence(this.forced)} (forced)` });
    const cfg = model.config;
    const training = mode !== 'forward';
    const key = `${JSON.stringify(cfg)}:${B}:${T}:${training ? 'train' : 'forward'}`;
    let p = this.choices.get(key);
    if (!p) {
      p = this.decide(model, key, training ? 'train' : 'forward', B, T);
      this.choices.set(key, p);
      p.catch(() => this.choices.delete(key));
    }
    return p;
  }

  private async decide(model: TunedModel, key: string, mode: PlanMode, B: number, T: number): Promise<Variant> {
    const cfg = model.config;
    if (this.policy === 'model') {
      const r = modelChoice(cfg, B);
      return { recurrence: r, why: `${describeRecurrence(r)} (the cost model: B·H = ${B * cfg.hiddenSize}; tuning "model" times nothing)` };
    }
    const { list, rule } = candidates(cfg, B, this.software);
    if (list.length === 1) return { recurrence: list[0]!, why: `${describeRecurrence(list[0]!)} (${rule})` };
    const results: Array<{ recurrence: Recurrence; ms: number }> = [];
    let how = 'wall clock';
    for (const recurrence of list) {
      const spec = planSpec(cfg, model.layout, B, T, mode, { recurrence, learned: { h: false, c: false } });
      let plan: GpuPlan;
      try {
        plan = await GpuPlan.create(this.ctx, spec, model, 'tuning');
      } catch {
        continue; // a candidate the device cannot hold is not a candidate
      }
      try {
        const t = await timePlan(this.ctx.device, plan, this.runs);
        how = t.how;
        results.push({ recurrence, ms: t.ms });
      } finally {
        await this.ctx.device.queue.onSubmittedWorkDone();
        plan.destroy();
      }
    }
    if (results.length === 0) return { recurrence: { kind: 'steps' }, why: 'a dispatch per step (no candidate could be timed)' };
    results.sort((a, b) => a.ms - b.ms);
    this.timings.set(key, results);
    const best = results[0]!;
    const list2 = results.map((r) => `${describeRecurrence(r.recurrence)} ${r.ms.toFixed(2)} ms`).join(', ');
    return { recurrence: best.recurrence, why: `${describeRecurrence(best.recurrence)}, the fastest of ${list2} (measured by ${how}, median of ${this.runs}; ${rule})` };
  }
}

/** Median time of `runs` passes of a plan (after one warm-up), by timestamp queries where the device has them. */
export async function timePlan(device: GPUDevice, plan: GpuPlan, runs: number): Promise<{ ms: number; how: string }> {
  plan.prime();
  const stamps = device.features.has('timestamp-query');
  const querySet = stamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = stamps ? device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }) : null;
  const read = stamps ? device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }) : null;
  const times: number[] = [];
  try {
    for (let i = 0; i <= runs; i++) {
      const enc = device.createCommandEncoder({ label: 'tuning' });
      plan.record(enc, { kind: 'default' }, null, 'tuning', querySet ? { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } : undefined);
      if (querySet) {
        enc.resolveQuerySet(querySet, 0, 2, resolve!, 0);
        enc.copyBufferToBuffer(resolve!, 0, read!, 0, 16);
      }
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      let ms: number;
      if (read) {
        await read.mapAsync(GPUMapMode.READ);
        const [a, b] = new BigInt64Array(read.getMappedRange().slice(0));
        read.unmap();
        ms = Number(b! - a!) / 1e6;
      } else {
        await device.queue.onSubmittedWorkDone();
        ms = performance.now() - t0;
      }
      if (i > 0) times.push(ms);
    }
  } finally {
    querySet?.destroy();
    resolve?.destroy();
    read?.destroy();
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1]!, how: stamps ? 'timestamp queries' : 'wall clock' };
}
