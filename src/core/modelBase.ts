/**
 * What both backends' models share: the public calls' checks (inputs checked and copied before any
 * work, the same words on both backends), the order of their work (one SerialQueue per model:
 * steps of any trainer, forwards, reads and saves run in call order, awaited or not), the model's
 * lifetime, and everything built on the backend's few primitives — predict (forward plus the
 * loss's output activation), fit, and the TF.js and ONNX exports.
 */
import type {
  BackendName, FitBatch, FitData, FitHistory, FitOptions, ForwardOptions, ForwardResult, GradResult, Inputs, Model,
  Prediction, PredictOptions, SequenceOptions, Stream, Targets, Trainer, TrainerOptions,
} from '../api.js';
import { InputError } from '../errors.js';
import type { ResolvedConfig } from '../config.js';
import { paramLayout, type ParamLayout } from '../params.js';
import { prepareInputs, prepareTargets, checkParameterMap, shapeOf, sliceInputs, type Precision, type PreparedInputs, type PreparedTargets } from '../checks/tensors.js';
import { checkNumber, plainOptions, POSITIVE_INT, show } from '../checks/options.js';
import { encodeModelFile } from '../files/modelFile.js';
import type { EngineBase } from './engineBase.js';
import { SerialQueue } from './serialQueue.js';
import { activate } from './activation.js';
import { runFit } from './fit.js';

export abstract class ModelBase implements Model {
  abstract readonly backend: BackendName;
  readonly layout: ParamLayout;
  /** The order of this model's work. */
  readonly queue = new SerialQueue();
  private destroyed = false;

  constructor(readonly engine: EngineBase, readonly config: ResolvedConfig, readonly precision: Precision) {
    this.layout = paramLayout(config);
  }

