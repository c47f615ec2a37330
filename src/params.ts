/**
 * The parameters of a model live in one flat buffer (the optimizers update it in one pass, on the
 * CPU and later on the GPU). This file fixes the order, the PyTorch names and the shapes.
 *
 * Order: with token inputs first embedding.weight [V, I] (PyTorch's nn.Embedding, registered before
 * the recurrent module as models usually are); then for each layer k: weight_ih_l{k} [G·H, I_k],
 * weight_hh_l{k} [G·H, H], bias_ih_l{k} [G·H], bias_hh_l{k} [G·H]; then head.weight [C, m·H],
 * head.bias [C]; then, with a learned initial state, init.h0 [L, H] and (LSTM) init.c0 [L, H].
 */
import { cellModuleName, gateCount, headInputSize, type ResolvedConfig } from './config.js';
import { Rng } from './rng.js';
import { sizeOf } from './tensor.js';

/** PyTorch's name of the embedding of token inputs (an nn.Embedding named `embedding`). */
export const EMBEDDING = 'embedding.weight';

export interface ParamSpec {
  name: string;
  shape: number[];
  /** Offset in elements into the flat buffer. */
  offset: number;
  size: number;
}

export interface ParamLayout {
  specs: ParamSpec[];
  byName: Map<string, ParamSpec>;
  total: number;
}

export function paramLayout(c: ResolvedConfig): ParamLayout {
  const G = gateCount(c.cell);
  const H = c.hiddenSize;
  const P = cellModuleName(c.cell);
  const entries: Array<[string, number[]]> = [];
  if (c.inputKind === 'tokens') entries.push([EMBEDDING, [c.vocabSize, c.inputSize]]);
  for (let k = 0; k < c.numLayers; k++) {
    const Ik = k === 0 ? c.inputSize : H;
    entries.push([`${P}.weight_ih_l${k}`, [G * H, Ik]]);
    entries.push([`${P}.weight_hh_l${k}`, [G * H, H]]);
    entries.push([`${P}.bias_ih_l${k}`, [G * H]]);
    entries.push([`${P}.bias_hh_l${k}`, [G * H]]);
  }
  entries.push(['head.weight', [c.outputSize, headInputSize(c)]]);
  entries.push(['head.bias', [c.outputSize]]);
  if (c.learnedInitialState) {
    entries.push(['init.h0', [c.numLayers, H]]);
    if (c.cell === 'lstm') entries.push(['init.c0', [c.numLayers, H]]);
  }
  const specs: ParamSpec[] = [];
  let offset = 0;
  for (const [name, shape] of entries) {
    const size = sizeOf(shape);
    specs.push({ name, shape, offset, size });
    offset += size;
  }
  return { specs, byName: new Map(specs.map((s) => [s.name, s])), total: offset };
}

/** A view of one named parameter inside a flat buffer. */
export function paramView<A extends Float32Array | Float64Array>(layout: ParamLayout, flat: A, name: string): A {
  const s = layout.byName.get(name);
  if (!s) throw new Error(`no parameter named ${name}`);
  return flat.subarray(s.offset, s.offset + s.size) as A;
}

export interface InitOptions {
  seed: number;
  /** Add this to the forget-gate bias rows (LSTM only) after the uniform draw; 0 by default. */
  forgetBias?: number;
}

/**
 * PyTorch's default initialisation, drawn in float64 from one seeded generator in layout order:
 * the embedding N(0, 1) (nn.Embedding); every recurrent parameter U(−1/√H, 1/√H); the head
 * (nn.Linear) U(−1/√fan_in, 1/√fan_in) for weight and bias; a learned initial state starts at zero.
 */
export function initParams(c: ResolvedConfig, layout: ParamLayout, opts: InitOptions): Float64Array {
  const rng = new Rng(opts.seed);
  const flat = new Float64Array(layout.total);
  const kRec = 1 / Math.sqrt(c.hiddenSize);
  const kHead = 1 / Math.sqrt(headInputSize(c));
  for (const s of layout.specs) {
    if (s.name.startsWith('init.')) continue;
    if (s.name === EMBEDDING) {
      for (let i = 0; i < s.size; i++) flat[s.offset + i] = rng.normal();
      continue;
    }
    const k = s.name.startsWith('head.') ? kHead : kRec;
    for (let i = 0; i < s.size; i++) flat[s.offset + i] = rng.range(-k, k);
  }
  if (opts.forgetBias && c.cell === 'lstm') {
    // PyTorch's gate rows are i, f, g, o: the forget rows are [H, 2H). Both biases add, so the
    // shift goes on bias_ih only.
    const H = c.hiddenSize;
    for (let k = 0; k < c.numLayers; k++) {
      const b = paramView(layout, flat, `lstm.bias_ih_l${k}`);
      for (let j = H; j < 2 * H; j++) b[j] = b[j]! + opts.forgetBias;
    }
  }
  return flat;
}
