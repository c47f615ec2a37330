/**
 * Plain PyTorch state dicts (DESIGN.md section 5, "Plain PyTorch files"): a safetensors file with
 * no webgpu-lstm `__metadata__`, as `save_file(model.state_dict(), …)` writes it. Its tensors say
 * the cell, I, H, L, C, a learned state and token inputs; the caller says what they cannot:
 * `loss` and `outputs` (and `headFrom`/`headSteps` where the head's width leaves them open), and
 * `cell: 'rnn_relu'` for an `nn.RNN(nonlinearity='relu')`, since a state dict cannot tell tanh
 * from relu (a plain RNN loads as `rnn_tanh` unless told).
 *
 * Module names: ours are `lstm` / `gru` / `rnn` (the cell), `head` (nn.Linear), `embedding`
 * (nn.Embedding) and `init` (a learned initial state). Any other module name is given by a prefix
 * map, file prefix → our module: `{ rnn: 'lstm', fc: 'head' }` reads `rnn.weight_ih_l0` as
 * `lstm.weight_ih_l0` and `fc.weight` as `head.weight` (the longest matching prefix wins; a prefix
 * may contain dots, e.g. `encoder.rnn`). A bare `nn.LSTM` / `nn.GRU` / `nn.RNN` state dict
 * (`weight_ih_l0`, no prefix) is recognised automatically, its cell told by the rows of
 * `weight_hh_l0` (4·H LSTM, 3·H GRU, H RNN; or by `config.cell`); the map `{ '': 'lstm' }` says
 * the same explicitly (the empty prefix applies to names without a dot).
 *
 * The head's width m·H (m = headSteps × (2 if headFrom "ch")) leaves headFrom/headSteps open only
 * for an LSTM with outputs "last" and an even m; everywhere else they are read from it.
 *
 * Pure functions of names and shapes: the TF.js and ONNX helpers and the CLI reuse them.
 */
import {
  cellModuleName, FIELD_LIMITS, gateCount, resolveConfig, type CellType, type ModelConfig, type ResolvedConfig,
} from '../config.js';
import { InputError } from '../errors.js';
import { EMBEDDING } from '../params.js';
import { checkConfigKeys } from './configKeys.js';
import { preview, previewList, previewShape, quote } from '../checks/preview.js';

/** Our module names, the values of a prefix map. */
export const MODULES = ['lstm', 'gru', 'rnn', 'head', 'embedding', 'init'] as const;
export type ModuleName = (typeof MODULES)[number];

/** What a caller adds to a file's tensors (loadModel's options, the CLI's --config and --names). */
export interface ModelLoadOptions {
  /** Fields the tensors cannot say (loss, outputs, …); fields they do say must agree with them. */
  config?: Partial<ModelConfig>;
  /** File prefix → our module, e.g. { rnn: 'lstm', fc: 'head' }; '' for names without a prefix. */
  names?: Record<string, string>;
}

export interface TensorShape {
  name: string;
  shape: readonly number[];
}

export interface TorchReading {
  config: ResolvedConfig;
  /** Our name → the file's name, for every tensor read (they differ where a prefix was mapped). */
  fileNameOf: Map<string, string>;
}

const RECURRENT = /^(lstm|gru|rnn)\.(weight|bias)_(ih|hh)_l(\d+)$/;
const BARE = /^(weight|bias)_(ih|hh)_l\d+$/;
const OTHER_OURS = new Set(['head.weight', 'head.bias', EMBEDDING, 'init.h0', 'init.c0']);

/** The cell whose gate rows are G·H: 4 LSTM, 3 GRU, 1 plain RNN. */
function moduleOfGates(g: number): 'lstm' | 'gru' | 'rnn' | null {
  return g === 4 ? 'lstm' : g === 3 ? 'gru' : g === 1 ? 'rnn' : null;
}

function holds(names: readonly string[]): string {
  return `the file holds: ${previewList(names)}`;
}

