// Child processes for the consumer test: run one command, capture stdout and stderr, bound its time.
// A consumer's shell does not carry the variables `npm run` sets for this repository (npm_package_*,
// npm_lifecycle_*, INIT_CWD), so they are removed from the child's environment; npm's own
// configuration (npm_config_*: the registry, the cache) is kept.
import { spawn } from 'node:child_process';

/** @returns {NodeJS.ProcessEnv} */
export function consumerEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of Object.keys(env)) {
    if (k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_') || k === 'INIT_CWD') delete env[k];
  }
  return env;
}

/**
 * @typedef {{ code: number | null, signal: string | null, stdout: string, stderr: string, seconds: number, timedOut: boolean }} RunResult
 */

/**
 * Runs `command args` in `cwd` (no shell). Never rejects for a failing command: the caller checks
 * `code`; rejects only when the command cannot start.
 *
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ cwd: string, timeoutMs?: number, env?: NodeJS.ProcessEnv }} opts timeoutMs default 120 s
 * @returns {Promise<RunResult>}
 */
export function run(command, args, opts) {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? consumerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, seconds: (performance.now() - t0) / 1000, timedOut });
    });
  });
}

/**
 * One line about a command that failed: its exit status (or timeout) and the last line of its
 * stderr (else stdout), truncated.
 *
 * @param {string} what e.g. "npm install ./webgpu-lstm-0.1.0.tgz"
 * @param {RunResult} r
 */
export function failureLine(what, r) {
  const status = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`;
  return `${what}: ${status}: ${lastLine(r.stderr) || lastLine(r.stdout) || '(no output)'}`;
}

/**
 * The most telling line of a command's output: an uncaught error as Node prints it ("RuntimeFailure:
 * …", "Error [ERR_MODULE_NOT_FOUND]: …"), else a compiler error, else the last line (Node's closing
 * "Node.js v20…" aside).
 */
export function lastLine(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const thrown = lines.find((l) => /^\w*(?:Error|Failure|Exception)(?: \[\w+\])?: /.test(l));
  const compiler = lines.find((l) => /\berror TS\d+\b/.test(l));
  return clip(thrown ?? compiler ?? lines.filter((l) => !/^Node\.js v\d/.test(l)).at(-1) ?? '');
}

/** At most `n` characters, marked when cut. */
export function clip(s, n = 300) {
  return s.length <= n ? s : `${s.slice(0, n)}… (${s.length - n} more characters)`;
}
