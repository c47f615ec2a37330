/**
 * What a kernel declares, read from its WGSL by wgsl_reflect at build time
 * (scripts/reflect-kernels.mjs → generated.ts): every binding (name, group, binding, access,
 * element type and stride), the uniform struct's members with their byte offsets, and the
 * override constants. Layouts and uniform packing derive from this, never from hand-copied
 * tables; no WGSL parser runs in users' processes.
 */
import { RuntimeFailure } from '../../errors.js';

export type BindingKind = 'uniform' | 'storage' | 'read-only-storage';

export interface UniformMember {
  name: string;
  offset: number;
  /** 'u32' | 'i32' | 'f32' */
  type: string;
}

export interface BindingInfo {
  name: string;
  group: number;
  binding: number;
  kind: BindingKind;
  /** Element type of a storage array ('f32', 'i32', 'u32'), or the struct name of a uniform. */
  elementType: string;
  /** Bytes per array element (storage arrays); the struct size for uniforms. */
  stride: number;
  /** Uniform struct members (uniforms only). */
  members?: UniformMember[];
}

export interface KernelInfo {
  name: string;
  bindings: BindingInfo[];
  overrides: string[];
  /** The uniform binding, if the kernel has one (at most one is allowed). */
  uniform?: BindingInfo;
}

/**
 * Packs uniform values by member name at the reflected offsets. Every member must be given and no
 * other name; u32 values must be non-negative integers, i32 integers, f32 finite.
 */
export function packUniforms(info: KernelInfo, values: Record<string, number>, label = info.name): ArrayBuffer {
  const u = info.uniform;
  if (!u) throw new RuntimeFailure(`${label}: kernel ${info.name} has no uniform binding, but uniforms were given`);
  const size = Math.max(16, Math.ceil(u.stride / 16) * 16);
  const buf = new ArrayBuffer(size);
  const view = new DataView(buf);
  const known = new Set(u.members!.map((m) => m.name));
  for (const k of Object.keys(values)) {
    if (!known.has(k)) throw new RuntimeFailure(`${label}: uniform ${k} is not a member of ${info.name}'s ${u.elementType} (members: ${[...known].join(', ')})`);
  }
  for (const m of u.members!) {
    const v = values[m.name];
    if (v === undefined) throw new RuntimeFailure(`${label}: uniform ${m.name} of ${info.name} was not given`);
    if (m.type === 'f32') {
      if (!Number.isFinite(v)) throw new RuntimeFailure(`${label}: uniform ${m.name} expected a finite f32, received ${v}`);
      view.setFloat32(m.offset, v, true);
    } else if (m.type === 'u32') {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RuntimeFailure(`${label}: uniform ${m.name} expected a u32, received ${v}`);
      view.setUint32(m.offset, v, true);
    } else {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RuntimeFailure(`${label}: uniform ${m.name} expected an i32, received ${v}`);
      view.setInt32(m.offset, v, true);
    }
  }
  return buf;
}
