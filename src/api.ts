/// <reference types="@webgpu/types" preserve="true" />
/**
 * The public API (DESIGN.md section 7): one engine that owns the device, models that own their
 * parameters and plans, trainers that own their optimizer state, streams that own their state.
 * Plain typed arrays with a shape at the edge: user sequences are [batch, time, features],
 * row-major (PyTorch batch_first=True). The `cpu` backend (float64 reference) and the `webgpu`
 * backend implement the same interfaces, say the same errors, and give the same results within
 * float32 tolerance.
 */
import type { ModelConfig, ResolvedConfig } from './config.js';
import type { FloatTensor, IntTensor, Tensor } from './tensor.js';
import type { OptimizerOptions } from './reference/optimizerUpdate.js';
import type { ScheduleOptions } from './schedule.js';

/** The two backends: `cpu` (the float64 reference, plain loops on the host) and `webgpu` (float32 compute shaders). */
export type BackendName = 'cpu' | 'webgpu';

/** What runs the engine, the same fields on both backends. */
export interface AdapterInfo {
  /** 'cpu (float64 reference)' for the cpu backend; the adapter's description for webgpu. */
  description: string;
  /** The adapter's vendor as WebGPU reports it (e.g. 'google' for SwiftShader; often '' in browsers); 'cpu' for the cpu backend. */
  vendor: string;
  /** The adapter's architecture (e.g. 'swiftshader'; may be ''); 'float64' for the cpu backend. */
  architecture: string;
  /** True for a CPU implementation of WebGPU (SwiftShader, lavapipe); false for the cpu backend, which is no WebGPU adapter. */
  isFallbackAdapter: boolean;
  /** What was done to find the adapter (e.g. "SwiftShader Vulkan (VK_ICD_FILENAMES=…)"), or null when nothing was. */
  fallback: string | null;
}

/** `engine.createModel`'s argument: the model's config (README, "API") plus how its initial weights are drawn. */
export interface CreateModelOptions extends ModelConfig {
  /** Seed of the initial weights; the same seed gives the same weights on every backend. Default 0. */
  seed?: number;
  /** Added to the LSTM forget-gate bias after initialisation (e.g. 1); LSTM only, finite. Default 0. */
  forgetBias?: number;
}

/** What a plain PyTorch state_dict cannot say, and how its module names map to ours (README, "Files"). */
export interface LoadModelOptions {
  /** Names the file in error messages (default "model file"). */
  where?: string;
  /** Config fields the tensors cannot tell: loss, outputs (and headFrom, headSteps, cell 'rnn_relu'). */
  config?: Partial<ModelConfig>;
  /** File module prefix → ours (lstm, gru, rnn, head, embedding), e.g. { rnn: 'lstm', fc: 'head' }. */
  names?: Record<string, string>;
}

/**
 * `model.trainer`'s argument: the optimizer, clipping, schedule and statefulness of one trainer,
 * checked when the trainer is made (InputError naming the option).
 */
export interface TrainerOptions {
  /** The optimizer and its options, PyTorch's definitions and defaults (e.g. { name: 'adam', lr: 1e-3 }). */
  optimizer: OptimizerOptions;
  /** Clip the global gradient norm to this value (PyTorch clip_grad_norm_); none when absent. */
  clipNorm?: number;
  /** Carry the final state of one step into the next as its (detached) initial state. */
  stateful?: boolean;
  /** Learning-rate schedule, stepped once per update; constant by default. */
  schedule?: ScheduleOptions;
  /**
   * A checkpoint from `trainer.save()`: restores the model's parameters, the optimizer state, the
   * step count (and so the schedule's position) and a stateful trainer's carried state. Its
   * optimizer, clipping, schedule and model must match these options and this model.
   */
  resume?: Uint8Array | ArrayBuffer;
}

/** Inputs: floats [B, T, I] (Float32Array/Float64Array), or token ids [B, T] (Int32Array) for inputKind 'tokens'. */
export type Inputs = FloatTensor | IntTensor;

