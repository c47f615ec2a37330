#!/usr/bin/env node
// The consumer test: the package as a new user meets it, from the packed tarball in a fresh
// project outside the repository, with the README's "Use it in your app" examples run as written
// (test/consumer/readmeBlocks.mjs extracts them; there is no other copy). CI runs it after `npm test`.
//
//   1. `npm pack` (npm runs the prepare script, i.e. `npm run build`, as `npm publish` would).
//   2. A fresh project (`npm init -y`, "type": "module") installs the tarball alone: the browser-only
//      consumer. Its installed size is bounded (finding 4: Dawn and the task data were forced on
//      every consumer), and none of the Node-only or task-only packages may be there.
//   3. There: no installed file imports a package the consumer lacks (finding 1, on every path);
//      the README's Node example (Node without `webgpu`: the cpu backend, and a note saying
//      so), `npx webgpu-lstm --help | info | train binary-add --steps 50 --json` (finding 1: nothing
//      ran without the dev dependency wgsl_reflect), strict `tsc` on the README's TypeScript with no
//      extra @types (finding 2), `vite build` of the README's Vite app with no warning (finding 3),
//      and in headless Chromium on WebGPU: that app, the plain <script type="module"> page and the
//      module Web Worker, each training a few steps.
//   4. Then `npm install webgpu` (the Node consumer; its size too), and the Node example and the
//      command line again, now on webgpu (Dawn).
//
// One line per check (ok / FAIL), then the sizes; exit status 1 if any check failed.
//
// Usage: node scripts/consumer-test.mjs [--no-build] [--package DIR] [--keep] [--json]
//   --no-build     pack dist/ as it is (npm pack --ignore-scripts) instead of building it first
//   --package DIR  pack DIR instead of this repository (e.g. a copy with a change to try)
//   --keep         keep the temporary projects (their folder is printed)
//   --json         end with one JSON line of the results and sizes
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPages } from '../test/consumer/browserChecks.mjs';
import { bundleSize } from '../test/consumer/bundleSize.mjs';
import { clip } from '../test/consumer/exec.mjs';
import { checkImports } from '../test/consumer/importsCheck.mjs';
import { checkHelp, checkInfo, checkNodeExample, checkTrain } from '../test/consumer/nodeChecks.mjs';
import { NOT_FOR_THE_BROWSER, createProject, install, installedKiB, pack, presentOf, writeProjectFile } from '../test/consumer/project.mjs';
import { CONSUMER_BLOCKS, extractBlocks, requireBlocks } from '../test/consumer/readmeBlocks.mjs';
import { checkTypes, tscVersion } from '../test/consumer/typescriptCheck.mjs';
import { viteBuild } from '../test/consumer/viteBuild.mjs';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const FIXTURES = join(REPO, 'test', 'consumer', 'fixtures');

/** A browser-only consumer's node_modules, at most (KiB): 11.6 MiB today; 143 MiB with `webgpu` a hard dependency again (finding 4). */
const MAX_BROWSER_INSTALL_KIB = 15 * 1024;

const USAGE = 'usage: node scripts/consumer-test.mjs [--no-build] [--package DIR] [--keep] [--json]';

