/**
 * The layer chain of a Keras model config, as TF.js Layers writes it (model.json `modelTopology`:
 * `{class_name, config, keras_version, backend}`) and as tensorflowjs_converter writes it for a
 * Python Keras model (`modelTopology.model_config` holds the same object). Two shapes of config:
 *
 *   Sequential           config.layers (or, Keras ≤ 2.1, config itself) is the list, in order.
 *   Model / Functional   config.layers with inbound_nodes, input_layers, output_layers: accepted
 *                        when they form one linear chain from the single input to the single
 *                        output (every layer reads exactly one tensor, the previous layer's).
 *
 * inbound_nodes come in Keras 2 / TF.js form, [[[layerName, nodeIndex, tensorIndex, kwargs]]], and
 * in Keras 3 form, [{args: [{class_name: "__keras_tensor__", config: {keras_history: [name, …]}}]}].
 */
import { InputError } from '../errors.js';
import { clip, clipName } from './tfjsClip.js';

export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function toLayer(raw: unknown, i: number, where: string): KerasLayer {
  const o = asObject(raw);
  const config = asObject(o?.config);
  if (!o || typeof o.class_name !== 'string' || !config) {
    throw new InputError(`${where}: modelTopology layer ${i} must be {class_name, config}, received ${clip(raw)}`);
  }
  const name = typeof config.name === 'string' ? config.name : typeof o.name === 'string' ? o.name : `#${i}`;
  return { className: o.class_name, name, config };
}

/** The names of the layers a functional layer reads, from either inbound_nodes form. */
function inboundNames(raw: unknown): string[] | null {
  if (!Array.isArray(raw)) return null;
  const names: string[] = [];
  for (const node of raw) {
    if (Array.isArray(node)) {
      for (const t of node) {
        if (!Array.isArray(t) || typeof t[0] !== 'string') return null;
        names.push(t[0]);
      }
    } else {
      const args = asObject(node)?.args;
      if (!Array.isArray(args)) return null;
      for (const a of args) {
        const history = asObject(asObject(a)?.config)?.keras_history;
        if (!Array.isArray(history) || typeof history[0] !== 'string') return null;
        names.push(history[0]);
      }
    }
  }
  return names;
}

function endpointName(raw: unknown, what: string, where: string): string {
  // [[name, 0, 0]] (Keras 2, TF.js) or [name, 0, 0] (Keras 3, a single tensor).
  const list = Array.isArray(raw) && raw.length > 0 && typeof raw[0] === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.length !== 1 || !Array.isArray(list[0]) || typeof list[0][0] !== 'string') {
    throw new InputError(`${where}: expected one ${what} (a linear chain), received ${clip(raw)}`);
  }
  return list[0][0];
}

/** Order the layers of a functional config as one linear chain, or refuse naming the break. */
function linearChain(config: Record<string, unknown>, raws: unknown[], where: string): KerasLayer[] {
  const layers = raws.map((r, i) => toLayer(r, i, where));
  const byName = new Map(layers.map((l) => [l.name, l]));
  const reads = new Map<string, string>();
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const ins = inboundNames(asObject(raws[i])?.inbound_nodes);
    if (ins === null) throw new InputError(`${where}: layer ${layerLabel(l)}: inbound_nodes not understood, received ${clip(asObject(raws[i])?.inbound_nodes)}`);
    if (l.className === 'InputLayer') continue;
    if (ins.length !== 1) {
      throw new InputError(`${where}: layer ${layerLabel(l)} reads ${ins.length} tensors; only a linear chain of layers (each reading the one before) ` +
        `can be imported; the model holds: ${describeLayers(layers)}`);
    }
    reads.set(l.name, ins[0]!);
  }
  const input = endpointName(config.input_layers, 'input layer', where);
  const output = endpointName(config.output_layers, 'output layer', where);
  const readers = new Map<string, string>();
  for (const [reader, read] of reads) {
    if (readers.has(read)) {
      throw new InputError(`${where}: layer ${clip(read)} is read by both ${clip(readers.get(read))} and ${clip(reader)}; only a linear chain of layers ` +
        `can be imported; the model holds: ${describeLayers(layers)}`);
    }
    readers.set(read, reader);
  }
  const chain: KerasLayer[] = [];
  for (let at: string | undefined = input; at !== undefined; at = readers.get(at)) {
    const l = byName.get(at);
    if (!l) throw new InputError(`${where}: the chain names a layer ${clip(at)} that the config does not hold`);
    chain.push(l);
    if (chain.length > layers.length) break;
  }
  if (chain.length !== layers.length || chain[chain.length - 1]!.name !== output) {
    throw new InputError(`${where}: the layers do not form one linear chain from ${clip(input)} to ${clip(output)} ` +
      `(${chain.length} of ${layers.length} layers reached); the model holds: ${describeLayers(layers)}`);
  }
  return chain;
}

/** The topology object of a model.json or of tf.io ModelArtifacts. */
function topologyOf(json: Record<string, unknown>, where: string): Record<string, unknown> {
  const topo = asObject(json.modelTopology);
  if (!topo) throw new InputError(`${where}: expected modelTopology to be a Keras model config object, received ${clip(json.modelTopology)}`);
  return asObject(topo.model_config) ?? topo;
}

/** The layers of the model in the order data flows through them. */
export function modelLayers(json: Record<string, unknown>, where: string): KerasLayer[] {
  const topo = topologyOf(json, where);
  const cls = topo.class_name;
  const config = topo.config;
  if (cls === 'Sequential') {
    const list = Array.isArray(config) ? config : asObject(config)?.layers;
    if (!Array.isArray(list)) throw new InputError(`${where}: a Sequential config must hold a layers array, received ${clip(config)}`);
    return list.map((r, i) => toLayer(r, i, where));
  }
  if (cls === 'Model' || cls === 'Functional') {
    const c = asObject(config);
    if (!c || !Array.isArray(c.layers)) throw new InputError(`${where}: a ${cls} config must hold a layers array, received ${clip(config)}`);
    return linearChain(c, c.layers, where);
  }
  throw new InputError(`${where}: modelTopology class_name must be "Sequential", "Model" or "Functional", received ${clip(cls)}`);
}

/** A layer as a refusal lists it: `name (Class)`, wrappers with their inner class. */
export function layerLabel(l: KerasLayer): string {
  const inner = asObject(l.config.layer);
  const cls = inner && typeof inner.class_name === 'string' ? `${l.className}(${inner.class_name})` : l.className;
  return `${clipName(l.name)} (${clipName(cls)})`;
}

/** "a (LSTM), b (Dense)", at most 12 layers, then how many more. */
export function describeLayers(layers: readonly KerasLayer[]): string {
  const shown = layers.slice(0, 12).map(layerLabel).join(', ');
  return layers.length > 12 ? `${shown} and ${layers.length - 12} more` : shown || 'no layers';
}

/** The inner layer of a wrapper (TimeDistributed, Bidirectional), or null. */
export function innerLayer(l: KerasLayer, where: string): KerasLayer | null {
  if (l.config.layer === undefined) return null;
  return toLayer(l.config.layer, 0, `${where}: layer ${clip(l.name)}`);
}
