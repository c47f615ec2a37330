// Installed in the page before any script runs (puppeteer's evaluateOnNewDocument): counts every
// compute dispatch, queue submit and buffer map of every WebGPU device in the page, this engine's
// and TF.js's alike, by wrapping the prototypes. The harness reads the counts around each step.
export function installGpuCounters() {
  const counts = { dispatches: 0, submits: 0, commandBuffers: 0, maps: 0 };
  globalThis.__gpuCounts = counts;
  const wrap = (proto, name, count) => {
    const original = proto?.[name];
    if (typeof original !== 'function') return;
    proto[name] = function wrapped(...args) {
      count(args);
      return original.apply(this, args);
    };
  };
  if (typeof GPUComputePassEncoder === 'undefined') return;
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', () => { counts.dispatches++; });
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroupsIndirect', () => { counts.dispatches++; });
  wrap(GPUQueue.prototype, 'submit', ([buffers]) => { counts.submits++; counts.commandBuffers += buffers?.length ?? 0; });
  wrap(GPUBuffer.prototype, 'mapAsync', () => { counts.maps++; });
}
