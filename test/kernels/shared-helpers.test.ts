/**
 * Every WGSL helper exists once (no GPU needed). WGSL has no #include, so the helpers kernels share
 * live in shaders/lib/<topic>.wgsl, and a kernel names the files it uses with directive lines
 * `// #include lib/<topic>.wgsl`, which the generator resolves by appending those files after the
 * kernel (scripts/wgsl-source.mjs, resolveIncludes). A helper written into two files can drift: a
 * fix made in one copy and not the other leaves two kernels computing different things under one
 * name. This file reads every shaders/*.wgsl (kernels) and shaders/lib/*.wgsl, extracts each
 * top-level `fn name(…) … { … }` (brace matching, comments skipped) and fails when
 *   - a function name is defined in two files (a copy: put it in a lib file and include that),
 *     except the hook a lib file declares with `// #expects fn name(…)` (lib/layerLoop.wgsl calls
 *     the including kernel's layerStep), which each kernel that includes that lib defines;
 *   - two functions with different names have identical text apart from the name (a renamed copy);
 *   - an #include names a file that does not exist (or not a lib path), or a file includes one twice;
 *   - a file (kernel or lib) calls a lib function without including that function's file directly,
 *     or includes a file it calls no function of (the include list says what a file depends on);
 *   - a kernel that includes a lib with `#expects fn name` does not define it;
 *   - a lib file has an entry point, does not start with its header comment `// lib/<topic>.wgsl:`
 *     (which says what an including shader must declare), or no kernel includes it (dead code).
 * Entry points (`@compute … fn main`) are not helpers and are left out of the duplicate checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface WgslFunction {
  file: string;
  name: string;
  /** The source from `fn` to its closing brace, as written (comments inside included). */
  text: string;
  start: number;
  end: number;
  /** 1-based line of `fn`. */
  line: number;
  /** An entry point (a @compute, @vertex or @fragment attribute before it). */
  entry: boolean;
}
interface WgslSource {
  topLevelFunctions(file: string, code: string): WgslFunction[];
  callsIn(code: string, names: Set<string>): Set<string>;
  includesOf(file: string, code: string): { path: string; line: number }[];
}

/** The build's WGSL source reader (plain JavaScript, a build tool: imported by URL, typed here). */
const src = (await import(new URL('../../scripts/wgsl-source.mjs', import.meta.url).href)) as WgslSource;

const SHADERS = fileURLToPath(new URL('../../shaders/', import.meta.url));

interface ShaderFile {
  /** Relative to shaders/: `lstm_step_forward.wgsl`, `lib/activations.wgsl`. */
  path: string;
  lib: boolean;
  code: string;
  fns: WgslFunction[];
  includes: { path: string; line: number }[];
  /** The hooks it declares (`// #expects fn name`), lib files only. */
  expects: string[];
}

