// The WGSL kernel suite on a second WebGPU implementation: wgpu, through Deno's navigator.gpu
// (Node's suite runs on Dawn). A portability check, in two parts:
//
//   1. Kernel tests: every test/kernels/*.test.ts, the vitest files themselves, unchanged. Deno maps
//      the bare specifier `vitest` to test/deno/vitestShim.ts (test/deno/importMap.json), and the
//      kernel harness is handed wgpu's device (useDevice in test/kernels/harness.ts), so each
//      kernel runs against its float64 twin on the tests' seeded ragged shapes, NaN-poisoned
//      outputs and per-kernel tolerances, exactly as in Node.
//   2. Whole passes of the engine: createEngine({ device }) on the same device against the
//      float64 CpuEngine, through runCheck (src/check.ts): `--cases` grad passes per cell × loss
//      (the heads cycle; odd cases carry random initial states), and a 20-step training run per
//      cell × optimizer with clipping. Prints the worst normwise error per (cell, tensor).
//
// Before both, a probe (test/fixtures/loopCount.ts) measures how many loop iterations one
// invocation may run. Mesa's llvmpipe/lavapipe (what wgpu picks on a Linux machine with Mesa and
// no GPU) stops all loops of an invocation after 65535 iterations in total, silently; a kernel
// test with a case longer than that (a row of 100003 logits, 100003 gradients in one partial) is
// listed in LONG_LOOP_TESTS and, on such an adapter only, its failure is reported as expected
// when every case it names as failing is such a long one. On other adapters (SwiftShader, real
// GPUs) these tests must pass like any other.
//
// The device gets WebGPU's *default* limits (what every implementation must give: 8 storage
// buffers per shader stage, 256 invocations per workgroup, 16 KiB of workgroup memory, 128 MiB
// storage bindings), not the adapter's, so a pass here also means the kernels fit a device that a
// caller made without asking for more. --adapter-limits requests the adapter's own, as the engine's
// own device does (src/webgpu/device/request.ts).
//
// What differs on wgpu (Deno 2.9.6), as measured with this script:
//   - Nothing the kernels use. wgpu (naga) compiles every shader unchanged (the registry's
//     build-time table, src/webgpu/kernels/generated.ts: the same sources Dawn gets): override-sized
//     @workgroup_size, override constants at pipeline creation, the uniform structs as packed from
//     reflection, read-only storage, at most 8 storage buffers per kernel (the default limit;
//     lstm_step_backward and gru_step_backward use all 8 since lengths was added, and
//     test/kernels/generated.test.ts keeps every kernel within it).
//   - wgpu checks a literal @workgroup_size against the device's limits but not one made of
//     overrides (WG = 2048 creates a pipeline on a 256-invocation device; Dawn refuses it), so
//     the hosts' own checks (matmulWorkgroups: at most 256 invocations) are the only guard.
//   - Adapter info: vendor is a PCI id in decimal ('65541' Mesa, '6880' SwiftShader) and
//     architecture is empty (src/webgpu/device/adapterInfo.ts handles it).
//   - Mesa's loop cap above: a limit of the driver that wgpu picks on Mesa machines, not of wgpu.
//
// Exit status 1 on any failed test, any tensor past tolerance, or any WebGPU error outside an
// error scope.
//
// Usage: npm run test:deno [-- options]
//   (= deno run --sloppy-imports --allow-all --import-map test/deno/importMap.json scripts/kernels-deno.ts)
//   --cases N         grad passes per cell × loss in part 2 (default 4, as `webgpu-lstm check`)
//   --seed N          seed of part 2 (default 1, as `webgpu-lstm check`; some other seeds draw an
//                     rnn_tanh RMSprop-Nesterov run so ill-conditioned that a 1e-7 change of its
//                     inputs moves the float64 result by 0.7: that fails on Dawn as well)
//   --filter REGEX    only the kernel tests whose full name matches
//   --skip-kernels    skip part 1;   --skip-check  skip part 2
//   --adapter-limits  request the adapter's limits instead of the defaults
//   --verbose         print every kernel test, not only the failures
import { parseArgs } from 'node:util';
import { runCheck, kernelsOf, type CheckRow } from '../src/check.ts';
import type { ModelConfig } from '../src/config.ts';
import { CpuEngine } from '../src/cpu/engine.ts';
import { createEngine } from '../src/index.ts';
import { describeAdapter } from '../src/webgpu/device/adapterInfo.ts';
import { limitsToRecord, openEngineDevice } from '../src/webgpu/device/request.ts';
import { watchDevice, type DeviceWatch } from '../src/webgpu/device/watch.ts';
import { measureLoopCount, type LoopCount } from '../test/fixtures/loopCount.ts';
import { useDevice } from '../test/kernels/harness.ts';
import { runSuite, takeSuite, type ShimResult } from '../test/deno/vitestShim.ts';
import { adapterOrRerun, denoFallback } from './denoAdapter.ts';

