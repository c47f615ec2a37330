// The consumer's Node side: the README's example run as written, and the command line through npx.
// Each check throws one line on failure and returns a short note on success.
//
// stderr is held to the engine's contract: notes are single lines prefixed "webgpu-lstm:" or
// "<command>:", and `train` may draw its progress bar; nothing else (no stack trace, no Dawn
// "Warning: … .cpp" line, no raw parseArgs error).
import { compareOutput } from './compareOutput.mjs';
import { clip, failureLine, run } from './exec.mjs';

const NOTE = /^(?:webgpu-lstm|train|info|check|grad|sample|bench): \S/;
const PROGRESS = /^[\w-]+ \[[█░]+\] /;

/**
 * Throws unless every non-empty line of `stderr` is a note (or, with `progress`, a progress bar line).
 *
 * @param {string} what
 * @param {string} stderr
 * @param {{ progress?: boolean, maxNotes?: number }} [opts] maxNotes default 2
 */
export function checkNotes(what, stderr, opts = {}) {
  const lines = stderr.split(/\r?\n|\r/).map((l) => l.trimEnd()).filter(Boolean);
  const notes = lines.filter((l) => NOTE.test(l));
  const other = lines.filter((l) => !NOTE.test(l) && !(opts.progress && PROGRESS.test(l)));
  if (other.length > 0) throw new Error(`${what}: stderr has ${other.length} line(s) that are not one-line notes, first: ${JSON.stringify(clip(other[0], 200))}`);
  const maxNotes = opts.maxNotes ?? 2;
  if (notes.length > maxNotes) throw new Error(`${what}: stderr has ${notes.length} notes, expected at most ${maxNotes}: ${JSON.stringify(clip(notes.join(' | '), 300))}`);
  return notes;
}

/**
 * The README's Node example (already written to `example.mjs` in the project), run with node: exit
 * status 0, stdout as the README says (compareOutput), the model learned the task, and stderr only notes.
 *
 * @param {string} dir the consumer project
 * @param {string} expected the README's "example.mjs prints" block
 * @param {'cpu' | 'webgpu'} backend what createEngine() must pick there
 */
export async function checkNodeExample(dir, expected, backend) {
  const r = await run('node', ['example.mjs'], { cwd: dir, timeoutMs: 180_000 });
  if (r.code !== 0) throw new Error(failureLine('node example.mjs (the README example)', r));
  const diff = compareOutput(r.stdout, expected);
  if (diff) throw new Error(`node example.mjs: stdout differs from the README's output block at ${diff}`);
  const out = r.stdout;
  const trained = /^trained (\d+) steps on (\w+)$/m.exec(out);
  if (!trained || trained[2] !== backend) throw new Error(`node example.mjs: expected "trained … steps on ${backend}", printed ${JSON.stringify(trained?.[0] ?? '(no such line)')}`);
  const heldOut = [...out.matchAll(/held out (\d\.\d+)/g)].at(-1);
  if (!heldOut || Number(heldOut[1]) < 0.95) throw new Error(`node example.mjs: last held-out accuracy ${heldOut?.[1] ?? '(not printed)'}, expected ≥ 0.95`);
  const predict = /^predict: accuracy (\d\.\d+)$/m.exec(out);
  if (!predict || Number(predict[1]) < 0.95) throw new Error(`node example.mjs: predict accuracy ${predict?.[1] ?? '(not printed)'}, expected ≥ 0.95`);
  const sIn = /^stream: in +([01]+)$/m.exec(out)?.[1], sOut = /^stream: out +([01]+)$/m.exec(out)?.[1];
  if (!sIn || !sOut || sIn.length !== sOut.length) throw new Error('node example.mjs: no "stream: in"/"stream: out" lines of equal length');
  const delayed = `00${sIn.slice(0, -2)}`;
  const wrong = [...sOut].filter((c, t) => c !== delayed[t]).length;
  if (wrong > 1) throw new Error(`node example.mjs: the stream's outputs ${sOut} are not its inputs ${sIn} two steps later (${wrong} wrong)`);
  if (!/^reloaded \d+ bytes: same predictions true$/m.test(out)) throw new Error('node example.mjs: the reloaded model does not give the same predictions ("same predictions true" not printed)');
  const notes = checkNotes('node example.mjs', r.stderr, { maxNotes: 1 });
  if (backend === 'cpu' && !notes.some((n) => n.includes('npm i webgpu'))) {
    throw new Error(`node example.mjs: on cpu for want of Dawn, stderr should say "npm i webgpu"; it says ${JSON.stringify(clip(notes.join(' | ') || '(nothing)'))}`);
  }
  return `${backend}, ${r.seconds.toFixed(1)} s, held out ${heldOut[1]}, predict ${predict[1]}`;
}

