/** `webgpu-lstm info`: the backends that exist here, the adapter, its limits and features, and any fallback taken. */
import { describeBackends } from '../backends.js';
import { parse } from './args.js';

export async function infoCommand(argv: string[]): Promise<void> {
  const { values } = parse('info', argv, { json: { type: 'boolean' } }, 0);
  const d = await describeBackends();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(d)}\n`);
    return;
  }
  process.stdout.write(JSON.stringify(d, null, 2) + '\n');
}
