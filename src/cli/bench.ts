/**
 * `webgpu-lstm bench`: the headless-Chromium benchmark against TensorFlow.js (bench/browser.mjs),
 * run as a child process with the same options. It needs a checkout of the repository: the
 * benchmark, TensorFlow.js (a devDependency) and the browser bundle are not in the npm package.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RuntimeFailure, UsageError } from '../errors.js';
import { intFlag, parse } from './args.js';

/** The benchmark script, from dist/cli/ or src/cli/ alike. */
export const BENCH_SCRIPT = fileURLToPath(new URL('../../bench/browser.mjs', import.meta.url));

/** Checks the command's options and turns them into the script's arguments. */
export function benchArgs(argv: string[]): string[] {
  const { values } = parse('bench', argv, {
    quick: { type: 'boolean' }, only: { type: 'string' }, 'no-scaling': { type: 'boolean' },
    seed: { type: 'string' }, steps: { type: 'string' }, backends: { type: 'string' }, variants: { type: 'string' },
  }, 0, 'bench [--quick] [--only label,label] [--no-scaling] [--seed N] [--steps N] [--backends webgpu,webgl,cpu,wasm,wasm2] [--variants layers,cell]');
  const out: string[] = [];
  if (values.quick) out.push('--quick');
  if (values['no-scaling']) out.push('--no-scaling');
  const only = values.only;
  if (only !== undefined) {
    if (typeof only !== 'string' || only.trim() === '') throw new UsageError(`bench: --only expects configuration labels separated by commas, received ${JSON.stringify(only)}`);
    out.push('--only', only);
  }
  // Their values are checked by the benchmark itself (exit 2 with one line).
  for (const flag of ['backends', 'variants'] as const) {
    const v = values[flag];
    if (v !== undefined) out.push(`--${flag}`, String(v));
  }
  const seed = intFlag('bench', 'seed', values.seed, 0);
  if (seed !== undefined) out.push('--seed', String(seed));
  const steps = intFlag('bench', 'steps', values.steps, 1);
  if (steps !== undefined) out.push('--steps', String(steps));
  return out;
}

export async function benchCommand(argv: string[]): Promise<void> {
  const args = benchArgs(argv);
  if (!existsSync(BENCH_SCRIPT)) {
    throw new RuntimeFailure(`bench: ${BENCH_SCRIPT} is missing: the benchmark runs from a checkout of the repository (npm install, then npm run bench)`);
  }
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_SCRIPT, ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
  if (code === 2) throw new UsageError('bench: the benchmark refused its arguments (see above)');
  if (code !== 0) throw new RuntimeFailure(`bench: the benchmark failed with exit status ${code} (see above)`);
}
