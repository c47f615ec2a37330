// Where our step's kernel time goes, by kernel family, measured by leaving kernels out: a step
// with every dispatch of one family skipped (page/gpuCounters.js drops them at record time) is
// timed against a full step taken right beside it; the median of these paired differences is what
// that family costs (pairs, so a change of the machine's load between families cancels out). A
// family is a plan row's label without its indices (`lstm_step_backward[l=1,t=7]` →
// `lstm_step_backward`, `hidden_weight_grad[l=1].split` → `hidden_weight_grad.split`). Skipping kernels leaves stale data in their outputs, so this runs only
// after the timed steps, on a model whose results no longer matter; arithmetic on stale values
// costs the same.
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const familyOf = (label) => label.replace(/\[[^\]]*\]/g, '');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches every label of the family of `label`: its text, with any index in each bracket. */
const familyPattern = (label) => new RegExp(`^${label.split(/\[[^\]]*\]/).map(escape).join('\\[[^\\]]*\\]')}$`);

/** @param step an awaited training step of our engine; @returns per-family dispatches and ms */
export async function profileKernels(step, { pairs = 5 } = {}) {
  const probe = { labels: [] };
  globalThis.__gpuProbe = probe;
  try {
    await step();
    const families = new Map();
    for (const l of probe.labels) {
      const f = families.get(familyOf(l)) ?? { n: 0, skip: familyPattern(l) };
      f.n++;
      families.set(familyOf(l), f);
    }
    const timed = async (skip) => {
      globalThis.__gpuProbe = skip ? { skip } : null;
      const t0 = performance.now();
      await step();
      const ms = performance.now() - t0;
      globalThis.__gpuProbe = null;
      return ms;
    };
    const rows = [...families].map(([family, { n, skip }]) => ({ family, dispatches: n, skip, diffs: [] }));
    const full = [];
    for (let i = 0; i < pairs; i++) {
      for (const r of rows) {
        // Alternate which of the pair goes first, so a trend within the pair cancels too.
        const first = i % 2 === 0 ? await timed(null) : await timed(r.skip);
        const second = i % 2 === 0 ? await timed(r.skip) : await timed(null);
        const [withAll, without] = i % 2 === 0 ? [first, second] : [second, first];
        full.push(withAll);
        r.diffs.push(withAll - without);
      }
    }
    const families_ = rows.map((r) => ({ family: r.family, dispatches: r.dispatches, ms: median(r.diffs), diffsMs: r.diffs }));
    families_.sort((a, b) => b.ms - a.ms);
    return { pairs, fullMs: median(full), families: families_ };
  } finally {
    globalThis.__gpuProbe = null;
  }
}
