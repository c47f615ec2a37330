/**
 * The public API (DESIGN.md section 7): one engine that owns the device, models that own their
 * parameters, trainers that own their plans and optimizer state. Plain typed arrays with a shape
 * at the edge. The `cpu` backend (float64 reference) and the `webgpu` backend implement the same
 * interfaces.
 */
import type { ModelConfig, ResolvedConfig } from './config.js';
import type { FloatTensor, IntTensor, Tensor } from './tensor.js';
import type { OptimizerOptions } from './reference/optimizerUpdate.js';
import type { ScheduleOptions } from './schedule.js';

export type BackendName = 'cpu' | 'webgpu';

export interface AdapterInfo {
  /** 'cpu (float64 reference)' for the cpu backend; the adapter's description for webgpu. */
  description: string;
  vendor: string;
  architecture: string;
  /** What fallback was taken to find an adapter, if any (e.g. SwiftShader's Vulkan driver). */
  fallback: string | null;
}

export interface CreateModelOptions extends ModelConfig {
  /** Seed of the initial weights; the same seed gives the same weights on every backend. */
  seed?: number;
  /** Added to the LSTM forget-gate bias after initialisation (e.g. 1). */
  forgetBias?: number;
}

export interface TrainerOptions {
  optimizer: OptimizerOptions;
  /** Clip the global gradient norm to this value (PyTorch clip_grad_norm_); none when absent. */
  clipNorm?: number;
  /** Carry the final state of one step into the next as its (detached) initial state. */
  stateful?: boolean;
  /** Learning-rate schedule; constant by default. */
  schedule?: ScheduleOptions;
}

/** Targets: class ids (softmax_ce) as Int32Array, or probabilities (sigmoid_bce) as floats. */
export type Targets = IntTensor | FloatTensor;

export interface InitialState {
  /** [L, B, H] */
  h0?: FloatTensor;
  /** [L, B, H], LSTM only */
  c0?: FloatTensor;
}

export interface StepResult {
  /** Mean loss of the batch (before the update); NaN when not read back. */
  loss: number;
  /** Global gradient norm before clipping, when it was read back. */
  gradNorm?: number;
}

export interface ForwardOptions extends InitialState {
  /** 'all': also return h (and c) of every layer at every step. */
  states?: 'final' | 'all';
}

export interface ForwardResult {
  /** [B, T, C] (outputs 'all') or [B, C] (outputs 'last'); raw logits, before softmax/sigmoid. */
  logits: Float64Array | Float32Array;
  logitsShape: number[];
  /** Final states [L, B, H]. */
  hN: Float64Array | Float32Array;
  cN?: Float64Array | Float32Array;
  /** With states 'all': h of every layer and step, [L, B, T, H] (batch-first like the input). */
  hAll?: Float64Array | Float32Array;
  cAll?: Float64Array | Float32Array;
}

export interface GradResult {
  loss: number;
  logits: Float64Array | Float32Array;
  logitsShape: number[];
  hN: Float64Array | Float32Array;
  cN?: Float64Array | Float32Array;
  /** Gradient of every parameter by its PyTorch name. */
  grads: Map<string, Float64Array | Float32Array>;
  /** Gradients of the initial states, [L, B, H]. */
  dh0: Float64Array | Float32Array;
  dc0?: Float64Array | Float32Array;
}

export interface Trainer {
  readonly options: TrainerOptions;
  /** Steps taken so far. */
  readonly steps: number;
  step(x: FloatTensor, y: Targets, opts?: { readLoss?: boolean } & InitialState): Promise<StepResult>;
  /** Stateful training: the next step starts from the initial state (zeros or learned). */
  resetState(): void;
}

export interface Model {
  readonly config: ResolvedConfig;
  readonly backend: BackendName;
  forward(x: FloatTensor, opts?: ForwardOptions): Promise<ForwardResult>;
  /** One forward and backward pass without an update (the `grad` command). */
  grad(x: FloatTensor, y: Targets, opts?: InitialState): Promise<GradResult>;
  trainer(opts: TrainerOptions): Trainer;
  /** Parameters by PyTorch name, as float64 copies. */
  getParameters(): Promise<Map<string, Float64Array>>;
  setParameters(params: Map<string, ArrayLike<number>>): Promise<void>;
  /** The model file (safetensors, DESIGN.md section 5), F32 unless asked for F64. */
  save(opts?: { dtype?: 'F32' | 'F64' }): Promise<Uint8Array>;
  destroy(): void;
}

export interface Engine {
  readonly backend: BackendName;
  readonly adapterInfo: AdapterInfo;
  createModel(opts: CreateModelOptions): Model;
  loadModel(bytes: Uint8Array, where?: string): Model;
  destroy(): void;
}

export type { Tensor };
