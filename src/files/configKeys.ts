/**
 * The first look at a config object that came from outside (a file's `config` JSON, a caller's
 * `--config`), before resolveConfig sees it: keys and values a message can quote safely.
 *
 * - A key that is not a config key is refused with the known keys; a snake_case spelling of one
 *   (PyTorch's `input_size`) is told that the format is camelCase (`inputSize`).
 * - PyTorch options the format has no place for (dropout, bidirectional, proj_size, bias) are
 *   refused by name, never dropped.
 * - Every value must be a number, a boolean or a short string: no config value is anything else,
 *   and so resolveConfig never has to print a 50 MB string or a value nested 200,000 deep.
 */
import { CONFIG_KEYS } from '../config.js';
import { InputError } from '../errors.js';
import { preview, quote } from '../checks/preview.js';

/** PyTorch options that a foreign config might carry, each refused with its own reason. */
export const FOREIGN_CONFIG_KEYS: Record<string, string> = {
  dropout: 'dropout between layers',
  bidirectional: 'bidirectional layers',
  proj_size: 'projections (proj_size)',
  bias: 'layers without biases (bias=False)',
};

/** No config value is longer (the longest is "softmax_ce"). */
const MAX_VALUE_CHARS = 64;

/** `input_size` → `inputSize`. */
export function camelCase(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Check the keys and the kinds of values of a raw config object; `what` names it in messages
 * (e.g. `config` or `__metadata__ "config"`). Returns the object, unchanged.
 */
export function checkConfigKeys(where: string, raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(`${where}: ${what} expected a config object, received ${preview(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) continue;
    if (Object.prototype.hasOwnProperty.call(FOREIGN_CONFIG_KEYS, key)) {
      throw new InputError(
        `${where}: ${what} key "${key}" (${FOREIGN_CONFIG_KEYS[key]}) is not part of the webgpu-lstm model format, received ${preview(o[key])}`,
      );
    }
    if (!CONFIG_KEYS.includes(key)) {
      const camel = camelCase(key);
      if (camel !== key && CONFIG_KEYS.includes(camel)) {
        throw new InputError(`${where}: ${what} key ${quote(key)} is snake_case: the webgpu-lstm config is camelCase, expected "${camel}"`);
      }
      throw new InputError(`${where}: unknown ${what} key ${quote(key)} (known: ${CONFIG_KEYS.join(', ')})`);
    }
    const v = o[key];
    const ok = typeof v === 'number' || typeof v === 'boolean' || v === undefined ||
      (typeof v === 'string' && v.length <= MAX_VALUE_CHARS);
    if (!ok) {
      throw new InputError(`${where}: ${what} key "${key}" expected a number, a boolean or a short string, received ${preview(v)}`);
    }
  }
  return o;
}