/** Targets: class ids (softmax_ce) as Int32Array, probabilities (sigmoid_bce) or real values (mse) as floats. */
export type Targets = IntTensor | FloatTensor;

/** A pass's initial state, floats [L, B, H] (layers, batch, hidden units); zeros (or the learned init.h0/init.c0) when absent. */
export interface InitialState {
  /** Initial hidden state, [L, B, H]. */
  h0?: FloatTensor;
  /** Initial cell state, [L, B, H]; LSTM only. */
  c0?: FloatTensor;
}

/** Options of a pass over whole sequences: the initial state and per-row lengths. */
export interface SequenceOptions extends InitialState {
  /**
   * Per-sequence lengths, Int32Array [B], each in [1, T]: PyTorch's packed sequences
   * (pack_padded_sequence, enforce_sorted=False). Row b runs steps t < lengths[b]; its final state
   * is taken at lengths[b] − 1; outputs 'last' read there; padded steps carry no loss.
   */
  lengths?: IntTensor;
}

/**
 * `trainer.step`'s options. Explicit h0/c0 take precedence over a stateful trainer's carried state;
 * without them a stateful trainer refuses (InputError) a batch size other than the carried one.
 */
export interface StepOptions extends SequenceOptions {
  /** Wait for the loss (default true). With false the step is queued and `loss` is NaN. */
  readLoss?: boolean;
}

/** What `trainer.step` resolves with. */
export interface StepResult {
  /** Mean loss of the batch (before the update); NaN when not read back. */
  loss: number;
  /** Global gradient norm before clipping, when it was read back. */
  gradNorm?: number;
}

/** `model.forward`'s options. */
export interface ForwardOptions extends SequenceOptions {
  /** 'all': also return h (and c) of every layer at every step (zeros at padded steps). */
  states?: 'final' | 'all';
}

/** A float buffer of results (forward, grad, predict, stream): Float64Array on the cpu backend, Float32Array on webgpu. Row-major. */
export type FloatArray = Float64Array | Float32Array;

/** What `model.forward` resolves with; every array is row-major with the shape given. */
export interface ForwardResult {
  /** [B, T, C] (outputs 'all') or [B, C] (outputs 'last'); raw logits, before softmax/sigmoid. */
  logits: FloatArray;
  /** The shape of `logits`: [B, T, C] or [B, C]. */
  logitsShape: number[];
  /** Final states [L, B, H] (at lengths[b] − 1 with lengths). */
  hN: FloatArray;
  /** Final cell states [L, B, H], as hN; LSTM only. */
  cN?: FloatArray;
  /** With states 'all': h of every layer and step, [L, B, T, H] (batch-first like the input). */
  hAll?: FloatArray;
  /** With states 'all', LSTM only: c of every layer and step, [L, B, T, H]. */
  cAll?: FloatArray;
}

/**
 * What `model.grad` resolves with: the loss and every gradient of one forward and backward pass,
 * without an update (what the `grad` command writes). Gradients are of the mean loss.
 */
export interface GradResult {
  /** Mean loss of the batch over its valid positions (elements, for sigmoid_bce and mse), as `trainer.step` reports it. */
  loss: number;
  /** Raw logits, as `ForwardResult.logits`: [B, T, C] or [B, C]. */
  logits: FloatArray;
  /** The shape of `logits`. */
  logitsShape: number[];
  /** Final states [L, B, H] (at lengths[b] − 1 with lengths). */
  hN: FloatArray;
  /** Final cell states [L, B, H]; LSTM only. */
  cN?: FloatArray;
  /** Gradient of every parameter by its PyTorch name. */
  grads: Map<string, FloatArray>;
  /** Gradients of the initial states, [L, B, H]. */
  dh0: FloatArray;
  /** Gradient of the initial cell state, [L, B, H]; LSTM only. */
  dc0?: FloatArray;
}

