import { describe, expect, it } from 'vitest';
import { runKernel } from './harness.js';

describe('fill.wgsl through the kernel harness', () => {
  it('writes n elements and leaves the poisoned tail alone', async () => {
    const out = await runKernel('fill', { uniforms: { n: 70, value: 2.5 }, buffers: { out: { output: 75 } }, workgroups: [2] });
    expect(Array.from(out.out!.subarray(0, 70)).every((v) => v === 2.5)).toBe(true);
    expect(Array.from(out.out!.subarray(70)).every((v) => Number.isNaN(v))).toBe(true);
  });
  it('refuses a uniform the kernel does not declare', async () => {
    await expect(runKernel('fill', { uniforms: { n: 1, value: 0, extra: 1 }, buffers: { out: { output: 1 } }, workgroups: [1] })).rejects.toThrow(/extra is not a member/);
  });
});
