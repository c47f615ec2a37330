// What the adapter charges before any arithmetic, measured in the same page and run as the
// benchmark (DESIGN.md section 6 measured them once; the machine's load moves them):
//   dispatchUs:  one trivial dispatch (one 64-invocation workgroup) when N are recorded in one
//                pass and submitted once: (t(N) − t(1)) / (N − 1);
//   submitUs:    what a submit adds: N submits of one trivial dispatch each, less N dispatches;
//   roundTripMs: a submit of one trivial dispatch, then mapping a 4-byte buffer to read it back
//                (what a step pays once for its loss).
// Each is the median of a few repetitions, on a device of its own on the page's adapter.
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

export async function measureFloors({ dispatches = 400, repeats = 9 } = {}) {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter.requestDevice();
  try {
    const code = await (await fetch('/bench/page/trivial.wgsl')).text();
    const layout = device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } }] });
    const pipeline = await device.createComputePipelineAsync({
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
    });
    const out = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const bindGroup = device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: out } }] });
    const record = (n) => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < n; i++) pass.dispatchWorkgroups(1);
      pass.end();
      return enc;
    };
    const run = async (n, readBack) => {
      const t0 = performance.now();
      const enc = record(n);
      if (readBack) enc.copyBufferToBuffer(out, 0, read, 0, 4);
      device.queue.submit([enc.finish()]);
      if (readBack) { await read.mapAsync(GPUMapMode.READ); read.unmap(); } else await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    const runSubmits = async (n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) device.queue.submit([record(1).finish()]);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - t0;
    };
    await run(dispatches, true); // warm: pipeline and driver caches
    const one = [], many = [], trip = [], submits = [];
    for (let r = 0; r < repeats; r++) {
      one.push(await run(1, false));
      many.push(await run(dispatches, false));
      submits.push(await runSubmits(dispatches));
      trip.push(await run(1, true));
    }
    const dispatchUs = ((median(many) - median(one)) / (dispatches - 1)) * 1000;
    return {
      dispatchUs,
      submitUs: Math.max(0, (median(submits) - median(one)) * 1000 / (dispatches - 1) - dispatchUs),
      roundTripMs: median(trip),
      probe: { dispatches, repeats, oneMs: median(one), manyMs: median(many), submitsMs: median(submits) },
    };
  } finally {
    device.destroy();
  }
}
