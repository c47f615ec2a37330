/**
 * Pass 1 of the TF.js import (./tfjsImport.ts): the layer chain, each layer's fields, and the
 * config they imply. Every refusal names the layer and the reason (the list is in ./tfjs.ts).
 */
import type { CellType, LossType } from '../config.js';
import { innerLayer, type KerasLayer } from './kerasTopology.js';
import type { ImportTfjsOptions } from './tfjsImport.js';
import { clip } from './tfjsClip.js';

const RECURRENT: Record<string, CellType | 'rnn'> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };

const DROPOUT_LAYERS = ['Dropout', 'SpatialDropout1D', 'GaussianDropout', 'AlphaDropout', 'GaussianNoise'];

/** The structure of an importable chain, after pass 1. */
export interface Chain {
  embedding: KerasLayer | null;
  rnns: KerasLayer[];
  cell: CellType;
  H: number;
  /** Input features from the topology (null: read from layer 0's kernel shape). */
  inputSize: number | null;
  useBias: boolean[];
  outputs: 'all' | 'last';
  /** Steps the head reads with outputs 'last' (Flatten or Reshape → Cropping2D → Flatten before the Dense). */
  headSteps: number;
  dense: KerasLayer;
  /** Names that the Dense's weight paths may carry: the Dense's, and a TimeDistributed wrapper's. */
  denseOwners: string[];
  denseBias: boolean;
  outputSize: number;
  loss: LossType;
}

/** An activation's canonical name: lower case, no underscores (hard_sigmoid, hardSigmoid → hardsigmoid). */
function activationName(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v.toLowerCase().replace(/_/g, '');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // Keras 3 may serialise {module, class_name: "function", config: "sigmoid"}.
    if (typeof o.config === 'string') return activationName(o.config);
    if (typeof o.class_name === 'string') return activationName(o.class_name);
  }
  return `unreadable ${clip(v, 40)}`;
}

function batchShapeOf(config: Record<string, unknown>): unknown[] | null {
  for (const key of ['batch_input_shape', 'batch_shape']) {
    if (Array.isArray(config[key])) return config[key] as unknown[];
  }
  if (Array.isArray(config.input_shape)) return [null, ...(config.input_shape as unknown[])];
  return null;
}

function knownDim(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : null;
}

