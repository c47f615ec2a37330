/**
 * src/webgpu/kernels/generated.ts, the build-time table the registry compiles kernels from (each
 * shader's shipped source and its reflected bindings), against shaders/ (no GPU needed):
 *   - it is exactly what scripts/reflect-kernels.mjs generates from the shaders now, so a shader
 *     edited without `node scripts/generate-kernels.mjs` fails here, naming the kernels that differ;
 *   - the includes (scripts/wgsl-source.mjs resolveIncludes): a kernel's `// #include lib/….wgsl`
 *     files are appended after its own text, each once (nested ones too), the helpers it does not
 *     reach are dropped, a missing file or a helper the kernel redefines is an error naming the
 *     line; in the table every kernel's first lines are its own file's lines (comments removed),
 *     so a compiler message's line number is the line in shaders/<name>.wgsl, and lib/ files are
 *     no kernels;
 *   - every kernel fits WebGPU's default limits (at most 8 storage buffers per shader stage: what a
 *     device made without asking for more gives, on Dawn, wgpu and browsers alike), binds only in
 *     group 0 with at most one uniform, and declares read_write only buffers it writes (a buffer it
 *     only reads must be read-only: the plan binds one buffer to two read-only bindings, e.g.
 *     dhAbove and dcAbove, which WebGPU refuses for a writable one);
 *   - the kernels of issue 9 (variable lengths, token inputs, mse, rnn_relu) declare exactly the
 *     bindings and uniforms their contracts name (the shader headers; the engine binds by these
 *     names, src/webgpu/engine/planSpec.ts): every step kernel `lengths` as read-only i32 storage,
 *     its tail uniforms, the RNN's relu flag, the losses' B and masked, the embedding and gather
 *     kernels' buffers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNELS } from '../../src/webgpu/kernels/generated.js';
import type { BindingKind, KernelInfo } from '../../src/webgpu/kernels/info.js';

interface Reflected { name: string; source: string; info: KernelInfo }
interface ReflectModule {
  reflectFolder(dir: string): Reflected[];
  generatedModule(kernels: Reflected[]): string;
  shippedSource(code: string, keepLines?: number): string;
}
interface WgslSourceModule {
  resolveIncludes(name: string, code: string, read: (path: string) => string | undefined): { code: string; libs: string[]; kernelLines: number };
}

const SHADERS = fileURLToPath(new URL('../../shaders/', import.meta.url));
const GENERATED = fileURLToPath(new URL('../../src/webgpu/kernels/generated.ts', import.meta.url));
const HOW = 'run `node scripts/generate-kernels.mjs` (npm run generate) after editing a shader';

let reflected: Promise<{ mod: ReflectModule; kernels: Reflected[] }> | null = null;
/** The reflection script (plain JavaScript, a build tool: imported by URL, typed here) and its result for shaders/ now. */
function reflectNow() {
  reflected ??= (async () => {
    const mod = (await import(new URL('../../scripts/reflect-kernels.mjs', import.meta.url).href)) as ReflectModule;
    return { mod, kernels: mod.reflectFolder(SHADERS) };
  })();
  return reflected;
}

describe('src/webgpu/kernels/generated.ts', () => {
  it('is what scripts/reflect-kernels.mjs generates from shaders/ now', async () => {
    const { mod, kernels } = await reflectNow();
    const now = new Map(kernels.map((k) => [k.name, k]));
    const stale: string[] = [];
    for (const k of kernels) {
      const table = KERNELS[k.name];
      if (!table) stale.push(`${k.name}: in shaders/, missing from the table`);
      else if (table.source !== k.source) stale.push(`${k.name}: the shader's source changed`);
      else if (JSON.stringify(table.info) !== JSON.stringify(k.info)) stale.push(`${k.name}: the reflected bindings changed`);
    }
    for (const name of Object.keys(KERNELS)) if (!now.has(name)) stale.push(`${name}: in the table, no longer in shaders/`);
    expect(stale, `src/webgpu/kernels/generated.ts is out of date: ${HOW}:\n  ${stale.join('\n  ')}`).toEqual([]);
    // And the file's text itself (header, order, formatting), byte for byte.
    const same = readFileSync(GENERATED, 'utf8') === mod.generatedModule(kernels);
    expect(same, `src/webgpu/kernels/generated.ts differs from what the generator writes: ${HOW}`).toBe(true);
  });
});

