/**
 * ONNX export for inference: a model trained here, served by ONNX Runtime (or any ONNX runtime)
 * elsewhere. `exportOnnx(config, params)` returns the bytes of an ONNX ModelProto (default opset
 * 14, IR version 7) built from the standard LSTM / GRU / RNN operators, one per layer, plus a Gemm
 * head. Values are float32: our float64 parameters are rounded once, here.
 *
 * Graph inputs (batch-first like ours; `batch` and `time` are symbolic):
 *   x        float32 [batch, time, I]; with inputKind "tokens", int64 ids [batch, time] that a
 *            Gather reads from `embedding.weight` [V, I].
 *   lengths  int32 [batch], only with `opts.lengths`: each in [1, time], PyTorch's packed-sequence
 *            semantics (ONNX's sequence_lens): row b runs steps t < len_b in every layer, h and c
 *            are 0 past len_b, h_n/c_n are the states at len_b − 1.
 *   h0, c0   float32 [L, batch, H], only with `opts.stateInputs` (then required; c0 for LSTM only).
 *            Without them the model starts from zeros, or from the learned `init.h0`/`init.c0`
 *            [L, H] broadcast over the batch (Expand) when the config has a learned state.
 * Graph outputs:
 *   logits   [batch, time, C] (outputs "all") or [batch, C] (outputs "last"); raw, before the loss.
 *   output   softmax of logits over C (softmax_ce), sigmoid (sigmoid_bce), logits (mse): our predict.
 *   h_n, c_n [L, batch, H] final states (c_n for LSTM only).
 *
 * Layout per layer k (W, R, B are ONNX's names; G·H rows in blocks of H; details in onnxLayout.ts):
 *   W = P.weight_ih_l{k} [G·H, I_k] → [1, G·H, I_k], R = P.weight_hh_l{k} → [1, G·H, H],
 *   B = [P.bias_ih_l{k}, P.bias_hh_l{k}] → [1, 2·G·H], the row blocks of each permuted:
 *     LSTM  ours i, f, g, o → ONNX i, o, f, c: ONNX blocks take ours [0, 3, 1, 2]
 *     GRU   ours r, z, n    → ONNX z, r, h:    ONNX blocks take ours [1, 0, 2]; linear_before_reset = 1
 *     RNN   one block, activations ["Tanh"] (rnn_tanh) or ["Relu"] (rnn_relu)
 *   ONNX's operators are time-major: onnxruntime refuses layout = 1 ("Batchwise recurrent
 *   operations (layout == 1) are not supported", 1.17 CPU, all three operators), so x is
 *   Transposed to [time, batch, …] and Y [time, 1, batch, H] is Squeezed to the next layer's input.
 * Head (head.weight [C, F] and head.bias [C] unchanged, Gemm with transB = 1; F = headInputSize;
 * onnxHead.ts):
 *   outputs "all":  features of every step, [batch·time, F] → Gemm → Reshape [batch, time, C].
 *   outputs "last", headSteps 1: Y_h (and Y_c for headFrom "ch", c first) of the top layer: with
 *                   lengths these are already the states at len_b − 1.
 *   outputs "last", headSteps k > 1: steps T−k … T−1 of the top layer (Slice), oldest first, each
 *                   (c, h) or h, flattened to [batch, k·per]; with lengths, steps len_b−k … len_b−1
 *                   of each row (GatherND, batch_dims = 1). A row with len_b < k, which our trainer
 *                   refuses by name, gets NaN logits: a graph cannot raise our error, so the row
 *                   says so in-band instead of reading steps that do not exist.
 *   headFrom "ch" needs c at every step for outputs "all" and for headSteps > 1, but ONNX's LSTM
 *   returns only the last c (Y_c). Then the top layer is unrolled with Scan instead of the LSTM
 *   operator (onnxScanLstm.ts, same math, our gate order, tested like the rest); lower layers keep
 *   the operator.
 *
 * Files: onnxOptions.ts (what is accepted), onnxLayers.ts (the stack), onnxLayout.ts (W, R, B),
 * onnxScanLstm.ts, onnxHead.ts, onnxGraph.ts (graph builder), onnxSchema.ts (the onnx.proto subset,
 * encoded by protobufjs).
 *
 * Refused (InputError, before anything is built): an opset outside [14, 20] (the range tested
 * against onnxruntime 1.17, whose newest is 20); a model whose float32 parameters exceed
 * protobuf's 2 GiB message limit (ONNX external data is not written); a missing, unknown,
 * wrong-sized or non-finite parameter, or one outside float32's range.
 *
 * Not optional at run time: h0/c0. An ONNX graph input backed by an initializer is a default that
 * a caller may override in principle, but onnxruntime-node lists only the other inputs and
 * silently ignores a feed under such a name (measured with 1.17), so it is an export-time choice.
 */
import { configToJSON, resolveConfig, type ResolvedConfig } from '../config.js';
import { EMBEDDING } from '../params.js';
import { GraphBuilder } from './onnxGraph.js';
import { head } from './onnxHead.js';
import { recurrentStack } from './onnxLayers.js';
import { checkExportOptions, checkExportParams, checkExportSize, irVersionFor, type OnnxExportOptions } from './onnxOptions.js';
import { DataType, encodeModelProto } from './onnxSchema.js';

