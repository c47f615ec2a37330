// Global setup: compile src/ to dist/ once, so the CLI tests run the real `bin/webgpu-lstm.js`.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
