/** Command-line parsing: node's parseArgs, with its errors turned into usage errors (exit 2). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse(command: string, argv: string[], options: Options, maxPositionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}`);
  }
  return parsed;
}

/** A flag's value as a non-negative integer, or undefined when absent. */
export function intFlag(command: string, name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${command}: --${name} expects an integer ≥ ${min}, received ${JSON.stringify(v)}`);
  }
  return n;
}

export function backendFlag(command: string, v: unknown): 'cpu' | 'webgpu' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'cpu' && v !== 'webgpu') throw new UsageError(`${command}: --backend expects webgpu or cpu, received ${JSON.stringify(v)}`);
  return v;
}
