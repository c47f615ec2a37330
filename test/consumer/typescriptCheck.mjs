// Strict TypeScript against the installed package (finding 2: its .d.ts files named GPUDevice and
// friends without carrying @webgpu/types, so `tsc --strict` on the README example failed with 45
// errors unless the consumer installed the types by hand). The consumer project holds the package
// and its dependencies only, no @types; the compiler is the repository's own `typescript` (the
// version pinned there), run on a tsconfig in the consumer project, so it sees only what a consumer
// has. skipLibCheck is off: an error inside the package's declarations counts.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { failureLine, run } from './exec.mjs';

const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/**
 * `tsc -p tsconfig --noEmit --strict` in the consumer project; throws one line with the error count
 * and the first error.
 *
 * @param {string} dir the consumer project
 * @param {string} tsconfig relative to dir
 */
export async function checkTypes(dir, tsconfig) {
  const r = await run(process.execPath, [TSC, '-p', tsconfig, '--noEmit', '--strict', '--pretty', 'false'], { cwd: dir, timeoutMs: 120_000 });
  if (r.code === 0) return `0 errors, ${r.seconds.toFixed(1)} s`;
  const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
  if (errors.length === 0) throw new Error(failureLine(`tsc -p ${tsconfig}`, r));
  throw new Error(`tsc --strict -p ${tsconfig}: ${errors.length} error(s), first: ${errors[0].replace(/^.*node_modules\//, 'node_modules/').slice(0, 240)}`);
}

/** The compiler's version, for the report. */
export function tscVersion() {
  return createRequire(import.meta.url)('typescript/package.json').version;
}
