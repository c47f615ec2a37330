// The Markdown of the browser benchmark (bench/browser.mjs): the comparison table, where each GPU
// contender's step time goes, the notes on missed targets, and the scaling of our step time.
//
// Where the time goes: a GPU step costs at least its dispatches × the adapter's per-dispatch floor,
// its submits × the per-submit floor and one submit+readback round trip per mapped readback (all
// measured in the same page, page/floors.js); what is left is the kernels' own execution, and
// GFLOP per step ÷ that rest is the rate the kernels reach.

const num = (x) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Number(x.toPrecision(3)).toString());

function ms(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x < 1) return `${(x * 1000).toFixed(0)} µs`;
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`;
}

const variantOf = (name) => name?.split('-')[2] ?? '';

/** A contender's cell: median ms at the timed T, its step count, and ≈ ms at the full T. */
function cell(row, name) {
  const c = row.contenders?.[name];
  if (!name || !c) return '–';
  if (!c.measured) return c.error ? `error: ${c.error.slice(0, 60)}` : '–';
  const n = `n=${c.steps}${c.fewSteps ? '†' : ''}`;
  const at = row.extrapolated ? ` (≈ ${ms(c.msPerStepAtT)} at T=${row.T})` : '';
  return `${ms(c.msPerStep)}${at} ${n}`;
}

/** Overhead floors of one GPU contender's step, and the rest. */
export function timeSplit(row, name, floors) {
  const c = row.contenders?.[name];
  if (!c?.measured || !Number.isFinite(c.dispatchesPerStep)) return null;
  const dispatchMs = (c.dispatchesPerStep * floors.dispatchUs) / 1000;
  const submitMs = (c.submitsPerStep * floors.submitUs) / 1000;
  const readMs = c.mapsPerStep * floors.roundTripMs;
  const restMs = Math.max(0, c.msPerStep - dispatchMs - submitMs - readMs);
  return { ms: c.msPerStep, dispatchMs, submitMs, readMs, restMs, restGflops: restMs > 0 ? row.gflopTimed / (restMs / 1000) : null, dispatches: c.dispatchesPerStep, submits: c.submitsPerStep };
}

function verdict(row) {
  const v = row.verify ?? {};
  const parts = [];
  if (v.ours) parts.push(`ours ${v.ours.ok ? 'OK' : 'NOT OK'} ${v.ours.relDiff?.toExponential(0)}`);
  const tf = Object.entries(v).filter(([k]) => k !== 'ours');
  if (tf.length) parts.push(`TF.js ${tf.every(([, x]) => x.ok) ? 'OK' : 'NOT OK'} ≤${Math.max(...tf.map(([, x]) => x.relDiff)).toExponential(0)}`);
  return parts.join(', ') || '–';
}

/** DESIGN.md section 6: f32 matmul at 1024³ with 4×4 register blocking on this adapter. */
const REFERENCE_GFLOPS = 3.6;

function missedNote(row, floors) {
  const ours = timeSplit(row, 'ours', floors);
  const tfw = timeSplit(row, row.chosen?.webgpu, floors);
  const best = row.contenders[row.tfjsBest];
  const targetMs = best.msPerStep / row.target;
  const lines = [`**${row.label}**${row.extrapolated ? ` (at T=${row.timedT})` : ''}: TF.js's best (${row.tfjsBest}, ${ms(best.msPerStep)}) ÷ ours (${ms(row.contenders.ours.msPerStep)}) = ${num(row.ratio)}, target ${row.target}, so ours must take ≤ ${ms(targetMs)}.`];
  if (ours) {
    const floor = ours.dispatchMs + ours.submitMs + ours.readMs;
    const arithMs = (row.gflopTimed / REFERENCE_GFLOPS) * 1000;
    lines.push(`Ours: ${num(ours.dispatches)} dispatches × ${num(floors.dispatchUs)} µs + ${num(ours.submits)} submit + the loss readback = ${ms(floor)} of floor (${num((100 * floor) / ours.ms)} % of the step);` +
      ` the rest, ${ms(ours.restMs)}, is the kernels running: ${num((ours.restMs * 1000) / ours.dispatches)} µs per dispatch on average, ${num(ours.restGflops)} GFLOP/s over the step's ${num(row.gflopTimed)} GFLOP` +
      ` (at ${REFERENCE_GFLOPS} GFLOP/s, the matmul rate DESIGN.md section 6 measured here, that arithmetic takes ${ms(arithMs)}).`);
    const restPerDispatchMs = ours.restMs / ours.dispatches;
    if (floor > targetMs) {
      lines.push(`The floor alone is over ${ms(targetMs)}: only fewer dispatches close it (the count is about 2·L·T + a handful; a recurrent kernel that loops over timesteps inside one dispatch, or wavefront fusion of layers).`);
    } else if (arithMs < 0.25 * ours.restMs && restPerDispatchMs < 1) {
      lines.push(`So the time is per-kernel cost, not arithmetic: ${num(ours.dispatches)} dispatches averaging ${num(restPerDispatchMs * 1000)} µs of kernel time each, against ${num(floors.dispatchUs)} µs for a trivial one; kernels shaped for these tiny sizes (few idle invocations, work split where one thread would loop long) and fewer dispatches would close it.`);
    } else {
      const wasm = row.contenders[row.chosen?.wasm];
      const wasmRate = wasm?.measured ? ` TF.js wasm reaches ${num(row.gflopTimed / (wasm.msPerStep / 1000))} GFLOP/s on the same work.` : '';
      lines.push(`So the time is the kernels' arithmetic, at ${num(ours.restGflops)} GFLOP/s: the target needs ≈ ${num(row.gflopTimed / ((targetMs - floor) / 1000))} GFLOP/s on this adapter (the hoisted matmuls and the per-timestep recurrent matvecs hold that work; DESIGN.md section 6 measured ${REFERENCE_GFLOPS} GFLOP/s for a register-blocked matmul here).${wasmRate}`);
    }
  }
  const kp = row.kernelProfile;
  if (kp) {
    // Per-timestep kernels (the `*_step_forward/backward` families) against everything hoisted.
    const perStep = kp.families.filter((f) => /_step_(forward|backward)$/.test(f.family));
    const hoisted = kp.families.filter((f) => !perStep.includes(f));
    const total = (fs) => ({ ms: fs.reduce((a, f) => a + f.ms, 0), n: fs.reduce((a, f) => a + f.dispatches, 0) });
    const a = total(perStep), b = total(hoisted);
    lines.push(`By kernel family (alone, ${ms(kp.fullMs)} a step): ${kp.families.slice(0, 3).map((f) => `${f.family} ×${f.dispatches} ${ms(f.ms)}`).join(', ')};` +
      ` the per-timestep step kernels ${ms(a.ms)} in ${a.n} dispatches, the hoisted matmuls, reductions, loss and update ${ms(b.ms)} in ${b.n}.`);
  }
  if (tfw) lines.push(`TF.js webgpu (${variantOf(row.chosen.webgpu)}): ${num(tfw.dispatches)} dispatches, ${num(tfw.submits)} submits a step, ${ms(tfw.dispatchMs + tfw.submitMs + tfw.readMs)} of floor in its ${ms(tfw.ms)}: the rest is its kernels running on SwiftShader.`);
  return lines.join(' ');
}

