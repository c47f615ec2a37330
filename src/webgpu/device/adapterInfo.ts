/**
 * One description of a WebGPU adapter, whichever implementation made it: Dawn in Node (npm
 * `webgpu`), wgpu in Deno, or a browser's `navigator.gpu`. Browser-safe: no Node imports.
 *
 * Implementations disagree on what they fill in. Dawn gives vendor 'google', architecture
 * 'swiftshader', description 'SwiftShader driver 5.0.0'; wgpu gives a PCI vendor id as a decimal
 * string ('65541' is Mesa) and an empty architecture; browsers may leave every field empty for
 * privacy. So the description falls back to the other fields, and never comes back empty.
 */
import type { AdapterInfo } from '../../api.js';

export interface WebGPUAdapterInfo extends AdapterInfo {
  /** The implementation's device string (often empty in browsers). */
  device: string;
  /**
   * True for a software adapter (SwiftShader, llvmpipe): WebGPU runs, but on the CPU. Not the
   * same as `fallback`, which says what this library did to find the adapter.
   */
  isFallbackAdapter: boolean;
}

/** Fields of GPUAdapterInfo that older implementations may lack. */
type LooseAdapterInfo = Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>> & {
  isFallbackAdapter?: boolean;
};

/**
 * Describes `adapter`. `fallback` is what was done to find it (null when nothing special), e.g.
 * `SwiftShader Vulkan (VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json)`.
 */
export function describeAdapter(adapter: GPUAdapter, fallback: string | null = null): WebGPUAdapterInfo {
  // `adapter.info` is the current API; Chrome before 127 had none, and the adapter-level
  // `isFallbackAdapter` is the deprecated place for that flag.
  const info: LooseAdapterInfo = (adapter as { info?: LooseAdapterInfo }).info ?? {};
  const legacyFallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description || [vendor, architecture, device].filter((s) => s !== '').join(' ') || 'unknown adapter';
  return {
    description,
    vendor,
    architecture,
    device,
    isFallbackAdapter: info.isFallbackAdapter ?? legacyFallback ?? false,
    fallback,
  };
}

/**
 * One line for logs and the CLI, e.g.
 * `SwiftShader driver 5.0.0 (google swiftshader, software adapter; fallback: SwiftShader Vulkan (…))`.
 */
export function formatAdapterInfo(info: AdapterInfo & { isFallbackAdapter?: boolean }): string {
  const details: string[] = [];
  const names = [info.vendor, info.architecture].filter((s) => s !== '').join(' ');
  if (names !== '' && !info.description.includes(names)) details.push(names);
  if (info.isFallbackAdapter) details.push('software adapter');
  if (info.fallback) details.push(`fallback: ${info.fallback}`);
  return details.length === 0 ? info.description : `${info.description} (${details.join('; ')})`;
}