/** Check a caller's options object; returns the config (possibly empty) and the prefix map. */
export function checkLoadOptions(where: string, opts: unknown): { given: Partial<ModelConfig>; names: Map<string, ModuleName> } {
  if (opts === undefined) return { given: {}, names: new Map() };
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new InputError(`${where}: options expected an object { config?, names? }, received ${preview(opts)}`);
  }
  const o = opts as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    // `where` is loadModel's own option (the name in messages); it is given separately here.
    if (k !== 'config' && k !== 'names' && k !== 'where') throw new InputError(`${where}: unknown option ${quote(k)} (known: config, names)`);
  }
  const given = (o.config === undefined ? {} : checkConfigKeys(where, o.config, 'options.config')) as Partial<ModelConfig>;
  const names = new Map<string, ModuleName>();
  if (o.names !== undefined) {
    const raw = o.names;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(`${where}: options.names expected an object of file prefix → module, e.g. { rnn: 'lstm', fc: 'head' }, received ${preview(raw)}`);
    }
    for (const [prefix, module] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof module !== 'string' || !(MODULES as readonly string[]).includes(module)) {
        throw new InputError(`${where}: options.names maps ${quote(prefix)} to ${preview(module)}, expected one of ${MODULES.join(', ')}`);
      }
      if (prefix.endsWith('.')) {
        throw new InputError(`${where}: options.names prefix ${quote(prefix)} ends with a dot: give the module name without it`);
      }
      names.set(prefix, module as ModuleName);
    }
  }
  return { given, names };
}

/**
 * Our name for each of the file's tensors (see the file comment for the rules). `cell` decides
 * the module of a bare state dict when given; else the rows of `weight_hh_l0` do.
 */
export function renameTensors(
  where: string, tensors: readonly TensorShape[], names: ReadonlyMap<string, ModuleName>, cell?: CellType,
): Map<string, string> {
  const fileNames = tensors.map((t) => t.name);
  const prefixes = [...names.keys()].filter((p) => p !== '').sort((a, b) => b.length - a.length);
  const used = new Set<string>();
  let bareModule: string | null = names.get('') ?? null;
  const bare = (): string => {
    if (bareModule !== null) return bareModule;
    if (cell) return (bareModule = cellModuleName(cell));
    const whh = tensors.find((t) => t.name === 'weight_hh_l0');
    const g = whh && whh.shape.length === 2 && whh.shape[1]! > 0 ? whh.shape[0]! / whh.shape[1]! : NaN;
    const m = moduleOfGates(g);
    if (!m) {
      throw new InputError(
        `${where}: a bare recurrent state dict (no module prefix) whose cell its "weight_hh_l0" ${whh ? previewShape(whh.shape) : '(absent)'} does not tell: give config.cell or names { '': 'lstm' } (${holds(fileNames)})`,
      );
    }
    return (bareModule = m);
  };

  const ours = new Map<string, string>(); // ours → file
  for (const name of fileNames) {
    let our = name;
    const p = prefixes.find((k) => name.startsWith(`${k}.`));
    if (p !== undefined) {
      our = names.get(p)! + name.slice(p.length);
      used.add(p);
    } else if (!name.includes('.') && (names.has('') || BARE.test(name))) {
      our = `${bare()}.${name}`;
      used.add('');
    }
    const other = ours.get(our);
    if (other !== undefined) {
      throw new InputError(`${where}: tensors ${quote(other)} and ${quote(name)} both read as ${quote(our)}: check options.names`);
    }
    ours.set(our, name);
  }
  for (const p of names.keys()) {
    if (!used.has(p)) {
      throw new InputError(`${where}: options.names prefix ${quote(p)} matches no tensor (${holds(fileNames)})`);
    }
  }
  return ours;
}

/** A hint for a tensor that is no part of the format, from its name and shape. */
function hintFor(name: string, shapes: ReadonlyMap<string, readonly number[]>): string {
  const rec = /^(.+)\.(weight|bias)_(ih|hh)_l\d+$/.exec(name);
  if (rec) {
    const whh = shapes.get(`${rec[1]}.weight_hh_l0`);
    const m = whh && whh.length === 2 && whh[1]! > 0 ? moduleOfGates(whh[0]! / whh[1]!) : null;
    return `; if ${quote(rec[1]!)} is the recurrent module, map it: names { ${JSON.stringify(rec[1]!).slice(0, 40)}: '${m ?? 'lstm'}' }`;
  }
  const lin = /^(.+)\.(weight|bias)$/.exec(name);
  if (lin) return `; if ${quote(lin[1]!)} is the output layer, map it: names { ${JSON.stringify(lin[1]!).slice(0, 40)}: 'head' }`;
  return '';
}

/**
 * Infer a whole config from our-named tensor shapes plus what the caller gave; `fileName` maps
 * our names back to the file's for messages. Fields the caller gave must agree with the tensors.
 */
