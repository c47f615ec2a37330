/**
 * Import of a TF.js Layers model (model.json + weight bytes) into our config and PyTorch-layout
 * parameters. The mapping and the refusals are listed in the header of ./tfjs.ts; this file walks
 * the layer chain in three passes, each finished before the next begins:
 *
 *   1. structure: the layers, their fields, the config (./tfjsChain.ts);
 *   2. weights: every manifest entry's shape and dtype against the config, the byte length;
 *   3. conversion: transposes, gate permutations, bias rows (./kerasLayout.ts).
 */
import { gateCount, resolveConfig, type LossType, type ResolvedConfig } from '../config.js';
import { InputError } from '../errors.js';
import { EMBEDDING, paramLayout } from '../params.js';
import { kerasBlocks, kernelToTorch, biasToTorch, transpose } from './kerasLayout.js';
import { describeLayers, layerLabel, modelLayers, type KerasLayer } from './kerasTopology.js';
import { positiveInt, readChain } from './tfjsChain.js';
import { checkWeightLength, readFloat32, readManifest, weightBytes, type PlacedWeight } from './tfjsWeights.js';
import { clip } from './tfjsClip.js';

export interface ImportTfjsOptions {
  /**
   * The loss, when the output activation does not say it: a linear Dense is `mse` unless told
   * `softmax_ce` or `sigmoid_bce` (a Keras loss with from_logits=True). With a softmax or sigmoid
   * output it must agree (softmax_ce, sigmoid_bce).
   */
  loss?: LossType;
  /** Names the model in error messages (default "TF.js model"). */
  where?: string;
  /**
   * Import the weights of `stateful: true` layers anyway. The config has no stateful flag: carrying
   * the state from one call to the next is then the caller's (h0/c0, or a stateful trainer).
   */
  allowStateful?: boolean;
}

export interface ImportedModel {
  config: ResolvedConfig;
  params: Map<string, Float64Array>;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const shapeText = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * A TF.js Layers model as our config and float64 parameters (PyTorch names and layout), what
 * `engine.loadModel({ modelJson, weightData })` loads. `modelJson` is model.json as tf.io writes it
 * (`modelTopology` + `weightsManifest`) or tf.io ModelArtifacts (`modelTopology` + `weightSpecs`),
 * as an object or its JSON text; `weightData` the weight bytes, one buffer or the shards in
 * manifest order.
 *
 * Only what maps exactly is accepted. Throws InputError before converting anything, naming the
 * layer and the reason and listing the model's layers: e.g. a recurrent_activation other than
 * sigmoid, GRU reset_after false, go_backwards, stateful layers (unless `allowStateful`), dropout,
 * Bidirectional, masking, a layer type or output activation we do not have; and for a weight of
 * the wrong shape or dtype (quantized), too few bytes, a non-finite value, or a weight no layer
 * claims.
 *
 * @returns `{ config, params }`: the resolved config and every parameter by PyTorch name
 */
export function importTfjs(
  modelJson: object | string, weightData: ArrayBuffer | Uint8Array | ArrayBuffer[], opts: ImportTfjsOptions = {},
): ImportedModel {
  const where = opts.where ?? 'TF.js model';
  const json = parseModelJson(modelJson, where);
  const layers = modelLayers(json, where);
  const held = describeLayers(layers);
  const refuse = (l: KerasLayer | null, what: string): never => {
    throw new InputError(`${where}: ${l ? `layer ${layerLabel(l)}: ` : ''}${what}; the model holds: ${held}`);
  };
  const chain = readChain(layers, opts, refuse);

  // Pass 2: the manifest, the byte length, then each weight this chain needs.
  const specs = readManifest(json, where);
  const data = weightBytes(weightData, where);
  checkWeightLength(specs, data, where);
  const claim = weightClaimer(specs, where);
  const G = gateCount(chain.cell), H = chain.H, GH = G * H;
  const kernel0 = claim(chain.rnns[0]!, [chain.rnns[0]!.name], 'kernel');
  let inputSize = chain.embedding ? null : chain.inputSize;
  if (chain.embedding === null && inputSize === null) {
    // No batch shape in the topology: the first kernel's rows say I (checked against GH below).
    inputSize = kernel0.shape.length === 2 && positiveInt(kernel0.shape[0]) ? kernel0.shape[0]! : null;
    if (inputSize === null) refuse(chain.rnns[0]!, `weight ${clip(kernel0.name)} has shape ${shapeText(kernel0.shape)}, expected [I, ${GH}]`);
  }
  let vocabSize = 0;
  let embeddings: PlacedWeight | null = null;
  if (chain.embedding) {
    const e = chain.embedding.config;
    if (!positiveInt(e.input_dim) || !positiveInt(e.output_dim)) {
      refuse(chain.embedding, `input_dim and output_dim must be positive integers, received ${clip(e.input_dim)} and ${clip(e.output_dim)}`);
    }
    vocabSize = e.input_dim as number;
    inputSize = e.output_dim as number;
    embeddings = claim(chain.embedding, [chain.embedding.name], 'embeddings');
  }
  const config = resolveConfig({
    cell: chain.cell, inputSize, hiddenSize: H, numLayers: chain.rnns.length, outputSize: chain.outputSize,
    loss: chain.loss, outputs: chain.outputs,
    ...(chain.headSteps !== 1 ? { headSteps: chain.headSteps } : {}),
    ...(chain.embedding ? { inputKind: 'tokens', vocabSize } : {}),
  }, where);

  const expect = (spec: PlacedWeight, shape: number[], owner: KerasLayer): PlacedWeight => {
    if (!sameShape(spec.shape, shape)) refuse(owner, `weight ${clip(spec.name)} has shape ${shapeText(spec.shape)}, expected ${shapeText(shape)} for this config`);
    if (spec.quantization) {
      refuse(owner, `weight ${clip(spec.name)} is quantized to ${spec.quantization.dtype}, a lossy approximation: convert the model without quantization`);
    }
    if (spec.dtype !== 'float32') refuse(owner, `weight ${clip(spec.name)} has dtype ${clip(spec.dtype)}, expected float32`);
    return spec;
  };
  if (embeddings) expect(embeddings, [vocabSize, config.inputSize], chain.embedding!);
  const perLayer = chain.rnns.map((l, k) => {
    const Ik = k === 0 ? config.inputSize : H;
    const kernel = expect(k === 0 ? kernel0 : claim(l, [l.name], 'kernel'), [Ik, GH], l);
    const recurrent = expect(claim(l, [l.name], 'recurrent_kernel'), [H, GH], l);
    const bias = chain.useBias[k] ? expect(claim(l, [l.name], 'bias'), chain.cell === 'gru' ? [2, GH] : [GH], l) : null;
    return { kernel, recurrent, bias, Ik };
  });
  const F = chain.headSteps * H, C = chain.outputSize;
  const denseKernel = expect(claim(chain.dense, chain.denseOwners, 'kernel'), [F, C], chain.dense);
  const denseBias = chain.denseBias ? expect(claim(chain.dense, chain.denseOwners, 'bias'), [C], chain.dense) : null;
  claim.refuseUnclaimed();

  // Pass 3: read and convert.
  const read = (spec: PlacedWeight): Float64Array => {
    const v = readFloat32(data, spec);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) throw new InputError(`${where}: weight ${clip(spec.name)} holds a non-finite value (${v[i]}) at element ${i}`);
    }
    return v;
  };
  const blocks = kerasBlocks(config.cell);
  const values = new Map<string, Float64Array>();
  if (embeddings) values.set(EMBEDDING, read(embeddings));
  const P = config.cell === 'lstm' ? 'lstm' : config.cell === 'gru' ? 'gru' : 'rnn';
  perLayer.forEach((w, k) => {
    values.set(`${P}.weight_ih_l${k}`, kernelToTorch(read(w.kernel), w.Ik, H, blocks));
    values.set(`${P}.weight_hh_l${k}`, kernelToTorch(read(w.recurrent), H, H, blocks));
    const b = w.bias ? read(w.bias) : new Float64Array(GH);
    values.set(`${P}.bias_ih_l${k}`, biasToTorch(b, 0, H, blocks));
    // LSTM and the plain RNNs have one Keras bias: it all goes to bias_ih. GRU row 1 is b_hh.
    values.set(`${P}.bias_hh_l${k}`, config.cell === 'gru' && w.bias ? biasToTorch(b, GH, H, blocks) : new Float64Array(GH));
  });
  values.set('head.weight', transpose(read(denseKernel), F, C));
  values.set('head.bias', denseBias ? read(denseBias) : new Float64Array(C));

  const params = new Map<string, Float64Array>();
  for (const s of paramLayout(config).specs) params.set(s.name, values.get(s.name)!);
  return { config, params };
}