function shaderFile(path: string, code: string): ShaderFile {
  return {
    path, lib: path.startsWith('lib/'), code, fns: src.topLevelFunctions(path, code), includes: src.includesOf(path, code),
    expects: [...code.matchAll(/^[ \t]*\/\/[ \t]*#expects[ \t]+fn[ \t]+([A-Za-z_]\w*)/gm)].map((m) => m[1]!),
  };
}

function shaderFiles(): ShaderFile[] {
  const kernels = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl')).sort();
  const libs = readdirSync(join(SHADERS, 'lib')).filter((f) => f.endsWith('.wgsl')).sort().map((f) => `lib/${f}`);
  return [...kernels, ...libs].map((p) => shaderFile(p, readFileSync(join(SHADERS, p), 'utf8')));
}

/** The text with its own name replaced: two helpers equal under this are copies of each other. */
const anonymous = (f: WgslFunction): string => f.text.replace(/^fn\s+[A-Za-z_]\w*/, 'fn _');

/** Each problem rule over a set of files (the shipped shaders, or a broken set made up to prove the rules fail). */
function problems(files: ShaderFile[]): Record<string, string[]> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const hooks = new Map<string, string>(); // hook name → the lib that expects it
  for (const f of files.filter((x) => x.lib)) for (const h of f.expects) hooks.set(h, f.path);
  const helpers = new Map<string, string>(); // lib function → its file
  for (const f of files.filter((x) => x.lib)) for (const fn of f.fns) helpers.set(fn.name, f.path);
  const out: Record<string, string[]> = { twice: [], renamed: [], includes: [], calls: [], hooks: [], libs: [] };

  const byName = new Map<string, WgslFunction[]>();
  for (const fn of files.flatMap((f) => f.fns).filter((x) => !x.entry)) byName.set(fn.name, [...(byName.get(fn.name) ?? []), fn]);
  for (const [name, fns] of byName) {
    const where = fns.map((fn) => `${fn.file}:${fn.line}`);
    if (fns.length < 2) continue;
    const hookOf = hooks.get(name);
    if (hookOf && fns.every((fn) => !fn.file.startsWith('lib/') && byPath.get(fn.file)!.includes.some((i) => i.path === hookOf))) continue;
    out.twice!.push(`${name}: defined in ${where.join(', ')}`);
  }

  const byBody = new Map<string, WgslFunction[]>();
  for (const fn of files.flatMap((f) => f.fns).filter((x) => !x.entry)) byBody.set(anonymous(fn), [...(byBody.get(anonymous(fn)) ?? []), fn]);
  for (const fns of byBody.values()) {
    const names = [...new Set(fns.map((f) => f.name))];
    if (names.length > 1) out.renamed!.push(`${names.join(' = ')}: ${fns.map((f) => `${f.name} in ${f.file}:${f.line}`).join(', ')}`);
  }

  const names = new Set(helpers.keys());
  for (const f of files) {
    const seen = new Set<string>();
    for (const inc of f.includes) {
      if (!byPath.has(inc.path) || !inc.path.startsWith('lib/')) out.includes!.push(`${f.path}:${inc.line}: #include ${inc.path}: no such lib file`);
      if (seen.has(inc.path)) out.includes!.push(`${f.path}:${inc.line}: #include ${inc.path} a second time`);
      if (inc.path === f.path) out.includes!.push(`${f.path}:${inc.line}: includes itself`);
      seen.add(inc.path);
    }
    const own = new Set(f.fns.map((fn) => fn.name));
    const called = [...src.callsIn(f.code, names)].filter((n) => !own.has(n));
    for (const n of called) {
      if (!seen.has(helpers.get(n)!)) out.calls!.push(`${f.path}: calls ${n} without \`// #include ${helpers.get(n)}\``);
    }
    for (const path of seen) {
      const lib = byPath.get(path);
      if (lib && !lib.fns.some((fn) => called.includes(fn.name))) out.calls!.push(`${f.path}: includes ${path} and calls none of its functions (${lib.fns.map((fn) => fn.name).join(', ')})`);
    }
    if (!f.lib) {
      for (const path of seen) {
        for (const h of byPath.get(path)?.expects ?? []) {
          if (!own.has(h)) out.hooks!.push(`${f.path}: includes ${path}, which expects the kernel to define fn ${h}`);
        }
      }
    }
  }

  for (const f of files.filter((x) => x.lib)) {
    if (f.fns.some((fn) => fn.entry)) out.libs!.push(`${f.path}: has an entry point (a lib file holds helpers only)`);
    if (!f.code.startsWith(`// ${f.path}:`)) out.libs!.push(`${f.path}: does not start with its header comment \`// ${f.path}: …\``);
    const includers = files.filter((k) => k.includes.some((i) => i.path === f.path));
    if (includers.length === 0) out.libs!.push(`${f.path}: included by no file`);
  }
  return out;
}

const RULES: [keyof ReturnType<typeof problems> & string, string][] = [
  ['twice', 'functions defined in two files (move the helper to shaders/lib/ and include it)'],
  ['renamed', 'renamed copies of one helper (give them one name, in one file)'],
  ['includes', '#include lines that name no lib file or repeat one'],
  ['calls', 'include lists that do not match the lib functions a file calls'],
  ['hooks', 'kernels that do not define the hook an included lib expects'],
  ['libs', 'lib files without a header, with an entry point, or included by nothing'],
];

describe('the WGSL source reader (scripts/wgsl-source.mjs)', () => {
  it('finds top-level functions with nested braces, skips braces in comments, marks entry points', () => {
    const code = [
      'struct P { a: u32 }',
      '// fn commented(x: f32) -> f32 { return x; }',
      'fn a(x: f32) -> f32 { if (x > 0.0) { return x; } /* } */ return -x; }',
      '/* a /* nested */ block fn b() {} */',
      'override WG: u32 = 64;',
      '@compute @workgroup_size(WG)',
      'fn main(@builtin(global_invocation_id) gid: vec3u) { let y = a(1.0); }',
      'fn   c() {}',
    ].join('\n');
    const fns = src.topLevelFunctions('x.wgsl', code);
    expect(fns.map((f) => [f.name, f.line, f.entry])).toEqual([['a', 3, false], ['main', 7, true], ['c', 8, false]]);
    expect(fns[0]!.text).toBe('fn a(x: f32) -> f32 { if (x > 0.0) { return x; } /* } */ return -x; }');
    expect(code.slice(fns[0]!.start, fns[0]!.end)).toBe(fns[0]!.text);
    expect(anonymous(fns[2]!)).toBe('fn _() {}');
  });

  it('sees calls (not definitions, not comments, not member names) and include lines', () => {
    const code = 'fn f(x: f32) -> f32 { return g (x) + s.h(x); }\n// g(1.0) k(2.0)\n  //   #include lib/a.wgsl  \nfn k() { f(1.0); }\n';
    expect([...src.callsIn(code, new Set(['f', 'g', 'h', 'k']))].sort()).toEqual(['f', 'g']);
    expect(src.includesOf('x.wgsl', code)).toEqual([{ path: 'lib/a.wgsl', line: 3 }]);
    expect(() => src.includesOf('x.wgsl', '// #include ../matmul.wgsl\n')).toThrow(/x\.wgsl:1: #include expects a path lib\/<name>\.wgsl, got "\.\.\/matmul\.wgsl"/);
  });

  it('reads the shipped shaders: one entry point per kernel, none in lib/, the recurrent helpers in lib/ only', () => {
    const files = shaderFiles();
    const kernels = files.filter((f) => !f.lib);
    expect(kernels.length).toBeGreaterThanOrEqual(20);
    expect(kernels.filter((f) => f.fns.filter((fn) => fn.entry).length !== 1).map((f) => f.path)).toEqual([]);
    const defined = (name: string) => files.filter((f) => f.fns.some((fn) => fn.name === name)).map((f) => f.path);
    for (const [name, lib] of [['tanh4', 'activations'], ['sigmoid4', 'activations'], ['rows4', 'rows'], ['rowLength', 'lengths'], ['h4', 'states'], ['gx4', 'states'], ['dhA', 'dhAbove'], ['gt', 'gates'], ['quietNan', 'nan'], ['storedRow', 'matmulTiles'], ['aBases', 'matmulTiles'], ['loadA', 'matmulTiles'], ['loadB', 'matmulTiles'], ['outer', 'matmulTiles']]) {
      expect(defined(name!), name).toEqual([`lib/${lib}.wgsl`]);
    }
    // Every step and layer kernel reaches rowLength (lib/lengths.wgsl) through its includes.
    const byPath = new Map(files.map((f) => [f.path, f]));
    const reached = (f: ShaderFile, acc = new Set<string>()): Set<string> => {
      for (const i of f.includes) if (!acc.has(i.path)) { acc.add(i.path); reached(byPath.get(i.path)!, acc); }
      return acc;
    };
    const steps = kernels.filter((f) => /_(step|layer)_(forward|backward)\.wgsl$/.test(f.path));
    expect(steps.length).toBe(12);
    expect(steps.filter((f) => !reached(f).has('lib/lengths.wgsl')).map((f) => f.path)).toEqual([]);
  });
});

describe('WGSL helpers: each exists once, and each kernel includes what it calls', () => {
  const found = problems(shaderFiles());
  it.each(RULES)('%s: %s', (rule, what) => {
    expect(found[rule], `${what}:\n${found[rule]!.join('\n')}`).toEqual([]);
  });

  it('the rules fail on a made-up tree that breaks each of them', () => {
    const files = [
      shaderFile('lib/act.wgsl', '// lib/act.wgsl: pure.\nfn tanh4(x: vec4f) -> vec4f { return x; }\nfn sq(x: f32) -> f32 { return x * x; }\n'),
      shaderFile('lib/loop.wgsl', '// lib/loop.wgsl: a hook.\n// #expects fn layerStep(t: u32)\nfn layerLoop() { layerStep(0u); }\n'),
      shaderFile('lib/dead.wgsl', 'fn unused() {}\n@compute @workgroup_size(1) fn main() {}\n'),
      // A copy of tanh4, a renamed copy of sq, a missing and a repeated include, a call without its include.
      shaderFile('k1.wgsl', '// #include lib/loop.wgsl\n// #include lib/nope.wgsl\n// #include lib/loop.wgsl\nfn tanh4(x: vec4f) -> vec4f { return x; }\nfn square(x: f32) -> f32 { return x * x; }\nfn layerStep(t: u32) {}\n@compute @workgroup_size(1) fn main() { layerLoop(); let y = sq(2.0); }\n'),
      // Includes act and calls none of it; includes the hook's lib without defining the hook; a layerStep that is no hook.
      shaderFile('k2.wgsl', '// #include lib/act.wgsl\n// #include lib/loop.wgsl\n@compute @workgroup_size(1) fn main() { layerLoop(); }\n'),
      shaderFile('k3.wgsl', 'fn layerStep(t: u32) {}\n@compute @workgroup_size(1) fn main() {}\n'),
    ];
    const p = problems(files);
    expect(p.twice).toEqual(['tanh4: defined in lib/act.wgsl:2, k1.wgsl:4', 'layerStep: defined in k1.wgsl:6, k3.wgsl:1']);
    expect(p.renamed).toEqual(['sq = square: sq in lib/act.wgsl:3, square in k1.wgsl:5']);
    expect(p.includes).toEqual(['k1.wgsl:2: #include lib/nope.wgsl: no such lib file', 'k1.wgsl:3: #include lib/loop.wgsl a second time']);
    expect(p.calls).toEqual(['k1.wgsl: calls sq without `// #include lib/act.wgsl`', 'k2.wgsl: includes lib/act.wgsl and calls none of its functions (tanh4, sq)']);
    expect(p.hooks).toEqual(['k2.wgsl: includes lib/loop.wgsl, which expects the kernel to define fn layerStep']);
    expect(p.libs).toEqual(['lib/dead.wgsl: has an entry point (a lib file holds helpers only)', 'lib/dead.wgsl: does not start with its header comment `// lib/dead.wgsl: …`', 'lib/dead.wgsl: included by no file']);
  });
});
