// Data and metrics of the four example tasks (src/tasks/data, SEEDS.md seeds 000–003).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import {
  BitpairStreams,
  binaryAddAccuracy,
  binaryAddData,
  bitpairAccuracy,
  classAccuracy,
  echoAccuracy,
  echoSeries,
  echoWindow,
  gatherLabels,
  gatherRows,
  loadMnistRows,
  shuffledBatches,
  windowsPerEpoch,
} from '../src/tasks/data/index.js';

/** One-hot logits [n, C] from class ids (score 1 for the class, 0 elsewhere). */
function oneHot(y: ArrayLike<number>, C: number): Float64Array {
  const out = new Float64Array(y.length * C);
  for (let i = 0; i < y.length; i++) out[i * C + y[i]!] = 1;
  return out;
}

describe('bitpair', () => {
  it('labels 2·previous + current, continuing each stream across windows', () => {
    const B = 3, T = 11;
    const streams = new BitpairStreams(new Rng(0), B);
    const windows = [streams.next(T), streams.next(T), streams.next(4)];
    for (let b = 0; b < B; b++) {
      // Concatenate stream b over the windows and check every step against the flat stream.
      const bits: number[] = [], classes: number[] = [];
      for (const w of windows) {
        const len = w.y.length / B;
        for (let t = 0; t < len; t++) {
          bits.push(w.x[b * len + t]!);
          classes.push(w.y[b * len + t]!);
        }
      }
      expect(bits.every((v) => v === 0 || v === 1)).toBe(true);
      for (let t = 0; t < bits.length; t++) expect(classes[t]).toBe(2 * (t === 0 ? 0 : bits[t - 1]!) + bits[t]!);
    }
    // The first step of the second window uses the last bit of the first window.
    const [w0, w1] = windows;
    for (let b = 0; b < B; b++) expect(w1!.y[b * T]).toBe(2 * w0!.x[b * T + T - 1]! + w1!.x[b * T]!);
  });

  it('draws fair bits and all four classes', () => {
    const { x, y } = new BitpairStreams(new Rng(5), 7).next(2000);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    const counts = [0, 0, 0, 0];
    for (const c of y) counts[c]!++;
    for (const c of counts) expect(c / y.length).toBeGreaterThan(0.22);
  });

  it('is deterministic for a seed', () => {
    const a = new BitpairStreams(new Rng(9), 4), b = new BitpairStreams(new Rng(9), 4), c = new BitpairStreams(new Rng(10), 4);
    expect(a.next(30)).toEqual(b.next(30));
    expect(a.next(30)).toEqual(b.next(30));
    expect(a.next(30).x).not.toEqual(c.next(60).x.subarray(0, 120));
  });

  it('scores perfect logits 1, and a model blind to the previous bit about 0.5 with the right confusion', () => {
    const B = 5, T = 40;
    const { x, y } = new BitpairStreams(new Rng(1), B).next(T);
    const perfect = bitpairAccuracy(oneHot(y, 4), y, B, T);
    expect(perfect.accuracy).toBe(1);
    expect(perfect.perClass).toEqual([1, 1, 1, 1]);
    expect(perfect.confusion.flat().reduce((s, v) => s + v, 0)).toBe(B * (T - 1));
    // The tutorial's failure: it only knows the current bit, always guessing previous = 0.
    const blind = oneHot(Array.from(x, (bit) => bit), 4);
    const m = bitpairAccuracy(blind, y, B, T);
    expect(m.accuracy).toBeLessThan(0.7);
    expect(m.perClass[0]).toBe(1);
    expect(m.perClass[1]).toBe(1);
    expect(m.perClass[2]).toBe(0);
    expect(m.perClass[3]).toBe(0);
    expect(m.confusion[2]![0]).toBeGreaterThan(0);
    expect(m.confusion[3]![1]).toBeGreaterThan(0);
  });

  it('counts only steps t ≥ fromStep', () => {
    const B = 2, T = 5;
    const y = new Int32Array([2, 1, 1, 1, 1, 3, 0, 0, 0, 0]);
    const logits = oneHot(y, 4);
    // Break only step 0 of each row: fromStep 1 ignores it, fromStep 0 does not.
    logits.fill(0, 0, 4);
    logits[0] = 1; // row 0, step 0 predicts 0 (target 2)
    logits.fill(0, 5 * 4, 6 * 4);
    logits[5 * 4] = 1; // row 1, step 0 predicts 0 (target 3)
    expect(bitpairAccuracy(logits, y, B, T).accuracy).toBe(1);
    expect(bitpairAccuracy(logits, y, B, T, 0).accuracy).toBeCloseTo(8 / 10);
    const m = bitpairAccuracy(logits, y, B, T, 0);
    expect(m.perClass[2]).toBe(0);
    expect(m.perClass[3]).toBe(0);
    expect(Number.isNaN(bitpairAccuracy(logits, y, B, T).perClass[2])).toBe(true); // class 2 never counted
  });

  it('refuses wrong shapes, naming the argument', () => {
    const y = new Int32Array(6);
    expect(() => bitpairAccuracy(new Float64Array(6 * 2), y, 2, 3)).toThrow(/bitpairAccuracy logits: expected 24 elements \(shape \[2, 3, 4\]\), received 12/);
    expect(() => bitpairAccuracy(new Float64Array(24), y, 2, 3, 3)).toThrow(InputError);
    expect(() => new BitpairStreams(new Rng(0), 0)).toThrow(/batch/);
  });
});

