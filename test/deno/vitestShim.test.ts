/**
 * test/deno/vitestShim.ts, the stand-in for vitest under which scripts/kernels-deno.ts runs the
 * kernel tests on wgpu: its matchers must fail where vitest's fail (a shim that passes everything
 * would make the Deno suite green for nothing), and its runner must keep vitest's order and hooks.
 */
import { describe, expect, it } from 'vitest';
import * as shim from './vitestShim.js';

/** Runs `body` as a shim test file and returns what the runner reported. */
async function runShim(body: () => void, only?: (name: string) => boolean): Promise<shim.ShimResult[]> {
  body();
  const results: shim.ShimResult[] = [];
  await shim.runSuite(shim.takeSuite('file'), (r) => results.push(r), { only });
  return results;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Expect = (actual: unknown, message?: string) => any;

/** Assertions that must fail, written once and run with vitest's expect and with the shim's. */
const FAILING: Array<[string, (e: Expect) => unknown]> = [
  ['toEqual on a non-empty list', (e) => e(['a'], 'the failures').toEqual([])],
  ['toBe 0, -0', (e) => e(0).toBe(-0)],
  ['toEqual 0, -0', (e) => e(0).toEqual(-0)],
  ['toEqual typed arrays', (e) => e(new Float32Array([1, 2])).toEqual(new Float32Array([1, 3]))],
  ['toEqual a missing key', (e) => e({ a: 1 }).toEqual({ a: 1, b: 2 })],
  ['toBeCloseTo past half a digit', (e) => e(1.006).toBeCloseTo(1, 2)],
  ['toBeLessThan equal', (e) => e(2).toBeLessThan(2)],
  ['toBeLessThanOrEqual', (e) => e(3).toBeLessThanOrEqual(2)],
  ['toThrow, no throw', (e) => e(() => 1).toThrow()],
  ['toThrow, other message', (e) => e(() => { throw new Error('other'); }).toThrow(/expected/)],
  ['not.toBe', (e) => e(true).not.toBe(true)],
  ['rejects, resolved', (e) => e(Promise.resolve(1)).rejects.toThrow()],
  ['rejects, other message', (e) => e(Promise.reject(new Error('no'))).rejects.toThrow(/yes/)],
];

/** Assertions that must pass under both. */
const PASSING: Array<[string, (e: Expect) => unknown]> = [
  ['toEqual empty', (e) => e([]).toEqual([])],
  ['toBe NaN', (e) => e(Number.NaN).toBe(Number.NaN)],
  ['toEqual NaN, undefined keys', (e) => e([Number.NaN, { a: 1, b: undefined }]).toEqual([Number.NaN, { a: 1 }])],
  ['toEqual typed arrays', (e) => e(new Float32Array([1, 2])).toEqual(new Float32Array([1, 2]))],
  ['toBeCloseTo within half a digit', (e) => e(1.004).toBeCloseTo(1, 2)],
  ['toBeCloseTo 15 digits', (e) => e(0.1 + 0.2).toBeCloseTo(0.3, 15)],
  ['toThrow RegExp', (e) => e(() => { throw new Error('override TM: expected one of 4'); }).toThrow(/override TM/)],
  ['toThrow substring', (e) => e(() => { throw new Error('abc'); }).toThrow('b')],
  ['not.toBe', (e) => e(1).not.toBe(2)],
  ['rejects.toThrow', (e) => e(Promise.reject(new Error('extra is not a member'))).rejects.toThrow(/extra is not a member/)],
];

async function outcome(f: () => unknown): Promise<'pass' | 'fail'> {
  try {
    await f();
    return 'pass';
  } catch {
    return 'fail';
  }
}

describe('vitestShim expect', () => {
  it.each([...FAILING.map(([n, f]) => [n, 'fail', f] as const), ...PASSING.map(([n, f]) => [n, 'pass', f] as const)])('%s: must %s under vitest and the shim', async (_, want, f) => {
    expect(await outcome(() => f(expect as Expect))).toBe(want);
    expect(await outcome(() => f(shim.expect))).toBe(want);
  });

  it('names a matcher it does not have instead of passing', () => {
    expect(() => shim.expect(1).toMatchSnapshot()).toThrow(/toMatchSnapshot: not implemented by test\/deno\/vitestShim\.ts/);
  });

  it('puts the message first in a failure', () => {
    expect(() => shim.expect(['seed 1, C=3: wrong'], 'seed 1, C=3: wrong').toEqual([])).toThrow(/^seed 1, C=3: wrong\nexpected \["seed 1, C=3: wrong"\] to equal \[\]$/);
  });
});

describe('vitestShim runner', () => {
  it('runs hooks and tests in order, names them as vitest does, formats it.each titles', async () => {
    const log: string[] = [];
    const results = await runShim(() => {
      shim.afterAll(() => void log.push('file afterAll'));
      shim.describe('outer', () => {
        shim.beforeAll(() => void log.push('beforeAll'));
        shim.it('a', () => void log.push('a'));
        shim.it.each([[1, 'x'], [2.7, 'y']] as const)('n %i, s %s', (n, s) => void log.push(`${n}${s}`));
        shim.it('fails', () => shim.expect(1).toBe(2));
        shim.afterAll(() => void log.push('afterAll'));
      });
    });
    expect(log).toEqual(['beforeAll', 'a', '1x', '2.7y', 'afterAll', 'file afterAll']);
    expect(results.map((r) => `${r.status} ${r.name}`)).toEqual([
      'pass file > outer > a', 'pass file > outer > n 1, s x', 'pass file > outer > n 2, s y', 'fail file > outer > fails',
    ]);
    expect(results[3]!.error).toMatch(/expected 1 to be 2/);
  });

  it('skips what the filter leaves out, and the hooks of a suite with nothing left to run', async () => {
    const log: string[] = [];
    const results = await runShim(() => {
      shim.describe('kept', () => {
        shim.it('yes', () => void log.push('yes'));
        shim.it('no', () => void log.push('no'));
      });
      shim.describe('dropped', () => {
        shim.afterAll(() => void log.push('dropped afterAll'));
        shim.it('other', () => void log.push('other'));
      });
    }, (name) => name.endsWith('yes'));
    expect(log).toEqual(['yes']);
    expect(results.map((r) => r.status)).toEqual(['pass', 'skip', 'skip']);
  });
});
