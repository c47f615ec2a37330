/**
 * A WebGPU device from `navigator.gpu`: browsers and Deno (wgpu). Browser-safe.
 * In Node use createNodeDevice (dawn.ts), which also knows the SwiftShader fallback.
 */
import { RuntimeFailure } from '../../errors.js';
import { openEngineDevice, type EngineDevice } from './request.js';

export interface NavigatorDeviceOptions {
  /** The GPU to ask; `navigator.gpu` by default. */
  gpu?: GPU;
  /** Throw when no adapter is found (default); with false, resolve to null instead. */
  requireAdapter?: boolean;
  /** Where notes (uncaptured errors, loss) go; console.warn by default. */
  log?: (msg: string) => void;
}

/** The platform's `navigator.gpu`, or undefined where there is none (Node, insecure pages). */
export function navigatorGpu(): GPU | undefined {
  return (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
}

export async function createNavigatorDevice(opts?: NavigatorDeviceOptions & { requireAdapter?: true }): Promise<EngineDevice>;
export async function createNavigatorDevice(opts: NavigatorDeviceOptions): Promise<EngineDevice | null>;
export async function createNavigatorDevice(opts: NavigatorDeviceOptions = {}): Promise<EngineDevice | null> {
  const log = opts.log ?? ((msg: string) => console.warn(`webgpu-lstm: ${msg}`));
  const gpu = opts.gpu ?? navigatorGpu();
  if (gpu === undefined) {
    if (opts.requireAdapter === false) return null;
    throw new RuntimeFailure('no WebGPU here: navigator.gpu is undefined (WebGPU needs a secure context: https or http://localhost)');
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    if (opts.requireAdapter === false) return null;
    throw new RuntimeFailure('no WebGPU adapter: navigator.gpu.requestAdapter() returned null');
  }
  return openEngineDevice(adapter, { log });
}
