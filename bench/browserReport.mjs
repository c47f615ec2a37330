// The Markdown of the browser benchmark (bench/browser.mjs): one comparison table (ours against
// every TF.js backend, TF.js's best, the floor model of our step, our time to first step), a
// line per configuration on where our step's time goes, the notes (skipped or failed contenders,
// variants chosen, verification), and the scaling of our step time.
//
// The floor model of our step (floorModel): what the adapter charges at least for the work the
// step does, from floors measured in the same page:
//   dispatches × the per-dispatch floor (page/floors.js: a trivial dispatch among many)
//   + readbacks × the submit + 4-byte readback round trip (page/floors.js)
//   + the step's FLOPs ÷ our matmul's GFLOP/s on this adapter (page/matmulRate.js)
// and ours ÷ floor is how far the step is above it. What the step spends beyond its dispatch and
// readback floors is its kernels running (timeSplit), and the kernel profile (page/kernelProfile.js)
// says by family where that goes.

const num = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Number(x.toPrecision(3)).toString());

function ms(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x < 1) return `${(x * 1000).toFixed(0)} µs`;
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`;
}

/** Column titles of the TF.js backends (bench/browser.mjs BACKENDS). */
export const BACKEND_TITLES = {
  webgpu: 'TF.js webgpu', webgl: 'TF.js webgl', cpu: 'TF.js cpu', wasm: 'TF.js wasm, 1 thread', wasm2: 'TF.js wasm, 2 threads',
};
const backendOf = (name) => (name === 'ours' ? 'ours' : name?.split('-')[1]);
const variantOf = (name) => name?.split('-')[2] ?? '';
const short = (s, n = 70) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
/** Markdown table cells cannot hold '|' or newlines. */
const safe = (s) => String(s).replace(/\|/g, '/').replace(/\s*\n\s*/g, ' ');

/** A measured contender's cell: median ms at the timed T, its step count, and ≈ ms at the full T. */
function measuredCell(row, name) {
  const c = row.contenders[name];
  const n = `n=${c.steps}${c.fewSteps ? '†' : ''}`;
  const at = row.extrapolated ? ` (≈ ${ms(c.msPerStepAtT)} at T=${row.T})` : '';
  return `${ms(c.msPerStep)}${at} ${n}`;
}

/** One TF.js backend's cell: its timed variant, or why it has no time (skipped, verify failed, error). */
export function backendCell(row, backend) {
  const chosen = row.chosen?.[backend];
  if (chosen && row.contenders[chosen]?.measured) return `${measuredCell(row, chosen)} (${variantOf(chosen)})`;
  if (row.skipped?.[backend]) return row.skipped[backend].why;
  const mine = Object.entries(row.contenders ?? {}).filter(([n]) => backendOf(n) === backend);
  const why = mine.map(([n, c]) => (c.error ? `${variantOf(n)}: ${c.error}` : c.skipped ? `${variantOf(n)}: ${c.skipped}` : null)).filter(Boolean);
  return why.length ? safe(short(why.join('; '), 90)) : '–';
}

/** Overhead floors of one GPU contender's step, and the rest (the kernels running). */
export function timeSplit(row, name, floors) {
  const c = row.contenders?.[name];
  if (!c?.measured || !Number.isFinite(c.dispatchesPerStep)) return null;
  const dispatchMs = (c.dispatchesPerStep * floors.dispatchUs) / 1000;
  const submitMs = (c.submitsPerStep * floors.submitUs) / 1000;
  const readMs = c.mapsPerStep * floors.roundTripMs;
  const restMs = Math.max(0, c.msPerStep - dispatchMs - submitMs - readMs);
  return { ms: c.msPerStep, dispatchMs, submitMs, readMs, restMs, restGflops: restMs > 0 ? row.gflopTimed / (restMs / 1000) : null, dispatches: c.dispatchesPerStep, submits: c.submitsPerStep };
}

/** The floor model of our step (see the header), or null where a part of it was not measured. */
export function floorModel(row) {
  const o = row.contenders?.ours, f = row.floors, rate = row.matmul?.gflops;
  if (!o?.measured || !f || !Number.isFinite(rate) || rate <= 0 || !Number.isFinite(o.dispatchesPerStep)) return null;
  const readbacks = Number.isFinite(o.mapsPerStep) ? o.mapsPerStep : 1;
  const dispatchMs = (o.dispatchesPerStep * f.dispatchUs) / 1000;
  const readMs = readbacks * f.roundTripMs;
  const arithMs = (row.gflopTimed / rate) * 1000;
  const total = dispatchMs + readMs + arithMs;
  return {
    dispatches: o.dispatchesPerStep, dispatchUs: f.dispatchUs, dispatchMs, readbacks, roundTripMs: f.roundTripMs, readMs,
    gflop: row.gflopTimed, matmulGflops: rate, arithMs, ms: total, oursMs: o.msPerStep, oursOverFloor: o.msPerStep / total,
  };
}

function firstStepCell(row) {
  const f = row.firstStep;
  if (!f) return '–';
  if (f.error) return safe(`error: ${short(f.error, 50)}`);
  const at = row.extrapolated ? ` at T=${f.atT}` : '';
  return `${ms(f.totalMs)} (engine ${ms(f.createEngineMs)} + step ${ms(f.firstStepMs)})${at}`;
}

function verdict(row) {
  const v = row.verify ?? {};
  const parts = [];
  if (v.ours) parts.push(`ours ${v.ours.ok ? 'OK' : 'NOT OK'} ${v.ours.relDiff?.toExponential(0)}`);
  const tf = Object.entries(v).filter(([k]) => k !== 'ours');
  const bad = tf.filter(([, x]) => !x.ok).map(([k]) => k);
  if (tf.length) parts.push(`TF.js ${tf.length - bad.length} of ${tf.length} OK (≤ ${Math.max(...tf.filter(([, x]) => x.ok).map(([, x]) => x.relDiff), 0).toExponential(0)})${bad.length ? `, NOT OK: ${bad.join(', ')}` : ''}`);
  return parts.join('; ') || 'none';
}

/** Why our step misses the target, from the floor model and the split of the step. */
function missReason(row, fm, split, targetMs) {
  const floorMs = fm.dispatchMs + fm.readMs;
  if (floorMs > targetMs) return `the dispatch and readback floors alone come to ${ms(floorMs)}: only fewer dispatches close it.`;
  if (floorMs + fm.arithMs > targetMs) {
    return `even at our matmul's ${num(fm.matmulGflops)} GFLOP/s the arithmetic takes ${ms(fm.arithMs)}, so the floor model is over the target: it needs a faster matmul on this adapter.`;
  }
  const overMatmul = fm.matmulGflops / split.restGflops;
  return `the floor model fits (${ms(fm.ms)}), but the kernels run the step's arithmetic at ${num(split.restGflops)} GFLOP/s, ${num(overMatmul)}× below our matmul's rate here, in ${num(split.dispatches)} dispatches of ${num((split.restMs * 1000) / split.dispatches)} µs of kernel time each on average (a trivial one: ${num(fm.dispatchUs)} µs): the kernels' cost at these shapes (the families above) is what is over the target.`;
}

