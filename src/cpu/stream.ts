/**
 * The `cpu` backend's stream: one timestep per call through the float64 layers (forwardLayers with
 * T = 1), the state [L, B, H] kept between calls, and the head applied to a window of the top
 * layer's last headSteps features (outputs 'last') or to this step's (outputs 'all').
 */
import type { FloatArray } from '../api.js';
import { headInputSize } from '../config.js';
import type { FloatCopy } from '../checks/tensors.js';
import { StreamBase } from '../core/streamBase.js';
import { startState } from '../reference/initialState.js';
import { applyHead, forwardLayers } from '../reference/network.js';
import type { CpuModel } from './model.js';

export class CpuStream extends StreamBase {
  private h!: Float64Array;
  private c: Float64Array | null = null;
  /** The top layer's features of the last headSteps steps, oldest first: [k, B, per]. */
  private window: Float64Array;

  constructor(private readonly cpu: CpuModel, B: number) {
    super(cpu, B);
    const cfg = cpu.config;
    this.window = new Float64Array(cfg.headSteps * B * (cfg.headFrom === 'ch' ? 2 : 1) * cfg.hiddenSize);
    this.resetState();
  }

  protected resetState(): void {
    const s = startState(this.cpu.config, this.cpu.layout, this.cpu.params, this.batchSize, {});
    this.h = s.h0;
    this.c = s.c0;
    this.window.fill(0);
  }

  protected async runStep(xt: FloatCopy | Int32Array, index: number): Promise<FloatArray> {
    const m = this.cpu, cfg = m.config, B = this.batchSize, H = cfg.hiddenSize, L = cfg.numLayers, BH = B * H;
    const layers = forwardLayers(cfg, m.layout, m.params, xt, B, 1, this.h, this.c, null);
    for (let k = 0; k < L; k++) {
      this.h.set(layers[k]!.h.subarray(BH, 2 * BH), k * BH);
      if (this.c) this.c.set(layers[k]!.c!.subarray(BH, 2 * BH), k * BH);
    }
    // This step's features of each row, (c, h) or h, shifted into the window's last slot.
    const top = layers[L - 1]!;
    const per = (cfg.headFrom === 'ch' ? 2 : 1) * H, k = cfg.headSteps;
    this.window.copyWithin(0, B * per);
    const slot = (k - 1) * B * per;
    for (let b = 0; b < B; b++) {
      if (cfg.headFrom === 'ch') this.window.set(top.c!.subarray(BH + b * H, BH + (b + 1) * H), slot + b * per);
      this.window.set(top.h.subarray(BH + b * H, BH + (b + 1) * H), slot + b * per + (cfg.headFrom === 'ch' ? H : 0));
    }
    if (index + 1 < k) return new Float64Array(B * cfg.outputSize).fill(Number.NaN);
    // Head rows: row b is its k window slots, oldest first.
    const F = headInputSize(cfg);
    const features = new Float64Array(B * F);
    for (let b = 0; b < B; b++) for (let s = 0; s < k; s++) features.set(this.window.subarray((s * B + b) * per, (s * B + b + 1) * per), b * F + s * per);
    return applyHead(cfg, m.layout, m.params, features, B);
  }

  protected async readState(): Promise<{ h: FloatArray; c?: FloatArray }> {
    return { h: this.h.slice(), ...(this.c ? { c: this.c.slice() } : {}) };
  }

  protected async writeState(h: FloatCopy | null, c: FloatCopy | null): Promise<void> {
    if (h) this.h.set(h);
    if (c && this.c) this.c.set(c);
  }

  protected destroyBackend(): void {}
}
