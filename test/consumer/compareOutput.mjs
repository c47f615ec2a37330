// Does what an example printed match what the README says it prints? Line by line: the same
// number of lines, the same words, the same integers; decimals (numbers with a point) may differ by
// `tolerance` (the webgpu backend computes in float32, the cpu backend in float64, so a metric may
// move in its last digit); and the backend's name may be either one (the README shows one run).
//
// Plain ESM (scripts/consumer-test.mjs imports it; test/consumer/readmeBlocks.test.ts tests it).

const TOKEN = /-?\d+\.\d+(?:e[+-]?\d+)?|-?\d+|[^\d-]+|-/gi;
const BACKENDS = /\b(?:cpu|webgpu)\b/g;

/**
 * @param {string} printed what the example wrote to stdout
 * @param {string} expected the README's block
 * @param {{ tolerance?: number }} [opts] tolerance: for decimals, absolute (default 0.02)
 * @returns {string | null} null when they match, else one line saying where they first differ
 */
export function compareOutput(printed, expected, opts = {}) {
  const tolerance = opts.tolerance ?? 0.02;
  const got = printed.replace(/\n+$/, '').split('\n');
  const want = expected.replace(/\n+$/, '').split('\n');
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const g = got[i], w = want[i];
    const at = `line ${i + 1}`;
    if (g === undefined) return `${at}: expected ${JSON.stringify(w)}, but the output ends after ${got.length} lines`;
    if (w === undefined) return `${at}: printed ${JSON.stringify(g.slice(0, 120))}, but the README's output ends after ${want.length} lines`;
    const gt = tokens(g), wt = tokens(w);
    const bad = gt.length !== wt.length || gt.some((t, k) => !sameToken(t, wt[k], tolerance));
    if (bad) return `${at}: printed ${JSON.stringify(g.slice(0, 120))}, the README says ${JSON.stringify(w.slice(0, 120))}`;
  }
  return null;
}

/** @param {string} line */
function tokens(line) {
  return line.replace(BACKENDS, '<backend>').match(TOKEN) ?? [];
}

/** @param {string} a @param {string} b @param {number} tolerance */
function sameToken(a, b, tolerance) {
  if (a === b) return true;
  const decimal = /^-?\d+\.\d+/;
  if (!decimal.test(a) || !decimal.test(b)) return false;
  return Math.abs(Number(a) - Number(b)) <= tolerance;
}