const WHO = 'kernels-deno';
const DENO_FLAGS = ['--sloppy-imports', '--allow-all', '--import-map', new URL('../test/deno/importMap.json', import.meta.url).pathname];
const KERNEL_TESTS = new URL('../test/kernels/', import.meta.url);
/** Limits printed in the header: the ones these kernels come nearest to. */
const SHOWN_LIMITS = ['maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'minStorageBufferOffsetAlignment'];

/** A bad command line: one line on stderr, exit status 2. */
class UsageError extends Error {}

const OPTIONS = {
  cases: { type: 'string', default: '4' },
  seed: { type: 'string', default: '1' },
  filter: { type: 'string' },
  'skip-kernels': { type: 'boolean', default: false },
  'skip-check': { type: 'boolean', default: false },
  'adapter-limits': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
} as const;

function parseOptions() {
  try {
    return parseArgs({ args: Deno.args, options: OPTIONS }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function intOption(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: expected an integer ≥ 0, received ${JSON.stringify(text)}`);
  return n;
}

/**
 * Kernel tests with a case whose invocation loops longer than Mesa's cap, and the failing-case
 * header that case prints (the tests print one `seed S, <sizes>:` line per failing case).
 */
const LONG_LOOP_TESTS: Array<{ test: RegExp; longCase: RegExp; why: string }> = [
  { test: /^loss\.test\.ts > softmax_cross_entropy\.wgsl .* > matches on every ragged/, longCase: /^seed \d+, R=1 C=100003 /, why: 'one invocation makes three passes over a row of 100003 logits' },
  { test: /^loss\.test\.ts > sigmoid_bce\.wgsl .* > matches on every ragged/, longCase: /^seed \d+, R=1 C=100003 /, why: 'one invocation walks a row of 100003 logits' },
  { test: /^loss\.test\.ts > mse_loss\.wgsl .* > matches on every ragged/, longCase: /^seed \d+, R=1 C=100003 /, why: 'one invocation walks a row of 100003 logits' },
  { test: /^optimizer\.test\.ts > grad_norm\.wgsl .* > matches on ragged n and P/, longCase: /^seed \d+, n=100003 P=1 /, why: 'one invocation (P = 1) sums 100003 gradients' },
];

/** Is this failure the adapter's loop cap, and only that? (Every failing case named is a long one.) */
function loopCapFailure(r: ShimResult, loop: LoopCount): string | null {
  if (loop.cap === null || r.status !== 'fail') return null;
  const known = LONG_LOOP_TESTS.find((k) => k.test.test(r.name));
  if (!known) return null;
  const cases = (r.error ?? '').split('\n').filter((l) => /^seed \d+, /.test(l));
  return cases.length > 0 && cases.every((l) => known.longCase.test(l)) ? known.why : null;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

function table(header: string[], rows: string[][], right: Set<number>): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

type Status = ShimResult['status'] | 'capped';

interface FileResult {
  file: string;
  results: Array<Omit<ShimResult, 'status'> & { status: Status; kernels: string[] }>;
  ms: number;
}

/** Part 1: imports each kernel test file (registering its tests) and runs its tests on `device`. */
async function kernelTests(device: GPUDevice, loop: LoopCount, filter: RegExp | null, verbose: boolean): Promise<FileResult[]> {
  const gpu = useDevice(device);
  // Which kernels each test dispatched: every dispatch gets its pipeline from the registry.
  let seen = new Set<string>();
  const get = gpu.registry.get.bind(gpu.registry);
  gpu.registry.get = (name, overrides) => {
    seen.add(name);
    return get(name, overrides);
  };
  const files = [...Deno.readDirSync(KERNEL_TESTS)].map((e) => e.name).filter((n) => n.endsWith('.test.ts')).sort();
  const out: FileResult[] = [];
  for (const file of files) {
    const t0 = performance.now();
    const results: FileResult['results'] = [];
    try {
      await import(new URL(file, KERNEL_TESTS).href);
    } catch (e) {
      results.push({ name: `${file} (import)`, status: 'fail', ms: 0, error: (e as Error).stack ?? String(e), kernels: [] });
    }
    const suite = takeSuite(file);
    seen = new Set();
    await runSuite(suite, (r) => {
      const capped = loopCapFailure(r, loop);
      const result = { ...r, status: capped ? 'capped' as const : r.status, kernels: [...seen].sort() };
      seen = new Set();
      results.push(result);
      if (result.status === 'fail') console.log(`FAIL ${result.name}\n  ${(result.error ?? '').replaceAll('\n', '\n  ')}`);
      if (capped) console.log(`expected failure (loop cap ${loop.cap}): ${result.name}: ${capped}\n  ${(r.error ?? '').split('\n').filter((l) => /^seed \d+, /.test(l)).join('\n  ')}`);
      else if (verbose && result.status === 'pass') console.log(`ok   ${seconds(result.ms).padStart(5)} s  ${result.name}  [${result.kernels.join(', ')}]`);
    }, { only: filter ? (name) => filter.test(name) : undefined });
    out.push({ file, results, ms: performance.now() - t0 });
  }
  return out;
}

function printKernelTables(files: FileResult[]): void {
  const count = (rs: FileResult['results'], s: Status) => String(rs.filter((r) => r.status === s).length);
  console.log(table(['file', 'pass', 'fail', 'loop cap', 'skip', 'seconds', 'kernels dispatched'],
    files.map((f) => [f.file, count(f.results, 'pass'), count(f.results, 'fail'), count(f.results, 'capped'), count(f.results, 'skip'), seconds(f.ms), [...new Set(f.results.flatMap((r) => r.kernels))].sort().join(', ')]),
    new Set([1, 2, 3, 4, 5])));
  const perKernel = new Map<string, { pass: number; fail: number; capped: number }>();
  for (const r of files.flatMap((f) => f.results)) {
    for (const k of r.kernels) {
      const e = perKernel.get(k) ?? { pass: 0, fail: 0, capped: 0 };
      if (r.status === 'pass') e.pass++;
      if (r.status === 'fail') e.fail++;
      if (r.status === 'capped') e.capped++;
      perKernel.set(k, e);
    }
  }
  console.log();
  console.log(table(['kernel', 'tests passed', 'failed', 'loop cap', 'verdict'],
    [...perKernel.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, e]) => [k, String(e.pass), String(e.fail), String(e.capped), e.fail ? 'FAIL' : e.capped ? 'ok below the loop cap' : 'ok']),
    new Set([1, 2, 3])));
}

/** Part 2: the worst error per (cell, tensor) of runCheck's rows, as `webgpu-lstm check` prints it. */
function printCheckTable(rows: CheckRow[]): number {
  const worst = new Map<string, { row: CheckRow; cell: string; tensor: string; kernels: string }>();
  for (const r of rows) {
    const cell = r.case.split(' ')[0]!;
    const training = r.case.includes(' train ');
    const key = `${cell} ${training ? 'train:' : ''}${r.tensor}`;
    const w = worst.get(key);
    if (!w || !(r.error / r.tolerance <= w.row.error / w.row.tolerance)) {
      worst.set(key, { row: r, cell, tensor: training ? `train: ${r.tensor}` : r.tensor, kernels: kernelsOf(cell as ModelConfig['cell'], training ? 'param' : r.tensor) });
    }
  }
  const list = [...worst.values()];
  console.log(table(['cell', 'tensor', 'worst error', 'tolerance', 'verdict', 'kernels', 'worst case'],
    list.map((w) => [w.cell, w.tensor, w.row.error.toExponential(2), String(w.row.tolerance), w.row.error <= w.row.tolerance ? 'ok' : 'FAIL', w.kernels, w.row.case]),
    new Set([2, 3])));
  return rows.filter((r) => !(r.error <= r.tolerance)).length;
}

async function main(): Promise<number> {
  const opts = parseOptions();
  const cases = intOption('cases', opts.cases!);
  const seed = intOption('seed', opts.seed!);
  let filter: RegExp | null = null;
  try {
    if (opts.filter !== undefined) filter = new RegExp(opts.filter);
  } catch (e) {
    throw new UsageError(`--filter: expected a regular expression, received ${JSON.stringify(opts.filter)} (${(e as Error).message})`);
  }

  const got = await adapterOrRerun(WHO, import.meta.url, DENO_FLAGS);
  if ('exitCode' in got) return got.exitCode;
  if ('error' in got) {
    console.error(`${WHO}: FAILED: ${got.error}`);
    return 1;
  }
  const adapter = got;
  const info = describeAdapter(adapter, denoFallback());
  const log = (m: string) => console.error(`${WHO}: ${m}`);
  let device: GPUDevice, watch: DeviceWatch;
  if (opts['adapter-limits']) {
    ({ device, watch } = await openEngineDevice(adapter, { fallback: info.fallback, log, label: WHO }));
  } else {
    device = await adapter.requestDevice({ label: WHO });
    watch = watchDevice(device, log);
  }
  const limits = limitsToRecord(device.limits);
  console.log(`runtime: deno ${Deno.version.deno} (wgpu)`);
  console.log(`adapter: ${info.description} (vendor "${info.vendor}", software: ${info.isFallbackAdapter}${info.fallback ? `; fallback: ${info.fallback}` : ''})`);
  console.log(`device limits (${opts['adapter-limits'] ? "the adapter's" : 'WebGPU defaults'}): ${SHOWN_LIMITS.map((k) => `${k} ${limits[k]}`).join(', ')}`);
  const loop = await measureLoopCount(device, await Deno.readTextFile(new URL('../test/fixtures/loop_count.wgsl', import.meta.url)));
  console.log(loop.cap === null
    ? `loop iterations per invocation: no cap (two loops of ${loop.n} ran in full)`
    : `loop iterations per invocation: CAPPED at ${loop.cap} over all loops of an invocation (two loops of ${loop.n} ran ${loop.first} and ${loop.second}): Mesa's gallivm limit; kernels that loop longer in one invocation compute wrong results here`);

  let failed = 0;
  let capped = 0;
  try {
    if (!opts['skip-kernels']) {
      console.log('\n1. kernel tests: test/kernels/*.test.ts against their float64 twins, on wgpu');
      const t0 = performance.now();
      const files = await kernelTests(device, loop, filter, opts.verbose!);
      printKernelTables(files);
      const all = files.flatMap((f) => f.results);
      const bad = all.filter((r) => r.status === 'fail').length;
      capped = all.filter((r) => r.status === 'capped').length;
      console.log(`${all.filter((r) => r.status === 'pass').length} passed, ${bad} failed, ${capped ? `${capped} failed only past the adapter's loop cap, ` : ''}${all.filter((r) => r.status === 'skip').length} skipped in ${seconds(performance.now() - t0)} s`);
      failed += bad;
    }
    if (!opts['skip-check']) {
      console.log(`\n2. whole passes: createEngine({ device }) against the float64 CpuEngine (runCheck, seed ${seed}, ${cases} grad cases per cell × loss, 20 training steps per optimizer)`);
      const t0 = performance.now();
      const gpu = await createEngine({ device });
      const cpu = new CpuEngine();
      try {
        const rows = await runCheck(gpu, cpu, { seed, cases, log: opts.verbose ? (l) => console.log(`  ${l}`) : undefined });
        const bad = printCheckTable(rows);
        console.log(`${rows.length} tensors compared, ${bad} past tolerance, in ${seconds(performance.now() - t0)} s`);
        failed += bad;
      } finally {
        gpu.destroy();
        cpu.destroy();
      }
    }
    // Errors outside any error scope would otherwise only be logged.
    await device.queue.onSubmittedWorkDone();
    if (watch.uncapturedErrors.length > 0) {
      console.log(`\n${watch.uncapturedErrors.length} WebGPU errors outside an error scope:\n  ${watch.uncapturedErrors.join('\n  ')}`);
      failed += watch.uncapturedErrors.length;
    }
  } finally {
    device.destroy();
  }
  if (failed > 0) console.error(`${WHO}: FAILED: ${failed} failures (see above)`);
  else console.log(`\n${WHO}: OK${capped ? ` (${capped} kernel tests failed only in their cases past this adapter's loop cap of ${loop.cap})` : ''}`);
  return failed > 0 ? 1 : 0;
}

try {
  Deno.exit(await main());
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  console.error(`${WHO}: ${e.message}`);
  Deno.exit(2);
}