describe('echo', () => {
  it('builds the target exactly as the tutorial: roll the flat series by 3, zero the first 3, then reshape', () => {
    const total = 60, B = 3, N = 20, e = 3;
    const s = echoSeries(new Rng(1), { totalLength: total, batch: B, echoStep: e });
    expect(s.B).toBe(B);
    expect(s.N).toBe(N);
    expect(s.x.length).toBe(total);
    expect(s.y.length).toBe(total);
    const flatX = Array.from(s.x);
    const rolled = flatX.map((_, i) => (i < e ? 0 : flatX[i - e]!)); // np.roll(x, 3); y[0:3] = 0
    expect(Array.from(s.y)).toEqual(rolled);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < N; t++) {
        const expected = t >= e ? s.x[b * N + t - e]! : b === 0 ? 0 : s.x[(b - 1) * N + N - e + t]!;
        expect(s.y[b * N + t]).toBe(expected);
      }
    }
  });

  it('keeps the delay across window boundaries and over the whole row', () => {
    const s = echoSeries(new Rng(2), { totalLength: 500, batch: 5, echoStep: 3 });
    const L = 15;
    expect(windowsPerEpoch(s.N, L)).toBe(6);
    // Reassemble each row from consecutive windows: its targets are its inputs shifted by 3.
    const rowsX: number[][] = [[], [], [], [], []], rowsY: number[][] = [[], [], [], [], []];
    for (let w = 0; w < windowsPerEpoch(s.N, L); w++) {
      const { x, y } = echoWindow(s, w * L, L);
      expect(x.length).toBe(5 * L);
      for (let b = 0; b < 5; b++) {
        rowsX[b]!.push(...x.subarray(b * L, (b + 1) * L));
        rowsY[b]!.push(...y.subarray(b * L, (b + 1) * L));
      }
    }
    for (let b = 0; b < 5; b++) for (let t = 3; t < rowsX[b]!.length; t++) expect(rowsY[b]![t]).toBe(rowsX[b]![t - 3]);
    // The first target of window 1 is the input 3 steps earlier, inside window 0.
    const w0 = echoWindow(s, 0, L), w1 = echoWindow(s, L, L);
    for (let b = 0; b < 5; b++) expect(w1.y[b * L]).toBe(w0.x[b * L + L - 3]);
  });

  it('has 666 windows of 15 per epoch of 50,000 bits as 5 streams', () => {
    const s = echoSeries(new Rng(3));
    expect([s.B, s.N]).toEqual([5, 10000]);
    expect(windowsPerEpoch(s.N, 15)).toBe(666);
    const mean = s.x.reduce((a, v) => a + v, 0) / s.x.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });

  it('is deterministic for a seed', () => {
    const o = { totalLength: 300, batch: 5, echoStep: 3 };
    expect(echoSeries(new Rng(4), o)).toEqual(echoSeries(new Rng(4), o));
    expect(echoSeries(new Rng(4), o).x).not.toEqual(echoSeries(new Rng(5), o).x);
  });

  it('scores perfect logits 1 and skips the first 3 steps of each row', () => {
    const s = echoSeries(new Rng(6), { totalLength: 200, batch: 4, echoStep: 3 });
    const logits = oneHot(s.y, 2);
    expect(echoAccuracy(logits, s.y, s.B, s.N)).toBe(1);
    // Wrong predictions on steps 0–2 of every row do not count by default.
    for (let b = 0; b < s.B; b++) for (let t = 0; t < 3; t++) {
      const i = b * s.N + t;
      logits[i * 2 + s.y[i]!] = 0;
      logits[i * 2 + 1 - s.y[i]!] = 1;
    }
    expect(echoAccuracy(logits, s.y, s.B, s.N)).toBe(1);
    expect(echoAccuracy(logits, s.y, s.B, s.N, 0)).toBeCloseTo(1 - 3 / s.N, 12);
    // Predicting the current input instead of the echo is right about half the time.
    const copy = oneHot(Array.from(s.x), 2);
    const acc = echoAccuracy(copy, s.y, s.B, s.N);
    expect(acc).toBeGreaterThan(0.3);
    expect(acc).toBeLessThan(0.7);
  });

  it('refuses bad arguments, naming them', () => {
    const s = echoSeries(new Rng(0), { totalLength: 100, batch: 5, echoStep: 3 });
    expect(() => echoWindow(s, 10, 15)).toThrow(/echoWindow start: expected an integer in \[0, 5\], received 10/);
    expect(() => echoSeries(new Rng(0), { totalLength: 101, batch: 5, echoStep: 3 })).toThrow(/totalLength: expected a multiple of batch 5, received 101/);
    expect(() => echoAccuracy(new Float64Array(3), s.y, 5, 20)).toThrow(/echoAccuracy logits/);
  });
});