let flags;
try {
  flags = parseArgs({
    options: { 'no-build': { type: 'boolean' }, package: { type: 'string' }, keep: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  }).values;
} catch (err) {
  process.stderr.write(`consumer-test: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const packageDir = resolve(flags.package ?? REPO);
const t0 = performance.now();
const results = [];
const sizes = {};

/** Runs one check: its note on success, one FAIL line otherwise. Returns whether it passed. */
async function check(name, fn, { timed = true } = {}) {
  const t = performance.now();
  try {
    const note = await fn();
    results.push({ name, ok: true, note: note ?? '' });
    const took = timed ? ` (${((performance.now() - t) / 1000).toFixed(1)} s)` : '';
    console.log(`ok   ${name}${note ? ` — ${note}` : ''}${took}`);
    return true;
  } catch (err) {
    const line = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    results.push({ name, ok: false, note: line });
    console.log(`FAIL ${name}: ${line}`);
    return false;
  }
}

const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const tmp = await mkdtemp(join(tmpdir(), 'webgpu-lstm-consumer-'));
const app = join(tmp, 'app');
const cleanup = () => (flags.keep ? Promise.resolve() : rm(tmp, { recursive: true, force: true, maxRetries: 3 }));
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  await main();
} finally {
  await cleanup();
}

async function main() {
  console.log(`consumer test of ${packageDir} in ${tmp}${flags.keep ? ' (kept)' : ''}`);
  let blocks;
  const readme = await check('README.md: the marked examples', async () => {
    const text = await readFile(join(packageDir, 'README.md'), 'utf8');
    blocks = requireBlocks(extractBlocks(text), CONSUMER_BLOCKS);
    return `${blocks.size} blocks`;
  });
  let tarball;
  const packed = readme && await check(`npm pack${flags['no-build'] ? ' (dist/ as it is)' : ' (builds dist/ first)'}`, async () => {
    const p = await pack(packageDir, join(tmp, 'pack'), { build: !flags['no-build'] });
    tarball = p.tarball;
    sizes.tarballBytes = p.size;
    sizes.unpackedBytes = p.unpackedSize;
    return `${p.files.length} files, ${kb(p.size)} packed, ${kb(p.unpackedSize)} unpacked`;
  });
  if (!packed) return finish();

  // 2. The browser-only consumer.
  const installed = await check('npm install <tarball> (a browser-only consumer)', async () => {
    const r = await createProject(app, tarball);
    sizes.browserInstallKiB = await installedKiB(app);
    return `node_modules ${mib(sizes.browserInstallKiB)}, ${r.seconds.toFixed(0)} s${r.warnings.length > 0 ? `; npm warned: ${clip(r.warnings.slice(0, 2).join(' '), 160)}` : ''}`;
  });
  if (!installed) return finish();
  await check('browser-only install: no package that only Node or the example tasks need', async () => {
    const present = presentOf(app, NOT_FOR_THE_BROWSER);
    if (present.length > 0) throw new Error(`the install pulled in ${present.join(', ')} (make them optional peer dependencies)`);
    return `none of ${NOT_FOR_THE_BROWSER.join(', ')}`;
  });
  await check(`browser-only install: node_modules at most ${mib(MAX_BROWSER_INSTALL_KIB)}`, async () => {
    if (sizes.browserInstallKiB > MAX_BROWSER_INSTALL_KIB) throw new Error(`node_modules is ${mib(sizes.browserInstallKiB)}, more than the ${mib(MAX_BROWSER_INSTALL_KIB)} a browser-only consumer may be asked for`);
    return mib(sizes.browserInstallKiB);
  });
  await check('installed JavaScript imports only dependencies and peer dependencies', () => checkImports(join(app, 'node_modules', 'webgpu-lstm')));
  for (const b of blocks.values()) if (!b.prints) await writeProjectFile(app, b.path, b.text);
  await writeProjectFile(app, 'example.ts', blocks.get('example.mjs').text);
  for (const f of ['tsconfig.node.json', 'tsconfig.vite.json']) await copyFile(join(FIXTURES, f), join(app, f));
  await writeProjectFile(app, 'vite-app/index.html', await readFile(join(FIXTURES, 'vite-app', 'index.html'), 'utf8'));
  const prints = blocks.get('example.mjs prints').text;

  // 3. Node without `webgpu`, the command line, types, the bundle, Vite, Chromium.
  await check('node example.mjs (README; no `webgpu` installed: cpu)', () => checkNodeExample(app, prints, 'cpu'));
  await check('npx webgpu-lstm --help', () => checkHelp(app));
  await check('npx webgpu-lstm info (cpu)', () => checkInfo(app, 'cpu'));
  await check('npx webgpu-lstm train binary-add --steps 50 --json (cpu)', () => checkTrain(app, 'cpu'));
  await check(`tsc ${tscVersion()} --strict: README example.ts (NodeNext, no @types)`, () => checkTypes(app, 'tsconfig.node.json'));
  await check(`tsc ${tscVersion()} --strict: README vite-app/src/main.ts (bundler, no @types)`, () => checkTypes(app, 'tsconfig.vite.json'));
  await check('browser bundle size (dist/browser/webgpu-lstm.js)', async () => {
    const s = await bundleSize(join(app, 'node_modules', 'webgpu-lstm', 'dist', 'browser', 'webgpu-lstm.js'));
    Object.assign(sizes, { bundleBytes: s.bytes, bundleGzipBytes: s.gzipBytes, bundleMinBytes: s.minBytes, bundleMinGzipBytes: s.minGzipBytes });
    return `${kb(s.bytes)} (gzip ${kb(s.gzipBytes)}) as shipped, ${kb(s.minBytes)} (gzip ${kb(s.minGzipBytes)}) minified`;
  });
  const built = await check('vite build of the README app (no warnings, no .wgsl assets)', async () => {
    const v = await viteBuild(join(app, 'vite-app'));
    Object.assign(sizes, { viteAppJsBytes: v.jsBytes, viteAppJsGzipBytes: v.jsGzipBytes });
    return `vite ${v.version}, ${v.files.length} files, JS ${kb(v.jsBytes)} (gzip ${kb(v.jsGzipBytes)}), ${v.seconds.toFixed(1)} s`;
  });
  const pages = [
    ...(built ? [{ name: 'Chromium: the Vite app', path: '/vite-app/' }] : []),
    { name: 'Chromium: <script type="module"> (README index.html)', path: '/index.html' },
    { name: 'Chromium: module Web Worker (README worker.html)', path: '/worker.html' },
  ];
  const reported = [];
  await check('Chromium: serve the consumer project, launch, open the pages', async () => {
    await runPages([['/', app], ['/vite-app/', join(app, 'vite-app', 'dist')]], pages, (name, r) => reported.push({ name, ...r }));
    return `${reported.length} pages`;
  });
  for (const r of reported) {
    await check(r.name, async () => {
      if (!r.ok) throw new Error(r.line);
      return r.line;
    }, { timed: false });
  }

  // 4. The Node consumer: `webgpu` (Dawn) too.
  const withDawn = await check('npm install webgpu (a Node consumer)', async () => {
    const r = await install(app, ['webgpu']);
    sizes.nodeInstallKiB = await installedKiB(app);
    return `node_modules ${mib(sizes.nodeInstallKiB)}, ${r.seconds.toFixed(0)} s`;
  });
  if (withDawn) {
    await check('node example.mjs (README; with `webgpu`: webgpu)', () => checkNodeExample(app, prints, 'webgpu'));
    await check('npx webgpu-lstm info (webgpu)', () => checkInfo(app, 'webgpu'));
    await check('npx webgpu-lstm train binary-add --steps 50 --json (webgpu)', () => checkTrain(app, 'webgpu'));
  }
  return finish();
}

function finish() {
  const failed = results.filter((r) => !r.ok);
  const seconds = (performance.now() - t0) / 1000;
  const parts = [
    sizes.browserInstallKiB !== undefined && `browser-only install ${mib(sizes.browserInstallKiB)}`,
    sizes.nodeInstallKiB !== undefined && `with webgpu ${mib(sizes.nodeInstallKiB)}`,
    sizes.bundleMinBytes !== undefined && `bundle ${kb(sizes.bundleMinBytes)} minified, ${kb(sizes.bundleMinGzipBytes)} gzip`,
  ].filter(Boolean);
  console.log(`consumer test: ${results.length - failed.length} of ${results.length} checks passed in ${seconds.toFixed(0)} s${parts.length ? `; ${parts.join('; ')}` : ''}`);
  for (const f of failed) console.log(`FAIL ${f.name}: ${f.note}`);
  if (flags.json) console.log(JSON.stringify({ ok: failed.length === 0, seconds, sizes, results }));
  process.exitCode = failed.length === 0 ? 0 : 1;
}
