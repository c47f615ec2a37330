/**
 * Export of one of our models as a TF.js Layers model that `tf.loadLayersModel` (TF.js 4.22) loads:
 * a Keras Sequential config written with the keys, defaults and initializer objects TF.js 4.22's
 * own `model.save` writes, a weightsManifest, and the float32 weight bytes. The mapping and the
 * refusals are listed in the header of ./tfjs.ts.
 */
import { configToJSON, headInputSize, resolveConfig, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { EMBEDDING, paramLayout } from '../params.js';
import { checkParameterMap } from '../checks/tensors.js';
import { kerasBlocks, torchToBias, torchToKernel, transpose } from './kerasLayout.js';
import { encodeFloat32, type TfjsWeightSpec, type WeightToWrite } from './tfjsWeights.js';
import { clip } from './tfjsClip.js';

export interface ExportTfjsOptions {
  /**
   * The sequence length T the TF.js model is built for (its batch_input_shape [null, T, …]).
   * Without it T is left open (null), which TF.js accepts for every head but headSteps > 1: that
   * head is Reshape [T, H, 1] → Cropping2D (drop the first T − k steps) → Flatten → Dense, which
   * needs T.
   */
  sequenceLength?: number;
  /** Names the model in error messages (default "exportTfjs"). */
  where?: string;
}

/** model.json as tf.io writes it for a Layers model. */
export interface TfjsModelJson {
  modelTopology: Record<string, unknown>;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  weightsManifest: Array<{ paths: string[]; weights: TfjsWeightSpec[] }>;
}

/** What tf.io writes: model.json and the weight bytes (the file `weightsManifest[0].paths[0]`). */
export interface TfjsArtifacts {
  /** model.json: `modelTopology` (a Keras Sequential config) and a `weightsManifest` of one group whose file is model.weights.bin. */
  modelJson: TfjsModelJson;
  /** The weights as float32, little-endian, concatenated in the manifest's order (the file model.weights.bin). */
  weightData: ArrayBuffer;
}

/** The weight file's name in the manifest, as tf.io's browser downloads name it. */
export const TFJS_WEIGHTS_FILE = 'model.weights.bin';

const GLOROT = { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } };
const ORTHOGONAL = { class_name: 'Orthogonal', config: { gain: 1, seed: null } };
const ZEROS = { class_name: 'Zeros', config: {} };

function recurrentConfig(cls: 'LSTM' | 'SimpleRNN', name: string, H: number, activation: string, returnSequences: boolean): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name, trainable: true, units: H, activation,
    ...(cls === 'LSTM' ? { recurrent_activation: 'sigmoid' } : {}),
    use_bias: true, kernel_initializer: GLOROT, recurrent_initializer: ORTHOGONAL, bias_initializer: ZEROS,
    ...(cls === 'LSTM' ? { unit_forget_bias: null } : {}),
    kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
    kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: 0, recurrent_dropout: 0,
    ...(cls === 'LSTM' ? { implementation: null } : {}),
    return_sequences: returnSequences, return_state: false, go_backwards: false, stateful: false, unroll: false,
  };
  return c;
}

function checkExportable(config: ResolvedConfig, where: string, T: number | null): void {
  if (config.cell === 'gru') {
    throw new InputError(`${where}: cell "gru" cannot be exported for TF.js 4.22: its GRUCell refuses reset_after true ("GRUCell does not support ` +
      'reset_after parameter set to true"), and its reset_after false GRU computes tanh(W·x + (r ⊙ h)·U), not PyTorch\'s tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))');
  }
  if (config.headFrom === 'ch') {
    throw new InputError(`${where}: headFrom "ch" cannot be exported: Keras RNN layers do not output the cell state of every step, so no Dense can read c`);
  }
  if (config.learnedInitialState) {
    throw new InputError(`${where}: learnedInitialState cannot be exported: a Keras RNN layer starts from zeros unless given an initial state as an input, ` +
      'which a Sequential model cannot hold as a weight');
  }
  if (config.headSteps > 1 && T === null) {
    throw new InputError(`${where}: headSteps ${config.headSteps} needs opts.sequenceLength (T): the head keeps the last ${config.headSteps} steps ` +
      'with Reshape → Cropping2D → Flatten, which crops a known number of steps (TF.js 4.22 has no Cropping1D and no layer that slices from the end)');
  }
  if (T !== null && T < config.headSteps) {
    throw new InputError(`${where}: sequenceLength must be at least headSteps ${config.headSteps}, received ${T}`);
  }
}

/**
 * One of our models as a TF.js Layers model that `tf.loadLayersModel` (TF.js 4.22) loads, with the
 * keys and defaults TF.js's own `model.save` writes; `model.toTfjs` calls it. `params` are by
 * PyTorch name, flat row-major (as `getParameters` returns). Keras's one LSTM/SimpleRNN bias is
 * bias_ih + bias_hh, rounded once to float32.
 *
 * Throws InputError naming the reason for what TF.js cannot express: cell gru (TF.js 4.22 has no
 * reset-after GRU), headFrom 'ch', a learned initial state, headSteps > 1 without
 * `opts.sequenceLength` (or one below headSteps); and for a bad config, or a parameter that is
 * missing, unknown, of the wrong size or not finite.
 *
 * @param config the model's config
 * @param params every parameter of the config, by PyTorch name
 * @param opts sequenceLength: the T the model is built for (default: left open); where: names the model in errors
 */
