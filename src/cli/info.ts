/**
 * `webgpu-lstm info`: what is here, or what a file holds.
 *
 *   info [--json]                                   the backends: a short summary (adapter, fallback,
 *                                                   key limits), or with --json the full description
 *   info --model FILE [--config JSON] [--names a=b,…] [--json]
 *                                                   a model file, checkpoint or plain PyTorch state
 *                                                   dict: config, parameters, shapes, dtypes, count,
 *                                                   and what a checkpoint was trained with
 *
 * `info --model` opens no device: it only reads the file, with the readers that load it.
 */
import { readFile } from 'node:fs/promises';
import type { BackendsDescription } from '../backends.js';
import { InputError, UsageError } from '../errors.js';
import { describeModelFile, formatModelDescription } from '../files/describe.js';
import { parse } from './args.js';
import { MODEL_FLAGS_HELP, MODEL_FLAG_OPTIONS, modelLoadOptions } from './modelFlags.js';

/** The limits that decide what fits, in the order shown. */
const KEY_LIMITS = [
  'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage',
];

function bytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return String(n);
}

/** About ten lines: which backends exist, the adapter and any fallback, the limits that matter. */
export function summarizeBackends(d: BackendsDescription): string[] {
  const w = d.webgpu;
  const lines = [`backends: ${w.available ? 'webgpu (the default), cpu' : 'cpu (the default: no WebGPU here)'}`];
  lines.push(`  cpu     ${d.cpu.description}`);
  if (!w.available) {
    lines.push(`  webgpu  not available: ${w.error ?? 'no adapter'}`);
  } else {
    const a = w.adapter;
    const names = a ? [a.vendor, a.architecture].filter((s) => s).join(' ') : '';
    const details = [names && a && !a.description.includes(names) ? names : '', a?.isFallbackAdapter ? 'software adapter' : ''].filter((s) => s);
    lines.push(`  webgpu  ${a?.description ?? 'unknown adapter'}${details.length ? ` (${details.join(', ')})` : ''}, via ${w.implementation ?? 'WebGPU'}`);
    lines.push(`  fallback: ${w.fallback ?? 'none (the adapter was found as it is)'}`);
    const limits = w.limits ?? {};
    const shown = KEY_LIMITS.filter((k) => typeof limits[k] === 'number')
      .map((k) => `${k} ${k.endsWith('Size') ? bytes(limits[k]!) : limits[k]}`);
    for (let i = 0; i < shown.length; i += 2) lines.push(`  ${i === 0 ? 'limits:' : '       '} ${shown.slice(i, i + 2).join(', ')}`);
    const features = w.features ?? [];
    lines.push(`  features: ${features.length ? `${features.length} (${features.slice(0, 6).join(', ')}${features.length > 6 ? ', …' : ''})` : 'none'}`);
  }
  lines.push('(webgpu-lstm info --json for the full description)');
  return lines;
}

/**
 * The file's bytes (as common.ts's readInputFile, which this does not import: that module loads
 * the engines, and `info --model` needs none of them).
 */
async function readModelBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`model file ${path}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? (e as Error).message})`);
  }
}

export const INFO_USAGE = 'info [--model FILE [--config JSON] [--names a=b,…]] [--json]';

export async function infoCommand(argv: string[]): Promise<void> {
  const { values } = parse('info', argv, { json: { type: 'boolean' }, model: { type: 'string' }, ...MODEL_FLAG_OPTIONS }, 0, INFO_USAGE, `Without --model: the backends and the adapter here. With it: what the file holds (config, tensors, a checkpoint's optimizer state).\n${MODEL_FLAGS_HELP}`);
  const load = modelLoadOptions('info', values);
  if (values.model === undefined) {
    if (load) throw new UsageError('info: --config and --names describe how to read a model file: give --model FILE');
    const { describeBackends } = await import('../backends.js');
    const d = await describeBackends();
    process.stdout.write(values.json ? `${JSON.stringify(d)}\n` : `${summarizeBackends(d).join('\n')}\n`);
    return;
  }
  const path = values.model as string;
  if (path === '') throw new UsageError('info: --model expects a file name');
  const where = `model file ${path}`;
  const d = describeModelFile(await readModelBytes(path), where, load);
  process.stdout.write(values.json ? `${JSON.stringify({ file: path, ...d })}\n` : `${formatModelDescription(d, where).join('\n')}\n`);
}
