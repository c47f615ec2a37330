// Global setup: generate the kernel table, compile src/ to dist/ once (so the CLI tests run the
// real `bin/webgpu-lstm.js`), and build the browser bundles that the browser suite (test/browser/)
// loads.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/generate-kernels.mjs'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { stdio: 'inherit' });
}