export function inferTorchConfig(
  where: string,
  shapes: ReadonlyMap<string, readonly number[]>,
  given: Partial<ModelConfig>,
  fileName: (our: string) => string = (n) => n,
): ResolvedConfig {
  const fileNames = [...shapes.keys()].map(fileName);
  const f = (our: string): string => quote(fileName(our));

  // Which names are ours at all.
  const modules = new Set<string>();
  for (const name of shapes.keys()) {
    const r = RECURRENT.exec(name);
    if (r) {
      modules.add(r[1]!);
      continue;
    }
    if (!OTHER_OURS.has(name)) {
      throw new InputError(
        `${where}: unexpected tensor ${f(name)}: not a parameter of the format (lstm/gru/rnn layers, head, embedding, init)${hintFor(fileName(name), new Map([...shapes].map(([k, v]) => [fileName(k), v])))} (${holds(fileNames)})`,
      );
    }
  }
  if (modules.size === 0) {
    throw new InputError(
      `${where}: no recurrent layer: expected tensors such as "lstm.weight_ih_l0" (modules named otherwise are mapped with names, e.g. { rnn: 'lstm' }) (${holds(fileNames)})`,
    );
  }
  if (modules.size > 1) {
    throw new InputError(`${where}: tensors of more than one recurrent module (${[...modules].join(', ')}): the format holds one stack (${holds(fileNames)})`);
  }
  const P = [...modules][0] as 'lstm' | 'gru' | 'rnn';
  /** The file's prefix of our module P ('' for a bare state dict), for hints. */
  const filePrefix = fileName(`${P}.weight_ih_l0`).replace(/\.?weight_ih_l0$/, '');
  const mapHint = (module: string): string => `map the module with names, e.g. { ${JSON.stringify(filePrefix.slice(0, 40))}: '${module}' }`;
  if (given.cell !== undefined && cellModuleName(given.cell) !== P) {
    throw new InputError(
      `${where}: config cell ${preview(given.cell)} contradicts the tensors, which read as module "${P}" ("${P}.weight_ih_l0"): if ${quote(filePrefix)} is your ${cellModuleName(given.cell)} module, ${mapHint(cellModuleName(given.cell))}`,
    );
  }
  const cell: CellType = P === 'lstm' ? 'lstm' : P === 'gru' ? 'gru' : (given.cell ?? 'rnn_tanh');
  const G = gateCount(cell);

  const need = (our: string, rank: number): readonly number[] => {
    const s = shapes.get(our);
    if (!s) throw new InputError(`${where}: tensor "${our}" expected, received no such tensor (${holds(fileNames)})`);
    if (s.length !== rank) throw new InputError(`${where}: tensor ${f(our)} expected rank ${rank}, received shape ${previewShape(s)}`);
    return s;
  };

  // Sizes from the first layer.
  const whh = need(`${P}.weight_hh_l0`, 2);
  const H = whh[1]!;
  if (H < 1 || whh[0] !== G * H) {
    const other = H > 0 ? moduleOfGates(whh[0]! / H) : null;
    const hint = other && other !== P ? ` (${whh[0]! / H}·H rows: an ${other === 'lstm' ? 'nn.LSTM' : other === 'gru' ? 'nn.GRU' : 'nn.RNN'}'s; ${mapHint(other)})` : '';
    throw new InputError(`${where}: tensor ${f(`${P}.weight_hh_l0`)} expected shape [${G}·H, H] for cell ${cell}, received ${previewShape(whh)}${hint}`);
  }
  const I = need(`${P}.weight_ih_l0`, 2)[1]!;
  let L = 0;
  for (const name of shapes.keys()) {
    const r = RECURRENT.exec(name);
    if (!r) continue;
    const k = Number(r[4]);
    if (!(k < FIELD_LIMITS.numLayers)) {
      throw new InputError(`${where}: tensor ${f(name)} is of layer ${r[4]!.length > 12 ? `${r[4]!.slice(0, 12)}…` : k}, past the limit of ${FIELD_LIMITS.numLayers} layers`);
    }
    L = Math.max(L, k + 1);
  }
  for (let k = 0; k < L; k++) {
    if (!shapes.has(`${P}.weight_ih_l${k}`)) {
      throw new InputError(`${where}: tensor "${P}.weight_ih_l${k}" expected (layer ${k} of ${L}), received no such tensor (${holds(fileNames)})`);
    }
  }

  const hw = shapes.get('head.weight');
  if (!hw) {
    throw new InputError(
      `${where}: no head: expected "head.weight" [C, m·H] and "head.bias" [C] (an nn.Linear named head; map another name with names, e.g. { fc: 'head' }) (${holds(fileNames)})`,
    );
  }
  if (hw.length !== 2) throw new InputError(`${where}: tensor ${f('head.weight')} expected rank 2 [C, m·H], received shape ${previewShape(hw)}`);
  const C = hw[0]!;
  const width = hw[1]!;
  if (width % H !== 0 || width === 0) {
    throw new InputError(`${where}: tensor ${f('head.weight')} ${previewShape(hw)} expected a width that is a multiple of H = ${H}, received ${width}`);
  }
  const m = width / H;

  if (given.loss === undefined || given.outputs === undefined) {
    const missing = [given.loss === undefined ? 'loss' : '', given.outputs === undefined ? 'outputs' : ''].filter((s) => s).join(' and ');
    throw new InputError(
      `${where}: a plain PyTorch state dict needs what its tensors cannot say: config.${missing.replace(' and ', ' and config.')} (loss: "softmax_ce", "sigmoid_bce" or "mse"; outputs: "all" or "last"), received none (${holds(fileNames)})`,
    );
  }

  // headFrom / headSteps from the head's width m·H.
  let headFrom = given.headFrom;
  let headSteps = given.headSteps;
  const open = `tensor ${f('head.weight')} ${previewShape(hw)} reads ${m}·H features (H = ${H})`;
  if (headFrom === undefined && headSteps === undefined) {
    if (given.outputs === 'all') {
      headSteps = 1;
      headFrom = m === 2 && cell === 'lstm' ? 'ch' : 'h';
    } else if (cell !== 'lstm' || m % 2 === 1) {
      headFrom = 'h';
      headSteps = m;
    } else {
      throw new InputError(
        `${where}: ${open}: headSteps ${m} of h, or headSteps ${m / 2} of c and h (headFrom "ch"): give config.headSteps or config.headFrom`,
      );
    }
  } else if (headSteps === undefined) {
    const per = headFrom === 'ch' ? 2 : 1;
    if (m % per !== 0) throw new InputError(`${where}: ${open}, not a whole number of steps for headFrom ${preview(headFrom)}`);
    headSteps = m / per;
  } else if (headFrom === undefined) {
    const per = typeof headSteps === 'number' && headSteps > 0 ? m / headSteps : NaN;
    if (per !== 1 && per !== 2) throw new InputError(`${where}: ${open}, which headSteps ${preview(headSteps)} does not divide into 1 or 2 features of H per step`);
    headFrom = per === 2 ? 'ch' : 'h';
  }

  const emb = shapes.get(EMBEDDING);
  const learned = shapes.has('init.h0') || shapes.has('init.c0');
  const inferred: Record<string, unknown> = {
    cell, inputSize: I, hiddenSize: H, numLayers: L, outputSize: C, learnedInitialState: learned,
    inputKind: emb ? 'tokens' : 'features',
  };
  if (emb) {
    if (emb.length !== 2) throw new InputError(`${where}: tensor ${f(EMBEDDING)} expected rank 2 [V, ${I}], received shape ${previewShape(emb)}`);
    inferred.vocabSize = emb[0]!;
  }
  const givenRecord = given as Record<string, unknown>;
  for (const [k, v] of Object.entries(inferred)) {
    const g = givenRecord[k];
    if (g !== undefined && g !== v) {
      throw new InputError(`${where}: config ${k} ${preview(g)} contradicts the tensors, which say ${preview(v)} (${holds(fileNames)})`);
    }
  }
  return resolveConfig({ ...given, ...inferred, headFrom, headSteps }, where);
}

/**
 * The whole plain-file path: rename the file's tensors, then infer the config. `opts` is the
 * caller's (checked here); returns the config and our name → file name.
 */
export function readTorchNames(where: string, tensors: readonly TensorShape[], opts?: ModelLoadOptions): TorchReading {
  const { given, names } = checkLoadOptions(where, opts);
  const fileNameOf = renameTensors(where, tensors, names, given.cell);
  const byFile = new Map(tensors.map((t) => [t.name, t.shape]));
  const shapes = new Map<string, readonly number[]>();
  for (const [our, file] of fileNameOf) shapes.set(our, byFile.get(file)!);
  const config = inferTorchConfig(where, shapes, given, (our) => fileNameOf.get(our) ?? our);
  return { config, fileNameOf };
}
