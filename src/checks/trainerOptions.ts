/** Validation of trainer() options, shared by every backend (and by fit, which takes the same ones). */
import type { TrainerOptions } from '../api.js';
import { InputError } from '../errors.js';
import { resolveOptimizer, type ResolvedOptimizer } from '../reference/optimizerUpdate.js';
import { resolveSchedule, type ResolvedSchedule } from '../schedule.js';
import { checkObject, show } from './options.js';

export const TRAINER_KEYS: readonly string[] = ['optimizer', 'clipNorm', 'stateful', 'schedule', 'resume'];

/** Trainer options with every default explicit. */
export interface ResolvedTrainerOptions {
  optimizer: ResolvedOptimizer;
  /** null: no clipping. */
  clipNorm: number | null;
  stateful: boolean;
  schedule: ResolvedSchedule;
  /** A checkpoint to resume from (bytes), or null. */
  resume: Uint8Array | null;
}

/** Checks trainer options; `allowExtra` lists keys another caller (fit) handles itself. */
export function resolveTrainerOptions(raw: unknown, where = 'trainer', allowExtra: readonly string[] = []): ResolvedTrainerOptions {
  const o = checkObject(where, 'a trainer options', raw);
  for (const k of Object.keys(o)) {
    if (!TRAINER_KEYS.includes(k) && !allowExtra.includes(k)) {
      throw new InputError(`${where}: unknown option ${show(k)} (known: ${[...TRAINER_KEYS, ...allowExtra].join(', ')})`);
    }
  }
  if (o.optimizer === undefined) throw new InputError(`${where}: expected an optimizer, e.g. { name: "adam", lr: 0.01 }, received none`);
  if (o.clipNorm !== undefined && !(typeof o.clipNorm === 'number' && o.clipNorm > 0 && Number.isFinite(o.clipNorm))) {
    throw new InputError(`${where}: clipNorm must be a positive finite number, received ${show(o.clipNorm)}`);
  }
  if (o.stateful !== undefined && typeof o.stateful !== 'boolean') {
    throw new InputError(`${where}: stateful must be a boolean, received ${show(o.stateful)}`);
  }
  let resume: Uint8Array | null = null;
  if (o.resume !== undefined) {
    if (o.resume instanceof Uint8Array) resume = o.resume;
    else if (o.resume instanceof ArrayBuffer) resume = new Uint8Array(o.resume);
    else throw new InputError(`${where}: resume must be the bytes of a checkpoint (Uint8Array or ArrayBuffer from trainer.save()), received ${show(o.resume)}`);
  }
  return {
    optimizer: resolveOptimizer(o.optimizer, `${where} optimizer`),
    clipNorm: (o.clipNorm as number | undefined) ?? null,
    stateful: (o.stateful as boolean | undefined) ?? false,
    schedule: resolveSchedule(o.schedule, `${where} schedule`),
    resume,
  };
}

/** The options as the public `trainer.options` shows them. */
export function publicTrainerOptions(raw: TrainerOptions): TrainerOptions {
  const { resume: _resume, ...rest } = raw;
  return rest;
}