  /** Throws when the model cannot be used: destroyed, or its engine destroyed (or its device lost). */
  assertUsable(where: string): void {
    this.engine.assertUsable(where);
    if (this.destroyed) throw new InputError(`${where}: this model was destroyed (model.destroy())`);
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  // ---- what each backend implements ----

  /** One forward pass of checked inputs. */
  protected abstract runForward(inputs: PreparedInputs, allStates: boolean): Promise<ForwardResult>;
  /** One forward and backward pass of checked inputs and targets. */
  protected abstract runGrad(inputs: PreparedInputs, targets: PreparedTargets): Promise<GradResult>;
  /** The parameters, flat in the layout's order, as float64 (read from the device on webgpu). */
  abstract readParameters(): Promise<Float64Array>;
  /** Writes checked parameters (offset, values) into the model. */
  protected abstract writeParameters(parts: Array<[number, Float64Array]>): Promise<void>;
  protected abstract makeTrainer(opts: TrainerOptions): Trainer;
  protected abstract makeStream(batchSize: number): Stream;
  /** Frees what the backend holds for the model. */
  protected abstract destroyBackend(): void;
  /** describePlan's text for checked (mode, B, T). */
  protected abstract planText(mode: 'train' | 'forward', B: number, T: number): Promise<string>;

  // ---- the public calls ----

  forward(x: Inputs, opts: ForwardOptions = {}): Promise<ForwardResult> {
    return this.call('forward', () => {
      const o = plainOptions('forward', opts, ['states', 'lengths', 'h0', 'c0']);
      if (o.states !== undefined && o.states !== 'final' && o.states !== 'all') {
        throw new InputError(`forward: states must be "final" or "all", received ${show(o.states)}`);
      }
      const inputs = prepareInputs(this.config, 'forward', x, o, this.precision);
      return () => this.runForward(inputs, o.states === 'all');
    });
  }

  grad(x: Inputs, y: Targets, opts: SequenceOptions = {}): Promise<GradResult> {
    return this.call('grad', () => {
      const o = plainOptions('grad', opts, ['lengths', 'h0', 'c0']);
      const inputs = prepareInputs(this.config, 'grad', x, o, this.precision, shapeOf(y));
      const targets = prepareTargets(this.config, 'grad', y, inputs, shapeOf(x)!, this.precision);
      return () => this.runGrad(inputs, targets);
    });
  }

  async predict(x: Inputs, opts: PredictOptions = {}): Promise<Prediction> {
    this.assertUsable('predict');
    const o = plainOptions('predict', opts, ['lengths', 'batchSize']);
    const inputs = prepareInputs(this.config, 'predict', x, o, this.precision);
    const bs = o.batchSize === undefined ? inputs.B : o.batchSize;
    if (!(Number.isSafeInteger(bs) && (bs as number) >= 1)) throw new InputError(`predict: batchSize must be a positive integer, received ${show(o.batchSize)}`);
    const logits = await this.forwardInBatches(inputs, bs as number);
    const C = this.config.outputSize;
    const shape = this.config.outputs === 'all' ? [inputs.B, inputs.T, C] : [inputs.B, C];
    return { data: activate(this.config.loss, logits, C), shape };
  }

  /** Logits of checked inputs, `batchSize` sequences per pass (for predict and fit's metrics). */
  async forwardInBatches(inputs: PreparedInputs, batchSize: number): Promise<Float64Array | Float32Array> {
    if (batchSize >= inputs.B) {
      return (await this.queue.run(() => { this.assertUsable('predict'); return this.runForward(inputs, false); })).logits;
    }
    const C = this.config.outputSize;
    const per = (this.config.outputs === 'all' ? inputs.T : 1) * C;
    const out = this.precision === 'f32' ? new Float32Array(inputs.B * per) : new Float64Array(inputs.B * per);
    for (let b0 = 0; b0 < inputs.B; b0 += batchSize) {
      const part = sliceInputs(this.config, inputs, b0, Math.min(inputs.B, b0 + batchSize));
      const r = await this.queue.run(() => { this.assertUsable('predict'); return this.runForward(part, false); });
      out.set(r.logits, b0 * per);
    }
    return out;
  }

  trainer(opts: TrainerOptions): Trainer {
    this.assertUsable('trainer');
    return this.makeTrainer(opts);
  }

  fit(data: FitData | AsyncIterable<FitBatch> | Iterable<FitBatch>, opts: FitOptions): Promise<FitHistory> {
    return runFit(this, data, opts);
  }

  stream(opts: { batchSize?: number } = {}): Stream {
    this.assertUsable('stream');
    const o = plainOptions('stream', opts, ['batchSize']);
    const B = o.batchSize ?? 1;
    if (!(Number.isSafeInteger(B) && (B as number) >= 1)) throw new InputError(`stream: batchSize must be a positive integer, received ${show(o.batchSize)}`);
    return this.makeStream(B as number);
  }

  getParameters(): Promise<Map<string, Float64Array>> {
    return this.call('getParameters', () => async () => {
      const flat = await this.readParameters();
      const out = new Map<string, Float64Array>();
      for (const s of this.layout.specs) out.set(s.name, flat.slice(s.offset, s.offset + s.size));
      return out;
    });
  }

  setParameters(params: Map<string, ArrayLike<number>>): Promise<void> {
    return this.call('setParameters', () => {
      const parts = checkParameterMap(this.layout, params, 'setParameters', this.precision);
      return () => this.writeParameters(parts);
    });
  }

  save(opts: { dtype?: 'F32' | 'F64' } = {}): Promise<Uint8Array> {
    return this.call('save', () => {
      const o = plainOptions('save', opts, ['dtype']);
      if (o.dtype !== undefined && o.dtype !== 'F32' && o.dtype !== 'F64') throw new InputError(`save: dtype must be "F32" or "F64", received ${show(o.dtype)}`);
      return async () => encodeModelFile(this.config, await this.readParameters(), (o.dtype as 'F32' | 'F64' | undefined) ?? 'F32');
    });
  }

  async toTfjs(opts: { sequenceLength?: number } = {}): Promise<{ modelJson: object; weightData: ArrayBuffer }> {
    const params = await this.getParameters();
    const { exportTfjs } = await import('../interop/tfjs.js');
    return exportTfjs(this.config, params, { ...opts, where: 'toTfjs' });
  }

  async toOnnx(opts: { lengths?: boolean; stateInputs?: boolean; opset?: number } = {}): Promise<Uint8Array> {
    const params = await this.getParameters();
    const { exportOnnx } = await import('../interop/onnx.js');
    return exportOnnx(this.config, params, opts);
  }

  describePlan(opts: { batchSize: number; sequenceLength: number; mode?: 'train' | 'forward' }): Promise<string> {
    const where = 'describePlan';
    return this.call(where, () => {
      const o = plainOptions(where, opts, ['batchSize', 'sequenceLength', 'mode']);
      const B = checkNumber(where, 'batchSize', o.batchSize, POSITIVE_INT);
      const T = checkNumber(where, 'sequenceLength', o.sequenceLength, POSITIVE_INT);
      if (o.mode !== undefined && o.mode !== 'train' && o.mode !== 'forward') throw new InputError(`${where}: mode must be "train" or "forward", received ${show(o.mode)}`);
      const mode = (o.mode as 'train' | 'forward' | undefined) ?? 'train';
      return () => this.planText(mode, B, T);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.engine.release(this);
    this.destroyBackend();
  }

  /**
   * A public call: the model must be usable and `check` runs at once (its throw rejects the call,
   * before any work); the work it returns is queued behind the model's earlier calls.
   */
  protected call<T>(where: string, check: () => () => Promise<T>): Promise<T> {
    let work: () => Promise<T>;
    try {
      this.assertUsable(where);
      work = check();
    } catch (e) {
      return Promise.reject(e);
    }
    return this.queue.run(() => {
      this.assertUsable(where);
      return work();
    });
  }
}
