// The structure of a WGSL source as the build sees it (no parser: WGSL has no string literals, so
// comments and braces are enough): its comments, its top-level functions, and its include
// directives. WGSL has no #include, so a kernel names the shared helpers it uses with a line
//   // #include lib/<topic>.wgsl
// (a whole-line comment; the path is relative to shaders/), and resolveIncludes APPENDS those files
// after the kernel's own text, each once, a lib file's own includes too (module-scope declarations
// are order-independent in WGSL). So the kernel's lines keep their numbers in a compiler message;
// lines past its last are the included helpers. Used by scripts/reflect-kernels.mjs (the generated
// kernel table) and test/kernels/shared-helpers.test.ts (each helper defined once).

/** A directive line `// #include …`; group 1 is what follows the keyword. */
const INCLUDE = /^[ \t]*\/\/[ \t]*#include\b(.*)$/;
/** What an include may name: a file directly in shaders/lib/. */
const LIB_PATH = /^lib\/[A-Za-z0-9_-]+\.wgsl$/;

/**
 * The code with every comment replaced by spaces (newlines kept), so that offsets stay those of the
 * source and braces in comments do not count. WGSL has line comments and nestable block comments,
 * and no string literals.
 */
export function blankComments(code) {
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

/**
 * Every top-level function of one WGSL source: { file, name, text (from `fn` to its closing brace,
 * comments inside included), start and end (offsets of `fn` and one past the brace), line (1-based,
 * of `fn`), entry (a @compute, @vertex or @fragment attribute before it) }.
 */
export function topLevelFunctions(file, code) {
  const blank = blankComments(code);
  const fns = [];
  let depth = 0, lastTop = 0; // end of the previous top-level item (for the attributes before `fn`)
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i];
    if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) lastTop = i + 1;
    } else if (ch === ';' && depth === 0) lastTop = i + 1;
    else if (depth === 0 && blank.startsWith('fn', i) && !/\w/.test(blank[i - 1] ?? ' ') && /\s/.test(blank[i + 2] ?? '')) {
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
      fns.push({
        file, name: m[1], text: code.slice(i, close + 1), start: i, end: close + 1,
        line: code.slice(0, i).split('\n').length, entry: /@(compute|vertex|fragment)\b/.test(blank.slice(lastTop, i)),
      });
      i = close;
      lastTop = close + 1;
    }
  }
  return fns;
}

/** The names among `names` that the code calls (`name(` outside comments, not its own `fn name(`). */
export function callsIn(code, names) {
  const blank = blankComments(code);
  const called = new Set();
  for (const m of blank.matchAll(/(?<![\w.])([A-Za-z_]\w*)\s*\(/g)) {
    if (!names.has(m[1])) continue;
    if (/\bfn\s+$/.test(blank.slice(Math.max(0, m.index - 8), m.index))) continue;
    called.add(m[1]);
  }
  return called;
}

/** The includes of a WGSL source, in order: { path, line } per `// #include` line; a path that is not lib/<name>.wgsl throws. */
export function includesOf(file, code) {
  const found = [];
  code.split('\n').forEach((text, k) => {
    const m = INCLUDE.exec(text);
    if (!m) return;
    const path = m[1].trim();
    if (!LIB_PATH.test(path)) {
      throw new Error(`${file}:${k + 1}: #include expects a path lib/<name>.wgsl, got ${JSON.stringify(path.slice(0, 80))}`);
    }
    found.push({ path, line: k + 1 });
  });
  return found;
}

/**
 * The kernel `name` (source `code`) with its includes resolved: every file it includes, directly or
 * through a lib file, appended after the kernel's text, each once, in the order first named (depth
 * first). Of the appended files' functions only those the kernel reaches (calls, or calls through
 * another kept helper) are kept: a lib file may hold helpers a kernel does not use, and the users'
 * bundle need not carry them. `read(path)` returns the text of shaders/<path>, or undefined when
 * there is no such file. Returns { code, libs (the appended paths, in order), kernelLines (the
 * kernel's own line count: lines past it are the helpers') }.
 */
export function resolveIncludes(name, code, read) {
  const libs = [];
  const texts = new Map();
  const visit = (file, text) => {
    for (const { path, line } of includesOf(file, text)) {
      if (texts.has(path)) continue;
      const lib = read(path);
      if (lib === undefined) throw new Error(`${file}:${line}: #include ${path}: no such file shaders/${path}`);
      libs.push(path);
      texts.set(path, lib);
      visit(path, lib);
    }
  };
  const kernel = code.endsWith('\n') ? code : `${code}\n`;
  visit(`${name}.wgsl`, kernel);
  const helpers = new Map(); // name → { path, fn }: the lib functions
  for (const path of libs) {
    for (const fn of topLevelFunctions(path, texts.get(path))) {
      if (helpers.has(fn.name)) throw new Error(`${name}.wgsl: function ${fn.name} is defined in both ${helpers.get(fn.name).path} and ${path}`);
      helpers.set(fn.name, { path, fn });
    }
  }
  for (const fn of topLevelFunctions(`${name}.wgsl`, kernel)) {
    if (helpers.has(fn.name)) throw new Error(`${name}.wgsl:${fn.line}: function ${fn.name} is already defined in ${helpers.get(fn.name).path}, which it includes`);
  }
  const names = new Set(helpers.keys());
  const kept = new Set();
  const reach = (text) => {
    for (const called of callsIn(text, names)) {
      if (kept.has(called)) continue;
      kept.add(called);
      reach(helpers.get(called).fn.text);
    }
  };
  reach(kernel);
  const parts = [kernel];
  for (const path of libs) {
    let text = texts.get(path);
    const unused = [...helpers.values()].filter((h) => h.path === path && !kept.has(h.fn.name)).map((h) => h.fn);
    for (const fn of unused.sort((a, b) => b.start - a.start)) text = text.slice(0, fn.start) + text.slice(fn.end);
    parts.push(text.endsWith('\n') ? text : `${text}\n`);
  }
  return { code: parts.join(''), libs, kernelLines: kernel.split('\n').length - 1 };
}
