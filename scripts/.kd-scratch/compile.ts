import { createNavigatorDevice } from '../../src/webgpu/navigatorDevice.ts';
import { KernelRegistry } from '../../src/webgpu/kernels.ts';
import { newCounters } from '../../src/webgpu/counters.ts';
const gpu = await createNavigatorDevice({ log: (m) => console.log('note', m) });
console.log(gpu.info, JSON.stringify(gpu.limits));
const src = (n: string) => Deno.readTextFile(`/work/main/shaders/${n}.wgsl`);
const reg = new KernelRegistry(gpu.device, src, newCounters());
for (const f of [...Deno.readDirSync('/work/main/shaders')].map((e) => e.name.replace('.wgsl', '')).sort()) {
  const t = performance.now();
  try { const k = await reg.get(f); console.log('OK', f, (performance.now() - t).toFixed(0), 'ms', k.info.bindings.length, 'bindings', k.info.overrides.join(',')); }
  catch (e) { console.log('FAIL', f, (e as Error).message); }
}
gpu.device.destroy();