export function markdown(report) {
  const f = report.floors;
  const lines = [
    `Browser benchmark, ${report.browser}, adapter ${report.adapter?.vendor ?? '?'} ${report.adapter?.architecture ?? ''}${report.adapter?.isFallbackAdapter ? ' (software)' : ''}; ` +
      `TF.js ${report.tfjs.version} (wasm: ${report.tfjs.backends.wasm?.multithread ? `threaded, ${report.tfjs.backends.wasm.threads} threads` : 'single-threaded'}${report.tfjs.backends.wasm?.simd ? ', SIMD' : ''}); ` +
      `${report.machine.cpuModel} ×${report.machine.cpuCount}, load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} at start.`,
    '',
    '| config | GFLOP/step | ours | TF.js webgpu | TF.js wasm | TF.js best ÷ ours | target | TF.js webgpu ÷ ours | dispatches/step (ours · TF.js webgpu) | submits/step (ours · TF.js webgpu) | verify (rel. loss diff vs float64) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of report.configs) {
    if (r.error) { lines.push(`| ${r.label} | – | error: ${r.error} | | | | | | | | |`); continue; }
    const o = r.contenders.ours, w = r.contenders[r.chosen.webgpu];
    const gf = r.extrapolated ? `${num(r.gflopTimed)} at T=${r.timedT} (${num(r.gflopPerStep)} at T=${r.T})` : num(r.gflopPerStep);
    const wCell = r.chosen.webgpu ? `${cell(r, r.chosen.webgpu)} (${variantOf(r.chosen.webgpu)})` : '–';
    const aCell = r.chosen.wasm ? `${cell(r, r.chosen.wasm)} (${variantOf(r.chosen.wasm)})` : '–';
    const met = r.ratio === null ? '' : r.meetsTarget ? ' ✓' : ' ✗';
    const overWebgpu = o?.measured && w?.measured ? num(w.msPerStep / o.msPerStep) : '–';
    lines.push(`| ${r.label}${r.extrapolated ? ` (timed at T=${r.timedT})` : ''} | ${gf} | ${cell(r, 'ours')} | ${wCell} | ${aCell} | **${num(r.ratio)}**${met} | ${r.target} | ${overWebgpu} | ${num(o?.dispatchesPerStep)} · ${num(w?.dispatchesPerStep)} | ${num(o?.submitsPerStep)} · ${num(w?.submitsPerStep)} | ${verdict(r)} |`);
  }
  lines.push('',
    'Median ms per training step (forward, backward, Adam update, loss read back), contenders alternating; n = measured steps (†: fewer than 10, see the notes in the JSON). ' +
    'TF.js: the faster of its two models per backend (layers: `tf.layers.lstm` + dense, `trainOnBatch`; cell: `tf.multiRNNCell`/`basicLSTMCell` loop, `minimize`). ' +
    'Every contender trains the same model from the same initial weights on the same batch. ' +
    'Rows timed at a shorter T: the ratio is measured there; ≈ at the full T is the measured time × T/T\' (an upper bound).',
    '',
    'Where the GPU time goes: the adapter\'s floors (a trivial dispatch recorded among many, a submit, a submit + 4-byte readback), measured in each configuration\'s page just before it, times the step\'s counts; the rest is the kernels running.',
    '',
    '| config | contender | ms/step | dispatches × floor | submits × floor | readback floor | kernels (rest) | rest per dispatch | kernels GFLOP/s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of report.configs) {
    if (r.error) continue;
    const rf = r.floors ?? f;
    for (const name of ['ours', r.chosen.webgpu]) {
      const s = timeSplit(r, name, rf);
      if (!s) continue;
      lines.push(`| ${r.label} | ${name} | ${ms(s.ms)} | ${num(s.dispatches)} × ${num(rf.dispatchUs)} µs = ${ms(s.dispatchMs)} | ${num(s.submits)} × ${num(rf.submitUs)} µs = ${ms(s.submitMs)} | ${ms(s.readMs)} | ${ms(s.restMs)} | ${num((s.restMs * 1000) / s.dispatches)} µs | ${num(s.restGflops)} |`);
    }
    const a = r.contenders[r.chosen.wasm];
    if (a?.measured) lines.push(`| ${r.label} | ${r.chosen.wasm} | ${ms(a.msPerStep)} | – | – | – | ${ms(a.msPerStep)} | – | ${num(r.gflopTimed / (a.msPerStep / 1000))} |`);
  }
  const profiled = report.configs.filter((r) => r.kernelProfile);
  if (profiled.length) {
    lines.push('', 'Our step by kernel family: what a step saves when all dispatches of one family are left out (page/kernelProfile.js), right after the timed rounds: ' +
      'the median over pairs of a full step and a step without the family, taken side by side. ' +
      '"Step, alone" is the median full step there, with no TF.js step in between (compare the alternating median above). ' +
      'Small entries are noise; the sum, beside the step, need not match it (leaving a family out also changes what its neighbours wait for).', '',
      '| config | step, alone | families, costliest first (×dispatches: ms, share of the step) | sum of families |', '|---|---:|---|---:|');
    for (const r of profiled) {
      const p = r.kernelProfile;
      const top = p.families.slice(0, 6).map((f) => `${f.family} ×${f.dispatches}: ${ms(f.ms)} (${num((100 * f.ms) / p.fullMs)} %)`).join(' · ');
      const sum = p.families.reduce((a, f) => a + f.ms, 0);
      lines.push(`| ${r.label} | ${ms(p.fullMs)}${p.pairs === 1 ? ' (1 pair: rough)' : ''} | ${top}${p.families.length > 6 ? ` · ${p.families.length - 6} more` : ''} | ${ms(sum)} |`);
    }
  }
  const missed = report.configs.filter((r) => !r.error && r.ratio !== null && r.ratio !== undefined && !r.meetsTarget);
  if (missed.length) {
    lines.push('', 'Targets missed (≥ 10× on bitpair, echo, mnist-rows; ≥ 3× on the two large ones):', '');
    for (const r of missed) lines.push(`- ${missedNote(r, r.floors ?? f)}`);
  }
  if (report.scaling?.error) lines.push('', `Scaling: error: ${report.scaling.error}`);
  else if (report.scaling) {
    const s = report.scaling;
    lines.push('', `Scaling of our step time (base ${s.base}; T at H${s.T[0]?.H}, H at T${s.H[0]?.T}):`, '',
      '| sweep | T | H | GFLOP/step | ms/step | ms per timestep | GFLOP/s | dispatches/step |', '|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of [...s.T, ...s.H]) {
      lines.push(p.error ? `| ${p.sweep} | ${p.T} | ${p.H} | ${num(p.gflopPerStep)} | error: ${p.error} | | | |`
        : `| ${p.sweep} | ${p.T} | ${p.H} | ${num(p.gflopPerStep)} | ${ms(p.msPerStep)} (n=${p.steps}) | ${ms(p.msPerStep / p.T)} | ${num(p.gflops)} | ${num(p.dispatchesPerStep)} |`);
    }
  }
  lines.push('', `GFLOP/step: ${report.flopFormula}.`,
    `Shared 2-core machine: load ${report.machine.loadavgStart.map((l) => l.toFixed(1)).join('/')} → ${(report.machine.loadavgEnd ?? []).map((l) => l.toFixed(1)).join('/')}; wall-clock times are noisy (alternation spreads the noise over all contenders). Run took ${num(report.totalSeconds)} s.`,
    `Command: \`${report.command}\` (${report.date}).`);
  return lines.join('\n');
}