describe('mnist-rows', () => {
  it('loads 1,800 train and 200 test digits of 28 steps × 28 pixels, 180/20 per class, quickly and once', () => {
    const t0 = performance.now();
    const d = loadMnistRows();
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(2000); // about 50 ms here; the package's require alone takes about 200 ms
    expect(loadMnistRows()).toBe(d); // cached
    expect(d.train.x.length).toBe(1800 * 28 * 28);
    expect(d.train.y.length).toBe(1800);
    expect(d.test.x.length).toBe(200 * 28 * 28);
    expect(d.test.y.length).toBe(200);
    const trainCounts = new Array(10).fill(0), testCounts = new Array(10).fill(0);
    for (const c of d.train.y) trainCounts[c]++;
    for (const c of d.test.y) testCounts[c]++;
    expect(trainCounts).toEqual(new Array(10).fill(180));
    expect(testCounts).toEqual(new Array(10).fill(20));
    for (const x of [d.train.x, d.test.x]) {
      let lo = Infinity, hi = -Infinity;
      for (const v of x) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      expect(lo).toBe(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(hi).toBeGreaterThan(0.9);
    }
  });

  it('holds the package\'s first 200 digits of each class in order, split 180/20', () => {
    const d = loadMnistRows();
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist')), 'digits');
    for (const c of [0, 7]) {
      const ref = (JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[] }).data;
      const P = 784;
      expect(Array.from(d.train.x.subarray(c * 180 * P, (c + 1) * 180 * P))).toEqual(ref.slice(0, 180 * P));
      expect(Array.from(d.test.x.subarray(c * 20 * P, (c + 1) * 20 * P))).toEqual(ref.slice(180 * P, 200 * P));
    }
  });

  it('looks like digits: ink in the middle, not at the border, a 1 thinner than a 0', () => {
    const d = loadMnistRows();
    const P = 784;
    const classMean = (c: number): number => {
      let s = 0;
      for (let i = c * 180 * P; i < (c + 1) * 180 * P; i++) s += d.train.x[i]!;
      return s / (180 * P);
    };
    expect(classMean(1)).toBeLessThan(classMean(0));
    expect(classMean(1)).toBeGreaterThan(0.02);
    // Timestep = image row: the first row (t = 0) is blank, the middle rows carry ink.
    let top = 0, middle = 0;
    for (let n = 0; n < 1800; n++) for (let p = 0; p < 28; p++) {
      top += d.train.x[n * P + 0 * 28 + p]!;
      middle += d.train.x[n * P + 14 * 28 + p]!;
    }
    expect(top).toBe(0);
    expect(middle / (1800 * 28)).toBeGreaterThan(0.1);
    // A 1 is a vertical stroke: in its middle row the ink sits near column 14.
    let centre = 0, edges = 0;
    for (let n = 180; n < 360; n++) for (let p = 0; p < 28; p++) {
      const v = d.train.x[n * P + 14 * 28 + p]!;
      if (p >= 10 && p < 18) centre += v;
      else edges += v;
    }
    expect(centre).toBeGreaterThan(5 * edges);
  });

  it('batches 1,800 digits by 64 into 29 shuffled batches covering each once', () => {
    const batches = shuffledBatches(new Rng(1), 1800, 64);
    expect(batches.length).toBe(29);
    expect(batches.slice(0, 28).every((b) => b.length === 64)).toBe(true);
    expect(batches[28]!.length).toBe(8);
    const seen = new Set<number>();
    for (const b of batches) for (const i of b) seen.add(i);
    expect(seen.size).toBe(1800);
    expect(Array.from(batches[0]!)).not.toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(shuffledBatches(new Rng(1), 1800, 64)).toEqual(batches);
    expect(shuffledBatches(new Rng(2), 1800, 64)).not.toEqual(batches);
    expect(shuffledBatches(new Rng(1), 128, 64).map((b) => b.length)).toEqual([64, 64]);
  });

  it('gathers rows and labels', () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i); // [4, 3]
    const idx = new Int32Array([2, 0, 2]);
    expect(Array.from(gatherRows(x, 3, idx))).toEqual([6, 7, 8, 0, 1, 2, 6, 7, 8]);
    const labels = gatherLabels(new Int32Array([5, 6, 7, 8]), idx);
    expect(labels).toBeInstanceOf(Int32Array);
    expect(Array.from(labels)).toEqual([7, 5, 7]);
    expect(() => gatherRows(x, 3, new Int32Array([4]))).toThrow(/gatherRows idx: expected row indices in \[0, 3\], received 4/);
    const d = loadMnistRows();
    const batch = gatherRows(d.train.x, 784, new Int32Array([181]));
    expect(Array.from(batch)).toEqual(Array.from(d.train.x.subarray(181 * 784, 182 * 784)));
  });

  it('scores class logits', () => {
    const y = new Int32Array([3, 0, 9, 9]);
    const logits = oneHot(y, 10);
    expect(classAccuracy(logits, y, 4, 10)).toBe(1);
    logits[2 * 10 + 1] = 2; // sample 2 now predicts 1
    expect(classAccuracy(logits, y, 4, 10)).toBe(0.75);
    expect(() => classAccuracy(logits, new Int32Array([3, 0, 9, 10]), 4, 10)).toThrow(/classAccuracy y: expected class ids in \[0, 9\], received 10/);
  });
});

