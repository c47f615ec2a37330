#!/usr/bin/env node
// Writes src/webgpu/kernels/generated.ts: every shaders/*.wgsl with its reflected bindings
// (scripts/reflect-kernels.mjs). Run by `npm run build`; `--check` exits 1 when the file is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedModule, reflectFolder } from './reflect-kernels.mjs';

const shaders = fileURLToPath(new URL('../shaders/', import.meta.url));
const out = fileURLToPath(new URL('../src/webgpu/kernels/generated.ts', import.meta.url));
const text = generatedModule(reflectFolder(shaders));
const current = existsSync(out) ? readFileSync(out, 'utf8') : '';
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error('src/webgpu/kernels/generated.ts is out of date with shaders/: run `npm run generate`');
    process.exit(1);
  }
} else if (current !== text) {
  writeFileSync(out, text);
  console.log('wrote src/webgpu/kernels/generated.ts');
}
