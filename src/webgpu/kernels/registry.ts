/**
 * The kernel registry of one device: each kernel's WGSL and reflected bindings come from the
 * build-time table (generated.ts); the registry makes the shader module once, an explicit bind
 * group layout from the bindings (read-only-storage for `read`, never layout 'auto'), and one
 * pipeline per (kernel, override values) with createComputePipelineAsync inside a validation error
 * scope. Compiles in flight are shared, so models and plans on one engine never compile a pipeline
 * twice, and a plan asks for all of its pipelines at once so they compile in parallel. Failures
 * carry the compiler's messages with line numbers (the shipped source keeps the lines of the file).
 */
import { RuntimeFailure } from '../../errors.js';
import type { GpuCounters } from '../engine/counters.js';
import { KERNELS } from './generated.js';
import type { KernelInfo } from './info.js';

export interface CompiledKernel {
  name: string;
  /** Kernel name plus its override values: the pipeline cache key (never a shape). */
  key: string;
  info: KernelInfo;
  overrides: Record<string, number>;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** A kernel the registry can compile: its source and what reflection says it declares. */
export interface KernelSource {
  source: string;
  info: KernelInfo;
}

/** The pipeline cache key: the kernel's name and its override values in name order. */
export function pipelineKey(name: string, overrides: Record<string, number>): string {
  const entries = Object.entries(overrides).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? `${name}${JSON.stringify(entries)}` : name;
}

export class KernelRegistry {
  private readonly extra = new Map<string, KernelSource>();
  private readonly modules = new Map<string, Promise<{ info: KernelInfo; module: GPUShaderModule }>>();
  private readonly pipelines = new Map<string, Promise<CompiledKernel>>();

  constructor(private readonly device: GPUDevice, private readonly counters: GpuCounters) {}

  /** Adds a kernel that is not in the package's table (tests' fixtures). */
  register(name: string, kernel: KernelSource): void {
    if (KERNELS[name] || this.extra.has(name)) throw new RuntimeFailure(`kernel ${name}: already registered`);
    this.extra.set(name, kernel);
  }

  /** The reflected description of a kernel (bindings, uniforms, overrides); no GPU work. */
  info(name: string): KernelInfo {
    return this.source(name).info;
  }

  private source(name: string): KernelSource {
    const k = KERNELS[name] ?? this.extra.get(name);
    if (!k) throw new RuntimeFailure(`kernel ${name}: no such kernel (have: ${[...Object.keys(KERNELS), ...this.extra.keys()].join(', ')})`);
    return k;
  }

  private module(name: string) {
    let p = this.modules.get(name);
    if (!p) {
      p = (async () => {
        const { source, info } = this.source(name);
        this.device.pushErrorScope('validation');
        const module = this.device.createShaderModule({ label: `${name}.wgsl`, code: source });
        const err = await this.device.popErrorScope();
        if (err) throw new RuntimeFailure(`kernel ${name}: shader module creation failed: ${err.message}${await compilerMessages(module)}`);
        return { info, module };
      })();
      this.modules.set(name, p);
      p.catch(() => this.modules.delete(name));
    }
    return p;
  }

  /** The pipeline of `name` with these override values, compiled once per device. */
  get(name: string, overrides: Record<string, number> = {}): Promise<CompiledKernel> {
    const key = pipelineKey(name, overrides);
    let p = this.pipelines.get(key);
    if (!p) {
      p = this.compile(name, key, overrides);
      this.pipelines.set(key, p);
      p.catch(() => this.pipelines.delete(key));
    }
    return p;
  }

  /** Number of distinct pipelines compiled or compiling (for counted tests). */
  get size(): number {
    return this.pipelines.size;
  }

  private async compile(name: string, key: string, overrides: Record<string, number>): Promise<CompiledKernel> {
    const info = this.source(name).info;
    for (const k of Object.keys(overrides)) {
      if (!info.overrides.includes(k)) {
        throw new RuntimeFailure(`kernel ${name}: override ${k} is not declared (declared: ${info.overrides.join(', ') || 'none'})`);
      }
    }
    const { module } = await this.module(name);
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
