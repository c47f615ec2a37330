// A WebGPU adapter from Deno's navigator.gpu (wgpu), with the SwiftShader fallback of
// scripts/smoke-deno.ts as a reusable function.
//
// wgpu finds an adapter through Vulkan (Mesa's lavapipe) or OpenGL (Mesa's llvmpipe) when they are
// installed. A fresh CI machine has neither, only SwiftShader's Vulkan driver from Debian's
// chromium. wgpu reads VK_ICD_FILENAMES once per process, so when no adapter is found and the
// caller has not chosen a driver, the script runs itself again with SwiftShader's, and says so.

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const RETRY_MARK = 'WEBGPU_LSTM_DENO_SWIFTSHADER_RETRY';

/** What was done to find the adapter, when this process is the SwiftShader retry; else null. */
export function denoFallback(): string | null {
  return Deno.env.get(RETRY_MARK) === '1' ? `SwiftShader Vulkan (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})` : null;
}

/**
 * The adapter, or the exit status of this script run again with SwiftShader's driver (when there
 * is no adapter and a retry makes sense), or a message saying why there is none.
 * `denoFlags` are the flags the script needs (`--sloppy-imports`, `--import-map …`).
 */
export async function adapterOrRerun(who: string, scriptUrl: string, denoFlags: string[]): Promise<GPUAdapter | { exitCode: number } | { error: string }> {
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter !== null) return adapter;
  // VK_DRIVER_FILES is VK_ICD_FILENAMES's newer name; the loader prefers it when both are set.
  const userIcd = Deno.env.get('VK_DRIVER_FILES') || Deno.env.get('VK_ICD_FILENAMES');
  let icdPresent = true;
  try {
    await Deno.stat(SWIFTSHADER_ICD);
  } catch {
    icdPresent = false;
  }
  if (Deno.env.get(RETRY_MARK) === '1' || (userIcd ?? '') !== '' || !icdPresent) {
    const why = userIcd ? `Vulkan driver chosen by the caller: ${userIcd}` : icdPresent ? 'no driver found' : `${SWIFTSHADER_ICD} is not installed (run scripts/setup-system.sh as root)`;
    return { error: `navigator.gpu.requestAdapter() returned null (${why})` };
  }
  console.error(`${who}: wgpu found no adapter; retrying with SwiftShader Vulkan (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ['run', ...denoFlags, new URL(scriptUrl).pathname, ...Deno.args],
    env: { VK_ICD_FILENAMES: SWIFTSHADER_ICD, [RETRY_MARK]: '1' },
    stdout: 'inherit',
    stderr: 'inherit',
  });
  return { exitCode: (await child.output()).code };
}
