/**
 * The README's API examples run as written (no GPU needed: they ask for the cpu backend, and the
 * same calls run on webgpu in test/api-v1.test.ts). Every fenced block after a marker line
 * `<!-- api-example: NAME -->` is written to test/.readme/NAME.ts with `'webgpu-lstm'` pointing at
 * this checkout's src/index.ts, imported, and what it prints is compared with the comments of its
 * console.log lines (`console.log(…); // expected`). The packed package runs the app examples in
 * `npm run test:consumer`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = `${ROOT}test/.readme/`;
const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** The marked blocks of the README, in order. */
export function apiExamples(markdown: string): Array<{ name: string; code: string; line: number }> {
  const lines = markdown.split('\n');
  const out: Array<{ name: string; code: string; line: number }> = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^<!-- api-example: ([\w-]+) -->$/.exec(lines[i]!);
    if (!m) continue;
    let j = i + 1;
    while (lines[j]?.trim() === '') j++;
    if (!/^```ts$/.test(lines[j] ?? '')) throw new Error(`README.md:${i + 1}: api-example ${m[1]} is not followed by a \`\`\`ts block`);
    const body: string[] = [];
    for (j++; j < lines.length && lines[j] !== '```'; j++) body.push(lines[j]!);
    out.push({ name: m[1]!, code: body.join('\n'), line: i + 1 });
  }
  return out;
}

/** What each console.log line says it prints: the comment after it, when there is one. */
function expectedPrints(code: string): Array<string | null> {
  return code.split('\n').filter((l) => /^\s*console\.log\(/.test(l)).map((l) => /\);\s*\/\/\s*(.*)$/.exec(l)?.[1]?.trim() ?? null);
}

const examples = apiExamples(README);
mkdirSync(OUT, { recursive: true });
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('README API examples', () => {
  it('there are some (a README without them fails here)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  for (const ex of examples) {
    it(`${ex.name} (README.md:${ex.line}) runs and prints what its comments say`, async () => {
      const src = pathToFileURL(`${ROOT}src/index.ts`).href;
      const file = `${OUT}${ex.name}.ts`;
      writeFileSync(file, ex.code.replaceAll("from 'webgpu-lstm'", `from '${src}'`));
      const printed: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { printed.push(format(...a)); });
      try {
        await import(/* @vite-ignore */ `${pathToFileURL(file).href}?t=${Date.now()}`);
      } finally {
        spy.mockRestore();
      }
      const wanted = expectedPrints(ex.code);
      expect(printed.length, 'one print per console.log line (no logging inside loops in README examples)').toBe(wanted.length);
      wanted.forEach((w, i) => { if (w !== null) expect(printed[i], `print ${i + 1}`).toBe(w); });
    });
  }
});
