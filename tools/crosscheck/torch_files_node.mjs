// The Node half of torch_files.py (directions 2 and 3: our files → PyTorch). By hand, not in CI.
//
//   node tools/crosscheck/torch_files_node.mjs JOB.json
//
// JOB.json (written by torch_files.py; numbers in JSON round-trip float64 exactly both ways):
//   { "out": DIR, "create": {createModel options, seed included}, "dtype": "F64" | "F32",
//     "trainer": {optimizer, clipNorm?, stateful?}, "train": [BATCH…], "eval": BATCH,
//     "forwardFrom": "model" | "file", "next": BATCH (optional: the checkpoint check) }
//   BATCH = { "x": {data, shape, int?}, "y": {data, shape, int?}, "lengths"?: [B ints] }
// Writes into DIR:
//   model.safetensors   model.save({dtype}) after the training steps
//   forward.json        { logits, logitsShape, hN, cN?, losses }: model.forward(eval) of the trained
//                       model ("model") or of engine.loadModel(model.safetensors) ("file", so that
//                       an F32 file and the logits hold the same weights)
// and with "next":
//   ckpt.safetensors    trainer.save({dtype}) after the training steps
//   resumed.safetensors a fresh model loaded from the checkpoint, a trainer resumed from it, one
//                       step on "next", then model.save({dtype})
//   cont.safetensors    the original trainer's own next step on "next" (the same, bit for bit, on cpu)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../../dist/index.js';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));

function tensor(t) {
  return { data: t.int ? Int32Array.from(t.data) : Float64Array.from(t.data), shape: t.shape };
}
function batch(b) {
  return { x: tensor(b.x), y: tensor(b.y), opts: b.lengths ? { lengths: { data: Int32Array.from(b.lengths), shape: [b.lengths.length] } } : {} };
}

const engine = await createEngine({ backend: 'cpu' });
try {
  const dtype = job.dtype;
  const model = engine.createModel(job.create);
  const trainer = model.trainer(job.trainer);
  const losses = [];
  for (const raw of job.train) {
    const b = batch(raw);
    losses.push((await trainer.step(b.x, b.y, b.opts)).loss);
  }
  const saved = await model.save({ dtype });
  writeFileSync(join(job.out, 'model.safetensors'), saved);
  const ev = batch(job.eval);
  const fwdModel = job.forwardFrom === 'file' ? engine.loadModel(saved) : model;
  const f = await fwdModel.forward(ev.x, ev.opts);
  writeFileSync(join(job.out, 'forward.json'), JSON.stringify({
    logits: Array.from(f.logits), logitsShape: f.logitsShape, hN: Array.from(f.hN), ...(f.cN ? { cN: Array.from(f.cN) } : {}), losses,
  }));
  if (job.next) {
    const ckpt = await trainer.save({ dtype });
    writeFileSync(join(job.out, 'ckpt.safetensors'), ckpt);
    const nb = batch(job.next);
    const again = engine.loadModel(ckpt);
    const resumed = again.trainer({ ...job.trainer, resume: ckpt });
    await resumed.step(nb.x, nb.y, nb.opts);
    writeFileSync(join(job.out, 'resumed.safetensors'), await again.save({ dtype }));
    await trainer.step(nb.x, nb.y, nb.opts);
    writeFileSync(join(job.out, 'cont.safetensors'), await model.save({ dtype }));
  }
} finally {
  engine.destroy();
}
