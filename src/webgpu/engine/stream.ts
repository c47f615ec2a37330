/**
 * The `webgpu` backend's stream: a forward plan of one timestep (its own, not the model's cached
 * ones, so it lives as long as the stream), the state [L, B, H] in the stream's buffers between
 * calls, and for outputs 'last' with headSteps k the top layer's last k steps in the plan's tail
 * slots, shifted by one slot before each step (through a scratch buffer: a copy may not read and
 * write one buffer). One encoder, one submit and one small map per step; every buffer is made on
 * the first call, none after.
 */
import type { FloatArray } from '../../api.js';
import type { FloatCopy } from '../../checks/tensors.js';
import { StreamBase } from '../../core/streamBase.js';
import { Arena } from './arena.js';
import type { GpuModel } from './model.js';
import { GpuPlan } from './plan.js';
import { planSpec } from './planSpec.js';
import { readRanges } from './readback.js';

interface StreamBuffers {
  plan: GpuPlan;
  h: GPUBuffer;
  c: GPUBuffer | null;
  scratch: GPUBuffer | null;
  readback: GPUBuffer;
}

export class GpuStream extends StreamBase {
  private parts: Promise<StreamBuffers> | null = null;
  private readonly arena: Arena;
  /** The state buffers hold the model's default state only after a reset is recorded. */
  private needsReset = true;

  constructor(private readonly gm: GpuModel, B: number) {
    super(gm, B);
    this.arena = new Arena(gm.gpu.device, gm.gpu.counters, `stream[B=${B}]`);
  }

  private buffers(): Promise<StreamBuffers> {
    this.parts ??= (async () => {
      const m = this.gm, cfg = m.config, B = this.batchSize;
      const variant = await m.gpu.tuner.choose(m, 'forward', B, 1);
      const plan = await GpuPlan.create(m.gpu.ctx, planSpec(cfg, m.layout, B, 1, 'forward', { recurrence: variant.recurrence, matmul: variant.matmul }), m, 'stream', variant.why);
      const bytes = cfg.numLayers * B * cfg.hiddenSize * 4;
      const k = cfg.outputs === 'last' ? cfg.headSteps : 1;
      const part = B * cfg.hiddenSize * 4 * (cfg.headFrom === 'ch' ? 2 : 1);
      return this.arena.guarded('stream', () => ({
        plan,
        h: this.arena.storage('state.h', bytes / 4),
        c: cfg.cell === 'lstm' ? this.arena.storage('state.c', bytes / 4) : null,
        scratch: k > 1 ? this.arena.storage('window', ((k - 1) * part) / 4) : null,
        readback: this.arena.readback('logits', B * cfg.outputSize * 4),
      }));
    })();
    return this.parts;
  }

  protected resetState(): void {
    this.needsReset = true;
  }

  /** Records the model's default state (learned, or zeros) into the state buffers. */
  private recordReset(enc: GPUCommandEncoder, s: StreamBuffers): void {
    const cfg = this.gm.config, B = this.batchSize, H = cfg.hiddenSize, L = cfg.numLayers;
    const learned = this.gm.learnedState;
    for (const [buf, off] of [[s.h, learned?.h0], [s.c, learned?.c0]] as const) {
      if (!buf) continue;
      if (learned && off !== undefined && off !== null) {
        for (let k = 0; k < L; k++) for (let b = 0; b < B; b++) enc.copyBufferToBuffer(learned.params, (off + k * H) * 4, buf, (k * B + b) * H * 4, H * 4);
      } else {
        enc.clearBuffer(buf);
      }
    }
    this.needsReset = false;
  }

  protected async runStep(xt: FloatCopy | Int32Array, index: number): Promise<FloatArray> {
    const s = await this.buffers();
    const m = this.gm, cfg = m.config, B = this.batchSize;
    return m.guard('stream.step', async () => {
      const enc = m.gpu.device.createCommandEncoder({ label: 'stream.step' });
      if (this.needsReset) this.recordReset(enc, s);
      const k = cfg.outputs === 'last' ? cfg.headSteps : 1;
      if (s.scratch) {
        // The window: tail slots 1…k−1 of the last step move to 0…k−2; this step writes slot k−1.
        const top = `${cfg.numLayers - 1}`;
        s.plan.recordShiftTail(enc, top, s.scratch, k);
      }
      s.plan.upload({ B, T: 1, x: xt, lengths: null, h0: null, c0: null }, null);
      s.plan.record(enc, { kind: 'carried', h: s.h, c: s.c }, null, 'stream.step');
      s.plan.recordFinalState(enc, s.h, s.c);
      s.plan.recordLogitsCopy(enc, s.readback);
      m.gpu.device.queue.submit([enc.finish()]);
      m.gpu.counters.submits++;
      await s.readback.mapAsync(GPUMapMode.READ);
      const logits = new Float32Array(s.readback.getMappedRange(0, B * cfg.outputSize * 4).slice(0));
      s.readback.unmap();
      if (index + 1 < k) logits.fill(Number.NaN);
      return logits;
    });
  }

  protected async readState(): Promise<{ h: FloatArray; c?: FloatArray }> {
    const s = await this.buffers();
    const m = this.gm, cfg = m.config, n = cfg.numLayers * this.batchSize * cfg.hiddenSize;
    return m.guard('stream.getState', async () => {
      if (this.needsReset) {
        const enc = m.gpu.device.createCommandEncoder({ label: 'stream.reset' });
        this.recordReset(enc, s);
        m.gpu.device.queue.submit([enc.finish()]);
      }
      const ranges = [{ buffer: s.h, offset: 0, elements: n }, ...(s.c ? [{ buffer: s.c, offset: 0, elements: n }] : [])];
      const got = await readRanges(m.gpu.device, m.gpu.counters, ranges);
      return { h: got[0]!.slice(), ...(s.c ? { c: got[1]!.slice() } : {}) };
    });
  }

  protected async writeState(h: FloatCopy | null, c: FloatCopy | null): Promise<void> {
    const s = await this.buffers();
    const q = this.gm.gpu.device.queue;
    if (this.needsReset) {
      const enc = this.gm.gpu.device.createCommandEncoder({ label: 'stream.reset' });
      this.recordReset(enc, s);
      q.submit([enc.finish()]);
    }
    if (h) q.writeBuffer(s.h, 0, Float32Array.from(h));
    if (c && s.c) q.writeBuffer(s.c, 0, Float32Array.from(c));
  }

  protected destroyBackend(): void {
    const arena = this.arena, parts = this.parts;
    void this.gm.gpu.device.queue.onSubmittedWorkDone().then(() => {
      arena.destroy();
      parts?.then((p) => p.plan.destroy(), () => undefined);
    }, () => undefined);
  }
}
