#!/usr/bin/env node
// The command line of webgpu-lstm (DESIGN.md section 5). The TypeScript is compiled to dist/ by
// `npm install` (the package's prepare script) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('webgpu-lstm: dist/ is missing; run `npm install` or `npm run build` in the package first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
