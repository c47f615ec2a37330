/**
 * `webgpu-lstm train [task]`: trains an example task with a progress bar on stderr; with --json the
 * last line of stdout is one JSON object (task, backend, adapter, steps, loss, accuracy, seconds…).
 */
import cliProgress from 'cli-progress';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { DEFAULT_TASK, TASKS } from '../tasks/index.js';
import { backendFlag, intFlag, parse } from './args.js';
import { openEngine, sayBackend } from './common.js';
import { checkOutputPath } from './outputPath.js';

export const TRAIN_USAGE = 'train [task] [--backend webgpu|cpu] [--seed N] [--steps N | --epochs N] [--save FILE] [--json]';

export async function trainCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse('train', argv, {
    backend: { type: 'string' }, seed: { type: 'string' }, steps: { type: 'string' }, epochs: { type: 'string' },
    save: { type: 'string' }, json: { type: 'boolean' },
  }, 1, `${TRAIN_USAGE}  (tasks: ${[...TASKS.keys()].join(', ')})`);
  const name = positionals[0] ?? DEFAULT_TASK;
  const task = TASKS.get(name);
  if (!task) throw new UsageError(`train: unknown task ${JSON.stringify(name)} (tasks: ${[...TASKS.keys()].join(', ')})`);
  const seed = intFlag('train', 'seed', values.seed, 0) ?? 1;
  const steps = intFlag('train', 'steps', values.steps);
  const epochs = intFlag('train', 'epochs', values.epochs);
  if (steps !== undefined && epochs !== undefined) throw new UsageError('train: give --steps or --epochs, not both');
  const asked = backendFlag('train', values.backend);
  // A model that trains for minutes and then cannot be saved is lost: check the path first.
  if (values.save) await checkOutputPath(values.save as string, '--save');
  const engine = await openEngine(asked);
  sayBackend('train', engine, asked);
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${task.name} [{bar}] {percentage}% | {value}/{total} steps | loss {loss} | {rate} steps/s | eta {eta_formatted}`,
    hideCursor: true,
    etaBuffer: 200,
    fps: 5,
    noTTYOutput: true,
    notTTYSchedule: 5000,
  }, cliProgress.Presets.shades_classic);
  const t0 = performance.now();
  let started = false;
  try {
    const { model, result } = await task.run(engine, {
      seed,
      ...(steps !== undefined ? { steps } : {}),
      ...(epochs !== undefined ? { epochs } : {}),
      onProgress: (done, total, loss) => {
        if (!started) { bar.start(total, 0, { loss: '-', rate: '-' }); started = true; }
        const secs = (performance.now() - t0) / 1000;
        bar.update(done, { loss: Number.isNaN(loss) ? '-' : loss.toFixed(4), rate: (done / Math.max(secs, 1e-9)).toFixed(1) });
      },
    });
    if (started) bar.stop();
    const seconds = (performance.now() - t0) / 1000;
    if (values.save) await writeFileAtomic(values.save as string, await model.save());
    const summary = {
      task: result.task, backend: engine.backend, adapter: engine.adapterInfo.description, seed, steps: result.steps,
      loss: result.loss, accuracy: result.accuracy, ...(result.perClass ? { perClass: result.perClass } : {}),
      ...(result.extra ?? {}),
      seconds: Math.round(seconds * 1000) / 1000,
      ...(values.save ? { saved: values.save } : {}),
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } else {
      const pc = result.perClass ? ` (per class ${result.perClass.map((v) => v.toFixed(3)).join(', ')})` : '';
      process.stdout.write(`${result.task}: ${result.steps} steps on ${engine.backend} in ${summary.seconds} s, loss ${result.loss.toFixed(4)}, accuracy ${result.accuracy.toFixed(4)}${pc}\n`);
      if (values.save) process.stdout.write(`saved ${values.save}\n`);
    }
  } finally {
    if (started) bar.stop();
    engine.destroy();
  }
}
