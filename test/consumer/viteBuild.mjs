// A Vite app that imports the package, built as its author would with `vite build`, with no
// config file: index.html (test/consumer/fixtures/vite-app/index.html) and the README's
// src/main.ts. Vite is the repository's dev dependency (pinned); it resolves `webgpu-lstm` from the
// consumer project's node_modules through the package's `browser` export condition.
//
// Every message Vite or Rollup logs at warning level or above fails the build check: that is how
// finding 3 showed ("Module "node:fs/promises" has been externalized for browser compatibility"),
// and so does the chunk-size warning. So does any .wgsl file in the output (the Node shader
// loader's `new URL('…wgsl', import.meta.url)` makes Vite copy the shaders as assets), and a
// JavaScript output over MAX_APP_JS_BYTES (minified), so the WGSL parser cannot come back silently.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The app's JavaScript after `vite build` (minified), at most; about 350 kB today. */
export const MAX_APP_JS_BYTES = 500_000;

/**
 * Builds the app in `appDir` into `appDir/dist` (base './', so it can be served under any prefix).
 *
 * @param {string} appDir
 * @returns {Promise<{ jsBytes: number, jsGzipBytes: number, files: string[], seconds: number, version: string }>}
 */
export async function viteBuild(appDir) {
  const vite = await import('vite');
  const messages = [];
  // Vite's own lines (the file list, "built in …") are dropped; warnings and errors are kept.
  const logger = vite.createLogger('info', { allowClearScreen: false });
  for (const level of ['warn', 'warnOnce', 'error']) {
    logger[level] = (msg) => void messages.push(`${level === 'error' ? 'error' : 'warning'}: ${firstLine(msg)}`);
  }
  logger.info = () => {};
  const t0 = performance.now();
  try {
    await vite.build({
      root: appDir,
      base: './',
      configFile: false,
      envFile: false,
      logLevel: 'info',
      customLogger: logger,
      build: {
        outDir: 'dist',
        emptyOutDir: true,
        rollupOptions: { onwarn: (w) => void messages.push(`warning: ${w.plugin ? `[${w.plugin}] ` : ''}${firstLine(w.message)}`) },
      },
    });
  } catch (err) {
    throw new Error(`vite build: failed: ${firstLine(err instanceof Error ? err.message : err)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const problems = [];
  if (messages.length > 0) problems.push(`${messages.length} warning(s), first: ${messages[0].slice(0, 240)}`);
  const out = join(appDir, 'dist');
  const files = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(out, join(e.parentPath, e.name)));
  const wgsl = files.filter((f) => f.endsWith('.wgsl'));
  if (wgsl.length > 0) problems.push(`copied ${wgsl.length} .wgsl file(s) into the app (${wgsl.slice(0, 2).join(', ')}, …): the browser bundle still points at the shader files`);
  let jsBytes = 0, jsGzipBytes = 0;
  for (const f of files.filter((f) => f.endsWith('.js'))) {
    const body = await readFile(join(out, f));
    jsBytes += body.length;
    jsGzipBytes += gzipSync(body, { level: 9 }).length;
  }
  if (jsBytes > MAX_APP_JS_BYTES) problems.push(`the app's JavaScript is ${(jsBytes / 1000).toFixed(0)} kB minified, more than the ${MAX_APP_JS_BYTES / 1000} kB allowed`);
  if (problems.length > 0) throw new Error(`vite build: ${problems.join('; ')}`);
  return { jsBytes, jsGzipBytes, files, seconds, version: vite.version };
}

/** The first line of a log message, without colours. */
function firstLine(msg) {
  return String(msg).replace(/\x1b\[[0-9;]*m/g, '').replace(/\[plugin [\w:-]+\] /, '').replace(/ See https?:\S+.*$/, '').trim().split('\n')[0];
}
