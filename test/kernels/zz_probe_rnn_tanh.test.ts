import { it } from 'vitest';
import { gpu } from './harness.js';
import { KernelRegistry, bindKernel, recordDispatches } from '../../src/webgpu/kernels.js';
import { mapShaderSource } from '../../src/webgpu/shaderSource.js';
import { newCounters } from '../../src/webgpu/counters.js';
const code = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
fn tanh_own(x: f32) -> f32 {
  let a = abs(x);
  let a2 = a * a;
  let p = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0 + a2 * (62.0 / 2835.0)))));
  let e = exp(-2.0 * a);
  let q = (1.0 - e) / (1.0 + e);
  return sign(x) * select(q, p, a < 0.25);
}
fn sigm(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  if (i >= arrayLength(&x)) { return; }
  y[3u*i] = tanh(clamp(x[i], -10.0, 10.0)); y[3u*i+1u] = tanh_own(x[i]); y[3u*i+2u] = sigm(x[i]);
}`;
it('probe', async () => {
  const { device } = await gpu();
  const reg = new KernelRegistry(device, mapShaderSource({ p: code }), newCounters());
  const k = await reg.get('p');
  const n = 200000;
  const xs = new Float32Array(n);
  for (let i = 0; i < n; i++) { const u = i / n; xs[i] = (i % 2 ? -1 : 1) * Math.pow(10, -8 + 10.5 * u); }
  xs[0] = 100; xs[1] = -100; xs[2] = 0; xs[3]=Infinity; xs[4]=-Infinity;
  const xb = device.createBuffer({ size: xs.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(xb, 0, xs);
  const yb = device.createBuffer({ size: xs.byteLength * 3, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const rb = device.createBuffer({ size: xs.byteLength * 3, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const c = newCounters();
  const bg = bindKernel(device, k, { x: { buffer: xb }, y: { buffer: yb } }, 'p', c);
  const enc = device.createCommandEncoder();
  recordDispatches(enc, [{ label: 'p', kernel: k, bindGroup: bg, workgroups: [Math.ceil(n/64), 1, 1] }], 'p', c);
  enc.copyBufferToBuffer(yb, 0, rb, 0, xs.byteLength * 3);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const y = new Float32Array(rb.getMappedRange().slice(0));
  for (let i = 0; i < 5; i++) console.log(xs[i], y[3*i], y[3*i+1], y[3*i+2]);
  const worst = [0, 0, 0], at = [0, 0, 0];
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  for (let i = 5; i < n; i++) {
    const x = xs[i]!;
    const refs = [Math.tanh(x), Math.tanh(x), sig(x)];
    for (let m = 0; m < 3; m++) { const r = refs[m]!; const e = Math.abs(y[3*i+m]! - r) / Math.abs(r) / 2 ** -24; if (!(e <= worst[m]!)) { worst[m] = e; at[m] = x; } }
  }
  console.log('worst rel err in units of 2^-24: builtin-clamped', worst[0], 'at', at[0], ' own', worst[1], 'at', at[1], ' sigmoid', worst[2], 'at', at[2]);
});
