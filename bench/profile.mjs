// Where a training step's time goes: the step's plan replayed one dispatch per submit, each timed
// from submit to `onSubmittedWorkDone`, less the median time of an empty submit. The dispatches
// run in the plan's order on the plan's buffers, so they compute what a step computes. They are
// grouped by their plan label without its indices (`lstm_step_forward[l=0,t=3]` counts as
// lstm_step_forward, `hidden_weight_grad[l=1].split` as hidden_weight_grad.split), with the kernel
// they run. An isolated dispatch also pays what a recorded pass hides (waking SwiftShader's
// worker threads, pipeline switches, cold caches), so the sum is shown next to the step's own
// time rather than taken as it: the shares, not the absolute numbers, are the finding.
import { recordDispatches } from '../dist/webgpu/kernels/bind.js';

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function submitAndWait(device, encoder) {
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

/**
 * @param {GPUDevice} device
 * @param {{ dispatches: Array<{ label: string, kernel: { name: string } }> }} plan
 * @param {object} counters the engine's counters (recordDispatches counts into them)
 * @returns {Promise<{ emptySubmitMs: number, totalMs: number, roles: Array<{ role: string, kernel: string, dispatches: number, ms: number, usPerDispatch: number, share: number }> }>}
 */
export async function profilePlan(device, plan, counters) {
  const empty = [];
  for (let i = 0; i < 5; i++) empty.push(await submitAndWait(device, device.createCommandEncoder()));
  const emptySubmitMs = median(empty);
  const byRole = new Map();
  for (const d of plan.dispatches) {
    const enc = device.createCommandEncoder({ label: `profile ${d.label}` });
    recordDispatches(enc, [d], `profile ${d.label}`, counters);
    const ms = Math.max(0, (await submitAndWait(device, enc)) - emptySubmitMs);
    const role = d.label.replace(/\[[^\]]*\]/g, '');
    const k = byRole.get(role) ?? { role, kernel: d.kernel.name, dispatches: 0, ms: 0 };
    k.dispatches++;
    k.ms += ms;
    byRole.set(role, k);
  }
  const roles = [...byRole.values()].sort((a, b) => b.ms - a.ms);
  const totalMs = roles.reduce((s, k) => s + k.ms, 0);
  return {
    emptySubmitMs,
    totalMs,
    roles: roles.map((k) => ({ ...k, usPerDispatch: (k.ms * 1000) / k.dispatches, share: totalMs > 0 ? k.ms / totalMs : 0 })),
  };
}
