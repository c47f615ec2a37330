/**
 * fit's dataset on the GPU: the whole training set uploaded once (inputs, targets, lengths), and
 * each step's batch gathered on the GPU by row indices (plan.recordGather, gather_rows.wgsl) instead
 * of uploading it from the host every step. Only the indices (B integers) and, with lengths or
 * token inputs, what the host must compute anyway (the loss's scale, the embedding gradient's
 * counting sort) go up per step. A dataset too big for one binding, or fit's truncated-BPTT windows
 * (a window is a slice of each row), fall back to the host's per-step upload (core/fit.ts).
 */
import type { FitDataset, FitSet } from '../../core/fit.js';
import { gatherBatch, hostFitDataset } from '../../core/fit.js';
import type { TrainerBase } from '../../core/trainerBase.js';
import { Arena, padBytes } from './arena.js';
import type { GpuModel } from './model.js';

/** The largest dataset kept on the device: a quarter GiB, and one binding. */
export const DATASET_BYTES = 256 * 2 ** 20;

/** What a step of a gathered batch hands the trainer. */
export interface GatheredBatch {
  key: object;
  x: GPUBuffer;
  y: GPUBuffer;
  lengths: GPUBuffer | null;
  idx: GPUBuffer;
  rows: Int32Array;
}

export function gpuFitDataset(model: GpuModel, set: FitSet): FitDataset {
  const cfg = model.config;
  const limit = Math.min(DATASET_BYTES, model.gpu.limits.maxStorageBufferBindingSize ?? 134217728);
  const bytes = set.inputs.x.byteLength + set.targets.y.byteLength;
  if (bytes > limit) return hostFitDataset(model, set);
  const arena = new Arena(model.gpu.device, model.gpu.counters, 'dataset');
  const q = model.gpu.device.queue;
  const upload = (name: string, data: Float32Array | Float64Array | Int32Array) => {
    const b = arena.storage(name, Math.max(1, data.length));
    const words = data instanceof Float64Array ? Float32Array.from(data) : data;
    q.writeBuffer(b, 0, words as Float32Array<ArrayBuffer>);
    return b;
  };
  const x = upload('x', set.inputs.x);
  const y = upload('y', cfg.loss === 'softmax_ce' ? Int32Array.from(set.targets.y) : set.targets.y);
  const lengths = set.inputs.lengths ? upload('lengths', set.inputs.lengths) : null;
  const idx = arena.storage('idx', Math.max(1, set.inputs.B));
  const key = {};
  const host = hostFitDataset(model, set);
  return {
    async step(trainer: TrainerBase, rows: Int32Array, t0: number, W: number, read: boolean, carry: boolean): Promise<number> {
      if (t0 !== 0 || W !== set.inputs.T) return host.step(trainer, rows, t0, W, read, carry);
      const B = rows.length, T = set.inputs.T;
      const hostLengths = set.inputs.lengths ? Int32Array.from(rows, (r) => set.inputs.lengths![r]!) : null;
      // Token ids are small; the host needs them for the embedding gradient's counting sort.
      const ids = cfg.inputKind === 'tokens' ? (gatherBatch(model, set, rows, 0, T).inputs.x as Int32Array) : new Float32Array(0);
      const gathered: GatheredBatch = { key, x, y, lengths, idx, rows };
      return (await trainer.stepPrepared({ B, T, x: ids, lengths: hostLengths, h0: null, c0: null }, { y: new Float32Array(0) }, read, carry, gathered)).loss;
    },
    destroy() {
      void model.gpu.device.queue.onSubmittedWorkDone().then(() => arena.destroy(), () => arena.destroy());
    },
  };
}
