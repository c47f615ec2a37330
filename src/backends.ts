/**
 * Which backends this process can use, for the CLI's `info` command and for choosing the default
 * backend (DESIGN.md section 5: webgpu when an adapter exists, else cpu).
 *
 * WebGPU comes from `navigator.gpu` where there is one (browsers, Deno) and from Dawn (npm
 * `webgpu`) in Node; the Node module is imported only when needed, so browser bundles and the cpu
 * backend never load it.
 */
import type { BackendName } from './api.js';
import type { WebGPUAdapterInfo } from './webgpu/device/adapterInfo.js';
import type { EngineDevice } from './webgpu/device/request.js';
import { errorMessage } from './webgpu/device/request.js';
import { RuntimeFailure } from './errors.js';
import { CPU_DESCRIPTION } from './cpu/engine.js';
import { createNavigatorDevice, navigatorGpu } from './webgpu/device/navigator.js';

export interface CpuBackendInfo {
  available: true;
  description: string;
  precision: 'float64';
}

export interface WebGPUBackendInfo {
  available: boolean;
  /** Where WebGPU came from: 'dawn (npm webgpu)' in Node, 'navigator.gpu' elsewhere. */
  implementation?: string;
  adapter?: WebGPUAdapterInfo;
  /** The device's limits, as the engine gets them: the adapter's own value of every limit compute work uses (DESIGN.md section 8). */
  limits?: Record<string, number>;
  features?: string[];
  /** What was done to find the adapter (e.g. SwiftShader's Vulkan driver), null if nothing. */
  fallback?: string | null;
  /** Why WebGPU is not available. */
  error?: string;
}

/** What `describeBackends` reports (the CLI's `info`): each backend, and whether this process can use it. */
export interface BackendsDescription {
  /** The cpu backend, always available: its description and precision 'float64'. */
  cpu: CpuBackendInfo;
  /** WebGPU here: when available its implementation, adapter, device limits and features; else `error` says why not. */
  webgpu: WebGPUBackendInfo;
}

export interface DescribeOptions {
  /** Where notes such as the fallback taken go (stderr or console.warn by default). */
  log?: (msg: string) => void;
}


/** Describes both backends; opens (and then destroys) a WebGPU device to read its real limits. */
export async function describeBackends(opts: DescribeOptions = {}): Promise<BackendsDescription> {
  const cpu: CpuBackendInfo = { available: true, description: CPU_DESCRIPTION, precision: 'float64' };
  const { implementation, open } = webgpuSource();
  if (open === null) return { cpu, webgpu: { available: false, error: implementation } };
  let engineDevice: EngineDevice;
  try {
    engineDevice = await open(opts.log);
  } catch (err) {
    return { cpu, webgpu: { available: false, implementation, error: errorMessage(err) } };
  }
  const { device, info, limits, features } = engineDevice;
  device.destroy();
  return { cpu, webgpu: { available: true, implementation, adapter: info, limits, features, fallback: info.fallback } };
}

/** 'webgpu' when a WebGPU adapter exists (SwiftShader counts), else 'cpu'. */
export async function bestBackend(opts: DescribeOptions = {}): Promise<BackendName> {
  const { webgpu } = await describeBackends(opts);
  return webgpu.available ? 'webgpu' : 'cpu';
}

type DeviceOpener = (log?: (msg: string) => void) => Promise<EngineDevice>;

/** Opens the engine's WebGPU device here (navigator.gpu, or Dawn in Node), or says why it cannot. */
export async function openWebGPUDevice(log?: (msg: string) => void): Promise<EngineDevice> {
  const { implementation, open } = webgpuSource();
  if (open === null) throw new RuntimeFailure(`no WebGPU here: ${implementation}`);
  return open(log);
}

/** Where this process gets WebGPU from; `open` is null (and `implementation` says why) if nowhere. */
function webgpuSource(): { implementation: string; open: DeviceOpener | null } {
  if (navigatorGpu() !== undefined) {
    return { implementation: 'navigator.gpu', open: (log) => createNavigatorDevice(log ? { log } : {}) };
  }
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    return { implementation: 'navigator.gpu is undefined (WebGPU needs a secure context: https or http://localhost)', open: null };
  }
  return {
    implementation: 'dawn (npm webgpu)',
    open: async (log) => {
      const { createNodeDevice } = await import('./webgpu/device/dawn.js');
      return createNodeDevice(log ? { log } : {});
    },
  };
}
