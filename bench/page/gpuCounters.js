// Installed in the page before any script runs (puppeteer's evaluateOnNewDocument): counts every
// compute dispatch, queue submit and buffer map of every WebGPU device in the page, this engine's
// and TF.js's alike, by wrapping the prototypes. The harness reads the counts around each step.
//
// It also remembers the label of the bind group set at index 0 before each dispatch (this
// engine labels its bind groups with the plan row, e.g. `lstm_step_forward[l=0,t=3]`), so the
// kernel profile (page/kernelProfile.js) can list a step's dispatches by label, and leave out
// those whose label matches `globalThis.__gpuProbe.skip` to see what they cost.
export function installGpuCounters() {
  const counts = { dispatches: 0, submits: 0, commandBuffers: 0, maps: 0, skipped: 0 };
  globalThis.__gpuCounts = counts;
  globalThis.__gpuProbe = null;
  if (typeof GPUComputePassEncoder === 'undefined') return;
  const wrap = (proto, name, count) => {
    const original = proto[name];
    if (typeof original !== 'function') return;
    proto[name] = function wrapped(...args) {
      count(args);
      return original.apply(this, args);
    };
  };
  const pass = GPUComputePassEncoder.prototype;
  const setBindGroup = pass.setBindGroup;
  pass.setBindGroup = function setBindGroupLabelled(index, group, ...rest) {
    if (index === 0) this.__wlLabel = group?.label ?? '';
    return setBindGroup.call(this, index, group, ...rest);
  };
  for (const name of ['dispatchWorkgroups', 'dispatchWorkgroupsIndirect']) {
    const dispatch = pass[name];
    pass[name] = function dispatchCounted(...args) {
      const probe = globalThis.__gpuProbe, label = this.__wlLabel ?? '';
      if (probe) {
        probe.labels?.push(label);
        if (probe.skip?.test(label)) { counts.skipped++; return undefined; }
      }
      counts.dispatches++;
      return dispatch.apply(this, args);
    };
  }
  wrap(GPUQueue.prototype, 'submit', ([buffers]) => { counts.submits++; counts.commandBuffers += buffers?.length ?? 0; });
  wrap(GPUBuffer.prototype, 'mapAsync', () => { counts.maps++; });
}
