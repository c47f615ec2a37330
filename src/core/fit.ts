/**
 * model.fit (DESIGN.md section 7): epochs of shuffled mini-batches over a dataset in memory (or an
 * iterable of batches), with validation, metrics, callbacks, early stopping, truncated BPTT over
 * windows and cancellation, on either backend through the same trainer API.
 *
 *   - The dataset is checked once, whole (the same checks as a step), then held by the backend:
 *     the webgpu backend uploads it once and gathers each batch on the GPU (fitDataset), the cpu
 *     backend slices it.
 *   - The loss is read back every `lossEvery` steps (and at each epoch's last step): a readback
 *     waits for the GPU, so reading every step would stall the pipeline.
 *   - `window: W`: each batch's sequences are cut into windows of W steps, trained in order with
 *     the state carried from one window to the next (detached, as PyTorch's truncated BPTT), and
 *     reset at the next batch.
 *   - Metrics are measured after each epoch with that epoch's final weights, by a forward pass
 *     (on the training data too — not averaged over the epoch's steps as Keras does).
 *   - `signal`: checked before every step; an abort stops after the step in flight (the queue is
 *     drained), so the model is consistent and savable.
 */
import type { FitBatch, FitData, FitEpochInfo, FitHistory, FitMetric, FitOptions, Trainer } from '../api.js';
import { InputError } from '../errors.js';
import { prepareInputs, prepareTargets, type PreparedInputs, type PreparedTargets } from '../checks/tensors.js';
import { checkNumber, show, POSITIVE_INT } from '../checks/options.js';
import { TRAINER_KEYS } from '../checks/trainerOptions.js';
import { Rng } from '../rng.js';
import { metricsOf } from './metrics.js';
import type { ModelBase } from './modelBase.js';
import { plainOptions } from '../checks/options.js';
import { shapeOf, sliceInputs } from '../checks/tensors.js';
import type { TrainerBase } from './trainerBase.js';
import { maybeYield } from './yield.js';

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'seed', 'validation', 'validationSplit', 'metrics', 'window', 'lossEvery', 'patience', 'onStep', 'onEpoch', 'signal', 'trainer'];
const METRICS: readonly FitMetric[] = ['loss', 'accuracy', 'mse', 'mae'];

/** A dataset checked whole: N sequences. */
export interface FitSet {
  inputs: PreparedInputs;
  targets: PreparedTargets;
}

/** What a backend does with a dataset for fit: hold it, and give each step its batch. */
export interface FitDataset {
  /** One step on rows `rows` (dataset indices) and steps [t0, t0 + W) of each. */
  step(trainer: TrainerBase, rows: Int32Array, t0: number, W: number, read: boolean, carry: boolean): Promise<number>;
  destroy(): void;
}

/** The host's way: slice the batch from the copies and step on it (the cpu backend; webgpu when it cannot keep the data). */
export function hostFitDataset(model: ModelBase, set: FitSet): FitDataset {
  return {
    async step(trainer, rows, t0, W, read, carry) {
      const b = gatherBatch(model, set, rows, t0, W);
      return (await trainer.stepPrepared(b.inputs, b.targets, read, carry)).loss;
    },
    destroy() {},
  };
}

/** Rows `rows` and steps [t0, t0 + W) of a checked dataset, as a checked batch. */
export function gatherBatch(model: ModelBase, set: FitSet, rows: Int32Array, t0: number, W: number): FitSet {
  const cfg = model.config;
  const { T } = set.inputs;
  const B = rows.length;
  const I = cfg.inputKind === 'tokens' ? 1 : cfg.inputSize;
  const src = set.inputs.x;
  const x = new (src.constructor as { new (n: number): typeof src })(B * W * I);
  for (let b = 0; b < B; b++) x.set(src.subarray((rows[b]! * T + t0) * I, (rows[b]! * T + t0 + W) * I), b * W * I);
  const lengths = set.inputs.lengths ? Int32Array.from(rows, (r) => set.inputs.lengths![r]!) : null;
  const w = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
  const ys = set.targets.y;
  let y: typeof ys;
  if (cfg.outputs === 'all') {
    y = new (ys.constructor as { new (n: number): typeof ys })(B * W * w);
    for (let b = 0; b < B; b++) y.set(ys.subarray((rows[b]! * T + t0) * w, (rows[b]! * T + t0 + W) * w), b * W * w);
  } else {
    y = new (ys.constructor as { new (n: number): typeof ys })(B * w);
    for (let b = 0; b < B; b++) y.set(ys.subarray(rows[b]! * w, (rows[b]! + 1) * w), b * w);
  }
  return { inputs: { B, T: W, x, lengths, h0: null, c0: null }, targets: { y } };
}

