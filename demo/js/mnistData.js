// The MNIST sample in the page: demo/generated/mnist-rows.safetensors (written by
// demo/mnistSample.mjs from the task's own selection), fetched once and decoded back to the
// pixel values the CLI trains on: x holds U8 indices into the F64 codebook.
import { fetchGenerated } from './dataFiles.js';

let cached = null;

/** { train: { x: Float64Array [n·28·28], y: Int32Array [n] }, test: {…}, side: 28 }. */
export function loadMnistSample() {
  cached ??= decodeSample().catch((err) => {
    cached = null; // a later try may succeed (e.g. after `node demo/prepare.mjs`)
    throw err;
  });
  return cached;
}

async function decodeSample() {
  const tensors = parseSafetensors(await fetchGenerated('mnist-rows.safetensors', 'bytes'));
  const codebook = tensors.get('codebook');
  const decode = (name) => {
    const codes = tensors.get(name).data;
    return Float64Array.from(codes, (c) => codebook.data[c]);
  };
  const labels = (name) => Int32Array.from(tensors.get(name).data);
  const side = tensors.get('train.x').shape[1];
  return { side, train: { x: decode('train.x'), y: labels('train.y') }, test: { x: decode('test.x'), y: labels('test.y') } };
}

const DTYPES = { U8: Uint8Array, F64: Float64Array };

/** name → { shape, data } of a safetensors file holding U8 and F64 tensors. */
function parseSafetensors(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const base = 8 + headerLength;
  const out = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const Type = DTYPES[t.dtype];
    if (!Type) throw new Error(`MNIST sample: tensor "${name}" expected dtype U8 or F64, received ${t.dtype}`);
    const [start, end] = t.data_offsets;
    // Copied out, so a F64 tensor is aligned whatever its offset.
    const raw = bytes.slice(base + start, base + end);
    out.set(name, { shape: t.shape, data: new Type(raw.buffer) });
  }
  for (const name of ['codebook', 'train.x', 'train.y', 'test.x', 'test.y']) {
    if (!out.has(name)) throw new Error(`MNIST sample: expected a tensor "${name}", found ${[...out.keys()].join(', ')}`);
  }
  return out;
}
