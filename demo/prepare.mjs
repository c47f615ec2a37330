// Builds what the demo page needs, only where it is missing or older than its sources:
//   - dist/browser/webgpu-lstm.js, the browser bundle (scripts/build-browser.mjs, esbuild);
//   - dist/tasks/data/mnistRows.js, the compiled MNIST selection (tsc -p tsconfig.build.json);
//   - demo/generated/mnist-rows.safetensors, the 2,000-digit sample (demo/mnistSample.mjs).
// `npm run demo` runs this, then demo/server.mjs.
//
// Usage: node demo/prepare.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MNIST_LOADER, MNIST_SAMPLE, writeMnistSample } from './mnistSample.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BUNDLE = join(ROOT, 'dist/browser/webgpu-lstm.js');

/** Newest modification time (ms) of the files under `dirs` (0 if none). */
function newestMtime(dirs) {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) if (existsSync(d)) walk(d);
  return newest;
}

/** Whether `file` is missing or older than anything under `sources`. */
function stale(file, sources) {
  return !existsSync(file) || statSync(file).mtimeMs < newestMtime(sources);
}

function run(what, args, log) {
  log(`demo: ${what}`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  return r.status === 0;
}

/** The browser bundle, rebuilt (esbuild, about a second) when src/ or shaders/ changed since. */
export function ensureBundle(log = console.log) {
  if (!stale(BUNDLE, [join(ROOT, 'src'), join(ROOT, 'shaders')])) return;
  if (!run('building the browser bundle (scripts/build-browser.mjs)', ['scripts/build-browser.mjs'], log) || !existsSync(BUNDLE)) {
    throw new Error(`demo: building ${BUNDLE} failed (see above)`);
  }
}

/** The MNIST sample, regenerated when the selection code changed (tsc first if its output is stale). */
export async function ensureMnistSample(log = console.log) {
  const selection = [join(ROOT, 'src/tasks/data')];
  if (stale(MNIST_LOADER, selection)) {
    // tsc also reports type errors elsewhere in the tree; what matters here is the emitted loader.
    run('compiling src/ (tsc -p tsconfig.build.json) for the MNIST selection', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], log);
    if (!existsSync(MNIST_LOADER)) throw new Error(`demo: tsc did not produce ${MNIST_LOADER}`);
  }
  if (!existsSync(MNIST_SAMPLE) || statSync(MNIST_SAMPLE).mtimeMs < statSync(MNIST_LOADER).mtimeMs) {
    const r = await writeMnistSample();
    log(`demo: wrote ${r.path} (${r.train} train + ${r.test} test digits, ${(r.bytes / 1e6).toFixed(2)} MB)`);
  }
}

export async function prepareDemo(log = console.log) {
  ensureBundle(log);
  await ensureMnistSample(log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await prepareDemo();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
