/**
 * Every name the package exports has a JSDoc comment (issue 10, item 5), and so has every public
 * member of an exported interface or class. The TypeScript compiler reads src/index.ts (the
 * browser entry re-exports it) as a program; each export is followed through its aliases to its
 * declaration, and `getDocumentationComment` gives its text, the text an editor shows. Members
 * that inherit their comment from an interface they implement (CpuEngine.loadModel from
 * Engine.loadModel) count as documented, as they do in an editor.
 *
 * The walk is first run on a two-file program with one documented and one undocumented name of
 * each kind, so a walker that finds nothing cannot pass.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Walk {
  /** Every name visited: `name` for an export, `Owner.member` for a member. */
  visited: string[];
  /** The names without a comment, each as `name (file:line)`. */
  missing: string[];
  /** The comment an editor shows for each visited name (its text and its tags). */
  docs: Map<string, string>;
}

/** Exported names and public members of exported interfaces and classes of `entry`, and which lack JSDoc. */
function walkExports(entry: string, options: ts.CompilerOptions): Walk {
  const program = ts.createProgram([entry], options);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error(`jsdoc: the program has no source file ${entry}`);
  const module = checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`jsdoc: ${entry} is not a module`);
  const visited: string[] = [];
  const missing: string[] = [];
  const docs = new Map<string, string>();
  const seen = new Set<string>();

  const where = (sym: ts.Symbol): string => {
    const d = sym.declarations?.[0];
    if (!d) return '?';
    const sf = d.getSourceFile();
    return `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(d.getStart()).line + 1}`;
  };
  const isPublic = (d: ts.Declaration | undefined): boolean => {
    if (!d) return true;
    if (d.getSourceFile().fileName.includes('/node_modules/')) return false;
    if (ts.isPrivateIdentifier((d as { name?: ts.Node }).name ?? d)) return false;
    return (ts.getCombinedModifierFlags(d) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0;
  };
  const visit = (raw: ts.Symbol, name: string, isMember: boolean): void => {
    const sym = raw.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(raw) : raw;
    if (seen.has(name)) return;
    seen.add(name);
    visited.push(name);
    const text = ts.displayPartsToString(sym.getDocumentationComment(checker)).trim();
    if (text === '') missing.push(`${name} (${where(sym)})`);
    const tags = sym.getJsDocTags(checker).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`);
    docs.set(`${name} (${where(sym)})`, [text, ...tags].join('\n'));
    if (isMember) return;
    const decl = sym.declarations?.[0];
    if (!decl || !(ts.isInterfaceDeclaration(decl) || ts.isClassDeclaration(decl))) return;
    const members = [...checker.getDeclaredTypeOfSymbol(sym).getProperties()];
    // A class's static side too (its `prototype` is no member anyone documents).
    if (ts.isClassDeclaration(decl)) members.push(...checker.getTypeOfSymbol(sym).getProperties().filter((p) => p.name !== 'prototype'));
    for (const p of members) {
      if (isPublic(p.declarations?.[0])) visit(p, `${name}.${p.name}`, true);
    }
  };
  for (const s of checker.getExportsOfModule(module)) visit(s, s.name, false);
  return { visited, missing, docs };
}

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node', '@webgpu/types'],
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
};

describe('JSDoc on every exported name', () => {
  it('the walk finds undocumented exports, members and inherited comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsdoc-test-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
      // One declaration per line: TypeScript attaches a JSDoc comment only where it leads its line.
      writeFileSync(join(dir, 'a.ts'), [
        '/** Documented. */',
        'export interface Shape {',
        '  /** Documented. */',
        '  done: number;',
        '  bare: number;',
        '}',
        'export interface Bare {',
        '  /** Documented. */',
        '  x: number;',
        '  run(): void;',
        '}',
        '/** Documented. */',
        'export abstract class Base {',
        '  /** Documented. */',
        '  get ok(): boolean { return true; }',
        '}',
        'export class Impl extends Base implements Bare {',
        '  x = 1;',
        '  run(): void {}',
        '  protected hidden = 0;',
        '  private secret = 0;',
        '  static make(): Impl { return new Impl(); }',
        '}',
        'export const lonely = 1;',
        '/** Documented. */',
        'export function documented(): void {}',
      ].join('\n'));
      writeFileSync(join(dir, 'index.ts'), "export * from './a.js';\nexport { lonely as renamed } from './a.js';\n");
      const { visited, missing } = walkExports(join(dir, 'index.ts'), { ...OPTIONS, types: [], lib: [], noLib: true });
      const names = missing.map((m) => m.split(' ')[0]);
      expect(names.sort()).toEqual(['Bare', 'Bare.run', 'Impl', 'Impl.make', 'Impl.run', 'Shape.bare', 'lonely', 'renamed'].sort());
      // Impl.x inherits Bare.x's comment and Impl.ok Base.ok's; protected and private members are not walked.
      expect(visited).toEqual(expect.arrayContaining(['Impl.x', 'Impl.ok', 'Shape.done', 'documented']));
      expect(visited).not.toContain('Impl.hidden');
      expect(visited).not.toContain('Impl.secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('src/tasks/index.ts (webgpu-lstm/tasks): every export and public member too', () => {
    const { visited, missing } = walkExports(join(ROOT, 'src/tasks/index.ts'), OPTIONS);
    expect(visited).toEqual(expect.arrayContaining(['TASKS']));
    expect(missing, `${missing.length} exported names or members without JSDoc:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it('src/index.ts: every export and every public member of an exported interface or class', () => {
    const { visited, missing } = walkExports(join(ROOT, 'src/index.ts'), OPTIONS);
    // The walk reached the whole API, not a stub: the entry points and members named in README "API".
    expect(visited.length).toBeGreaterThan(250);
    expect(visited).toEqual(expect.arrayContaining([
      'createEngine', 'Engine.createModel', 'Model.fit', 'Trainer.step', 'Stream.step', 'ForwardResult.hN',
      'WebGPUEngine.counters', 'CpuEngine.release', 'InputError.name', 'Tensor.shape',
    ]));
    expect(missing, `${missing.length} exported names or members without JSDoc:\n  ${missing.join('\n  ')}\n`).toEqual([]);
  });

  it('no hover doc points at a file the package does not ship (the project\'s design notes, src/, test/, tools/)', () => {
    // package.json "files" ships dist/, bin/, shaders/ and README.md: a doc may point there only.
    const unshipped = /\b(?:DESIGN|SEEDS|STYLE)\.md\b|\bdocs\/[\w./-]+|\b(?:src|test|tools|scripts)\/[\w./-]+/;
    expect(unshipped.test('the error measure (DESIGN.md section 5)') && unshipped.test('see src/params.ts') && !unshipped.test('README "Tensor layout"')).toBe(true);
    const docs = new Map([...walkExports(join(ROOT, 'src/index.ts'), OPTIONS).docs, ...walkExports(join(ROOT, 'src/tasks/index.ts'), OPTIONS).docs]);
    const bad = [...docs].filter(([, text]) => unshipped.test(text)).map(([name, text]) => `${name}: …${text.match(unshipped)![0]}…`);
    expect(bad, `${bad.length} docs point at files the package does not ship:\n  ${bad.join('\n  ')}\n`).toEqual([]);
  });
});