/**
 * `npx webgpu-lstm …args` in the project, as `npx --no -- webgpu-lstm …args`: `--no` so that npx
 * never fetches a package of that name from the registry, `--` so that it passes `--help` on.
 */
function cli(dir, args, timeoutMs = 120_000) {
  return run('npx', ['--no', '--', 'webgpu-lstm', ...args], { cwd: dir, timeoutMs });
}

/** `webgpu-lstm --help`: exit 0, the usage on stdout, nothing on stderr. */
export async function checkHelp(dir) {
  const r = await cli(dir, ['--help']);
  if (r.code !== 0) throw new Error(failureLine('npx webgpu-lstm --help', r));
  if (!/^usage: webgpu-lstm /.test(r.stdout)) throw new Error(`npx webgpu-lstm --help: stdout should start with "usage: webgpu-lstm", starts ${JSON.stringify(clip(r.stdout, 80))}`);
  if (r.stderr.trim() !== '') throw new Error(`npx webgpu-lstm --help: stderr should be empty, has ${JSON.stringify(clip(r.stderr.trim(), 200))}`);
  return `${r.stdout.split('\n').length} lines`;
}

/** `webgpu-lstm info`: exit 0, a short human summary naming the backend there, notes on stderr. */
export async function checkInfo(dir, backend) {
  const r = await cli(dir, ['info']);
  if (r.code !== 0) throw new Error(failureLine('npx webgpu-lstm info', r));
  const lines = r.stdout.trimEnd().split('\n');
  if (lines.length > 20) throw new Error(`npx webgpu-lstm info: ${lines.length} lines on stdout, expected a short summary (≤ 20; --json gives the rest)`);
  const available = backend === 'webgpu' ? /^\s*webgpu\s+\S.*via dawn/m : /^\s*cpu\s+cpu \(float64/m;
  if (!available.test(r.stdout)) throw new Error(`npx webgpu-lstm info: stdout does not show the ${backend} backend as available: ${JSON.stringify(clip(r.stdout, 300))}`);
  checkNotes('npx webgpu-lstm info', r.stderr);
  return `${lines.length} lines`;
}

/** `webgpu-lstm train binary-add --steps 50 --json`: exit 0, one JSON line on stdout, notes and progress on stderr. */
export async function checkTrain(dir, backend) {
  const args = ['train', 'binary-add', '--steps', '50', '--json'];
  const r = await cli(dir, args, 180_000);
  const what = `npx webgpu-lstm ${args.join(' ')}`;
  if (r.code !== 0) throw new Error(failureLine(what, r));
  const lines = r.stdout.split('\n').filter(Boolean);
  if (lines.length !== 1) throw new Error(`${what}: expected one JSON line on stdout, received ${lines.length} lines: ${JSON.stringify(clip(r.stdout, 200))}`);
  let j;
  try {
    j = JSON.parse(lines[0]);
  } catch {
    throw new Error(`${what}: stdout is not JSON: ${JSON.stringify(clip(lines[0], 200))}`);
  }
  const bad = [
    j.task !== 'binary-add' && `task ${JSON.stringify(j.task)}`,
    j.steps !== 50 && `steps ${JSON.stringify(j.steps)}`,
    j.backend !== backend && `backend ${JSON.stringify(j.backend)} (expected ${backend})`,
    !Number.isFinite(j.loss) && `loss ${JSON.stringify(j.loss)}`,
  ].filter(Boolean);
  if (bad.length > 0) throw new Error(`${what}: the JSON line has ${bad.join(', ')}`);
  checkNotes(what, r.stderr, { progress: true });
  return `${backend}, loss ${j.loss.toFixed(4)}, ${r.seconds.toFixed(1)} s`;
}
