/**
 * Turning an adapter into the engine's device, the same way everywhere (Node, Deno, browser).
 * Browser-safe.
 *
 * Limits: a device gets the *default* limits unless it asks for more (e.g. 128 MiB storage
 * bindings and 16 KiB workgroup memory, where SwiftShader offers 1 GiB and 32 KiB), so we ask for
 * the adapter's own value of every limit that compute work can use (DESIGN.md section 8). The
 * list is explicit rather than "every limit the adapter names": adapters also list texture,
 * vertex and experimental limits, which a compute engine never needs and which some
 * implementations refuse to have requested.
 */
import { RuntimeFailure } from '../../errors.js';
import { describeAdapter, type WebGPUAdapterInfo } from './adapterInfo.js';
import { watchDevice, type DeviceWatch } from './watch.js';

/** Limits requested at the adapter's own value, when the adapter names them. */
export const ENGINE_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxUniformBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
  'maxDynamicStorageBuffersPerPipelineLayout',
  'maxDynamicUniformBuffersPerPipelineLayout',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  // For "min" limits the adapter's value is its best (smallest) alignment.
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
] as const;

/**
 * Features the engine can use, requested when the adapter has them: timestamp queries for the
 * benchmarks, f16 for later kernels, subgroups for reductions.
 */
export const ENGINE_FEATURES = ['timestamp-query', 'shader-f16', 'subgroups'] as const;

/** What the engine holds for one device. */
export interface EngineDevice {
  device: GPUDevice;
  adapter: GPUAdapter;
  info: WebGPUAdapterInfo;
  /** The device's limits (not the adapter's), by name. */
  limits: Record<string, number>;
  /** The device's features, sorted. */
  features: string[];
  /** Uncaptured errors and loss (see deviceWatch.ts). */
  watch: DeviceWatch;
}

export interface OpenDeviceOptions {
  /** What was done to find the adapter (see AdapterInfo.fallback). */
  fallback?: string | null;
  log: (msg: string) => void;
  label?: string;
}

/** Every numeric limit of a GPUSupportedLimits, by name (its members are prototype getters). */
export function limitsToRecord(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name in limits) {
    const value = (limits as unknown as Record<string, unknown>)[name];
    if (typeof value === 'number') out[name] = value;
  }
  return out;
}

/** The adapter's own value of each ENGINE_LIMITS entry it names. */
export function requiredLimitsFor(adapter: GPUAdapter): Record<string, number> {
  const available = limitsToRecord(adapter.limits);
  const required: Record<string, number> = {};
  for (const name of ENGINE_LIMITS) {
    if (name in available) required[name] = available[name]!;
  }
  return required;
}

/** The ENGINE_FEATURES entries the adapter has. */
export function requiredFeaturesFor(adapter: GPUAdapter): GPUFeatureName[] {
  return ENGINE_FEATURES.filter((name) => adapter.features.has(name));
}

/** Requests the engine's device from `adapter` and starts watching it. */
export async function openEngineDevice(adapter: GPUAdapter, opts: OpenDeviceOptions): Promise<EngineDevice> {
  const described = describeAdapter(adapter, null);
  // A software adapter is a fallback wherever it came from: say so in the same field everywhere
  // (Node names what it did to find it; a browser or Deno chose it by itself).
  const info = describeAdapter(adapter, opts.fallback ?? (described.isFallbackAdapter ? 'software adapter (the platform offered no GPU adapter)' : null));
  const requiredLimits = requiredLimitsFor(adapter);
  const requiredFeatures = requiredFeaturesFor(adapter);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: opts.label ?? 'webgpu-lstm', requiredLimits, requiredFeatures });
  } catch (err) {
    throw new RuntimeFailure(
      `WebGPU adapter "${info.description}" refused a device with its own limits ` +
        `${JSON.stringify(requiredLimits)} and features [${requiredFeatures.join(', ')}]: ${errorMessage(err)}`,
    );
  }
  return {
    device,
    adapter,
    info,
    limits: limitsToRecord(device.limits),
    features: [...device.features].sort(),
    watch: watchDevice(device, opts.log),
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
