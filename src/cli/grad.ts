/**
 * `webgpu-lstm grad`: one forward and backward pass of a model file on a batch file, written as a
 * safetensors file (DESIGN.md section 5). cpu writes F64 (never rounded to float32), webgpu F32.
 * The model may be a plain PyTorch state_dict with --config (what the tensors cannot say) and
 * --names (module prefix map); the batch may hold lengths and token ids.
 */
import { UsageError } from '../errors.js';
import { decodeBatchFile, inputShape, targetShape } from '../files/batchFile.js';
import { decodeModelFile } from '../files/modelFile.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { checkOutputPath } from './outputPath.js';
import { serializeSafetensors, type StTensor } from '../files/safetensors.js';
import { paramLayout } from '../params.js';
import { backendFlag, parse } from './args.js';
import { openEngine, readInputFile, sayBackend } from './common.js';
import { MODEL_FLAGS_HELP, MODEL_FLAG_OPTIONS, parseConfigFlag, parseNamesFlag } from './modelFlags.js';

export const GRAD_USAGE = 'grad --model M.safetensors --batch B.safetensors --out O.safetensors [--backend webgpu|cpu] [--config JSON] [--names a=b,…]';

const GRAD_HELP = [
  'One forward and backward pass of the model on the batch, no update (DESIGN.md section 5):',
  '  --model FILE     model file, checkpoint or plain PyTorch state_dict (safetensors)',
  '  --batch FILE     x, y, and optionally lengths, h0, c0 (integers as I32 or I64)',
  '  --out FILE       loss, logits, hN (cN), and grad.<name> for every parameter, under our module names',
  '  --backend        webgpu (default when an adapter exists) or cpu (float64)',
  MODEL_FLAGS_HELP,
].join('\n');

export async function gradCommand(argv: string[]): Promise<void> {
  const { values } = parse('grad', argv, {
    model: { type: 'string' }, batch: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, ...MODEL_FLAG_OPTIONS,
  }, 0, GRAD_USAGE, GRAD_HELP);
  for (const flag of ['model', 'batch', 'out'] as const) {
    if (!values[flag]) throw new UsageError(`grad: --${flag} FILE is required (usage: webgpu-lstm ${GRAD_USAGE})`);
  }
  const modelPath = values.model as string, batchPath = values.batch as string, outPath = values.out as string;
  const asked = backendFlag('grad', values.backend);
  const config = parseConfigFlag('grad', values.config);
  const names = parseNamesFlag('grad', values.names);
  const loadOpts = { ...(config ? { config } : {}), ...(names ? { names } : {}) };
  // Every input is read and checked before a device is opened: bad input costs no GPU work.
  await checkOutputPath(outPath);
  const modelBytes = await readInputFile('model file', modelPath);
  const { config: cfg } = decodeModelFile(modelBytes, `model file ${modelPath}`, loadOpts);
  const batch = decodeBatchFile(await readInputFile('batch file', batchPath), cfg, `batch file ${batchPath}`);
  const engine = await openEngine(asked);
  try {
    const model = engine.loadModel(modelBytes, { where: `model file ${modelPath}`, ...loadOpts });
    const { B, T } = batch;
    const L = cfg.numLayers, H = cfg.hiddenSize;
    const r = await model.grad(
      { data: batch.x, shape: inputShape(cfg, B, T) } as never,
      { data: batch.y, shape: targetShape(cfg, B, T) } as never,
      {
        ...(batch.h0 ? { h0: { data: batch.h0, shape: [L, B, H] } } : {}),
        ...(batch.c0 ? { c0: { data: batch.c0, shape: [L, B, H] } } : {}),
        ...(batch.lengths ? { lengths: { data: batch.lengths, shape: [B] } } : {}),
      },
    );
    const dtype = engine.backend === 'cpu' ? 'F64' : 'F32';
    const t = (data: ArrayLike<number>, shape: number[]): StTensor => ({
      dtype, shape, data: dtype === 'F64' ? Float64Array.from(data) : Float32Array.from(data),
    });
    const out: Array<[string, StTensor]> = [
      ['loss', t([r.loss], [])],
      ['logits', t(r.logits, r.logitsShape)],
      ['h_n', t(r.hN, [L, B, H])],
    ];
    if (r.cN) out.push(['c_n', t(r.cN, [L, B, H])]);
    for (const spec of paramLayout(cfg).specs) out.push([`grad.${spec.name}`, t(r.grads.get(spec.name)!, spec.shape)]);
    out.push(['grad.h0', t(r.dh0, [L, B, H])]);
    if (r.dc0) out.push(['grad.c0', t(r.dc0, [L, B, H])]);
    sayBackend('grad', engine, asked);
    await writeFileAtomic(outPath, serializeSafetensors(out, { format: 'webgpu-lstm', version: '1', backend: engine.backend }));
  } finally {
    engine.destroy();
  }
}
