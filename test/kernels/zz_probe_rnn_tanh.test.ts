import { it } from 'vitest';
import { gpu } from './harness.js';
import { KernelRegistry, bindKernel, recordDispatches } from '../../src/webgpu/kernels.js';
import { mapShaderSource } from '../../src/webgpu/shaderSource.js';
import { newCounters } from '../../src/webgpu/counters.js';
const code = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = arrayLength(&x);
  for (var i = 0u; i < n; i++) { y[2u*i] = tanh(x[i]); y[2u*i+1u] = exp(x[i]); }
}`;
it('probe', async () => {
  const { device } = await gpu();
  const reg = new KernelRegistry(device, mapShaderSource({ p: code }), newCounters());
  const k = await reg.get('p');
  const xs = new Float32Array([-100, -89, -50, -20, -10, -9.5, -9, -5, -1e-3, -1e-6, 0, 1e-6, 1e-3, 0.5, 5, 9, 10, 20, 44, 45, 50, 88, 89, 100, 1e30, -1e30, Infinity, -Infinity]);
  const xb = device.createBuffer({ size: xs.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(xb, 0, xs);
  const yb = device.createBuffer({ size: xs.byteLength * 2, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const rb = device.createBuffer({ size: xs.byteLength * 2, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const c = newCounters();
  const bg = bindKernel(device, k, { x: { buffer: xb }, y: { buffer: yb } }, 'p', c);
  const enc = device.createCommandEncoder();
  recordDispatches(enc, [{ label: 'p', kernel: k, bindGroup: bg, workgroups: [1, 1, 1] }], 'p', c);
  enc.copyBufferToBuffer(yb, 0, rb, 0, xs.byteLength * 2);
  device.queue.submit([enc.finish()]);
  await rb.mapAsync(GPUMapMode.READ);
  const y = new Float32Array(rb.getMappedRange().slice(0));
  xs.forEach((v, i) => console.log(v, 'tanh', y[2 * i], 'exact', Math.tanh(v), 'relerr', Math.abs(y[2*i]! - Math.tanh(v)) / Math.abs(Math.tanh(v)), 'exp', y[2 * i + 1]));
});
