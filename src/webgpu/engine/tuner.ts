/**
 * Chooses a plan's kernel variants by timing them on this adapter, once per (adapter, model shape,
 * batch, sequence length, forward-only or training), and remembers the choice for the engine's
 * lifetime (in memory). `describePlan` prints the choice and the timings behind it.
 *
 * The variants (planSpec.ts):
 *   - the recurrence: one dispatch per step (the step kernels), or a time loop per layer in
 *     workgroups of R batch rows (the layer kernels), for several R;
 *   - the matmuls: matmul.wgsl's 8×8 register tiles on a 2-D grid (half the loads per multiply-add
 *     of 4×4: the faster one at large shapes on SwiftShader, bench/results/matmul.json), or
 *     matmul_small.wgsl (4×4 tiles from a linear index, split K for long reductions onto few
 *     outputs: the one for small and skinny products, and far quicker to compile on SwiftShader).
 * Timing: each candidate's whole pass (forward, or forward + backward for training) is recorded into
 * one compute pass, run once to warm up and then `runs` times; a run's time is the pass's GPU time
 * from timestamp queries where the device has them (Dawn with 'timestamp-query'), else the wall
 * clock from submit to onSubmittedWorkDone. The median wins.
 *
 * Timing costs compiles: R is a uniform (every R shares one pipeline), but the two recurrence
 * families and the two matmul kernels are different pipelines, and on a software adapter a compile
 * takes seconds (SwiftShader, measured: lstm_step_backward 4 s, the 8×8 matmul 1.2 s; the layer
 * kernels and the small matmul 0.1–0.2 s). So on a software adapter a family is timed only where the cost
 * model cannot rule it out (see `candidates`): the time loop for steps of B·H ≤ 2048 items (a step is
 * then far below one dispatch's cost, so only R is timed), the step kernels from B·H ≥ 32768; the
 * 8×8 matmul only for plans with a matmul of more than 2^21 multiply-adds, the small one only below 2^26.
 * On a GPU adapter every candidate is timed (its compiles take milliseconds). `tuning: 'model'`
 * never times: the cost model's pick, for reproducible plans.
 */
import type { ResolvedConfig } from '../../config.js';
import { MATMUL_DEFAULTS, type MatmulOverrides } from '../kernels/grids.js';
import { planSpec, type MatmulChoice, type PlanMode, type PlanSpec, type Recurrence } from './planSpec.js';
import { Arena } from './arena.js';
import { checkSpecLimits, GpuPlan, type PlanContext } from './plan.js';

export interface Variant {
  recurrence: Recurrence;
  matmul: MatmulChoice;
  /** Why: the timings, or the rule that decided without timing. */
  why: string;
  /** False for the cost model's provisional pick while the candidates are timed in the background. */
  settled: boolean;
}

/**
 * 'background' (the default): a plan first runs the cost model's pick, while the candidates are
 * timed in the background, one shape after another; the fastest takes over from the next pass that
 * asks for that plan (the time to the first step is then compiles only). 'measure': the first pass
 * of a shape waits for the timings (reproducible from the first step; benchmarks). 'model': never
 * times.
 */
export type TuningPolicy = 'background' | 'measure' | 'model';

/**
 * What the tuner needs of a model: its config and layout. Candidates are timed on scratch
 * parameter and gradient buffers of the tuner's own (zeros: a pass costs the same whatever the
 * weights), so timing in the background never touches a model that is training.
 */
export interface TunedModel {
  config: ResolvedConfig;
  layout: import('../../params.js').ParamLayout;
}

/** Workgroup size of the layer kernels: small, because a barrier's cost grows with it (DESIGN.md section 6). */
export const LOOP_WG = 32;

export const TILE_8: MatmulChoice = { kernel: 'matmul', tile: { ...MATMUL_DEFAULTS } as MatmulOverrides };
export const SMALL: MatmulChoice = { kernel: 'matmul_small' };

/** Candidate slice sizes R for a batch of B: about 1, 2 and 8 workgroups, multiples of 4 (rows go in quads), deduplicated. */
export function sliceSizes(B: number): number[] {
  const up4 = (n: number) => Math.max(4, Math.ceil(n / 4) * 4);
  return [...new Set([up4(B), up4(Math.ceil(B / 2)), up4(Math.ceil(B / 8))])].filter((r) => r === up4(B) || r < B);
}

