/**
 * A WebGPU device in Node, from Dawn (the npm package `webgpu`). Node only.
 *
 * The package is imported lazily, so the cpu backend never loads it (nor its 20 MB native module).
 *
 * Finding an adapter. Dawn asks the Vulkan loader for drivers when an instance first enumerates
 * adapters (the first `requestAdapter`, not `create()`), and only once per instance. On a machine
 * without a GPU the loader may find no driver, or only Debian's lavapipe, which this Dawn rejects
 * ("Vulkan shaderUniform*ArrayDynamicIndexing required"); either way Dawn and the loader print
 * warnings on stderr from native code, which no JavaScript can catch. So the drivers' manifests are
 * looked at first (the loader's own search path): with none that Dawn can use, Dawn is not asked
 * at all. Debian's chromium package ships SwiftShader's Vulkan driver; pointing VK_ICD_FILENAMES
 * at its manifest and creating a *new* instance finds it (measured: a second `requestAdapter` on
 * the first instance still finds nothing). So: try the machine's usable drivers; if there are
 * none, or they give nothing, or only a software adapter, and the caller has not set
 * VK_ICD_FILENAMES, use SwiftShader and say what was tried and found.
 *
 * Lifetime. Every Dawn instance made here is kept until the process exits: collecting an
 * instance while a device made from it lives crashes the process (measured with 0.6.2: SIGSEGV on
 * the next GC). Holding it does not stop Node from exiting.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import { describeAdapter, formatAdapterInfo } from './adapterInfo.js';
import { errorMessage, openEngineDevice, type EngineDevice } from './request.js';

/** SwiftShader's Vulkan driver manifest, from Debian's chromium package (scripts/setup-system.sh). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface NodeDeviceOptions {
  /**
   * Throw when no adapter is found (default); with false, resolve to null instead (a `webgpu`
   * package that cannot be loaded still throws).
   */
  requireAdapter?: boolean;
  /**
   * Where notes (the fallback taken, uncaptured errors, loss) go; stderr by default. The fallback
   * is noted once per process, by the call that finds the adapter; `info.fallback` always says it.
   */
  log?: (msg: string) => void;
}

export type NodeDevice = EngineDevice;

interface DawnModule {
  create(flags: string[]): GPU;
  globals: object;
}

/** The instance adapters are requested from, and what it took to find it. */
interface DawnChoice {
  gpu: GPU | null;
  fallback: string | null;
  /** The adapter found while choosing, handed to the first caller (an adapter gives one device). */
  firstAdapter: GPUAdapter | null;
  /** Why no adapter was found (when gpu is null). */
  whyNone: string;
}

/** Every Dawn instance ever created here: never collected (see the header). */
const dawnInstances: GPU[] = [];
let choice: Promise<DawnChoice> | undefined;

const ADAPTER_OPTIONS: GPURequestAdapterOptions = { powerPreference: 'high-performance' };

export function defaultLog(msg: string): void {
  process.stderr.write(`webgpu-lstm: ${msg}\n`);
}

/** Creates the engine's device on Dawn; see the header for how the adapter is found. */
export async function createNodeDevice(opts?: NodeDeviceOptions & { requireAdapter?: true }): Promise<NodeDevice>;
export async function createNodeDevice(opts: NodeDeviceOptions): Promise<NodeDevice | null>;
export async function createNodeDevice(opts: NodeDeviceOptions = {}): Promise<NodeDevice | null> {
  const log = opts.log ?? defaultLog;
  choice ??= chooseInstance(log);
  const picked = await choice;
  let adapter = picked.firstAdapter;
  picked.firstAdapter = null;
  if (adapter === null && picked.gpu !== null) adapter = await picked.gpu.requestAdapter(ADAPTER_OPTIONS);
  if (adapter === null) {
    if (opts.requireAdapter === false) return null;
    throw new RuntimeFailure(`no WebGPU adapter in Node: ${picked.whyNone}`);
  }
  return openEngineDevice(adapter, { fallback: picked.fallback, log });
}

/**
 * Vulkan's loader and drivers print "XDG_RUNTIME_DIR is invalid or not set" on stderr when the
 * variable is missing (harmless, but it breaks the CLI's one-line errors): give them a private
 * directory, as a login session would.
 */
