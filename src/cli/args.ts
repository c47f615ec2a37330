/**
 * Command-line parsing: node's parseArgs, with its errors turned into one-line usage errors
 * (exit 2) that name the flag, suggest the nearest known one ("did you mean --steps?") and give
 * the command's usage; `--help` on any command prints its usage (exit 0).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Thrown for `<command> --help`: main prints the text and exits 0. */
export class HelpRequest extends Error {
  override name = 'HelpRequest';
}

/** Edit distance between two short strings (flags). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The known flag nearest to `flag`, when it is a plausible typo (or a prefix). */
export function suggestFlag(flag: string, known: readonly string[]): string | null {
  let best: string | null = null, bestD = Infinity;
  for (const k of known) {
    const dd = k.startsWith(flag) || flag.startsWith(k) ? 0.5 : distance(flag, k);
    if (dd < bestD) { best = k; bestD = dd; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(flag.length / 3)) ? best : null;
}

export function parse(command: string, argv: string[], options: Options, maxPositionals: number, usage: string = `${command} [options]`, details = '') {
  if (argv.includes('--help') || argv.includes('-h')) throw new HelpRequest(`usage: webgpu-lstm ${usage}${details ? `\n\n${details}` : ''}`);
  const known = Object.keys(options);
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0]!;
    if (!known.includes(name)) {
      const near = suggestFlag(name, known);
      throw new UsageError(`${command}: unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}; usage: webgpu-lstm ${usage}`);
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = String((e as Error).message).replace(/\s+/g, ' ').replace(/ To specify an option argument starting with a dash use .*$/, '');
    throw new UsageError(`${command}: ${msg}; usage: webgpu-lstm ${usage}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[maxPositionals])}; usage: webgpu-lstm ${usage}`);
  }
  return parsed;
}

/** A flag's value as a non-negative integer, or undefined when absent. */
export function intFlag(command: string, name: string, v: unknown, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${command}: --${name} expects an integer ≥ ${min}, received ${JSON.stringify(String(v).slice(0, 40))}`);
  }
  return n;
}

/** A flag's value as a finite number in [min, max], or undefined when absent. */
export function numberFlag(command: string, name: string, v: unknown, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${name} expects a number in [${min}, ${max}], received ${JSON.stringify(String(v).slice(0, 40))}`);
  }
  return n;
}

export function backendFlag(command: string, v: unknown): 'cpu' | 'webgpu' | undefined {
  if (v === undefined) return undefined;
  if (v !== 'cpu' && v !== 'webgpu') throw new UsageError(`${command}: --backend expects webgpu or cpu, received ${JSON.stringify(String(v).slice(0, 40))}`);
  return v;
}