describe('includes: lib/ files appended to the kernel that names them', () => {
  const wgslSource = import(new URL('../../scripts/wgsl-source.mjs', import.meta.url).href) as Promise<WgslSourceModule>;
  const LIBS: Record<string, string> = {
    'lib/a.wgsl': '// lib/a.wgsl: a.\n// #include lib/b.wgsl\nfn fa() -> f32 { return fb(); }\n\nfn unusedA() -> f32 { return 0.0; }\n',
    'lib/b.wgsl': '// lib/b.wgsl: b.\nfn fb() -> f32 { return 1.0; }',
    'lib/c.wgsl': '// lib/c.wgsl: c.\n// #include lib/a.wgsl\nfn fc() -> f32 { return fa(); }\n',
  };
  const read = (p: string) => LIBS[p];

  it('appends each file once, in the order first named, after the kernel; drops helpers nothing reaches', async () => {
    const { resolveIncludes } = await wgslSource;
    const kernel = '// k: a kernel.\n// #include lib/c.wgsl\n// #include lib/a.wgsl\n@compute @workgroup_size(1)\nfn main() { let x = fc(); }\n';
    const r = resolveIncludes('k', kernel, read);
    expect(r.libs).toEqual(['lib/c.wgsl', 'lib/a.wgsl', 'lib/b.wgsl']);
    expect(r.kernelLines).toBe(5);
    expect(r.code.startsWith(kernel)).toBe(true);
    expect(r.code).toBe(kernel + LIBS['lib/c.wgsl'] + LIBS['lib/a.wgsl']!.replace('fn unusedA() -> f32 { return 0.0; }', '') + `${LIBS['lib/b.wgsl']}\n`);
    const { mod } = await reflectNow();
    expect(mod.shippedSource(r.code, r.kernelLines)).toBe('\n\n\n@compute @workgroup_size(1)\nfn main() { let x = fc(); }\nfn fc() -> f32 { return fa(); }\nfn fa() -> f32 { return fb(); }\nfn fb() -> f32 { return 1.0; }\n');
    expect(resolveIncludes('plain', 'fn main() {}\n', read)).toEqual({ code: 'fn main() {}\n', libs: [], kernelLines: 1 });
  });

  it('refuses a missing file, a path outside lib/ and a helper the kernel defines again, naming the line', async () => {
    const { resolveIncludes } = await wgslSource;
    expect(() => resolveIncludes('k', 'fn main() {}\n// #include lib/nope.wgsl\n', read)).toThrow('k.wgsl:2: #include lib/nope.wgsl: no such file shaders/lib/nope.wgsl');
    expect(() => resolveIncludes('k', '// #include lib/c.wgsl\n', (p) => (p === 'lib/c.wgsl' ? '// #include lib/x.wgsl\n' : undefined))).toThrow('lib/c.wgsl:1: #include lib/x.wgsl: no such file');
    expect(() => resolveIncludes('k', '// #include matmul.wgsl\n', read)).toThrow(/k\.wgsl:1: #include expects a path lib\/<name>\.wgsl/);
    expect(() => resolveIncludes('k', '// #include lib/b.wgsl\nfn fb() -> f32 { return 2.0; }\n', read)).toThrow('k.wgsl:2: function fb is already defined in lib/b.wgsl, which it includes');
  });

  it('the table: each kernel begins with its own file, line for line; lib/ files are not kernels', async () => {
    const { mod } = await reflectNow();
    const files = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl'));
    const shifted: string[] = [];
    for (const f of files) {
      const own = mod.shippedSource(readFileSync(`${SHADERS}${f}`, 'utf8')).split('\n').slice(0, -1);
      const table = KERNELS[f.slice(0, -'.wgsl'.length)]!.source.split('\n');
      if (table.slice(0, own.length).join('\n') !== own.join('\n')) shifted.push(f);
    }
    expect(shifted, 'kernels whose own lines moved in the table').toEqual([]);
    const libs = readdirSync(`${SHADERS}lib`).map((f) => f.slice(0, -'.wgsl'.length));
    expect(libs.length).toBeGreaterThan(0);
    expect(libs.filter((n) => n in KERNELS)).toEqual([]);
    expect(Object.keys(KERNELS).length).toBe(files.length);
  });
});

/** A storage binding of the contract: [kind, element type]. */
type Storage = [Exclude<BindingKind, 'uniform'>, 'f32' | 'i32' | 'u32'];
const RO_F32: Storage = ['read-only-storage', 'f32'];
const RW_F32: Storage = ['storage', 'f32'];
const LENGTHS: Storage = ['read-only-storage', 'i32'];

/** What the contracts (the shader headers) name: storage bindings and uniform members with their types. */
const CONTRACT: Record<string, { storage: Record<string, Storage>; uniforms: Record<string, 'u32' | 'i32' | 'f32'> }> = {
  lstm_step_forward: {
    storage: { gx: RO_F32, params: RO_F32, h: RW_F32, c: RW_F32, gates: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', wOffset: 'u32', tailBase: 'u32', tailK: 'u32' },
  },
  lstm_step_backward: {
    storage: { dhAbove: RO_F32, dcAbove: RO_F32, gates: RO_F32, c: RO_F32, params: RO_F32, dgates: RW_F32, dcCarry: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', T: 'u32', wOffset: 'u32', hasDcAbove: 'u32', tailK: 'u32' },
  },
  gru_step_forward: {
    storage: { gx: RO_F32, params: RO_F32, h: RW_F32, gates: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', wOffset: 'u32', bhnOffset: 'u32', tailBase: 'u32', tailK: 'u32' },
  },
  gru_step_backward: {
    storage: { dhAbove: RO_F32, gates: RO_F32, h: RO_F32, params: RO_F32, dgx: RW_F32, dgh: RW_F32, dhCarry: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', T: 'u32', wOffset: 'u32', tailK: 'u32' },
  },
  rnn_step_forward: {
    storage: { gx: RO_F32, params: RO_F32, h: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', wOffset: 'u32', tailBase: 'u32', tailK: 'u32', relu: 'u32' },
  },
  rnn_step_backward: {
    storage: { dhAbove: RO_F32, h: RO_F32, params: RO_F32, dg: RW_F32, lengths: LENGTHS },
    uniforms: { B: 'u32', H: 'u32', t: 'u32', T: 'u32', wOffset: 'u32', tailK: 'u32', relu: 'u32' },
  },
  softmax_cross_entropy: {
    storage: { logits: RO_F32, targets: ['read-only-storage', 'i32'], lossRows: RW_F32, dlogits: RW_F32, lengths: LENGTHS },
    uniforms: { R: 'u32', C: 'u32', scale: 'f32', B: 'u32', masked: 'u32' },
  },
  sigmoid_bce: {
    storage: { logits: RO_F32, targets: RO_F32, lossRows: RW_F32, dlogits: RW_F32, lengths: LENGTHS },
    uniforms: { R: 'u32', C: 'u32', scale: 'f32', B: 'u32', masked: 'u32' },
  },
  mse_loss: {
    storage: { logits: RO_F32, targets: RO_F32, lossRows: RW_F32, dlogits: RW_F32, lengths: LENGTHS },
    uniforms: { R: 'u32', C: 'u32', scale: 'f32', B: 'u32', masked: 'u32' },
  },
  embedding_gather: {
    storage: { ids: ['read-only-storage', 'i32'], params: RO_F32, x: RW_F32 },
    uniforms: { B: 'u32', T: 'u32', I: 'u32', V: 'u32', eOffset: 'u32' },
  },
  embedding_backward: {
    storage: { offsets: ['read-only-storage', 'i32'], positions: ['read-only-storage', 'i32'], dx: RO_F32, grads: RW_F32 },
    uniforms: { V: 'u32', I: 'u32', gOffset: 'u32' },
  },
  gather_rows: {
    storage: { idx: ['read-only-storage', 'i32'], src: ['read-only-storage', 'u32'], out: ['storage', 'u32'] },
    uniforms: { B: 'u32', W: 'u32', w: 'u32', timeMajor: 'u32', srcOffset: 'u32' },
  },
};

/** WebGPU's default maxStorageBuffersPerShaderStage (the limit every implementation must give). */
const MAX_STORAGE_BUFFERS = 8;

/** An index expression [ … ] with at most one level of nested brackets (x[u32(p[q]) * I + i]). */
const INDEX = String.raw`\[(?:[^\[\];]|\[[^\[\];]*\])*\]`;

/** Does the (comment-free) source assign to an element of `name` (x[i] = …, x[i] += …, atomicAdd(&x[i], …))? */
function writes(source: string, name: string): boolean {
  return new RegExp(String.raw`(^|[^\w.])${name}\s*${INDEX}\s*([-+*/]?=)(?!=)`, 'm').test(source) || new RegExp(String.raw`atomic\w+\(\s*&\s*${name}\s*\[`).test(source);
}

describe('every kernel\'s bindings', () => {
  const kernels = Object.entries(KERNELS);

  it.each(kernels.map(([name, k]) => [name, k] as const))('%s: fits the default limits, group 0, read_write only where it writes', (name, k) => {
    const storage = k.info.bindings.filter((b) => b.kind !== 'uniform');
    expect(storage.length, `${name}: ${storage.length} storage buffers (${storage.map((b) => b.name).join(', ')}), WebGPU's default limit is ${MAX_STORAGE_BUFFERS}`).toBeLessThanOrEqual(MAX_STORAGE_BUFFERS);
    expect(k.info.bindings.filter((b) => b.kind === 'uniform').length, `${name}: uniform bindings`).toBeLessThanOrEqual(1);
    expect(k.info.bindings.filter((b) => b.group !== 0).map((b) => b.name), `${name}: bindings outside group 0`).toEqual([]);
    expect(new Set(k.info.bindings.map((b) => b.binding)).size, `${name}: binding numbers must be distinct`).toBe(k.info.bindings.length);
    const neverWritten = storage.filter((b) => b.kind === 'storage' && !writes(k.source, b.name)).map((b) => b.name);
    expect(neverWritten, `${name}: read_write bindings the kernel never writes (declare them read)`).toEqual([]);
    const writtenReadOnly = storage.filter((b) => b.kind === 'read-only-storage' && writes(k.source, b.name)).map((b) => b.name);
    expect(writtenReadOnly, `${name}: read-only bindings assigned to`).toEqual([]);
  });

  it('every step and layer kernel declares lengths [B] as read-only i32 storage', () => {
    const recurrent = Object.keys(KERNELS).filter((n) => /_(step|layer)_(forward|backward)$/.test(n));
    expect(recurrent.length).toBeGreaterThanOrEqual(6);
    const bad = recurrent.filter((n) => {
      const b = KERNELS[n]!.info.bindings.find((x) => x.name === 'lengths');
      return !b || b.kind !== 'read-only-storage' || b.elementType !== 'i32';
    });
    expect(bad, 'kernels without lengths: read-only storage of i32').toEqual([]);
  });

  it.each(Object.keys(CONTRACT).map((n) => [n] as const))('%s declares exactly the bindings and uniforms of its contract', (name) => {
    const k = KERNELS[name];
    expect(k, `${name}: not in the table`).toBeDefined();
    const want = CONTRACT[name]!;
    const storage = Object.fromEntries(k!.info.bindings.filter((b) => b.kind !== 'uniform').map((b) => [b.name, [b.kind, b.elementType]]));
    expect(storage, `${name}: storage bindings [kind, element type]`).toEqual(want.storage);
    const members = Object.fromEntries((k!.info.uniform?.members ?? []).map((m) => [m.name, m.type]));
    expect(members, `${name}: uniform members`).toEqual(want.uniforms);
  });

  it('the writes() probe sees assignments and only assignments', () => {
    const src = [
      'fn f() {',
      '  out[((e / w) * B + b) * w + e % w] = value;',
      '  let y = ins[i] == 3;',
      '  acc[i] += 1.0;',
      '  z = dx[u32(positions[q]) * I + i];',
      '  if (m != 0u && r >= u32(max(lengths[r % B], 0))) {',
      '    rows[r] = 0.0;',
      '  }',
      '  grads[params.gOffset + e] = s;',
      '}',
    ].join('\n');
    expect(['out', 'acc', 'rows', 'grads'].filter((n) => writes(src, n))).toEqual(['out', 'acc', 'rows', 'grads']);
    expect(['ins', 'dx', 'positions', 'lengths', 'params'].filter((n) => writes(src, n))).toEqual([]);
  });
});
