/**
 * Learning-rate schedules, as PyTorch's schedulers define them when stepped once per update.
 * `step` counts updates from 0 (the first update uses step 0, i.e. the base learning rate).
 *
 *   constant: lr = base
 *   cosine:   lr = minLr + (base − minLr)·(1 + cos(π·step/totalSteps))/2
 *             (CosineAnnealingLR, T_max = totalSteps, eta_min = minLr; its closed form, so past
 *             totalSteps it rises again exactly as PyTorch's does)
 *   step:     lr = base·gamma^⌊step/stepSize⌋        (StepLR, gamma 0.1 by default)
 */
import { InputError } from './errors.js';
import { checkNumber, checkObject, NON_NEGATIVE, POSITIVE, POSITIVE_INT, show } from './checks/options.js';

/**
 * A learning-rate schedule, stepped once per update (step 0 is the first update): constant;
 * cosine (CosineAnnealingLR: T_max totalSteps, a positive integer; eta_min minLr, default 0);
 * step (StepLR: lr·gamma^⌊step/stepSize⌋, gamma default 0.1). Other keys are an InputError.
 */
export type ScheduleOptions =
  | { name: 'constant' }
  | { name: 'cosine'; totalSteps: number; minLr?: number }
  | { name: 'step'; stepSize: number; gamma?: number };

/** A schedule with every option explicit. */
export type ResolvedSchedule =
  | { name: 'constant' }
  | { name: 'cosine'; totalSteps: number; minLr: number }
  | { name: 'step'; stepSize: number; gamma: number };

export const SCHEDULE_NAMES = ['constant', 'cosine', 'step'] as const;

const KEYS: Record<ResolvedSchedule['name'], readonly string[]> = {
  constant: ['name'],
  cosine: ['name', 'totalSteps', 'minLr'],
  step: ['name', 'stepSize', 'gamma'],
};

/**
 * Check a schedule and fill in its defaults (minLr 0, gamma 0.1). Absent (undefined) means
 * constant. `where` names the source in errors (e.g. "trainer schedule").
 */
export function resolveSchedule(raw: unknown, where = 'schedule'): ResolvedSchedule {
  if (raw === undefined) return { name: 'constant' };
  const o = checkObject(where, 'a schedule options', raw);
  const name = o.name;
  if (typeof name !== 'string' || !(SCHEDULE_NAMES as readonly string[]).includes(name)) {
    throw new InputError(`${where}: name must be one of ${SCHEDULE_NAMES.map((n) => JSON.stringify(n)).join(', ')}, received ${show(name)}`);
  }
  const keys = KEYS[name as ResolvedSchedule['name']];
  for (const k of Object.keys(o)) {
    if (o[k] !== undefined && !keys.includes(k)) {
      throw new InputError(`${where}: unknown option ${JSON.stringify(k)} for schedule ${JSON.stringify(name)} (its options: ${keys.join(', ')})`);
    }
  }
  switch (name) {
    case 'cosine':
      return {
        name,
        totalSteps: checkNumber(where, 'totalSteps', o.totalSteps, POSITIVE_INT),
        minLr: o.minLr === undefined ? 0 : checkNumber(where, 'minLr', o.minLr, NON_NEGATIVE),
      };
    case 'step':
      return {
        name,
        stepSize: checkNumber(where, 'stepSize', o.stepSize, POSITIVE_INT),
        gamma: o.gamma === undefined ? 0.1 : checkNumber(where, 'gamma', o.gamma, POSITIVE),
      };
    default:
      return { name: 'constant' };
  }
}

/** The learning rate of update number `step` (from 0). Pass a resolved schedule; defaults apply otherwise. */
export function learningRate(base: number, sched: ScheduleOptions | ResolvedSchedule, step: number): number {
  switch (sched.name) {
    case 'constant':
      return base;
    case 'cosine': {
      const minLr = sched.minLr ?? 0;
      // minLr + (base − minLr)·(1 + cos θ)/2, written so that step 0 gives base exactly.
      return base - (base - minLr) * (1 - Math.cos(Math.PI * step / sched.totalSteps)) / 2;
    }
    case 'step':
      return base * Math.pow(sched.gamma ?? 0.1, Math.floor(step / sched.stepSize));
  }
}
