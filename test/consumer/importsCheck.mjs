// Every package the installed JavaScript imports must be one a consumer has: a Node built-in, a
// dependency, an (optional) peer dependency, or the package itself. Finding 1 was a run-time import
// of `wgsl_reflect`, a devDependency, so nothing ran for a consumer; the run-time checks catch it on
// the paths they take, this catches it on every path, lazy `import()`s included.
//
// The imports are read by esbuild's parser (no regular expressions over source text, so an import
// in a comment does not count): every .js file of the installed package but the browser bundles
// (self-contained: they import nothing) is an entry of a bundle that leaves packages external, and
// the metafile lists what each file imports.
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The package a specifier names ('@scope/name/x' → '@scope/name', 'name/x' → 'name'); null for a relative or absolute path. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * @param {string} pkgDir the installed package (node_modules/webgpu-lstm)
 * @returns {Promise<string>} a note: how many files and packages
 */
export async function checkImports(pkgDir) {
  const { build } = await import('esbuild');
  const manifest = JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8'));
  const allowed = new Set([manifest.name, ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const builtins = new Set(builtinModules);
  const entries = (await readdir(pkgDir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && /\.m?js$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => !relative(pkgDir, f).startsWith(join('dist', 'browser')));
  const result = await build({
    entryPoints: entries,
    absWorkingDir: pkgDir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    outdir: join(pkgDir, '.imports-check'),
    logLevel: 'silent',
  });
  const bad = [];
  const used = new Set();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external) continue;
      const spec = imp.path;
      if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
      const name = packageOf(spec);
      if (name === null) continue;
      used.add(name);
      if (!allowed.has(name)) bad.push(`${file} imports ${JSON.stringify(spec)}`);
    }
  }
  if (bad.length > 0) {
    const also = bad.length > 1 ? `; also ${bad.slice(1, 3).join('; ')}` : '';
    throw new Error(`${bad.length} import(s) of packages a consumer does not have (not in dependencies or peerDependencies), first: ${bad[0]}${also} (a leftover of an earlier build? \`npm run build\` does not empty dist/)`);
  }
  return `${entries.length} files import ${[...used].sort().join(', ') || 'no package'}`;
}