/** One line: where our step's time goes (floor model, kernel families) and, where missed, why. */
function whereTheTimeGoes(row) {
  const o = row.contenders?.ours;
  if (!o?.measured) return `**${row.label}**: ours not timed (${row.contenders?.ours?.error ?? 'see the notes'}).`;
  const fm = row.floorModel ?? floorModel(row);
  const split = row.floors ? timeSplit(row, 'ours', row.floors) : null;
  const at = row.extrapolated ? ` at T=${row.timedT}` : '';
  const parts = [`**${row.label}**${at} (ours ${ms(o.msPerStep)}):`];
  if (fm) {
    parts.push(`floor model ${ms(fm.ms)} = ${num(fm.dispatches)} dispatches × ${num(fm.dispatchUs)} µs (${ms(fm.dispatchMs)}) + ${num(fm.readbacks)} readback × ${ms(fm.roundTripMs)} + ${num(fm.gflop)} GFLOP at ${num(fm.matmulGflops)} GFLOP/s (${ms(fm.arithMs)}); ours is ${num(fm.oursOverFloor)}× that.`);
  }
  const kp = row.kernelProfile;
  if (kp) {
    const recurrent = kp.families.filter((f) => /_(step|layer)_(forward|backward)$/.test(f.family));
    const sum = (fs) => ({ ms: fs.reduce((a, f) => a + f.ms, 0), n: fs.reduce((a, f) => a + f.dispatches, 0) });
    const a = sum(recurrent), b = sum(kp.families.filter((f) => !recurrent.includes(f)));
    // Leave-one-out differences of two noisy timings can come out below zero: say so rather than
    // print a negative time.
    const share = (v) => (v > 0 ? ms(v) : 'within the noise');
    const top = kp.families.slice(0, 3).map((f) => `${f.family} ×${f.dispatches} ${share(f.ms)}${f.ms > 0 ? ` (${num((100 * f.ms) / kp.fullMs)} %)` : ''}`).join(', ');
    parts.push(`Kernel families, left out one at a time (step alone ${ms(kp.fullMs)}${kp.pairs === 1 ? ', 1 pair: rough' : ''}): ${top}; recurrent kernels ${share(a.ms)} in ${a.n} dispatches, the rest (matmuls, reductions, loss, update) ${share(b.ms)} in ${b.n}.`);
  }
  if (row.ratio !== null && row.ratio !== undefined && !row.meetsTarget && fm && split) {
    const best = row.contenders[row.tfjsBest];
    const targetMs = best.msPerStep / row.target;
    parts.push(`Target ≥ ${row.target}× TF.js best (${backendOf(row.tfjsBest)}, ${ms(best.msPerStep)}) needs ≤ ${ms(targetMs)}: ${missReason(row, fm, split, targetMs)}`);
  }
  return parts.join(' ');
}

