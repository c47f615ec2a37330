// The README's examples, as the consumer test runs them: every fenced code block that follows a
// marker line `<!-- consumer-test: PATH [prints] -->` (blank lines between them allowed, nothing
// else) is the file PATH of the fresh consumer project, written verbatim; with `prints`, it is what
// running PATH in Node must print. The README is the only source of the examples, so an example
// that no longer runs, or a README that no longer says what it prints, fails the test.
//
// Plain ESM (scripts/consumer-test.mjs imports it; test/consumer/readmeBlocks.test.ts tests it).

/**
 * The blocks scripts/consumer-test.mjs runs, by key: the Node example and what it prints, the Vite
 * app's src/main.ts, the plain <script type="module"> page, the module worker and its page.
 */
export const CONSUMER_BLOCKS = Object.freeze(['example.mjs', 'example.mjs prints', 'vite-app/src/main.ts', 'index.html', 'worker.js', 'worker.html']);

const MARKER = /^<!--\s*consumer-test:\s*(.*?)\s*-->\s*$/;
const FENCE_OPEN = /^(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
/** A project path: relative, forward slashes, no `..`, no empty segment. */
const SAFE_PATH = /^(?!.*(?:^|\/)\.\.?(?:\/|$))[\w.-]+(?:\/[\w.-]+)*$/;

/**
 * @typedef {{ path: string, prints: boolean, lang: string, text: string, line: number }} ReadmeBlock
 *   line: the marker's line number (from 1), for error messages.
 */

/**
 * The marked blocks of a markdown text, in order. Throws on a marker that is malformed, names an
 * unsafe path, is not followed by a fenced block, or repeats an earlier one; and on a fence left open.
 *
 * @param {string} markdown
 * @param {string} [where] names the file in errors (default "README.md")
 * @returns {ReadmeBlock[]}
 */
export function extractBlocks(markdown, where = 'README.md') {
  const lines = markdown.split(/\r?\n/);
  /** @type {ReadmeBlock[]} */
  const blocks = [];
  const seen = new Set();
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i]);
    if (!m) continue;
    const line = i + 1;
    const words = m[1].split(/\s+/).filter(Boolean);
    const prints = words.length === 2 && words[1] === 'prints';
    if (words.length === 0 || words.length > 2 || (words.length === 2 && !prints)) {
      throw new Error(`${where}:${line}: a marker is <!-- consumer-test: PATH --> or <!-- consumer-test: PATH prints -->, received ${JSON.stringify(lines[i].slice(0, 80))}`);
    }
    const path = words[0];
    if (!SAFE_PATH.test(path)) throw new Error(`${where}:${line}: marker path must be relative, without "..", received ${JSON.stringify(path.slice(0, 80))}`);
    const key = `${path}${prints ? ' prints' : ''}`;
    if (seen.has(key)) throw new Error(`${where}:${line}: a second block marked "${key}"`);
    seen.add(key);
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    const open = j < lines.length ? FENCE_OPEN.exec(lines[j]) : null;
    if (!open) throw new Error(`${where}:${line}: marker "${key}" is not followed by a fenced code block`);
    // CommonMark: the block ends at a line of at least as many of the opening fence's character.
    const close = new RegExp(`^ {0,3}\\${open[1][0]}{${open[1].length},}\\s*$`);
    const body = [];
    let k = j + 1;
    for (; k < lines.length && !close.test(lines[k]); k++) body.push(lines[k]);
    if (k === lines.length) throw new Error(`${where}:${j + 1}: the block of marker "${key}" is never closed`);
    blocks.push({ path, prints, lang: open[2], text: `${body.join('\n')}\n`, line });
    i = k;
  }
  return blocks;
}

/**
 * The blocks a test needs, by key ("PATH" or "PATH prints"); throws one line naming every missing
 * one, and any marked block the test does not know (a typo would otherwise go unrun).
 *
 * @param {ReadmeBlock[]} blocks
 * @param {readonly string[]} keys
 * @param {string} [where]
 * @returns {Map<string, ReadmeBlock>}
 */
export function requireBlocks(blocks, keys, where = 'README.md') {
  const byKey = new Map(blocks.map((b) => [`${b.path}${b.prints ? ' prints' : ''}`, b]));
  const missing = keys.filter((k) => !byKey.has(k));
  if (missing.length > 0) {
    throw new Error(`${where}: no block marked ${missing.map((k) => `<!-- consumer-test: ${k} -->`).join(', ')} (the consumer test runs the README's examples; see its "Use it in your app" section)`);
  }
  const unknown = [...byKey.keys()].filter((k) => !keys.includes(k));
  if (unknown.length > 0) throw new Error(`${where}: blocks marked ${unknown.map((k) => JSON.stringify(k)).join(', ')} are not run by the consumer test (known: ${keys.join(', ')})`);
  return byKey;
}
