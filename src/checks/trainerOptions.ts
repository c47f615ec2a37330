/** Validation of trainer() options shared by every backend. */
import type { TrainerOptions } from '../api.js';
import { InputError } from '../errors.js';

const KNOWN = new Set(['optimizer', 'clipNorm', 'stateful', 'schedule']);

export function resolveTrainerOptions(raw: unknown): TrainerOptions {
  if (typeof raw !== 'object' || raw === null) throw new InputError(`trainer: expected an options object, received ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new InputError(`trainer: unknown option ${JSON.stringify(k)} (known: ${[...KNOWN].join(', ')})`);
  }
  if (o.optimizer === undefined) throw new InputError('trainer: expected an optimizer, e.g. { name: "adam", lr: 0.01 }, received none');
  if (o.clipNorm !== undefined && !(typeof o.clipNorm === 'number' && o.clipNorm > 0 && Number.isFinite(o.clipNorm))) {
    throw new InputError(`trainer: clipNorm must be a positive finite number, received ${JSON.stringify(o.clipNorm)}`);
  }
  if (o.stateful !== undefined && typeof o.stateful !== 'boolean') {
    throw new InputError(`trainer: stateful must be a boolean, received ${JSON.stringify(o.stateful)}`);
  }
  return raw as TrainerOptions;
}