function backendsLine(report) {
  const b = report.tfjs?.backends ?? {};
  const part = (name) => {
    const x = b[name];
    if (!x) return null;
    const title = name === 'wasm2' ? 'wasm (2 threads)' : name;
    if (!x.ok || x.error) return `${title}: ${safe(short(String(x.error ?? 'did not start'), 80))}`;
    if (name === 'wasm') return `wasm (SIMD ${x.simd ? 'yes' : 'no'}, ${x.multithread ? 'threaded build' : 'single-threaded build'}, ${x.threads} thread${x.threads === 1 ? '' : 's'}: TF.js's default here)`;
    if (name === 'wasm2') return `wasm with ${x.threads} threads (its own page, hardwareConcurrency emulated as ${x.hardwareConcurrency})`;
    if (name === 'webgl') return `webgl (WebGL ${x.version}${x.renderer ? `, ${safe(short(String(x.renderer), 120))}` : ''})`;
    return name;
  };
  return (report.backends ?? []).map(part).filter(Boolean).join('; ');
}

export function markdown(report) {
  const backends = report.backends ?? ['webgpu', 'wasm'];
  const m = report.matmul ?? {};
  const lines = [
    `Browser benchmark, ${report.browser}, adapter ${report.adapter?.vendor ?? '?'} ${report.adapter?.architecture ?? ''}${report.adapter?.isFallbackAdapter ? ' (software)' : ''}; ` +
      `TF.js ${report.tfjs.version}: ${backendsLine(report)}; ` +
      `${report.machine.cpuModel} ×${report.machine.cpuCount}, load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} at start.`,
    '',
    `| ${['config', 'GFLOP/step', 'ours', 'dispatches · submits (ours)', ...backends.map((b) => BACKEND_TITLES[b] ?? b), 'TF.js best', 'TF.js best ÷ ours', 'floor model (ours)', 'ours ÷ floor', 'time to first step (ours, page)'].join(' | ')} |`,
    `|${['---', '---:', '---:', '---:', ...backends.map(() => '---:'), '---', '---:', '---:', '---:', '---'].join('|')}|`,
  ];
  for (const r of report.configs) {
    if (r.error) { lines.push(`| ${r.label} | – | error: ${safe(short(r.error, 80))} |${' |'.repeat(backends.length + 6)}`); continue; }
    const o = r.contenders.ours;
    const gf = r.extrapolated ? `${num(r.gflopTimed)} at T=${r.timedT} (${num(r.gflopPerStep)} at T=${r.T})` : num(r.gflopPerStep);
    const oursCell = o?.measured ? measuredCell(r, 'ours') : safe(short(`not timed: ${o?.error ?? 'see notes'}`, 60));
    const best = r.tfjsBest ? `${backendOf(r.tfjsBest)}, ${ms(r.contenders[r.tfjsBest].msPerStep)}` : '–';
    const ratio = r.ratio === null || r.ratio === undefined ? `– (target ${r.target})` : `**${num(r.ratio)}** ${r.meetsTarget ? '✓' : '✗'} (target ${r.target})`;
    const fm = r.floorModel;
    const cells = [`${r.label}${r.extrapolated ? ` (timed at T=${r.timedT})` : ''}`, gf, oursCell, `${num(o?.dispatchesPerStep)} · ${num(o?.submitsPerStep)}`,
      ...backends.map((b) => backendCell(r, b)), best, ratio, ms(fm?.ms), num(fm?.oursOverFloor), firstStepCell(r)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('',
    'Median ms per training step (forward, backward, Adam update, loss read back), contenders alternating; n = measured steps (†: fewer than 10, see the notes). ' +
    'Each TF.js backend shows the faster of its two models (layers: `tf.layers.lstm` + dense, `trainOnBatch`; cell: `tf.multiRNNCell`/`basicLSTMCell` loop, `minimize`); TF.js best is the fastest of all backends, and TF.js best ÷ ours how many times faster ours is. ' +
    'Every contender trains the same model from the same initial weights on the same batch, and its first-step loss is checked against the float64 reference before it is timed. ' +
    `A backend whose first step takes (or is predicted from an earlier configuration to take) over ${report.skipFirstStepS ?? 60} s is skipped, and says so. ` +
    'Rows timed at a shorter T: the ratio is measured there; ≈ at the full T is the measured time × T/T\' (an upper bound).',
    '',
    `Floor model: dispatches × the per-dispatch floor + readbacks × the submit+readback floor + the step's FLOPs ÷ our matmul rate (matmul.wgsl, ${m.M ?? 1024}×${m.N ?? 1024}×${m.K ?? 512}, default tile), all measured in the configuration's own page just before it (the environment page measured ${num(report.floors?.dispatchUs)} µs per dispatch, ${ms(report.floors?.roundTripMs)} per readback, ${num(m.gflops)} GFLOP/s). ` +
    'Time to first step: a fresh page per configuration, `createEngine({ backend: \'webgpu\' })` (default tuning) → `createModel` → one awaited `trainer.step`, pipeline compiles included, before anything else of this engine runs in the page; Chromium runs with `--disable-gpu-shader-disk-cache`, so no page reuses another\'s compiled shaders.',
    '',
    'Where our step\'s time goes:', '',
  );
  for (const r of report.configs) if (!r.error) lines.push(`- ${whereTheTimeGoes(r)}`);
  const noted = report.configs.filter((r) => !r.error);
  if (noted.length) {
    lines.push('', 'Notes:', '');
    for (const r of noted) {
      const chosen = Object.entries(r.chosen ?? {}).map(([b, n]) => `${b} ${variantOf(n)}`).join(', ');
      const other = (r.notes ?? []).filter((n) => !/measured steps \(/.test(n));
      lines.push(`- ${r.label}: verify (first-step loss vs float64, rel.): ${verdict(r)}.${chosen ? ` Timed variants: ${chosen}.` : ''}${other.length ? ` ${safe(other.join('; '))}.` : ''}`);
    }
  }
  if (report.scaling?.error) lines.push('', `Scaling: error: ${report.scaling.error}`);
  else if (report.scaling) {
    const s = report.scaling;
    lines.push('', `Scaling of our step time (base ${s.base}; T at H${s.T[0]?.H}, H at T${s.H[0]?.T}):`, '',
      '| sweep | T | H | GFLOP/step | ms/step | ms per timestep | GFLOP/s | dispatches/step |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of [...s.T, ...s.H]) {
      lines.push(p.error ? `| ${p.sweep} | ${p.T} | ${p.H} | ${num(p.gflopPerStep)} | error: ${safe(p.error)} | | | |`
        : `| ${p.sweep} | ${p.T} | ${p.H} | ${num(p.gflopPerStep)} | ${ms(p.msPerStep)} (n=${p.steps}) | ${ms(p.msPerStep / p.T)} | ${num(p.gflops)} | ${num(p.dispatchesPerStep)} |`);
    }
  }
  lines.push('', `GFLOP/step: ${report.flopFormula}.`,
    `Shared 2-core machine: load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} → ${(report.machine.loadavgEnd ?? []).map((l) => l.toFixed(1)).join('/')}; wall-clock times are noisy (alternation spreads the noise over all contenders). Run took ${num(report.totalSeconds)} s.`,
    `Command: \`${report.command}\` (${report.date}).`);
  return lines.join('\n');
}