function parseModelJson(modelJson: unknown, where: string): Record<string, unknown> {
  let v = modelJson;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new InputError(`${where}: model.json is not valid JSON (${clip((e as Error).message)})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(`${where}: expected model.json as an object or a JSON string, received ${clip(v)}`);
  }
  return v as Record<string, unknown>;
}

/**
 * Finds a layer's weights in the manifest by path: the last component is the weight's own name
 * (kernel, recurrent_kernel, bias, embeddings), one of the others the owning layer's name
 * (TF.js "lstm_LSTM1/kernel", Keras 3 "sequential/lstm/lstm_cell/kernel"). Keeps what it hands
 * out, so that weights no layer claims can be refused at the end.
 */
function weightClaimer(specs: PlacedWeight[], where: string) {
  const claimed = new Set<PlacedWeight>();
  const path = (s: PlacedWeight) => s.name.replace(/:\d+$/, '').split('/');
  const claim = (owner: KerasLayer, names: string[], kind: string): PlacedWeight => {
    const hits = specs.filter((s) => {
      const p = path(s);
      return s.group !== 'optimizer' && p[p.length - 1] === kind && p.slice(0, -1).some((c) => names.includes(c));
    });
    if (hits.length !== 1) {
      const names = specs.slice(0, 16).map((s) => clip(s.name, 60)).join(', ') + (specs.length > 16 ? ` and ${specs.length - 16} more` : '');
      throw new InputError(`${where}: layer ${layerLabel(owner)}: expected one weight named …${clip(owner.name, 40)}/…/${kind} in the manifest, found ${hits.length} (the manifest holds: ${names || 'none'})`);
    }
    claimed.add(hits[0]!);
    return hits[0]!;
  };
  claim.refuseUnclaimed = (): void => {
    const extra = specs.find((s) => s.group !== 'optimizer' && !claimed.has(s));
    if (extra) throw new InputError(`${where}: weight ${clip(extra.name)} belongs to no layer this import maps`);
  };
  return claim;
}