/** The most multiply-adds of one matmul of a plan. */
export function largestMatmul(spec: PlanSpec): number {
  let w = 0;
  for (const d of spec.dispatches) if (d.kernel === 'matmul') w = Math.max(w, d.uniforms.M! * d.uniforms.N! * d.uniforms.K!);
  return w;
}

/** The candidates worth timing, and the rules that pruned the others. */
export function candidates(cfg: ResolvedConfig, spec: PlanSpec, software: boolean): { list: Array<{ recurrence: Recurrence; matmul: MatmulChoice }>; rule: string } {
  const B = spec.B;
  const looped = sliceSizes(B).map((R): Recurrence => ({ kind: 'looped', R, WG: LOOP_WG }));
  const steps: Recurrence = { kind: 'steps' };
  const work = B * cfg.hiddenSize;
  const rules: string[] = [];
  let recurrences: Recurrence[] = [steps, ...looped];
  if (software && work <= 2048) {
    recurrences = looped;
    rules.push(`B·H = ${work} ≤ 2048: a time loop (a step is far below one dispatch's cost), only its slice size timed`);
  } else if (software && work >= 32768) {
    recurrences = [steps];
    rules.push(`B·H = ${work} ≥ 32768: a dispatch per step (its parallelism wins)`);
  }
  const mm = largestMatmul(spec);
  let tiles: MatmulChoice[] = [TILE_8, SMALL];
  if (software && mm <= 2 ** 21) {
    tiles = [SMALL];
    rules.push(`largest matmul ${mm} ≤ 2^21 multiply-adds: matmul_small (matmul's 8×8 tile costs a 1.2 s compile here for nothing)`);
  } else if (software && mm >= 2 ** 26) {
    tiles = [TILE_8];
    rules.push(`largest matmul ${mm} ≥ 2^26 multiply-adds: matmul's 8×8 tile`);
  }
  const list = recurrences.flatMap((recurrence) => tiles.map((matmul) => ({ recurrence, matmul })));
  return { list, rule: rules.length ? `on a software adapter: ${rules.join('; ')}` : 'every candidate timed' };
}

/** The cost model's pick, when nothing is timed. */
export function modelChoice(cfg: ResolvedConfig, spec: PlanSpec): { recurrence: Recurrence; matmul: MatmulChoice } {
  const sizes = sliceSizes(spec.B);
  return {
    recurrence: spec.B * cfg.hiddenSize <= 8192 ? { kind: 'looped', R: sizes[1] ?? sizes[0]!, WG: LOOP_WG } : { kind: 'steps' },
    matmul: largestMatmul(spec) <= 2 ** 22 ? SMALL : TILE_8,
  };
}

export function describeVariant(v: { recurrence: Recurrence; matmul: MatmulChoice }): string {
  const r = v.recurrence;
  const rec = r.kind === 'steps' ? 'a dispatch per step' : `time loop R=${r.R} (WG ${r.WG})`;
  return `${rec}, ${v.matmul.kernel === 'matmul' ? `matmul ${v.matmul.tile.TM}×${v.matmul.tile.TN}` : 'matmul_small (split K)'}`;
}

export class Tuner {
  /** Choices being made or made, per key: settled once timed (or decided by rule). */
  private readonly choices = new Map<string, Promise<Variant>>();
  private readonly settledChoices = new Map<string, Variant>();
  /** Background timings run one at a time, in the order asked for. */
  private background: Promise<void> = Promise.resolve();
  private pending = 0;
  private closed = false;
  /** Every timing taken, for tests and the benchmark: key → candidates with their median ms, fastest first. */
  readonly timings = new Map<string, Array<{ recurrence: Recurrence; matmul: MatmulChoice; ms: number; dropped?: true }>>();
  private forced: { recurrence: Recurrence; matmul: MatmulChoice } | null = null;

  constructor(private readonly ctx: PlanContext, private readonly software: boolean, readonly policy: TuningPolicy = 'background', private readonly runs = 3) {}

