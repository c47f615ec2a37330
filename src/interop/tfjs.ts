/**
 * TensorFlow.js / Keras Layers models in and out (issue 12, item 2).
 *
 *   importTfjs(modelJson, weightData, { loss?, where?, allowStateful? }) → { config, params }
 *   exportTfjs(config, params, { sequenceLength?, where? })            → { modelJson, weightData }
 *   tfjsModelArtifacts(artifacts)                                      → tf.io ModelArtifacts
 *
 * `modelJson` is model.json as tf.io writes it (`modelTopology` + `weightsManifest`), or tf.io
 * ModelArtifacts (`modelTopology` + `weightSpecs`, what a custom IOHandler's save receives);
 * `weightData` the weight bytes (one buffer, or the shards in manifest order). `params` are in our
 * PyTorch layout (src/params.ts, DESIGN.md section 5). Export writes the Sequential config the way
 * TF.js 4.22's own `model.save` does; `tf.loadLayersModel(tf.io.fromMemory(tfjsModelArtifacts(a)))`
 * loads it, and its `predict` gives what our predict gives (probabilities, or values for mse).
 *
 * Layout mapping, Keras → ours (K: input features of the layer, H units, G gates):
 *
 *   Embedding  embeddings [V, I]                 → embedding.weight [V, I] (as is; inputKind tokens)
 *   LSTM       kernel [K, 4H], gates i, f, c, o  → weight_ih [4H, K] = kernelᵀ, rows i, f, g, o (same order)
 *              recurrent_kernel [H, 4H]          → weight_hh [4H, H] = recurrent_kernelᵀ
 *              bias [4H]                         → bias_ih = bias, bias_hh = 0
 *   GRU        kernel [K, 3H], gates z, r, h     → weight_ih [3H, K]: rows r, z, n = Keras blocks 1, 0, 2, transposed
 *   (reset_after true only)                      → weight_hh likewise from recurrent_kernel [H, 3H]
 *              bias [2, 3H]: row 0 input, row 1 recurrent → bias_ih, bias_hh (blocks permuted the same way)
 *   SimpleRNN  kernel [K, H], recurrent_kernel [H, H], bias [H] → weight_ih, weight_hh (transposed), bias_ih; bias_hh = 0
 *              activation tanh → rnn_tanh, relu → rnn_relu
 *   Dense      kernel [F, C], bias [C]           → head.weight [C, F] = kernelᵀ, head.bias
 *              (on every step: Dense or TimeDistributed(Dense) after return_sequences true → outputs 'all';
 *               on the last step: return_sequences false → outputs 'last';
 *               on the last k steps: Reshape [T, H, 1] → Cropping2D [[T − k, 0], [0, 0]] → Flatten → Dense,
 *               or Flatten → Dense (k = T) → outputs 'last', headSteps k; Flatten's order is step-major,
 *               oldest first, which is the head's feature order)
 *   loss       Dense (or a following Activation) softmax → softmax_ce, sigmoid → sigmoid_bce,
 *              linear → mse or opts.loss
 *   use_bias false (recurrent or Dense) imports as zero biases, which is exact; training then moves them.
 *
 * Export is the inverse, with Keras's one LSTM/SimpleRNN bias = bias_ih + bias_hh (exact in the
 * math: both add outside every nonlinearity; the sum is rounded once to float32).
 *
 * Refused on import, by name, with the reason, listing the model's layers: recurrent_activation
 * hard_sigmoid (TF.js's default recurrentActivation for LSTM and GRU) or anything but sigmoid,
 * or missing (the defaults of TF.js and Keras differ); activations other than tanh (LSTM, GRU) or
 * tanh/relu (SimpleRNN); GRU reset_after false (another cell; the only GRU TF.js 4.22 builds);
 * go_backwards; return_state; time_major; stateful (unless allowStateful); non-zero dropout or
 * recurrent_dropout; Bidirectional; Masking or Embedding mask_zero; Dropout layers; different
 * cells or units across layers (our layers share one cell and H); a Dense anywhere but last on the
 * last recurrent layer's output; output activations other than softmax, sigmoid, linear; any
 * other layer type; a functional model that is not one linear chain. Weights: each entry's shape
 * and dtype (float32, not quantized) against the config, the total byte length against the
 * manifest (truncated files), non-finite values, and weights no layer claims.
 *
 * Refused on export, by name: cell gru (TF.js 4.22's GRUCell throws on reset_after true, and its
 * reset_after false cell is not PyTorch's); headFrom 'ch' (Keras RNN layers do not output c per
 * step); a learned initial state; headSteps > 1 without opts.sequenceLength (TF.js 4.22 has no
 * Cropping1D; the Reshape → Cropping2D composition needs T).
 */
export { importTfjs, type ImportTfjsOptions, type ImportedModel } from './tfjsImport.js';
export {
  exportTfjs, tfjsModelArtifacts, TFJS_WEIGHTS_FILE, type ExportTfjsOptions, type TfjsArtifacts, type TfjsModelJson,
} from './tfjsExport.js';
export type { TfjsWeightSpec } from './tfjsWeights.js';