/** `model.predict`'s options. */
export interface PredictOptions {
  /** Per-sequence lengths [B], as in `forward`. */
  lengths?: IntTensor;
  /** Sequences per forward pass (default: all at once). */
  batchSize?: number;
}

/** A tensor of predictions: probabilities (softmax_ce: softmax over C; sigmoid_bce: sigmoid) or the raw values (mse). */
export type Prediction = Tensor<FloatArray>;

/**
 * Trains one model with an optimizer state of its own (from `model.trainer`). Every call fails
 * with an InputError after `destroy()` or once its model or engine is destroyed (on webgpu after a
 * lost device, with a RuntimeFailure).
 */
export interface Trainer {
  /** The options it was made with, as given (defaults not filled in), less `resume`. */
  readonly options: TrainerOptions;
  /** Steps taken so far (including those of a resumed checkpoint). */
  readonly steps: number;
  /**
   * One training step: forward, backpropagation through time, clipping and the optimizer update.
   * Calls run in the order they are made, each applied exactly once, also when not awaited.
   */
  step(x: Inputs, y: Targets, opts?: StepOptions): Promise<StepResult>;
  /** Stateful training: the next step starts from the initial state (zeros or learned). */
  resetState(): void;
  /** A checkpoint: the model file plus the optimizer state and step count (README, "Files"). */
  save(opts?: { dtype?: 'F32' | 'F64' }): Promise<Uint8Array>;
  /** Frees what the trainer owns (optimizer state, carried state, readback buffers). */
  destroy(): void;
}

/** The whole dataset in memory: x [N, T, I] floats or [N, T] token ids, y as for `step`, optional lengths [N]. */
export interface FitData {
  /** Inputs: floats [N, T, I], or token ids [N, T] (Int32Array) for inputKind 'tokens'. */
  x: Inputs;
  /** Targets: class ids [N, T] or [N] (softmax_ce), else floats [N, T, C] or [N, C] (README, "Tensor layout"). */
  y: Targets;
  /** Per-sequence lengths, Int32Array [N], each in [1, T]; steps t ≥ lengths[n] are padding. */
  lengths?: IntTensor;
}

/** One batch of an iterable data source. */
export interface FitBatch extends FitData {}

/**
 * A metric `fit` reports per epoch, over valid positions: 'loss' (always); 'accuracy' (softmax_ce:
 * argmax equals the class; sigmoid_bce: σ(z) > ½ equals y > ½, per element); 'mse' and 'mae' of
 * the predictions (probabilities, or the raw values for mse) against the targets (one-hot for
 * softmax_ce).
 */
export type FitMetric = 'loss' | 'accuracy' | 'mse' | 'mae';

/** What `onStep` receives after each of fit's steps. */
export interface FitStepInfo {
  /** Steps taken in this fit, from 1. */
  step: number;
  /** The epoch the step belongs to, from 1. */
  epoch: number;
  /** The step's loss when it was read back (every `lossEvery` steps), else NaN. */
  loss: number;
}

/**
 * What `onEpoch` receives and `FitHistory.epochs` holds, one per epoch. The metrics are measured
 * after the epoch with its final weights, by a forward pass (not averaged over its steps); those on
 * the training data only when it is in memory.
 */
export interface FitEpochInfo {
  /** The epoch, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's read-back steps. */
  loss: number;
  /** Steps taken in this epoch (batches × windows). */
  steps: number;
  /** Wall-clock seconds of the epoch, its metrics included. */
  seconds: number;
  /** Loss on the validation data; with `validation` or `validationSplit` only. */
  valLoss?: number;
  /** Accuracy on the training data, in [0, 1]; with metrics 'accuracy'. */
  accuracy?: number;
  /** Accuracy on the validation data, in [0, 1]; with metrics 'accuracy' and validation. */
  valAccuracy?: number;
  /** Mean squared error on the training data; with metrics 'mse'. */
  mse?: number;
  /** Mean squared error on the validation data; with metrics 'mse' and validation. */
  valMse?: number;
  /** Mean absolute error on the training data; with metrics 'mae'. */
  mae?: number;
  /** Mean absolute error on the validation data; with metrics 'mae' and validation. */
  valMae?: number;
}

