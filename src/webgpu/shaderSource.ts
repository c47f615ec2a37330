/**
 * Where WGSL text comes from: in Node, the package's shaders/ folder (two levels above both
 * src/webgpu/ and dist/webgpu/); in a browser bundle, a map of sources built in at bundle time.
 * Shader text is never assembled from strings: a kernel is one file, sizes are overrides/uniforms.
 */
import { RuntimeFailure } from '../errors.js';

export type ShaderSource = (name: string) => string | Promise<string>;

let cache: Map<string, string> | null = null;

/** Reads shaders/<name>.wgsl next to the package (Node only; loaded lazily). */
export const nodeShaderSource: ShaderSource = async (name) => {
  cache ??= new Map();
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const { readFile } = await import('node:fs/promises');
  const url = new URL(`../../shaders/${name}.wgsl`, import.meta.url);
  try {
    const text = await readFile(url, 'utf8');
    cache.set(name, text);
    return text;
  } catch (e) {
    throw new RuntimeFailure(`shader ${name}: cannot read ${url.pathname} (${(e as Error).message})`);
  }
};

/** A source backed by an in-memory map (browser bundles, tests). */
export function mapShaderSource(sources: Record<string, string>): ShaderSource {
  return (name) => {
    const s = sources[name];
    if (s === undefined) throw new RuntimeFailure(`shader ${name}: not in this bundle (have: ${Object.keys(sources).join(', ')})`);
    return s;
  };
}
