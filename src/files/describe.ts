/**
 * What `webgpu-lstm info --model FILE` says about a model file, a checkpoint or a plain PyTorch
 * state dict: the config, every parameter (name, name in the file, shape, dtype), the parameter
 * count, and for a checkpoint what it was trained with (optimizer, step, clipping, schedule,
 * stateful, the carried state's shape). The file is read with the same readers that load it, so
 * whatever `info` describes also loads (and a file that would be refused is refused here too).
 */
import { configToJSON, parameterCount, type ModelConfig } from '../config.js';
import { readCheckpoint, optimizerSlots, optimizerToJSON } from './checkpoint.js';
import { readModel, type ModelLoadOptions } from './modelFile.js';
import { parseSafetensors, type DType } from './safetensors.js';

export interface ParameterDescription {
  name: string;
  /** Only where it differs from `name` (a plain PyTorch file read with a prefix map). */
  fileName?: string;
  shape: number[];
  dtype: DType;
  size: number;
}

export interface ModelFileDescription {
  /** `model`: a webgpu-lstm model file; `checkpoint`: one with optimizer state; `pytorch`: a plain state dict. */
  kind: 'model' | 'checkpoint' | 'pytorch';
  config: ModelConfig;
  parameterCount: number;
  parameters: ParameterDescription[];
  checkpoint?: {
    optimizer: Record<string, unknown>;
    step: number;
    clipNorm?: number;
    schedule?: Record<string, unknown>;
    stateful?: boolean;
    /** The optimizer's state slots (e.g. exp_avg, exp_avg_sq) and their dtypes in the file. */
    optimizerState: { slots: string[]; dtypes: string[] };
    /** The carried state of a stateful trainer, [L, B, H]. */
    carried?: { shape: number[]; cell: boolean };
  };
}

/** Describe a model file, a checkpoint or (with `opts`) a plain PyTorch state dict. */
export function describeModelFile(bytes: Uint8Array | ArrayBuffer, where: string, opts?: ModelLoadOptions): ModelFileDescription {
  const contents = parseSafetensors(bytes, where);
  const isCheckpoint = contents.metadata.checkpoint !== undefined && contents.metadata.format === 'webgpu-lstm';
  const ck = isCheckpoint ? readCheckpoint(contents, where) : null;
  const model = ck ? ck.model : readModel(contents, where, opts);
  const d: ModelFileDescription = {
    kind: ck ? 'checkpoint' : model.source === 'pytorch' ? 'pytorch' : 'model',
    config: configToJSON(model.config),
    parameterCount: parameterCount(model.config),
    parameters: model.tensors.map((t) => ({
      name: t.name,
      ...(t.fileName !== t.name ? { fileName: t.fileName } : {}),
      shape: t.shape,
      dtype: t.dtype,
      size: t.shape.reduce((a, b) => a * b, 1),
    })),
  };
  if (ck) {
    d.checkpoint = {
      optimizer: optimizerToJSON(ck.optimizer),
      step: ck.optimizerState.step,
      ...(ck.clipNorm !== undefined ? { clipNorm: ck.clipNorm } : {}),
      ...(ck.schedule !== undefined ? { schedule: { ...ck.schedule } } : {}),
      ...(ck.stateful !== undefined ? { stateful: ck.stateful } : {}),
      optimizerState: { slots: optimizerSlots(ck.optimizer), dtypes: ck.stateDtypes },
      ...(ck.carried ? { carried: { shape: [model.config.numLayers, ck.carried.batchSize, model.config.hiddenSize], cell: ck.carried.c !== undefined } } : {}),
    };
  }
  return d;
}

function options(o: Record<string, unknown>): string {
  const { name, ...rest } = o;
  const parts = Object.entries(rest).map(([k, v]) => `${k} ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`);
  return `${String(name)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** The description as lines for a terminal: a heading, the config, a table of parameters, the training state. */
export function formatModelDescription(d: ModelFileDescription, where: string): string[] {
  const kind = d.kind === 'checkpoint' ? 'webgpu-lstm checkpoint' : d.kind === 'pytorch' ? 'plain PyTorch state dict' : 'webgpu-lstm model file';
  const lines = [`${where}: ${kind}`];
  lines.push(`config: ${Object.entries(d.config).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  lines.push(`parameters: ${d.parameterCount} in ${d.parameters.length} tensors`);
  const label = (p: ParameterDescription): string => (p.fileName ? `${p.name} (file: ${p.fileName})` : p.name);
  const width = Math.max(...d.parameters.map((p) => label(p).length));
  const shapeWidth = Math.max(...d.parameters.map((p) => `[${p.shape.join(', ')}]`.length));
  for (const p of d.parameters) {
    lines.push(`  ${label(p).padEnd(width)}  ${`[${p.shape.join(', ')}]`.padEnd(shapeWidth)}  ${p.dtype.padEnd(4)}  ${p.size}`);
  }
  const c = d.checkpoint;
  if (c) {
    lines.push(`trained with: ${options(c.optimizer)}, step ${c.step}`);
    const extra = [
      c.clipNorm !== undefined ? `clipNorm ${c.clipNorm}` : 'no clipping',
      c.schedule ? `schedule ${options(c.schedule)}` : 'constant learning rate',
      c.stateful ? 'stateful' : 'not stateful',
    ];
    lines.push(`  ${extra.join(', ')}`);
    lines.push(`  optimizer state: ${c.optimizerState.slots.length ? `${c.optimizerState.slots.join(', ')} (${c.optimizerState.dtypes.join(', ')})` : 'none'}`);
    if (c.carried) lines.push(`  carried state: state.h${c.carried.cell ? ', state.c' : ''} [${c.carried.shape.join(', ')}]`);
  }
  return lines;
}
