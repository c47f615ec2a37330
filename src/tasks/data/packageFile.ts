/**
 * Finds a data file inside an installed npm package, for the Node loaders of the example tasks.
 * Node's own lookup order is used (`require.resolve.paths`: node_modules folders from here up), but
 * the package folder is located directly rather than through `require.resolve(pkg + '/package.json')`,
 * because packages with an `exports` map (vega-datasets) refuse that subpath. Node only.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { RuntimeFailure } from '../../errors.js';

/**
 * The absolute path of `relPath` inside the installed package `pkg`. Throws a RuntimeFailure naming
 * the package, the file and the install command when it is missing (such data packages are
 * optional: the library installs without them).
 */
export function packageFile(pkg: string, relPath: string, task: string, version: string): string {
  const paths = createRequire(import.meta.url).resolve.paths(pkg) ?? [];
  for (const dir of paths) {
    const file = join(dir, pkg, relPath);
    if (existsSync(file)) return file;
  }
  const installed = paths.some((dir) => existsSync(join(dir, pkg, 'package.json')));
  throw new RuntimeFailure(
    installed
      ? `task ${task}: expected ${relPath} in the installed package ${pkg}, which lacks it; install the version this library was written for: npm i ${pkg}@${version}`
      : `task ${task}: its data comes from the optional npm package ${pkg}, which is not installed; install it with: npm i ${pkg}@${version}`,
  );
}
