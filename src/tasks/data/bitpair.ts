/**
 * Data and metric of task `bitpair` (SEEDS.md, seed 000): B endless streams of fair bits; the
 * class of step t is 2·previous + current, so 0 = (0,0), 1 = (0,1), 2 = (1,0), 3 = (1,1).
 * Layout: x [B, T, 1] bits, y [B, T] class ids, batch-first and row-major.
 */
import type { Rng } from '../../rng.js';
import { argmax, expectInt, expectLabels, expectLength, randomBit } from './checks.js';

export const BITPAIR_CLASSES = 4;

/**
 * B parallel bit streams cut into consecutive windows. Each window continues its streams, so the
 * previous bit of a window's first step is the last bit of the window before it; a fresh stream
 * starts with previous bit 0 (SEEDS.md: "the first step has no previous bit, treat it as 0").
 */
export class BitpairStreams {
  readonly batch: number;
  private readonly rng: Rng;
  /** The last bit emitted by each stream (0 before the first window). */
  private readonly last: Uint8Array;

  constructor(rng: Rng, batch: number) {
    expectInt('BitpairStreams batch', batch, 1);
    this.rng = rng;
    this.batch = batch;
    this.last = new Uint8Array(batch);
  }

  /** The next T steps of every stream. Bits are drawn stream by stream, step by step. */
  next(T: number): { x: Float64Array; y: Int32Array } {
    expectInt('BitpairStreams.next T', T, 1);
    const B = this.batch;
    const x = new Float64Array(B * T);
    const y = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let prev = this.last[b]!;
      for (let t = 0; t < T; t++) {
        const bit = randomBit(this.rng);
        x[b * T + t] = bit;
        y[b * T + t] = 2 * prev + bit;
        prev = bit;
      }
      this.last[b] = prev;
    }
    return { x, y };
  }
}

export interface BitpairMetrics {
  /** Fraction of the counted steps whose arg-max class is the target. */
  accuracy: number;
  /** Recall of each class (correct / occurrences); NaN for a class that never occurs. */
  perClass: number[];
  /** confusion[target][predicted] counts over the counted steps. */
  confusion: number[][];
}

/**
 * Scores logits [B, T, 4] against y [B, T] on steps t ≥ fromStep only. The default 1 skips the
 * first step of each row, whose previous bit a model trained on carried streams cannot know.
 */
export function bitpairAccuracy(logits: ArrayLike<number>, y: Int32Array, B: number, T: number, fromStep = 1): BitpairMetrics {
  expectInt('bitpairAccuracy B', B, 1);
  expectInt('bitpairAccuracy T', T, 1);
  expectInt('bitpairAccuracy fromStep', fromStep, 0, T - 1);
  expectLength('bitpairAccuracy logits', logits, [B, T, BITPAIR_CLASSES]);
  expectLength('bitpairAccuracy y', y, [B, T]);
  expectLabels('bitpairAccuracy y', y, BITPAIR_CLASSES);
  const C = BITPAIR_CLASSES;
  const confusion = Array.from({ length: C }, () => new Array<number>(C).fill(0));
  for (let b = 0; b < B; b++) {
    for (let t = fromStep; t < T; t++) {
      const i = b * T + t;
      confusion[y[i]!]![argmax(logits, i * C, C)]! += 1;
    }
  }
  let correct = 0;
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((s, v) => s + v, 0);
    correct += row[c]!;
    return total > 0 ? row[c]! / total : Number.NaN;
  });
  return { accuracy: correct / (B * (T - fromStep)), perClass, confusion };
}
