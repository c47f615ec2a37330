/**
 * A model's plans, least recently used first out. A plan holds every buffer of one (mode, B, T),
 * so a model that sees many sequence lengths would otherwise keep them all (measured before this
 * cache: 40 distinct T values held 272 MB and 33,600 bind groups until destroy()). The cache keeps
 * at most `maxPlans` plans and `maxBytes` of their buffers; an evicted plan is destroyed once the
 * device has finished the work already submitted (which may still use it).
 */
import type { GpuPlan } from './plan.js';

export const PLAN_CACHE_LIMITS = { maxPlans: 8, maxBytes: 256 * 2 ** 20 };

export class PlanCache {
  private readonly plans = new Map<string, Promise<GpuPlan>>();
  /** The plans made so far (a plan being made is only in `plans`); their bytes are what counts. */
  private readonly ready = new Map<string, GpuPlan>();

  constructor(private readonly queue: GPUQueue, private readonly limits = PLAN_CACHE_LIMITS) {}

  /**
   * The plan of `key`, made by `make` when absent or when `replace` says the made one is to be
   * replaced (a provisional variant that the tuner has since beaten); the most recently used
   * afterwards.
   */
  get(key: string, make: () => Promise<GpuPlan>, replace?: (plan: GpuPlan) => boolean): Promise<GpuPlan> {
    let p = this.plans.get(key);
    const made = this.ready.get(key);
    if (p && made && replace?.(made)) {
      this.drop(key);
      p = undefined;
    }
    if (p) {
      this.plans.delete(key);
      this.plans.set(key, p);
      return p;
    }
    p = make();
    this.plans.set(key, p);
    p.then((plan) => {
      if (this.plans.get(key) !== p) return; // the cache was destroyed meanwhile (and destroys this plan)
      this.ready.set(key, plan);
      this.evict(key);
    }, () => {
      this.plans.delete(key);
    });
    return p;
  }

  /** Keys in use, least recently used first (for tests). */
  get keys(): string[] {
    return [...this.plans.keys()];
  }

  private evict(keep: string): void {
    const total = () => [...this.ready.values()].reduce((a, plan) => a + plan.bytes, 0);
    for (const key of [...this.plans.keys()]) {
      if (this.plans.size <= this.limits.maxPlans && total() <= this.limits.maxBytes) break;
      if (key === keep || !this.ready.has(key)) continue;
      this.drop(key);
    }
  }

  /** Forgets a made plan and destroys it once the device has finished the work already submitted. */
  private drop(key: string): void {
    const plan = this.ready.get(key)!;
    this.plans.delete(key);
    this.ready.delete(key);
    void this.queue.onSubmittedWorkDone().then(() => plan.destroy(), () => plan.destroy());
  }

  destroy(): void {
    for (const p of this.plans.values()) p.then((plan) => plan.destroy(), () => undefined);
    this.plans.clear();
    this.ready.clear();
  }
}