function isFitData(d: unknown): d is FitData {
  return typeof d === 'object' && d !== null && 'x' in d && 'y' in d;
}

function isIterable(d: unknown): d is AsyncIterable<FitBatch> | Iterable<FitBatch> {
  return typeof d === 'object' && d !== null && (Symbol.asyncIterator in d || Symbol.iterator in d);
}

/** Checks a whole dataset { x, y, lengths? } as one batch of N sequences. */
function prepareSet(model: ModelBase, where: string, data: FitData): FitSet {
  const d = plainOptions(where, data, ['x', 'y', 'lengths']);
  const inputs = prepareInputs(model.config, where, d.x, { lengths: d.lengths }, model.precision, shapeOf(d.y));
  const targets = prepareTargets(model.config, where, d.y, inputs, shapeOf(d.x)!, model.precision);
  return { inputs, targets };
}

/** Rows [a, b) of a dataset. */
function sliceSet(model: ModelBase, set: FitSet, a: number, b: number): FitSet {
  const cfg = model.config;
  const w = cfg.loss === 'softmax_ce' ? 1 : cfg.outputSize;
  const per = (cfg.outputs === 'all' ? set.inputs.T : 1) * w;
  return { inputs: sliceInputs(cfg, set.inputs, a, b), targets: { y: set.targets.y.slice(a * per, b * per) } };
}