export { ONNX_OPSET_DEFAULT, ONNX_OPSET_MAX, ONNX_OPSET_MIN, type OnnxExportOptions } from './onnxOptions.js';

/**
 * The ONNX model (ModelProto bytes) of `config` with parameters `params` (PyTorch names, as
 * getParameters returns them). Options: `lengths` adds the lengths input, `stateInputs` the h0/c0
 * inputs, `opset` picks the opset (14 by default). Throws InputError for anything refused above.
 */
export function exportOnnx(config: ResolvedConfig, params: Map<string, ArrayLike<number>>, opts?: OnnxExportOptions): Uint8Array {
  const where = 'exportOnnx';
  if (typeof config !== 'object' || config === null) resolveConfig(config, `${where}: config`); // throws, naming it
  const cfg = resolveConfig(configToJSON(config), `${where}: config`);
  const o = checkExportOptions(where, opts);
  checkExportSize(where, cfg);
  const p = checkExportParams(where, cfg, params);
  const get = (name: string): ArrayLike<number> => p.get(name)!;

  const g = new GraphBuilder();
  const L = cfg.numLayers, H = cfg.hiddenSize, C = cfg.outputSize, I = cfg.inputSize;
  const lstm = cfg.cell === 'lstm';

  // x → the time-major input of layer 0, [T, B, I].
  let seq: string;
  if (cfg.inputKind === 'tokens') {
    g.input('x', DataType.INT64, ['batch', 'time'], `int64 token ids [batch, time] in [0, ${cfg.vocabSize})`);
    const emb = g.floatTensor(EMBEDDING, [cfg.vocabSize, I], get(EMBEDDING));
    seq = g.op1('Gather', [emb, g.op1('Transpose', ['x'], { perm: [1, 0] })], { axis: 0 }, null, 'embedding');
  } else {
    g.input('x', DataType.FLOAT, ['batch', 'time', I], `float32 features [batch, time, ${I}], batch-first`);
    seq = g.op1('Transpose', ['x'], { perm: [1, 0, 2] });
  }
  const batch = g.op1('Slice', [g.op1('Shape', ['x']), g.ints('zero', [0]), g.ints('one', [1])], {}, null, 'batch');
  const lengths = o.lengths ? g.input('lengths', DataType.INT32, ['batch'], 'int32 [batch], each in [1, time]: row b runs steps t < lengths[b]') : '';

  // Initial states [L, B, H]: inputs, the learned state broadcast over the batch, or null (zeros).
  const initial = (name: 'h0' | 'c0'): string | null => {
    if (o.stateInputs) return g.input(name, DataType.FLOAT, [L, 'batch', H], `float32 initial ${name[0]} of every layer [${L}, batch, ${H}]`);
    if (!cfg.learnedInitialState) return null;
    const learned = g.floatTensor(`init.${name}`, [L, 1, H], get(`init.${name}`));
    const shape = g.op1('Concat', [g.ints('L', [L]), batch, g.ints('H', [H])], { axis: 0 }, null, 'state_shape');
    return g.op1('Expand', [learned, shape], {}, null, `init_${name}`);
  };
  const top = recurrentStack({ g, cfg, get, seq, batch, lengths, h0: initial('h0'), c0: lstm ? initial('c0') : null });

  head(g, cfg, get, top, batch, lengths);
  const activation = cfg.loss === 'softmax_ce' ? 'Softmax' : cfg.loss === 'sigmoid_bce' ? 'Sigmoid' : 'Identity';
  g.op1(activation, ['logits'], activation === 'Softmax' ? { axis: -1 } : {}, 'output');
  g.op1('Concat', top.hN, { axis: 0 }, 'h_n');
  if (lstm) g.op1('Concat', top.cN, { axis: 0 }, 'c_n');

  const logitsDims = cfg.outputs === 'all' ? ['batch', 'time', C] : ['batch', C];
  g.output('logits', DataType.FLOAT, logitsDims, 'raw logits, before the loss');
  g.output('output', DataType.FLOAT, logitsDims, { softmax_ce: 'softmax over the last axis', sigmoid_bce: 'sigmoid', mse: 'the logits (regression)' }[cfg.loss]);
  g.output('h_n', DataType.FLOAT, [L, 'batch', H], 'final hidden state of every layer');
  if (lstm) g.output('c_n', DataType.FLOAT, [L, 'batch', H], 'final cell state of every layer');

  return encodeModelProto({
    irVersion: irVersionFor(o.opset),
    opsetImport: [{ domain: '', version: o.opset }],
    producerName: 'webgpu-lstm',
    producerVersion: '1',
    docString: `webgpu-lstm: ${cfg.cell}, ${L} layer(s) of ${H} units, outputs ${cfg.outputs}, loss ${cfg.loss}`,
    graph: g.graph('webgpu_lstm'),
    metadataProps: [{ key: 'webgpu-lstm.config', value: JSON.stringify(configToJSON(cfg)) }],
  });
}