export function exportTfjs(config: ResolvedConfig, params: Map<string, ArrayLike<number>>, opts: ExportTfjsOptions = {}): TfjsArtifacts {
  const where = opts.where ?? 'exportTfjs';
  const cfg = resolveConfig(configToJSON(config), `${where}: config`);
  const T = opts.sequenceLength ?? null;
  if (T !== null && (!Number.isInteger(T) || T < 1)) throw new InputError(`${where}: sequenceLength must be a positive integer, received ${clip(T)}`);
  checkExportable(cfg, where, T);
  const layout = paramLayout(cfg);
  const missing = layout.specs.filter((s) => !params.has(s.name)).map((s) => s.name);
  if (missing.length > 0) throw new InputError(`${where}: params lacks ${missing.join(', ')} (expected every parameter of the config)`);
  checkParameterMap(layout, params, where);
  const p = (name: string): ArrayLike<number> => params.get(name)!;

  const H = cfg.hiddenSize, L = cfg.numLayers, C = cfg.outputSize, I = cfg.inputSize;
  const blocks = kerasBlocks(cfg.cell);
  const GH = blocks.length * H;
  const layers: Array<Record<string, unknown>> = [];
  const weights: WeightToWrite[] = [];
  const firstShape = cfg.inputKind === 'tokens' ? [null, T] : [null, T, I];

  if (cfg.inputKind === 'tokens') {
    layers.push({
      class_name: 'Embedding',
      config: {
        input_dim: cfg.vocabSize, output_dim: I,
        embeddings_initializer: { class_name: 'RandomUniform', config: { minval: -0.05, maxval: 0.05, seed: null } },
        embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: null,
        input_length: T, name: 'embedding', trainable: true, batch_input_shape: firstShape, dtype: 'float32',
      },
    });
    weights.push({ name: 'embedding/embeddings', shape: [cfg.vocabSize, I], values: p(EMBEDDING) });
  }

  const cls = cfg.cell === 'lstm' ? 'LSTM' : 'SimpleRNN';
  const P = cfg.cell === 'lstm' ? 'lstm' : 'rnn';
  const base = cfg.cell === 'lstm' ? 'lstm' : 'simple_rnn';
  const keepSteps = cfg.outputs === 'all' || cfg.headSteps > 1;
  for (let k = 0; k < L; k++) {
    const name = k === 0 ? base : `${base}_${k}`;
    const Ik = k === 0 ? I : H;
    const c = recurrentConfig(cls, name, H, cfg.cell === 'rnn_relu' ? 'relu' : 'tanh', k < L - 1 || keepSteps);
    layers.push({ class_name: cls, config: k === 0 && cfg.inputKind !== 'tokens' ? { ...c, batch_input_shape: firstShape, dtype: 'float32' } : c });
    // Keras has one bias: PyTorch's two add (both sit outside every nonlinearity for LSTM and the plain RNNs).
    const bIh = p(`${P}.bias_ih_l${k}`), bHh = p(`${P}.bias_hh_l${k}`);
    const bias = new Float64Array(GH);
    for (let r = 0; r < GH; r++) bias[r] = bIh[r]! + bHh[r]!;
    weights.push({ name: `${name}/kernel`, shape: [Ik, GH], values: torchToKernel(p(`${P}.weight_ih_l${k}`), Ik, H, blocks) });
    weights.push({ name: `${name}/recurrent_kernel`, shape: [H, GH], values: torchToKernel(p(`${P}.weight_hh_l${k}`), H, H, blocks) });
    weights.push({ name: `${name}/bias`, shape: [GH], values: torchToBias(bias, H, blocks) });
  }

  if (cfg.headSteps > 1) {
    // [B, T, H] → [B, T, H, 1] → keep steps T−k … T−1 → [B, k·H], step-major: the head's feature order.
    layers.push({ class_name: 'Reshape', config: { target_shape: [T, H, 1], name: 'reshape', trainable: true } });
    layers.push({ class_name: 'Cropping2D', config: { cropping: [[T! - cfg.headSteps, 0], [0, 0]], data_format: 'channels_last', name: 'cropping2d', trainable: true } });
    layers.push({ class_name: 'Flatten', config: { name: 'flatten', trainable: true } });
  }
  const F = headInputSize(cfg);
  layers.push({
    class_name: 'Dense',
    config: {
      units: C, activation: cfg.loss === 'softmax_ce' ? 'softmax' : cfg.loss === 'sigmoid_bce' ? 'sigmoid' : 'linear', use_bias: true,
      kernel_initializer: GLOROT, bias_initializer: ZEROS, kernel_regularizer: null, bias_regularizer: null,
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null, name: 'dense', trainable: true,
    },
  });
  weights.push({ name: 'dense/kernel', shape: [F, C], values: transpose(p('head.weight'), C, F) });
  weights.push({ name: 'dense/bias', shape: [C], values: p('head.bias') });

  const { specs, data } = encodeFloat32(weights);
  return {
    modelJson: {
      modelTopology: {
        class_name: 'Sequential', config: { name: 'sequential', layers },
        keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js',
      },
      format: 'layers-model',
      generatedBy: 'webgpu-lstm',
      convertedBy: null,
      weightsManifest: [{ paths: [TFJS_WEIGHTS_FILE], weights: specs }],
    },
    weightData: data,
  };
}

/**
 * The artifacts as tf.io ModelArtifacts (`tf.io.fromMemory(tfjsModelArtifacts(a))` loads them):
 * the manifest's entries become weightSpecs beside the bytes.
 */
export function tfjsModelArtifacts(a: TfjsArtifacts): {
  modelTopology: Record<string, unknown>; weightSpecs: TfjsWeightSpec[]; weightData: ArrayBuffer; format: string; generatedBy: string;
} {
  return {
    modelTopology: a.modelJson.modelTopology,
    weightSpecs: a.modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: a.weightData,
    format: a.modelJson.format,
    generatedBy: a.modelJson.generatedBy,
  };
}
