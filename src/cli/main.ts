/**
 * `webgpu-lstm <command>`: exit 0 on success, 1 on bad input or a failure at run time (one line on
 * stderr, nothing on stdout), 2 on a usage error.
 */
import { InputError, RuntimeFailure, UsageError } from '../errors.js';
import { benchCommand } from './bench.js';
import { checkCommand } from './check.js';
import { gradCommand } from './grad.js';
import { infoCommand } from './info.js';
import { trainCommand } from './train.js';

export const USAGE = `usage: webgpu-lstm <command> [options]

commands:
  train [task] [--backend webgpu|cpu] [--seed N] [--steps N | --epochs N] [--save FILE] [--json]
        tasks: bitpair (default), echo, mnist-rows, binary-add
  grad --model M.safetensors --batch B.safetensors --out O.safetensors [--backend webgpu|cpu]
  check [--seed N] [--cases N] [--json]
                 cross-check every GPU kernel against the CPU reference
  bench          benchmark against TensorFlow.js in headless Chromium
  info           the backends and adapter available here
  help           this text`;

type Command = (argv: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  train: trainCommand,
  grad: gradCommand,
  info: infoCommand,
  check: checkCommand,
  bench: benchCommand,
  help: async () => {
    process.stdout.write(`${USAGE}\n`);
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    await command(rest);
    return 0;
  } catch (e) {
    const err = e as Error;
    const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ');
    if (err instanceof UsageError) {
      process.stderr.write(`webgpu-lstm: ${oneLine(err.message)}\n`);
      return 2;
    }
    if (err instanceof InputError || err instanceof RuntimeFailure) {
      process.stderr.write(`webgpu-lstm: ${oneLine(err.message)}\n`);
      return 1;
    }
    // An unexpected failure: still one line, with the stack when asked for.
    process.stderr.write(`webgpu-lstm: internal error: ${oneLine(err?.message ?? String(e))}\n`);
    if (process.env.WEBGPU_LSTM_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 1;
  }
}
