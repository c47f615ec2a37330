// The size of the browser bundle a consumer downloads, as shipped (dist/browser/webgpu-lstm.js) and
// minified (esbuild, the repository's dev dependency, as an app's bundler would), each also gzipped
// (level 9, what a server's compression gives at best). Reported, not bounded: the Vite app's
// bound (viteBuild.mjs) is the one a consumer feels.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/**
 * @param {string} file the bundle
 * @returns {Promise<{ bytes: number, gzipBytes: number, minBytes: number, minGzipBytes: number }>}
 */
export async function bundleSize(file) {
  const { transform } = await import('esbuild');
  const source = await readFile(file, 'utf8');
  const min = (await transform(source, { minify: true, format: 'esm', target: 'es2022', legalComments: 'none' })).code;
  const gz = (s) => gzipSync(Buffer.from(s), { level: 9 }).length;
  return { bytes: Buffer.byteLength(source), gzipBytes: gz(source), minBytes: Buffer.byteLength(min), minGzipBytes: gz(min) };
}
