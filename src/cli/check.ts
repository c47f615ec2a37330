/**
 * `webgpu-lstm check`: every GPU kernel, through whole passes and training runs on random shapes,
 * against the float64 reference; prints the worst normwise error per tensor and exits 1 past
 * tolerance.
 */
import { CpuEngine } from '../cpu/engine.js';
import { RuntimeFailure } from '../errors.js';
import { runCheck, kernelsOf } from '../check.js';
import { intFlag, parse } from './args.js';
import { openEngine, sayBackend } from './common.js';

export async function checkCommand(argv: string[]): Promise<void> {
  const { values } = parse('check', argv, { seed: { type: 'string' }, cases: { type: 'string' }, json: { type: 'boolean' } }, 0, 'check [--seed N] [--cases N] [--json]');
  const seed = intFlag('check', 'seed', values.seed, 0) ?? 1;
  const cases = intFlag('check', 'cases', values.cases) ?? 4;
  const gpu = await openEngine('webgpu');
  sayBackend('check', gpu, 'webgpu');
  try {
    const rows = await runCheck(gpu, new CpuEngine(), { seed, cases, log: (l) => process.stderr.write(`check: ${l}\n`) });
    // Worst error per (cell, tensor).
    const worst = new Map<string, { error: number; tolerance: number; case: string; kernels: string }>();
    for (const r of rows) {
      const cell = r.case.split(' ')[0]!;
      const key = `${cell} ${r.case.includes(' train ') ? 'train:' : ''}${r.tensor}`;
      const w = worst.get(key);
      if (!w || !(r.error <= w.error)) worst.set(key, { error: r.error, tolerance: r.tolerance, case: r.case, kernels: kernelsOf(cell as never, r.case.includes(' train ') ? 'param' : r.tensor) });
    }
    const failed = [...worst.entries()].filter(([, w]) => !(w.error <= w.tolerance));
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ seed, cases: rows.length, worst: Object.fromEntries(worst), failed: failed.map(([k]) => k) })}\n`);
    } else {
      const width = Math.max(...[...worst.keys()].map((k) => k.length));
      for (const [k, w] of worst) {
        process.stdout.write(`${k.padEnd(width)}  ${w.error.toExponential(2)}  ${w.error <= w.tolerance ? 'ok ' : 'FAIL'} (tol ${w.tolerance})  ${w.kernels}\n`);
      }
      process.stdout.write(`${rows.length} tensors compared, ${failed.length} past tolerance\n`);
    }
    if (failed.length) throw new RuntimeFailure(`check: ${failed.length} tensors past tolerance, worst ${failed.map(([k, w]) => `${k} ${w.error.toExponential(2)} (${w.case})`).join('; ')}`);
  } finally {
    gpu.destroy();
  }
}
