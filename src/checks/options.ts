/**
 * Small checks for numeric and boolean options (optimizer, schedule). Each failure is an
 * InputError naming where, the option, what was expected and what was received.
 */
import { InputError } from '../errors.js';

/**
 * A value as an error message shows it, within `max` characters (default 120): NaN and Infinity
 * stay readable, strings are quoted, objects and arrays are walked only as deep and as far as the
 * budget allows (never a recursion on the caller's data, never an unbounded echo), and what is cut
 * says how long it was, e.g. `"aaaa…" (50000000 characters)` or `[1, 2, 3, … 9999997 more]`.
 */
export function show(v: unknown, max = 120): string {
  const out = render(v, max, 4);
  return out.length <= max ? out : `${out.slice(0, Math.max(0, max - 1))}…`;
}

function render(v: unknown, budget: number, depth: number): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'string') {
    const quoted = JSON.stringify(v.length > budget ? v.slice(0, budget) : v);
    return v.length > budget ? `${quoted.slice(0, -1)}…" (${v.length} characters)` : quoted;
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const a = v as unknown as ArrayLike<number>;
    return `${(v as object).constructor.name}(${a.length}) ${render(Array.prototype.slice.call(a, 0, 16), budget, depth)}`;
  }
  if (depth <= 0) return Array.isArray(v) ? `[array of ${v.length}]` : '{…}';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    let used = 2;
    for (let i = 0; i < v.length; i++) {
      if (used > budget) return `[${parts.join(', ')}, … ${v.length - i} more]`;
      const p = render(v[i], budget - used, depth - 1);
      parts.push(p);
      used += p.length + 2;
    }
    return `[${parts.join(', ')}]`;
  }
  const keys = Object.keys(v as object);
  const parts: string[] = [];
  let used = 2;
  for (let i = 0; i < keys.length; i++) {
    if (used > budget) return `{${parts.join(', ')}, … ${keys.length - i} more}`;
    const k = keys[i]!;
    const p = `${render(k, 40, 0)}: ${render((v as Record<string, unknown>)[k], budget - used, depth - 1)}`;
    parts.push(p);
    used += p.length + 2;
  }
  return `{${parts.join(', ')}}`;
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