  /**
   * Makes every later choice `v` (null: back to choosing), for tests that check each variant and for
   * benchmarks that time one. Plans already made keep their variant.
   */
  force(v: { recurrence: Recurrence; matmul?: MatmulChoice } | null): void {
    this.forced = v ? { recurrence: v.recurrence, matmul: v.matmul ?? TILE_8 } : null;
  }

  /** A key part for plan caches while a variant is forced (so forced and chosen plans never mix). */
  get forcedKey(): string | null {
    return this.forced ? JSON.stringify(this.forced) : null;
  }

  /** Resolves when no timing is running or queued (tests, benchmarks; nothing waits for it otherwise). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.background;
  }

  /** Stops queued background timings (the engine is being destroyed). */
  close(): void {
    this.closed = true;
  }

  /** The variant of a plan of (model, mode, B, T): settled, or (policy 'background') the provisional pick. */
  choose(model: TunedModel, mode: PlanMode, B: number, T: number): Promise<Variant> {
    if (this.forced) return Promise.resolve({ ...this.forced, why: `${describeVariant(this.forced)} (forced)`, settled: true });
    const key = keyOf(model, mode, B, T);
    let p = this.choices.get(key);
    if (p) return p;
    const tmode: PlanMode = mode === 'forward' ? 'forward' : 'train';
    const base = planSpec(model.config, model.layout, B, T, tmode, { learned: { h: false, c: false } });
    const pick = modelChoice(model.config, base);
    const { list, rule } = candidates(model.config, base, this.software);
    if (this.policy === 'model') {
      p = Promise.resolve({ ...pick, why: `${describeVariant(pick)} (the cost model; tuning "model" times nothing)`, settled: true });
    } else if (!fitsDevice(base, this.ctx.limits)) {
      // The plan itself will be refused, naming the tensor and the limit: nothing to time.
      p = Promise.resolve({ ...pick, why: `${describeVariant(pick)} (over the device's limits: not timed)`, settled: true });
    } else if (list.length === 1) {
      p = Promise.resolve({ ...list[0]!, why: `${describeVariant(list[0]!)} (${rule})`, settled: true });
    } else if (this.policy === 'measure') {
      p = this.decide(model, key, tmode, B, T, list, rule, pick);
    } else {
      this.pending++;
      const timed = this.background.then(() => (this.closed ? null : this.decide(model, key, tmode, B, T, list, rule, pick)));
      this.background = timed.then(() => undefined, () => undefined).finally(() => { this.pending--; });
      timed.then((v) => {
        if (!v) return void this.choices.delete(key);
        this.choices.set(key, Promise.resolve(v));
        this.settledChoices.set(key, v);
      }, () => this.choices.delete(key));
      p = Promise.resolve({ ...pick, why: `${describeVariant(pick)} (the cost model's pick, provisional: ${list.length} candidates are being timed in the background, and the fastest replaces it from the next pass on)`, settled: false });
    }
    this.choices.set(key, p);
    p.then((v) => { if (v.settled) this.settledChoices.set(key, v); }, () => this.choices.delete(key));
    return p;
  }

  /** The settled variant of (model, mode, B, T), once known. */
  settledChoice(model: TunedModel, mode: PlanMode, B: number, T: number): Variant | undefined {
    if (this.forced) return undefined;
    return this.settledChoices.get(keyOf(model, mode, B, T));
  }

