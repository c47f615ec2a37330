/**
 * The part of vitest's API that the kernel tests use, so that the same test files run outside
 * vitest: Deno maps the bare specifier `vitest` to this file (test/deno/importMap.json), imports a
 * test file (which registers its tests), then `takeSuite()` hands the tests over and `runSuite()`
 * runs them in order (scripts/kernels-deno.ts).
 *
 * Semantics follow vitest's where the tests rely on them: `toBe` is Object.is; `toEqual` is a deep
 * equality (Object.is on numbers, so NaN equals NaN and 0 differs from −0; properties that are
 * undefined are ignored); `toBeCloseTo(x, d)` is |x − a| < 10^−d / 2; `it.each` formats titles
 * printf-style (%s %d %i %f %j %o %#). A matcher or API vitest has and this file has not fails
 * loudly, naming it; it never passes silently.
 */

type Body = () => unknown;

export interface ShimTest {
  kind: 'test';
  name: string;
  fn: Body;
  skip: boolean;
}

export interface ShimSuite {
  kind: 'suite';
  name: string;
  children: Array<ShimTest | ShimSuite>;
  beforeAll: Body[];
  afterAll: Body[];
  skip: boolean;
}

const newSuite = (name: string, skip = false): ShimSuite => ({ kind: 'suite', name, children: [], beforeAll: [], afterAll: [], skip });

let root = newSuite('');
let current = root;

/** The tests registered since the last call (one imported test file), as a suite named `name`. */
export function takeSuite(name: string): ShimSuite {
  const s = root;
  s.name = name;
  root = current = newSuite('');
  return s;
}

function register(name: string, body: () => void, skip: boolean): void {
  const s = newSuite(name, skip || current.skip);
  current.children.push(s);
  const parent = current;
  current = s;
  try {
    const r = body() as unknown;
    if (r instanceof Promise) throw new Error(`describe("${name}"): an async body is not supported here (nor by vitest's collection)`);
  } finally {
    current = parent;
  }
}

function addTest(name: string, fn: Body, skip: boolean): void {
  current.children.push({ kind: 'test', name, fn, skip: skip || current.skip });
}

