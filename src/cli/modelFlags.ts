/**
 * The flags that say how to read a model file that is not quite ours (DESIGN.md section 5, plain
 * PyTorch files), shared by every command that reads a model (info, grad, train):
 *
 *   --config '{"loss":"softmax_ce","outputs":"last"}'   config fields the tensors cannot say
 *   --names rnn=lstm,fc=head                            file prefix → our module (=lstm: no prefix)
 *
 * A value that cannot be parsed is a usage error (exit 2); whether it fits the file is for the
 * model reader to say (exit 1, naming the file).
 */
import type { ModelConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { MODULES, type ModelLoadOptions } from '../files/torchState.js';
import { preview, quote } from '../checks/preview.js';
import type { Options } from './args.js';

/** What --help says of the two flags. */
export const MODEL_FLAGS_HELP = [
  'A model file of ours carries its config. A plain PyTorch state_dict (safetensors.torch.save_file) needs:',
  '  --config JSON    the config fields tensors cannot say, e.g. \'{"loss":"softmax_ce","outputs":"last"}\'',
  '                   (also headFrom, headSteps; cell "rnn_relu": an nn.RNN file looks the same for tanh and relu)',
  '  --names a=b,...  your module names onto ours (lstm, gru, rnn, head, embedding), e.g. encoder.rnn=lstm,fc=head;',
  '                   =lstm for a bare nn.LSTM state_dict (no prefix)',
].join('\n');

/** parseArgs options of the two flags, to spread into a command's own. */
export const MODEL_FLAG_OPTIONS = {
  config: { type: 'string' },
  names: { type: 'string' },
} as const satisfies Options;

/** --config: a JSON object (its keys and values are checked by the reader). */
export function parseConfigFlag(command: string, v: unknown): Partial<ModelConfig> | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`${command}: --config expects a JSON object, e.g. '{"loss":"softmax_ce","outputs":"last"}'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new UsageError(`${command}: --config expects a JSON object, e.g. '{"loss":"softmax_ce","outputs":"last"}': ${String((e as Error).message).slice(0, 100)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${command}: --config expects a JSON object, e.g. '{"loss":"softmax_ce","outputs":"last"}', received ${preview(parsed)}`);
  }
  return parsed as Partial<ModelConfig>;
}

/** --names: `prefix=module` pairs separated by commas; an empty prefix (`=lstm`) is a bare state dict. */
export function parseNamesFlag(command: string, v: unknown): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const usage = `--names expects prefix=module pairs separated by commas, e.g. rnn=lstm,fc=head (modules: ${MODULES.join(', ')})`;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`${command}: ${usage}`);
  const out: Record<string, string> = {};
  for (const pair of v.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw new UsageError(`${command}: ${usage}, received ${quote(pair)}`);
    const prefix = pair.slice(0, eq).trim().replace(/\.$/, '');
    const module = pair.slice(eq + 1).trim();
    if (!(MODULES as readonly string[]).includes(module)) {
      throw new UsageError(`${command}: --names maps ${quote(prefix)} to ${quote(module)}, expected one of ${MODULES.join(', ')}`);
    }
    if (Object.prototype.hasOwnProperty.call(out, prefix)) throw new UsageError(`${command}: --names gives the prefix ${quote(prefix)} twice`);
    Object.defineProperty(out, prefix, { value: module, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Both flags as the model reader's options (undefined when neither was given). */
export function modelLoadOptions(command: string, values: { config?: unknown; names?: unknown }): ModelLoadOptions | undefined {
  const config = parseConfigFlag(command, values.config);
  const names = parseNamesFlag(command, values.names);
  if (config === undefined && names === undefined) return undefined;
  return { ...(config ? { config } : {}), ...(names ? { names } : {}) };
}
