// Smoke check of WebGPU on wgpu (Deno's navigator.gpu): gets the engine's device with
// src/webgpu/device/navigator.ts, runs the affine smoke kernel (test/fixtures/affineSmoke.ts) and
// prints the adapter, its limits and the result. Exit status 1 if anything fails.
//
// Usage: npm run smoke:deno
//   (= deno run --sloppy-imports --allow-all scripts/smoke-deno.ts [--json])
// --sloppy-imports lets Deno resolve the sources' NodeNext-style `./x.js` imports to `./x.ts`.
//
// wgpu finds an adapter through Vulkan (Mesa's lavapipe) or OpenGL (Mesa's llvmpipe) when they are
// installed. A fresh CI machine has neither, only SwiftShader's Vulkan driver from Debian's
// chromium. wgpu reads VK_ICD_FILENAMES once per process, so when no adapter is found and the
// caller has not chosen a driver, this script runs itself again with SwiftShader's, and says so.
import { createNavigatorDevice } from '../src/webgpu/device/navigator.ts';
import { runAffineSmoke } from '../test/fixtures/affineSmoke.ts';
import { adapterOrRerun, denoFallback } from './denoAdapter.ts';

const json = Deno.args.includes('--json');

async function main(): Promise<number> {
  const t0 = performance.now();
  const got = await adapterOrRerun('smoke-deno', import.meta.url, ['--sloppy-imports', '--allow-all']);
  const adapterMs = performance.now() - t0;
  if ('exitCode' in got) return got.exitCode;
  if ('error' in got) {
    console.error(`smoke-deno: FAILED: ${got.error}`);
    return 1;
  }

  const notes: string[] = [];
  const t1 = performance.now();
  const gpu = await createNavigatorDevice({ log: (m) => notes.push(m) });
  const deviceMs = performance.now() - t1;
  const fallback = denoFallback();
  const info = { ...gpu.info, fallback };
  const wgsl = await Deno.readTextFile(new URL('../test/fixtures/affine.wgsl', import.meta.url));
  const results = [await runAffineSmoke(gpu.device, wgsl, 1000, 64), await runAffineSmoke(gpu.device, wgsl, 257, 256)];
  gpu.device.destroy();
  const pick = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'minStorageBufferOffsetAlignment'];
  const limits = Object.fromEntries(pick.map((k) => [k, gpu.limits[k]]));
  const ok = results.every((r) => r.mismatchCount === 0 && r.tailIntact);

  if (json) {
    console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, adapter: info, limits, features: gpu.features, results, notes, ms: { adapterMs, deviceMs } }));
  } else {
    console.log(`runtime: deno ${Deno.version.deno} (wgpu); requestAdapter ${adapterMs.toFixed(0)} ms, requestDevice ${deviceMs.toFixed(0)} ms`);
    console.log(`adapter: ${info.description} (vendor "${info.vendor}", architecture "${info.architecture}", software: ${info.isFallbackAdapter}${fallback ? `; fallback: ${fallback}` : ''})`);
    console.log(`limits: ${JSON.stringify(limits)}`);
    console.log(`features: ${gpu.features.join(' ')}`);
    for (const r of results) {
      const verdict = r.mismatchCount === 0 && r.tailIntact ? 'OK' : `NOT OK (${r.mismatchCount} wrong, tail intact: ${r.tailIntact}) ${r.mismatches.join('; ')}`;
      console.log(`affine n=${r.n} workgroupSize=${r.workgroupSize}: ${verdict}; compile ${r.compileMs.toFixed(0)} ms, run ${r.runMs.toFixed(0)} ms`);
    }
    for (const m of notes) console.log(`note: ${m}`);
  }
  if (!ok) console.error('smoke-deno: FAILED: wrong results (see above)');
  return ok ? 0 : 1;
}

Deno.exit(await main());