/** printf-style title of one it.each row (vitest's subset: %s %d %i %f %j %o %# %%). */
function title(fmt: string, args: readonly unknown[], index: number): string {
  let n = 0;
  return fmt.replace(/%([sdifjo#%])/g, (m, c: string) => {
    if (c === '%') return '%';
    if (c === '#') return String(index);
    if (n >= args.length) return m;
    const v = args[n++];
    if (c === 'd' || c === 'f') return String(Number(v));
    if (c === 'i') return String(Math.trunc(Number(v)));
    if (c === 'j' || c === 'o') return JSON.stringify(v);
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  });
}

function each(add: (name: string, fn: Body) => void) {
  return (table: readonly unknown[]) => (fmt: string, fn: (...args: unknown[]) => unknown) => {
    table.forEach((row, i) => {
      const args = Array.isArray(row) ? row : [row];
      add(title(fmt, args, i), () => fn(...args));
    });
  };
}

export const describe = Object.assign((name: string, body: () => void) => register(name, body, false), {
  skip: (name: string, body: () => void) => register(name, body, true),
  each: each((name, fn) => register(name, fn as () => void, false)),
});

export const it = Object.assign((name: string, fn: Body) => addTest(name, fn, false), {
  skip: (name: string, fn: Body) => addTest(name, fn, true),
  each: each((name, fn) => addTest(name, fn, false)),
});
export const test = it;

export function beforeAll(fn: Body): void {
  current.beforeAll.push(fn);
}
export function afterAll(fn: Body): void {
  current.afterAll.push(fn);
}

export interface ShimResult {
  /** Suite titles and the test's, joined with " > " as vitest prints them. */
  name: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  error?: string;
}

export interface RunOptions {
  /** Run only the tests whose full name this accepts; the others are reported as skipped. */
  only?: (name: string) => boolean;
  /** Titles of the enclosing suites. */
  path?: string[];
}

/** Runs a suite in order: its beforeAll hooks, its tests and suites, its afterAll hooks. */
export async function runSuite(s: ShimSuite, report: (r: ShimResult) => void, opts: RunOptions = {}): Promise<void> {
  const here = s.name ? [...(opts.path ?? []), s.name] : (opts.path ?? []);
  const hook = async (kind: string, fns: Body[]): Promise<boolean> => {
    for (const fn of fns) {
      const t0 = performance.now();
      try {
        await fn();
      } catch (e) {
        report({ name: [...here, kind].join(' > '), status: 'fail', ms: performance.now() - t0, error: describeError(e) });
        return false;
      }
    }
    return true;
  };
  // Hooks run only around tests that run (vitest skips them too when a filter leaves none).
  const runs = (x: ShimSuite, path: string[]): boolean => x.children.some((c) => c.kind === 'suite'
    ? runs(c, [...path, c.name])
    : !c.skip && (!opts.only || opts.only([...path, c.name].join(' > '))));
  const active = !s.skip && runs(s, here);
  if (active && !(await hook('beforeAll', s.beforeAll))) return;
  for (const c of s.children) {
    if (c.kind === 'suite') {
      await runSuite(c, report, { ...opts, path: here });
      continue;
    }
    const name = [...here, c.name].join(' > ');
    if (c.skip || (opts.only && !opts.only(name))) {
      report({ name, status: 'skip', ms: 0 });
      continue;
    }
    const t0 = performance.now();
    try {
      await c.fn();
      report({ name, status: 'pass', ms: performance.now() - t0 });
    } catch (e) {
      report({ name, status: 'fail', ms: performance.now() - t0, error: describeError(e) });
    }
  }
  if (active) await hook('afterAll', s.afterAll);
}

function describeError(e: unknown): string {
  if (e instanceof AssertionFailure) return e.message;
  if (e instanceof Error) return e.stack ?? e.message;
  return String(e);
}

// ---------------------------------------------------------------------------------------------
// expect

class AssertionFailure extends Error {}

function show(v: unknown): string {
  let s: string;
  if (typeof v === 'function') s = `[function ${v.name || 'anonymous'}]`;
  else if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'bigint' || v === undefined || v === null || typeof v === 'boolean') s = Object.is(v, -0) ? '-0' : String(v);
  else if (v instanceof RegExp) s = String(v);
  else if (v instanceof Error) s = `${v.name}: ${v.message}`;
  else if (ArrayBuffer.isView(v)) s = `${v.constructor.name} [${Array.from(v as unknown as ArrayLike<number>).slice(0, 20).join(', ')}${(v as unknown as ArrayLike<number>).length > 20 ? ', …' : ''}]`;
  else {
    try {
      s = JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
    } catch {
      s = String(v);
    }
  }
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

/** vitest's `equals` as toEqual uses it: Object.is on primitives, deep on arrays, typed arrays and plain objects. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  if (a instanceof Error && b instanceof Error) return a.message === b.message;
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqual(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>, y = b as unknown as ArrayLike<unknown>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Does a thrown value match toThrow's argument (none, a RegExp, a substring, an Error class or instance)? */
function throwMatches(thrown: unknown, expected: unknown): boolean {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(message);
  if (typeof expected === 'string') return message.includes(expected);
  if (typeof expected === 'function') return thrown instanceof (expected as new () => unknown);
  if (expected instanceof Error) return message === expected.message;
  throw new AssertionFailure(`toThrow(${show(expected)}): this argument is not supported by test/deno/vitestShim.ts`);
}

type Check = (actual: unknown, ...args: unknown[]) => { pass: boolean; what: string };

const num = (v: unknown) => v as number;

/** Each matcher: whether it passes, and what "expected <actual> to …" says. */
const MATCHERS: Record<string, Check> = {
  toBe: (a, e) => ({ pass: Object.is(a, e), what: `be ${show(e)}` }),
  toEqual: (a, e) => ({ pass: deepEqual(a, e), what: `equal ${show(e)}` }),
  toStrictEqual: (a, e) => ({ pass: deepEqual(a, e), what: `strictly equal ${show(e)}` }),
  toBeCloseTo: (a, e, digits = 2) => {
    const x = num(a), y = num(e);
    const pass = (x === Infinity && y === Infinity) || (x === -Infinity && y === -Infinity) || Math.abs(y - x) < 10 ** -num(digits) / 2;
    return { pass, what: `be close to ${show(e)} (${digits} digits)` };
  },
  toBeLessThan: (a, e) => ({ pass: num(a) < num(e), what: `be < ${show(e)}` }),
  toBeLessThanOrEqual: (a, e) => ({ pass: num(a) <= num(e), what: `be ≤ ${show(e)}` }),
  toBeGreaterThan: (a, e) => ({ pass: num(a) > num(e), what: `be > ${show(e)}` }),
  toBeGreaterThanOrEqual: (a, e) => ({ pass: num(a) >= num(e), what: `be ≥ ${show(e)}` }),
  toBeNaN: (a) => ({ pass: Number.isNaN(a), what: 'be NaN' }),
  toBeTruthy: (a) => ({ pass: Boolean(a), what: 'be truthy' }),
  toBeFalsy: (a) => ({ pass: !a, what: 'be falsy' }),
  toBeDefined: (a) => ({ pass: a !== undefined, what: 'be defined' }),
  toBeUndefined: (a) => ({ pass: a === undefined, what: 'be undefined' }),
  toBeNull: (a) => ({ pass: a === null, what: 'be null' }),
  toBeInstanceOf: (a, e) => ({ pass: a instanceof (e as new () => unknown), what: `be an instance of ${(e as { name?: string }).name}` }),
  toHaveLength: (a, e) => ({ pass: (a as { length?: unknown })?.length === e, what: `have length ${show(e)}` }),
  toContain: (a, e) => ({ pass: typeof a === 'string' ? a.includes(e as string) : Array.from(a as ArrayLike<unknown>).includes(e), what: `contain ${show(e)}` }),
  toMatch: (a, e) => ({ pass: e instanceof RegExp ? e.test(a as string) : (a as string).includes(e as string), what: `match ${show(e)}` }),
};

interface Thrown { value: unknown }

/** toThrow on a function (called here) or, under rejects, on the rejection itself. */
function checkThrow(actual: unknown, rejected: Thrown | null, expected: unknown): { pass: boolean; what: string; got: string } {
  let thrown = rejected;
  if (!thrown) {
    if (typeof actual !== 'function') throw new AssertionFailure(`toThrow: expected a function, received ${show(actual)}`);
    try {
      (actual as () => unknown)();
    } catch (e) {
      thrown = { value: e };
    }
  }
  const what = `throw${expected === undefined ? '' : ` ${show(expected)}`}`;
  if (!thrown) return { pass: false, what, got: 'a function that did not throw' };
  return { pass: throwMatches(thrown.value, expected), what, got: `a function that threw ${show(thrown.value)}` };
}

interface Mode { not: boolean; promise: 'rejects' | 'resolves' | null }

function matchers(actual: unknown, message: string | undefined, mode: Mode): unknown {
  const fail = (got: string, what: string): never => {
    throw new AssertionFailure(`${message ? `${message}\n` : ''}expected ${got} ${mode.not ? 'not ' : ''}to ${what}`);
  };
  const apply = (name: string, args: unknown[], value: unknown, rejected: Thrown | null): void => {
    if (name === 'toThrow' || name === 'toThrowError') {
      const r = checkThrow(value, rejected, args[0]);
      if (r.pass === mode.not) fail(r.got, r.what);
      return;
    }
    const m = MATCHERS[name]!;
    const r = m(value, ...args);
    if (r.pass === mode.not) fail(show(value), r.what);
  };
  return new Proxy({}, {
    get(_, prop) {
      if (typeof prop !== 'string') return undefined;
      if (prop === 'not') return matchers(actual, message, { ...mode, not: !mode.not });
      if (prop === 'rejects' || prop === 'resolves') return matchers(actual, message, { ...mode, promise: prop });
      if (!(prop in MATCHERS) && prop !== 'toThrow' && prop !== 'toThrowError') {
        throw new AssertionFailure(`expect(…).${prop}: not implemented by test/deno/vitestShim.ts (add it there)`);
      }
      if (mode.promise === null) return (...args: unknown[]) => apply(prop, args, actual, null);
      return async (...args: unknown[]) => {
        let settled: { ok: true; value: unknown } | { ok: false; value: unknown };
        try {
          settled = { ok: true, value: await actual };
        } catch (e) {
          settled = { ok: false, value: e };
        }
        if (mode.promise === 'rejects') {
          if (settled.ok) throw new AssertionFailure(`${message ? `${message}\n` : ''}expected a promise that rejects, it resolved to ${show(settled.value)}`);
          apply(prop, args, settled.value, { value: settled.value });
        } else {
          if (!settled.ok) throw new AssertionFailure(`${message ? `${message}\n` : ''}expected a promise that resolves, it rejected with ${show(settled.value)}`);
          apply(prop, args, settled.value, null);
        }
      };
    },
  });
}

// The matchers are reached through a Proxy, so their names cannot be typed one by one; the test
// files are typechecked against vitest's own types (tsc), never against this file.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function expect(actual: unknown, message?: string): any {
  return matchers(actual, message, { not: false, promise: null });
}