export function positiveInt(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/** Why a layer of this class cannot stand where it stands. */
function misplaced(l: KerasLayer, expected: string): string {
  const c = l.className;
  if (c === 'Bidirectional') return 'bidirectional layers are out of scope in version 1 (DESIGN.md section 8)';
  if (c === 'Masking') return 'Masking cannot be imported: variable lengths are given per batch here (lengths, DESIGN.md section 5), not by a layer';
  if (DROPOUT_LAYERS.includes(c)) return `${c} cannot be imported: dropout between layers is out of scope in version 1 (DESIGN.md section 8)`;
  if (c === 'Embedding') return 'an Embedding layer is accepted only as the first layer (token inputs)';
  if (c === 'Dense' || c === 'TimeDistributed') return "a Dense layer is accepted only as the output layer, reading the last recurrent layer's output";
  if (RECURRENT[c]) return `a recurrent layer cannot stand here (expected ${expected})`;
  return `layer type ${clip(c, 40)} cannot be imported (expected ${expected}; this import maps an optional InputLayer, an optional Embedding first, ` +
    'a stack of LSTM, GRU or SimpleRNN layers of one cell type, and a Dense output layer, optionally in TimeDistributed or followed by an Activation)';
}

/** Pass 1: the layer chain, each layer's fields, and the config they imply. */
export function readChain(layers: KerasLayer[], opts: ImportTfjsOptions, refuse: (l: KerasLayer | null, what: string) => never): Chain {
  if (layers.length === 0) refuse(null, 'the model has no layers');
  let i = 0;
  let batchShape: unknown[] | null = null;
  if (layers[0]!.className === 'InputLayer') batchShape = batchShapeOf(layers[i++]!.config);
  let embedding: KerasLayer | null = null;
  if (layers[i]?.className === 'Embedding') {
    embedding = layers[i++]!;
    if (embedding.config.mask_zero === true) {
      refuse(embedding, 'mask_zero true cannot be imported: variable lengths are given per batch here (lengths, DESIGN.md section 5), not by masking');
    }
    batchShape ??= batchShapeOf(embedding.config);
  }
  const rnns: KerasLayer[] = [];
  while (layers[i] && RECURRENT[layers[i]!.className]) rnns.push(layers[i++]!);
  if (rnns.length === 0) {
    if (!layers[i]) refuse(null, 'the model has no recurrent layer (LSTM, GRU or SimpleRNN)');
    refuse(layers[i]!, misplaced(layers[i]!, 'a recurrent layer: LSTM, GRU or SimpleRNN'));
  }
  if (!embedding) batchShape ??= batchShapeOf(rnns[0]!.config);

  let cell: CellType | null = null;
  let H = 0;
  const useBias: boolean[] = [];
  rnns.forEach((l, k) => {
    const r = recurrentLayer(l, k === rnns.length - 1, opts, refuse);
    if (cell !== null && r.cell !== cell) {
      refuse(l, `cell ${r.cell} differs from layer ${clip(rnns[0]!.name)}'s ${cell}: our layers share one cell type`);
    }
    if (k > 0 && r.units !== H) refuse(l, `units ${r.units} differ from layer ${clip(rnns[0]!.name)}'s ${H}: our layers share one hidden size H`);
    cell = r.cell;
    H = r.units;
    useBias.push(r.useBias);
  });
  const last = rnns[rnns.length - 1]!;
  const returnSequences = last.config.return_sequences === true;
  const T = embedding ? knownDim(embedding.config.input_length) ?? knownDim(batchShape?.[1]) : knownDim(batchShape?.[1]);

  // The head: [Flatten | Reshape → Cropping2D → Flatten]? (Dense | TimeDistributed(Dense)) Activation?
  let headSteps = 1;
  let crop = 0;
  let flattened = false;
  const steps: KerasLayer[] = [];
  if (layers[i]?.className === 'Reshape') {
    const reshape = layers[i++]!;
    const target = reshape.config.target_shape;
    if (!Array.isArray(target) || target.length !== 3 || (target[0] !== -1 && target[0] !== T) || target[1] !== H || target[2] !== 1) {
      refuse(reshape, `a Reshape is accepted only as [T, ${H}, 1] before Cropping2D (the last steps of the sequence), received target_shape ${clip(target)}`);
    }
    const cropping = layers[i++];
    const c = cropping?.config.cropping;
    const ok = cropping?.className === 'Cropping2D' && Array.isArray(c) && c.length === 2 && Array.isArray(c[0]) && Array.isArray(c[1]) &&
      Number.isInteger(c[0][0]) && (c[0][0] as number) >= 0 && c[0][1] === 0 && c[1][0] === 0 && c[1][1] === 0 &&
      (cropping.config.data_format === undefined || cropping.config.data_format === 'channels_last');
    if (!ok) refuse(cropping ?? reshape, `expected Cropping2D with cropping [[steps dropped, 0], [0, 0]] (channels_last) after the Reshape, received ${cropping ? clip(c) : 'nothing'}`);
    crop = c[0][0] as number;
    steps.push(reshape, cropping!);
  }
  if (layers[i]?.className === 'Flatten' || steps.length > 0) {
    const flatten = layers[i++];
    if (flatten?.className !== 'Flatten') refuse(flatten ?? steps[steps.length - 1]!, 'expected Flatten after Cropping2D');
    if (!returnSequences) refuse(flatten!, `Flatten needs the steps of the last recurrent layer: expected return_sequences true on ${clip(last.name)}`);
    if (T === null) refuse(flatten!, 'Flatten over the steps needs a known sequence length (batch_input_shape [null, T, …])');
    flattened = true;
    headSteps = T! - crop;
    if (headSteps < 1) refuse(steps[1]!, `cropping ${crop} steps leaves none of the ${T} steps`);
  }

  const denseLayer = layers[i++];
  if (!denseLayer) refuse(null, 'expected a Dense output layer after the last recurrent layer, found none');
  let dense = denseLayer!;
  const denseOwners = [dense.name];
  if (dense.className === 'TimeDistributed') {
    const inner = innerLayer(dense, 'modelTopology');
    if (inner?.className !== 'Dense') refuse(dense, misplaced(inner ?? dense, 'a Dense output layer'));
    if (!returnSequences) refuse(dense, `TimeDistributed needs the steps of the last recurrent layer: expected return_sequences true on ${clip(last.name)}`);
    dense = inner!;
    denseOwners.push(dense.name);
  } else if (dense.className !== 'Dense') {
    refuse(dense, misplaced(dense, 'a Dense output layer'));
  }
  if (!positiveInt(dense.config.units)) refuse(dense, `units must be a positive integer, received ${clip(dense.config.units)}`);
  let activation = activationName(dense.config.activation) ?? 'linear';
  const after = layers[i];
  if (after?.className === 'Activation' && i === layers.length - 1) {
    if (activation !== 'linear') refuse(after, `a second activation after Dense activation ${clip(dense.config.activation)} cannot be imported`);
    activation = activationName(after.config.activation) ?? 'linear';
    i++;
  }
  if (i < layers.length) {
    const next = layers[i]!;
    if (RECURRENT[next.className]) refuse(denseLayer!, `${misplaced(denseLayer!, '')}; recurrent layer ${clip(next.name)} follows it`);
    refuse(next, misplaced(next, 'nothing after the Dense output layer'));
  }

  const lossOf: Record<string, LossType> = { softmax: 'softmax_ce', sigmoid: 'sigmoid_bce' };
  let loss: LossType;
  if (activation === 'linear') loss = opts.loss ?? 'mse';
  else if (lossOf[activation]) {
    loss = lossOf[activation]!;
    if (opts.loss !== undefined && opts.loss !== loss) {
      refuse(dense, `activation ${activation} means loss ${loss}, but opts.loss is ${clip(opts.loss)}: give a linear output layer for another loss`);
    }
  } else {
    refuse(after?.className === 'Activation' ? after : dense,
      `output activation ${clip(activation)} cannot be imported: expected softmax (softmax_ce), sigmoid (sigmoid_bce) or linear (mse, or opts.loss)`);
  }
  const inputSize = embedding ? null : knownDim(batchShape?.[batchShape.length - 1]);
  return {
    embedding, rnns, cell: cell!, H, inputSize, useBias, outputs: returnSequences && !flattened ? 'all' : 'last',
    headSteps, dense: denseLayer!.className === 'TimeDistributed' ? denseLayer! : dense, denseOwners, denseBias: dense.config.use_bias !== false,
    outputSize: dense.config.units as number, loss: loss!,
  };
}

/** Check one recurrent layer's fields; returns what the config needs from it. */
function recurrentLayer(
  l: KerasLayer, isLast: boolean, opts: ImportTfjsOptions, refuse: (l: KerasLayer | null, what: string) => never,
): { cell: CellType; units: number; useBias: boolean } {
  const c = l.config;
  if (!positiveInt(c.units)) refuse(l, `units must be a positive integer, received ${clip(c.units)}`);
  const act = activationName(c.activation) ?? 'tanh'; // tanh is the default of all three in Keras and TF.js
  let cell: CellType;
  if (l.className === 'SimpleRNN') {
    if (act !== 'tanh' && act !== 'relu') refuse(l, `activation ${clip(c.activation)} cannot be imported: SimpleRNN maps to rnn_tanh (tanh) or rnn_relu (relu) only`);
    cell = act === 'relu' ? 'rnn_relu' : 'rnn_tanh';
  } else {
    cell = l.className === 'LSTM' ? 'lstm' : 'gru';
    if (act !== 'tanh') refuse(l, `activation ${clip(c.activation)} cannot be imported: our ${l.className} uses tanh`);
    const rec = activationName(c.recurrent_activation);
    if (rec === undefined) {
      refuse(l, 'recurrent_activation is missing and the defaults differ (TF.js: hardSigmoid, Keras: sigmoid): the model must say "sigmoid"');
    }
    if (rec === 'hardsigmoid') {
      refuse(l, `recurrent_activation ${clip(c.recurrent_activation)} cannot be imported: our gates use the logistic sigmoid ` +
        `(hardSigmoid is TF.js's default recurrentActivation for LSTM and GRU: build the layer with recurrentActivation: 'sigmoid')`);
    }
    if (rec !== 'sigmoid') refuse(l, `recurrent_activation ${clip(c.recurrent_activation)} cannot be imported: our gates use the logistic sigmoid`);
    if (cell === 'gru' && c.reset_after !== true) {
      refuse(l, `reset_after ${clip(c.reset_after)} cannot be imported: only reset_after true is PyTorch's GRU, n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn)); ` +
        'reset_after false computes tanh(W·x + (r ⊙ h)·U), another cell (and TF.js 4.22 builds only that one)');
    }
  }
  if (c.go_backwards === true) refuse(l, 'go_backwards true cannot be imported: our layers run forward in time');
  if (c.return_state === true) refuse(l, 'return_state true cannot be imported: the layer would output its states besides its sequence, which no layer of ours passes on');
  if (c.time_major === true) refuse(l, 'time_major true cannot be imported: inputs here are batch-first [B, T, I]');
  if (c.stateful === true && !opts.allowStateful) {
    refuse(l, 'stateful true: a stateful layer carries its state across calls at a fixed batch size, which a config cannot say; ' +
      'pass allowStateful: true to import the weights and carry the state yourself (h0/c0 or a stateful trainer)');
  }
  for (const key of ['dropout', 'recurrent_dropout']) {
    const v = c[key];
    if (v !== undefined && v !== null && v !== 0) refuse(l, `${key} ${clip(v)} cannot be imported: dropout is out of scope in version 1 (DESIGN.md section 8); set it to 0`);
  }
  if (!isLast && c.return_sequences !== true) refuse(l, 'return_sequences must be true on every recurrent layer but the last (the next layer reads every step)');
  return { cell, units: c.units as number, useBias: c.use_bias !== false };
}

