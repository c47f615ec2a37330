// Global setup: compile src/ to dist/ once, so the CLI tests run the real `bin/webgpu-lstm.js`,
// and build the browser bundle dist/browser/webgpu-lstm.js that the browser suite (test/browser/) loads.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-browser.mjs'], { stdio: 'inherit' });
}