describe('binary-add', () => {
  const decode = (bits: ArrayLike<number>, offset: number, stride: number, n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) v += bits[offset + k * stride]! * 2 ** k;
    return v;
  };

  it('writes a, b and a + b in 7 bits, least significant first', () => {
    const n = 500;
    const d = binaryAddData(new Rng(3), n);
    expect(d.x.length).toBe(n * 7 * 2);
    expect(d.y.length).toBe(n * 7);
    for (let s = 0; s < n; s++) {
      expect(d.a[s]).toBeGreaterThanOrEqual(0);
      expect(d.a[s]).toBeLessThan(64);
      expect(d.b[s]).toBeLessThan(64);
      expect(decode(d.x, s * 14, 2, 7)).toBe(d.a[s]);
      expect(decode(d.x, s * 14 + 1, 2, 7)).toBe(d.b[s]);
      expect(decode(d.y, s * 7, 1, 7)).toBe(d.a[s]! + d.b[s]!);
    }
    // Step 0 holds the least significant bits.
    const one = d.a.findIndex((v) => v % 2 === 1);
    expect(d.x[one * 14]).toBe(1);
    // Large sums occur, so the seventh bit is used.
    expect(Array.from(d.a).some((a, s) => a + d.b[s]! >= 64)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    expect(binaryAddData(new Rng(8), 20)).toEqual(binaryAddData(new Rng(8), 20));
    expect(binaryAddData(new Rng(8), 20).a).not.toEqual(binaryAddData(new Rng(9), 20).a);
  });

  it('counts a sum right only when every bit is', () => {
    const n = 50;
    const d = binaryAddData(new Rng(4), n);
    const logits = Float64Array.from(d.y, (bit) => (bit ? 3 : -3));
    expect(binaryAddAccuracy(logits, d.a, d.b, n, 7)).toBe(1);
    logits[5 * 7 + 6] = -logits[5 * 7 + 6]!; // flip the top bit of sample 5
    logits[9 * 7 + 0] = -logits[9 * 7 + 0]!; // and the bottom bit of sample 9
    expect(binaryAddAccuracy(logits, d.a, d.b, n, 7)).toBeCloseTo(48 / 50);
    expect(binaryAddAccuracy(new Float64Array(n * 7).fill(-1), d.a, d.b, n, 7)).toBeLessThan(0.1);
  });

  it('refuses sums that do not fit and wrong shapes', () => {
    expect(() => binaryAddData(new Rng(0), 10, { bits: 6, maxExclusive: 64 })).toThrow(/maxExclusive: expected sums below 2\^6/);
    expect(() => binaryAddAccuracy(new Float64Array(10), new Int32Array(2), new Int32Array(2), 2, 7)).toThrow(/binaryAddAccuracy logits: expected 14 elements/);
  });
});