function ensureRuntimeDir(): void {
  if (process.env.XDG_RUNTIME_DIR) return;
  const dir = mkdtempSync(join(tmpdir(), 'webgpu-lstm-xdg-'));
  chmodSync(dir, 0o700);
  process.env.XDG_RUNTIME_DIR = dir;
}

async function loadDawn(): Promise<DawnModule> {
  ensureRuntimeDir();
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as DawnModule;
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /['"]webgpu['"]/.test(errorMessage(err));
    throw new RuntimeFailure(missing
      ? 'WebGPU in Node needs the optional peer dependency "webgpu" (Dawn), which is not installed: npm i webgpu'
      : `the npm package "webgpu" (Dawn for Node) could not be loaded: ${errorMessage(err)}`);
  }
  installGlobals(dawn.globals);
  return dawn;
}

/**
 * Makes GPUBufferUsage, GPUMapMode, GPUShaderStage… global as in a browser, so that engine code
 * is the same in both. Names already defined are left alone.
 */
function installGlobals(globals: object): void {
  const target = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in target)) target[name] = value;
  }
}

async function chooseInstance(log: (msg: string) => void): Promise<DawnChoice> {
  const dawn = await loadDawn();
  const userChoice = callerDriverChoice();
  const scan = userChoice === null ? scanVulkanDrivers() : null;
  // With no driver Dawn can use (none installed, or only ones this Dawn refuses), asking it anyway
  // only prints the Vulkan loader's and Dawn's warnings on stderr before finding nothing: go
  // straight to SwiftShader. With some refused ones beside usable ones, hide the refused ones from
  // the loader (VK_ICD_FILENAMES) so their warnings are not printed either.
  let firstOutcome: string;
  let found: GPUAdapter | null = null;
  let first: GPU | null = null;
  if (scan !== null && scan.usable.length === 0) {
    firstOutcome = scan.describe();
  } else {
    if (scan !== null && scan.refused.length > 0) process.env['VK_ICD_FILENAMES'] = scan.usable.join(':');
    first = newInstance(dawn);
    found = await first.requestAdapter(ADAPTER_OPTIONS);
    if (found !== null && !isSoftware(found)) return chosen(first, found, null);
    const tried = userChoice ?? scan!.describe();
    firstOutcome = found === null
      ? `Dawn found no adapter with ${tried}`
      : `Dawn found only a software adapter (${found.info.description}) with ${tried}`;
    if (scan !== null && scan.refused.length > 0) delete process.env['VK_ICD_FILENAMES'];
  }
  if (userChoice !== null) {
    if (found !== null) return chosen(first!, found, null);
    return none(`${firstOutcome} (set by the caller, so SwiftShader was not tried)`);
  }
  if (!existsSync(SWIFTSHADER_ICD)) {
    if (found !== null) return chosen(first!, found, null);
    return none(`${firstOutcome}, and SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} is not installed ` +
      '(run scripts/setup-system.sh as root: it installs Debian\'s chromium and libvulkan1)');
  }

  // The loader reads VK_ICD_FILENAMES when a new instance first enumerates its adapters. It stays
  // set while that instance lives (the whole process), so what we report is what is in effect.
  process.env['VK_ICD_FILENAMES'] = SWIFTSHADER_ICD;
  const second = newInstance(dawn);
  const swiftshader = await second.requestAdapter(ADAPTER_OPTIONS);
  if (swiftshader !== null) {
    const fallback = `SwiftShader Vulkan (VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`;
    log(`${firstOutcome}; using ${formatAdapterInfo(describeAdapter(swiftshader, fallback))}`);
    return chosen(second, swiftshader, fallback);
  }
  delete process.env['VK_ICD_FILENAMES'];
  if (found !== null) return chosen(first!, found, null);
  return none(`${firstOutcome}, nor with SwiftShader's Vulkan driver (VK_ICD_FILENAMES=${SWIFTSHADER_ICD}); ` +
    'is the Vulkan loader installed (Debian package libvulkan1)?');
}

