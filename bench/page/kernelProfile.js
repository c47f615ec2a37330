// Where our step's kernel time goes, by kernel family, measured by leaving kernels out: a step
// with every dispatch of one family skipped (page/gpuCounters.js drops them at record time) is
// timed against the full step; the difference is what that family costs. A family is a plan
// row's label without its index (`lstm_step_backward[l=1,t=7]` → `lstm_step_backward`).
// Skipping kernels leaves stale data in their outputs, so this runs only after the timed steps,
// on a model whose results no longer matter; arithmetic on stale values costs the same.
const median = (xs) => { const s = [...xs].sort((a, b) => a - b), m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const familyOf = (label) => label.replace(/\[[^\]]*\]$/, '');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** @param step an awaited training step of our engine; @returns per-family dispatches and ms */
export async function profileKernels(step, { steps = 5 } = {}) {
  const probe = { labels: [] };
  globalThis.__gpuProbe = probe;
  try {
    await step();
    const families = new Map();
    for (const l of probe.labels) families.set(familyOf(l), (families.get(familyOf(l)) ?? 0) + 1);
    const time = async () => {
      const ms = [];
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        await step();
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    globalThis.__gpuProbe = null;
    const before = await time();
    const rows = [];
    for (const [family, dispatches] of families) {
      globalThis.__gpuProbe = { skip: new RegExp(`^${escape(family)}(\\[|$)`) };
      const without = await time();
      globalThis.__gpuProbe = null;
      rows.push({ family, dispatches, msWithout: without });
    }
    const after = await time();
    const fullMs = (before + after) / 2;
    for (const r of rows) r.ms = fullMs - r.msWithout;
    rows.sort((a, b) => b.ms - a.ms);
    return { steps, fullMs, fullMsBefore: before, fullMsAfter: after, families: rows };
  } finally {
    globalThis.__gpuProbe = null;
  }
}