  private async decide(model: TunedModel, key: string, mode: PlanMode, B: number, T: number, list: Array<{ recurrence: Recurrence; matmul: MatmulChoice }>, rule: string, pick: { recurrence: Recurrence; matmul: MatmulChoice }): Promise<Variant> {
    const cfg = model.config;
    const results: Array<{ recurrence: Recurrence; matmul: MatmulChoice; ms: number }> = [];
    const dropped: Array<{ recurrence: Recurrence; matmul: MatmulChoice; ms: number; dropped: true }> = [];
    let how = 'wall clock';
    const scratch = new Arena(this.ctx.device, this.ctx.counters, 'tuning');
    try {
      const buffers = await scratch.guarded('tuning', () => ({ params: scratch.storage('params', model.layout.total), grads: scratch.storage('grads', model.layout.total) }));
      for (const c of modelFirst(list, pick)) {
        if (this.closed) break;
        const spec = planSpec(cfg, model.layout, B, T, mode, { ...c, learned: { h: false, c: false } });
        let plan: GpuPlan;
        try {
          plan = await GpuPlan.create(this.ctx, spec, buffers, 'tuning');
        } catch {
          continue; // a candidate the device cannot hold is not a candidate
        }
        try {
          const best = results.length ? Math.min(...results.map((r) => r.ms)) : Infinity;
          const t = await timePlan(this.ctx.device, plan, this.runs, DROP_FACTOR * best);
          how = t.how;
          if (t.dropped) dropped.push({ ...c, ms: t.ms, dropped: true });
          else results.push({ ...c, ms: t.ms });
        } finally {
          await this.ctx.device.queue.onSubmittedWorkDone();
          plan.destroy();
        }
      }
    } finally {
      scratch.destroy();
    }
    if (results.length === 0) return { ...pick, why: `${describeVariant(pick)} (the cost model's pick: no candidate could be timed)`, settled: true };
    results.sort((a, b) => a.ms - b.ms);
    this.timings.set(key, [...results, ...dropped]);
    const best = results[0]!;
    const all = results.map((r) => `${describeVariant(r)} ${r.ms.toFixed(2)} ms`).join(', ');
    const slow = dropped.length ? `; dropped after one run, over ${DROP_FACTOR}× the best: ${dropped.map((r) => `${describeVariant(r)} ${r.ms.toFixed(2)} ms`).join(', ')}` : '';
    return { recurrence: best.recurrence, matmul: best.matmul, why: `${describeVariant(best)}: the fastest of ${all} (measured by ${how}, median of ${this.runs}${slow}; ${rule})`, settled: true };
  }
}

function fitsDevice(spec: PlanSpec, limits: Record<string, number>): boolean {
  try {
    checkSpecLimits(spec, limits, 'tuning');
    return true;
  } catch {
    return false;
  }
}

/** One choice per (config, B, T, forward or training): grad and train passes share theirs. */
function keyOf(model: TunedModel, mode: PlanMode, B: number, T: number): string {
  return `${JSON.stringify(model.config)}:${B}:${T}:${mode === 'forward' ? 'forward' : 'train'}`;
}

/** Whether a plan spec runs variant `v`. */
export function runsVariant(spec: { recurrence: Recurrence; matmul: MatmulChoice }, v: { recurrence: Recurrence; matmul: MatmulChoice }): boolean {
  return describeVariant(spec) === describeVariant(v);
}

/**
 * A candidate whose first run takes over DROP_FACTOR times the best median so far is not timed
 * further: run-to-run noise here is well under 2× (bench/results), so it cannot win, and on a
 * software adapter each run of a slow candidate costs as much as several training steps. This is
 * most of the tuning's share of the time to the first step.
 */
export const DROP_FACTOR = 3;

/** The cost model's pick first, so the bound that drops slow candidates is tight from the start. */
function modelFirst<C extends { recurrence: Recurrence; matmul: MatmulChoice }>(list: C[], pick: { recurrence: Recurrence; matmul: MatmulChoice }): C[] {
  const same = (c: C) => describeVariant(c) === describeVariant(pick);
  return [...list.filter(same), ...list.filter((c) => !same(c))];
}

/**
 * Median time of `runs` passes of a plan (after one warm-up), by timestamp queries where the device
 * has them. When the first timed run already takes over `dropAbove` ms, it stops there: `dropped`.
 */
export async function timePlan(device: GPUDevice, plan: GpuPlan, runs: number, dropAbove = Infinity): Promise<{ ms: number; how: string; dropped: boolean }> {
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
      if (i === 1 && ms > dropAbove) break;
    }
  } finally {
    querySet?.destroy();
    resolve?.destroy();
    read?.destroy();
  }
  times.sort((a, b) => a - b);
  return { ms: times[times.length >> 1]!, how: stamps ? 'timestamp queries' : 'wall clock', dropped: times.length === 1 && runs > 1 };
}