/** Vulkan drivers (ICD manifests) in the loader's search path, split into what this Dawn can use and not. */
interface DriverScan {
  /** Manifest paths Dawn may use. */
  usable: string[];
  /** Manifests of drivers this Dawn refuses, with why. */
  refused: Array<{ path: string; why: string }>;
  /** The folders searched. */
  searched: string[];
  describe(): string;
}

/**
 * Drivers this Dawn refuses, by the library a manifest names: Mesa's lavapipe lacks
 * shaderUniformBufferArrayDynamicIndexing, which Dawn's Vulkan backend requires (measured with
 * webgpu 0.6.2: "Vulkan shaderUniform*ArrayDynamicIndexing required", then no adapter).
 */
const REFUSED_DRIVERS: Array<[RegExp, string]> = [[/libvulkan_lvp\.so/, "Mesa's lavapipe, which this Dawn refuses (it lacks shaderUniform*ArrayDynamicIndexing)"]];

/** The Vulkan loader's Linux search path for driver manifests (its documented defaults). */
function icdFolders(): string[] {
  const env = process.env;
  const home = env['HOME'] ?? '';
  const configHome = env['XDG_CONFIG_HOME'] || (home ? join(home, '.config') : '');
  const dataHome = env['XDG_DATA_HOME'] || (home ? join(home, '.local', 'share') : '');
  const configDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':');
  const dataDirs = (env['XDG_DATA_DIRS'] || '/usr/local/share:/usr/share').split(':');
  const roots = [configHome, ...configDirs, '/etc', dataHome, ...dataDirs].filter((d) => d !== '');
  return [...new Set(roots.map((r) => join(r, 'vulkan', 'icd.d')))];
}

/** Linux only (elsewhere Dawn uses Metal or Direct3D, and this returns null: ask Dawn directly). */
function scanVulkanDrivers(): DriverScan | null {
  if (process.platform !== 'linux') return null;
  const searched = icdFolders();
  const usable: string[] = [];
  const refused: Array<{ path: string; why: string }> = [];
  for (const dir of searched) {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const f of files) {
      const path = join(dir, f);
      let library = '';
      try {
        library = String((JSON.parse(readFileSync(path, 'utf8')) as { ICD?: { library_path?: unknown } }).ICD?.library_path ?? '');
      } catch {
        // An unreadable manifest is the loader's business: let Dawn try it.
      }
      const rule = REFUSED_DRIVERS.find(([re]) => re.test(library));
      if (rule) refused.push({ path, why: rule[1] });
      else usable.push(path);
    }
  }
  return {
    usable, refused, searched,
    describe() {
      if (usable.length === 0 && refused.length === 0) return `no Vulkan driver installed (no manifest in ${searched.join(', ')})`;
      const parts: string[] = [];
      if (usable.length > 0) parts.push(`the Vulkan drivers ${usable.join(', ')}`);
      for (const r of refused) parts.push(`${r.path} (${r.why})`);
      return parts.join('; ');
    },
  };
}

/**
 * Dawn's instance flags. None is needed for compute to work. Timestamp quantization (rounding
 * timestamp queries down to multiples of 65,536 ns, measured: a fingerprinting defence meant for
 * web pages) is turned off so that per-pass GPU timings in the benchmarks mean something.
 */
export const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

function newInstance(dawn: DawnModule): GPU {
  const gpu = dawn.create(DAWN_FLAGS);
  dawnInstances.push(gpu);
  return gpu;
}

/**
 * The caller's own choice of Vulkan driver, if any: VK_ICD_FILENAMES, or VK_DRIVER_FILES (its
 * newer name, which the loader prefers when both are set, so ours would be ignored).
 */
function callerDriverChoice(): string | null {
  for (const name of ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES']) {
    const value = process.env[name];
    if (value !== undefined && value !== '') return `${name}=${value}`;
  }
  return null;
}

function chosen(gpu: GPU, firstAdapter: GPUAdapter, fallback: string | null): DawnChoice {
  return { gpu, fallback, firstAdapter, whyNone: '' };
}

function none(whyNone: string): DawnChoice {
  return { gpu: null, fallback: null, firstAdapter: null, whyNone };
}

/** A CPU implementation (SwiftShader, lavapipe) rather than a GPU. */
function isSoftware(adapter: GPUAdapter): boolean {
  return adapter.info.isFallbackAdapter === true;
}