/** `model.fit`'s options: a trainer's (less `resume`) plus the loop's; each checked, InputError naming it. */
export interface FitOptions extends Omit<TrainerOptions, 'resume'> {
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Sequences per step (default 32; the last batch of an epoch may be smaller). */
  batchSize?: number;
  /** Shuffle the sequences every epoch with a seeded generator (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling and of validationSplit's draw (default 0). */
  seed?: number;
  /** Held-out data scored after every epoch. */
  validation?: FitData;
  /** Or: hold out this fraction of the data (the last sequences, before shuffling). */
  validationSplit?: number;
  /** Metrics computed on the training data's epoch and the validation data ('loss' always). */
  metrics?: FitMetric[];
  /** Truncated BPTT: split each batch's sequences into windows of this many steps, state carried between windows. */
  window?: number;
  /** Read the loss back every this many steps (default 10); a readback waits for the GPU. */
  lossEvery?: number;
  /** Stop when the validation loss (else the training loss) has not improved for this many epochs. */
  patience?: number;
  /** Called after every step; a returned promise is awaited before the next step (how a page pauses training). */
  onStep?: (info: FitStepInfo) => void | Promise<void>;
  /** Called after every epoch, its metrics measured; a returned promise is awaited. */
  onEpoch?: (info: FitEpochInfo) => void | Promise<void>;
  /** Stops after the step in flight; the model stays consistent and savable. */
  signal?: AbortSignal;
  /** Train with this trainer (its optimizer state continues) instead of a new one made from these options. */
  trainer?: Trainer;
}

/** What `model.fit` resolves with. */
export interface FitHistory {
  /** One entry per epoch that ran, in order. */
  epochs: FitEpochInfo[];
  /** Steps taken in all (over every epoch). */
  steps: number;
  /** Why it ended. */
  stopped: 'completed' | 'aborted' | 'early-stopping';
  /** The trainer that ran (to continue, or to save a checkpoint). */
  trainer: Trainer;
}

/** One timestep at a time, h and c kept on the device between calls (inference). */
export interface Stream {
  /** B, the rows each step takes (from `model.stream({ batchSize })`, default 1). */
  readonly batchSize: number;
  /** Steps taken since the last reset. */
  readonly steps: number;
  /**
   * One timestep: xt [B, I] floats, or [B] token ids. Returns that step's predictions [B, C]
   * (probabilities, or raw values for mse) and logits. With outputs 'last' and headSteps k, the
   * head reads the last k steps: the first k − 1 calls after a reset return NaN outputs.
   */
  step(xt: Inputs): Promise<{ output: Prediction; logits: Prediction }>;
  /** Back to the model's initial state (zeros or learned). */
  reset(): void;
  /** The current state [L, B, H]. */
  getState(): Promise<{ h: FloatArray; c?: FloatArray }>;
  /** Sets the state [L, B, H] (c for LSTM). */
  setState(state: InitialState): Promise<void>;
  /** Frees the stream's state; later calls fail with an InputError. */
  destroy(): void;
}

/**
 * A network with its parameters, on one engine's backend. Calls run in the order they are made,
 * awaited or not. After `destroy()` (or the engine's) every call fails with an InputError; on
 * webgpu after a lost device, with a RuntimeFailure, except `save`, which still returns the last
 * good weights (README, "API").
 */
