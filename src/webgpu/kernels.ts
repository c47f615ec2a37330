/**
 * The kernel registry: loads each kernel's WGSL once, reflects its bindings, builds an explicit bind
 * group layout from them (read-only-storage for `read`, never layout 'auto'), and compiles one
 * pipeline per (kernel, override values) with createComputePipelineAsync inside a validation error
 * scope. Compiles in flight are shared; failures carry the compiler's messages with line numbers.
 */
import { RuntimeFailure } from '../errors.js';
import type { GpuCounters } from './counters.js';
import { reflectKernel, type KernelInfo } from './reflect.js';
import type { ShaderSource } from './shaderSource.js';

export interface CompiledKernel {
  name: string;
  /** Kernel name plus its override values: the pipeline cache key (never a shape). */
  key: string;
  info: KernelInfo;
  overrides: Record<string, number>;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class KernelRegistry {
  private readonly infos = new Map<string, Promise<{ code: string; info: KernelInfo; module: GPUShaderModule }>>();
  private readonly pipelines = new Map<string, Promise<CompiledKernel>>();

  constructor(private readonly device: GPUDevice, private readonly source: ShaderSource, private readonly counters: GpuCounters) {}

  /** The reflected description of a kernel (bindings, uniforms, overrides). */
  async info(name: string): Promise<KernelInfo> {
    return (await this.module(name)).info;
  }

  private module(name: string) {
    let p = this.infos.get(name);
    if (!p) {
      p = (async () => {
        const code = await this.source(name);
        const info = reflectKernel(name, code);
        const module = this.device.createShaderModule({ label: `${name}.wgsl`, code });
        return { code, info, module };
      })();
      this.infos.set(name, p);
    }
    return p;
  }

  get(name: string, overrides: Record<string, number> = {}): Promise<CompiledKernel> {
    const key = `${name}${Object.keys(overrides).length ? JSON.stringify(Object.entries(overrides).sort()) : ''}`;
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(name, key, overrides);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  private async compile(name: string, key: string, overrides: Record<string, number>): Promise<CompiledKernel> {
    const { info, module } = await this.module(name);
    for (const k of Object.keys(overrides)) {
      if (!info.overrides.includes(k)) {
        throw new RuntimeFailure(`kernel ${name}: override ${k} is not declared (declared: ${info.overrides.join(', ') || 'none'})`);
      }
    }
    const device = this.device;
    device.pushErrorScope('validation');
    const layout = device.createBindGroupLayout({
      label: `${name}.layout`,
      entries: info.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind } })),
    });
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label: `${key}.pipeline`,
        layout: device.createPipelineLayout({ label: `${name}.pipelineLayout`, bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: 'main', constants: overrides },
      });
    } catch (e) {
      await device.popErrorScope().catch(() => null);
      throw new RuntimeFailure(`kernel ${name}: pipeline creation failed: ${(e as Error).message}${await compilerMessages(module)}`);
    }
    const err = await device.popErrorScope();
    if (err) throw new RuntimeFailure(`kernel ${name}: pipeline creation failed: ${err.message}${await compilerMessages(module)}`);
    this.counters.pipelinesCreated++;
    return { name, key, info, overrides, pipeline, layout };
  }
}

async function compilerMessages(module: GPUShaderModule): Promise<string> {
  try {
    const info = await module.getCompilationInfo();
    return info.messages.map((m) => `\n  [${m.type} at ${m.lineNum}:${m.linePos}] ${m.message}`).join('');
  } catch {
    return '';
  }
}

/** A buffer range bound to a named binding, with the number of elements the dispatch will touch. */
export interface BoundBuffer {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
  /** Elements the kernel may read or write; the binding must hold at least this many. */
  elements?: number;
}

/**
 * Creates a bind group by binding name: every declared binding must be given, nothing else, and
 * each buffer range must hold the elements the dispatch needs (element stride from reflection).
 */
export function bindKernel(device: GPUDevice, kernel: CompiledKernel, buffers: Record<string, BoundBuffer>, label: string, counters: GpuCounters): GPUBindGroup {
  const declared = new Set(kernel.info.bindings.map((b) => b.name));
  for (const k of Object.keys(buffers)) {
    if (!declared.has(k)) throw new RuntimeFailure(`${label}: kernel ${kernel.name} declares no binding ${k} (declared: ${[...declared].join(', ')})`);
  }
  const entries: GPUBindGroupEntry[] = kernel.info.bindings.map((b) => {
    const given = buffers[b.name];
    if (!given) throw new RuntimeFailure(`${label}: kernel ${kernel.name} binding ${b.name} (${b.kind}) was not given a buffer`);
    const offset = given.offset ?? 0;
    const size = given.size ?? given.buffer.size - offset;
    if (given.elements !== undefined) {
      const need = b.kind === 'uniform' ? b.stride : given.elements * b.stride;
      if (size < need) {
        throw new RuntimeFailure(`${label}: kernel ${kernel.name} binding ${b.name} needs ${need} bytes (${given.elements} × ${b.elementType}), received a range of ${size} bytes`);
      }
    }
    return { binding: b.binding, resource: { buffer: given.buffer, offset, size } };
  });
  counters.bindGroupsCreated++;
  return device.createBindGroup({ label, layout: kernel.layout, entries });
}

/** One recorded dispatch of a plan: printable, countable data. */
export interface Dispatch {
  label: string;
  kernel: CompiledKernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** Records dispatches into one compute pass of the encoder; never submits. */
export function recordDispatches(encoder: GPUCommandEncoder, dispatches: readonly Dispatch[], label: string, counters: GpuCounters): void {
  const pass = encoder.beginComputePass({ label });
  for (const d of dispatches) {
    pass.setPipeline(d.kernel.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass.end();
  counters.dispatches += dispatches.length;
}
