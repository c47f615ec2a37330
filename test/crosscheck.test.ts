// Cross-check of `webgpu-lstm grad --backend cpu` against the independent numpy reference in
// tools/crosscheck/ (float64, tolerance 1e-9 normwise per tensor). Needs python3 with numpy;
// without them the tests are skipped, loudly. The CLI runs from dist/, so build first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
const havePython = probe.status === 0;
if (!havePython) {
  console.warn('SKIPPED: python3/numpy not found — tools/crosscheck cannot run (test/crosscheck.test.ts)');
}

function python(args: string[]) {
  const r = spawnSync('python3', args, { cwd: repo, encoding: 'utf8', timeout: 110_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe('crosscheck against the numpy reference', () => {
  it.skipIf(!havePython)('the numpy reference passes its own finite-difference self-test', () => {
    const r = python(['tools/crosscheck/selftest.py', '--cases', '24', '--seed', '1']);
    expect(r.status, r.out).toBe(0);
  });

  it.skipIf(!havePython)('`webgpu-lstm grad --backend cpu` matches the reference on 6 random cases (every version-1 addition drawn: mse, lengths, tokens, rnn_relu, I64)', () => {
    const r = python(['tools/crosscheck/crosscheck.py', '--cases', '6', '--seed', '1', '--backend', 'cpu', '--features', 'v1']);
    expect(r.status, r.out).toBe(0);
  });
});