export async function runFit(model: ModelBase, data: FitData | AsyncIterable<FitBatch> | Iterable<FitBatch>, opts: FitOptions): Promise<FitHistory> {
  const where = 'fit';
  model.assertUsable(where);
  const o = plainOptions(where, opts, [...TRAINER_KEYS.filter((k) => k !== 'resume'), ...FIT_KEYS]);
  const cfg = model.config;
  const epochs = o.epochs === undefined ? 1 : checkNumber(where, 'epochs', o.epochs, POSITIVE_INT);
  const batchSize = o.batchSize === undefined ? 32 : checkNumber(where, 'batchSize', o.batchSize, POSITIVE_INT);
  const lossEvery = o.lossEvery === undefined ? 10 : checkNumber(where, 'lossEvery', o.lossEvery, POSITIVE_INT);
  const seed = o.seed === undefined ? 0 : checkNumber(where, 'seed', o.seed, { min: { value: 0, inclusive: true }, integer: true });
  const patience = o.patience === undefined ? null : checkNumber(where, 'patience', o.patience, POSITIVE_INT);
  const window = o.window === undefined ? null : checkNumber(where, 'window', o.window, POSITIVE_INT);
  if (o.shuffle !== undefined && typeof o.shuffle !== 'boolean') throw new InputError(`${where}: shuffle must be a boolean, received ${show(o.shuffle)}`);
  const shuffle = (o.shuffle as boolean | undefined) ?? true;
  const metrics = (o.metrics ?? []) as FitMetric[];
  if (!Array.isArray(metrics) || metrics.some((m) => !METRICS.includes(m))) {
    throw new InputError(`${where}: metrics must be an array of ${METRICS.map((m) => show(m)).join(', ')}, received ${show(o.metrics)}`);
  }
  if (metrics.includes('accuracy') && cfg.loss === 'mse') throw new InputError(`${where}: metric "accuracy" needs a classification loss, received loss "mse" (use "mse" or "mae")`);
  for (const k of ['onStep', 'onEpoch'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new InputError(`${where}: ${k} must be a function, received ${show(o[k])}`);
  }
  const signal = o.signal as AbortSignal | undefined;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) throw new InputError(`${where}: signal must be an AbortSignal, received ${show(signal)}`);
  if (window !== null && cfg.outputs === 'last') throw new InputError(`${where}: window (truncated BPTT) needs outputs "all": the targets of outputs "last" belong to whole sequences`);
  if (o.validation !== undefined && o.validationSplit !== undefined) throw new InputError(`${where}: give validation or validationSplit, not both`);
  const onStep = o.onStep as FitOptions['onStep'];
  const onEpoch = o.onEpoch as FitOptions['onEpoch'];

  // The trainer: the caller's (its optimizer state continues), or a new one from these options.
  let trainer: TrainerBase;
  if (o.trainer !== undefined) {
    for (const k of TRAINER_KEYS) {
      if (o[k] !== undefined) throw new InputError(`${where}: trainer options (${k}) apply when fit makes its trainer; with a trainer given, leave them out`);
    }
    trainer = o.trainer as TrainerBase;
    if (typeof (trainer as Partial<TrainerBase>).stepPrepared !== 'function' || (trainer as unknown as { model: unknown }).model !== model) {
      throw new InputError(`${where}: trainer must be a trainer of this model (model.trainer(…)), received ${show(o.trainer)}`);
    }
  } else {
    const t: Record<string, unknown> = {};
    for (const k of TRAINER_KEYS) if (o[k] !== undefined) t[k] = o[k];
    if (window !== null && t.stateful === undefined) t.stateful = true;
    trainer = model.trainer(t as never) as TrainerBase;
  }

  const history: FitHistory = { epochs: [], steps: 0, stopped: 'completed', trainer: trainer as Trainer };
  const aborted = () => signal?.aborted === true;
  const wanted = metrics.filter((m) => m !== 'loss');
  let best = Infinity, sinceBest = 0;

  /**
   * The end of an epoch, the same for both kinds of data: metrics on the training set (when it is
   * in memory) and the validation set, the host copy of the weights, onEpoch, early stopping.
   * True when training stops here.
   */
  const endEpoch = async (log: FitEpochInfo, t0: number, train: FitSet | null, val: FitSet | null): Promise<boolean> => {
    const fields = log as unknown as Record<string, number>;
    if (train && wanted.length > 0) {
      const m = await evaluate(model, train, batchSize, wanted);
      for (const k of wanted) fields[k] = m[k]!;
    }
    if (val) {
      const m = await evaluate(model, val, batchSize, wanted);
      log.valLoss = m.loss;
      for (const k of wanted) fields[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = m[k]!;
    }
    await (model as unknown as { keepHostCopy?(steps: number): Promise<void> }).keepHostCopy?.(trainer.steps);
    log.seconds = (performance.now() - t0) / 1000;
    history.epochs.push(log);
    if (onEpoch) await onEpoch(log);
    if (patience === null) return false;
    const monitored = log.valLoss ?? log.loss;
    if (monitored < best) { best = monitored; sinceBest = 0; return false; }
    if (++sinceBest < patience) return false;
    history.stopped = 'early-stopping';
    return true;
  };

  if (isFitData(data)) {
    let train = prepareSet(model, where, data);
    let val: FitSet | null = null;
    if (o.validation !== undefined) {
      if (!isFitData(o.validation)) throw new InputError(`${where}: validation must be { x, y, lengths? }, received ${show(o.validation)}`);
      val = prepareSet(model, `${where} validation`, o.validation);
      if (val.inputs.T !== train.inputs.T && cfg.inputKind === 'features') {
        // Different T is fine (forward takes any T); only the feature size must match, checked above.
      }
    } else if (o.validationSplit !== undefined) {
      const f = checkNumber(where, 'validationSplit', o.validationSplit, { min: { value: 0, inclusive: false }, max: { value: 1, inclusive: false } });
      const N = train.inputs.B, nVal = Math.ceil(N * f);
      if (nVal >= N) throw new InputError(`${where}: validationSplit ${f} leaves no training sequences of ${N}`);
      val = sliceSet(model, train, N - nVal, N);
      train = sliceSet(model, train, 0, N - nVal);
    }
    if (window !== null && train.inputs.lengths) throw new InputError(`${where}: window (truncated BPTT) with lengths is not supported: a window may fall past a sequence's end`);
    const N = train.inputs.B, T = train.inputs.T;
    const W = window === null ? T : Math.min(window, T);
    const dataset = (model as unknown as { fitDataset(set: FitSet): FitDataset }).fitDataset(train);
    const rng = new Rng(seed * 2654435761 + 1);
    try {
      for (let epoch = 1; epoch <= epochs && !aborted(); epoch++) {
        const t0 = performance.now();
        const order = Int32Array.from({ length: N }, (_, i) => i);
        if (shuffle) rng.shuffle(order);
        const losses: number[] = [];
        let stepsThisEpoch = 0;
        const batches = Math.ceil(N / batchSize);
        const windows = Math.ceil(T / W);
        const total = batches * windows;
        for (let bi = 0; bi < batches && !aborted(); bi++) {
          const rows = order.subarray(bi * batchSize, Math.min(N, (bi + 1) * batchSize));
          if (window !== null) trainer.resetCarried();
          for (let wi = 0; wi < windows && !aborted(); wi++) {
            const s0 = wi * W, len = Math.min(W, T - s0);
            stepsThisEpoch++;
            const read = stepsThisEpoch % lossEvery === 0 || stepsThisEpoch === total;
            const loss = await dataset.step(trainer, rows, s0, len, read, window !== null && wi > 0);
            history.steps++;
            if (!Number.isNaN(loss)) losses.push(loss);
            if (onStep) await onStep({ step: history.steps, epoch, loss });
            await maybeYield();
          }
        }
        await model.queue.idle();
        if (await endEpoch({ epoch, loss: mean(losses), steps: stepsThisEpoch, seconds: 0 }, t0, train, val)) break;
      }
    } finally {
      await model.queue.idle();
      dataset.destroy();
    }
  } else if (isIterable(data)) {
    if (o.validationSplit !== undefined) throw new InputError(`${where}: validationSplit needs a dataset in memory { x, y }; with batches from an iterable pass validation`);
    const val = o.validation !== undefined ? prepareSet(model, `${where} validation`, o.validation as FitData) : null;
    for (let epoch = 1; epoch <= epochs && !aborted(); epoch++) {
      const t0 = performance.now();
      const losses: number[] = [];
      let n = 0;
      for await (const batch of data as AsyncIterable<FitBatch>) {
        if (aborted()) break;
        const b = plainOptions(`${where} batch`, batch, ['x', 'y', 'lengths']);
        n++;
        const read = n % lossEvery === 0;
        const r = await trainer.step(b.x as never, b.y as never, { readLoss: read, ...(b.lengths !== undefined ? { lengths: b.lengths as never } : {}) });
        history.steps++;
        if (!Number.isNaN(r.loss)) losses.push(r.loss);
        if (onStep) await onStep({ step: history.steps, epoch, loss: r.loss });
        await maybeYield();
      }
      if (n === 0 && !aborted()) {
        throw new InputError(`${where}: the data source gave no batches in epoch ${epoch}${epoch > 1 ? '; for several epochs pass an iterable that starts over each time it is iterated (not a generator object), or epochs: 1' : ''}`);
      }
      await model.queue.idle();
      if (await endEpoch({ epoch, loss: mean(losses), steps: n, seconds: 0 }, t0, null, val)) break;
    }
  } else {
    throw new InputError(`${where}: expected data { x, y, lengths? } or an iterable of such batches, received ${show(data)}`);
  }
  if (aborted()) history.stopped = 'aborted';
  await model.queue.idle();
  return history;
}

/** The metrics of a dataset under the model's current weights. */
async function evaluate(model: ModelBase, set: FitSet, batchSize: number, metrics: readonly FitMetric[]) {
  const logits = await model.forwardInBatches(set.inputs, Math.max(batchSize, 64));
  return metricsOf(model.config, logits, set.targets.y, set.inputs.B, set.inputs.T, set.inputs.lengths, metrics);
}

function mean(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN;
}
