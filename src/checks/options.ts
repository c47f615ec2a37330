/**
 * Small checks for numeric and boolean options (optimizer, schedule). Each failure is an
 * InputError naming where, the option, what was expected and what was received.
 */
import { InputError } from '../errors.js';
import { preview } from './preview.js';

/**
 * A value as an error message shows it, within `max` characters: NaN and Infinity stay readable,
 * strings are quoted, and deep, wide or huge values are cut (preview.ts: never a recursion on the
 * caller's data, never an unbounded echo).
 */
export function show(v: unknown, max = 120): string {
  return preview(v, max);
}

/** An interval bound: the value, and whether the bound itself is allowed. */
export interface Bound { value: number; inclusive: boolean }

export interface NumberRule {
  min?: Bound;
  max?: Bound;
  integer?: boolean;
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const { min, max } = rule;
  if (min && max) return `${kind} in ${min.inclusive ? '[' : '('}${min.value}, ${max.value}${max.inclusive ? ']' : ')'}`;
  if (min) return `${kind} ${min.inclusive ? '≥' : '>'} ${min.value}`;
  if (max) return `${kind} ${max.inclusive ? '≤' : '<'} ${max.value}`;
  return kind;
}

/** `v` as a number obeying `rule`, or an InputError "where: name must be …, received …". */
export function checkNumber(where: string, name: string, v: unknown, rule: NumberRule): number {
  const ok =
    typeof v === 'number' && Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (!rule.min || (rule.min.inclusive ? v >= rule.min.value : v > rule.min.value)) &&
    (!rule.max || (rule.max.inclusive ? v <= rule.max.value : v < rule.max.value));
  if (!ok) throw new InputError(`${where}: ${name} must be ${describeRule(rule)}, received ${show(v)}`);
  return v as number;
}

export function checkBoolean(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InputError(`${where}: ${name} must be a boolean, received ${show(v)}`);
  return v;
}

/** A plain options object (not null, not an array), as a record of its keys. */
export function checkObject(where: string, what: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(`${where}: expected ${what} object, received ${show(v)}`);
  }
  return v as Record<string, unknown>;
}

export const POSITIVE: NumberRule = { min: { value: 0, inclusive: false } };
export const NON_NEGATIVE: NumberRule = { min: { value: 0, inclusive: true } };
/** [0, 1): decay rates and momentum. */
export const UNIT_OPEN: NumberRule = { min: { value: 0, inclusive: true }, max: { value: 1, inclusive: false } };
export const POSITIVE_INT: NumberRule = { min: { value: 1, inclusive: true }, integer: true };

/** A plain options object (or undefined), with only the keys a call knows. */
export function plainOptions(where: string, opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new InputError(`${where}: expected an options object, received ${show(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new InputError(`${where}: unknown option ${show(k)} (known: ${known.join(', ')})`);
  }
  return opts as Record<string, unknown>;
}