export interface Model {
  /** The config with every optional field explicit. */
  readonly config: ResolvedConfig;
  /** The backend it runs on. */
  readonly backend: BackendName;
  /** The raw outputs of the network on x; with lengths, PyTorch's packed-sequence semantics. */
  forward(x: Inputs, opts?: ForwardOptions): Promise<ForwardResult>;
  /** Probabilities (softmax or sigmoid applied; the raw values for mse), the shape of the logits. */
  predict(x: Inputs, opts?: PredictOptions): Promise<Prediction>;
  /** One forward and backward pass without an update (the `grad` command). */
  grad(x: Inputs, y: Targets, opts?: SequenceOptions): Promise<GradResult>;
  /** A trainer that owns its optimizer state; several may exist, each with its own. */
  trainer(opts: TrainerOptions): Trainer;
  /** Trains on a dataset in memory (uploaded once) or an (async) iterable of batches. */
  fit(data: FitData | AsyncIterable<FitBatch> | Iterable<FitBatch>, opts: FitOptions): Promise<FitHistory>;
  /** Streaming inference, one timestep per call. */
  stream(opts?: { batchSize?: number }): Stream;
  /** Parameters by PyTorch name, as float64 copies. */
  getParameters(): Promise<Map<string, Float64Array>>;
  /**
   * Overwrites parameters by PyTorch name, flat row-major values of the shapes `getParameters`
   * returns; names left out keep their values. The map is checked whole first (InputError for an
   * unknown name, a wrong length, a non-finite value, or one beyond float32 on webgpu), so a
   * refused call changes nothing.
   */
  setParameters(params: Map<string, ArrayLike<number>>): Promise<void>;
  /** The model file (safetensors with PyTorch names; README, "Files"), F32 unless asked for F64. */
  save(opts?: { dtype?: 'F32' | 'F64' }): Promise<Uint8Array>;
  /**
   * A TensorFlow.js Layers model (model.json and weights) that tf.loadLayersModel loads. Refused by
   * name: GRU (TF.js 4.22 cannot build PyTorch's reset_after GRU), headFrom "ch", a learned initial
   * state; headSteps > 1 needs `sequenceLength` (the model is built for that T).
   */
  toTfjs(opts?: { sequenceLength?: number }): Promise<{ modelJson: object; weightData: ArrayBuffer }>;
  /**
   * An ONNX model for inference (standard LSTM/GRU/RNN operators, default opset 14; inputs `x`,
   * optional `lengths` [B] and `h0`/`c0` [L, B, H]; outputs `logits`, `output`, `h_n`, `c_n`).
   */
  toOnnx(opts?: { lengths?: boolean; stateInputs?: boolean; opset?: number }): Promise<Uint8Array>;
  /**
   * What a pass of batch `batchSize` and length `sequenceLength` runs. On webgpu: which kernel
   * variant and why (the tuner's timings, or the rule that decided; "provisional" while the
   * candidates are still being timed in the background), then every dispatch with its kernel and
   * grid. On cpu: a line saying passes run on the host in float64.
   */
  describePlan(opts: { batchSize: number; sequenceLength: number; mode?: 'train' | 'forward' }): Promise<string>;
  /** Frees what the model owns (parameters, plans); later calls fail with a clear error. */
  destroy(): void;
}

/**
 * Owns the device (webgpu) and every model made on it; from `createEngine`. After `destroy()`
 * every call on it or its models fails with an InputError.
 */
export interface Engine {
  /** The backend its models run on. */
  readonly backend: BackendName;
  /** What runs it: the WebGPU adapter, or the cpu backend's description. */
  readonly adapterInfo: AdapterInfo;
  /**
   * A new model with seeded initial weights (the same seed gives the same weights on every
   * backend). Throws InputError, before any work, for a bad config field (naming it), a seed outside
   * [0, 2^32 − 1], forgetBias not finite or on a cell other than lstm, or more parameters than the
   * backend holds (saying its limit and why).
   */
  createModel(opts: CreateModelOptions): Model;
  /** A model file, a checkpoint or a plain PyTorch state_dict (safetensors), or TF.js artifacts. */
  loadModel(source: Uint8Array | ArrayBuffer | { modelJson: object | string; weightData: ArrayBuffer | Uint8Array }, opts?: LoadModelOptions | string): Model;
  /** Frees every buffer the engine made (and its device, when it made it). */
  destroy(): void;
}

export type { Tensor, FloatTensor, IntTensor, OptimizerOptions, ScheduleOptions };
