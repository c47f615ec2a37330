/**
 * The WGSL helpers copied between shaders must not drift (no GPU needed). WGSL has no #include, so
 * helpers such as tanh4, sigmoid4, rows4, rowLength or dhA are copied into every shader that uses
 * them; a fix made in one copy and not the others leaves two kernels computing different things
 * under one name. This file reads every shaders/*.wgsl, extracts each top-level
 * `fn name(…) … { … }` (brace matching, comments skipped) and fails
 *   - when a helper name appears in two or more shaders with different text in any of them (the
 *     copies must be byte-identical), naming the helper and the files of each variant;
 *   - when two helpers with different names have identical text apart from the name (a renamed
 *     copy: give the copies one name).
 * Entry points (`@compute … fn main`) are not helpers and are left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SHADERS = fileURLToPath(new URL('../../shaders/', import.meta.url));

interface WgslFunction {
  file: string;
  name: string;
  /** The source from `fn` to its closing brace, as written (comments inside included). */
  text: string;
  /** 1-based line of `fn`. */
  line: number;
  /** An entry point (a @compute, @vertex or @fragment attribute before it). */
  entry: boolean;
}

/**
 * The code with every comment replaced by spaces (newlines kept), so that offsets stay those of the
 * source and braces in comments do not count. WGSL has line comments and nestable block comments,
 * and no string literals.
 */
function blankComments(code: string): string {
  let out = '';
  let i = 0, depth = 0;
  while (i < code.length) {
    if (depth === 0 && code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      const stop = end < 0 ? code.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (code.startsWith('/*', i)) {
      depth++;
      out += '  ';
      i += 2;
    } else if (depth > 0 && code.startsWith('*/', i)) {
      depth--;
      out += '  ';
      i += 2;
    } else {
      out += depth > 0 && code[i] !== '\n' ? ' ' : code[i];
      i++;
    }
  }
  return out;
}

/** Every top-level function of one WGSL source. */
function topLevelFunctions(file: string, code: string): WgslFunction[] {
  const blank = blankComments(code);
  const fns: WgslFunction[] = [];
  let depth = 0, lastTop = 0; // end of the previous top-level item (for the attributes before `fn`)
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) lastTop = i + 1;
    } else if (ch === ';' && depth === 0) lastTop = i + 1;
    else if (depth === 0 && blank.startsWith('fn', i) && !/[\w]/.test(blank[i - 1] ?? ' ') && /\s/.test(blank[i + 2] ?? '')) {
      const m = /^fn\s+([A-Za-z_]\w*)/.exec(blank.slice(i));
      if (!m) throw new Error(`${file}: cannot read the name of the function at offset ${i}`);
      const open = blank.indexOf('{', i);
      if (open < 0) throw new Error(`${file}: function ${m[1]} has no body`);
      let d = 0, close = open;
      for (; close < blank.length; close++) {
        if (blank[close] === '{') d++;
        else if (blank[close] === '}' && --d === 0) break;
      }
      if (d !== 0) throw new Error(`${file}: the braces of function ${m[1]} do not match`);
      const attributes = blank.slice(lastTop, i);
      fns.push({
        file, name: m[1]!, text: code.slice(i, close + 1), line: code.slice(0, i).split('\n').length,
        entry: /@(compute|vertex|fragment)\b/.test(attributes),
      });
      i = close;
      lastTop = close + 1;
    }
  }
  return fns;
}

function shaderFunctions(): WgslFunction[] {
  return readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl')).sort()
    .flatMap((f) => topLevelFunctions(f, readFileSync(join(SHADERS, f), 'utf8')));
}

/** The text with its own name replaced: two helpers equal under this are copies of each other. */
const anonymous = (f: WgslFunction): string => f.text.replace(/^fn\s+[A-Za-z_]\w*/, 'fn _');

describe('topLevelFunctions (the extractor itself)', () => {
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
    const fns = topLevelFunctions('x.wgsl', code);
    expect(fns.map((f) => [f.name, f.line, f.entry])).toEqual([['a', 3, false], ['main', 7, true], ['c', 8, false]]);
    expect(fns[0]!.text).toBe('fn a(x: f32) -> f32 { if (x > 0.0) { return x; } /* } */ return -x; }');
    expect(anonymous(fns[2]!)).toBe('fn _() {}');
  });

  it('finds the helpers of the shipped shaders (the step kernels share tanh4 and rowLength)', () => {
    const fns = shaderFunctions();
    expect(fns.filter((f) => f.entry).length).toBe(readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl')).length);
    expect(fns.filter((f) => f.name === 'tanh4').length).toBeGreaterThanOrEqual(3);
    const withRowLength = new Set(fns.filter((f) => f.name === 'rowLength').map((f) => f.file));
    const steps = ['gru_step_backward.wgsl', 'gru_step_forward.wgsl', 'lstm_step_backward.wgsl', 'lstm_step_forward.wgsl', 'rnn_step_backward.wgsl', 'rnn_step_forward.wgsl'];
    expect(steps.filter((f) => !withRowLength.has(f))).toEqual([]);
  });
});

describe('WGSL helpers shared between shaders', () => {
  it('a helper name used in two or more shaders has byte-identical text in all of them', () => {
    const byName = new Map<string, WgslFunction[]>();
    for (const f of shaderFunctions().filter((x) => !x.entry)) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
    const drifted: string[] = [];
    for (const [name, fns] of byName) {
      if (new Set(fns.map((f) => f.file)).size < 2) continue;
      const variants = new Map<string, WgslFunction[]>();
      for (const f of fns) variants.set(f.text, [...(variants.get(f.text) ?? []), f]);
      if (variants.size > 1) {
        drifted.push(`${name}: ${variants.size} different texts: ${[...variants.values()].map((v, k) => `variant ${k + 1} in ${v.map((f) => `${f.file}:${f.line}`).join(', ')}`).join('; ')}`);
      }
    }
    expect(drifted, `helpers that drifted apart (make the copies byte-identical, or give different functions different names):\n${drifted.join('\n')}`).toEqual([]);
  });

  it('no helper is a renamed copy of another (identical text but for the name)', () => {
    const byBody = new Map<string, WgslFunction[]>();
    for (const f of shaderFunctions().filter((x) => !x.entry)) byBody.set(anonymous(f), [...(byBody.get(anonymous(f)) ?? []), f]);
    const renamed: string[] = [];
    for (const fns of byBody.values()) {
      const names = [...new Set(fns.map((f) => f.name))];
      if (names.length > 1) renamed.push(`${names.join(' = ')}: ${fns.map((f) => `${f.name} in ${f.file}:${f.line}`).join(', ')}`);
    }
    expect(renamed, `renamed copies of one helper (give them one name):\n${renamed.join('\n')}`).toEqual([]);
  });
});
